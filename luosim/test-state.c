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
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/magic.h>
#include <linux/seccomp.h>

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

/* Pages of FD's [0, size) now in the page cache. */
static size_t resident_pages(int fd, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = (size + page - 1) / page, in = 0;
	unsigned char *vec = calloc(n, 1);
	void *map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);

	assert_non_null(vec);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mincore(map, size, vec), 0);
	for (size_t i = 0; i < n; i++)
		in += vec[i] & 1;
	munmap(map, size);
	free(vec);
	return in;
}

#define CHECK(cond)                                                   \
	do {                                                          \
		if (!(cond)) {                                        \
			why = #cond;                                  \
			goto out;                                     \
		}                                                     \
	} while (0)

/*
 * A memfd of three data extents (one at offset 0, one in the middle, one of
 * several O_DIRECT chunks ending in a ragged tail) and holes between them goes
 * to a state file and back byte for byte, holes kept, offsets untouched. With
 * bypass, on a disk filesystem, the bulk must not have stayed in the page
 * cache. NULL, or the check that failed (plain C: it also runs in a child).
 */
static const char *copy_round_trip(bool bypass)
{
	const size_t mib = 1 << 20, size = 64 * mib + 1234;
	char *dir = make_dir(), path[512];
	unsigned char *want = calloc(size, 1), *got = malloc(size);
	int mfd = memfd_create("src", MFD_CLOEXEC), back = memfd_create("dst", MFD_CLOEXEC);
	const char *why = NULL;
	struct statfs fs;
	int file = -1;

	CHECK(want && got && mfd >= 0 && back >= 0);
	for (size_t i = 0; i < 3 * mib; i++)
		want[i] = (unsigned char)(i * 7 + 1);
	for (size_t i = 10 * mib; i < 13 * mib + 4096; i++)
		want[i] = (unsigned char)(i * 13 + 5);
	for (size_t i = 20 * mib; i < size; i++)
		want[i] = (unsigned char)(i * 3 + 2);
	CHECK(ftruncate(mfd, size) == 0);
	CHECK(pwrite(mfd, want, 3 * mib, 0) == 3 * mib);
	CHECK(pwrite(mfd, want + 10 * mib, 3 * mib + 4096, 10 * mib) == 3 * mib + 4096);
	CHECK(pwrite(mfd, want + 20 * mib, size - 20 * mib, 20 * mib) == size - 20 * mib);
	CHECK(lseek(mfd, 77, SEEK_SET) == 77);

	snprintf(path, sizeof(path), "%s/data", dir);
	file = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK(file >= 0);
	CHECK(ftruncate(file, size) == 0);
	CHECK(copy_memfd_to_file(mfd, file, size) == 0);
	CHECK(fdatasync(file) == 0);
	CHECK(lseek(mfd, 0, SEEK_CUR) == 77);
	CHECK(lseek(file, 0, SEEK_CUR) == 0);
	CHECK(!(fcntl(file, F_GETFL) & O_DIRECT));
	CHECK(statfs(path, &fs) == 0);
	/* At most the ragged tail's page went through the page cache. */
	CHECK(!bypass || fs.f_type == TMPFS_MAGIC || resident_pages(file, size) <= 1);
	CHECK(lseek(file, 0, SEEK_HOLE) >= (off_t)(3 * mib));
	CHECK(lseek(file, 3 * mib, SEEK_DATA) >= (off_t)(3 * mib));

	CHECK(ftruncate(back, size) == 0);
	CHECK(copy_file_to_memfd(file, back, size) == 0);
	CHECK(lseek(back, 0, SEEK_CUR) == 0);
	CHECK(pread(back, got, size, 0) == (ssize_t)size);
	CHECK(memcmp(got, want, size) == 0);
	/* The holes stayed holes: the middle of the first gap is not allocated. */
	CHECK(lseek(back, 0, SEEK_HOLE) == (off_t)(3 * mib));
	CHECK(lseek(back, 5 * mib, SEEK_DATA) == (off_t)(10 * mib));
out:
	if (file >= 0)
		close(file);
	close(mfd);
	close(back);
	free(want);
	free(got);
	remove_tree(dir);
	free(dir);
	return why;
}

static void test_copy_round_trip(void **state)
{
	assert_null(copy_round_trip(true));
	(void)state;
}

/* The low 32 bits of a system call argument, for a seccomp filter. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(n) (offsetof(struct seccomp_data, args) + 8 * (n))
#else
#define ARG_LO(n) (offsetof(struct seccomp_data, args) + 8 * (n) + 4)
#endif

/*
 * Where luosim meets a kernel or a sandbox without kernel AIO (io_setup
 * refused) or a filesystem without O_DIRECT (F_SETFL with it refused), the
 * copy still comes back whole: each refusal is made by a seccomp filter in a
 * child, which runs the round trip.
 */
static void test_copy_fallbacks(void **state)
{
	struct sock_filter no_aio[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_setup, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_filter no_direct[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_fcntl, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, F_SETFL, 0, 2),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, O_DIRECT, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
	};
	struct sock_fprog progs[] = {
		{ sizeof(no_aio) / sizeof(no_aio[0]), no_aio },
		{ sizeof(no_direct) / sizeof(no_direct[0]), no_direct },
	};

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		int st = -1;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			const char *why = "cannot install the seccomp filter";

			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
			    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &progs[i]) == 0)
				why = copy_round_trip(false);
			if (why)
				fprintf(stderr, "fallback %zu: %s\n", i, why);
			_exit(why ? 1 : 0);
		}
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_foreign_and_versions),
		cmocka_unit_test(test_corrupt_manifests),
		cmocka_unit_test(test_missing_data_is_a_file_failure),
		cmocka_unit_test(test_copy_round_trip),
		cmocka_unit_test(test_copy_fallbacks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
