// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Diagnostics on stderr, one line each:
 *   luoctl: create: cannot create session "db": File exists
 * The subcommand part is set once by the dispatcher.
 */
#pragma once

void log_set_context(const char *subcommand);
const char *log_get_context(void);
__attribute__((format(printf, 1, 2))) void log_error(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_warning(const char *fmt, ...);
/* Like log_error, with ": strerror(err)" appended; err may be negative. */
__attribute__((format(printf, 2, 3))) void log_errno(int err, const char *fmt, ...);
/* A usage error (exit status 2): one line like every other error. */
__attribute__((format(printf, 1, 2))) void log_usage(const char *fmt, ...);
/* The first error logged by this run, without the "luoctl: CMD: " prefix; NULL if none. */
const char *log_first_error(void);
/*
 * From now on, write to a close-on-exec copy of the current stderr: fd 2 is
 * about to carry a retrieved file, which no message may ever go into.
 */
void log_keep_stderr(void);
