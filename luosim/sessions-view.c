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

#include "sessions-view.h"
#include "util.h"

static char *last;

static void encode(FILE *f, const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		fprintf(f, name_byte_plain(*p) ? "%c" : "%%%02X", *p);
}

static const char *state_of(const struct luo_session *s)
{
	if (!s->incoming)
		return "held";
	if (s->finished)
		return "finished";
	return s->retrieved ? "retrieved" : "unclaimed";
}

static char *render(const struct luo_emu *e)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < e->nr_sessions; i++) {
		const struct luo_session *s = e->sessions[i];

		fprintf(f, "%s ", s->incoming ? "in" : "out");
		if (s->kept >= 0)
			fprintf(f, "%llu ", (unsigned long long)s->ino);
		else
			fputs("- ", f);
		fprintf(f, "%s ", state_of(s));
		encode(f, s->name);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
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
	if (write(fd, text, len) != (ssize_t)len)
		err = -EIO;
	close(fd);
	if (!err && rename(tmp, SESSIONS_VIEW) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int sessions_view_publish(const struct luo_emu *e)
{
	char *text = render(e);
	int err;

	if (!text)
		return -ENOMEM;
	if (last && strcmp(last, text) == 0) {
		free(text);
		return 0;
	}
	err = write_atomic(text);
	free(last);
	last = err ? NULL : text;
	if (err)
		free(text);
	return err;
}
