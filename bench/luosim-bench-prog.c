// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Helper of bench/luosim-bench (not a test):
 *
 *   luosim-bench-prog ioctl N      median/p10/p90 of N emulated ioctls (GET_NAME on
 *                                  7.2, RETRIEVE_FD of an unknown token otherwise)
 *                                  and of N un-emulated ioctls (TCGETS on /dev/null)
 *   luosim-bench-prog stage1 MIB   preserve a MIB MiB memfd, hold it, print the
 *                                  CLOCK_MONOTONIC time just before the caller kexecs
 *   luosim-bench-prog stage2       retrieve it, print the RETRIEVE_FD time in seconds
 *   luosim-bench-prog now          print the CLOCK_MONOTONIC time
 *   luosim-bench-prog fill FILE MIB
 *                                  write the bytes stage1 preserves to FILE: the
 *                                  baseline's cp copies the same bytes
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "luo-abi.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, double *t, int n)
{
	qsort(t, n, sizeof(*t), cmp_double);
	printf("%s median_us=%.2f p10_us=%.2f p90_us=%.2f\n", what, t[n / 2] * 1e6,
	       t[n / 10] * 1e6, t[n * 9 / 10] * 1e6);
}

static int open_session(const char *name, unsigned long req)
{
	struct liveupdate_ioctl_create_session a = { .size = sizeof(a) };
	int dev = open(LUO_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (dev < 0)
		return -1;
	snprintf((char *)a.name, sizeof(a.name), "%s", name);
	if (ioctl(dev, req, &a) < 0)
		return -1;
	close(dev);
	return a.fd;
}

static int bench_ioctl(int n)
{
	double *t = calloc(n, sizeof(*t));
	int s = open_session("bench", LIVEUPDATE_IOCTL_CREATE_SESSION);
	int null = open("/dev/null", O_RDWR);
	const char *kernel = getenv("LUOSIM_KERNEL");
	bool get_name = kernel && !strcmp(kernel, "7.2");
	struct termios tio;

	if (!t || s < 0 || null < 0) {
		fprintf(stderr, "luosim-bench-prog: setup failed: %s\n", strerror(errno));
		free(t);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		struct liveupdate_session_get_name g = { .size = sizeof(g) };
		struct liveupdate_session_preserve_fd f = { .size = sizeof(f), .fd = -1 };
		double t0 = now();

		/* PRESERVE_FD of fd -1: the full dispatch, a fd lookup, then EBADF. */
		if (get_name)
			ioctl(s, LIVEUPDATE_SESSION_GET_NAME, &g);
		else
			ioctl(s, LIVEUPDATE_SESSION_PRESERVE_FD, &f);
		t[i] = now() - t0;
	}
	report(get_name ? "emulated_get_name" : "emulated_preserve_ebadf", t, n);
	for (int i = 0; i < n; i++) {
		double t0 = now();

		ioctl(null, TCGETS, &tio);
		t[i] = now() - t0;
	}
	report("native_tcgets", t, n);
	free(t);
	return 0;
}

/* Page i holds the byte i % 256: not all zeros, the same in stage1 and fill. */
static int fill_pages(int fd, size_t size)
{
	char *p;

	if (ftruncate(fd, size) < 0)
		return -1;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	for (size_t i = 0; i < size; i += 4096)
		memset(p + i, (int)(i >> 12), 4096);
	return munmap(p, size);
}

static int fill(const char *path, size_t mib)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || fill_pages(fd, mib << 20) < 0 || close(fd) < 0) {
		fprintf(stderr, "luosim-bench-prog: fill %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

static int stage1(size_t mib)
{
	size_t size = mib << 20;
	int s = open_session("bench-big", LIVEUPDATE_IOCTL_CREATE_SESSION);
	int fd = memfd_create("bench", MFD_CLOEXEC);
	struct liveupdate_session_preserve_fd a = { .size = sizeof(a), .token = 1 };

	if (s < 0 || fd < 0 || fill_pages(fd, size) < 0)
		return 1;
	a.fd = fd;
	if (ioctl(s, LIVEUPDATE_SESSION_PRESERVE_FD, &a) < 0)
		return 1;
	if (fork() == 0) {
		setsid();
		for (;;)
			pause();
	}
	printf("%.6f\n", now());
	return 0;
}

static int stage2(void)
{
	int s = open_session("bench-big", LIVEUPDATE_IOCTL_RETRIEVE_SESSION);
	struct liveupdate_session_retrieve_fd a = { .size = sizeof(a), .token = 1 };
	double t0 = now();

	if (s < 0 || ioctl(s, LIVEUPDATE_SESSION_RETRIEVE_FD, &a) < 0)
		return 1;
	printf("%.6f\n", now() - t0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "ioctl"))
		return bench_ioctl(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "stage1"))
		return stage1(strtoul(argv[2], NULL, 10));
	if (argc == 2 && !strcmp(argv[1], "stage2"))
		return stage2();
	if (argc == 2 && !strcmp(argv[1], "now"))
		return printf("%.6f\n", now()) < 0;
	if (argc == 4 && !strcmp(argv[1], "fill"))
		return fill(argv[2], strtoul(argv[3], NULL, 10));
	fprintf(stderr, "usage: luosim-bench-prog ioctl N | stage1 MIB | stage2 | now | fill FILE MIB\n");
	return 2;
}
