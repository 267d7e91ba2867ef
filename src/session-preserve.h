// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The preserve step shared by `create` (files given with the new session) and
 * `preserve` (files added to a held session): check --fd/--file/--stdin,
 * prepare every fd (copies into memfds) before the first ioctl, then preserve
 * them in order.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <popt.h>

#include "fd-layout.h"

enum preserve_source { FROM_FD, FROM_FILE, FROM_STDIN };

struct preserve_item {
	enum preserve_source source;
	uint64_t token;
	int fd;		/* what the kernel gets: the user's fd, or our memfd */
	char *path;	/* FROM_FILE */
	const char *arg;	/* FROM_FILE, FROM_STDIN: the option's argument, for messages */
	uint64_t bytes;	/* FROM_FILE, FROM_STDIN: bytes copied */
	bool preserved;
};

struct preserve_plan {
	struct preserve_item *items;
	size_t n;
};

struct session_opts;

/*
 * Parse and check the items: user fds open, distinct files, claimed in the
 * layout (the program keeps them), tokens unique, stdin given once and open.
 * Returns 0 or an exit status after printing why.
 */
int preserve_plan_check(struct preserve_plan *plan, const struct session_opts *o,
			struct fd_layout *layout);
/* Copy files and stdin into fresh memfds. Nothing reaches LUO yet. */
int preserve_plan_build(struct preserve_plan *plan);
/*
 * Preserve every item into sessionfd. 0, or an exit status after printing why.
 * new_session: luoctl created it and is its only holder (the note on failure differs).
 */
int preserve_plan_run(struct preserve_plan *plan, int sessionfd, const char *name,
		      bool new_session);
/* The "preserved" array (JSON) or one line per item (text). */
void preserve_plan_report(const struct preserve_plan *plan);
void preserve_plan_free(struct preserve_plan *plan);
