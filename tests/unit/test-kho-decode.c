// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Decoders on the builder's blobs of every era, on blobs written with libfdt
 * to show one defect each, and on every truncation and every single-byte
 * corruption of a root: each must decode or fail with an offset inside the
 * input and a message, never crash (the suite also runs under ASan+UBSan).
 */
#include <errno.h>
#include <libfdt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kho/kho-build.h"
#include "kho/kho-decode.h"
#include "kho/kho-fdt.h"

static const struct kho_build_file vm0_file = { .token = 1, .size = 0x200000 };
static const struct kho_build_session vm0 = { "vm0", &vm0_file, 1 };

static void build(enum kho_era era, bool serialized, struct kho_image *img)
{
	struct kho_build_params p = {
		.era = era,
		.liveupdate_num = 5,
		.release = "7.2.0",
		.kexec_count = 4,
		.serialized = serialized,
		.with_flb = era >= KHO_ERA_E4,
		.sessions = era == KHO_ERA_E1 ? NULL : &vm0,
		.nr_sessions = era != KHO_ERA_E1,
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

static void test_root_era_detection(void **state)
{
	static const struct {
		enum kho_era era;
		const char *name, *map;
		size_t subs;
	} cases[] = {
		{ KHO_ERA_E1, "E1/E2", "chunk-list", 0 },
		{ KHO_ERA_E2, "E2", "chunk-list", 1 },
		{ KHO_ERA_E4, "E4", "radix-tree", 1 },
		{ KHO_ERA_E5, "E5", "radix-tree", 2 },
		{ KHO_ERA_E6, "E6", "radix-tree", 2 },
		{ KHO_ERA_E7, "E7", "radix-tree", 2 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kho_image img;
		struct kho_fdt fdt;
		struct kho_root_info ri;
		struct kho_issues is = { 0 };
		struct kho_error err;

		build(cases[i].era, true, &img);
		assert_int_equal(kho_fdt_parse(img.root_fdt, img.root_len, &fdt, &err),
				 0);
		assert_int_equal(kho_classify("", img.root_fdt, img.root_len, &fdt),
				 KHO_KIND_ROOT);
		assert_int_equal(kho_root_decode(&fdt, &ri, &is), 0);
		assert_string_equal(ri.era, cases[i].name);
		assert_string_equal(ri.map_kind, cases[i].map);
		assert_int_equal(ri.nr_subs, cases[i].subs);
		assert_int_equal(is.problems, 0);
		if (cases[i].subs)
			assert_int_equal(ri.subs[0].phys, blob(&img, "LUO")->phys);
		kho_root_info_free(&ri);
		kho_issues_free(&is);
		kho_fdt_free(&fdt);
		kho_image_free(&img);
	}
}

static void test_e2_unfinalized_is_a_note(void **state)
{
	struct kho_image img;
	struct kho_fdt fdt;
	struct kho_root_info ri;
	struct kho_issues is = { 0 };

	(void)state;
	build(KHO_ERA_E2, false, &img);
	assert_int_equal(kho_fdt_parse(img.root_fdt, img.root_len, &fdt, NULL), 0);
	assert_int_equal(kho_root_decode(&fdt, &ri, &is), 0);
	assert_int_equal(ri.map, 0);
	assert_int_equal(is.problems, 0);
	assert_int_equal(is.n, 1);
	assert_non_null(strstr(is.v[0].msg, "not finalized"));
	kho_root_info_free(&ri);
	kho_issues_free(&is);
	kho_fdt_free(&fdt);
	kho_image_free(&img);
}

static void test_luo_fdt(void **state)
{
	struct kho_image img;
	struct kho_fdt fdt;
	struct kho_luo_info li;
	struct kho_issues is = { 0 };

	(void)state;
	build(KHO_ERA_E5, true, &img);
	const struct kho_blob *b = blob(&img, "LUO");
	assert_int_equal(kho_fdt_parse(b->data, b->len, &fdt, NULL), 0);
	assert_int_equal(kho_classify("LUO", b->data, b->len, &fdt), KHO_KIND_LUO_FDT);
	assert_int_equal(kho_luo_fdt_decode(&fdt, &li, &is), 0);
	assert_int_equal(is.n, 0);
	assert_int_equal(li.version, 1);
	assert_int_equal(li.liveupdate_num, 5);
	assert_true(li.has_sessions && li.has_flb);
	assert_int_equal(li.sessions_pa % (16 * 4096), 0);
	assert_string_equal(li.session_compatible, "luo-session-v2");
	assert_string_equal(li.flb_compatible, "luo-flb-v1");
	kho_issues_free(&is);
	kho_fdt_free(&fdt);
	kho_image_free(&img);
}

static void test_luo_struct(void **state)
{
	struct kho_image img;
	struct kho_luo_info li;
	struct kho_error err;

	(void)state;
	build(KHO_ERA_E7, true, &img);
	const struct kho_blob *b = blob(&img, "LUO");
	assert_int_equal(kho_classify("LUO", b->data, b->len, NULL), KHO_KIND_LUO_STRUCT);
	assert_int_equal(kho_luo_struct_decode(b->data, b->len, &li, &err), 0);
	assert_string_equal(li.compatible, "luo-v5;block-v1");
	assert_int_equal(li.version, 5);
	assert_int_equal(li.struct_len, 40);
	assert_int_equal(li.liveupdate_num, 5);
	assert_int_not_equal(li.sessions_pa, 0);
	/* Any shorter blob lacks part of the three u64s: truncated, at its end. */
	for (size_t len = 0; len < 40; len++) {
		int rc = kho_luo_struct_decode(b->data, len, &li, &err);
		assert_true(rc == -ENODATA || rc == -EINVAL);
		assert_true(err.offset <= len);
		assert_true(err.msg[0]);
	}
	kho_image_free(&img);
}

static void test_luo_feature_header(void **state)
{
	uint8_t buf[152] = { 0 };
	uint64_t v[3] = { 7, 42, 0x1000 };
	struct kho_luo_info li;

	(void)state;
	buf[0] = 0x7; /* supp: number, sessions, FLBs */
	memcpy(buf + 128, v, sizeof(v));
	assert_int_equal(kho_luo_struct_decode(buf, sizeof(buf), &li, NULL), 0);
	assert_int_equal(li.form, KHO_LUO_FEATURES);
	assert_int_equal(li.supp, 7);
	assert_int_equal(li.sessions_pa, 42);
	assert_int_equal(li.flbs_pa, 0x1000);
}

static void test_kexec_metadata(void **state)
{
	struct kho_image img;
	struct kho_kexec_md_info md;
	struct kho_error err;
	uint8_t bad[73];

	(void)state;
	build(KHO_ERA_E6, false, &img);
	const struct kho_blob *b = blob(&img, "kexec-metadata");
	assert_int_equal(kho_classify("kexec-metadata", b->data, b->len, NULL),
			 KHO_KIND_KEXEC_METADATA);
	assert_int_equal(kho_classify("", b->data, b->len, NULL),
			 KHO_KIND_KEXEC_METADATA);
	assert_int_equal(kho_kexec_metadata_decode(b->data, b->len, &md, &err), 0);
	assert_string_equal(md.release, "7.2.0");
	assert_int_equal(md.kexec_count, 4);
	assert_int_equal(kho_kexec_metadata_decode(b->data, 72, &md, &err), -ENODATA);
	assert_int_equal(err.offset, 72);
	memcpy(bad, b->data, sizeof(bad));
	bad[0] = 2;
	assert_int_equal(kho_kexec_metadata_decode(bad, sizeof(bad), &md, &err), -EINVAL);
	assert_int_equal(err.offset, 0);
	assert_non_null(strstr(err.msg, "version 2"));
	kho_image_free(&img);
}

static void test_truncations(void **state)
{
	struct kho_image img;
	struct kho_fdt fdt;
	struct kho_error err;

	(void)state;
	build(KHO_ERA_E5, true, &img);
	for (size_t len = 0; len < img.root_len; len++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(kho_fdt_parse(img.root_fdt, len, &fdt, &err), -ENODATA);
		assert_true(err.truncated);
		assert_int_equal(err.offset, len);
		assert_true(err.msg[0]);
		assert_null(fdt.nodes);
	}
	kho_image_free(&img);
}

/* Every byte of a root set to three values: decoded or refused, never more. */
static void test_corruptions(void **state)
{
	static const uint8_t values[] = { 0x00, 0xff, 0x03 };
	struct kho_image img;
	size_t refused = 0;

	(void)state;
	build(KHO_ERA_E6, true, &img);
	uint8_t *copy = malloc(img.root_len);
	for (size_t off = 0; off < img.root_len; off++) {
		for (size_t v = 0; v < sizeof(values); v++) {
			struct kho_fdt fdt;
			struct kho_error err = { 0 };
			memcpy(copy, img.root_fdt, img.root_len);
			copy[off] = values[v];
			int rc = kho_fdt_parse(copy, img.root_len, &fdt, &err);
			if (rc) {
				refused++;
				assert_true(rc == -EINVAL || rc == -ENODATA);
				assert_true(err.offset <= img.root_len);
				assert_true(err.msg[0]);
				continue;
			}
			struct kho_root_info ri;
			struct kho_issues is = { 0 };
			if (kho_classify("", copy, img.root_len, &fdt) == KHO_KIND_ROOT) {
				assert_int_equal(kho_root_decode(&fdt, &ri, &is), 0);
				kho_root_info_free(&ri);
			}
			kho_issues_free(&is);
			kho_fdt_free(&fdt);
		}
	}
	assert_true(refused > 0);
	free(copy);
	kho_image_free(&img);
}

/* Named defects: the offset points at the broken field. */
static void test_defect_offsets(void **state)
{
	struct kho_image img;
	struct kho_fdt fdt;
	struct kho_error err;
	uint8_t copy[4096];

	(void)state;
	build(KHO_ERA_E6, true, &img);
	memcpy(copy, img.root_fdt, img.root_len);
	copy[0] = 0;
	assert_int_equal(kho_fdt_parse(copy, img.root_len, &fdt, &err), -EINVAL);
	assert_int_equal(err.offset, 0);
	assert_non_null(strstr(err.msg, "magic"));

	memcpy(copy, img.root_fdt, img.root_len);
	fdt_set_version(copy, 16);
	assert_int_equal(kho_fdt_parse(copy, img.root_len, &fdt, &err), -EINVAL);
	assert_int_equal(err.offset, 20);

	/* First property of / : its name offset points past the strings block. */
	uint32_t prop = fdt_off_dt_struct(img.root_fdt) + 8; /* after BEGIN_NODE "" */
	memcpy(copy, img.root_fdt, img.root_len);
	uint32_t big = cpu_to_fdt32(0x10000);
	memcpy(copy + prop + 8, &big, 4);
	assert_int_equal(kho_fdt_parse(copy, img.root_len, &fdt, &err), -EINVAL);
	assert_int_equal(err.offset, prop + 8);
	assert_non_null(strstr(err.msg, "name offset"));

	memcpy(copy, img.root_fdt, img.root_len);
	uint32_t tok = cpu_to_fdt32(0x77);
	memcpy(copy + prop, &tok, 4);
	assert_int_equal(kho_fdt_parse(copy, img.root_len, &fdt, &err), -EINVAL);
	assert_int_equal(err.offset, prop);
	assert_non_null(strstr(err.msg, "token"));

	memcpy(copy, img.root_fdt, img.root_len);
	uint32_t huge = cpu_to_fdt32(0x7fffffff);
	memcpy(copy + prop + 4, &huge, 4); /* value length */
	assert_int_equal(kho_fdt_parse(copy, img.root_len, &fdt, &err), -EINVAL);
	assert_int_equal(err.offset, prop + 4);
	kho_image_free(&img);
}

/* A root written by hand with libfdt to carry the defects §12 asks to flag. */
static void test_root_problems(void **state)
{
	char buf[4096];
	uint32_t short_map = 0;
	uint64_t phys = 0x1000;
	struct kho_fdt fdt;
	struct kho_root_info ri;
	struct kho_issues is = { 0 };

	(void)state;
	assert_int_equal(fdt_create(buf, sizeof(buf)), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	assert_int_equal(fdt_begin_node(buf, ""), 0);
	assert_int_equal(fdt_property_string(buf, "compatible", "kho-v3"), 0);
	assert_int_equal(fdt_property(buf, "preserved-memory-map", &short_map, 4), 0);
	assert_int_equal(fdt_begin_node(buf, "LUO"), 0);
	assert_int_equal(fdt_property(buf, "preserved-data", &phys, 8),
			 0); /* no blob-size */
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_begin_node(buf, "LUO"), 0); /* duplicate */
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_begin_node(buf, "extra"), 0);
	assert_int_equal(fdt_property_string(buf, "unknown", "kept"), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_finish(buf), 0);

	assert_int_equal(kho_fdt_parse(buf, fdt_totalsize(buf), &fdt, NULL), 0);
	assert_int_equal(kho_root_decode(&fdt, &ri, &is), 0);
	bool saw[4] = { false };
	for (size_t i = 0; i < is.n; i++) {
		saw[0] |= strstr(is.v[i].msg, "is 4 bytes, expected 8") != NULL;
		saw[1] |= strstr(is.v[i].msg, "no \"blob-size\"") != NULL;
		saw[2] |= strstr(is.v[i].msg, "duplicate") != NULL;
		saw[3] |= strstr(is.v[i].msg, "no properties") != NULL;
	}
	assert_true(saw[0] && saw[1] && saw[2] && saw[3]);
	assert_true(is.problems >= 4); /* map length, blob-size, duplicate, "extra" */
	/* The unknown property is kept and typed by content. */
	long extra = kho_fdt_child(&fdt, 0, "extra");
	assert_true(extra > 0);
	const struct kho_fdt_prop *p = kho_fdt_prop(&fdt, (size_t)extra, "unknown");
	assert_non_null(p);
	assert_int_equal(kho_prop_type(KHO_KIND_ROOT, &fdt, (size_t)extra, p),
			 KHO_V_STRING);
	kho_root_info_free(&ri);
	kho_issues_free(&is);
	kho_fdt_free(&fdt);
}

static void test_prop_types(void **state)
{
	struct kho_image img;
	struct kho_fdt fdt;

	(void)state;
	build(KHO_ERA_E5, true, &img);
	assert_int_equal(kho_fdt_parse(img.root_fdt, img.root_len, &fdt, NULL), 0);
	long luo = kho_fdt_child(&fdt, 0, "LUO");
	assert_true(luo > 0);
	assert_int_equal(kho_prop_type(KHO_KIND_ROOT, &fdt, (size_t)luo,
				       kho_fdt_prop(&fdt, (size_t)luo, "blob-size")),
			 KHO_V_SIZE);
	assert_int_equal(kho_prop_type(KHO_KIND_ROOT, &fdt, 0,
				       kho_fdt_prop(&fdt, 0, "preserved-memory-map")),
			 KHO_V_PHYS);
	/* The same name in an unknown FDT is not assumed to be an address. */
	assert_int_equal(kho_prop_type(KHO_KIND_FDT, &fdt, 0,
				       kho_fdt_prop(&fdt, 0, "preserved-memory-map")),
			 KHO_V_RAW);
	char path[64];
	assert_string_equal(kho_fdt_path(&fdt, (size_t)luo, path, sizeof(path)), "/LUO");
	kho_fdt_free(&fdt);
	kho_image_free(&img);
}


/*
 * debugfs out/fdt on 7.2/7.3: the root cut at the size it had with only
 * kexec-metadata (233 of 285 bytes). The structure is whole, the names come
 * from KHO's string table, and the root decodes as from the whole blob.
 */
static void test_cut_root(void **state)
{
	struct kho_image img;
	struct kho_fdt fdt, whole;
	struct kho_root_info ri, wri;
	struct kho_issues is = { 0 };
	struct kho_error err;

	(void)state;
	build(KHO_ERA_E6, false, &img);
	assert_int_equal(img.root_debugfs_len, 233);
	assert_int_equal(kho_fdt_parse(img.root_fdt, 233, &fdt, &err), -ENODATA);
	assert_int_equal(kho_fdt_parse_cut(img.root_fdt, 233, &fdt, &err), 0);
	assert_true(fdt.cut);
	assert_int_equal(fdt.avail, 233);
	assert_int_equal(fdt.struct_cut_at, 0);
	assert_int_equal(fdt.names_inferred, 6);
	assert_int_equal(fdt.names_lost, 0);
	assert_int_equal(kho_fdt_parse(img.root_fdt, img.root_len, &whole, NULL), 0);
	assert_int_equal(fdt.nr_props, whole.nr_props);
	for (size_t i = 0; i < fdt.nr_props; i++)
		assert_string_equal(fdt.props[i].name, whole.props[i].name);
	assert_int_equal(kho_root_decode(&fdt, &ri, &is), 0);
	assert_int_equal(kho_root_decode(&whole, &wri, &is), 0);
	assert_int_equal(is.problems, 0);
	assert_int_equal(ri.map, wri.map);
	assert_int_equal(ri.nr_subs, 2);
	assert_int_equal(ri.subs[0].size, wri.subs[0].size);
	kho_root_info_free(&ri);
	kho_root_info_free(&wri);
	kho_fdt_free(&whole);
	kho_fdt_free(&fdt);
	/* A complete input parses the same with either entry point. */
	assert_int_equal(kho_fdt_parse_cut(img.root_fdt, img.root_len, &fdt, NULL), 0);
	assert_false(fdt.cut);
	kho_fdt_free(&fdt);
	kho_image_free(&img);
}

/* Cut inside the structure block: whole nodes up to the cut, no error. */
static void test_cut_inside_struct(void **state)
{
	static const struct kho_build_region r1 = { "r1", 0x50000000, 0x100000 };
	struct kho_build_params p = { .era = KHO_ERA_E5, .release = "x",
				      .reserve_mem = &r1, .nr_reserve_mem = 1 };
	struct kho_image img;
	struct kho_fdt fdt;
	struct kho_error err;

	(void)state;
	assert_int_equal(kho_build(&p, &img), 0);
	assert_true(img.root_len > img.root_debugfs_len);
	for (size_t len = 48; len < img.root_len; len++) {
		int rc = kho_fdt_parse_cut(img.root_fdt, len, &fdt, &err);
		if (rc) {
			/* Only a cut before the structure block is left undecoded. */
			assert_int_equal(rc, -ENODATA);
			assert_true(len < 0x38 + 4 || err.offset <= len);
			continue;
		}
		assert_true(fdt.cut);
		assert_true(fdt.struct_cut_at <= len);
		for (size_t i = 0; i < fdt.nr_props; i++)
			assert_true(fdt.props[i].val + fdt.props[i].len <=
				    (const uint8_t *)img.root_fdt + len);
		kho_fdt_free(&fdt);
	}
	assert_int_equal(kho_fdt_parse_cut(img.root_fdt, 250, &fdt, &err), 0);
	assert_true(fdt.struct_cut_at > 0);
	kho_fdt_free(&fdt);
	kho_image_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_era_detection),
		cmocka_unit_test(test_e2_unfinalized_is_a_note),
		cmocka_unit_test(test_luo_fdt),
		cmocka_unit_test(test_luo_struct),
		cmocka_unit_test(test_luo_feature_header),
		cmocka_unit_test(test_kexec_metadata),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_corruptions),
		cmocka_unit_test(test_defect_offsets),
		cmocka_unit_test(test_root_problems),
		cmocka_unit_test(test_prop_types),
		cmocka_unit_test(test_cut_root),
		cmocka_unit_test(test_cut_inside_struct),
	};

	return cmocka_run_group_tests_name("kho-decode", tests, NULL, NULL);
}
