// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The one printer: the same calls give the text form or valid JSON.
 * stdout is redirected to a temporary file and read back.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "output.h"

static char captured[4096];

static int saved_stdout = -1;

static void capture_begin(void)
{
	FILE *tmp = tmpfile();

	assert_non_null(tmp);
	fflush(stdout);
	saved_stdout = dup(STDOUT_FILENO);
	assert_true(dup2(fileno(tmp), STDOUT_FILENO) >= 0);
	fclose(tmp);
}

static const char *capture_end(void)
{
	size_t n;

	fflush(stdout);
	lseek(STDOUT_FILENO, 0, SEEK_SET);
	n = read(STDOUT_FILENO, captured, sizeof(captured) - 1);
	captured[n > 0 ? n : 0] = '\0';
	dup2(saved_stdout, STDOUT_FILENO);
	close(saved_stdout);
	return captured;
}

static void emit_session(void)
{
	out_open_object(NULL);
	out_string(PRINT_ANY, "name", "session %s", "db \"main\"\n");
	out_u64(PRINT_ANY, "files", " files=%" PRIu64, 2);
	out_hex(PRINT_ANY, "address", " at 0x%" PRIx64, 0x10a3f2000);
	out_bool(PRINT_ANY, "finished", " finished=%s", false);
	out_null(PRINT_JSON, "owner", NULL);
	out_open_array("tokens");
	out_u64(PRINT_ANY, NULL, " %" PRIu64, 0);
	out_u64(PRINT_ANY, NULL, " %" PRIu64, UINT64_MAX);
	out_close_array();
	out_text("\n");
	out_close_object();
}

static void test_text(void **state)
{
	(void)state;
	capture_begin();
	out_begin(false, false);
	emit_session();
	assert_int_equal(out_end(), 0);
	assert_string_equal(capture_end(), "session db \"main\"\n files=2 at 0x10a3f2000 "
			    "finished=no 0 18446744073709551615\n");
}

static void test_json_compact(void **state)
{
	(void)state;
	capture_begin();
	out_begin(true, false);
	emit_session();
	assert_int_equal(out_end(), 0);
	assert_string_equal(capture_end(),
			    "{\"name\":\"db \\\"main\\\"\\n\",\"files\":2,\"address\":\"0x10a3f2000\","
			    "\"finished\":false,\"owner\":null,"
			    "\"tokens\":[0,18446744073709551615],"
			    "\"tokens_hex\":[\"0x0\",\"0xffffffffffffffff\"]}\n");
}

static void test_json_pretty_and_control_bytes(void **state)
{
	(void)state;
	capture_begin();
	out_begin(true, true);
	out_open_object(NULL);
	out_string(PRINT_ANY, "raw", NULL, "a\001b\x7f");
	out_open_array("empty");
	out_close_array();
	out_string(PRINT_TEXT, "hidden", "%s", "text only");
	out_close_object();
	assert_int_equal(out_end(), 0);
	assert_string_equal(capture_end(),
			    "{\n  \"raw\": \"a\\u0001b\\u007f\",\n  \"empty\": []\n}\n");
}

static void test_json_invalid_utf8(void **state)
{
	(void)state;
	capture_begin();
	out_begin(true, false);
	out_open_object(NULL);
	/* Valid 2-, 3- and 4-byte sequences pass through untouched. */
	out_string(PRINT_ANY, "valid", NULL, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf");
	/* Stray bytes, a sequence cut short by the end and by another byte. */
	out_string(PRINT_ANY, "stray", NULL, "a\xff\x80z\xc3");
	out_string(PRINT_ANY, "cut", NULL, "\xe2\x82z");
	/* Overlong forms, a UTF-16 surrogate, a code point above U+10FFFF. */
	out_string(PRINT_ANY, "overlong", NULL, "\xc0\xaf\xe0\x80\xaf\xf0\x80\x80\xaf");
	out_string(PRINT_ANY, "surrogate", NULL, "\xed\xa0\x80");
	out_string(PRINT_ANY, "too_high", NULL, "\xf4\x90\x80\x80");
	out_close_object();
	assert_int_equal(out_end(), 0);
	assert_string_equal(capture_end(),
			    "{\"valid\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\","
			    "\"stray\":\"a\\udcff\\udc80z\\udcc3\","
			    "\"cut\":\"\\udce2\\udc82z\","
			    "\"overlong\":\"\\udcc0\\udcaf\\udce0\\udc80\\udcaf"
			    "\\udcf0\\udc80\\udc80\\udcaf\","
			    "\"surrogate\":\"\\udced\\udca0\\udc80\","
			    "\"too_high\":\"\\udcf4\\udc90\\udc80\\udc80\"}\n");
}

static void test_json_unsafe_integers(void **state)
{
	(void)state;
	capture_begin();
	out_begin(true, false);
	out_open_object(NULL);
	out_u64(PRINT_ANY, "safe", NULL, (UINT64_C(1) << 53) - 1);
	out_u64(PRINT_ANY, "token", NULL, UINT64_C(1) << 53);
	out_open_array("small");
	out_u64(PRINT_ANY, NULL, NULL, 1);
	out_close_array();
	out_open_array("tokens");
	out_u64(PRINT_ANY, NULL, NULL, 7);
	out_u64(PRINT_ANY, NULL, NULL, 0xfedcba9876543210);
	out_close_array();
	out_close_object();
	assert_int_equal(out_end(), 0);
	assert_string_equal(capture_end(),
			    "{\"safe\":9007199254740991,"
			    "\"token\":9007199254740992,\"token_hex\":\"0x20000000000000\","
			    "\"small\":[1],"
			    "\"tokens\":[7,18364758544493064720],"
			    "\"tokens_hex\":[\"0x7\",\"0xfedcba9876543210\"]}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json_compact),
		cmocka_unit_test(test_json_pretty_and_control_bytes),
		cmocka_unit_test(test_json_invalid_utf8),
		cmocka_unit_test(test_json_unsafe_integers),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
