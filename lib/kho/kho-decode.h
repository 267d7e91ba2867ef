// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the KHO blobs mean. Pure functions over a buffer: classify a blob by its
 * structure (kho-format.md §1, §12), say how to show each FDT property, and
 * summarise the root, the LUO blob (FDT or packed struct) and kexec-metadata.
 * Problems that make a blob unacceptable to a kernel are collected as issues
 * with the offset they concern; notes are informational.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kho-fdt.h"

enum kho_kind {
	KHO_KIND_ROOT,	     /* root KHO FDT, "kho-v*" */
	KHO_KIND_LUO_FDT,    /* "luo-v1" / "luo-v2" FDT */
	KHO_KIND_MEMBLOCK,   /* "memblock-v*" FDT */
	KHO_KIND_KHO_TEST,   /* "kho-test-v*" FDT */
	KHO_KIND_FDT,	     /* any other FDT */
	KHO_KIND_LUO_STRUCT, /* packed luo_ser (luo-v3+ or feature header) */
	KHO_KIND_KEXEC_METADATA,
	KHO_KIND_RAW, /* unknown bytes */
};

const char *kho_kind_name(enum kho_kind kind);
bool kho_kind_is_fdt(enum kho_kind kind);

/* Which decoder a blob needs: FDTs by their root compatible, others by name/content. */
enum kho_kind kho_classify(const char *name, const void *buf, size_t len,
			   const struct kho_fdt *fdt_or_null);

enum kho_severity {
	KHO_NOTE,
	KHO_PROBLEM
};

struct kho_issue {
	enum kho_severity severity;
	uint64_t offset;
	char msg[480];
};

struct kho_issues {
	struct kho_issue *v;
	size_t n, cap;
	size_t problems;
};

__attribute__((format(printf, 4, 5))) void kho_issue_add(struct kho_issues *is,
							 enum kho_severity sev,
							 uint64_t offset, const char *fmt,
							 ...);
void kho_issues_free(struct kho_issues *is);

/* How one property is shown. */
enum kho_vtype {
	KHO_V_EMPTY,
	KHO_V_STRING, /* one or more NUL-terminated strings */
	KHO_V_U32,
	KHO_V_HEX32,
	KHO_V_U64,
	KHO_V_PHYS,    /* u64 physical address */
	KHO_V_SIZE,    /* u64 byte count */
	KHO_V_VMALLOC, /* struct kho_vmalloc */
	KHO_V_RAW,     /* bytes */
};

const char *kho_vtype_name(enum kho_vtype t);

/*
 * The type of a property: known ones by blob kind, node and name (a known
 * property with an unexpected length is shown raw and reported as an issue by
 * the summaries), unknown ones by content: a printable string or raw bytes.
 */
enum kho_vtype kho_prop_type(enum kho_kind kind, const struct kho_fdt *fdt, size_t node,
			     const struct kho_fdt_prop *p);

/*
 * Loads of property and record values from unaligned bytes. The kernel writes
 * them CPU-native; for a dump taken on a machine of the other byte order, say
 * which order the values are in (process-wide; the default is this machine's).
 */
uint64_t kho_load_u64(const void *p);
uint32_t kho_load_u32(const void *p);
uint16_t kho_load_u16(const void *p);
void kho_set_value_byte_order(bool big_endian);
bool kho_value_byte_order_is_native(void);

/* ---- root ---- */

struct kho_root_sub {
	const char *name;
	size_t node;
	bool has_fdt, has_data, has_size;
	uint64_t phys, size;
};

struct kho_root_info {
	const char *compatible; /* NULL if missing */
	const char *era;      /* "E1", "E2", "E1/E2", "E4", "E5", "E6", "E7", "unknown" */
	const char *map_kind; /* "chunk-list", "radix-tree" or NULL */
	bool has_map;
	uint64_t map;
	struct kho_root_sub *subs;
	size_t nr_subs;
};

int kho_root_decode(const struct kho_fdt *fdt, struct kho_root_info *out,
		    struct kho_issues *is);
void kho_root_info_free(struct kho_root_info *ri);

/* ---- LUO ---- */

enum kho_luo_form {
	KHO_LUO_FDT,
	KHO_LUO_STRUCT,
	KHO_LUO_FEATURES
};

struct kho_luo_info {
	enum kho_luo_form form;
	char compatible[64];  /* "" for the feature-header form */
	unsigned int version; /* N of "luo-vN"; 0 unknown */
	bool has_number, has_sessions, has_flb, has_abi_header;
	uint64_t liveupdate_num;
	uint64_t sessions_pa;
	uint64_t flbs_pa;
	uint64_t abi_header_pa;	     /* luo-v2 FDT */
	char session_compatible[64]; /* FDT forms */
	char flb_compatible[64];
	uint64_t supp, req, active; /* feature-header form */
	size_t struct_len;	    /* bytes the struct uses */
};

int kho_luo_fdt_decode(const struct kho_fdt *fdt, struct kho_luo_info *out,
		       struct kho_issues *is);
/* 0, or -EINVAL/-ENODATA with *err naming the offset. */
int kho_luo_struct_decode(const void *buf, size_t len, struct kho_luo_info *out,
			  struct kho_error *err);

/* ---- kexec-metadata ---- */

struct kho_kexec_md_info {
	uint32_t version;
	char release[66];
	uint32_t kexec_count;
};

int kho_kexec_metadata_decode(const void *buf, size_t len, struct kho_kexec_md_info *out,
			      struct kho_error *err);

/* ---- the other FDT blobs: issues only (their fields are shown per property) ---- */
void kho_fdt_blob_check(enum kho_kind kind, const struct kho_fdt *fdt,
			struct kho_issues *is);
