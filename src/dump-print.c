// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Text and JSON output of `luoctl dump`, through the one printer: every field
 * is emitted once with its JSON key and its text format. The JSON keys are the
 * schema documented in luoctl-dump(8); keep the two in step.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "kho/kho-abi.h"
#include "kho/kho-deep.h"
#include "output.h"

#define KEY_WIDTH 20
#define DUMP_TEXT_RANGES 32

struct printer {
	const struct dump_opts *o;
	const struct dump_input *in;
	bool in_side;  /* the incoming hand-over of a KHO boot */
	bool kho_v4;   /* the root says kho-v4: Linux 7.2 and 7.3 */
	bool luo_freed; /* in_side && kho_v4: the kernel freed the incoming LUO blob */
	size_t problems;
	char *buf; /* scratch for escaped strings and hex */
	size_t cap;
};

static char *scratch(struct printer *p, size_t need)
{
	if (need > p->cap) {
		char *n = realloc(p->buf, need);
		if (!n)
			return NULL;
		p->buf = n;
		p->cap = need;
	}
	return p->buf;
}

static const char *human_size(uint64_t v, char *buf, size_t size)
{
	static const char *const units[] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"
	};
	unsigned int u = 0;
	uint64_t scaled = v;

	while (scaled >= 1024 && u < 6) {
		scaled /= 1024;
		u++;
	}
	if (!u || v % (1ull << (10 * u)) == 0)
		snprintf(buf, size, "%" PRIu64 " %s", scaled, units[u]);
	else
		snprintf(buf, size, "%.1f %s", (double)v / (double)(1ull << (10 * u)),
			 units[u]);
	return buf;
}

/* Hex of raw bytes, for JSON values. */
static const char *hex_string(struct printer *p, const uint8_t *v, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *s = scratch(p, len * 2 + 1);

	if (!s)
		return "";
	for (size_t i = 0; i < len; i++) {
		s[2 * i] = digits[v[i] >> 4];
		s[2 * i + 1] = digits[v[i] & 0xf];
	}
	s[len * 2] = '\0';
	return s;
}

int dump_parse_fdt(const struct dump_input *in, const struct dump_blob *b,
		   struct kho_fdt *fdt, struct kho_error *err)
{
	if (b->is_root && !(in->side && !strcmp(in->side, "in")))
		return kho_fdt_parse_cut(b->data, b->len, fdt, err);
	return kho_fdt_parse(b->data, b->len, fdt, err);
}

/* ---- small field helpers: key is both the JSON key and the text label ---- */

static void label(const char *key, int indent)
{
	out_text("%*s%-*s ", indent, "", KEY_WIDTH, key);
}

static void f_hex(const char *key, int indent, uint64_t v)
{
	label(key, indent);
	out_hex(PRINT_ANY, key, "0x%" PRIx64 "\n", v);
}

static void f_u64(const char *key, int indent, uint64_t v)
{
	label(key, indent);
	out_u64(PRINT_ANY, key, "%" PRIu64 "\n", v);
}

static void f_str(const char *key, int indent, const char *v)
{
	label(key, indent);
	out_string(PRINT_ANY, key, "\"%s\"\n", v);
}

static char *put_hex_byte(char *w, uint8_t b)
{
	static const char digits[] = "0123456789abcdef";

	*w++ = digits[b >> 4];
	*w++ = digits[b & 0xf];
	return w;
}

/* "0010  00 01 ...  |..|": built by hand, since printf per byte dominated big dumps. */
static void hexdump_line(const uint8_t *v, size_t len, size_t off, int indent)
{
	char line[128], *w = line;

	out_text("%*s%04zx ", indent, "", off);
	for (size_t i = off; i < off + 16; i++) {
		*w++ = ' ';
		if (i < len) {
			w = put_hex_byte(w, v[i]);
		} else {
			*w++ = ' ';
			*w++ = ' ';
		}
	}
	w = stpcpy(w, "  |");
	for (size_t i = off; i < off + 16 && i < len; i++)
		*w++ = v[i] >= 0x20 && v[i] < 0x7f ? (char)v[i] : '.';
	strcpy(w, "|\n");
	out_text("%s", line);
}

/* Multi-line hex dump in text, one hex string in JSON. */
static void f_bytes(struct printer *p, const char *key, int indent, const uint8_t *v,
		    size_t len)
{
	out_string(PRINT_JSON, key, NULL, hex_string(p, v, len));
	if (out_is_json())
		return;
	for (size_t off = 0; off < len; off += 16)
		hexdump_line(v, len, off, indent);
}

static void print_issues(struct printer *p, const struct kho_issues *is, int indent)
{
	if (!is->n)
		return;
	out_open_array("issues");
	for (size_t i = 0; i < is->n; i++) {
		const struct kho_issue *x = &is->v[i];
		const char *sev = x->severity == KHO_PROBLEM ? "problem" : "note";
		out_open_object(NULL);
		out_text("%*s", indent, "");
		out_string(PRINT_ANY, "severity", "%s", sev);
		out_hex(PRINT_ANY, "offset", " at 0x%" PRIx64, x->offset);
		out_string(PRINT_ANY, "message", ": %s\n", x->msg);
		out_close_object();
	}
	out_close_array();
	p->problems += is->problems;
}

static void print_error(struct printer *p, const struct kho_error *err, int indent)
{
	out_open_object("error");
	out_text("%*s", indent, "");
	out_string(PRINT_TEXT, NULL, "%s", err->truncated ? "truncated" : "corrupt");
	out_hex(PRINT_ANY, "offset", " at 0x%" PRIx64, err->offset);
	out_bool(PRINT_JSON, "truncated", NULL, err->truncated);
	out_string(PRINT_ANY, "message", ": %s\n", err->msg);
	out_close_object();
	p->problems++;
}

/* ---- FDT properties ---- */

static const char *escaped_strings(struct printer *p, const uint8_t *v, uint32_t len)
{
	char *s = scratch(p, (size_t)len * 4 + 3);
	size_t n = 0;

	if (!s)
		return "";
	s[n++] = '"';
	for (uint32_t i = 0; i + 1 < len; i++) {
		if (!v[i]) {
			memcpy(s + n, "\", \"", 4);
			n += 4;
		} else {
			if (v[i] == '"' || v[i] == '\\')
				s[n++] = '\\';
			s[n++] = (char)v[i];
		}
	}
	s[n++] = '"';
	s[n] = '\0';
	return s;
}

static void prop_string_json(const uint8_t *v, uint32_t len)
{
	if (strlen((const char *)v) + 1 == len) {
		out_string(PRINT_JSON, "value", NULL, (const char *)v);
		return;
	}
	out_open_array("value");
	for (uint32_t i = 0; i < len; i += (uint32_t)strlen((const char *)v + i) + 1)
		out_string(PRINT_JSON, NULL, NULL, (const char *)v + i);
	out_close_array();
}

static void prop_vmalloc(const uint8_t *v)
{
	struct kho_vmalloc vm = {
		.first = kho_load_u64(v),
		.total_pages = kho_load_u32(v + 8),
		.flags = kho_load_u16(v + 12),
		.order = kho_load_u16(v + 14),
	};

	out_open_object("value");
	out_hex(PRINT_ANY, "first", "first 0x%" PRIx64, vm.first);
	out_u64(PRINT_ANY, "total_pages", ", %" PRIu64 " pages", vm.total_pages);
	out_hex(PRINT_ANY, "flags", ", flags 0x%" PRIx64, vm.flags);
	out_u64(PRINT_ANY, "order", ", order %" PRIu64 "\n", vm.order);
	out_close_object();
}

static void prop_value(struct printer *p, enum kho_vtype t, const struct kho_fdt_prop *pr,
		       int indent)
{
	char h[32];

	switch (t) {
	case KHO_V_EMPTY: out_null(PRINT_ANY, "value", "(empty)\n"); break;
	case KHO_V_STRING:
		out_text("%s\n", escaped_strings(p, pr->val, pr->len));
		prop_string_json(pr->val, pr->len);
		break;
	case KHO_V_U32:
		out_u64(PRINT_ANY, "value", "%" PRIu64 "\n", kho_load_u32(pr->val));
		break;
	case KHO_V_HEX32:
		out_hex(PRINT_ANY, "value", "0x%08" PRIx64 "\n", kho_load_u32(pr->val));
		break;
	case KHO_V_U64:
		out_u64(PRINT_ANY, "value", "%" PRIu64 "\n", kho_load_u64(pr->val));
		break;
	case KHO_V_PHYS:
		out_hex(PRINT_ANY, "value", "0x%" PRIx64 "\n", kho_load_u64(pr->val));
		break;
	case KHO_V_SIZE:
		out_u64(PRINT_ANY, "value", "%" PRIu64, kho_load_u64(pr->val));
		out_text(" (%s)\n", human_size(kho_load_u64(pr->val), h, sizeof(h)));
		break;
	case KHO_V_VMALLOC: prop_vmalloc(pr->val); break;
	case KHO_V_RAW:
		if (pr->len <= 16) {
			char line[64], *w = line;
			for (uint32_t i = 0; i < pr->len; i++) {
				if (i)
					*w++ = ' ';
				w = put_hex_byte(w, pr->val[i]);
			}
			*w = '\0';
			out_text("%s\n", line);
			out_string(PRINT_JSON, "value", NULL,
				   hex_string(p, pr->val, pr->len));
		} else {
			out_text("%u bytes\n", pr->len);
			f_bytes(p, "value", indent + 2, pr->val, pr->len);
		}
		break;
	}
}

static void print_node(struct printer *p, enum kho_kind kind, const struct kho_fdt *fdt,
		       size_t n)
{
	const struct kho_fdt_node *node = &fdt->nodes[n];
	char path[1024];
	int width = 0;

	for (uint32_t i = 0; i < node->nr_props; i++) {
		const struct kho_fdt_prop *pr = &fdt->props[node->first_prop + i];
		int l = (int)strlen(pr->name) + (pr->name_state != KHO_NAME_READ);
		width = l > width ? l : width;
	}
	out_open_object(NULL);
	out_string(PRINT_ANY, "path", "  %s\n", kho_fdt_path(fdt, n, path, sizeof(path)));
	out_u64(PRINT_JSON, "offset", NULL, node->offset);
	out_open_array("properties");
	for (uint32_t i = 0; i < node->nr_props; i++) {
		const struct kho_fdt_prop *pr = &fdt->props[node->first_prop + i];
		enum kho_vtype t = kho_prop_type(kind, fdt, n, pr);
		out_open_object(NULL);
		/* A name past the kernel's cut is marked: it was inferred, not read. */
		bool star = pr->name_state != KHO_NAME_READ;
		out_text("    %s%-*s = ", star ? "*" : "", width - star, pr->name);
		out_string(PRINT_JSON, "name", NULL, pr->name);
		if (pr->name_state != KHO_NAME_READ)
			out_string(PRINT_JSON, "name_cut", NULL,
				   pr->name_state == KHO_NAME_INFERRED ? "inferred"
								       : "lost");
		out_string(PRINT_JSON, "type", NULL, kho_vtype_name(t));
		out_u64(PRINT_JSON, "offset", NULL, pr->offset);
		prop_value(p, t, pr, 6);
		out_close_object();
	}
	out_close_array();
	out_close_object();
}

static void print_fdt_header(const struct kho_fdt *fdt)
{
	out_open_object("header");
	out_text("  header: ");
	out_u64(PRINT_ANY, "version", "version %" PRIu64, fdt->version);
	out_u64(PRINT_ANY, "last_comp_version", "/%" PRIu64, fdt->last_comp_version);
	out_u64(PRINT_ANY, "totalsize", ", totalsize %" PRIu64, fdt->totalsize);
	out_hex(PRINT_ANY, "off_mem_rsvmap", ", rsvmap 0x%" PRIx64, fdt->off_mem_rsvmap);
	out_hex(PRINT_ANY, "off_dt_struct", ", struct 0x%" PRIx64, fdt->off_dt_struct);
	out_u64(PRINT_ANY, "size_dt_struct", "+%" PRIu64, fdt->size_dt_struct);
	out_hex(PRINT_ANY, "off_dt_strings", ", strings 0x%" PRIx64, fdt->off_dt_strings);
	out_u64(PRINT_ANY, "size_dt_strings", "+%" PRIu64, fdt->size_dt_strings);
	out_u64(PRINT_ANY, "boot_cpuid_phys", ", boot cpu %" PRIu64 "\n",
		fdt->boot_cpuid_phys);
	out_close_object();
	out_open_array("reserve_map");
	for (size_t i = 0; i < fdt->nr_rsv; i++) {
		out_open_object(NULL);
		out_hex(PRINT_ANY, "address", "  memreserve 0x%" PRIx64,
			fdt->rsv[i].address);
		out_hex(PRINT_ANY, "size", " size 0x%" PRIx64 "\n", fdt->rsv[i].size);
		out_close_object();
	}
	out_close_array();
}

static void print_tree(struct printer *p, enum kho_kind kind, const struct kho_fdt *fdt)
{
	out_open_array("nodes");
	for (size_t n = 0; n < fdt->nr_nodes; n++)
		print_node(p, kind, fdt, n);
	out_close_array();
}

/* ---- deep decode output ---- */

static void print_memfd(const struct kho_deep_memfd *mf)
{
	char h[32];

	out_open_object("memfd");
	out_text("        ");
	out_u64(PRINT_ANY, "size", "size %" PRIu64, mf->size);
	out_text(" (%s)", human_size(mf->size, h, sizeof(h)));
	out_u64(PRINT_ANY, "pos", ", pos %" PRIu64, mf->pos);
	if (mf->has_seals)
		out_hex(PRINT_ANY, "seals", ", seals 0x%" PRIx64, mf->seals);
	out_u64(PRINT_ANY, "nr_folios", ", %" PRIu64 " folios", mf->nr_folios);
	out_u64(PRINT_ANY, "folio_array_pages", " listed in %" PRIu64 " pages",
		mf->array_pages);
	out_hex(PRINT_ANY, "folio_array", " (chunks at 0x%" PRIx64 ")", mf->folios.first);
	if (mf->folios_seen) {
		out_hex(PRINT_ANY, "min_pfn", ", pfn 0x%" PRIx64, mf->min_pfn);
		out_hex(PRINT_ANY, "max_pfn", "-0x%" PRIx64, mf->max_pfn);
	}
	out_text("\n");
	out_close_object();
}

static void print_deep_session(const struct kho_deep_session *s)
{
	out_open_object(NULL);
	out_string(PRINT_ANY, "name", "    session \"%s\"", s->name);
	out_u64(PRINT_ANY, "nr_files", ": %" PRIu64 " files", s->nr_files);
	out_hex(PRINT_ANY, "files_pa", " at 0x%" PRIx64 "\n", s->files_pa);
	out_open_array("files");
	for (uint64_t i = 0; s->files && i < s->nr_files; i++) {
		const struct kho_deep_file *f = &s->files[i];
		out_open_object(NULL);
		out_u64(PRINT_ANY, "token", "      token %" PRIu64, f->token);
		out_hex(PRINT_ANY, "token_hex", " (0x%" PRIx64 ")", f->token);
		out_string(PRINT_ANY, "compatible", "  %s", f->compatible);
		out_hex(PRINT_ANY, "data", "  record 0x%" PRIx64 "\n", f->data);
		if (f->is_memfd)
			print_memfd(&f->memfd);
		out_close_object();
	}
	out_close_array();
	out_close_object();
}

static void print_deep_flb(const struct kho_deep *d)
{
	out_open_object("flb");
	out_hex(PRINT_ANY, "phys", "    FLB page 0x%" PRIx64, d->flb_pa);
	out_u64(PRINT_ANY, "pgcnt", ": pgcnt %" PRIu64, d->flb_pgcnt);
	out_u64(PRINT_ANY, "count", ", %" PRIu64 " records\n", d->flb_count);
	out_open_array("records");
	for (size_t i = 0; i < d->nr_flbs; i++) {
		out_open_object(NULL);
		out_string(PRINT_ANY, "name", "      %s", d->flbs[i].name);
		out_hex(PRINT_ANY, "data", ": data 0x%" PRIx64, d->flbs[i].data);
		out_u64(PRINT_ANY, "count", ", count %" PRIu64 "\n", d->flbs[i].count);
		out_close_object();
	}
	out_close_array();
	out_close_object();
}

static void print_deep(const struct kho_deep *d)
{
	out_open_object("deep");
	out_text("  deep decode:\n");
	if (d->has_abi_header)
		f_u64("liveupdate_number", 4, d->liveupdate_num);
	out_string(PRINT_ANY, "session_layout", "    sessions (%s", d->session_layout);
	out_hex(PRINT_ANY, "sessions_pa", " at 0x%" PRIx64 ")", d->sessions_pa);
	out_u64(PRINT_ANY, "nr_sessions", ": %" PRIu64 "\n", d->nr_sessions);
	out_open_array("sessions");
	for (size_t i = 0; i < d->nr_sessions; i++)
		print_deep_session(&d->sessions[i]);
	out_close_array();
	if (d->has_flb)
		print_deep_flb(d);
	out_close_object();
}

static void deep_luo(struct printer *p, const struct kho_luo_info *li,
		     struct kho_issues *is)
{
	struct kho_deep d;
	struct kho_error err;

	if (!p->o->deep)
		return;
	if (kho_deep_luo(p->o->mem, li, &d, &err)) {
		out_open_object("deep");
		if (p->luo_freed)
			kho_issue_add(is, KHO_NOTE, err.offset,
				      "deep decode of the freed LUO blob stopped (%s): the memory it points to is not the kernel's any more",
				      err.msg);
		else
			print_error(p, &err, 2);
		out_close_object();
	} else {
		print_deep(&d);
	}
	kho_deep_free(&d);
}

static void print_ranges(const struct kho_deep_map *map)
{
	char h[32];

	out_open_array("ranges");
	for (size_t i = 0; i < map->nr_ranges; i++) {
		const struct kho_deep_range *r = &map->ranges[i];
		/* Text lists the first ones; a big map would drown the rest. */
		enum out_when w = i < DUMP_TEXT_RANGES ? PRINT_ANY : PRINT_JSON;
		out_open_object(NULL);
		if (i == DUMP_TEXT_RANGES)
			out_text("    ... %zu more ranges (--json lists them all)\n",
				 map->nr_ranges - i);
		out_hex(w, "phys", "    0x%012" PRIx64, r->phys);
		out_hex(w, "end", "-0x%012" PRIx64, r->phys + r->bytes);
		out_u64(w, "order", "  order %-2" PRIu64, r->order);
		out_u64(w, "bytes", "  %" PRIu64, r->bytes);
		if (w == PRINT_ANY)
			out_text(" bytes (%s)\n", human_size(r->bytes, h, sizeof(h)));
		out_close_object();
	}
	out_close_array();
	if (map->ranges_dropped)
		out_u64(PRINT_ANY, "ranges_not_listed", "    %" PRIu64 " more ranges not listed\n",
			map->ranges_dropped);
}

static void print_map(const struct kho_deep_map *map)
{
	char h[32];

	out_u64(PRINT_ANY, "preserved_bytes", "  memory map preserves %" PRIu64 " bytes",
		map->bytes);
	out_text(" (%s)", human_size(map->bytes, h, sizeof(h)));
	out_u64(PRINT_ANY, "pages_read", ", %" PRIu64 " map pages read\n", map->pages_read);
	out_open_array("blocks");
	for (unsigned int o = 0; o < 64; o++) {
		if (!map->blocks[o])
			continue;
		out_open_object(NULL);
		out_u64(PRINT_ANY, "order", "    order %-2" PRIu64, o);
		out_u64(PRINT_ANY, "count", ": %" PRIu64 " blocks\n", map->blocks[o]);
		out_close_object();
	}
	out_close_array();
	print_ranges(map);
}

/*
 * Inside the root's "memory_map" object: what the map preserves. After a KHO
 * boot on 7.2/7.3 the incoming tree is not the kernel's any more: its node
 * pages were never preserved, kho_mem_retrieve() walked them once to reserve
 * what they list, and the page allocator has had them since. What is read
 * there is shown only if it still walks cleanly, marked as such.
 */
static void deep_map(struct printer *p, const struct kho_root_info *ri,
		     struct kho_issues *is)
{
	struct kho_deep_map map;
	struct kho_error err;

	if (!p->o->deep || !ri->has_map || !ri->map_kind)
		return;
	int rc = kho_deep_map(p->o->mem, ri->map_kind, ri->map, &map, &err);
	if (p->in_side && p->kho_v4) {
		kho_issue_add(
			is, KHO_NOTE, 0,
			"the incoming memory map at 0x%" PRIx64 " is no longer held by the kernel: Linux 7.2 and 7.3 walk it once at boot to reserve the pages it lists (kexec_handover.c: kho_mem_retrieve), but its own node pages are not preserved and go back to the page allocator",
			ri->map);
		out_bool(PRINT_JSON, "freed_by_kernel", NULL, true);
		if (rc) {
			kho_issue_add(is, KHO_NOTE, err.offset,
				      "its pages now hold other data (%s): what it listed is not recoverable from memory; the preserved pages themselves stay reserved until their owners retrieve them",
				      err.msg);
			out_string(PRINT_JSON, "reused", NULL, err.msg);
			out_text("  memory map: freed by the kernel at boot, its pages reused\n");
		} else {
			out_text("  memory map: freed by the kernel at boot; its pages still walk cleanly, shown as found (stale):\n");
			print_map(&map);
		}
	} else if (rc) {
		print_error(p, &err, 2);
	} else {
		print_map(&map);
	}
	kho_deep_map_free(&map);
}

/* ---- per kind ---- */

static void print_root(struct printer *p, const struct kho_fdt *fdt,
		       struct kho_issues *is)
{
	struct kho_root_info ri;

	if (kho_root_decode(fdt, &ri, is))
		return;
	out_open_object("root");
	out_text("  ");
	out_string(PRINT_ANY, "era", "era %s", ri.era);
	if (ri.compatible)
		out_string(PRINT_ANY, "compatible", " (\"%s\")", ri.compatible);
	out_open_object("memory_map");
	if (ri.map_kind)
		out_string(PRINT_ANY, "kind", ", memory map: %s", ri.map_kind);
	if (ri.has_map)
		out_hex(PRINT_ANY, "phys", " at 0x%" PRIx64, ri.map);
	out_text("\n");
	deep_map(p, &ri, is);
	out_close_object();
	out_open_array("subnodes");
	for (size_t i = 0; i < ri.nr_subs; i++) {
		const struct kho_root_sub *s = &ri.subs[i];
		out_open_object(NULL);
		out_string(PRINT_ANY, "name", "  sub-blob %-16s", s->name);
		if (s->has_fdt || s->has_data)
			out_hex(PRINT_ANY, "phys", " at 0x%" PRIx64, s->phys);
		if (s->has_size)
			out_u64(PRINT_ANY, "size", ", %" PRIu64 " bytes", s->size);
		out_text("\n");
		out_close_object();
	}
	out_close_array();
	out_close_object();
	kho_root_info_free(&ri);
}

static void print_luo_fields(const struct kho_luo_info *li)
{
	const char *forms[] = { "fdt", "struct", "feature-header" };

	out_string(PRINT_JSON, "form", NULL, forms[li->form]);
	if (li->form != KHO_LUO_FEATURES)
		f_str("compatible", 2, li->compatible);
	else {
		f_hex("supp", 2, li->supp);
		f_hex("req", 2, li->req);
		f_hex("active", 2, li->active);
	}
	if (li->has_number)
		f_u64("liveupdate_number", 2, li->liveupdate_num);
	if (li->has_abi_header)
		f_hex("abi_header_pa", 2, li->abi_header_pa);
	if (li->session_compatible[0])
		f_str("session_compatible", 2, li->session_compatible);
	if (li->has_sessions)
		f_hex("sessions_pa", 2, li->sessions_pa);
	if (li->flb_compatible[0])
		f_str("flb_compatible", 2, li->flb_compatible);
	if (li->has_flb)
		f_hex("flbs_pa", 2, li->flbs_pa);
}

static void print_luo_fdt(struct printer *p, const struct kho_fdt *fdt,
			  struct kho_issues *is)
{
	struct kho_luo_info li;

	kho_luo_fdt_decode(fdt, &li, is);
	out_open_object("luo");
	print_luo_fields(&li);
	out_close_object();
	deep_luo(p, &li, is);
}

/* out/fdt shorter than its totalsize: the kernel's doing, said as such (§9). */
static void note_cut(const struct printer *p, const struct dump_blob *b,
		     const struct kho_fdt *fdt, struct kho_issues *is)
{
	uint32_t strings_have = fdt->avail > fdt->off_dt_strings
					? fdt->avail - fdt->off_dt_strings
					: 0;

	kho_issue_add(
		is, KHO_NOTE, fdt->avail,
		"%s is cut short by the kernel: it shows %u of the FDT's %u bytes. %s make this debugfs file early in KHO init and keep that size while LUO and others add sub-nodes (kexec_handover.c: kho_init; kexec_handover_debugfs.c); the hand-over itself is whole",
		b->label, fdt->avail, fdt->totalsize,
		p->kho_v4 ? "Linux 7.2 and 7.3" : "Kernels of this era");
	out_open_object("cut_by_kernel");
	out_u64(PRINT_JSON, "bytes_shown", NULL, fdt->avail);
	out_u64(PRINT_JSON, "totalsize", NULL, fdt->totalsize);
	out_u64(PRINT_JSON, "struct_cut_at", NULL, fdt->struct_cut_at);
	out_u64(PRINT_JSON, "names_inferred", NULL, fdt->names_inferred);
	out_u64(PRINT_JSON, "names_lost", NULL, fdt->names_lost);
	out_close_object();
	kho_issue_add(
		is, KHO_NOTE, fdt->avail,
		"cut by the kernel: %u of %u bytes of the strings block%s%s; %u property names inferred from KHO's string table (marked *), %u lost. Decoded from the bytes present",
		strings_have < fdt->size_dt_strings ? fdt->size_dt_strings - strings_have
						    : 0,
		fdt->size_dt_strings,
		fdt->struct_cut_at ? ", and the structure block from offset " : "",
		fdt->struct_cut_at ? "its cut point on (sub-nodes there are missing)" : "",
		fdt->names_inferred, fdt->names_lost);
}

static void print_fdt_blob(struct printer *p, const struct dump_blob *b,
			   struct kho_issues *is)
{
	struct kho_fdt fdt;
	struct kho_error err;
	enum kho_kind kind;

	if (dump_parse_fdt(p->in, b, &fdt, &err)) {
		out_string(PRINT_ANY, "kind", "%s\n", "fdt");
		print_error(p, &err, 2);
		return;
	}
	kind = kho_classify(b->name, b->data, b->len, &fdt);
	out_string(PRINT_ANY, "kind", "%s\n", kho_kind_name(kind));
	print_fdt_header(&fdt);
	if (fdt.cut)
		note_cut(p, b, &fdt, is);
	if (kind == KHO_KIND_ROOT)
		print_root(p, &fdt, is);
	else if (kind == KHO_KIND_LUO_FDT)
		print_luo_fdt(p, &fdt, is);
	else
		kho_fdt_blob_check(kind, &fdt, is);
	print_tree(p, kind, &fdt);
	kho_fdt_free(&fdt);
}

static void print_trailing(struct printer *p, const struct dump_blob *b, size_t used)
{
	if (used >= b->len)
		return;
	out_text("  %zu bytes after the record:\n", b->len - used);
	f_bytes(p, "trailing", 4, b->data + used, b->len - used);
}

#define LUO_FREED_WHY                                                                   \
	"Linux 7.2 and 7.3 free it at boot once read (luo_core.c: luo_early_startup -> kho_restore_free); debugfs still points at the page"

/* in/sub_fdts/LUO after a 7.2/7.3 KHO boot that no longer holds a LUO header. */
static void print_luo_freed(struct printer *p, const struct dump_blob *b,
			    struct kho_issues *is)
{
	kho_issue_add(
		is, KHO_NOTE, 0,
		"%s no longer holds the previous kernel's LUO header: " LUO_FREED_WHY
		", now reused. Nothing is lost: the sessions were restored from it (luoctl list, luoctl retrieve); --deep cannot follow its pointers any more",
		b->label);
	out_bool(PRINT_JSON, "freed_by_kernel", NULL, true);
	out_text("  freed by the kernel at boot; the page now holds:\n");
	f_bytes(p, "data", 4, b->data, b->len);
}

/* Before the kexec the outgoing struct names no session (luo_session.c). */
static void note_unserialized(const struct printer *p, const struct kho_luo_info *li,
			      struct kho_issues *is)
{
	if (p->in_side || li->sessions_pa || li->version < 3)
		return;
	kho_issue_add(
		is, KHO_NOTE, 0,
		"sessions_pa is 0: the outgoing sessions are written only during the kexec (reboot -> liveupdate_reboot -> luo_session_serialize, Linux 7.2 and 7.3), so before it this blob lists none even while sessions are held (luoctl list shows them); the FLB records are written then too");
}

static void print_luo_struct(struct printer *p, const struct dump_blob *b,
			     struct kho_issues *is)
{
	struct kho_luo_info li;
	struct kho_error err;

	if (kho_luo_struct_decode(b->data, b->len, &li, &err)) {
		if (p->luo_freed) {
			print_luo_freed(p, b, is);
			return;
		}
		print_error(p, &err, 2);
		out_text("  raw bytes:\n");
		f_bytes(p, "data", 4, b->data, b->len);
		return;
	}
	if (p->luo_freed)
		kho_issue_add(
			is, KHO_NOTE, 0,
			"%s: " LUO_FREED_WHY
			". Its bytes still read as a LUO header (the page is not reused yet), shown as found; what its pointers lead to may be reused too",
			b->label);
	out_open_object("luo");
	print_luo_fields(&li);
	out_close_object();
	note_unserialized(p, &li, is);
	print_trailing(p, b, li.struct_len);
	deep_luo(p, &li, is);
}

static void print_kexec_md(struct printer *p, const struct dump_blob *b)
{
	struct kho_kexec_md_info md;
	struct kho_error err;

	if (kho_kexec_metadata_decode(b->data, b->len, &md, &err)) {
		print_error(p, &err, 2);
		out_text("  raw bytes:\n");
		f_bytes(p, "data", 4, b->data, b->len);
		return;
	}
	out_open_object("kexec_metadata");
	f_u64("version", 2, md.version);
	f_str("previous_release", 2, md.release);
	f_u64("kexec_count", 2, md.kexec_count);
	out_close_object();
	print_trailing(p, b, sizeof(struct kho_kexec_metadata));
}

static void check_root_size(const struct dump_blob *b, struct kho_issues *is)
{
	if (b->from_root && b->root_size && b->root_size != b->len)
		kho_issue_add(
			is, KHO_PROBLEM, 0,
			"the file has %zu bytes, the root's blob-size says %" PRIu64,
			b->len, b->root_size);
}

static void print_blob(struct printer *p, const struct dump_blob *b)
{
	struct kho_issues is = { 0 };
	enum kho_kind kind;

	out_open_object(NULL);
	out_string(PRINT_ANY, "label", "%s: ", b->label);
	out_string(PRINT_JSON, "name", NULL, b->name);
	out_u64(PRINT_ANY, "size", "%" PRIu64 " bytes, ", b->len);
	check_root_size(b, &is);
	if (b->is_root || kho_fdt_has_magic(b->data, b->len)) {
		print_fdt_blob(p, b, &is);
	} else {
		kind = kho_classify(b->name, b->data, b->len, NULL);
		out_string(PRINT_ANY, "kind", "%s\n", kho_kind_name(kind));
		if (kind == KHO_KIND_LUO_STRUCT)
			print_luo_struct(p, b, &is);
		else if (p->luo_freed && !strcmp(b->name, KHO_NODE_LUO))
			print_luo_freed(p, b, &is);
		else if (kind == KHO_KIND_KEXEC_METADATA)
			print_kexec_md(p, b);
		else
			f_bytes(p, "data", 4, b->data, b->len);
	}
	print_issues(p, &is, 2);
	kho_issues_free(&is);
	out_close_object();
}

static void print_scratch(const struct dump_input *in)
{
	if (in->scratch_phys)
		out_string(PRINT_ANY, "scratch_phys", "scratch_phys: %s\n",
			   in->scratch_phys);
	if (in->scratch_len)
		out_string(PRINT_ANY, "scratch_len", "scratch_len: %s\n",
			   in->scratch_len);
	if (in->finalize)
		out_string(PRINT_ANY, "finalize", "finalize: %s\n", in->finalize);
}

/* The root's compatible, from the root blob (cut or not), to know the kernel. */
static bool root_is_kho_v4(const struct dump_input *in)
{
	struct kho_fdt fdt;
	bool v4 = false;

	for (size_t i = 0; i < in->nr_blobs && !v4; i++) {
		const struct dump_blob *b = &in->blobs[i];
		if (!b->is_root || dump_parse_fdt(in, b, &fdt, NULL))
			continue;
		const struct kho_fdt_prop *c =
			fdt.nr_nodes ? kho_fdt_prop(&fdt, 0, KHO_PROP_COMPATIBLE) : NULL;
		v4 = c && c->len >= 7 && !memcmp(c->val, "kho-v4", 6) &&
		     (c->val[6] == '\0' || c->val[6] == ';');
		kho_fdt_free(&fdt);
	}
	return v4;
}

static void print_side(const struct dump_input *in)
{
	if (!in->side)
		return;
	out_string(PRINT_JSON, "side", NULL, in->side);
	out_bool(PRINT_JSON, "side_by_default", NULL, in->side_by_default);
	if (!strcmp(in->side, "in"))
		out_text("incoming hand-over (%s): what the previous kernel handed to this one%s\n",
			 in->source,
			 in->side_by_default
				 ? "; this boot is a KHO boot, so it is shown by default (--out for the outgoing one)"
				 : "");
	else
		out_text("outgoing hand-over (%s): what a kexec now would hand to the next kernel\n",
			 in->source);
}

size_t dump_print(const struct dump_input *in, const struct dump_opts *o)
{
	struct printer p = { .o = o, .in = in };

	p.in_side = in->side && !strcmp(in->side, "in");
	p.kho_v4 = root_is_kho_v4(in);
	p.luo_freed = p.in_side && p.kho_v4;
	out_open_object(NULL);
	out_string(PRINT_JSON, "source", NULL, in->source);
	print_side(in);
	print_scratch(in);
	print_issues(&p, &in->notes, 0);
	out_open_array("blobs");
	for (size_t i = 0; i < in->nr_blobs; i++) {
		if (i)
			out_text("\n");
		print_blob(&p, &in->blobs[i]);
	}
	out_close_array();
	out_bool(PRINT_JSON, "valid", NULL, p.problems == 0);
	out_close_object();
	free(p.buf);
	return p.problems;
}

/* The reads --deep would make, without output: what --save --deep records. */
void dump_walk_memory(const struct dump_input *in, const struct kho_mem *mem)
{
	for (size_t i = 0; i < in->nr_blobs; i++) {
		const struct dump_blob *b = &in->blobs[i];
		struct kho_issues is = { 0 };
		struct kho_luo_info li;
		struct kho_fdt fdt;
		bool have_luo = false;

		if (b->is_root || kho_fdt_has_magic(b->data, b->len)) {
			if (dump_parse_fdt(in, b, &fdt, NULL))
				continue;
			struct kho_root_info ri;
			enum kho_kind kind = kho_classify(b->name, b->data, b->len, &fdt);
			if (kind == KHO_KIND_ROOT && !kho_root_decode(&fdt, &ri, &is)) {
				struct kho_deep_map map;
				if (ri.has_map && ri.map_kind) {
					kho_deep_map(mem, ri.map_kind, ri.map, &map,
						     NULL);
					kho_deep_map_free(&map);
				}
				kho_root_info_free(&ri);
			} else if (kind == KHO_KIND_LUO_FDT) {
				kho_luo_fdt_decode(&fdt, &li, &is);
				have_luo = true;
			}
			kho_fdt_free(&fdt);
		} else if (kho_classify(b->name, b->data, b->len, NULL) ==
				   KHO_KIND_LUO_STRUCT &&
			   !kho_luo_struct_decode(b->data, b->len, &li, NULL)) {
			have_luo = true;
		}
		if (have_luo) {
			struct kho_deep d;
			kho_deep_luo(mem, &li, &d, NULL);
			kho_deep_free(&d);
		}
		kho_issues_free(&is);
	}
}
