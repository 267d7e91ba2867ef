// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Decimal or 0x-prefixed hex, the whole u64 range, nothing trailing. 0 or -EINVAL/-ERANGE. */
int parse_u64(const char *s, uint64_t *out);
/* A non-negative int (fd numbers and the like). 0 or -EINVAL/-ERANGE. */
int parse_fd_number(const char *s, int *out);
/* Clear or set FD_CLOEXEC. 0 or -errno. */
int fd_set_cloexec(int fd, bool on);
/* Is fd an open file descriptor? */
bool fd_is_open(int fd);
/* Move fd to exactly `target` (dup2 semantics, closes the old one). Returns target or -errno. */
int fd_move_to(int fd, int target);
/*
 * The two formats a session command writes on every run, without the cost of
 * snprintf (issue 12): dst gets src, cut to size - 1 bytes, always terminated;
 * returns the length written. buf (at least 21 bytes) gets v in decimal;
 * returns its length.
 */
size_t str_copy(char *dst, size_t size, const char *src);
size_t u64_to_str(char *buf, uint64_t v);

/*
 * Session names as LUOCTL_SESSIONS and luosim's session table write them:
 * bytes other than letters, digits and "-_.~+@=," become %HH.
 */
bool name_byte_plain(unsigned char c);
/* Encode name into dst (room for 3 bytes a byte; no NUL written); the length. */
size_t name_encode(char *dst, const char *name);
/* Decode enc[0..len) into name (size bytes with the NUL). 0 or -EINVAL (bad %HH, NUL, empty, too long). */
int name_decode(const char *enc, size_t len, char *name, size_t size);
