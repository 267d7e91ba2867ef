// SPDX-License-Identifier: LGPL-2.1-or-later
/* The fd layout: claims refused alike, placement that never clobbers, LISTEN_FDS kept true. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fd-layout.h"
#include "util.h"

static void test_claims(void **state)
{
	const struct fd_claim *other = NULL;
	struct fd_layout l;

	(void)state;
	fd_layout_init(&l, 100);
	assert_int_equal(fd_layout_claim(&l, 5, FD_USE_SESSION, "the session", NULL), 0);
	/* Every second claim on one number is refused, whatever its use. */
	assert_int_equal(fd_layout_claim(&l, 5, FD_USE_KEPT, "--fd 5:9", &other), -EEXIST);
	assert_non_null(other);
	assert_string_equal(other->what, "the session");
	assert_int_equal(fd_layout_claim(&l, 5, FD_USE_FILE, "token 1", NULL), -EEXIST);
	assert_int_equal(fd_layout_claim(&l, 5, FD_USE_READY, "--ready-fd", NULL), -EEXIST);
	/* Sessions never take 0-2; retrieved files may. */
	assert_int_equal(fd_layout_claim(&l, 2, FD_USE_SESSION, "the session", NULL), -ERANGE);
	assert_int_equal(fd_layout_claim(&l, 0, FD_USE_FILE, "token 2", NULL), 0);
	/* At or above the limit dup2 cannot place anything. */
	assert_int_equal(fd_layout_claim(&l, 100, FD_USE_FILE, "token 3", NULL), -EMFILE);
	assert_int_equal(fd_layout_claim(&l, 99, FD_USE_FILE, "token 3", NULL), 0);
	assert_int_equal(fd_layout_claim(&l, -1, FD_USE_FILE, "token 4", NULL), -EBADF);
	assert_non_null(fd_layout_find(&l, 99));
	assert_null(fd_layout_find(&l, 7));
	fd_layout_free(&l);
}

static void test_limit_from_rlimit(void **state)
{
	struct fd_layout l;

	(void)state;
	fd_layout_init(&l, 0);
	assert_true(l.limit > 3);
	assert_int_equal(fd_layout_claim(&l, l.limit, FD_USE_FILE, "token 1", NULL), -EMFILE);
	fd_layout_free(&l);
}

static int new_memfd(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, name, strlen(name)), (ssize_t)strlen(name));
	return fd;
}

/* The name the memfd at fd was created with: what is at fd now. */
static void assert_at(int fd, const char *name, bool placed)
{
	char path[64], link[128], want[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	snprintf(want, sizeof(want), "/memfd:%s (deleted)", name);
	assert_string_equal(link, want);
	/* Placed fds are passed on: close-on-exec cleared. */
	if (placed)
		assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
}

/* Two files swapping numbers, and a bystander standing on a target: nothing lost. */
static void test_place_swaps_and_moves_bystanders(void **state)
{
	int a = new_memfd("a"), b = new_memfd("b"), c = new_memfd("c"), held = new_memfd("held");
	int ta, tb;
	struct fd_layout l;
	struct fd_move moves[2];
	int *bystanders[] = { &held };

	(void)state;
	fd_layout_init(&l, 0);
	/* a goes where b is, b where the bystander is. */
	ta = b;
	tb = held;
	assert_int_equal(fd_layout_claim(&l, ta, FD_USE_FILE, "token 1", NULL), 0);
	assert_int_equal(fd_layout_claim(&l, tb, FD_USE_FILE, "token 2", NULL), 0);
	moves[0] = (struct fd_move){ &a, ta };
	moves[1] = (struct fd_move){ &b, tb };
	assert_int_equal(fd_layout_place(&l, moves, 2, bystanders, 1), 0);
	assert_int_equal(a, ta);
	assert_int_equal(b, tb);
	assert_at(ta, "a", true);
	assert_at(tb, "b", true);
	assert_true(held != ta && held != tb);
	assert_at(held, "held", true);
	assert_at(c, "c", false);
	close(a);
	close(b);
	close(c);
	close(held);
	fd_layout_free(&l);
}

/* An untargeted fd takes the lowest free unclaimed number from 3, or stays. */
static void test_place_lowest(void **state)
{
	int high = new_memfd("s"), moved, low;
	struct fd_layout l;
	struct fd_move move;

	(void)state;
	moved = fcntl(high, F_DUPFD_CLOEXEC, 40);
	close(high);
	high = moved;
	low = fcntl(high, F_DUPFD, 3);
	close(low);
	fd_layout_init(&l, 0);
	/* The lowest free one is claimed by something else: the next one is taken. */
	assert_int_equal(fd_layout_claim(&l, low, FD_USE_FILE, "token 1", NULL), 0);
	move = (struct fd_move){ &high, -1 };
	assert_int_equal(fd_layout_place(&l, &move, 1, NULL, 0), 0);
	assert_true(high > low && high < 40);
	assert_at(high, "s", true);
	close(high);
	fd_layout_free(&l);
}

/* An untargeted fd that landed on 0-2 (the caller closed stdin) is moved up. */
static void test_place_lowest_leaves_std_fds(void **state)
{
	int saved = fcntl(0, F_DUPFD_CLOEXEC, 100), fd;
	struct fd_layout l;
	struct fd_move move = { &fd, -1 };

	(void)state;
	close(0);
	fd = new_memfd("s");
	assert_int_equal(fd, 0);
	fd_layout_init(&l, 0);
	assert_int_equal(fd_layout_place(&l, &move, 1, NULL, 0), 0);
	assert_true(fd >= 3);
	assert_at(fd, "s", true);
	assert_int_equal(fcntl(0, F_GETFD), -1);
	close(fd);
	if (saved >= 0)
		assert_int_equal(fd_move_to(saved, 0), 0);
	fd_layout_free(&l);
}

static void set_listen(int count, const char *names)
{
	char pid[24], fds[24];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(fds, sizeof(fds), "%d", count);
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", fds, 1);
	if (names)
		setenv("LISTEN_FDNAMES", names, 1);
	else
		unsetenv("LISTEN_FDNAMES");
}

static void test_listen_export(void **state)
{
	struct listen_fds lf;
	const char *names[] = { "db", "small" };

	(void)state;
	set_listen(1, "pre");
	assert_int_equal(listen_fds_inherited(&lf), 0);
	assert_int_equal(lf.count, 1);
	assert_string_equal(lf.names, "pre");
	assert_int_equal(listen_fds_export(&lf, names, 2), 0);
	assert_string_equal(getenv("LISTEN_FDS"), "3");
	assert_string_equal(getenv("LISTEN_FDNAMES"), "pre:db:small");
	listen_fds_free(&lf);
	/* Another process's LISTEN_FDS are not ours. */
	setenv("LISTEN_PID", "1", 1);
	assert_int_equal(listen_fds_inherited(&lf), 0);
	assert_int_equal(lf.count, 0);
	assert_int_equal(listen_fds_export(&lf, names, 1), 0);
	assert_string_equal(getenv("LISTEN_FDS"), "1");
	assert_string_equal(getenv("LISTEN_FDNAMES"), "db");
}

/* Removing the session from the middle: the ones after it move down, names follow. */
static void test_listen_remove(void **state)
{
	int saved[3], from, end;

	(void)state;
	/* LISTEN_FDS start at 3: keep whatever the test runner has there, and restore it. */
	for (int i = 0; i < 3; i++)
		saved[i] = fcntl(3 + i, F_DUPFD_CLOEXEC, 100);
	assert_int_equal(fd_move_to(new_memfd("x"), 3), 3);
	assert_int_equal(fd_move_to(new_memfd("db"), 4), 4);
	assert_int_equal(fd_move_to(new_memfd("z"), 5), 5);
	set_listen(3, "x:db:z");
	close(4);
	assert_int_equal(listen_fds_remove(4, &from, &end), 0);
	assert_int_equal(from, 5);
	assert_int_equal(end, 6);
	assert_string_equal(getenv("LISTEN_FDS"), "2");
	assert_string_equal(getenv("LISTEN_FDNAMES"), "x:z");
	assert_at(3, "x", true);
	assert_at(4, "z", true);
	assert_int_equal(fcntl(5, F_GETFD), -1);
	/* Not one of the LISTEN_FDS: nothing moves. */
	assert_int_equal(listen_fds_remove(9, &from, &end), 0);
	assert_int_equal(from, 0);
	assert_string_equal(getenv("LISTEN_FDS"), "2");
	/* The last one: nothing after it moves; without names only the count changes. */
	unsetenv("LISTEN_FDNAMES");
	close(4);
	assert_int_equal(listen_fds_remove(4, &from, &end), 0);
	assert_int_equal(from, 0);
	assert_string_equal(getenv("LISTEN_FDS"), "1");
	assert_null(getenv("LISTEN_FDNAMES"));
	close(3);
	for (int i = 0; i < 3; i++)
		if (saved[i] >= 0)
			assert_int_equal(fd_move_to(saved[i], 3 + i), 3 + i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claims),
		cmocka_unit_test(test_limit_from_rlimit),
		cmocka_unit_test(test_place_swaps_and_moves_bystanders),
		cmocka_unit_test(test_place_lowest),
		cmocka_unit_test(test_place_lowest_leaves_std_fds),
		cmocka_unit_test(test_listen_export),
		cmocka_unit_test(test_listen_remove),
	};

	return cmocka_run_group_tests_name("fd-layout", tests, NULL, NULL);
}
