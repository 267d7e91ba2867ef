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
/* A usage error: the message, then the "Try ... --help" line. */
__attribute__((format(printf, 1, 2))) void log_usage(const char *fmt, ...);
