// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /sys/kernel/debug/luosim/sessions: one line per session the emulated
 * kernel knows, "KIND INO STATE NAME":
 *   KIND   out or in
 *   INO    inode of the socket the tree holds for it ("-" when none is held)
 *   STATE  held (outgoing), unclaimed, retrieved or finished (incoming)
 *   NAME   percent-encoded like LUOCTL_SESSIONS (bytes other than
 *          [A-Za-z0-9-_.~+@=,] as %HH)
 * Replaced atomically (rename) whenever it changes, so a reader never sees
 * half a table. Documented in luosim(1); read by luoctl list.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "sessions-view.h"
#include "util.h"

/*
 * The generation last written; none yet. One table per process: each boot's
 * supervisor is a fresh fork of main(), which never publishes.
 */
static unsigned long published_gen;
static bool published;

/* The longest line: "out " INO " " "unclaimed " NAME (3 bytes a byte) "\n". */
#define LINE_MAX_LEN (4 + 20 + 1 + 10 + 3 * LIVEUPDATE_SESSION_NAME_LENGTH + 2)

/* Copy s to p (the buffer has room for its NUL too); its length. */
static size_t put(char *p, const char *s)
{
	return (size_t)(stpcpy(p, s) - p);
}

static const char *state_of(const struct luo_session *s)
{
	if (!s->incoming)
		return "held";
	if (s->finished)
		return "finished";
	return s->retrieved ? "retrieved" : "unclaimed";
}

static size_t render_line(char *p, const struct luo_session *s)
{
	size_t n = put(p, s->incoming ? "in " : "out ");

	if (s->kept >= 0)
		n += u64_to_str(p + n, (uint64_t)s->ino);
	else
		p[n++] = '-';
	p[n++] = ' ';
	n += put(p + n, state_of(s));
	p[n++] = ' ';
	n += name_encode(p + n, s->name);
	p[n++] = '\n';
	return n;
}

/*
 * By hand into one buffer (no stdio per byte): a chain of the kernel's 2000
 * sessions (luo_stress_sessions) renders it once per session created, over up
 * to 2000 lines (issue 12).
 */
static char *render(const struct luo_emu *e)
{
	char *text = NULL;
	size_t len = 0, cap = 0;

	if (io_grow((void **)&text, &cap, 1, 1) < 0)
		return NULL;
	for (size_t i = 0; i < e->nr_sessions; i++) {
		if (io_grow((void **)&text, &cap, len + LINE_MAX_LEN + 1, 1) < 0) {
			free(text);
			return NULL;
		}
		len += render_line(text + len, e->sessions[i]);
	}
	text[len] = '\0';
	return text;
}

static int write_atomic(const char *text)
{
	static const char tmp[] = SESSIONS_VIEW ".new";
	size_t len = strlen(text);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0444);
	int err = 0;

	if (fd < 0)
		return -errno;
	err = io_write_all(fd, text, len);
	close(fd);
	if (!err && rename(tmp, SESSIONS_VIEW) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/*
 * Called after every trapped ioctl and session release; writes only when the
 * table changed since (e->view_gen), so an ioctl that changes no session
 * (PRESERVE_FD, RETRIEVE_FD, GET_NAME, a refused call) costs nothing here,
 * whatever the number of sessions. A failed write is tried again next time.
 */
int sessions_view_publish(const struct luo_emu *e)
{
	char *text;
	int err;

	if (published && published_gen == e->view_gen)
		return 0;
	text = render(e);
	if (!text)
		return -ENOMEM;
	err = write_atomic(text);
	free(text);
	if (!err) {
		published = true;
		published_gen = e->view_gen;
	}
	return err;
}
