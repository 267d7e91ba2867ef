// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The I/O primitives every part of the project shares (src/, lib/, luosim/):
 * whole writes, whole copies, buffer growth and the temp-and-rename publisher.
 * They return 0 (or a count) or -errno and never print.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Write all of buf, across short writes and EINTR. 0 or -errno. */
int io_write_all(int fd, const void *buf, size_t len);
/* The same at offset off (pwrite: the fd's own offset stays put). 0 or -errno. */
int io_pwrite_all(int fd, const void *buf, size_t len, off_t off);
/* Read len bytes at offset off, across short reads and EINTR. 0, -errno, or -ENODATA if the file ends first. */
int io_pread_all(int fd, void *buf, size_t len, off_t off);
/*
 * Read fd to its end into a new buffer (NUL-terminated, *len without the
 * NUL). 0, -EFBIG past max bytes, -ENOMEM or -errno.
 */
int io_read_fd(int fd, size_t max, char **buf, size_t *len);
/*
 * Copy everything from src to dst. from_start: read src with pread from
 * offset 0, leaving its offset (shared with other holders) untouched;
 * otherwise read from where src stands. *bytes counts what was written,
 * also on failure. 0 or -errno.
 */
int io_copy(int src, int dst, bool from_start, uint64_t *bytes);
/*
 * Make *buf hold at least need elements of size elem, growing *cap
 * geometrically. 0 or -ENOMEM (then *buf and *cap are unchanged).
 */
int io_grow(void **buf, size_t *cap, size_t need, size_t elem);

/*
 * Publish a file atomically: write to a temporary file beside PATH, then
 * rename it over PATH, so a reader sees the old file or the whole new one.
 */
struct io_publish {
	char *path;	/* where it goes (a copy) */
	char *tmppath;	/* "PATH.XXXXXX" while unpublished; NULL once renamed */
	int fd;		/* the temporary file, -1 once closed */
};

/* Create the temporary file (mode 0600 from mkostemp, then mode). 0 or -errno. */
int io_publish_open(struct io_publish *p, const char *path, mode_t mode);
/* Close and rename over the path. 0 or -errno (the temporary file is kept). */
int io_publish_commit(struct io_publish *p);
/* Close and remove the temporary file, if any; free the paths. */
void io_publish_abort(struct io_publish *p);
/* Free the paths and close the fd; the temporary file, if any, is left in place. */
void io_publish_release(struct io_publish *p);
/* Write a whole small file through the publisher. 0 or -errno. */
int io_publish_data(const char *path, const void *data, size_t len, mode_t mode);
