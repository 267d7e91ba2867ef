// SPDX-License-Identifier: LGPL-2.1-or-later
/* The LUOCTL_SESSIONS codec: round trips, percent-encoding, malformed entries. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "session-env.h"

static void test_parse(void **state)
{
	struct session_env env;
	char bad[64];

	(void)state;
	assert_int_equal(session_env_parse(&env, "3:out:db 5:in:old%20one:1,42", bad,
					   sizeof(bad)), 0);
	assert_int_equal(env.n, 2);
	assert_int_equal(env.v[0].fd, 3);
	assert_false(env.v[0].incoming);
	assert_string_equal(env.v[0].name, "db");
	assert_true(env.v[1].incoming);
	assert_string_equal(env.v[1].name, "old one");
	assert_int_equal(env.v[1].ntokens, 2);
	assert_true(env.v[1].tokens[1] == 42);
	assert_ptr_equal(session_env_find(&env, "db", false), &env.v[0]);
	assert_null(session_env_find(&env, "db", true));
	assert_ptr_equal(session_env_find_fd(&env, 5), &env.v[1]);
	session_env_free(&env);
	assert_int_equal(session_env_parse(&env, NULL, bad, sizeof(bad)), 0);
	assert_int_equal(env.n, 0);
}

/* An fd number named twice: only its newest entry keeps it, at any size. */
static void test_parse_same_fd(void **state)
{
	enum { N = 3000 };
	struct session_env env;
	char bad[64], *value = malloc(N * 24);
	size_t len = 0;

	(void)state;
	assert_int_equal(session_env_parse(&env, "3:out:a 4:out:b 3:in:c 5:out:d 4:out:e", bad,
					   sizeof(bad)), 0);
	assert_int_equal(env.n, 5);
	assert_int_equal(env.v[0].fd, -1);
	assert_int_equal(env.v[1].fd, -1);
	assert_int_equal(env.v[2].fd, 3);
	assert_int_equal(env.v[3].fd, 5);
	assert_int_equal(env.v[4].fd, 4);
	assert_ptr_equal(session_env_find_fd(&env, 4), &env.v[4]);
	session_env_free(&env);

	/* Many entries, fd numbers repeating in a scattered order, against a scan. */
	assert_non_null(value);
	for (int i = 0; i < N; i++)
		len += (size_t)sprintf(value + len, "%s%d:out:s%d", i ? " " : "",
				       (i * 7919) % 1021 + 3, i);
	assert_int_equal(session_env_parse(&env, value, bad, sizeof(bad)), 0);
	assert_int_equal(env.n, N);
	for (int i = 0; i < N; i++) {
		int fd = (i * 7919) % 1021 + 3, newest = i;

		for (int j = i + 1; j < N; j++)
			if ((j * 7919) % 1021 + 3 == fd)
				newest = j;
		assert_int_equal(env.v[i].fd, newest == i ? fd : -1);
	}
	session_env_free(&env);
	free(value);
}

static void test_malformed(void **state)
{
	static const char *const bad_values[] = {
		"3", "3:out", "x:out:db", "3:sideways:db", "3:out:db:1", "3:in:%zz",
		"3:in:", "3:in:a%00b", "3:in:db:1,x",
		"3:in:0123456789012345678901234567890123456789012345678901234567890123",
	};
	struct session_env env;
	char bad[64];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
		char value[128];

		snprintf(value, sizeof(value), "3:out:ok %s", bad_values[i]);
		assert_int_equal(session_env_parse(&env, value, bad, sizeof(bad)), -EINVAL);
		/* The message names the entry that failed, not the good one before it. */
		assert_int_equal(strncmp(bad, bad_values[i], sizeof(bad) - 1), 0);
		assert_int_equal(env.n, 0);
	}
}

static void test_format_round_trip(void **state)
{
	struct session_env env = { 0 }, back;
	char *text, bad[64];

	(void)state;
	/* Entries are written only for open fds: use 0, 1 and 2. */
	assert_int_equal(session_env_add(&env, 0, false, "a b:c%"), 0);
	assert_int_equal(session_env_add(&env, 1, true, "in"), 0);
	assert_int_equal(session_env_add_token(&env.v[1], 7), 0);
	assert_int_equal(session_env_add_token(&env.v[1], 7), 0);
	assert_int_equal(session_env_add_token(&env.v[1], UINT64_MAX), 0);
	assert_int_equal(session_env_add(&env, 999, false, "closed"), 0);
	assert_int_equal(session_env_format(&env, &text), 0);
	assert_string_equal(text, "0:out:a%20b%3Ac%25 1:in:in:7,18446744073709551615");
	assert_int_equal(session_env_parse(&back, text, bad, sizeof(bad)), 0);
	assert_int_equal(back.n, 2);
	assert_string_equal(back.v[0].name, "a b:c%");
	assert_int_equal(back.v[1].ntokens, 2);
	free(text);
	session_env_free(&back);
	/* One fd, one session: a new entry on an fd drops the stale one. */
	assert_int_equal(session_env_add(&env, 1, false, "new"), 0);
	assert_int_equal(session_env_format(&env, &text), 0);
	assert_string_equal(text, "0:out:a%20b%3Ac%25 1:out:new");
	free(text);
	session_env_remove(&env, &env.v[0]);
	assert_int_equal(env.n, 3);
	session_env_free(&env);
	assert_int_equal(session_env_format(&env, &text), 0);
	assert_null(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_same_fd),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_format_round_trip),
	};

	return cmocka_run_group_tests_name("session-env", tests, NULL, NULL);
}
