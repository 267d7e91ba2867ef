// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `--format dts`: the same bytes as `dtc -I dtb -O dts` (dtc 1.6.1) prints for
 * the blob, so that tests can diff the two. dtc has no type information for a
 * dtb and guesses per property: a string list when the value is NUL-terminated
 * printable text with at least as many other bytes as NULs, cells when the
 * length is a multiple of 4, bytes otherwise. We reproduce that guess, not
 * our decoding, because this format promises dtc's output.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dump.h"

struct obuf {
	FILE *f;
	size_t n;
	int err;
	char buf[1 << 16];
};

static void ob_flush(struct obuf *o)
{
	if (o->n && fwrite(o->buf, 1, o->n, o->f) != o->n)
		o->err = -EIO;
	o->n = 0;
}

static void ob_put(struct obuf *o, const char *s, size_t len)
{
	if (o->n + len > sizeof(o->buf))
		ob_flush(o);
	if (len > sizeof(o->buf)) {
		if (fwrite(s, 1, len, o->f) != len)
			o->err = -EIO;
		return;
	}
	memcpy(o->buf + o->n, s, len);
	o->n += len;
}

static void ob_str(struct obuf *o, const char *s)
{
	ob_put(o, s, strlen(s));
}

static void ob_chr(struct obuf *o, char c)
{
	if (o->n == sizeof(o->buf))
		ob_flush(o);
	o->buf[o->n++] = c;
}

static void ob_tabs(struct obuf *o, unsigned int n)
{
	while (n--)
		ob_chr(o, '\t');
}

/* printf("%0*x", min_digits, v) without printf's cost: this runs per cell. */
static void ob_hex(struct obuf *o, uint64_t v, int min_digits)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	int n = 0;

	do {
		tmp[n++] = digits[v & 0xf];
		v >>= 4;
	} while (v);
	while (n < min_digits)
		tmp[n++] = '0';
	while (n)
		ob_chr(o, tmp[--n]);
}

static bool dtc_isprint(uint8_t c)
{
	return c >= 0x20 && c < 0x7f;
}

static bool dtc_isstring(uint8_t c)
{
	return dtc_isprint(c) || c == '\0' || (c >= '\a' && c <= '\r');
}

enum dtc_type {
	DTC_STRING,
	DTC_CELLS,
	DTC_BYTES
};

static enum dtc_type dtc_guess(const uint8_t *p, uint32_t len)
{
	uint32_t nnul = 0;
	bool all_string = true;

	for (uint32_t i = 0; i < len; i++) {
		if (!dtc_isstring(p[i]))
			all_string = false;
		if (!p[i])
			nnul++;
	}
	if (p[len - 1] == '\0' && all_string && nnul <= len - nnul)
		return DTC_STRING;
	return len % 4 == 0 ? DTC_CELLS : DTC_BYTES;
}

static void write_string_char(struct obuf *o, uint8_t c)
{
	static const char esc[] = "abtnvfr";

	if (c >= '\a' && c <= '\r') {
		ob_chr(o, '\\');
		ob_chr(o, esc[c - '\a']);
	} else if (c == '\\' || c == '"') {
		ob_chr(o, '\\');
		ob_chr(o, (char)c);
	} else {
		ob_chr(o, (char)c); /* dtc_guess let only printable bytes through */
	}
}

/* Each NUL-terminated piece becomes one quoted string: "a", "b" */
static void write_strings(struct obuf *o, const uint8_t *p, uint32_t len)
{
	ob_str(o, " \"");
	for (uint32_t i = 0; i + 1 < len; i++) {
		if (p[i])
			write_string_char(o, p[i]);
		else
			ob_str(o, "\", \"");
	}
	ob_chr(o, '"');
}

static void write_cells(struct obuf *o, const uint8_t *p, uint32_t len)
{
	ob_str(o, " <");
	for (uint32_t i = 0; i < len; i += 4) {
		uint32_t v = (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 |
			     (uint32_t)p[i + 2] << 8 | p[i + 3];
		ob_str(o, i ? " 0x" : "0x");
		ob_hex(o, v, 2);
	}
	ob_chr(o, '>');
}

static void write_bytes(struct obuf *o, const uint8_t *p, uint32_t len)
{
	ob_str(o, " [");
	for (uint32_t i = 0; i < len; i++) {
		if (i)
			ob_chr(o, ' ');
		ob_hex(o, p[i], 2);
	}
	ob_chr(o, ']');
}

static void write_prop(struct obuf *o, const struct kho_fdt_prop *pr, unsigned int level)
{
	ob_tabs(o, level);
	ob_str(o, pr->name);
	if (!pr->len) {
		ob_str(o, ";\n");
		return;
	}
	ob_str(o, " =");
	switch (dtc_guess(pr->val, pr->len)) {
	case DTC_STRING: write_strings(o, pr->val, pr->len); break;
	case DTC_CELLS: write_cells(o, pr->val, pr->len); break;
	case DTC_BYTES: write_bytes(o, pr->val, pr->len); break;
	}
	ob_str(o, ";\n");
}

static void write_node_open(struct obuf *o, const struct kho_fdt *fdt, size_t i)
{
	const struct kho_fdt_node *n = &fdt->nodes[i];

	if (n->depth) {
		ob_chr(o, '\n');
		ob_tabs(o, n->depth);
	}
	ob_str(o, *n->name ? n->name : "/");
	ob_str(o, " {\n");
	for (uint32_t p = 0; p < n->nr_props; p++)
		write_prop(o, &fdt->props[n->first_prop + p], n->depth + 1);
}

static void write_node_close(struct obuf *o, unsigned int depth)
{
	ob_tabs(o, depth);
	ob_str(o, "};\n");
}

static void write_header(struct obuf *o, const struct kho_fdt *fdt)
{
	ob_str(o, "/dts-v1/;\n\n");
	for (size_t i = 0; i < fdt->nr_rsv; i++) {
		ob_str(o, "/memreserve/\t0x");
		ob_hex(o, fdt->rsv[i].address, 16);
		ob_str(o, " 0x");
		ob_hex(o, fdt->rsv[i].size, 16);
		ob_str(o, ";\n");
	}
}

int dump_dts(FILE *f, const struct kho_fdt *fdt)
{
	static struct obuf o;
	unsigned int open = 0; /* nodes open: depth of the last one + 1 */

	o.f = f;
	o.n = 0;
	o.err = 0;
	write_header(&o, fdt);
	for (size_t i = 0; i < fdt->nr_nodes; i++) {
		while (open > fdt->nodes[i].depth)
			write_node_close(&o, --open);
		write_node_open(&o, fdt, i);
		open = fdt->nodes[i].depth + 1;
	}
	while (open)
		write_node_close(&o, --open);
	ob_flush(&o);
	return o.err;
}
