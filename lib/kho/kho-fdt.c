// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlopen-libs.h"
#include "io.h"
#include "kho-fdt.h"

int kho_fail(struct kho_error *err, uint64_t offset, bool truncated, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->offset = offset;
		err->truncated = truncated;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return truncated ? -ENODATA : -EINVAL;
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64_at(const uint8_t *p)
{
	return (uint64_t)be32_at(p) << 32 | be32_at(p + 4);
}

bool kho_fdt_has_magic(const void *buf, size_t len)
{
	return len >= 4 && be32_at(buf) == FDT_MAGIC;
}

/* a + b <= limit without overflow */
static bool fits(uint64_t a, uint64_t b, uint64_t limit)
{
	return a <= limit && b <= limit - a;
}

static int parse_header(const uint8_t *b, size_t len, struct kho_fdt *f, bool allow_cut,
			struct kho_error *err)
{
	if (len < KHO_FDT_HEADER_SIZE)
		return kho_fail(err, len, true,
				"the input has %zu bytes, less than an FDT header (%d)",
				len, KHO_FDT_HEADER_SIZE);
	if (be32_at(b) != FDT_MAGIC)
		return kho_fail(err, 0, false, "bad FDT magic 0x%08x (expected 0x%08x)",
				be32_at(b), FDT_MAGIC);
	f->totalsize = be32_at(b + 4);
	f->off_dt_struct = be32_at(b + 8);
	f->off_dt_strings = be32_at(b + 12);
	f->off_mem_rsvmap = be32_at(b + 16);
	f->version = be32_at(b + 20);
	f->last_comp_version = be32_at(b + 24);
	f->boot_cpuid_phys = be32_at(b + 28);
	f->size_dt_strings = be32_at(b + 32);
	f->size_dt_struct = be32_at(b + 36);
	f->avail = f->totalsize <= len ? f->totalsize : (uint32_t)len;
	if (f->totalsize > len && allow_cut)
		f->cut = true;
	else if (f->totalsize > len)
		return kho_fail(
			err, len, true,
			"truncated: the input has %zu bytes, the FDT header's totalsize is %u",
			len, f->totalsize);
	if (f->totalsize < KHO_FDT_HEADER_SIZE)
		return kho_fail(err, 4, false, "totalsize %u is smaller than the header",
				f->totalsize);
	if (f->version < 17)
		return kho_fail(err, 20, false,
				"FDT version %u is not supported (need 17)", f->version);
	if (f->last_comp_version > 17)
		return kho_fail(err, 24, false,
				"last compatible version %u is newer than 17",
				f->last_comp_version);
	return 0;
}

static int check_blocks(struct kho_fdt *f, struct kho_error *err)
{
	if (f->off_mem_rsvmap < KHO_FDT_HEADER_SIZE || f->off_mem_rsvmap % 8 ||
	    !fits(f->off_mem_rsvmap, 16, f->totalsize))
		return kho_fail(
			err, 16, false,
			"memory reservation map offset 0x%x is misaligned or outside the blob (totalsize %u)",
			f->off_mem_rsvmap, f->totalsize);
	if (f->off_dt_struct < KHO_FDT_HEADER_SIZE || f->off_dt_struct % 4 ||
	    !fits(f->off_dt_struct, f->size_dt_struct, f->totalsize))
		return kho_fail(
			err, 8, false,
			"structure block 0x%x+%u is misaligned or outside the blob (totalsize %u)",
			f->off_dt_struct, f->size_dt_struct, f->totalsize);
	if (f->off_dt_strings < KHO_FDT_HEADER_SIZE ||
	    !fits(f->off_dt_strings, f->size_dt_strings, f->totalsize))
		return kho_fail(
			err, 12, false,
			"strings block 0x%x+%u is outside the blob (totalsize %u)",
			f->off_dt_strings, f->size_dt_strings, f->totalsize);
	return 0;
}


static int parse_rsvmap(const uint8_t *b, struct kho_fdt *f, struct kho_error *err)
{
	size_t cap = 0;

	for (uint64_t off = f->off_mem_rsvmap;; off += 16) {
		if (f->cut && fits(off, 16, f->totalsize) && !fits(off, 16, f->avail))
			return kho_fail(err, f->avail, true,
					"the input stops at %u bytes, inside the memory reservation map",
					f->avail);
		if (!fits(off, 16, f->totalsize))
			return kho_fail(
				err, off, false,
				"memory reservation map runs past the blob end without its terminator");
		struct kho_fdt_rsv r = { be64_at(b + off), be64_at(b + off + 8) };
		if (!r.address && !r.size)
			return 0;
		if (io_grow((void **)&f->rsv, &cap, f->nr_rsv + 1, sizeof(*f->rsv)))
			return -ENOMEM;
		f->rsv[f->nr_rsv++] = r;
	}
}

struct walker {
	const uint8_t *b;
	struct kho_fdt *f;
	struct kho_error *err;
	uint32_t pos, end;
	uint32_t decl_end; /* end of the structure block as declared; > end when cut */
	uint32_t stack[KHO_FDT_MAX_DEPTH];
	int depth; /* open nodes */
	bool has_child[KHO_FDT_MAX_DEPTH];
	bool root_done;
	size_t cap_nodes, cap_props;
};

/* Returned when the bytes end where the kernel cut the file: the walk stops there. */
#define WALK_CUT 1

static bool cut_here(const struct walker *w)
{
	return w->end < w->decl_end;
}

/*
 * The strings blocks the kernel's libfdt writes for KHO roots (kho-format.md
 * §2.4), by era: a cut root's missing names come from the one whose size is the
 * header's size_dt_strings and whose start matches the bytes present.
 */
static const struct {
	const char *table;
	uint32_t size;
} known_strings[] = {
#define KS(s) { s, sizeof(s) - 1 }
	KS("preserved-memory-map\0compatible\0preserved-data\0blob-size\0"), /* E5+ */
	KS("preserved-memory-map\0compatible\0preserved-data\0"),		/* E4 */
	KS("preserved-memory-map\0compatible\0fdt\0"),			/* E2 */
	KS("fdt\0preserved-memory-map\0compatible\0"),			/* E1 */
	KS("preserved-memory-map\0compatible\0"), /* a root before any sub-node */
#undef KS
};

static const char *infer_name(const struct kho_fdt *f, uint32_t nameoff,
			      enum kho_name_state *state)
{
	const uint8_t *have = f->buf + f->off_dt_strings;
	uint32_t nhave = f->avail > f->off_dt_strings ? f->avail - f->off_dt_strings : 0;

	nhave = nhave < f->size_dt_strings ? nhave : f->size_dt_strings;
	for (size_t i = 0; i < sizeof(known_strings) / sizeof(known_strings[0]); i++) {
		if (known_strings[i].size != f->size_dt_strings ||
		    memcmp(known_strings[i].table, have, nhave))
			continue;
		const char *name = known_strings[i].table + nameoff;
		/* Only offsets where a name starts, as libfdt's own offsets are. */
		if (nameoff && known_strings[i].table[nameoff - 1])
			break;
		*state = KHO_NAME_INFERRED;
		return name;
	}
	*state = KHO_NAME_LOST;
	return "(name cut by the kernel)";
}

static int walk_begin_node(struct walker *w, uint32_t tok_off)
{
	struct kho_fdt *f = w->f;
	const uint8_t *name = w->b + w->pos;
	const uint8_t *nul = memchr(name, '\0', w->end - w->pos);

	if (w->root_done)
		return kho_fail(w->err, tok_off, false,
				"a second root node follows the first");
	if (w->depth >= KHO_FDT_MAX_DEPTH)
		return kho_fail(w->err, tok_off, false, "nodes nested deeper than %d",
				KHO_FDT_MAX_DEPTH);
	if (!nul && cut_here(w))
		return WALK_CUT;
	if (!nul)
		return kho_fail(w->err, w->pos, false,
				"node name is not terminated inside the structure block");
	if (io_grow((void **)&f->nodes, &w->cap_nodes, f->nr_nodes + 1,
		    sizeof(*f->nodes)))
		return -ENOMEM;
	uint32_t idx = (uint32_t)f->nr_nodes++;
	f->nodes[idx] = (struct kho_fdt_node){
		.name = (const char *)name,
		.offset = tok_off,
		.depth = (uint32_t)w->depth,
		.parent = w->depth ? w->stack[w->depth - 1] : idx,
		.first_prop = (uint32_t)f->nr_props,
	};
	if (w->depth)
		w->has_child[w->depth - 1] = true;
	w->stack[w->depth] = idx;
	w->has_child[w->depth++] = false;
	uint64_t next = ((uint64_t)(nul - w->b) + 1 + 3) & ~3ull;
	if (next > w->end && cut_here(w))
		return WALK_CUT;
	if (next > w->end)
		return kho_fail(w->err, w->pos, false,
				"node name padding runs past the structure block");
	w->pos = (uint32_t)next;
	return 0;
}

static int walk_prop(struct walker *w, uint32_t tok_off)
{
	struct kho_fdt *f = w->f;

	if (!w->depth)
		return kho_fail(w->err, tok_off, false, "property outside any node");
	if (w->has_child[w->depth - 1])
		return kho_fail(w->err, tok_off, false, "property after a subnode");
	if (!fits(w->pos, 8, w->end) && cut_here(w))
		return WALK_CUT;
	if (!fits(w->pos, 8, w->end))
		return kho_fail(w->err, tok_off, false,
				"property header runs past the structure block");
	uint32_t len = be32_at(w->b + w->pos), nameoff = be32_at(w->b + w->pos + 4);
	const char *strings = (const char *)w->b + f->off_dt_strings;
	enum kho_name_state state = KHO_NAME_READ;
	uint32_t have = f->avail > f->off_dt_strings ? f->avail - f->off_dt_strings : 0;
	have = have < f->size_dt_strings ? have : f->size_dt_strings;
	if (nameoff >= f->size_dt_strings ||
	    (!f->cut && !memchr(strings + nameoff, '\0', f->size_dt_strings - nameoff)))
		return kho_fail(
			w->err, w->pos + 4, false,
			"property name offset %u is outside the strings block (%u bytes) or unterminated",
			nameoff, f->size_dt_strings);
	const char *name = strings + nameoff;
	if (f->cut && (nameoff >= have || !memchr(name, '\0', have - nameoff)))
		name = infer_name(f, nameoff, &state);
	if (!fits(w->pos + 8, len, w->end) && cut_here(w))
		return WALK_CUT;
	if (!fits(w->pos + 8, len, w->end))
		return kho_fail(
			w->err, w->pos, false,
			"property \"%s\" value of %u bytes runs past the structure block",
			name, len);
	if (io_grow((void **)&f->props, &w->cap_props, f->nr_props + 1, sizeof(*f->props)))
		return -ENOMEM;
	f->props[f->nr_props++] = (struct kho_fdt_prop){
		.name = name,
		.val = w->b + w->pos + 8,
		.len = len,
		.offset = tok_off,
		.name_state = state,
	};
	f->names_inferred += state == KHO_NAME_INFERRED;
	f->names_lost += state == KHO_NAME_LOST;
	f->nodes[w->stack[w->depth - 1]].nr_props++;
	w->pos = (uint32_t)((w->pos + 8ull + len + 3) & ~3ull);
	if (w->pos > w->end && cut_here(w))
		return WALK_CUT;
	if (w->pos > w->end)
		return kho_fail(w->err, tok_off, false,
				"property padding runs past the structure block");
	return 0;
}

static int walk_token(struct walker *w, bool *done)
{
	uint32_t tok_off = w->pos;

	if (!fits(w->pos, 4, w->end) && cut_here(w))
		return WALK_CUT;
	if (!fits(w->pos, 4, w->end))
		return kho_fail(w->err, w->pos, false,
				"structure block ends without FDT_END");
	uint32_t tok = be32_at(w->b + w->pos);
	w->pos += 4;
	switch (tok) {
	case FDT_BEGIN_NODE: return walk_begin_node(w, tok_off);
	case FDT_END_NODE:
		if (!w->depth)
			return kho_fail(w->err, tok_off, false,
					"FDT_END_NODE without an open node");
		if (--w->depth == 0)
			w->root_done = true;
		return 0;
	case FDT_PROP: return walk_prop(w, tok_off);
	case FDT_NOP: return 0;
	case FDT_END:
		if (w->depth)
			return kho_fail(w->err, tok_off, false,
					"FDT_END inside an open node");
		if (!w->root_done)
			return kho_fail(w->err, tok_off, false,
					"no root node before FDT_END");
		*done = true;
		return 0;
	default:
		return kho_fail(w->err, tok_off, false, "unknown structure token 0x%08x",
				tok);
	}
}

static int parse_struct(const uint8_t *b, struct kho_fdt *f, struct kho_error *err)
{
	uint32_t decl_end = f->off_dt_struct + f->size_dt_struct;
	struct walker w = { .b = b,
			    .f = f,
			    .err = err,
			    .pos = f->off_dt_struct,
			    .end = decl_end < f->avail ? decl_end : f->avail,
			    .decl_end = decl_end };
	bool done = false;
	int rc = 0;
	uint32_t tok_off = w.pos;

	while (!rc && !done) {
		tok_off = w.pos;
		rc = walk_token(&w, &done);
	}
	if (rc == WALK_CUT) {
		f->struct_cut_at = tok_off < w.end ? tok_off : w.end;
		rc = 0;
	}
	return rc;
}

static int parse(const void *buf, size_t len, struct kho_fdt *out, bool allow_cut,
		 struct kho_error *err)
{
	const uint8_t *b = buf;
	int rc;

	memset(out, 0, sizeof(*out));
	out->buf = b;
	rc = parse_header(b, len, out, allow_cut, err);
	rc = rc ?: check_blocks(out, err);
	rc = rc ?: parse_rsvmap(b, out, err);
	rc = rc ?: parse_struct(b, out, err);
	if (!rc && !out->cut) {
		/* Ours passed; libfdt's own full check must agree. */
		char why[512];
		int lrc = dlopen_libfdt();

		if (lrc) {
			kho_fail(err, 0, false, "%s",
				 dlopen_describe(DLOPEN_LIBFDT, lrc, why, sizeof(why)));
			rc = lrc;
		} else if ((lrc = sym_fdt_check_full(buf, out->totalsize)) != 0) {
			rc = kho_fail(err, 0, false, "libfdt rejects the blob: %s",
				      sym_fdt_strerror(lrc));
		}
	}
	if (rc == -ENOMEM && err)
		kho_fail(err, 0, false, "out of memory");
	if (rc)
		kho_fdt_free(out);
	return rc;
}

int kho_fdt_parse(const void *buf, size_t len, struct kho_fdt *out, struct kho_error *err)
{
	return parse(buf, len, out, false, err);
}

int kho_fdt_parse_cut(const void *buf, size_t len, struct kho_fdt *out,
		      struct kho_error *err)
{
	return parse(buf, len, out, true, err);
}

void kho_fdt_free(struct kho_fdt *fdt)
{
	free(fdt->rsv);
	free(fdt->nodes);
	free(fdt->props);
	memset(fdt, 0, sizeof(*fdt));
}

const struct kho_fdt_prop *kho_fdt_prop(const struct kho_fdt *fdt, size_t node,
					const char *name)
{
	const struct kho_fdt_node *n = &fdt->nodes[node];

	for (uint32_t i = 0; i < n->nr_props; i++)
		if (!strcmp(fdt->props[n->first_prop + i].name, name))
			return &fdt->props[n->first_prop + i];
	return NULL;
}

long kho_fdt_child(const struct kho_fdt *fdt, size_t node, const char *name)
{
	uint32_t depth = fdt->nodes[node].depth;

	for (size_t i = node + 1; i < fdt->nr_nodes && fdt->nodes[i].depth > depth; i++)
		if (fdt->nodes[i].parent == node && !strcmp(fdt->nodes[i].name, name))
			return (long)i;
	return -1;
}

char *kho_fdt_path(const struct kho_fdt *fdt, size_t node, char *buf, size_t size)
{
	const char *parts[KHO_FDT_MAX_DEPTH];
	int n = 0;
	size_t pos = 0;

	for (size_t i = node; fdt->nodes[i].depth > 0 && n < KHO_FDT_MAX_DEPTH;
	     i = fdt->nodes[i].parent)
		parts[n++] = fdt->nodes[i].name;
	buf[0] = '\0';
	if (!n)
		snprintf(buf, size, "/");
	while (n-- > 0 && pos < size) {
		int w = snprintf(buf + pos, size - pos, "/%s", parts[n]);
		if (w < 0)
			break;
		pos += (size_t)w;
	}
	return buf;
}
