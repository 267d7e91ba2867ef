// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts leading blanks and a minus sign; a token must not. */
	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end != '\0' || end == s)
		return -EINVAL;
	/* strtoull with base 0 reads "010" as octal; tokens are decimal or 0x hex only. */
	if (s[0] == '0' && s[1] != '\0' && s[1] != 'x' && s[1] != 'X')
		return -EINVAL;
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

bool name_byte_plain(unsigned char c)
{
	return isalnum(c) || (c && strchr("-_.~+@=,", c));
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
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
