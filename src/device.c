// SPDX-License-Identifier: LGPL-2.1-or-later
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "device.h"
#include "log.h"
#include "luo-errors.h"
#include "luo.h"
#include "luoctl.h"
#include "util.h"

/* A day: long enough for any scheduler, short enough for an int of ms. */
#define DEVICE_WAIT_MAX_S 86400

int device_wait_parse(const char *s, int *ms)
{
	long long whole = 0, frac = 0;
	int digits = 0;
	const char *p = s;

	/* Digits, optionally '.' and digits, as flock -w takes: no sign, no exponent. */
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > DEVICE_WAIT_MAX_S)
			return -ERANGE;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (digits++ < 3)
				frac = frac * 10 + (*p - '0');
		if (digits == 0)
			return -EINVAL;
		for (int d = digits; d < 3; d++)
			frac *= 10;
	}
	if (*p)
		return -EINVAL;
	if (whole * 1000 + frac > DEVICE_WAIT_MAX_S * 1000LL)
		return -ERANGE;
	*ms = (int)(whole * 1000 + frac);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int device_open_wait(int wait_ms)
{
	long long deadline = -1;
	/* The other holder keeps it for milliseconds: start short, back off to 50 ms. */
	long pause_us = 500;

	for (;;) {
		int fd = luo_open_device(NULL);
		long long left;
		struct timespec ts;

		if (fd != -EBUSY || wait_ms <= 0)
			return fd;
		/* The clock is read only once the device is busy: it seldom is. */
		if (deadline < 0)
			deadline = now_ms() + wait_ms;
		left = deadline - now_ms();
		if (left <= 0)
			return -EBUSY;
		if (pause_us > left * 1000)
			pause_us = (long)(left * 1000);
		ts.tv_sec = pause_us / 1000000;
		ts.tv_nsec = (pause_us % 1000000) * 1000;
		nanosleep(&ts, NULL);
		pause_us = pause_us * 2 > 50000 ? 50000 : pause_us * 2;
	}
}

/* The fd of pid that is the device, or -1. */
static int device_fd_of(const char *pid)
{
	char dir[64], link[64];
	struct dirent *e;
	int found = -1;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	d = opendir(dir);
	if (!d)
		return -1;
	while (found < 0 && (e = readdir(d))) {
		ssize_t n;
		int fd;

		if (parse_fd_number(e->d_name, &fd) < 0)
			continue;
		n = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		/* By path, not device number: an emulator's placeholder is a plain file. */
		if (strcmp(link, LUO_DEVICE_PATH) == 0)
			found = fd;
	}
	closedir(d);
	return found;
}

int device_held_here(void)
{
	return device_fd_of("self");
}

void device_find_holder(char *out, size_t size)
{
	char path[64], comm[32] = "?";
	struct dirent *e;
	DIR *d = opendir("/proc");

	out[0] = '\0';
	if (!d)
		return;
	while ((e = readdir(d))) {
		FILE *f;
		int pid;

		if (parse_fd_number(e->d_name, &pid) < 0 || pid == getpid() ||
		    device_fd_of(e->d_name) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "re");
		if (f) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		snprintf(out, size, "PID %d (%s)", pid, comm);
		break;
	}
	closedir(d);
}

static void log_busy(int wait_ms)
{
	char holder[96], waited[64] = "";
	int self = device_held_here();

	if (self >= 0) {
		log_error("cannot open %s: luoctl itself holds it at fd %d, inherited from its caller, which should have opened it close-on-exec (%s)", LUO_DEVICE_PATH, self, strerror(EBUSY));
		return;
	}
	if (wait_ms > 0)
		snprintf(waited, sizeof(waited), " (waited %g s, see --wait)", wait_ms / 1000.0);
	device_find_holder(holder, sizeof(holder));
	if (holder[0])
		log_error("cannot open %s: it is held by %s%s; it allows one opener at a time (%s)", LUO_DEVICE_PATH, holder, waited, strerror(EBUSY));
	else
		log_error("cannot open %s: another process holds it%s; it allows one opener at a time (%s)", LUO_DEVICE_PATH, waited, strerror(EBUSY));
}

int device_open_step(int wait_ms, int *devfd)
{
	/*
	 * A free device opens at once. A busy one may be held by this very process
	 * (an inherited fd): then waiting would only wait for ourselves. The /proc
	 * scan that tells is asked only then, not on every start (issue 12).
	 */
	int fd = device_open_wait(0);

	if (fd == -EBUSY && wait_ms > 0 && device_held_here() < 0)
		fd = device_open_wait(wait_ms);

	*devfd = fd;
	if (fd >= 0)
		return 0;
	if (fd != -EBUSY) {
		log_luo(LUO_STEP_OPEN, fd, "cannot open %s", LUO_DEVICE_PATH);
		return LUOCTL_EXIT_UNAVAILABLE;
	}
	log_busy(wait_ms);
	return LUOCTL_EXIT_BUSY;
}
