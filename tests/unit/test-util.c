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
	assert_int_equal(parse_u64("0x1g", &v), -EINVAL);
	assert_int_equal(parse_u64("12a", &v), -EINVAL);
	assert_int_equal(parse_u64("00", &v), -EINVAL);
	assert_int_equal(parse_u64("0x-1", &v), -EINVAL);
	assert_int_equal(parse_u64("99999999999999999999x", &v), -ERANGE);
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

static void test_str_copy(void **state)
{
	char buf[4];

	(void)state;
	assert_int_equal(str_copy(buf, sizeof(buf), "ab"), 2);
	assert_string_equal(buf, "ab");
	assert_int_equal(str_copy(buf, sizeof(buf), "abcdef"), 3);
	assert_string_equal(buf, "abc");
	assert_int_equal(str_copy(buf, sizeof(buf), ""), 0);
	assert_string_equal(buf, "");
	assert_int_equal(str_copy(buf, 0, "x"), 0);
}

static void test_u64_to_str(void **state)
{
	char buf[21];

	(void)state;
	assert_int_equal(u64_to_str(buf, 0), 1);
	assert_string_equal(buf, "0");
	assert_int_equal(u64_to_str(buf, 42), 2);
	assert_string_equal(buf, "42");
	assert_int_equal(u64_to_str(buf, UINT64_MAX), 20);
	assert_string_equal(buf, "18446744073709551615");
}

static void test_name_byte_plain(void **state)
{
	(void)state;
	assert_true(name_byte_plain('a') && name_byte_plain('Z') && name_byte_plain('0'));
	assert_true(name_byte_plain('-') && name_byte_plain(',') && name_byte_plain('~'));
	assert_false(name_byte_plain(' ') || name_byte_plain(':') || name_byte_plain('%'));
	assert_false(name_byte_plain('\0') || name_byte_plain(0xe9) || name_byte_plain('/'));
}

static void test_name_encode(void **state)
{
	char enc[3 * 64], dec[64];
	size_t n;

	(void)state;
	n = name_encode(enc, "db-1.x");
	assert_int_equal(n, 6);
	assert_memory_equal(enc, "db-1.x", 6);
	n = name_encode(enc, "a b:%\xe9/");
	assert_int_equal(n, 17);
	assert_memory_equal(enc, "a%20b%3A%25%E9%2F", 17);
	/* What name_decode takes back, byte for byte. */
	assert_int_equal(name_decode(enc, n, dec, sizeof(dec)), 0);
	assert_string_equal(dec, "a b:%\xe9/");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64_accepts),
		cmocka_unit_test(test_parse_u64_rejects),
		cmocka_unit_test(test_parse_fd_number),
		cmocka_unit_test(test_str_copy),
		cmocka_unit_test(test_u64_to_str),
		cmocka_unit_test(test_name_byte_plain),
		cmocka_unit_test(test_name_encode),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
