// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The physical-memory reader (ELF cores written by kho_mem_write_elf, read back
 * through a file and a buffer) and the deep decode over it, on intact images of
 * every LUO layout and on images with one record broken at a time.
 */
#include <elf.h>
#include <errno.h>
#include <libfdt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "kho/kho-build.h"
#include "kho/kho-decode.h"
#include "kho/kho-deep.h"
#include "kho/kho-fdt.h"
#include "kho/kho-mem.h"

static const struct kho_build_file test_files[] = {
	{ .token = 1, .size = 0x200000 },
	{ .token = 0xfeed, .size = 4096, .seals = 0xf },
	{ .token = 3, .size = 0 },
};
static const struct kho_build_session sessions[] = {
	{ "vm0", test_files, 1 },
	{ "db", test_files + 1, 2 },
	{ "empty", NULL, 0 },
};

static void build(enum kho_era era, struct kho_image *img)
{
	struct kho_build_params p = {
		.era = era,
		.liveupdate_num = 2,
		.release = "7.2.0",
		.kexec_count = 2,
		.serialized = true,
		.with_flb = true,
		.sessions = sessions,
		.nr_sessions = 3,
	};

	assert_int_equal(kho_build(&p, img), 0);
}

static const struct kho_blob *blob(const struct kho_image *img, const char *name)
{
	for (size_t i = 0; i < img->nr_blobs; i++)
		if (!strcmp(img->blobs[i].name, name))
			return &img->blobs[i];
	fail_msg("no blob %s", name);
	return NULL;
}

static void luo_info(const struct kho_image *img, struct kho_luo_info *li)
{
	const struct kho_blob *b = blob(img, "LUO");
	struct kho_fdt fdt;
	struct kho_issues is = { 0 };

	if (kho_fdt_has_magic(b->data, b->len)) {
		assert_int_equal(kho_fdt_parse(b->data, b->len, &fdt, NULL), 0);
		assert_int_equal(kho_luo_fdt_decode(&fdt, li, &is), 0);
		kho_fdt_free(&fdt);
	} else {
		assert_int_equal(kho_luo_struct_decode(b->data, b->len, li, NULL), 0);
	}
	kho_issues_free(&is);
}

static uint8_t *seg_at(struct kho_image *img, uint64_t phys)
{
	for (size_t i = 0; i < img->nr_segs; i++)
		if (phys >= img->segs[i].phys &&
		    phys < img->segs[i].phys + img->segs[i].len)
			return (uint8_t *)img->segs[i].data + (phys - img->segs[i].phys);
	fail_msg("0x%llx not in the image", (unsigned long long)phys);
	return NULL;
}

static void test_elf_roundtrip(void **state)
{
	struct kho_image img;
	struct kho_mem *m;
	struct kho_error err;
	uint8_t page[4096];

	(void)state;
	build(KHO_ERA_E6, &img);
	int fd = memfd_create("core", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(kho_mem_write_elf(fd, &img), 0);
	assert_int_equal(kho_mem_open_fd(fd, &m, &err), 0);
	assert_int_equal(kho_mem_nr_ranges(m), img.nr_segs);
	for (size_t i = 0; i < img.nr_segs; i++) {
		assert_int_equal(kho_mem_read(m, img.segs[i].phys, page, 4096, &err), 0);
		assert_memory_equal(page, img.segs[i].data, 4096);
	}
	/* A read across two adjacent segments. */
	assert_int_equal(img.segs[0].phys + img.segs[0].len, img.segs[1].phys);
	assert_int_equal(kho_mem_read(m, img.segs[1].phys - 8, page, 16, &err), 0);
	assert_memory_equal(page, (uint8_t *)img.segs[0].data + img.segs[0].len - 8, 8);
	assert_memory_equal(page + 8, img.segs[1].data, 8);
	/* Not covered: named by address. */
	assert_int_equal(kho_mem_read(m, 0x1000, page, 8, &err), -EINVAL);
	assert_int_equal(err.offset, 0x1000);
	assert_non_null(strstr(err.msg, "0x1000"));
	uint64_t end = img.segs[img.nr_segs - 1].phys + img.segs[img.nr_segs - 1].len;
	assert_int_equal(kho_mem_read(m, end - 4, page, 8, &err), -EINVAL);
	assert_int_equal(err.offset, end);
	assert_int_equal(kho_mem_read(m, UINT64_MAX - 2, page, 8, &err), -EINVAL);
	kho_mem_close(m);

	/* The same bytes as a buffer; every truncation is refused or reads less. */
	off_t size = lseek(fd, 0, SEEK_END);
	uint8_t *buf = malloc((size_t)size);
	assert_int_equal(pread(fd, buf, (size_t)size, 0), size);
	assert_int_equal(kho_mem_open_buf(buf, (size_t)size, &m, &err), 0);
	kho_mem_close(m);
	for (size_t len = 0; len < (size_t)size; len += 509) {
		int rc = kho_mem_open_buf(buf, len, &m, &err);
		assert_int_not_equal(rc, 0);
		assert_true(err.msg[0]);
	}
	buf[EI_CLASS] = ELFCLASS32;
	assert_int_equal(kho_mem_open_buf(buf, (size_t)size, &m, &err), -EINVAL);
	assert_int_equal(err.offset, EI_CLASS);
	free(buf);
	close(fd);
	kho_image_free(&img);
}

static void check_sessions(const struct kho_deep *d, bool seals)
{
	assert_int_equal(d->nr_sessions, 3);
	assert_string_equal(d->sessions[0].name, "vm0");
	assert_int_equal(d->sessions[0].nr_files, 1);
	const struct kho_deep_file *f = &d->sessions[0].files[0];
	assert_int_equal(f->token, 1);
	assert_true(f->is_memfd);
	assert_int_equal(f->memfd.size, 0x200000);
	assert_int_equal(f->memfd.nr_folios, 512);
	assert_int_equal(f->memfd.folios_seen, 512);
	assert_int_equal(f->memfd.array_pages, 2);
	assert_int_equal(f->memfd.max_pfn - f->memfd.min_pfn, 511);
	assert_string_equal(d->sessions[1].name, "db");
	assert_int_equal(d->sessions[1].nr_files, 2);
	assert_int_equal(d->sessions[1].files[0].token, 0xfeed);
	assert_int_equal(d->sessions[1].files[0].memfd.has_seals, seals);
	if (seals)
		assert_int_equal(d->sessions[1].files[0].memfd.seals, 0xf);
	assert_int_equal(d->sessions[1].files[1].memfd.nr_folios, 0);
	assert_int_equal(d->sessions[2].nr_files, 0);
	assert_true(d->has_flb);
	assert_int_equal(d->flb_pgcnt, 1);
}

static void test_deep_every_layout(void **state)
{
	static const struct {
		enum kho_era era;
		const char *layout, *compat;
	} cases[] = {
		{ KHO_ERA_E2, "block", "memfd-v1" },
		{ KHO_ERA_E4, "block", "memfd-v2" },
		{ KHO_ERA_E5, "block", "memfd-v2" },
		{ KHO_ERA_E6, "chain", "memfd-v2" },
		{ KHO_ERA_E7, "chain", "memfd-v2;vmalloc-v1" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kho_image img;
		struct kho_mem *m;
		struct kho_luo_info li;
		struct kho_deep d;
		struct kho_error err;

		build(cases[i].era, &img);
		assert_int_equal(kho_mem_from_image(&img, &m), 0);
		luo_info(&img, &li);
		assert_int_equal(kho_deep_luo(m, &li, &d, &err), 0);
		assert_string_equal(d.session_layout, cases[i].layout);
		assert_string_equal(d.sessions[0].files[0].compatible, cases[i].compat);
		check_sessions(&d, cases[i].era != KHO_ERA_E2);
		kho_deep_free(&d);
		kho_mem_close(m);
		kho_image_free(&img);
	}
}

/* One 4 KiB memfd: every preserved page counted from first principles. */
static void test_deep_map_counts(void **state)
{
	static const struct kho_build_file one = { .token = 1, .size = 4096 };
	static const struct kho_build_session s = { "s", &one, 1 };
	struct kho_build_params p = { .era = KHO_ERA_E6,
				      .serialized = true,
				      .sessions = &s,
				      .nr_sessions = 1,
				      .release = "x" };
	struct kho_image img;
	struct kho_mem *m;
	struct kho_fdt fdt;
	struct kho_root_info ri;
	struct kho_issues is = { 0 };
	struct kho_deep_map map;

	(void)state;
	assert_int_equal(kho_build(&p, &img), 0);
	assert_int_equal(kho_mem_from_image(&img, &m), 0);
	assert_int_equal(kho_fdt_parse(img.root_fdt, img.root_len, &fdt, NULL), 0);
	assert_int_equal(kho_root_decode(&fdt, &ri, &is), 0);
	assert_int_equal(kho_deep_map(m, ri.map_kind, ri.map, &map, NULL), 0);
	/* kexec-metadata, FLB, luo_ser, session block, file block, memfd record,
	 * folio-array chunk, folio-array page, the data page. */
	assert_int_equal(map.blocks[0], 9);
	assert_int_equal(map.bytes, 9 * 4096);
	kho_deep_map_free(&map);
	kho_root_info_free(&ri);
	kho_fdt_free(&fdt);
	kho_mem_close(m);
	kho_image_free(&img);

	/* E2: LUO FDT page; session block (order 4); file array (order 1); the rest. */
	p.era = KHO_ERA_E2;
	assert_int_equal(kho_build(&p, &img), 0);
	assert_int_equal(kho_mem_from_image(&img, &m), 0);
	assert_int_equal(kho_fdt_parse(img.root_fdt, img.root_len, &fdt, NULL), 0);
	assert_int_equal(kho_root_decode(&fdt, &ri, &is), 0);
	assert_int_equal(kho_deep_map(m, ri.map_kind, ri.map, &map, NULL), 0);
	assert_int_equal(map.blocks[0], 5);
	assert_int_equal(map.blocks[1], 1);
	assert_int_equal(map.blocks[4], 1);
	kho_deep_map_free(&map);
	kho_root_info_free(&ri);
	kho_issues_free(&is);
	kho_fdt_free(&fdt);
	kho_mem_close(m);
	kho_image_free(&img);
}

typedef void (*breaker)(struct kho_image *img, const struct kho_luo_info *li,
			uint64_t *where);

static void set_u64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* E2 block: count past the 819 records. */
static void break_session_count(struct kho_image *img, const struct kho_luo_info *li,
				uint64_t *where)
{
	set_u64(seg_at(img, li->sessions_pa), 820);
	*where = li->sessions_pa;
}

/* E2: the first session's files pointer leads nowhere. */
static void break_files_pointer(struct kho_image *img, const struct kho_luo_info *li,
				uint64_t *where)
{
	set_u64(seg_at(img, li->sessions_pa + 8 + 64), 0x7000);
	*where = 0x7000;
}

/* E6: the first session block says it holds no entries. */
static void break_block_count(struct kho_image *img, const struct kho_luo_info *li,
			      uint64_t *where)
{
	set_u64(seg_at(img, li->sessions_pa + 8), 0);
	*where = li->sessions_pa + 8;
}

/* E6: the session chain points back at itself. */
static void break_chain_loop(struct kho_image *img, const struct kho_luo_info *li,
			     uint64_t *where)
{
	set_u64(seg_at(img, li->sessions_pa), li->sessions_pa);
	*where = 0;
}

/* E6: the first memfd claims far more folios than its array holds. */
static void break_nr_folios(struct kho_image *img, const struct kho_luo_info *li,
			    uint64_t *where)
{
	uint64_t files = get_u64(seg_at(img, li->sessions_pa + 16 + 64));
	uint64_t data = get_u64(seg_at(img, files + 16 + 48));
	set_u64(seg_at(img, data + 24), UINT64_MAX);
	*where = data;
}

static void run_broken(enum kho_era era, breaker brk, const char *expect)
{
	struct kho_image img;
	struct kho_mem *m;
	struct kho_luo_info li;
	struct kho_deep d;
	struct kho_error err = { 0 };
	uint64_t where = 0;

	build(era, &img);
	luo_info(&img, &li);
	brk(&img, &li, &where);
	assert_int_equal(kho_mem_from_image(&img, &m), 0);
	assert_int_equal(kho_deep_luo(m, &li, &d, &err), -EINVAL);
	if (where)
		assert_int_equal(err.offset, where);
	if (!strstr(err.msg, expect))
		fail_msg("\"%s\" lacks \"%s\"", err.msg, expect);
	kho_deep_free(&d);
	kho_mem_close(m);
	kho_image_free(&img);
}

static void test_deep_broken(void **state)
{
	(void)state;
	run_broken(KHO_ERA_E2, break_session_count, "exceeds");
	run_broken(KHO_ERA_E2, break_files_pointer, "not in the memory image");
	run_broken(KHO_ERA_E6, break_block_count, "count 0");
	run_broken(KHO_ERA_E6, break_chain_loop, "");
	run_broken(KHO_ERA_E6, break_nr_folios, "does not fit");
}

static void *page_seg(struct kho_image *img, uint64_t phys, size_t pages)
{
	struct kho_mem_seg *s = &img->segs[img->nr_segs++];

	s->phys = phys;
	s->len = pages * 4096;
	s->data = calloc(pages, 4096);
	assert_non_null(s->data);
	return s->data;
}

/* luo-v2 (§4.4): the FDT points to a separately preserved {number, sessions, flbs}. */
static void test_deep_luo_v2(void **state)
{
	struct kho_image img = { 0 };
	struct kho_mem *m;
	struct kho_luo_info li;
	struct kho_issues is = { 0 };
	struct kho_fdt fdt;
	struct kho_deep d;
	struct kho_error err;
	char buf[4096];
	uint64_t abi = 0x100000000ull, block = 0x100010000ull, flb = 0x100020000ull;

	(void)state;
	img.segs = calloc(3, sizeof(*img.segs));
	uint64_t *hdr = page_seg(&img, abi, 1);
	hdr[0] = 9;
	hdr[1] = block;
	hdr[2] = flb;
	uint8_t *sb = page_seg(&img, block, 16);
	sb[0] = 1;		     /* count */
	strcpy((char *)sb + 8, "x"); /* no files */
	uint8_t *fp = page_seg(&img, flb, 1);
	fp[0] = 1; /* pgcnt */
	fp[8] = 1; /* count */
	strcpy((char *)fp + 16, "liveupdate-test-flb-v1");
	fp[16 + 48] = 0x34; /* data */
	fp[16 + 56] = 2;    /* count */

	assert_int_equal(fdt_create(buf, sizeof(buf)), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	assert_int_equal(fdt_begin_node(buf, ""), 0);
	assert_int_equal(fdt_property_string(buf, "compatible", "luo-v2"), 0);
	assert_int_equal(fdt_property(buf, "luo-abi-header", &abi, 8), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_finish(buf), 0);
	assert_int_equal(kho_fdt_parse(buf, fdt_totalsize(buf), &fdt, NULL), 0);
	assert_int_equal(kho_luo_fdt_decode(&fdt, &li, &is), 0);
	assert_int_equal(is.n, 0);
	assert_int_equal(li.version, 2);
	assert_true(li.has_abi_header);

	assert_int_equal(kho_mem_from_image(&img, &m), 0);
	assert_int_equal(kho_deep_luo(m, &li, &d, &err), 0);
	assert_true(d.has_abi_header);
	assert_int_equal(d.liveupdate_num, 9);
	assert_string_equal(d.session_layout, "block");
	assert_int_equal(d.nr_sessions, 1);
	assert_string_equal(d.sessions[0].name, "x");
	assert_int_equal(d.nr_flbs, 1);
	assert_string_equal(d.flbs[0].name, "liveupdate-test-flb-v1");
	assert_int_equal(d.flbs[0].data, 0x34);
	assert_int_equal(d.flbs[0].count, 2);
	kho_deep_free(&d);

	fp[8] = 64; /* one more record than the page holds */
	assert_int_equal(kho_deep_luo(m, &li, &d, &err), -EINVAL);
	assert_int_equal(err.offset, flb + 8);
	kho_deep_free(&d);
	kho_mem_close(m);
	kho_fdt_free(&fdt);
	kho_image_free(&img);
}


/* The map of an image: decoded from the root (cut to debugfs' size when asked). */
static int map_of(struct kho_image *img, const struct kho_mem *m, size_t root_len,
		  struct kho_deep_map *map, struct kho_error *err)
{
	struct kho_fdt fdt;
	struct kho_root_info ri;
	struct kho_issues is = { 0 };
	int rc;

	assert_int_equal(kho_fdt_parse_cut(img->root_fdt, root_len, &fdt, NULL), 0);
	assert_int_equal(kho_root_decode(&fdt, &ri, &is), 0);
	assert_string_equal(ri.map_kind, "radix-tree");
	rc = kho_deep_map(m, ri.map_kind, ri.map, map, err);
	kho_root_info_free(&ri);
	kho_issues_free(&is);
	kho_fdt_free(&fdt);
	return rc;
}

/*
 * Before a 7.2/7.3 kexec: a held 1 MiB memfd is in the live tree (its folios at
 * PRESERVE_FD), found through the root debugfs cuts; the ranges decode each
 * key back to its physical address and order (kho_radix_decode_key).
 */
static void test_radix_held_memfd(void **state)
{
	static const struct kho_build_file mib = { .token = 7, .size = 1 << 20 };
	static const struct kho_build_session s = { "vm", &mib, 1 };
	struct kho_build_params p = { .era = KHO_ERA_E6, .held = true, .sessions = &s,
				      .nr_sessions = 1, .release = "7.2.13" };
	struct kho_image img;
	struct kho_mem *m;
	struct kho_deep_map map;
	bool data_range = false;

	(void)state;
	assert_int_equal(kho_build(&p, &img), 0);
	assert_int_equal(img.root_debugfs_len, 233);
	assert_int_equal(img.root_len, 285);
	assert_int_equal(kho_mem_from_image(&img, &m), 0);
	assert_int_equal(map_of(&img, m, img.root_debugfs_len, &map, NULL), 0);
	assert_true(map.bytes >= 1 << 20);
	assert_int_equal(map.blocks[0] * 4096, map.bytes);
	for (size_t i = 0; i < map.nr_ranges; i++) {
		const struct kho_deep_range *r = &map.ranges[i];
		if (i)
			assert_true(r->phys >= r[-1].phys + r[-1].bytes);
		/* The builder puts file data at 0x200000000, one page per folio. */
		if (r->phys == 0x200000000ull && r->bytes == 1 << 20)
			data_range = true;
	}
	assert_true(data_range);
	kho_deep_map_free(&map);
	kho_mem_close(m);
	kho_image_free(&img);
}

/* A node entry that is no page address (reused memory, corruption) is named. */
static void test_radix_bad_entry(void **state)
{
	struct kho_build_params p = { .era = KHO_ERA_E6, .release = "7.2.13" };
	struct kho_image img;
	struct kho_mem *m;
	struct kho_deep_map map;
	struct kho_error err;

	(void)state;
	assert_int_equal(kho_build(&p, &img), 0);
	assert_int_equal(kho_mem_from_image(&img, &m), 0);
	uint64_t *root = (uint64_t *)seg_at(&img, img.map_pages[0]);
	root[3] = 0xff1f114f802b4800ull; /* the value seen on 7.2.13 after a kexec */
	assert_int_equal(map_of(&img, m, img.root_len, &map, &err), -EINVAL);
	assert_int_equal(err.offset, img.map_pages[0] + 3 * 8);
	assert_non_null(strstr(err.msg, "not the physical address of a page"));
	kho_deep_map_free(&map);
	kho_mem_close(m);
	kho_image_free(&img);
}

/* After a 7.2/7.3 KHO boot: the LUO blob and the map's pages read as reused. */
static void test_as_booted(void **state)
{
	struct kho_image img;
	struct kho_mem *m;
	struct kho_deep_map map;
	struct kho_luo_info li;
	struct kho_error err;

	(void)state;
	build(KHO_ERA_E6, &img);
	kho_image_as_booted(&img);
	const struct kho_blob *luo = blob(&img, "LUO");
	assert_int_not_equal(kho_luo_struct_decode(luo->data, luo->len, &li, &err), 0);
	const struct kho_blob *md = blob(&img, "kexec-metadata");
	struct kho_kexec_md_info mdi;
	assert_int_equal(kho_kexec_metadata_decode(md->data, md->len, &mdi, &err), 0);
	assert_int_equal(kho_mem_from_image(&img, &m), 0);
	assert_int_equal(map_of(&img, m, img.root_len, &map, &err), -EINVAL);
	kho_deep_map_free(&map);
	kho_mem_close(m);
	kho_image_free(&img);
}

/* Recording: the pages a deep decode reads, and only those, come back. */
static void test_record_pages(void **state)
{
	struct kho_image img;
	struct kho_mem *m, *saved;
	struct kho_deep_map map, again;
	struct kho_error err;
	size_t pages = 0;
	uint8_t page[4096];

	(void)state;
	build(KHO_ERA_E6, &img);
	assert_int_equal(kho_mem_from_image(&img, &m), 0);
	assert_int_equal(kho_mem_record(m), 0);
	assert_int_equal(map_of(&img, m, img.root_len, &map, NULL), 0);
	int fd = memfd_create("rec", 0);
	assert_true(fd >= 0);
	assert_int_equal(kho_mem_write_recorded(m, fd, &pages), 0);
	assert_int_equal(pages, map.pages_read);
	assert_int_equal(kho_mem_open_fd(fd, &saved, &err), 0);
	assert_int_equal(map_of(&img, saved, img.root_len, &again, NULL), 0);
	assert_int_equal(again.bytes, map.bytes);
	assert_int_equal(again.nr_ranges, map.nr_ranges);
	/* The LUO blob's page was not read by the map walk: not saved. */
	assert_int_equal(kho_mem_read(saved, blob(&img, "LUO")->phys, page, 8, &err),
			 -EINVAL);
	assert_int_equal(kho_mem_read(saved, img.map_pages[0], page, 4096, &err), 0);
	kho_deep_map_free(&map);
	kho_deep_map_free(&again);
	kho_mem_close(saved);
	close(fd);
	kho_mem_close(m);
	kho_image_free(&img);
}


/* kcore's kernel-text segment lies inside a RAM segment: reads past it still land. */
static void test_overlapping_ranges(void **state)
{
	struct kho_image img = { 0 };
	struct kho_mem *m;
	struct kho_error err;
	uint8_t b;

	(void)state;
	img.segs = calloc(2, sizeof(*img.segs));
	uint8_t *ram = page_seg(&img, 0x100000, 16);
	uint8_t *text = page_seg(&img, 0x102000, 1);
	ram[0x8000] = 0xab;
	text[0] = 0xcd;
	assert_int_equal(kho_mem_from_image(&img, &m), 0);
	assert_int_equal(kho_mem_read(m, 0x108000, &b, 1, &err), 0);
	assert_int_equal(b, 0xab);
	assert_int_equal(kho_mem_read(m, 0x102000, &b, 1, &err), 0);
	assert_int_equal(b, 0xcd);
	assert_int_equal(kho_mem_read(m, 0x110000, &b, 1, &err), -EINVAL);
	kho_mem_close(m);
	kho_image_free(&img);
}

/* kcore on large machines: more than PN_XNUM headers, the count in section 0. */
static void test_elf_pn_xnum(void **state)
{
	size_t nr = 3, off = sizeof(Elf64_Ehdr);
	size_t data = off + nr * sizeof(Elf64_Phdr) + sizeof(Elf64_Shdr);
	uint8_t *buf = calloc(1, data + nr * 16);
	Elf64_Ehdr *eh = (void *)buf;
	Elf64_Shdr sh = { .sh_info = (Elf64_Word)nr };
	struct kho_mem *m;
	struct kho_error err;
	uint8_t out[16];

	(void)state;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] =
		__BYTE_ORDER == __LITTLE_ENDIAN ? ELFDATA2LSB : ELFDATA2MSB;
	eh->e_phoff = off;
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = PN_XNUM;
	eh->e_shoff = off + nr * sizeof(Elf64_Phdr);
	memcpy(buf + eh->e_shoff, &sh, sizeof(sh));
	for (size_t i = 0; i < nr; i++) {
		Elf64_Phdr ph = { .p_type = PT_LOAD,
				  .p_offset = data + i * 16,
				  .p_paddr = i == 1 ? UINT64_MAX : 0x1000 * (i + 1),
				  .p_filesz = 16 };
		memcpy(buf + off + i * sizeof(ph), &ph, sizeof(ph));
		memset(buf + data + i * 16, (int)(0xa0 + i), 16);
	}
	assert_int_equal(kho_mem_open_buf(buf, data + nr * 16, &m, &err), 0);
	assert_int_equal(kho_mem_nr_ranges(m), 2); /* p_paddr -1 is not RAM */
	assert_int_equal(kho_mem_read(m, 0x3008, out, 8, &err), 0);
	assert_int_equal(out[0], 0xa2);
	assert_int_equal(kho_mem_read(m, 0x2000, out, 8, &err), -EINVAL);
	kho_mem_close(m);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_roundtrip),
		cmocka_unit_test(test_deep_every_layout),
		cmocka_unit_test(test_deep_map_counts),
		cmocka_unit_test(test_deep_broken),
		cmocka_unit_test(test_deep_luo_v2),
		cmocka_unit_test(test_radix_held_memfd),
		cmocka_unit_test(test_radix_bad_entry),
		cmocka_unit_test(test_as_booted),
		cmocka_unit_test(test_record_pages),
		cmocka_unit_test(test_overlapping_ranges),
		cmocka_unit_test(test_elf_pn_xnum),
	};

	return cmocka_run_group_tests_name("kho-mem", tests, NULL, NULL);
}
