// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target for the command-line parsers: numbers and fd numbers
 * (lib/util.c), "LEFT:RIGHT" pairs, session names and how they are shown
 * (src/chain.c). The input is one argument. Properties checked:
 * a number that parses prints back to the same value, nothing parses with
 * a sign or a blank in front, fd numbers fit an int, a split pair rejoins
 * to the input, and a shown name is quoted and printable.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "luoctl.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_number(const char *s)
{
	uint64_t v;
	int fd;
	int r = parse_u64(s, &v);

	assert(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r == 0) {
		char back[32];
		uint64_t again;

		assert(isdigit((unsigned char)s[0]));
		snprintf(back, sizeof(back), "%" PRIu64, v);
		assert(parse_u64(back, &again) == 0 && again == v);
		/* Tokens are decimal or 0x hex: the decimal form of a decimal input is itself
		 * up to leading zeros, which are refused. */
		if (s[0] != '0' || !s[1])
			assert(!strcmp(back, s) || s[1] == 'x' || s[1] == 'X');
	}
	r = parse_fd_number(s, &fd);
	assert(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r == 0)
		assert(fd >= 0);
}

static void check_pair(const char *s, bool at_last)
{
	char *left = NULL, *right = NULL;

	if (split_pair(s, at_last, &left, &right) == 0) {
		size_t l = strlen(left), r = strlen(right);

		assert(l + 1 + r == strlen(s) && s[l] == ':');
		assert(!memcmp(s, left, l) && !strcmp(s + l + 1, right));
		assert(at_last ? !strchr(right, ':') : !strchr(left, ':'));
		free(left);
		free(right);
	} else {
		assert(!strchr(s, ':'));
	}
}

static void check_name(const char *s)
{
	const char *shown = name_shown(s);
	size_t n = strlen(shown);

	assert(n >= 2 && shown[0] == '"' && shown[n - 1] == '"');
	for (size_t i = 0; i < n; i++)
		assert(isprint((unsigned char)shown[i]));
	int r = session_name_check(s, s[0] & 1);
	assert(r == 0 || r == LUOCTL_EXIT_USAGE);
	if (r == 0)
		assert(strlen(s) >= 1 && strlen(s) < LIVEUPDATE_SESSION_NAME_LENGTH);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_number(s);
	check_pair(s, true);
	check_pair(s, false);
	check_name(s);
	free(s);
	return 0;
}
