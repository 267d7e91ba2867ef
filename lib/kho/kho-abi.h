// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * KHO and LUO hand-over records, as the kernel lays them out (see
 * kho-format.md in the project's reference notes; section numbers below point
 * there). Integers are CPU-native endian. The LUO, memfd, block and
 * kexec-metadata records are packed in the kernel; the KHO core structures have
 * no padding on 64-bit, so every struct here has exactly the kernel's bytes.
 */
#pragma once

#include <stdint.h>

#define KHO_PAGE_SIZE 4096u
#define KHO_PAGE_SHIFT 12

/* Root FDT (§2). */
#define KHO_ROOT_BUF_SIZE KHO_PAGE_SIZE
#define KHO_PROP_COMPATIBLE "compatible"
#define KHO_PROP_MEM_MAP "preserved-memory-map"
#define KHO_PROP_SUB_FDT "fdt"			 /* E1-E2 */
#define KHO_PROP_PRESERVED_DATA "preserved-data" /* E4+ */
#define KHO_PROP_BLOB_SIZE "blob-size"		 /* E5+ */

/* Known sub-node names (§2.4). */
#define KHO_NODE_LUO "LUO"
#define KHO_NODE_MEMBLOCK "memblock"
#define KHO_NODE_KEXEC_METADATA "kexec-metadata"
#define KHO_NODE_TEST "kho_test"

/* kexec-metadata (§3.2): 73 bytes, packed. */
#define KHO_KEXEC_METADATA_VERSION 1
struct kho_kexec_metadata {
	uint32_t version;
	char previous_release[65];
	uint32_t kexec_count;
} __attribute__((packed));

/* LUO as an FDT (§4.1). */
#define LUO_FDT_COMPATIBLE_V1 "luo-v1"
#define LUO_PROP_NUMBER "liveupdate-number"
#define LUO_NODE_SESSION "luo-session"
#define LUO_PROP_SESSION_HEADER "luo-session-header"
#define LUO_SESSION_COMPATIBLE_V2 "luo-session-v2"
#define LUO_NODE_FLB "luo-flb"
#define LUO_PROP_FLB_HEADER "luo-flb-header"
#define LUO_FLB_COMPATIBLE_V1 "luo-flb-v1"
#define LUO_PROP_ABI_HEADER "luo-abi-header" /* luo-v2 (§4.4) */

/* Session records (§4.2). The block is 16 pages allocated at boot. */
#define LUO_SESSION_BLOCK_PAGES 16
#define LUO_SESSION_NAME_LEN 64
struct luo_session_header_ser {
	uint64_t count;
} __attribute__((packed));

struct luo_session_ser_v1 {
	char name[LUO_SESSION_NAME_LEN];
} __attribute__((packed));

struct luo_session_ser { /* luo-session-v2 */
	char name[LUO_SESSION_NAME_LEN];
	uint64_t files;
	uint64_t count;
} __attribute__((packed));

#define LUO_FILE_ARRAY_PAGES 2
#define LUO_FILE_COMPATIBLE_LEN 48
struct luo_file_ser {
	char compatible[LUO_FILE_COMPATIBLE_LEN];
	uint64_t data;
	uint64_t token;
} __attribute__((packed));

/* FLB records (§4.3): one page. */
struct luo_flb_header_ser {
	uint64_t pgcnt;
	uint64_t count;
} __attribute__((packed));

struct luo_flb_ser {
	char name[48];
	uint64_t data;
	uint64_t count;
} __attribute__((packed));

/* luo-v2's separately preserved record (§4.4). */
struct luo_abi_header_ser {
	uint64_t liveupdate_num;
	uint64_t sessions_pa;
	uint64_t flbs_pa;
} __attribute__((packed));

/* luo_ser (§5): a NUL-padded compatible (multiple of 8 bytes), then these. */
struct luo_ser_tail {
	uint64_t liveupdate_num;
	uint64_t sessions_pa;
	uint64_t flbs_pa;
} __attribute__((packed));

/* The feature-header proposal (§5): 128 bytes instead of the string. */
#define LUO_FEATURE_HEADER_SIZE 128

/* KHO blocks (§5.1). */
#define KHO_BLOCK_MAX_CHAIN 10000
struct kho_block_header_ser {
	uint64_t next;
	uint64_t count;
} __attribute__((packed));

/* memfd (§6). */
struct memfd_luo_ser_v1 {
	uint64_t pos;
	uint64_t size;
	uint64_t nr_folios;
	uint64_t folios_first; /* struct kho_vmalloc, inlined */
	uint32_t folios_total_pages;
	uint16_t folios_flags;
	uint16_t folios_order;
} __attribute__((packed));

struct memfd_luo_ser_v2 {
	uint64_t pos;
	uint64_t size;
	uint32_t seals;
	uint32_t flags;
	uint64_t nr_folios;
	uint64_t folios_first;
	uint32_t folios_total_pages;
	uint16_t folios_flags;
	uint16_t folios_order;
} __attribute__((packed));

struct memfd_luo_folio_ser {
	uint64_t pfn_flags; /* pfn: bits 0-51, flags: bits 52-63 (GCC, little-endian) */
	uint64_t index;
} __attribute__((packed));

#define MEMFD_FOLIO_PFN_BITS 52
#define MEMFD_FOLIO_DIRTY 0x1
#define MEMFD_FOLIO_UPTODATE 0x2

struct kho_vmalloc {
	uint64_t first;
	uint32_t total_pages;
	uint16_t flags;
	uint16_t order;
};

#define KHO_VMALLOC_ALLOC 0x1
#define KHO_VMALLOC_HUGE_VMAP 0x2
#define KHO_VMALLOC_CHUNK_ENTRIES 511
struct kho_vmalloc_chunk {
	uint64_t next;
	uint64_t phys[KHO_VMALLOC_CHUNK_ENTRIES];
};

/* Chunk-list memory map (§7.1), E1-E2. */
struct kho_mem_chunk_hdr {
	uint64_t next;
	uint32_t order;
	uint32_t num_elms;
};

struct kho_mem_bitmap_desc {
	uint64_t phys_start;
	uint64_t bitmap;
};

#define KHO_CHUNK_DESCS                                                                  \
	((KHO_PAGE_SIZE - sizeof(struct kho_mem_chunk_hdr)) /                            \
	 sizeof(struct kho_mem_bitmap_desc))
#define KHO_BITMAP_BITS (KHO_PAGE_SIZE * 8) /* later E1 and E2: one-page bitmaps */

/* Radix-tree memory map (§7.2), E4+. */
#define KHO_RADIX_ORDER_BIT 52
#define KHO_RADIX_LEAF_BITS 15 /* bits 0-14 index the leaf bitmap */
#define KHO_RADIX_LEVEL_BITS 9
#define KHO_RADIX_LEVELS 5 /* inner levels 1..5, root = 5 */

/* Scratch array entry (§8). */
struct kho_scratch {
	uint64_t addr;
	uint64_t size;
};

_Static_assert(sizeof(struct kho_kexec_metadata) == 73, "kexec-metadata");
_Static_assert(sizeof(struct luo_session_ser) == 80, "luo_session_ser");
_Static_assert(sizeof(struct luo_file_ser) == 64, "luo_file_ser");
_Static_assert(sizeof(struct luo_flb_ser) == 64, "luo_flb_ser");
_Static_assert(sizeof(struct memfd_luo_ser_v1) == 40, "memfd v1");
_Static_assert(sizeof(struct memfd_luo_ser_v2) == 48, "memfd v2");
_Static_assert(sizeof(struct kho_vmalloc) == 16, "kho_vmalloc");
_Static_assert(sizeof(struct kho_vmalloc_chunk) == KHO_PAGE_SIZE, "vmalloc chunk");
_Static_assert(KHO_CHUNK_DESCS == 255, "chunk descriptors");
