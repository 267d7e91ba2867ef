// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int parse_u64(const char *s, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;
	const char *p = s;

	/*
	 * Decimal or 0x hex, nothing else: no blanks, sign or octal ("010"), which
	 * strtoull would take. By hand, as every session command parses tokens and
	 * fds with it (issue 12).
	 */
	if (!s || s[0] < '0' || s[0] > '9')
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		p += 2;
		if (!*p)
			return -EINVAL;
	} else if (s[0] == '0' && s[1] != '\0') {
		return -EINVAL;
	}
	for (; *p; p++) {
		int d = hex_value(*p);

		if (d < 0 || (unsigned int)d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - (unsigned int)d) / base)
			return -ERANGE;
		v = v * base + (unsigned int)d;
	}
	*out = v;
	return 0;
}

int parse_fd_number(const char *s, int *out)
{
	uint64_t v;
	int r = parse_u64(s, &v);

	if (r < 0)
		return r;
	if (v > INT_MAX)
		return -ERANGE;
	*out = (int)v;
	return 0;
}

int fd_set_cloexec(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0)
		return -errno;
	flags = on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
	if (fcntl(fd, F_SETFD, flags) < 0)
		return -errno;
	return 0;
}

int fd_move_to(int fd, int target)
{
	if (fd == target) {
		int r = fd_set_cloexec(fd, false);

		return r < 0 ? r : target;
	}
	if (dup2(fd, target) < 0)
		return -errno;
	close(fd);
	return target;
}

bool fd_is_open(int fd)
{
	return fd >= 0 && fcntl(fd, F_GETFD) >= 0;
}

/* ASCII by name, not isalnum(): the codec must not follow the locale. */
bool name_byte_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("-_.~+@=,", c));
}

size_t name_encode(char *dst, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		if (name_byte_plain(*c)) {
			dst[n++] = (char)*c;
		} else {
			dst[n++] = '%';
			dst[n++] = hex[*c >> 4];
			dst[n++] = hex[*c & 15];
		}
	}
	return n;
}

int name_decode(const char *enc, size_t len, char *name, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)enc[i];

		if (c == '%') {
			int hi = i + 2 < len ? hex_value(enc[i + 1]) : -1;
			int lo = i + 2 < len ? hex_value(enc[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				return -EINVAL;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == 0 || n + 1 >= size)
			return -EINVAL;
		name[n++] = (char)c;
	}
	if (n == 0)
		return -EINVAL;
	name[n] = '\0';
	return 0;
}

size_t str_copy(char *dst, size_t size, const char *src)
{
	size_t n;

	if (size == 0)
		return 0;
	for (n = 0; n < size - 1 && src[n]; n++)
		;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}

size_t u64_to_str(char *buf, uint64_t v)
{
	char digits[20];
	size_t n = 0, len;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	len = n;
	for (size_t i = 0; i < len; i++)
		buf[i] = digits[--n];
	buf[len] = '\0';
	return len;
}
