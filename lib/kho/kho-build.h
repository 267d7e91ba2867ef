// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Builds the KHO hand-over of one kernel era byte for byte: the root FDT and
 * its sub-blobs as debugfs shows them, and the records behind their physical
 * addresses as simulated physical memory. Shared by luosim (which serves it)
 * and the tests of `luoctl dump` (which decode it).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kho_era {
	KHO_ERA_E1,
	KHO_ERA_E2,
	KHO_ERA_E4,
	KHO_ERA_E5,
	KHO_ERA_E6,
	KHO_ERA_E7
};

struct kho_build_file {
	uint64_t token;
	const char *compatible; /* NULL: the era's memfd handler string */
	uint64_t pos, size;
	uint32_t seals;
};

struct kho_build_session {
	const char *name;
	const struct kho_build_file *files;
	size_t nr_files;
};

/* A reserve_mem= region, handed over in the `memblock` blob. */
struct kho_build_region {
	const char *name;
	uint64_t start, size;
};

struct kho_build_params {
	enum kho_era era;	 /* luosim 6.19 mode: KHO_ERA_E2; 7.2 mode: KHO_ERA_E6 */
	uint64_t liveupdate_num; /* this boot's outgoing number */
	const char *release;	 /* kexec-metadata previous_release (uname -r) */
	uint32_t kexec_count;	 /* kexec-metadata count */
	bool with_flb;		 /* FDT-era LUO only (E2-E5); E2 as in 6.19: false */
	bool serialized; /* false: boot-time view; true: state written at reboot */
	const struct kho_build_session *sessions;
	size_t nr_sessions;
	/* Added after the agreed shape; zero-initialised callers get none of them. */
	const struct kho_build_region *reserve_mem;
	size_t nr_reserve_mem;
	bool with_kho_test; /* the lib/test_kho.c module's blob */
	/*
	 * E6+ without `serialized`: the sessions are held, as before a kexec on
	 * Linux 7.2/7.3: their blocks, file records and memfd folios are allocated
	 * and in the memory map, but sessions_pa stays 0 (luo_session_serialize
	 * writes it only at the kexec).
	 */
	bool held;
};

struct kho_blob {
	char name[64];
	void *data;
	size_t len;
	uint64_t phys;
};

struct kho_mem_seg {
	uint64_t phys;
	void *data;
	size_t len;
};

struct kho_image {
	void *root_fdt;
	size_t root_len;
	uint64_t root_phys;
	struct kho_blob *blobs; /* debugfs sub_fdts/<name>, registration order */
	size_t nr_blobs;
	struct kho_mem_seg *segs; /* simulated physical memory, ascending phys */
	size_t nr_segs;
	uint64_t scratch_phys[4], scratch_len[4];
	size_t nr_scratch;
	/*
	 * What debugfs out/fdt shows of root_fdt: E5+ kernels make the file when
	 * the root holds only kexec-metadata and keep that size while the FDT grows
	 * (kexec_handover.c: kho_init; kexec_handover_debugfs.c). root_len before.
	 */
	size_t root_debugfs_len;
	uint64_t *map_pages; /* the radix tree's node pages (E4+) */
	size_t nr_map_pages;
};

/*
 * 0 or -errno: -EINVAL for bad parameters (unknown era, a name too long for its
 * record), -ENOSPC when the era's records cannot hold that many sessions/files or
 * the root page overflows, -ENOMEM. On error *out is left empty.
 */
int kho_build(const struct kho_build_params *p, struct kho_image *out);
void kho_image_free(struct kho_image *img);

/*
 * The incoming hand-over as a Linux 7.2/7.3 kernel leaves it once booted
 * (radix eras only): the LUO blob was freed by luo_early_startup() and its
 * page reused, and the memory map's node pages, which are not preserved
 * themselves, went back to the page allocator. Both are overwritten, in the
 * debugfs copy and in memory, with the kind of bytes a reused page holds.
 */
void kho_image_as_booted(struct kho_image *img);

/*
 * A kcore-like ELF64 core file: one PT_LOAD per segment, p_paddr = physical
 * address, file data = the bytes. 0 or -errno.
 */
int kho_mem_write_elf(int fd, const struct kho_image *img);

/* "E1" ... "E7", or NULL. */
const char *kho_era_name(enum kho_era era);
/* Parses "E2", "e2" or "2"; 0 or -EINVAL. */
int kho_era_parse(const char *s, enum kho_era *era);
/* The root `compatible` the era writes. */
const char *kho_era_root_compatible(enum kho_era era);
