// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *context;

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
	if (err)
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

	va_start(ap, fmt);
	vlog("", 0, fmt, ap);
	va_end(ap);
	if (context)
		fprintf(stderr, "Try 'luoctl %s --help' for more information.\n", context);
	else
		fprintf(stderr, "Try 'luoctl --help' for more information.\n");
}
