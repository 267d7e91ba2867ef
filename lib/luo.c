// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "luo.h"

static int ioctl_errno(int fd, unsigned long request, void *arg)
{
	if (ioctl(fd, request, arg) < 0)
		return -errno;
	return 0;
}

int luo_open_device(const char *path)
{
	int fd = open(path ? path : LUO_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* The kernel copies at most 63 name bytes; refuse rather than truncate. */
static int copy_name(__u8 dst[LIVEUPDATE_SESSION_NAME_LENGTH], const char *name)
{
	size_t len = strlen(name);

	if (len > LUO_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(dst, name, len + 1);
	return 0;
}

int luo_create_session(int devfd, const char *name)
{
	struct liveupdate_ioctl_create_session arg = { .size = sizeof(arg), .fd = -1 };
	int r = copy_name(arg.name, name);

	if (r == 0)
		r = ioctl_errno(devfd, LIVEUPDATE_IOCTL_CREATE_SESSION, &arg);
	return r < 0 ? r : arg.fd;
}

int luo_retrieve_session(int devfd, const char *name)
{
	struct liveupdate_ioctl_retrieve_session arg = { .size = sizeof(arg), .fd = -1 };
	int r = copy_name(arg.name, name);

	if (r == 0)
		r = ioctl_errno(devfd, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, &arg);
	return r < 0 ? r : arg.fd;
}

int luo_preserve_fd(int sessionfd, int fd, uint64_t token)
{
	struct liveupdate_session_preserve_fd arg = {
		.size = sizeof(arg), .fd = fd, .token = token,
	};

	return ioctl_errno(sessionfd, LIVEUPDATE_SESSION_PRESERVE_FD, &arg);
}

int luo_retrieve_fd(int sessionfd, uint64_t token)
{
	struct liveupdate_session_retrieve_fd arg = {
		.size = sizeof(arg), .fd = -1, .token = token,
	};
	int r = ioctl_errno(sessionfd, LIVEUPDATE_SESSION_RETRIEVE_FD, &arg);

	return r < 0 ? r : arg.fd;
}

int luo_finish_session(int sessionfd)
{
	struct liveupdate_session_finish arg = { .size = sizeof(arg), .reserved = 0 };

	return ioctl_errno(sessionfd, LIVEUPDATE_SESSION_FINISH, &arg);
}

int luo_get_session_name(int sessionfd, char *name)
{
	/* Zeroed: the kernel leaves the bytes after the name's NUL untouched. */
	struct liveupdate_session_get_name arg = { .size = sizeof(arg) };
	int r = ioctl_errno(sessionfd, LIVEUPDATE_SESSION_GET_NAME, &arg);

	if (r < 0)
		return r;
	memcpy(name, arg.name, sizeof(arg.name));
	name[LUO_NAME_MAX] = '\0';
	return 0;
}
