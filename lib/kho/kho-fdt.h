// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A bounds-checked flattened-device-tree reader. It checks every header field,
 * token, name and length itself, so that an error can name the byte offset and
 * the problem, then runs libfdt's own full check on top. The result indexes the
 * caller's buffer (which must outlive it): nodes in tree order, each with its
 * properties.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KHO_FDT_HEADER_SIZE 40
#define KHO_FDT_MAX_DEPTH 64

/* Where and what: offset into the blob (or a physical address for memory). */
struct kho_error {
	uint64_t offset;
	bool truncated; /* the input ends before the data it declares */
	char msg[192];
};

/* Fills *err and returns -EINVAL (corrupt) or -ENODATA (truncated). */
__attribute__((format(printf, 4, 5))) int kho_fail(struct kho_error *err, uint64_t offset,
						   bool truncated, const char *fmt, ...);

enum kho_name_state {
	KHO_NAME_READ,	   /* read from the strings block */
	KHO_NAME_INFERRED, /* strings block cut: taken from KHO's known string table */
	KHO_NAME_LOST	   /* cut, and no known table matches: a placeholder */
};

struct kho_fdt_prop {
	const char *name;
	const uint8_t *val;
	uint32_t len;
	uint32_t offset; /* of the property's FDT_PROP token */
	enum kho_name_state name_state;
};

struct kho_fdt_node {
	const char *name; /* "" for the root */
	uint32_t offset;  /* of the FDT_BEGIN_NODE token */
	uint32_t depth;	  /* root = 0 */
	uint32_t parent;  /* index; the root is its own parent */
	uint32_t first_prop, nr_props;
};

struct kho_fdt_rsv {
	uint64_t address, size;
};

struct kho_fdt {
	const uint8_t *buf;
	uint32_t totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap;
	uint32_t version, last_comp_version, boot_cpuid_phys;
	uint32_t size_dt_strings, size_dt_struct;
	struct kho_fdt_rsv *rsv;
	size_t nr_rsv;
	struct kho_fdt_node *nodes;
	size_t nr_nodes;
	struct kho_fdt_prop *props;
	size_t nr_props;
	/* Set by kho_fdt_parse_cut() only: the input ends before totalsize. */
	bool cut;
	uint32_t avail;	       /* bytes present */
	uint32_t struct_cut_at; /* offset where the structure block stops, 0: whole */
	uint32_t names_inferred, names_lost;
};

/* Starts with the FDT magic. */
bool kho_fdt_has_magic(const void *buf, size_t len);

/* 0, or -EINVAL/-ENODATA with *err set, or -ENOMEM. *out is empty on error. */
int kho_fdt_parse(const void *buf, size_t len, struct kho_fdt *out,
		  struct kho_error *err);
/*
 * As kho_fdt_parse(), but an input shorter than its header's totalsize is
 * decoded as far as its bytes go (debugfs shows the kernel's out/fdt cut to
 * the size it had when the file was made): whole nodes and properties up to
 * the cut, names past the cut taken from KHO's known string tables when the
 * bytes present match one. Sets fdt->cut; a complete input parses as with
 * kho_fdt_parse(). libfdt's full check is skipped for a cut input.
 */
int kho_fdt_parse_cut(const void *buf, size_t len, struct kho_fdt *out,
		      struct kho_error *err);
void kho_fdt_free(struct kho_fdt *fdt);

const struct kho_fdt_prop *kho_fdt_prop(const struct kho_fdt *fdt, size_t node,
					const char *name);
/* Index of the direct child `name` of `node`, or -1. */
long kho_fdt_child(const struct kho_fdt *fdt, size_t node, const char *name);
/* Writes "/a/b" into buf (truncated to size); returns buf. */
char *kho_fdt_path(const struct kho_fdt *fdt, size_t node, char *buf, size_t size);
