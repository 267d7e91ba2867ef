// SPDX-License-Identifier: LGPL-2.1-or-later
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *context;
/* The first error of this run, without the "luoctl: CMD: " prefix, for --json. */
static char first_error[2304];
/* -1: stderr; else a copy of the original stderr (fd 2 went to a retrieved file). */
static int log_fd = -1;

void log_keep_stderr(void)
{
	if (log_fd < 0)
		log_fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
}

void log_set_context(const char *subcommand)
{
	context = subcommand;
}

const char *log_get_context(void)
{
	return context;
}

static void vlog(const char *level, int err, const char *fmt, va_list ap)
{
	/* Build the line first so concurrent writers to stderr cannot interleave it. */
	char line[2048];
	int n = snprintf(line, sizeof(line), "luoctl: %s%s%s", context ? context : "",
			 context ? ": " : "", level);

	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (!first_error[0] && !*level)
		snprintf(first_error, sizeof(first_error), "%s%s%s", line + n,
			 err ? ": " : "", err ? strerror(abs(err)) : "");
	if (log_fd >= 0)
		dprintf(log_fd, "%s%s%s\n", line, err ? ": " : "", err ? strerror(abs(err)) : "");
	else if (err)
		fprintf(stderr, "%s: %s\n", line, strerror(abs(err)));
	else
		fprintf(stderr, "%s\n", line);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", 0, fmt, ap);
	va_end(ap);
}

void log_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning: ", 0, fmt, ap);
	va_end(ap);
}

void log_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", err, fmt, ap);
	va_end(ap);
}

void log_usage(const char *fmt, ...)
{
	va_list ap;

	/* One line like every error: the man pages and --help list the options. */
	va_start(ap, fmt);
	vlog("", 0, fmt, ap);
	va_end(ap);
}

const char *log_first_error(void)
{
	return first_error[0] ? first_error : NULL;
}
