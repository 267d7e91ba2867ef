// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Pins the LUO ABI: every struct size, field offset and request value, as
 * the kernel defines them (luo-uapi.md sections 2 and 3). Whichever header
 * luo-abi.h picked, a change to any of these numbers fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "luo-abi.h"

#define FIELD_SIZE(type, field) sizeof(((type *)0)->field)

static void test_constants(void **state)
{
	(void)state;
	assert_int_equal(LIVEUPDATE_IOCTL_TYPE, 0xBA);
	assert_int_equal(LIVEUPDATE_SESSION_NAME_LENGTH, 64);
	assert_int_equal(LUO_NAME_MAX, 63);
}

/* Plain _IO(): no direction and no size bits, so the value is 0xBA00 | nr. */
static void test_request_values(void **state)
{
	(void)state;
	assert_int_equal(LIVEUPDATE_IOCTL_CREATE_SESSION, 0xBA00);
	assert_int_equal(LIVEUPDATE_IOCTL_RETRIEVE_SESSION, 0xBA01);
	assert_int_equal(LIVEUPDATE_SESSION_PRESERVE_FD, 0xBA40);
	assert_int_equal(LIVEUPDATE_SESSION_RETRIEVE_FD, 0xBA41);
	assert_int_equal(LIVEUPDATE_SESSION_FINISH, 0xBA42);
	assert_int_equal(LIVEUPDATE_SESSION_GET_NAME, 0xBA43);
}

static void test_session_structs(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct liveupdate_ioctl_create_session), 72);
	assert_int_equal(_Alignof(struct liveupdate_ioctl_create_session), 4);
	assert_int_equal(offsetof(struct liveupdate_ioctl_create_session, size), 0);
	assert_int_equal(offsetof(struct liveupdate_ioctl_create_session, fd), 4);
	assert_int_equal(offsetof(struct liveupdate_ioctl_create_session, name), 8);
	assert_int_equal(FIELD_SIZE(struct liveupdate_ioctl_create_session, name), 64);

	assert_int_equal(sizeof(struct liveupdate_ioctl_retrieve_session), 72);
	assert_int_equal(offsetof(struct liveupdate_ioctl_retrieve_session, size), 0);
	assert_int_equal(offsetof(struct liveupdate_ioctl_retrieve_session, fd), 4);
	assert_int_equal(offsetof(struct liveupdate_ioctl_retrieve_session, name), 8);
	assert_int_equal(FIELD_SIZE(struct liveupdate_ioctl_retrieve_session, name), 64);
}

static void test_fd_structs(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct liveupdate_session_preserve_fd), 16);
	assert_int_equal(_Alignof(struct liveupdate_session_preserve_fd), 8);
	assert_int_equal(offsetof(struct liveupdate_session_preserve_fd, size), 0);
	assert_int_equal(offsetof(struct liveupdate_session_preserve_fd, fd), 4);
	assert_int_equal(offsetof(struct liveupdate_session_preserve_fd, token), 8);
	assert_int_equal(FIELD_SIZE(struct liveupdate_session_preserve_fd, token), 8);

	assert_int_equal(sizeof(struct liveupdate_session_retrieve_fd), 16);
	assert_int_equal(_Alignof(struct liveupdate_session_retrieve_fd), 8);
	assert_int_equal(offsetof(struct liveupdate_session_retrieve_fd, size), 0);
	assert_int_equal(offsetof(struct liveupdate_session_retrieve_fd, fd), 4);
	assert_int_equal(offsetof(struct liveupdate_session_retrieve_fd, token), 8);
}

static void test_finish_and_get_name(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct liveupdate_session_finish), 8);
	assert_int_equal(offsetof(struct liveupdate_session_finish, size), 0);
	assert_int_equal(offsetof(struct liveupdate_session_finish, reserved), 4);

	assert_int_equal(sizeof(struct liveupdate_session_get_name), 72);
	assert_int_equal(offsetof(struct liveupdate_session_get_name, size), 0);
	assert_int_equal(offsetof(struct liveupdate_session_get_name, reserved), 4);
	assert_int_equal(offsetof(struct liveupdate_session_get_name, name), 8);
	assert_int_equal(FIELD_SIZE(struct liveupdate_session_get_name, name), 64);
}

/* Field types matter too: fd is signed, size/token unsigned. */
static void test_field_signedness(void **state)
{
	struct liveupdate_ioctl_create_session c = { .fd = -1, .size = (__u32)-1 };
	struct liveupdate_session_preserve_fd p = { .token = (__u64)-1 };

	(void)state;
	assert_true(c.fd < 0);
	assert_true(c.size > 0);
	assert_true(p.token == UINT64_MAX);
	assert_int_equal(sizeof(c.fd), 4);
	assert_int_equal(sizeof(p.fd), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_request_values),
		cmocka_unit_test(test_session_structs),
		cmocka_unit_test(test_fd_structs),
		cmocka_unit_test(test_finish_and_get_name),
		cmocka_unit_test(test_field_signedness),
	};

	return cmocka_run_group_tests_name("abi", tests, NULL, NULL);
}
