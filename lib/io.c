// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"

int io_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int io_pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

int io_pread_all(int fd, void *buf, size_t len, off_t off)
{
	char *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENODATA;
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

int io_read_fd(int fd, size_t max, char **buf, size_t *len)
{
	struct stat st;
	/* Regular files say their size; pipes, /proc and kcore-like files grow. */
	size_t cap = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
			     (size_t)st.st_size < max ? (size_t)st.st_size + 1 : 4096;
	size_t n = 0;
	char *b = malloc(cap + 1);

	if (!b)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap >= max) {
				free(b);
				return -EFBIG;
			}
			cap = cap * 2 > max ? max : cap * 2;
			nb = realloc(b, cap + 1);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			free(b);
			return err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int io_copy(int src, int dst, bool from_start, uint64_t *bytes)
{
	char buf[65536];
	off_t off = 0;

	*bytes = 0;
	for (;;) {
		ssize_t n = from_start ? pread(src, buf, sizeof(buf), off) :
					 read(src, buf, sizeof(buf));
		int r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		r = io_write_all(dst, buf, (size_t)n);
		if (r < 0)
			return r;
		off += n;
		*bytes += (uint64_t)n;
	}
}

int io_grow(void **buf, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 8;
	void *p;

	if (need <= *cap)
		return 0;
	if (!elem)
		return -EINVAL;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	if (n > SIZE_MAX / elem)
		return -ENOMEM;
	p = realloc(*buf, n * elem);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

int io_publish_open(struct io_publish *p, const char *path, mode_t mode)
{
	static const char suffix[] = ".XXXXXX";
	size_t len = strlen(path);
	int err;

	p->fd = -1;
	p->path = strdup(path);
	p->tmppath = malloc(len + sizeof(suffix));
	if (!p->path || !p->tmppath) {
		free(p->path);
		free(p->tmppath);
		p->path = NULL;
		p->tmppath = NULL;
		return -ENOMEM;
	}
	memcpy(p->tmppath, path, len);
	memcpy(p->tmppath + len, suffix, sizeof(suffix));
	p->fd = mkostemp(p->tmppath, O_CLOEXEC);
	if (p->fd < 0 || fchmod(p->fd, mode) < 0) {
		err = -errno;
		io_publish_abort(p);
		return err;
	}
	return 0;
}

int io_publish_commit(struct io_publish *p)
{
	int fd = p->fd;

	p->fd = -1;
	if (close(fd) < 0)
		return -errno;
	if (rename(p->tmppath, p->path) < 0)
		return -errno;
	free(p->tmppath);
	p->tmppath = NULL;
	return 0;
}

void io_publish_release(struct io_publish *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	free(p->tmppath);
	free(p->path);
	p->tmppath = NULL;
	p->path = NULL;
}

void io_publish_abort(struct io_publish *p)
{
	if (p->tmppath)
		unlink(p->tmppath);
	io_publish_release(p);
}

int io_publish_data(const char *path, const void *data, size_t len, mode_t mode)
{
	struct io_publish p;
	int r = io_publish_open(&p, path, mode);

	if (r < 0)
		return r;
	r = io_write_all(p.fd, data, len);
	if (r == 0)
		r = io_publish_commit(&p);
	if (r < 0)
		io_publish_abort(&p);
	else
		io_publish_release(&p);
	return r;
}
