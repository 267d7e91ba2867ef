// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The baseline for bench/session-bench: the same ioctls and the same process
 * shape as each luoctl session command, with nothing else (no option parsing,
 * no checks, no messages). Not installed, not a tool: errors just exit 1.
 *
 *   session-baseline create NAME PROG...          like: luoctl create NAME -- PROG...
 *   session-baseline preserve PATH TOKEN PROG...
 *       like: luoctl preserve --file PATH:TOKEN NAME
 *     (into the session the last "create" passed down in BASELINE_SESSION_FD)
 *   session-baseline retrieve NAME TOKEN PATH
 *       like: luoctl retrieve --file TOKEN:PATH --finish NAME
 *   session-baseline finish NAME                  like: luoctl finish NAME
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "luo-abi.h"

static int open_device(void)
{
	return open(LUO_DEVICE_PATH, O_RDWR | O_CLOEXEC);
}

static int session_ioctl(int devfd, unsigned long request, const char *name)
{
	struct liveupdate_ioctl_create_session arg = { .size = sizeof(arg), .fd = -1 };

	strncpy((char *)arg.name, name, sizeof(arg.name) - 1);
	if (ioctl(devfd, request, &arg) < 0)
		exit(1);
	return arg.fd;
}

static void copy(int from, int to)
{
	char buf[65536];
	ssize_t n;
	off_t off = 0;

	while ((n = pread(from, buf, sizeof(buf), off)) > 0) {
		if (write(to, buf, (size_t)n) != n)
			exit(1);
		off += n;
	}
	if (n < 0)
		exit(1);
}

static int create(char *argv[])
{
	int devfd = open_device(), fd;
	char env[32];

	if (devfd < 0)
		return 1;
	fd = session_ioctl(devfd, LIVEUPDATE_IOCTL_CREATE_SESSION, argv[0]);
	close(devfd);
	fcntl(fd, F_SETFD, 0);
	snprintf(env, sizeof(env), "%d", fd);
	setenv("BASELINE_SESSION_FD", env, 1);
	execvp(argv[1], argv + 1);
	return 127;
}

static int preserve(char *argv[])
{
	struct liveupdate_session_preserve_fd arg = { .size = sizeof(arg) };
	const char *session = getenv("BASELINE_SESSION_FD");
	int file = open(argv[0], O_RDONLY | O_CLOEXEC);
	int memfd = memfd_create("baseline", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (!session || file < 0 || memfd < 0)
		return 1;
	copy(file, memfd);
	lseek(memfd, 0, SEEK_SET);
	arg.fd = memfd;
	arg.token = strtoull(argv[1], NULL, 0);
	if (ioctl(atoi(session), LIVEUPDATE_SESSION_PRESERVE_FD, &arg) < 0)
		return 1;
	close(memfd);
	close(file);
	execvp(argv[2], argv + 2);
	return 127;
}

static void finish_session(int fd)
{
	struct liveupdate_session_finish arg = { .size = sizeof(arg) };

	if (ioctl(fd, LIVEUPDATE_SESSION_FINISH, &arg) < 0)
		exit(1);
}

static int retrieve(char *argv[])
{
	struct liveupdate_session_retrieve_fd arg = { .size = sizeof(arg) };
	int devfd = open_device(), fd, out;
	char tmp[4096];

	if (devfd < 0)
		return 1;
	fd = session_ioctl(devfd, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, argv[0]);
	close(devfd);
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	arg.token = strtoull(argv[1], NULL, 0);
	if (out < 0 || ioctl(fd, LIVEUPDATE_SESSION_RETRIEVE_FD, &arg) < 0)
		return 1;
	copy(arg.fd, out);
	close(out);
	close(arg.fd);
	if (rename(tmp, argv[2]) < 0)
		return 1;
	finish_session(fd);
	close(fd);
	return 0;
}

static int finish(char *argv[])
{
	int devfd = open_device(), fd;

	if (devfd < 0)
		return 1;
	fd = session_ioctl(devfd, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, argv[0]);
	close(devfd);
	finish_session(fd);
	close(fd);
	return 0;
}

int main(int argc, char *argv[])
{
	if (argc >= 4 && strcmp(argv[1], "create") == 0)
		return create(argv + 2);
	if (argc >= 5 && strcmp(argv[1], "preserve") == 0)
		return preserve(argv + 2);
	if (argc == 5 && strcmp(argv[1], "retrieve") == 0)
		return retrieve(argv + 2);
	if (argc == 3 && strcmp(argv[1], "finish") == 0)
		return finish(argv + 2);
	fprintf(stderr, "usage: see the comment at the top of session-baseline.c\n");
	return 2;
}
