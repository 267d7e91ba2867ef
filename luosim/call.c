// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Access to the process whose system call is being served: its memory
 * (process_vm_readv/writev) and its fd table (pidfd_getfd, SECCOMP ADDFD).
 */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "luosim.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/*
 * req.pid is a thread id: PIDFD_THREAD (6.9+) lets pidfd_open take it. The
 * last thread's pidfd is kept: a pidfd names one task, never a reused number,
 * so a stale one can only fail (ESRCH), and then it is opened again.
 */
static pid_t cached_tid;
static int cached_pidfd = -1;

static int call_pidfd(struct luo_call *c, bool fresh)
{
	if (c->pidfd >= 0 && !fresh)
		return c->pidfd;
	if (cached_pidfd >= 0 && cached_tid == c->tid && !fresh)
		return c->pidfd = cached_pidfd;
	if (cached_pidfd >= 0)
		close(cached_pidfd);
	cached_pidfd = syscall(SYS_pidfd_open, c->tid, PIDFD_THREAD);
	cached_tid = c->tid;
	c->pidfd = cached_pidfd;
	return c->pidfd < 0 ? -errno : c->pidfd;
}

int call_read(struct luo_call *c, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(c->tid, &local, 1, &remote, 1, 0);

	return n == (ssize_t)len ? 0 : -EFAULT;
}

int call_write(struct luo_call *c, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = { (void *)buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_writev(c->tid, &local, 1, &remote, 1, 0);

	return n == (ssize_t)len ? 0 : -EFAULT;
}

int call_getfd(struct luo_call *c, int fd)
{
	int pidfd = call_pidfd(c, false);
	int copy;

	if (fd < 0)
		return -EBADF;
	if (pidfd >= 0) {
		copy = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		if (copy >= 0 || errno != ESRCH)
			return copy < 0 ? -errno : copy;
	}
	pidfd = call_pidfd(c, true);
	if (pidfd < 0)
		return pidfd;
	copy = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	return copy < 0 ? -errno : copy;
}

int call_addfd(struct luo_call *c, int srcfd, bool send, unsigned int newfd_flags)
{
	struct seccomp_notif_addfd add = {
		.id = c->id,
		.flags = send ? SECCOMP_ADDFD_FLAG_SEND : 0,
		.srcfd = srcfd,
		.newfd = 0,
		.newfd_flags = newfd_flags,
	};
	int fd = ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);

	return fd < 0 ? -errno : fd;
}

bool call_valid(struct luo_call *c)
{
	return ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &c->id) == 0;
}

/*
 * The kernel reserves the new fd before any other check, so EMFILE wins over
 * every error of an fd-returning ioctl. Only consulted on error paths: is
 * there no free slot below the caller's RLIMIT_NOFILE?
 */
bool call_fd_table_full(struct luo_call *c)
{
	struct rlimit rl;
	char path[64];
	struct dirent *d;
	DIR *dir;
	size_t limit, nr_open = 0;

	if (prlimit(c->tid, RLIMIT_NOFILE, NULL, &rl) < 0)
		return false;
	limit = rl.rlim_cur;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)c->tid);
	dir = opendir(path);
	if (!dir)
		return false;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.' && strtoul(d->d_name, NULL, 10) < limit)
			nr_open++;
	closedir(dir);
	/* The table is full when every number below the limit is taken. */
	return nr_open >= limit;
}

void call_done(struct luo_call *c)
{
	/* The pidfd stays cached for the thread's next call. */
	c->pidfd = -1;
}
