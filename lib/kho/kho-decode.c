// SPDX-License-Identifier: LGPL-2.1-or-later
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kho-abi.h"
#include "kho-decode.h"

static const char *const kind_names[] = {
	[KHO_KIND_ROOT] = "kho-root",
	[KHO_KIND_LUO_FDT] = "luo-fdt",
	[KHO_KIND_MEMBLOCK] = "memblock",
	[KHO_KIND_KHO_TEST] = "kho-test",
	[KHO_KIND_FDT] = "fdt",
	[KHO_KIND_LUO_STRUCT] = "luo-struct",
	[KHO_KIND_KEXEC_METADATA] = "kexec-metadata",
	[KHO_KIND_RAW] = "raw",
};

const char *kho_kind_name(enum kho_kind kind)
{
	return kind_names[kind];
}

bool kho_kind_is_fdt(enum kho_kind kind)
{
	return kind <= KHO_KIND_FDT;
}

static const char *const vtype_names[] = {
	[KHO_V_EMPTY] = "empty", [KHO_V_STRING] = "string",
	[KHO_V_U32] = "u32",	 [KHO_V_HEX32] = "hex32",
	[KHO_V_U64] = "u64",	 [KHO_V_PHYS] = "phys",
	[KHO_V_SIZE] = "size",	 [KHO_V_VMALLOC] = "kho_vmalloc",
	[KHO_V_RAW] = "bytes",
};

const char *kho_vtype_name(enum kho_vtype t)
{
	return vtype_names[t];
}

/* Values are CPU-native; a dump from a machine of the other byte order swaps them. */
static bool swap_values;

void kho_set_value_byte_order(bool big_endian)
{
	swap_values = big_endian != (__BYTE_ORDER == __BIG_ENDIAN);
}

bool kho_value_byte_order_is_native(void)
{
	return !swap_values;
}

uint64_t kho_load_u64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return swap_values ? __builtin_bswap64(v) : v;
}

uint32_t kho_load_u32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swap_values ? __builtin_bswap32(v) : v;
}

uint16_t kho_load_u16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return swap_values ? __builtin_bswap16(v) : v;
}

void kho_issue_add(struct kho_issues *is, enum kho_severity sev, uint64_t offset,
		   const char *fmt, ...)
{
	va_list ap;

	if (sev == KHO_PROBLEM)
		is->problems++;
	if (is->n == is->cap) {
		size_t ncap = is->cap ? is->cap * 2 : 8;
		struct kho_issue *n = realloc(is->v, ncap * sizeof(*n));
		if (!n)
			return; /* the count above still fails validation */
		is->v = n;
		is->cap = ncap;
	}
	struct kho_issue *i = &is->v[is->n++];
	i->severity = sev;
	i->offset = offset;
	va_start(ap, fmt);
	vsnprintf(i->msg, sizeof(i->msg), fmt, ap);
	va_end(ap);
}

void kho_issues_free(struct kho_issues *is)
{
	free(is->v);
	memset(is, 0, sizeof(*is));
}

/* ---- property types ---- */

struct prop_rule {
	enum kho_kind kind;
	int depth; /* -1: any */
	const char *name;
	enum kho_vtype type;
};

static const struct prop_rule rules[] = {
	{ KHO_KIND_ROOT, 0, KHO_PROP_COMPATIBLE, KHO_V_STRING },
	{ KHO_KIND_ROOT, 0, KHO_PROP_MEM_MAP, KHO_V_PHYS },
	{ KHO_KIND_ROOT, 0, "preserved-page-radix-tree", KHO_V_PHYS },
	{ KHO_KIND_ROOT, 1, KHO_PROP_SUB_FDT, KHO_V_PHYS },
	{ KHO_KIND_ROOT, 1, KHO_PROP_PRESERVED_DATA, KHO_V_PHYS },
	{ KHO_KIND_ROOT, 1, KHO_PROP_BLOB_SIZE, KHO_V_SIZE },
	{ KHO_KIND_LUO_FDT, -1, KHO_PROP_COMPATIBLE, KHO_V_STRING },
	{ KHO_KIND_LUO_FDT, 0, LUO_PROP_NUMBER, KHO_V_U64 },
	{ KHO_KIND_LUO_FDT, 0, LUO_PROP_ABI_HEADER, KHO_V_PHYS },
	{ KHO_KIND_LUO_FDT, 1, LUO_PROP_SESSION_HEADER, KHO_V_PHYS },
	{ KHO_KIND_LUO_FDT, 1, LUO_PROP_FLB_HEADER, KHO_V_PHYS },
	{ KHO_KIND_LUO_FDT, 1, "luo-flb-head", KHO_V_PHYS },
	{ KHO_KIND_MEMBLOCK, -1, KHO_PROP_COMPATIBLE, KHO_V_STRING },
	{ KHO_KIND_MEMBLOCK, 1, "start", KHO_V_PHYS },
	{ KHO_KIND_MEMBLOCK, 1, "size", KHO_V_SIZE },
	{ KHO_KIND_KHO_TEST, 0, KHO_PROP_COMPATIBLE, KHO_V_STRING },
	{ KHO_KIND_KHO_TEST, 0, "magic", KHO_V_HEX32 },
	{ KHO_KIND_KHO_TEST, 1, "nr_folios", KHO_V_U32 },
	{ KHO_KIND_KHO_TEST, 1, "folios_info", KHO_V_VMALLOC },
	{ KHO_KIND_KHO_TEST, 1, "csum", KHO_V_HEX32 },
};

static const struct prop_rule *find_rule(enum kho_kind kind, uint32_t depth,
					 const char *name)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct prop_rule *r = &rules[i];
		if (r->kind == kind && (r->depth < 0 || (uint32_t)r->depth == depth) &&
		    !strcmp(r->name, name))
			return r;
	}
	return NULL;
}

/* Printable NUL-terminated strings, none empty: what a string list looks like. */
static bool looks_like_strings(const uint8_t *v, uint32_t len)
{
	if (!len || v[len - 1] || !v[0])
		return false;
	for (uint32_t i = 0; i < len; i++) {
		if (v[i] == '\0') {
			if (i + 1 < len && v[i + 1] == '\0')
				return false;
		} else if (v[i] < 0x20 || v[i] >= 0x7f) {
			return false;
		}
	}
	return true;
}

static bool type_fits(enum kho_vtype t, const struct kho_fdt_prop *p)
{
	switch (t) {
	case KHO_V_STRING:
		return p->len && memchr(p->val, '\0', p->len) && !p->val[p->len - 1];
	case KHO_V_U32:
	case KHO_V_HEX32: return p->len == 4;
	case KHO_V_U64:
	case KHO_V_PHYS:
	case KHO_V_SIZE: return p->len == 8;
	case KHO_V_VMALLOC: return p->len == sizeof(struct kho_vmalloc);
	default: return true;
	}
}

static size_t type_len(enum kho_vtype t)
{
	switch (t) {
	case KHO_V_U32:
	case KHO_V_HEX32: return 4;
	case KHO_V_VMALLOC: return sizeof(struct kho_vmalloc);
	default: return 8;
	}
}

enum kho_vtype kho_prop_type(enum kho_kind kind, const struct kho_fdt *fdt, size_t node,
			     const struct kho_fdt_prop *p)
{
	const struct prop_rule *r = find_rule(kind, fdt->nodes[node].depth, p->name);

	if (r && type_fits(r->type, p))
		return r->type;
	if (!p->len)
		return KHO_V_EMPTY;
	return looks_like_strings(p->val, p->len) ? KHO_V_STRING : KHO_V_RAW;
}

/* Every known property with a wrong length is a problem, wherever it is. */
static void check_known_lengths(enum kho_kind kind, const struct kho_fdt *fdt,
				struct kho_issues *is)
{
	for (size_t n = 0; n < fdt->nr_nodes; n++) {
		const struct kho_fdt_node *node = &fdt->nodes[n];
		for (uint32_t i = 0; i < node->nr_props; i++) {
			const struct kho_fdt_prop *p = &fdt->props[node->first_prop + i];
			const struct prop_rule *r = find_rule(kind, node->depth, p->name);
			if (!r || type_fits(r->type, p))
				continue;
			if (r->type == KHO_V_STRING)
				kho_issue_add(
					is, KHO_PROBLEM, p->offset,
					"property \"%s\" is not a NUL-terminated string",
					p->name);
			else
				kho_issue_add(is, KHO_PROBLEM, p->offset,
					      "property \"%s\" is %u bytes, expected %zu",
					      p->name, p->len, type_len(r->type));
		}
	}
}

/* ---- classification ---- */

static const char *root_string(const struct kho_fdt *fdt, const char *name)
{
	const struct kho_fdt_prop *p = fdt->nr_nodes ? kho_fdt_prop(fdt, 0, name) : NULL;

	if (!p || !p->len || p->val[p->len - 1])
		return NULL;
	return (const char *)p->val;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return s && !strncmp(s, prefix, strlen(prefix));
}

enum kho_kind kho_classify(const char *name, const void *buf, size_t len,
			   const struct kho_fdt *fdt)
{
	if (fdt) {
		const char *compat = root_string(fdt, KHO_PROP_COMPATIBLE);
		if (has_prefix(compat, "kho-v"))
			return KHO_KIND_ROOT;
		if (has_prefix(compat, "luo-v"))
			return KHO_KIND_LUO_FDT;
		if (has_prefix(compat, "memblock-v"))
			return KHO_KIND_MEMBLOCK;
		if (has_prefix(compat, "kho-test-v"))
			return KHO_KIND_KHO_TEST;
		return KHO_KIND_FDT;
	}
	if (name && !strcmp(name, KHO_NODE_KEXEC_METADATA))
		return KHO_KIND_KEXEC_METADATA;
	/* Unnamed (stdin, renamed file): the exact size and version tell enough. */
	if ((!name || !*name) && len == sizeof(struct kho_kexec_metadata) &&
	    kho_load_u32(buf) == KHO_KEXEC_METADATA_VERSION)
		return KHO_KIND_KEXEC_METADATA;
	if ((name && !strcmp(name, KHO_NODE_LUO)) ||
	    (len >= 5 && !memcmp(buf, "luo-v", 5)))
		return KHO_KIND_LUO_STRUCT;
	return KHO_KIND_RAW;
}

/* ---- root ---- */

static void root_sub(const struct kho_fdt *fdt, size_t n, struct kho_root_sub *s,
		     struct kho_issues *is)
{
	const struct kho_fdt_prop *fdtp = kho_fdt_prop(fdt, n, KHO_PROP_SUB_FDT);
	const struct kho_fdt_prop *data = kho_fdt_prop(fdt, n, KHO_PROP_PRESERVED_DATA);
	const struct kho_fdt_prop *size = kho_fdt_prop(fdt, n, KHO_PROP_BLOB_SIZE);

	memset(s, 0, sizeof(*s));
	s->name = fdt->nodes[n].name;
	s->node = n;
	s->has_fdt = fdtp && fdtp->len == 8;
	s->has_data = data && data->len == 8;
	s->has_size = size && size->len == 8;
	if (s->has_fdt)
		s->phys = kho_load_u64(fdtp->val);
	if (s->has_data)
		s->phys = kho_load_u64(data->val);
	if (s->has_size)
		s->size = kho_load_u64(size->val);
	if (!fdt->nodes[n].nr_props)
		kho_issue_add(
			is, KHO_NOTE, fdt->nodes[n].offset,
			"sub-node \"%s\" has no properties (an add that ran out of room)",
			s->name);
	else if (!fdtp && !data)
		kho_issue_add(
			is, KHO_PROBLEM, fdt->nodes[n].offset,
			"sub-node \"%s\" has neither \"fdt\" nor \"preserved-data\"",
			s->name);
}

static int cmp_sub_names(const void *a, const void *b)
{
	const struct kho_root_sub *x = *(const struct kho_root_sub *const *)a;
	const struct kho_root_sub *y = *(const struct kho_root_sub *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->node > y->node) - (x->node < y->node);
}

/* Sorted, so that thousands of sub-nodes cost n log n, not n squared. */
static void check_duplicates(const struct kho_root_info *ri, const struct kho_fdt *fdt,
			     struct kho_issues *is)
{
	const struct kho_root_sub **v = malloc(ri->nr_subs * sizeof(*v) + 1);

	if (!v)
		return;
	for (size_t i = 0; i < ri->nr_subs; i++)
		v[i] = &ri->subs[i];
	qsort(v, ri->nr_subs, sizeof(*v), cmp_sub_names);
	for (size_t i = 1; i < ri->nr_subs; i++)
		if (!strcmp(v[i]->name, v[i - 1]->name))
			kho_issue_add(is, KHO_PROBLEM, fdt->nodes[v[i]->node].offset,
				      "duplicate sub-node \"%s\"", v[i]->name);
	free(v);
}

/* Era by structure first (§1 decoder rules), the compatible only to refine. */
static const char *root_era(const struct kho_root_info *ri, const struct kho_fdt *fdt)
{
	bool any_fdt = false, any_data = false, all_size = true;
	const char *c = ri->compatible ? ri->compatible : "";

	for (size_t i = 0; i < ri->nr_subs; i++) {
		any_fdt |= ri->subs[i].has_fdt;
		any_data |= ri->subs[i].has_data;
		if (ri->subs[i].has_data && !ri->subs[i].has_size)
			all_size = false;
	}
	if (strchr(c, ';'))
		return "E7";
	if (any_fdt) {
		/* E1 wrote the root sequentially; E2 reopens and packs it. */
		if (fdt->off_mem_rsvmap == 0x30)
			return "E1";
		return fdt->off_mem_rsvmap == 0x28 ? "E2" : "E1/E2";
	}
	if (any_data)
		return !all_size ? "E4" : !strcmp(c, "kho-v4") ? "E6" : "E5";
	if (!strcmp(c, "kho-v1"))
		return "E1/E2";
	if (!strcmp(c, "kho-v2"))
		return "E4";
	if (!strcmp(c, "kho-v3"))
		return "E5";
	return !strcmp(c, "kho-v4") ? "E6" : "unknown";
}

static void root_map(struct kho_root_info *ri, const struct kho_fdt *fdt,
		     struct kho_issues *is)
{
	const struct kho_fdt_prop *map = kho_fdt_prop(fdt, 0, KHO_PROP_MEM_MAP);
	bool chunks = ri->era[0] == 'E' && ri->era[1] <= '2';

	if (!map)
		map = kho_fdt_prop(fdt, 0, "preserved-page-radix-tree");
	ri->map_kind = strcmp(ri->era, "unknown") ? (chunks ? "chunk-list" : "radix-tree")
						  : NULL;
	if (!map) {
		kho_issue_add(
			is, KHO_PROBLEM, fdt->nodes[0].offset,
			"root has no \"preserved-memory-map\" (the next kernel refuses KHO)");
		return;
	}
	if (map->len != 8)
		return; /* reported by check_known_lengths */
	ri->has_map = true;
	ri->map = kho_load_u64(map->val);
	if (!ri->map && chunks)
		kho_issue_add(
			is, KHO_NOTE, map->offset,
			"preserved-memory-map is 0: not finalized yet (written at finalize or reboot)");
	else if (!ri->map)
		kho_issue_add(is, KHO_PROBLEM, map->offset,
			      "preserved-memory-map is 0 (the next kernel refuses KHO)");
}

static void root_blob_sizes(const struct kho_root_info *ri, const struct kho_fdt *fdt,
			    struct kho_issues *is)
{
	bool needs_size = ri->compatible && (has_prefix(ri->compatible, "kho-v3") ||
					     has_prefix(ri->compatible, "kho-v4"));

	for (size_t i = 0; needs_size && i < ri->nr_subs; i++)
		if (ri->subs[i].has_data && !ri->subs[i].has_size)
			kho_issue_add(
				is, KHO_PROBLEM, fdt->nodes[ri->subs[i].node].offset,
				"sub-node \"%s\" has no \"blob-size\" (a %s kernel rejects it)",
				ri->subs[i].name, ri->compatible);
}

int kho_root_decode(const struct kho_fdt *fdt, struct kho_root_info *ri,
		    struct kho_issues *is)
{
	memset(ri, 0, sizeof(*ri));
	ri->compatible = root_string(fdt, KHO_PROP_COMPATIBLE);
	if (!has_prefix(ri->compatible, "kho-v"))
		kho_issue_add(is, KHO_PROBLEM, fdt->nodes[0].offset,
			      "root compatible is not \"kho-v*\"");
	ri->subs = calloc(fdt->nr_nodes ? fdt->nr_nodes : 1, sizeof(*ri->subs));
	if (!ri->subs)
		return -ENOMEM;
	for (size_t n = 1; n < fdt->nr_nodes; n++) {
		if (fdt->nodes[n].depth == 1)
			root_sub(fdt, n, &ri->subs[ri->nr_subs++], is);
		else if (fdt->nodes[n].depth == 2)
			kho_issue_add(is, KHO_NOTE, fdt->nodes[n].offset,
				      "unexpected node below a sub-node: \"%s\"",
				      fdt->nodes[n].name);
	}
	check_known_lengths(KHO_KIND_ROOT, fdt, is);
	check_duplicates(ri, fdt, is);
	ri->era = root_era(ri, fdt);
	root_map(ri, fdt, is);
	root_blob_sizes(ri, fdt, is);
	return 0;
}

void kho_root_info_free(struct kho_root_info *ri)
{
	free(ri->subs);
	memset(ri, 0, sizeof(*ri));
}

/* ---- LUO ---- */

static unsigned int luo_version(const char *compat)
{
	unsigned int v = 0;

	if (!has_prefix(compat, "luo-v"))
		return 0;
	for (const char *p = compat + 5; *p >= '0' && *p <= '9' && v < 1000; p++)
		v = v * 10 + (unsigned int)(*p - '0');
	return v;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static bool get_u64(const struct kho_fdt *fdt, size_t node, const char *name, uint64_t *v)
{
	const struct kho_fdt_prop *p = kho_fdt_prop(fdt, node, name);

	if (!p || p->len != 8)
		return false;
	*v = kho_load_u64(p->val);
	return true;
}

static const char *node_string(const struct kho_fdt *fdt, size_t node, const char *name)
{
	const struct kho_fdt_prop *p = kho_fdt_prop(fdt, node, name);

	return p && p->len && !p->val[p->len - 1] ? (const char *)p->val : NULL;
}

static void luo_fdt_v1(const struct kho_fdt *fdt, struct kho_luo_info *li,
		       struct kho_issues *is)
{
	long s = kho_fdt_child(fdt, 0, LUO_NODE_SESSION);
	long f = kho_fdt_child(fdt, 0, LUO_NODE_FLB);

	li->has_number = get_u64(fdt, 0, LUO_PROP_NUMBER, &li->liveupdate_num);
	if (!li->has_number && !kho_fdt_prop(fdt, 0, LUO_PROP_NUMBER))
		kho_issue_add(is, KHO_PROBLEM, fdt->nodes[0].offset,
			      "no \"liveupdate-number\" (the next kernel panics)");
	if (s < 0) {
		kho_issue_add(is, KHO_PROBLEM, fdt->nodes[0].offset,
			      "no \"luo-session\" node (the next kernel panics)");
	} else {
		copy_str(li->session_compatible, sizeof(li->session_compatible),
			 node_string(fdt, (size_t)s, KHO_PROP_COMPATIBLE));
		li->has_sessions = get_u64(fdt, (size_t)s, LUO_PROP_SESSION_HEADER,
					   &li->sessions_pa);
	}
	if (f >= 0) {
		copy_str(li->flb_compatible, sizeof(li->flb_compatible),
			 node_string(fdt, (size_t)f, KHO_PROP_COMPATIBLE));
		li->has_flb =
			get_u64(fdt, (size_t)f, LUO_PROP_FLB_HEADER, &li->flbs_pa) ||
			get_u64(fdt, (size_t)f, "luo-flb-head", &li->flbs_pa);
	}
}

int kho_luo_fdt_decode(const struct kho_fdt *fdt, struct kho_luo_info *li,
		       struct kho_issues *is)
{
	memset(li, 0, sizeof(*li));
	li->form = KHO_LUO_FDT;
	copy_str(li->compatible, sizeof(li->compatible),
		 root_string(fdt, KHO_PROP_COMPATIBLE));
	li->version = luo_version(li->compatible);
	check_known_lengths(KHO_KIND_LUO_FDT, fdt, is);
	if (li->version == 2) {
		li->has_abi_header =
			get_u64(fdt, 0, LUO_PROP_ABI_HEADER, &li->abi_header_pa);
		if (!kho_fdt_prop(fdt, 0, LUO_PROP_ABI_HEADER))
			kho_issue_add(is, KHO_PROBLEM, fdt->nodes[0].offset,
				      "luo-v2 without \"luo-abi-header\"");
	} else {
		if (li->version != 1)
			kho_issue_add(
				is, KHO_NOTE, fdt->nodes[0].offset,
				"unknown LUO FDT compatible \"%s\", decoded as luo-v1",
				li->compatible);
		luo_fdt_v1(fdt, li, is);
	}
	return 0;
}

static int luo_tail(const uint8_t *b, size_t len, size_t at, struct kho_luo_info *li,
		    struct kho_error *err)
{
	if (len < at || len - at < sizeof(struct luo_ser_tail))
		return kho_fail(
			err, len, true,
			"luo_ser needs %zu bytes after its %zu-byte header, the blob has %zu",
			sizeof(struct luo_ser_tail), at, len);
	li->liveupdate_num = kho_load_u64(b + at);
	li->sessions_pa = kho_load_u64(b + at + 8);
	li->flbs_pa = kho_load_u64(b + at + 16);
	li->has_number = li->has_sessions = li->has_flb = true;
	li->struct_len = at + sizeof(struct luo_ser_tail);
	return 0;
}

int kho_luo_struct_decode(const void *buf, size_t len, struct kho_luo_info *li,
			  struct kho_error *err)
{
	const uint8_t *b = buf;

	memset(li, 0, sizeof(*li));
	if (len >= 4 && !memcmp(b, "luo-", 4)) {
		size_t max = len < sizeof(li->compatible) ? len : sizeof(li->compatible);
		const uint8_t *nul = memchr(b, '\0', max);
		if (!nul)
			return kho_fail(
				err, 0, len < sizeof(li->compatible),
				"LUO compatible string is not NUL-terminated within %zu bytes",
				max);
		li->form = KHO_LUO_STRUCT;
		memcpy(li->compatible, b, (size_t)(nul - b) + 1);
		li->version = luo_version(li->compatible);
		/* The field is the string with its NUL, padded to 8 bytes (§5). */
		return luo_tail(b, len, ((size_t)(nul - b) + 1 + 7) & ~(size_t)7, li,
				err);
	}
	if (len < LUO_FEATURE_HEADER_SIZE)
		return kho_fail(
			err, 0,
			len < LUO_FEATURE_HEADER_SIZE + sizeof(struct luo_ser_tail),
			"neither a \"luo-\" string nor a %d-byte feature header (%zu bytes)",
			LUO_FEATURE_HEADER_SIZE, len);
	li->form = KHO_LUO_FEATURES;
	li->supp = kho_load_u64(b);
	li->req = kho_load_u64(b + 8);
	li->active = kho_load_u64(b + 16);
	li->version = 5; /* the proposal sits on luo-v5's block chains */
	return luo_tail(b, len, LUO_FEATURE_HEADER_SIZE, li, err);
}

/* ---- kexec-metadata ---- */

int kho_kexec_metadata_decode(const void *buf, size_t len, struct kho_kexec_md_info *out,
			      struct kho_error *err)
{
	struct kho_kexec_metadata md;

	memset(out, 0, sizeof(*out));
	if (len < 4)
		return kho_fail(err, len, true,
				"kexec-metadata has %zu bytes, less than its version",
				len);
	out->version = kho_load_u32(buf);
	if (out->version != KHO_KEXEC_METADATA_VERSION)
		return kho_fail(err, 0, false, "kexec-metadata version %u (expected %d)",
				out->version, KHO_KEXEC_METADATA_VERSION);
	if (len < sizeof(md))
		return kho_fail(err, len, true,
				"kexec-metadata has %zu bytes, expected %zu", len,
				sizeof(md));
	memcpy(&md, buf, sizeof(md));
	memcpy(out->release, md.previous_release, sizeof(md.previous_release));
	out->release[sizeof(md.previous_release)] = '\0';
	out->kexec_count = kho_load_u32((const uint8_t *)buf +
					offsetof(struct kho_kexec_metadata, kexec_count));
	return 0;
}

/* ---- other FDT blobs ---- */

static void check_memblock(const struct kho_fdt *fdt, struct kho_issues *is)
{
	for (size_t n = 1; n < fdt->nr_nodes; n++) {
		if (fdt->nodes[n].depth != 1)
			continue;
		if (!kho_fdt_prop(fdt, n, "start") || !kho_fdt_prop(fdt, n, "size"))
			kho_issue_add(
				is, KHO_PROBLEM, fdt->nodes[n].offset,
				"reserve-mem region \"%s\" lacks \"start\" or \"size\"",
				fdt->nodes[n].name);
	}
}

void kho_fdt_blob_check(enum kho_kind kind, const struct kho_fdt *fdt,
			struct kho_issues *is)
{
	const struct kho_fdt_prop *magic;

	check_known_lengths(kind, fdt, is);
	if (kind == KHO_KIND_MEMBLOCK)
		check_memblock(fdt, is);
	if (kind == KHO_KIND_KHO_TEST) {
		magic = kho_fdt_prop(fdt, 0, "magic");
		if (magic && magic->len == 4 && kho_load_u32(magic->val) != 0x4b484f21)
			kho_issue_add(is, KHO_PROBLEM, magic->offset,
				      "kho_test magic 0x%08x (expected 0x4b484f21)",
				      kho_load_u32(magic->val));
	}
}
