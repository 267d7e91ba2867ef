// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

/* Text formats are the callers' literals, passed through by design (iproute2 style). */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

#define MAX_DEPTH 64
/* JSON readers keep integers as doubles: from 2^53 on they may be rounded. */
#define JSON_UNSAFE_FROM (UINT64_C(1) << 53)

/* A keyed array's u64 elements, kept for its KEY_hex twin when one is unsafe. */
struct u64_array {
	const char *key; /* NULL: not an array, or an anonymous one */
	uint64_t *v;
	size_t n, cap;
	bool unsafe;
};

static struct {
	bool json;
	bool pretty;
	int depth;
	int err;
	/* Per nesting level: has a member been written yet (comma needed)? */
	bool has_member[MAX_DEPTH];
	struct u64_array array[MAX_DEPTH];
	bool wrote_anything;
} out;

void out_begin(bool json, bool pretty)
{
	for (int i = 0; i < MAX_DEPTH; i++)
		free(out.array[i].v);
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

/* Length of the valid UTF-8 sequence (RFC 3629) starting at p, or 0. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		/* No overlong forms, no UTF-16 surrogates. */
		lo = p[0] == 0xe0 ? 0xa0 : 0x80;
		hi = p[0] == 0xed ? 0x9f : 0xbf;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		/* No overlong forms, nothing above U+10FFFF. */
		lo = p[0] == 0xf0 ? 0x90 : 0x80;
		hi = p[0] == 0xf4 ? 0x8f : 0xbf;
	} else {
		return 0;
	}
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/*
 * Names and paths are arbitrary bytes, JSON text is UTF-8. A byte that is not
 * part of valid UTF-8 becomes \\udcXX, a lone low surrogate (PEP 383's
 * surrogateescape): never produced by valid text, so nothing is ambiguous,
 * and reversible (Python: json.loads, then .encode("utf-8", "surrogateescape")).
 */
static void json_escaped(const char *s)
{
	size_t n;

	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p += n) {
		n = 1;
		switch (*p) {
		case '"': fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				printf("\\u%04x", *p);
			} else if (*p < 0x80) {
				putchar(*p);
			} else if ((n = utf8_len(p)) > 0) {
				fwrite(p, 1, n, stdout);
			} else {
				printf("\\u%04x", 0xdc00 | *p);
				n = 1;
			}
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
	out.array[out.depth].key = bracket == '[' ? key : NULL;
	out.array[out.depth].n = 0;
	out.array[out.depth].unsafe = false;
}

static void json_close(char bracket);

/* KEY_hex: a member, or an array of every element, in hex, after KEY. */
static void json_hex_twin(const char *key, const uint64_t *v, size_t n, bool array)
{
	char twin[256];

	snprintf(twin, sizeof(twin), "%s_hex", key);
	if (!array) {
		json_member(twin);
		printf("\"0x%" PRIx64 "\"", v[0]);
		return;
	}
	json_open(twin, '[');
	for (size_t i = 0; i < n; i++) {
		json_member(NULL);
		printf("\"0x%" PRIx64 "\"", v[i]);
	}
	json_close(']');
}

static void json_close(char bracket)
{
	bool had = out.has_member[out.depth];
	struct u64_array a = out.array[out.depth];

	memset(&out.array[out.depth], 0, sizeof(a));
	if (out.depth > 0)
		out.depth--;
	if (had)
		newline_indent();
	putchar(bracket);
	if (a.key && a.unsafe)
		json_hex_twin(a.key, a.v, a.n, true);
	free(a.v);
}

/* Keep a keyed array's element for its twin; an allocation failure is an error. */
static void json_array_element(uint64_t v)
{
	struct u64_array *a = &out.array[out.depth];
	uint64_t *grown;

	if (!a->key)
		return;
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		grown = realloc(a->v, a->cap * sizeof(*a->v));
		if (!grown) {
			out.err = -ENOMEM;
			a->key = NULL;
			return;
		}
		a->v = grown;
	}
	a->v[a->n++] = v;
	a->unsafe |= v >= JSON_UNSAFE_FROM;
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
		if (!key)
			json_array_element(v);
		else if (v >= JSON_UNSAFE_FROM)
			json_hex_twin(key, &v, 1, false);
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
	return out.err;
}
