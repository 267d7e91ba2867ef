// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The fd layout a chained program gets, in one place for create, preserve,
 * retrieve and finish. First every fd number the command line names is
 * claimed (checked before any kernel step, so a collision costs nothing),
 * then the fds are placed, then LISTEN_FDS is written or kept true.
 *
 * The rules, the same for every command:
 *  - one fd number, one use: any two claims on one number are refused;
 *  - sessions go to 3 or above (0-2 stay the program's standard streams);
 *    retrieved files may go anywhere, 0-2 included (documented);
 *  - every number is below RLIMIT_NOFILE (dup2 could not place it);
 *  - inherited LISTEN_FDS fds stay where they are, and new ones follow them.
 * Helpers return 0 or -errno and never print.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum fd_use {
	FD_USE_SESSION,		/* a session fd the program gets */
	FD_USE_FILE,		/* a retrieved file the program gets */
	FD_USE_KEPT,		/* an fd the program already has and keeps (--fd N:TOKEN) */
	FD_USE_READY,		/* --ready-fd */
	FD_USE_LISTEN,		/* an inherited LISTEN_FDS fd */
};

struct fd_claim {
	int fd;
	enum fd_use use;
	char what[64];		/* for messages: "the session", "token 1", ... */
};

struct fd_layout {
	struct fd_claim *claims;
	size_t n, cap;
	int limit;		/* RLIMIT_NOFILE, soft */
};

/* An empty layout; limit 0 reads RLIMIT_NOFILE. */
void fd_layout_init(struct fd_layout *l, int limit);
void fd_layout_free(struct fd_layout *l);

/*
 * Claim fd for use. 0; -EBADF: negative; -ERANGE: a session below 3;
 * -EMFILE: not below the limit; -EEXIST: claimed already (*other says by
 * what); -ENOMEM.
 */
int fd_layout_claim(struct fd_layout *l, int fd, enum fd_use use, const char *what,
		    const struct fd_claim **other);
const struct fd_claim *fd_layout_find(const struct fd_layout *l, int fd);

/* One fd to place: *fd moves to target (-1: the lowest free unclaimed fd from 3). */
struct fd_move {
	int *fd;
	int target;
};

/*
 * Place every move, FD_CLOEXEC cleared on the placed fds. Each fd in
 * bystanders[] (held sessions the program also gets) that stands on a
 * target is moved off it first (the int is updated, FD_CLOEXEC clear), and
 * every source standing on another's target is lifted, so no placement
 * clobbers another. An untargeted fd keeps its number when it is already
 * the lowest. 0 or -errno.
 */
int fd_layout_place(const struct fd_layout *l, struct fd_move *moves, size_t n,
		    int *const bystanders[], size_t nbystanders);

/* ---- LISTEN_FDS (sd_listen_fds(3)) ---------------------------------------- */

/* The LISTEN_FDS given to this very process: count and names (NULL: none given). */
struct listen_fds {
	int count;
	char *names;
};
/* 0 (count 0 when none is addressed to this process) or -ENOMEM. */
int listen_fds_inherited(struct listen_fds *lf);
void listen_fds_free(struct listen_fds *lf);

/* Export LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES: the inherited ones, then names[]. */
int listen_fds_export(const struct listen_fds *inherited, const char *const names[],
		      size_t n);

/*
 * fd leaves the layout (finish closed a session): when it is one of this
 * process's LISTEN_FDS, the fds after it move down by one and its name is
 * dropped, so the layout stays true. fd itself must be closed already.
 * *shifted_from: the first fd that moved down by one, up to *shifted_end
 * (exclusive); both 0 when nothing moved. 0 or -errno.
 */
int listen_fds_remove(int fd, int *shifted_from, int *shifted_end);
