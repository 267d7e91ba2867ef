// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luo-selftest: a two-stage live-update test written against the raw uAPI
 * only, in the shape of the kernel's liveupdate kexec selftests (we cannot
 * fetch the kernel tree here; this follows luo-uapi.md §20). It runs the same
 * way on a real LUO kernel and under luosim:
 *
 *   luo-selftest [1|2]     stage 1 before the kexec, stage 2 after it
 *
 * Stage 1 preserves, forks a holder and exits 0; the caller then loads a
 * kernel with kexec_file_load and reboots with LINUX_REBOOT_CMD_KEXEC.
 * Stage 2 verifies everything and prints "luo-selftest: PASS".
 * Exit 0 pass, 1 fail, 4 skip (no /dev/liveupdate), as kselftest does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "luo-abi.h"

#define KSFT_PASS 0
#define KSFT_FAIL 1
#define KSFT_SKIP 4

#define STATE_SESSION "luo-selftest-state"
#define STATE_TOKEN   0
#define PAGE	      4096

struct case_file {
	unsigned long long token;
	size_t size;
	unsigned char seed;
};
struct case_session {
	const char *name;
	const struct case_file *files;
	int nr;
};

static const struct case_file files_a[] = {
	{ 1, PAGE, 0x11 },
	{ 0xffffffffffffffffULL, 3 * 1024 * 1024 + 5, 0x22 },
};
static const struct case_file files_b[] = { { 0, 1, 0x33 } };
static const struct case_session cases[] = {
	{ "luo-selftest-a", files_a, 2 },
	{ "luo-selftest-b", files_b, 1 },
	{ "luo-selftest-empty", NULL, 0 },
};
#define NR_CASES (int)(sizeof(cases) / sizeof(cases[0]))

static int fail(const char *what, int err)
{
	printf("luo-selftest: FAIL: %s: %s\n", what, strerror(err));
	return KSFT_FAIL;
}

static int session_ioctl(int dev, unsigned long req, const char *name)
{
	struct liveupdate_ioctl_create_session a = { .size = sizeof(a) };

	snprintf((char *)a.name, sizeof(a.name), "%s", name);
	return ioctl(dev, req, &a) < 0 ? -errno : a.fd;
}

static int preserve(int session, int fd, unsigned long long token)
{
	struct liveupdate_session_preserve_fd a = { .size = sizeof(a),
						    .fd = fd,
						    .token = token };

	return ioctl(session, LIVEUPDATE_SESSION_PRESERVE_FD, &a) < 0 ? -errno : 0;
}

static int retrieve_fd(int session, unsigned long long token)
{
	struct liveupdate_session_retrieve_fd a = { .size = sizeof(a), .token = token };

	return ioctl(session, LIVEUPDATE_SESSION_RETRIEVE_FD, &a) < 0 ? -errno : a.fd;
}

static int finish(int session)
{
	struct liveupdate_session_finish a = { .size = sizeof(a) };

	return ioctl(session, LIVEUPDATE_SESSION_FINISH, &a) < 0 ? -errno : 0;
}

static unsigned char content(unsigned char seed, size_t i)
{
	return (unsigned char)(seed + i * 7 + (i >> 9));
}

/* A memfd written through mmap, as the selftests do. */
static int make_memfd(size_t size, unsigned char seed)
{
	int fd = memfd_create("luo-selftest", MFD_CLOEXEC);
	unsigned char *p;

	if (fd < 0 || ftruncate(fd, size) < 0)
		return -errno;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	for (size_t i = 0; i < size; i++)
		p[i] = content(seed, i);
	munmap(p, size);
	return fd;
}

static int check_memfd(int fd, size_t size, unsigned char seed)
{
	unsigned char *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	int ok = 1;

	if (p == MAP_FAILED)
		return -errno;
	for (size_t i = 0; i < size && ok; i++)
		ok = p[i] == content(seed, i);
	munmap(p, size);
	return ok && lseek(fd, 0, SEEK_END) == (off_t)size ? 0 : -EBADMSG;
}

static void hold_forever(void)
{
	if (fork() != 0)
		return;
	setsid();
	close(0);
	close(1);
	close(2);
	if (chdir("/") < 0)
		_exit(1);
	for (;;)
		pause();
}

static int stage1(int dev)
{
	int state = session_ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, STATE_SESSION);
	int fd, err;
	char *p;

	if (state < 0)
		return fail("create the state session", -state);
	fd = make_memfd(PAGE, 0);
	if (fd < 0)
		return fail("create the state memfd", -fd);
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return fail("map the state memfd", errno);
	snprintf(p, PAGE, "2");
	munmap(p, PAGE);
	err = preserve(state, fd, STATE_TOKEN);
	if (err)
		return fail("preserve the state memfd", -err);
	close(fd);
	for (int i = 0; i < NR_CASES; i++) {
		int s = session_ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION,
				      cases[i].name);

		if (s < 0)
			return fail(cases[i].name, -s);
		for (int j = 0; j < cases[i].nr; j++) {
			fd = make_memfd(cases[i].files[j].size, cases[i].files[j].seed);
			err = fd < 0 ? fd : preserve(s, fd, cases[i].files[j].token);
			if (err)
				return fail("preserve a test memfd", -err);
			close(fd);
		}
	}
	close(dev);
	hold_forever();
	printf("luo-selftest: stage 1 done; kexec now\n");
	return KSFT_PASS;
}

static int verify_case(int dev, const struct case_session *c)
{
	int s = session_ioctl(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, c->name);
	int err;

	if (s < 0)
		return fail(c->name, -s);
	for (int j = 0; j < c->nr; j++) {
		int fd = retrieve_fd(s, c->files[j].token);

		err = fd < 0 ? fd : check_memfd(fd, c->files[j].size, c->files[j].seed);
		if (err)
			return fail("retrieve and compare a memfd", -err);
		close(fd);
	}
	err = finish(s);
	if (err)
		return fail("finish", -err);
	close(s);
	return KSFT_PASS;
}

static int stage2(int dev, int state)
{
	char buf[16] = "";
	int fd = retrieve_fd(state, STATE_TOKEN), err;

	if (fd < 0)
		return fail("retrieve the state memfd", -fd);
	if (read(fd, buf, sizeof(buf) - 1) < 0 || strcmp(buf, "2") != 0) {
		printf("luo-selftest: FAIL: state memfd says \"%s\", expected \"2\"\n",
		       buf);
		return KSFT_FAIL;
	}
	close(fd);
	for (int i = 0; i < NR_CASES; i++)
		if (verify_case(dev, &cases[i]))
			return KSFT_FAIL;
	err = finish(state);
	if (err)
		return fail("finish the state session", -err);
	close(state);
	printf("luo-selftest: PASS\n");
	return KSFT_PASS;
}

int main(int argc, char **argv)
{
	int want = argc > 1 ? atoi(argv[1]) : 0;
	int dev = open(LUO_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	int state, stage;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (dev < 0) {
		printf("luo-selftest: SKIP: cannot open %s: %s\n", LUO_DEVICE_PATH,
		       strerror(errno));
		return KSFT_SKIP;
	}
	state = session_ioctl(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, STATE_SESSION);
	if (state < 0 && state != -ENOENT)
		return fail("look for the state session", -state);
	stage = state < 0 ? 1 : 2;
	if (want && want != stage) {
		printf("luo-selftest: FAIL: asked for stage %d, detected stage %d\n",
		       want, stage);
		return KSFT_FAIL;
	}
	return stage == 1 ? stage1(dev) : stage2(dev, state);
}
