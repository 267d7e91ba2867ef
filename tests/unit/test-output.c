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
			    "\"tokens\":[0,18446744073709551615]}\n");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json_compact),
		cmocka_unit_test(test_json_pretty_and_control_bytes),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
