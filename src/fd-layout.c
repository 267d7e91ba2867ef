// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fd-layout.h"
#include "io.h"
#include "util.h"

void fd_layout_init(struct fd_layout *l, int limit)
{
	struct rlimit rl;

	memset(l, 0, sizeof(*l));
	l->limit = limit;
	if (limit <= 0)
		l->limit = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < INT_MAX ?
				   (int)rl.rlim_cur : INT_MAX;
}

void fd_layout_free(struct fd_layout *l)
{
	free(l->claims);
	memset(l, 0, sizeof(*l));
}

const struct fd_claim *fd_layout_find(const struct fd_layout *l, int fd)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->claims[i].fd == fd)
			return &l->claims[i];
	return NULL;
}

int fd_layout_claim(struct fd_layout *l, int fd, enum fd_use use, const char *what,
		    const struct fd_claim **other)
{
	const struct fd_claim *c;
	int r;

	if (fd < 0)
		return -EBADF;
	if (use == FD_USE_SESSION && fd <= 2)
		return -ERANGE;
	if (fd >= l->limit)
		return -EMFILE;
	c = fd_layout_find(l, fd);
	if (c) {
		if (other)
			*other = c;
		return -EEXIST;
	}
	r = io_grow((void **)&l->claims, &l->cap, l->n + 1, sizeof(*l->claims));
	if (r < 0)
		return r;
	l->claims[l->n] = (struct fd_claim){ .fd = fd, .use = use };
	str_copy(l->claims[l->n].what, sizeof(l->claims[l->n].what), what);
	l->n++;
	return 0;
}

static bool is_target(const struct fd_move *moves, size_t n, int fd)
{
	for (size_t i = 0; i < n; i++)
		if (moves[i].target == fd)
			return true;
	return false;
}

/* Out of the way: not claimed, not a target. */
static bool in_the_way(const struct fd_layout *l, const struct fd_move *moves, size_t n,
		       int fd)
{
	return fd_layout_find(l, fd) || is_target(moves, n, fd);
}

/* The lowest free fd from 3 that nobody claimed, a duplicate of fd (close-on-exec). */
static int dup_free(const struct fd_layout *l, const struct fd_move *moves, size_t n,
		    int fd)
{
	int from = 3;

	for (;;) {
		int d = fcntl(fd, F_DUPFD_CLOEXEC, from);

		if (d < 0)
			return -errno;
		if (!in_the_way(l, moves, n, d))
			return d;
		/* Free now, but promised to something else: look further up. */
		close(d);
		from = d + 1;
	}
}

static int lift(const struct fd_layout *l, const struct fd_move *moves, size_t n, int *fd)
{
	int d = dup_free(l, moves, n, *fd);

	if (d < 0)
		return d;
	close(*fd);
	*fd = d;
	return 0;
}

/* An untargeted fd: the lowest free unclaimed number from 3, or where it is. */
static int place_lowest(const struct fd_layout *l, const struct fd_move *moves, size_t n,
			int *fd)
{
	int d = dup_free(l, moves, n, *fd);

	if (d < 0)
		return d;
	/* 0-2 are the program's standard streams, never a place for it. */
	if (d < *fd || *fd <= 2) {
		close(*fd);
		*fd = d;
	} else {
		close(d);
	}
	return fd_set_cloexec(*fd, false);
}

int fd_layout_place(const struct fd_layout *l, struct fd_move *moves, size_t n,
		    int *const bystanders[], size_t nbystanders)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < nbystanders; i++) {
		if (*bystanders[i] < 0 || !is_target(moves, n, *bystanders[i]))
			continue;
		r = lift(l, moves, n, bystanders[i]);
		if (r == 0)
			r = fd_set_cloexec(*bystanders[i], false);
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		int fd = *moves[i].fd;

		if (fd != moves[i].target && in_the_way(l, moves, n, fd))
			r = lift(l, moves, n, moves[i].fd);
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (moves[i].target < 0)
			continue;
		r = fd_move_to(*moves[i].fd, moves[i].target);
		if (r >= 0) {
			*moves[i].fd = r;
			r = 0;
		}
	}
	for (size_t i = 0; r == 0 && i < n; i++)
		if (moves[i].target < 0)
			r = place_lowest(l, moves, n, moves[i].fd);
	return r;
}

/* ---- LISTEN_FDS ----------------------------------------------------------- */

static bool listen_fds_ours(int *count)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int listen_pid;

	return pid && fds && parse_fd_number(pid, &listen_pid) == 0 &&
	       listen_pid == getpid() && parse_fd_number(fds, count) == 0;
}

int listen_fds_inherited(struct listen_fds *lf)
{
	const char *names = getenv("LISTEN_FDNAMES");

	lf->count = 0;
	lf->names = NULL;
	if (!listen_fds_ours(&lf->count))
		return 0;
	if (names) {
		lf->names = strdup(names);
		if (!lf->names)
			return -ENOMEM;
	}
	return 0;
}

void listen_fds_free(struct listen_fds *lf)
{
	free(lf->names);
	lf->names = NULL;
	lf->count = 0;
}

static int export_env(int count, const char *names)
{
	char pid[24], fds[24];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(fds, sizeof(fds), "%d", count);
	if (setenv("LISTEN_PID", pid, 1) < 0 || setenv("LISTEN_FDS", fds, 1) < 0 ||
	    setenv("LISTEN_FDNAMES", names, 1) < 0)
		return -errno;
	return 0;
}

int listen_fds_export(const struct listen_fds *inherited, const char *const names[],
		      size_t n)
{
	size_t len = inherited->names ? strlen(inherited->names) + 1 : 0;
	int count = inherited->count, r;
	char *all, *p;

	len += (size_t)inherited->count * 8;
	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 1;
	all = p = calloc(1, len + 1);
	if (!all)
		return -ENOMEM;
	if (inherited->names)
		p += sprintf(p, "%s", inherited->names);
	else
		for (int i = 0; i < inherited->count; i++)
			p += sprintf(p, "%sunknown", i ? ":" : "");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%s", count++ ? ":" : "", names[i]);
	r = export_env(count, all);
	/* A pidfd id from some other process would make sd_listen_fds() refuse ours. */
	if (r == 0 && inherited->count == 0)
		unsetenv("LISTEN_PIDFDID");
	free(all);
	return r;
}

/* LISTEN_FDNAMES without its index-th name (names are ':'-separated). */
static char *names_without(const char *names, int index)
{
	char *out = strdup(names), *p = out;
	const char *s = names;

	if (!out)
		return NULL;
	for (int i = 0; *s || i == 0; i++) {
		const char *end = strchrnul(s, ':');

		if (i != index) {
			if (p != out)
				*p++ = ':';
			memcpy(p, s, (size_t)(end - s));
			p += end - s;
		}
		if (!*end)
			break;
		s = end + 1;
	}
	*p = '\0';
	return out;
}

int listen_fds_remove(int fd, int *shifted_from, int *shifted_end)
{
	const char *names = getenv("LISTEN_FDNAMES");
	char *rest = NULL;
	int count, r;

	*shifted_from = *shifted_end = 0;
	if (!listen_fds_ours(&count) || fd < 3 || fd >= 3 + count)
		return 0;
	for (int k = fd + 1; k < 3 + count; k++) {
		if (dup2(k, k - 1) < 0)
			return -errno;
		close(k);
	}
	if (fd + 1 < 3 + count) {
		*shifted_from = fd + 1;
		*shifted_end = 3 + count;
	}
	if (names) {
		rest = names_without(names, fd - 3);
		if (!rest)
			return -ENOMEM;
	}
	r = export_env(count - 1, rest ? rest : "");
	if (r == 0 && !names)
		unsetenv("LISTEN_FDNAMES");
	free(rest);
	return r;
}
