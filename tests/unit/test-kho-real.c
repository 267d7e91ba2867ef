// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The decoders on hand-overs of real Linux 7.2/7.3 kernels
 * (tests/fixtures/real/<version>/[zero/|many/]<before|after>/: one session,
 * none, eight; taken in the test VM with
 * `luoctl dump --save --deep`): debugfs as the kernel shows it and the pages
 * of physical memory the deep decode reads. Every expectation comes from the
 * kernel's behaviour (kexec_handover.c, luo_core.c, luo_session.c), checked
 * against the bytes; a version without fixtures is skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "kho/kho-decode.h"
#include "kho/kho-deep.h"
#include "kho/kho-fdt.h"
#include "kho/kho-mem.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct file {
	uint8_t *data;
	size_t len;
};

static char fixtures[4096];

static bool load(const char *dir, const char *name, struct file *f)
{
	char path[8192];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	assert_int_equal(fstat(fd, &st), 0);
	f->len = (size_t)st.st_size;
	f->data = malloc(f->len + 1);
	assert_non_null(f->data);
	assert_int_equal(read(fd, f->data, f->len), (ssize_t)f->len);
	f->data[f->len] = '\0';
	close(fd);
	return true;
}

static struct kho_mem *memory(const char *dir, int *fd)
{
	char path[8192];
	struct kho_mem *m;
	struct kho_error err;

	snprintf(path, sizeof(path), "%s/memory.elf", dir);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(*fd >= 0);
	assert_int_equal(kho_mem_open_fd(*fd, &m, &err), 0);
	return m;
}

/* Calls fn for each <version>/<side> directory present. */
static size_t each(const char *side, void (*fn)(const char *dir, const char *version))
{
	DIR *d = opendir(fixtures);
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d))) {
		char dir[8192];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s/%s", fixtures, e->d_name, side);
		if (stat(dir, &st) || !S_ISDIR(st.st_mode))
			continue;
		fn(dir, e->d_name);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

/* The bytes the live tree must hold before the kexec: set per fixture set. */
static uint64_t want_min_bytes, want_max_bytes;

/* Before the kexec: out/fdt cut by debugfs, the live tree, sessions_pa 0. */
static void before(const char *dir, const char *version)
{
	struct file root, luo, rel;
	struct kho_fdt fdt;
	struct kho_root_info ri;
	struct kho_issues is = { 0 };
	struct kho_deep_map map;
	struct kho_luo_info li;
	struct kho_deep deep;
	struct kho_error err;
	int fd;

	(void)version;
	assert_true(load(dir, "out/fdt", &root));
	assert_true(load(dir, "out/sub_fdts/LUO", &luo));
	assert_true(load(dir, "release", &rel));
	assert_int_equal(kho_fdt_parse(root.data, root.len, &fdt, &err), -ENODATA);
	assert_int_equal(kho_fdt_parse_cut(root.data, root.len, &fdt, &err), 0);
	assert_true(fdt.cut);
	assert_int_equal(fdt.names_lost, 0);
	assert_int_equal(kho_root_decode(&fdt, &ri, &is), 0);
	assert_int_equal(is.problems, 0);
	assert_string_equal(ri.compatible, "kho-v4");
	assert_string_equal(ri.map_kind, "radix-tree");

	struct kho_mem *m = memory(dir, &fd);
	assert_int_equal(kho_deep_map(m, ri.map_kind, ri.map, &map, &err), 0);
	/* The memfds' folios are in the live tree from PRESERVE_FD on. */
	assert_true(map.bytes >= want_min_bytes);
	assert_true(map.bytes <= want_max_bytes);
	uint64_t sum = 0;
	for (size_t i = 0; i < map.nr_ranges; i++) {
		const struct kho_deep_range *r = &map.ranges[i];
		assert_int_equal(r->phys % (4096ull << r->order), 0);
		sum += r->bytes;
	}
	assert_int_equal(sum, map.bytes);

	assert_int_equal(kho_luo_struct_decode(luo.data, luo.len, &li, &err), 0);
	assert_string_equal(li.compatible, "luo-v5");
	assert_int_equal(li.sessions_pa, 0); /* written only at the kexec */
	assert_int_not_equal(li.flbs_pa, 0);
	assert_int_equal(kho_deep_luo(m, &li, &deep, &err), 0);
	assert_int_equal(deep.nr_sessions, 0);
	assert_int_equal(deep.flb_pgcnt, 1);
	/* The blobs the root names are in the tree it roots. */
	for (size_t s = 0; s < ri.nr_subs; s++) {
		bool found = false;
		for (size_t i = 0; i < map.nr_ranges && !found; i++) {
			const struct kho_deep_range *r = &map.ranges[i];
			found = ri.subs[s].phys - r->phys < r->bytes;
		}
		assert_true(found);
	}
	kho_deep_free(&deep);
	kho_deep_map_free(&map);
	kho_mem_close(m);
	close(fd);
	kho_root_info_free(&ri);
	kho_issues_free(&is);
	kho_fdt_free(&fdt);
	free(root.data);
	free(luo.data);
	free(rel.data);
}

/* After it: in/ whole, the LUO blob and the tree's pages reused, metadata kept. */
static void after(const char *dir, const char *version)
{
	struct file root, luo, md, rel;
	struct kho_fdt fdt;
	struct kho_root_info ri;
	struct kho_issues is = { 0 };
	struct kho_deep_map map;
	struct kho_luo_info li;
	struct kho_kexec_md_info mdi;
	struct kho_error err;
	int fd;

	(void)version;
	assert_true(load(dir, "in/fdt", &root));
	assert_true(load(dir, "in/sub_fdts/LUO", &luo));
	assert_true(load(dir, "in/sub_fdts/kexec-metadata", &md));
	assert_true(load(dir, "release", &rel));
	assert_int_equal(kho_fdt_parse(root.data, root.len, &fdt, &err), 0);
	assert_int_equal(kho_root_decode(&fdt, &ri, &is), 0);
	assert_int_equal(is.problems, 0);
	assert_string_equal(ri.compatible, "kho-v4");
	/* Freed at boot (luo_early_startup -> kho_restore_free). */
	assert_int_not_equal(kho_luo_struct_decode(luo.data, luo.len, &li, &err), 0);
	assert_int_equal(kho_kexec_metadata_decode(md.data, md.len, &mdi, &err), 0);
	rel.data[strcspn((char *)rel.data, "\n")] = '\0';
	assert_string_equal(mdi.release, (char *)rel.data);
	assert_int_equal(mdi.kexec_count, 1);
	/* Not preserved, walked once at boot: whatever reuses the pages now. */
	struct kho_mem *m = memory(dir, &fd);
	if (kho_deep_map(m, ri.map_kind, ri.map, &map, &err))
		assert_true(strstr(err.msg, "not the physical address of a page") ||
			    strstr(err.msg, "not in the memory image") ||
			    strstr(err.msg, "no valid order bit"));
	kho_deep_map_free(&map);
	kho_mem_close(m);
	close(fd);
	kho_root_info_free(&ri);
	kho_issues_free(&is);
	kho_fdt_free(&fdt);
	free(root.data);
	free(luo.data);
	free(md.data);
	free(rel.data);
}

/*
 * The fixture sets: one session (1 MiB and a message), none (what KHO keeps
 * of its own: its blobs' pages, no memfd data) and eight (16 files,
 * 2,654,244 bytes); before the kexec with the bytes the live tree must hold.
 */
struct fixture_set {
	const char *side;
	void (*check)(const char *dir, const char *version);
	uint64_t min_bytes, max_bytes;
};

static const struct fixture_set sets[] = {
	{ "before", before, 1 << 20, UINT64_MAX },
	{ "after", after, 0, 0 },
	{ "zero/before", before, 4096, 65535 },
	{ "zero/after", after, 0, 0 },
	{ "many/before", before, 2654244, UINT64_MAX },
	{ "many/after", after, 0, 0 },
};

static void test_set(void **state)
{
	const struct fixture_set *f = *state;

	want_min_bytes = f->min_bytes;
	want_max_bytes = f->max_bytes;
	if (!each(f->side, f->check))
		skip();
}

int main(void)
{
	const char *src = getenv("abs_top_srcdir");
	struct CMUnitTest tests[ARRAY_SIZE(sets)];

	for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
		tests[i] = (struct CMUnitTest){ .name = sets[i].side, .test_func = test_set,
						.initial_state = (void *)&sets[i] };

	snprintf(fixtures, sizeof(fixtures), "%s/tests/fixtures/real", src ? src : ".");
	return cmocka_run_group_tests_name("kho-real", tests, NULL, NULL);
}
