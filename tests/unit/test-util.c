// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util.h"

static void test_parse_u64_accepts(void **state)
{
	uint64_t v = 1;

	(void)state;
	assert_int_equal(parse_u64("0", &v), 0);
	assert_true(v == 0);
	assert_int_equal(parse_u64("42", &v), 0);
	assert_true(v == 42);
	assert_int_equal(parse_u64("0x2a", &v), 0);
	assert_true(v == 42);
	assert_int_equal(parse_u64("0XFF", &v), 0);
	assert_true(v == 255);
	assert_int_equal(parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("0xffffffffffffffff", &v), 0);
	assert_true(v == UINT64_MAX);
}

static void test_parse_u64_rejects(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(parse_u64("", &v), -EINVAL);
	assert_int_equal(parse_u64("-1", &v), -EINVAL);
	assert_int_equal(parse_u64(" 1", &v), -EINVAL);
	assert_int_equal(parse_u64("+1", &v), -EINVAL);
	assert_int_equal(parse_u64("1x", &v), -EINVAL);
	assert_int_equal(parse_u64("0x", &v), -EINVAL);
	assert_int_equal(parse_u64("010", &v), -EINVAL);
	assert_int_equal(parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_u64("0x10000000000000000", &v), -ERANGE);
	assert_int_equal(parse_u64(NULL, &v), -EINVAL);
	assert_true(v == 7);
}

static void test_parse_fd_number(void **state)
{
	int fd = -1;

	(void)state;
	assert_int_equal(parse_fd_number("3", &fd), 0);
	assert_int_equal(fd, 3);
	assert_int_equal(parse_fd_number("2147483648", &fd), -ERANGE);
	assert_int_equal(parse_fd_number("-3", &fd), -EINVAL);
	assert_int_equal(fd, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64_accepts),
		cmocka_unit_test(test_parse_u64_rejects),
		cmocka_unit_test(test_parse_fd_number),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
