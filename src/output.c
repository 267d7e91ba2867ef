// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "output.h"

/* Text formats are the callers' literals, passed through by design (iproute2 style). */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

#define MAX_DEPTH 64

static struct {
	bool json;
	bool pretty;
	int depth;
	/* Per nesting level: has a member been written yet (comma needed)? */
	bool has_member[MAX_DEPTH];
	bool wrote_anything;
} out;

void out_begin(bool json, bool pretty)
{
	memset(&out, 0, sizeof(out));
	out.json = json;
	out.pretty = pretty;
}

bool out_is_json(void)
{
	return out.json;
}

static bool wants(enum out_when w)
{
	return w == PRINT_ANY || (w == PRINT_JSON) == out.json;
}

static void json_escaped(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		default:
			/* Names are arbitrary bytes: keep JSON valid for control bytes. */
			if (*p < 0x20 || *p == 0x7f)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

static void newline_indent(void)
{
	if (!out.pretty)
		return;
	putchar('\n');
	for (int i = 0; i < out.depth; i++)
		fputs("  ", stdout);
}

/* Comma, indentation and "key": before a JSON member or array element. */
static void json_member(const char *key)
{
	if (out.depth > 0 && out.has_member[out.depth])
		putchar(',');
	if (out.depth > 0) {
		out.has_member[out.depth] = true;
		newline_indent();
	}
	if (key) {
		json_escaped(key);
		fputs(out.pretty ? ": " : ":", stdout);
	}
	out.wrote_anything = true;
}

static void json_open(const char *key, char bracket)
{
	json_member(key);
	putchar(bracket);
	if (out.depth < MAX_DEPTH - 1)
		out.depth++;
	out.has_member[out.depth] = false;
}

static void json_close(char bracket)
{
	bool had = out.has_member[out.depth];

	if (out.depth > 0)
		out.depth--;
	if (had)
		newline_indent();
	putchar(bracket);
}

void out_open_object(const char *key)
{
	if (out.json)
		json_open(key, '{');
}

void out_close_object(void)
{
	if (out.json)
		json_close('}');
}

void out_open_array(const char *key)
{
	if (out.json)
		json_open(key, '[');
}

void out_close_array(void)
{
	if (out.json)
		json_close(']');
}

void out_string(enum out_when w, const char *key, const char *textfmt, const char *v)
{
	if (!wants(w))
		return;
	if (out.json) {
		json_member(key);
		json_escaped(v);
	} else if (textfmt) {
		printf(textfmt, v);
	}
}

void out_u64(enum out_when w, const char *key, const char *textfmt, uint64_t v)
{
	if (!wants(w))
		return;
	if (out.json) {
		json_member(key);
		printf("%" PRIu64, v);
	} else if (textfmt) {
		printf(textfmt, v);
	}
}

void out_i64(enum out_when w, const char *key, const char *textfmt, int64_t v)
{
	if (!wants(w))
		return;
	if (out.json) {
		json_member(key);
		printf("%" PRId64, v);
	} else if (textfmt) {
		printf(textfmt, v);
	}
}

void out_hex(enum out_when w, const char *key, const char *textfmt, uint64_t v)
{
	if (!wants(w))
		return;
	if (out.json) {
		json_member(key);
		printf("\"0x%" PRIx64 "\"", v);
	} else if (textfmt) {
		printf(textfmt, v);
	}
}

void out_bool(enum out_when w, const char *key, const char *textfmt, bool v)
{
	if (!wants(w))
		return;
	if (out.json) {
		json_member(key);
		fputs(v ? "true" : "false", stdout);
	} else if (textfmt) {
		printf(textfmt, v ? "yes" : "no");
	}
}

void out_null(enum out_when w, const char *key, const char *textfmt)
{
	if (!wants(w))
		return;
	if (out.json) {
		json_member(key);
		fputs("null", stdout);
	} else if (textfmt) {
		fputs(textfmt, stdout);
	}
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (out.json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

int out_end(void)
{
	if (out.json && out.wrote_anything)
		putchar('\n');
	/* Data goes to stdout: a full disk or closed pipe must not pass silently. */
	if (fflush(stdout) != 0 || ferror(stdout))
		return errno ? -errno : -EIO;
	return 0;
}
