// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Deep decode: follow the physical addresses a hand-over holds (session
 * blocks or chains, file records, memfd records and their folio lists, the FLB
 * page, the preserved-memory map) through a kho_mem. Every count and pointer is
 * checked against the kernel's own limits before use, and the whole walk has a
 * work budget, so hostile input ends in an error naming the physical address.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kho-abi.h"
#include "kho-decode.h"
#include "kho-mem.h"

struct kho_deep_memfd {
	uint64_t pos, size, nr_folios;
	uint32_t seals;
	bool has_seals; /* memfd-v2 */
	struct kho_vmalloc folios;
	uint64_t folios_seen; /* entries walked in the folio array */
	uint64_t array_pages; /* pages of the folio array walked */
	uint64_t min_pfn, max_pfn;
};

struct kho_deep_file {
	char compatible[LUO_FILE_COMPATIBLE_LEN + 1];
	uint64_t token, data;
	bool is_memfd;
	struct kho_deep_memfd memfd;
};

struct kho_deep_session {
	char name[LUO_SESSION_NAME_LEN + 1];
	uint64_t files_pa, nr_files;
	struct kho_deep_file *files;
};

struct kho_deep_flb {
	char name[49];
	uint64_t data, count;
};

/* Adjacent preserved blocks of one order, merged. */
struct kho_deep_range {
	uint64_t phys, bytes;
	unsigned int order;
};

#define KHO_DEEP_MAX_RANGES 4096

struct kho_deep_map {
	const char *kind;    /* "chunk-list" or "radix-tree" */
	uint64_t blocks[64]; /* preserved blocks per order */
	uint64_t bytes;
	uint64_t pages_read; /* chunk, bitmap or radix pages */
	struct kho_deep_range *ranges; /* ascending phys; at most KHO_DEEP_MAX_RANGES */
	size_t nr_ranges;
	uint64_t ranges_dropped; /* ranges past the limit (counted in blocks/bytes) */
};

struct kho_deep {
	/* LUO */
	bool has_abi_header; /* luo-v2: where the pointers below came from */
	uint64_t liveupdate_num;
	const char *session_layout; /* "block" (16-page block + file arrays) or "chain" */
	uint64_t sessions_pa;
	struct kho_deep_session *sessions;
	size_t nr_sessions;
	bool has_flb;
	uint64_t flb_pa, flb_pgcnt, flb_count;
	struct kho_deep_flb *flbs;
	size_t nr_flbs;
};

/* 0, or -EINVAL/-ENOMEM with *err naming the physical address and the problem. */
int kho_deep_luo(const struct kho_mem *mem, const struct kho_luo_info *li,
		 struct kho_deep *out, struct kho_error *err);
void kho_deep_free(struct kho_deep *d);

/*
 * map_kind: "chunk-list" (E1-E2) or "radix-tree" (E4+). The radix tree is the
 * kernel's (kexec_handover.c, include/linux/kho/abi/kexec_handover.h): one-page
 * nodes of 512 physical addresses, levels 5 (root) to 1, then a 32768-bit leaf;
 * a key is (1 << (52 - order)) | (phys >> (12 + order)). Node entries that are
 * not page addresses are corruption (or, after a kexec, reused memory).
 * On error *out keeps what was counted before it; free it either way.
 */
int kho_deep_map(const struct kho_mem *mem, const char *map_kind, uint64_t map_pa,
		 struct kho_deep_map *out, struct kho_error *err);
void kho_deep_map_free(struct kho_deep_map *map);
