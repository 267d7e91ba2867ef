// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luosim's state directory: a handover written at a kexec reads back as the
 * same sessions and files; foreign, corrupt or incomplete state is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "luosim.h"

/* The messages helpers live in luosim's main.c; the state code needs none. */
void luosim_err(const char *fmt, ...)
{
	(void)fmt;
}

void luosim_errno(int err, const char *fmt, ...)
{
	(void)err;
	(void)fmt;
}

static char *make_dir(void)
{
	char tmpl[] = "/tmp/test-luosim-state.XXXXXX";
	char *dir = mkdtemp(tmpl);

	assert_non_null(dir);
	return strdup(dir);
}

static void write_text(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static struct luo_session *outgoing(const char *name)
{
	struct luo_session *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->kept = -1;
	return s;
}

static void add_memfd(struct luo_session *s, uint64_t token, const char *data, off_t size,
		      off_t pos)
{
	int fd = memfd_create("t", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, size), 0);
	assert_int_equal(pwrite(fd, data, strlen(data), 0), (ssize_t)strlen(data));
	assert_int_equal(lseek(fd, pos, SEEK_SET), pos);
	s->files = realloc(s->files, (s->nr_files + 1) * sizeof(*s->files));
	assert_non_null(s->files);
	s->files[s->nr_files++] = (struct luo_file){ .token = token, .fd = fd };
	s->cap_files = s->nr_files;
}

static void test_round_trip(void **state)
{
	char *dir = make_dir();
	const char *why = "";
	struct luo_emu out, in;
	struct luosim_handover h = { .mode = LUO_MODE_7_2,
				     .boot = 3,
				     .kexec_count = 2,
				     .carries_luo = true },
			       got = { 0 };
	struct luo_session *a = outgoing("db \x01 name"), *b = outgoing("");
	char buf[16] = "";

	assert_int_equal(state_open(dir, true, &why), 0);
	strcpy(h.release, "6.19.0-test");
	emu_init(&out, LUO_MODE_7_2, -1);
	add_memfd(a, 0, "hello", 1 << 20, 3);
	add_memfd(a, UINT64_MAX, "x", 1, 1);
	out.sessions = calloc(2, sizeof(*out.sessions));
	out.sessions[0] = a;
	out.sessions[1] = b;
	out.nr_sessions = out.cap_sessions = 2;
	assert_int_equal(state_write_handover(dir, &h, &out), 0);
	emu_free(&out);

	assert_int_equal(state_peek(dir, &got), 1);
	assert_int_equal(got.boot, 3);
	emu_init(&in, LUO_MODE_7_2, -1);
	assert_int_equal(state_take_handover(dir, &got, &in, &why), 1);
	assert_int_equal(got.kexec_count, 2);
	assert_string_equal(got.release, "6.19.0-test");
	assert_int_equal(in.nr_sessions, 2);
	assert_int_equal(in.deser_error, 0);
	assert_string_equal(in.sessions[0]->name, "db \x01 name");
	assert_true(in.sessions[0]->incoming);
	assert_int_equal(in.sessions[0]->nr_files, 2);
	assert_int_equal(in.sessions[0]->files[0].size, 1 << 20);
	assert_int_equal(in.sessions[0]->files[0].pos, 3);
	assert_true(in.sessions[0]->files[1].token == UINT64_MAX);
	assert_string_equal(in.sessions[1]->name, "");
	/* The content is in the data file, holes and all. */
	int fd = open(in.sessions[0]->files[0].data_path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, 5), 5);
	assert_string_equal(buf, "hello");
	close(fd);
	/* Taken: the next boot is a cold one. */
	assert_int_equal(state_peek(dir, &got), 0);
	emu_free(&in);
	remove_tree(dir);
	free(dir);
	(void)state;
}

static void test_foreign_and_versions(void **state)
{
	char *dir = make_dir();
	const char *why = "";

	write_text(dir, "precious", "data");
	assert_int_equal(state_open(dir, true, &why), -EINVAL);
	assert_non_null(strstr(why, "not a luosim state directory"));
	write_text(dir, "luosim-state", "luosim-state 2\n");
	assert_int_equal(state_open(dir, true, &why), -EINVAL);
	assert_non_null(strstr(why, "unsupported"));
	write_text(dir, "luosim-state", "something else\n");
	assert_int_equal(state_open(dir, true, &why), -EINVAL);
	assert_non_null(strstr(why, "corrupt"));
	remove_tree(dir);
	free(dir);
	(void)state;
}

static const char *const corrupt_manifests[] = {
	"garbage\n",
	"luosim-handover 1\nkernel 9.9\nboot 2\nkexec_count 1\nrelease r\nluo 1\nsessions 0\nend\n",
	"luosim-handover 1\nkernel 7.2\nboot 2\nkexec_count 1\nrelease r\nluo 1\nsessions 1\n",
	"luosim-handover 1\nkernel 7.2\nboot 2\nkexec_count 1\nrelease r\nluo 1\nsessions 1\n"
	"session 6g 0\nend\n",
	"luosim-handover 1\nkernel 7.2\nboot 2\nkexec_count 1\nrelease r\nluo 1\nsessions 1\n"
	"session 6161 1\nfile zz 1 0 0\nend\n",
	"luosim-handover 1\nkernel 7.2\nboot 2\nkexec_count 1\nrelease r\nluo 1\nsessions 0\n",
};

static void test_corrupt_manifests(void **state)
{
	for (size_t i = 0; i < sizeof(corrupt_manifests) / sizeof(corrupt_manifests[0]);
	     i++) {
		char *dir = make_dir(), path[512];
		const char *why = "";
		struct luosim_handover h = { 0 };
		struct luo_emu e;

		assert_int_equal(state_open(dir, true, &why), 0);
		snprintf(path, sizeof(path), "%s/handover", dir);
		assert_int_equal(mkdir(path, 0700), 0);
		write_text(path, "manifest", corrupt_manifests[i]);
		emu_init(&e, LUO_MODE_7_2, -1);
		assert_int_equal(state_take_handover(dir, &h, &e, &why), -EINVAL);
		assert_int_equal(e.nr_sessions, 0);
		/* Never a silent cold boot: the handover is left where it was. */
		assert_int_equal(access(path, F_OK), 0);
		remove_tree(dir);
		free(dir);
	}
	(void)state;
}

static void test_missing_data_is_a_file_failure(void **state)
{
	char *dir = make_dir(), path[512];
	const char *why = "";
	struct luosim_handover h = { 0 };
	struct luo_emu e;

	assert_int_equal(state_open(dir, true, &why), 0);
	snprintf(path, sizeof(path), "%s/handover", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	write_text(
		path, "manifest",
		"luosim-handover 1\nkernel 7.2\nboot 2\nkexec_count 1\nrelease r\nluo 1\n"
		"sessions 1\nsession 6161 1\nfile 1 10 0 0\nend\n");
	emu_init(&e, LUO_MODE_7_2, -1);
	assert_int_equal(state_take_handover(dir, &h, &e, &why), 1);
	assert_int_equal(e.nr_sessions, 1);
	assert_int_equal(e.deser_error, -EIO);
	emu_free(&e);
	remove_tree(dir);
	free(dir);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_foreign_and_versions),
		cmocka_unit_test(test_corrupt_manifests),
		cmocka_unit_test(test_missing_data_is_a_file_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
