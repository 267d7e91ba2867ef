// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The builder against kho-format.md §11: every size, header offset, strings
 * block and order there was measured with libfdt 1.6.1 replaying the kernel's
 * calls, so these are the expectations, and the records behind the addresses
 * are read back from the simulated memory by hand (not with our decoders).
 */
#include <errno.h>
#include <libfdt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kho/kho-abi.h"
#include "kho/kho-build.h"

static const struct kho_build_file vm0_file = { .token = 1, .size = 0x200000 };
static const struct kho_build_session vm0 = { "vm0", &vm0_file, 1 };

static struct kho_build_params params(enum kho_era era, bool serialized)
{
	return (struct kho_build_params){
		.era = era,
		.liveupdate_num = 1,
		.release = "6.19.0-test",
		.kexec_count = 1,
		.serialized = serialized,
		.sessions = era == KHO_ERA_E1 ? NULL : &vm0,
		.nr_sessions = era == KHO_ERA_E1 ? 0 : 1,
	};
}

static const struct kho_blob *blob(const struct kho_image *img, const char *name)
{
	for (size_t i = 0; i < img->nr_blobs; i++)
		if (!strcmp(img->blobs[i].name, name))
			return &img->blobs[i];
	return NULL;
}

static const uint8_t *mem(const struct kho_image *img, uint64_t phys, size_t len)
{
	for (size_t i = 0; i < img->nr_segs; i++) {
		const struct kho_mem_seg *s = &img->segs[i];
		if (phys >= s->phys && phys + len <= s->phys + s->len)
			return (const uint8_t *)s->data + (phys - s->phys);
	}
	return NULL;
}

static uint64_t u64_at(const void *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint64_t prop_u64(const void *fdt, const char *path, const char *name)
{
	int node = fdt_path_offset(fdt, path), len = 0;
	const void *v = node >= 0 ? fdt_getprop(fdt, node, name, &len) : NULL;

	assert_non_null(v);
	assert_int_equal(len, 8);
	return u64_at(v);
}

static void assert_header(const void *fdt, uint32_t total, uint32_t rsvmap,
			  uint32_t structure)
{
	assert_int_equal(fdt_magic(fdt), FDT_MAGIC);
	assert_int_equal(fdt_totalsize(fdt), total);
	assert_int_equal(fdt_off_mem_rsvmap(fdt), rsvmap);
	assert_int_equal(fdt_off_dt_struct(fdt), structure);
	assert_int_equal(fdt_version(fdt), 17);
	assert_int_equal(fdt_last_comp_version(fdt), 16);
}

/* Sub-node names of / in blob order. */
static void assert_subnodes(const void *fdt, const char *const *names, int n)
{
	int i = 0, node;

	fdt_for_each_subnode(node, fdt, 0)
	{
		assert_true(i < n);
		assert_string_equal(fdt_get_name(fdt, node, NULL), names[i]);
		i++;
	}
	assert_int_equal(i, n);
}

static void test_e5_worked_example(void **state)
{
	struct kho_build_params p = params(KHO_ERA_E5, true);
	static const char strings[] =
		"preserved-memory-map\0compatible\0preserved-data\0blob-size";
	static const char *const order[] = { "LUO", "kexec-metadata" };
	struct kho_image img;

	(void)state;
	p.with_flb = true;
	assert_int_equal(kho_build(&p, &img), 0);
	assert_header(img.root_fdt, 285, 0x28, 0x38);
	assert_int_equal(fdt_size_dt_struct(img.root_fdt), 172);
	assert_int_equal(fdt_off_dt_strings(img.root_fdt), 0xe4);
	assert_int_equal(fdt_size_dt_strings(img.root_fdt), 57);
	assert_memory_equal((char *)img.root_fdt + 0xe4, strings, sizeof(strings));
	assert_subnodes(img.root_fdt, order, 2);
	/* blob-size was set last, so it comes first in the node. */
	int luo = fdt_path_offset(img.root_fdt, "/LUO");
	int prop = fdt_first_property_offset(img.root_fdt, luo);
	const char *name;
	fdt_getprop_by_offset(img.root_fdt, prop, &name, NULL);
	assert_string_equal(name, "blob-size");
	assert_int_equal(prop_u64(img.root_fdt, "/LUO", "blob-size"), 311);
	assert_int_equal(prop_u64(img.root_fdt, "/kexec-metadata", "blob-size"), 73);

	const struct kho_blob *l = blob(&img, "LUO");
	assert_non_null(l);
	assert_int_equal(l->len, 311);
	assert_header(l->data, 311, 0x30, 0x40);
	assert_int_equal(fdt_size_dt_struct(l->data), 184);
	assert_int_equal(fdt_size_dt_strings(l->data), 63);
	assert_int_equal(prop_u64(img.root_fdt, "/LUO", "preserved-data"), l->phys);
	assert_string_equal(fdt_getprop(l->data, 0, "compatible", NULL), "luo-v1");
	assert_int_equal(prop_u64(l->data, "/", "liveupdate-number"), 1);
	assert_string_equal(fdt_getprop(l->data, fdt_path_offset(l->data, "/luo-session"),
					"compatible", NULL),
			    "luo-session-v2");
	kho_image_free(&img);
}

static void test_kexec_metadata_bytes(void **state)
{
	struct kho_build_params p = params(KHO_ERA_E6, false);
	struct kho_image img;

	(void)state;
	p.kexec_count = 3;
	assert_int_equal(kho_build(&p, &img), 0);
	const struct kho_blob *md = blob(&img, "kexec-metadata");
	assert_non_null(md);
	assert_int_equal(md->len, 73);
	const uint8_t *b = md->data;
	assert_int_equal(b[0], 1);
	assert_int_equal(b[1] | b[2] | b[3], 0);
	assert_string_equal((const char *)b + 4, "6.19.0-test");
	assert_int_equal(b[4 + 64], 0);
	assert_int_equal(b[69], 3);
	/* The blob is also in memory at the address the root names. */
	assert_memory_equal(mem(&img, md->phys, 73), b, 73);
	kho_image_free(&img);
}

/* The rest of §11.3: root and LUO sizes of every era. */
static void test_era_sizes(void **state)
{
	static const struct {
		enum kho_era era;
		bool flb, reserve;
		uint32_t root, luo;
	} cases[] = {
		{ KHO_ERA_E2, false, false, 180, 236 },
		{ KHO_ERA_E2, true, false, 180, 311 },
		{ KHO_ERA_E2, false, true, 220, 236 },
		{ KHO_ERA_E4, false, false, 191, 236 },
		{ KHO_ERA_E5, true, false, 285, 311 },
		{ KHO_ERA_E5, true, true, 345, 311 },
		{ KHO_ERA_E6, false, false, 285, 32 },
		{ KHO_ERA_E7, false, false, 305, 40 },
	};
	static const struct kho_build_region r1 = { "r1", 0x50000000, 0x100000 };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kho_build_params p = params(cases[i].era, true);
		struct kho_image img;
		p.with_flb = cases[i].flb;
		if (cases[i].reserve) {
			p.reserve_mem = &r1;
			p.nr_reserve_mem = 1;
		}
		assert_int_equal(kho_build(&p, &img), 0);
		assert_header(img.root_fdt, cases[i].root, 0x28, 0x38);
		assert_int_equal(img.root_len, cases[i].root);
		assert_int_equal(blob(&img, "LUO")->len, cases[i].luo);
		if (cases[i].reserve) {
			assert_int_equal(blob(&img, "memblock")->len, 206);
			/* memblock registers after LUO, so it is listed first. */
			int first = fdt_first_subnode(img.root_fdt, 0);
			assert_string_equal(fdt_get_name(img.root_fdt, first, NULL),
					    "memblock");
		}
		kho_image_free(&img);
	}
}

static void test_e1_sequential_root(void **state)
{
	static const struct kho_build_region r1 = { "r1", 0x50000000, 0x100000 };
	static const char strings[] = "fdt\0preserved-memory-map\0compatible";
	struct kho_build_params p = params(KHO_ERA_E1, false);
	struct kho_image img;

	(void)state;
	assert_int_equal(kho_build(&p, &img), 0);
	assert_header(img.root_fdt, 152, 0x30, 0x40); /* bare root */
	kho_image_free(&img);

	p.reserve_mem = &r1;
	p.nr_reserve_mem = 1;
	p.with_kho_test = true;
	assert_int_equal(kho_build(&p, &img), 0);
	assert_header(img.root_fdt, 236, 0x30, 0x40);
	assert_memory_equal((char *)img.root_fdt + fdt_off_dt_strings(img.root_fdt),
			    strings, sizeof(strings));
	static const char *const order[] = { "kho_test", "memblock" }; /* call order */
	assert_subnodes(img.root_fdt, order, 2);
	assert_int_equal(blob(&img, "memblock")->len, 206);
	kho_image_free(&img);
}

static void test_boot_view_is_empty(void **state)
{
	struct kho_image img;
	struct kho_build_params p = params(KHO_ERA_E2, false);

	(void)state;
	assert_int_equal(kho_build(&p, &img), 0);
	/* E2: no memory map until finalize; the session block exists with count 0. */
	assert_int_equal(prop_u64(img.root_fdt, "/", "preserved-memory-map"), 0);
	const struct kho_blob *l = blob(&img, "LUO");
	uint64_t sessions = prop_u64(l->data, "/luo-session", "luo-session-header");
	assert_non_null(mem(&img, sessions, 16 * 4096));
	assert_int_equal(u64_at(mem(&img, sessions, 8)), 0);
	kho_image_free(&img);

	p = params(KHO_ERA_E6, false);
	assert_int_equal(kho_build(&p, &img), 0);
	assert_int_not_equal(prop_u64(img.root_fdt, "/", "preserved-memory-map"), 0);
	assert_int_equal(u64_at((uint8_t *)blob(&img, "LUO")->data + 16),
			 0); /* sessions_pa */
	kho_image_free(&img);
}

/* E2 at reboot: session block, file array, memfd-v1 record, folio list. */
static void test_e2_records(void **state)
{
	struct kho_build_params p = params(KHO_ERA_E2, true);
	struct kho_image img;
	struct luo_session_ser s;
	struct luo_file_ser f;
	struct memfd_luo_ser_v1 m;
	struct kho_vmalloc_chunk chunk;

	(void)state;
	assert_int_equal(kho_build(&p, &img), 0);
	assert_int_not_equal(prop_u64(img.root_fdt, "/", "preserved-memory-map"), 0);
	uint64_t block =
		prop_u64(blob(&img, "LUO")->data, "/luo-session", "luo-session-header");
	assert_int_equal(block % (16 * 4096), 0);
	assert_int_equal(u64_at(mem(&img, block, 8)), 1);
	memcpy(&s, mem(&img, block + 8, sizeof(s)), sizeof(s));
	assert_string_equal(s.name, "vm0");
	assert_int_equal(s.count, 1);
	memcpy(&f, mem(&img, s.files, sizeof(f)), sizeof(f));
	assert_string_equal(f.compatible, "memfd-v1");
	assert_int_equal(f.token, 1);
	memcpy(&m, mem(&img, f.data, sizeof(m)), sizeof(m));
	assert_int_equal(m.size, 0x200000);
	assert_int_equal(m.nr_folios, 512);
	assert_int_equal(m.folios_total_pages, 2); /* 512 * 16 bytes */
	memcpy(&chunk, mem(&img, m.folios_first, sizeof(chunk)), sizeof(chunk));
	assert_int_equal(chunk.next, 0);
	assert_int_not_equal(chunk.phys[0], 0);
	assert_int_not_equal(chunk.phys[1], 0);
	assert_int_equal(chunk.phys[2], 0);
	const struct memfd_luo_folio_ser *fo =
		(const void *)mem(&img, chunk.phys[1], 4096);
	assert_int_equal(fo[255].index, 511);
	assert_int_equal(fo[255].pfn_flags >> 52,
			 MEMFD_FOLIO_DIRTY | MEMFD_FOLIO_UPTODATE);
	/* Data pages are not simulated memory: only their PFNs are listed. */
	assert_null(mem(&img, (fo[0].pfn_flags & ((1ull << 52) - 1)) << 12, 1));
	kho_image_free(&img);
}

/* Reads the radix tree of §7.2 by its definition. */
static bool radix_has(const struct kho_image *img, uint64_t root, uint64_t pa,
		      unsigned order)
{
	uint64_t key = (1ull << (52 - order)) | (pa >> (12 + order));
	uint64_t node = root;

	for (int level = 5; level >= 1; level--) {
		const uint8_t *n = mem(img, node, 4096);
		unsigned idx = (key >> (15 + 9 * (level - 1))) & 511;
		if (!n)
			return false;
		node = u64_at(n + idx * 8);
		if (!node)
			return false;
	}
	const uint8_t *leaf = mem(img, node, 4096);
	unsigned bit = key & 0x7fff;
	return leaf && (leaf[bit / 8] >> (bit % 8)) & 1;
}

static void test_e6_chains_and_radix(void **state)
{
	struct kho_build_params p = params(KHO_ERA_E6, true);
	struct kho_image img;
	struct kho_block_header_ser h;
	struct luo_session_ser s;
	struct luo_file_ser f;
	struct memfd_luo_ser_v2 m;

	(void)state;
	assert_int_equal(kho_build(&p, &img), 0);
	const struct kho_blob *l = blob(&img, "LUO");
	assert_memory_equal(l->data, "luo-v5\0\0", 8);
	assert_int_equal(u64_at((uint8_t *)l->data + 8), 1);
	uint64_t sessions = u64_at((uint8_t *)l->data + 16);
	memcpy(&h, mem(&img, sessions, sizeof(h)), sizeof(h));
	assert_int_equal(h.next, 0);
	assert_int_equal(h.count, 1);
	memcpy(&s, mem(&img, sessions + 16, sizeof(s)), sizeof(s));
	assert_string_equal(s.name, "vm0");
	memcpy(&h, mem(&img, s.files, sizeof(h)), sizeof(h));
	assert_int_equal(h.count, 1);
	memcpy(&f, mem(&img, s.files + 16, sizeof(f)), sizeof(f));
	assert_string_equal(f.compatible, "memfd-v2");
	memcpy(&m, mem(&img, f.data, sizeof(m)), sizeof(m));
	assert_int_equal(m.nr_folios, 512);

	uint64_t root = prop_u64(img.root_fdt, "/", "preserved-memory-map");
	assert_true(radix_has(&img, root, l->phys, 0));
	assert_true(radix_has(&img, root, sessions, 0));
	assert_true(radix_has(&img, root, f.data, 0));
	assert_false(radix_has(&img, root, root, 0)); /* tree pages are not preserved */
	kho_image_free(&img);
}

/*
 * luosim republishes memory as sessions are held but keeps out/ from boot: the
 * held image must show the boot image's out/fdt bytes and blob addresses, and
 * its radix root (where out/fdt points) must hold the held memfd's folios.
 */
static void test_e6_held_keeps_boot_addresses(void **state)
{
	struct kho_build_params p = params(KHO_ERA_E6, false);
	struct kho_image boot, held;

	(void)state;
	p.with_flb = true;
	p.nr_sessions = 0;
	assert_int_equal(kho_build(&p, &boot), 0);
	p.nr_sessions = 1;
	p.held = true;
	assert_int_equal(kho_build(&p, &held), 0);
	assert_int_equal(held.root_debugfs_len, boot.root_debugfs_len);
	assert_memory_equal(held.root_fdt, boot.root_fdt, boot.root_debugfs_len);
	assert_int_equal(held.root_phys, boot.root_phys);
	assert_int_equal(held.nr_blobs, boot.nr_blobs);
	for (size_t i = 0; i < boot.nr_blobs; i++) {
		assert_string_equal(held.blobs[i].name, boot.blobs[i].name);
		assert_int_equal(held.blobs[i].phys, boot.blobs[i].phys);
		assert_int_equal(held.blobs[i].len, boot.blobs[i].len);
		assert_memory_equal(held.blobs[i].data, boot.blobs[i].data,
				    boot.blobs[i].len);
	}
	uint64_t root = prop_u64(boot.root_fdt, "/", "preserved-memory-map");
	assert_int_equal(prop_u64(held.root_fdt, "/", "preserved-memory-map"), root);
	assert_int_equal(u64_at((uint8_t *)blob(&held, "LUO")->data + 16), 0);
	assert_true(radix_has(&held, root, 0x200000000ull, 0)); /* the first folio */
	assert_false(radix_has(&boot, root, 0x200000000ull, 0));
	kho_image_free(&boot);
	kho_image_free(&held);
}

static void test_e7_composites(void **state)
{
	struct kho_build_params p = params(KHO_ERA_E7, true);
	struct kho_image img;

	(void)state;
	assert_int_equal(kho_build(&p, &img), 0);
	assert_string_equal(fdt_getprop(img.root_fdt, 0, "compatible", NULL),
			    "kho-v4;radix-v1;vmalloc-v1");
	assert_int_equal(prop_u64(img.root_fdt, "/LUO", "blob-size"), 0x28);
	assert_memory_equal(blob(&img, "LUO")->data, "luo-v5;block-v1\0", 16);
	kho_image_free(&img);
}

static void test_rejects(void **state)
{
	static char long_name[80];
	struct kho_build_session bad = { long_name, NULL, 0 };
	static struct kho_build_session many[820];
	static struct kho_build_file files[129];
	struct kho_build_session full = { "full", files, 129 };
	struct kho_build_params p = params(KHO_ERA_E2, true);
	struct kho_image img;

	(void)state;
	memset(long_name, 'x', 64);
	p.sessions = &bad;
	assert_int_equal(kho_build(&p, &img), -EINVAL);
	assert_null(img.root_fdt);
	for (size_t i = 0; i < 820; i++)
		many[i].name = "s";
	p.sessions = many;
	p.nr_sessions = 820; /* the 16-page block holds 819 */
	assert_int_equal(kho_build(&p, &img), -ENOSPC);
	p.nr_sessions = 819;
	assert_int_equal(kho_build(&p, &img), 0);
	kho_image_free(&img);
	p.sessions = &full;
	p.nr_sessions = 1; /* the 2-page file array holds 128 */
	assert_int_equal(kho_build(&p, &img), -ENOSPC);
	p = params(KHO_ERA_E1, true);
	p.sessions = &vm0;
	p.nr_sessions = 1;
	assert_int_equal(kho_build(&p, &img), -EINVAL);
	p.era = (enum kho_era)42;
	assert_int_equal(kho_build(&p, &img), -EINVAL);
}

static void test_era_names(void **state)
{
	enum kho_era e;

	(void)state;
	assert_int_equal(kho_era_parse("E6", &e), 0);
	assert_int_equal(e, KHO_ERA_E6);
	assert_int_equal(kho_era_parse("2", &e), 0);
	assert_int_equal(e, KHO_ERA_E2);
	assert_int_equal(kho_era_parse("E3", &e), -EINVAL); /* a label only, §1 */
	assert_string_equal(kho_era_name(KHO_ERA_E7), "E7");
	assert_string_equal(kho_era_root_compatible(KHO_ERA_E4), "kho-v2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_e5_worked_example),
		cmocka_unit_test(test_kexec_metadata_bytes),
		cmocka_unit_test(test_era_sizes),
		cmocka_unit_test(test_e1_sequential_root),
		cmocka_unit_test(test_boot_view_is_empty),
		cmocka_unit_test(test_e2_records),
		cmocka_unit_test(test_e6_chains_and_radix),
		cmocka_unit_test(test_e6_held_keeps_boot_addresses),
		cmocka_unit_test(test_e7_composites),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_era_names),
	};

	return cmocka_run_group_tests_name("kho-build", tests, NULL, NULL);
}
