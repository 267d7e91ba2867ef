// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "log.h"
#include "luo-errors.h"
#include "luo.h"
#include "luoctl.h"
#include "output.h"
#include "chain.h"
#include "io.h"
#include "session-preserve.h"
#include "util.h"

static const char *describe(const struct preserve_item *item, char *buf, size_t size)
{
	switch (item->source) {
	case FROM_FD:
		snprintf(buf, size, "fd %d", item->fd);
		break;
	case FROM_FILE:
		snprintf(buf, size, "a copy of \"%s\"", item->path);
		break;
	case FROM_STDIN:
		snprintf(buf, size, "a copy of standard input");
		break;
	}
	return buf;
}

static int add_item(struct preserve_plan *plan, struct preserve_item item)
{
	struct preserve_item *v = realloc(plan->items, (plan->n + 1) * sizeof(*v));

	if (!v) {
		free(item.path);
		log_errno(ENOMEM, "cannot plan the preserve step");
		return LUOCTL_EXIT_FAILED;
	}
	plan->items = v;
	plan->items[plan->n++] = item;
	return 0;
}

static int parse_fd_item(struct preserve_plan *plan, const char *arg, struct fd_layout *layout)
{
	struct preserve_item item = { .source = FROM_FD, .fd = -1 };
	char *fd_text, *token_text, what[64];
	int rc;

	if (split_pair(arg, false, &fd_text, &token_text) < 0) {
		log_usage("--fd %s: expected FD:TOKEN", arg);
		return LUOCTL_EXIT_USAGE;
	}
	snprintf(what, sizeof(what), "--fd %s", arg);
	rc = parse_fd_arg(what, fd_text, &item.fd);
	if (rc == 0)
		rc = parse_token("--fd", arg, token_text, &item.token);
	if (rc == 0 && fcntl(item.fd, F_GETFD) < 0) {
		log_usage("--fd %s: fd %d is not open", arg, item.fd);
		rc = LUOCTL_EXIT_USAGE;
	}
	/* The program keeps this fd: nothing else may be placed on it. */
	if (rc == 0)
		rc = claim_fd(layout, item.fd, FD_USE_KEPT, what, what);
	free(fd_text);
	free(token_text);
	return rc ? rc : add_item(plan, item);
}

static int parse_file_item(struct preserve_plan *plan, const char *arg)
{
	struct preserve_item item = { .source = FROM_FILE, .fd = -1 };
	char *token_text;
	int rc;

	if (split_pair(arg, true, &item.path, &token_text) < 0) {
		log_usage("--file %s: expected PATH:TOKEN", arg);
		return LUOCTL_EXIT_USAGE;
	}
	if (!item.path[0]) {
		free(item.path);
		free(token_text);
		log_usage("--file %s: expected PATH:TOKEN", arg);
		return LUOCTL_EXIT_USAGE;
	}
	rc = parse_token("--file", arg, token_text, &item.token);
	item.arg = arg;
	free(token_text);
	if (rc) {
		free(item.path);
		return rc;
	}
	return add_item(plan, item);
}

static int parse_stdin_item(struct preserve_plan *plan, char **tokens)
{
	struct preserve_item item = { .source = FROM_STDIN, .fd = -1 };
	int rc;

	if (tokens[1]) {
		log_usage("--stdin is given twice (--stdin %s, --stdin %s): standard input can be read once", tokens[0], tokens[1]);
		return LUOCTL_EXIT_USAGE;
	}
	rc = parse_token("--stdin", tokens[0], tokens[0], &item.token);
	item.arg = tokens[0];
	if (rc == 0 && !fd_is_open(0)) {
		log_usage("--stdin %s: standard input is closed", tokens[0]);
		rc = LUOCTL_EXIT_USAGE;
	}
	return rc ? rc : add_item(plan, item);
}

static int parse_items(struct preserve_plan *plan, const struct session_opts *o,
		       struct fd_layout *layout)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && o->fd && o->fd[i]; i++)
		rc = parse_fd_item(plan, o->fd[i], layout);
	for (size_t i = 0; rc == 0 && o->file && o->file[i]; i++)
		rc = parse_file_item(plan, o->file[i]);
	if (rc == 0 && o->stdin_tokens)
		rc = parse_stdin_item(plan, o->stdin_tokens);
	return rc;
}

/* A duplicate token would fail halfway through with EEXIST: refuse it up front. */
static int check_tokens_unique(const struct preserve_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		for (size_t j = i + 1; j < plan->n; j++)
			if (plan->items[i].token == plan->items[j].token) {
				log_usage("token %llu is given twice (tokens are unique in a session)", (unsigned long long)plan->items[i].token);
				return LUOCTL_EXIT_USAGE;
			}
	return 0;
}

/*
 * One file preserved twice is undefined on 6.19 and EBUSY from 7.1: refuse it
 * here, the same on every kernel.
 */
static int check_files_distinct(const struct preserve_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		struct stat a, b;

		if (plan->items[i].source != FROM_FD || fstat(plan->items[i].fd, &a) < 0)
			continue;
		for (size_t j = i + 1; j < plan->n; j++) {
			if (plan->items[j].source != FROM_FD ||
			    fstat(plan->items[j].fd, &b) < 0)
				continue;
			if (a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
				log_usage("fd %d and fd %d are the same file; LUO preserves a file once", plan->items[i].fd, plan->items[j].fd);
				return LUOCTL_EXIT_USAGE;
			}
		}
	}
	return 0;
}

/* Copy everything from src into a fresh memfd, rewound so a reader starts at 0. */
static int copy_to_memfd(int src, uint64_t token, uint64_t *bytes)
{
	char name[64];
	int memfd, r;

	/* "luoctl-token-%llu", by hand: it runs for every file preserved (issue 12) */
	u64_to_str(name + str_copy(name, sizeof(name), "luoctl-token-"), token);
	/* Sealing allowed: kernels with memfd-v2 carry seals a later user adds. */
	memfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0)
		return -errno;
	r = io_copy(src, memfd, false, bytes);
	if (r == 0 && lseek(memfd, 0, SEEK_SET) < 0)
		r = -errno;
	if (r < 0) {
		close(memfd);
		return r;
	}
	return memfd;
}

/*
 * What /proc/meminfo calls MemAvailable, in bytes; 0 if it does not tell.
 * Read with read(2) and scanned by hand, not with stdio and sscanf: every
 * --file preserve asks, and each libc function a session command calls costs
 * it a symbol lookup in the dynamic loader (issue 12's instruction budget).
 */
static uint64_t mem_available(void)
{
	static const char key[] = "MemAvailable:";
	char buf[4096];
	const char *p = buf;
	uint64_t kib = 0;
	ssize_t n = -1;
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	while (strncmp(p, key, sizeof(key) - 1) != 0) {
		p = strchr(p, '\n');
		if (!p)
			return 0;
		p++;
	}
	for (p += sizeof(key) - 1; *p == ' '; p++)
		;
	for (; *p >= '0' && *p <= '9' && kib < UINT64_MAX / 1024 / 10; p++)
		kib = kib * 10 + (uint64_t)(*p - '0');
	return kib * 1024;
}

/*
 * What a copy may be made of: a regular file that fits in memory, a pipe, a
 * socket, a terminal or /dev/null. A directory cannot be read; other devices
 * (/dev/zero) may never end. Returns 0 or an exit status after printing why.
 */
static int check_copy_source(const struct preserve_item *item, int src)
{
	bool file = item->source == FROM_FILE;
	const char *opt = file ? "--file" : "--stdin";
	/* The source as messages name it: "PATH" (quoted) or standard input. */
	const char *q = file ? "\"" : "", *what = file ? item->path : "standard input";
	struct stat st;
	uint64_t avail;

	if (fstat(src, &st) < 0) {
		log_errno(errno, "%s %s: cannot read %s%s%s", opt, item->arg, q, what, q);
		return LUOCTL_EXIT_FAILED;
	}
	if (S_ISDIR(st.st_mode)) {
		log_usage("%s %s: %s%s%s is a directory; give a file", opt, item->arg, q, what, q);
		return LUOCTL_EXIT_USAGE;
	}
	/* /dev/null is empty, a terminal ends with ^D: other devices may never end. */
	if ((S_ISCHR(st.st_mode) && !isatty(src) && st.st_rdev != makedev(1, 3)) ||
	    S_ISBLK(st.st_mode)) {
		log_usage("%s %s: %s%s%s is a device, not a file to copy (its contents may never end)",
			  opt, item->arg, q, what, q);
		return LUOCTL_EXIT_USAGE;
	}
	avail = S_ISREG(st.st_mode) ? mem_available() : 0;
	if (avail && (uint64_t)st.st_size > avail) {
		log_error("%s %s: %s%s%s is %llu bytes, more than the %llu bytes of memory available (MemAvailable): the preserved copy is held in memory",
			  opt, item->arg, q, what, q, (unsigned long long)st.st_size,
			  (unsigned long long)avail);
		return LUOCTL_EXIT_FAILED;
	}
	return 0;
}

static int prepare_copy(struct preserve_item *item)
{
	int src = 0, fd, rc;

	if (item->source == FROM_FILE) {
		src = open(item->path, O_RDONLY | O_CLOEXEC);
		if (src < 0) {
			log_errno(errno, "--file %s: cannot open \"%s\"", item->arg, item->path);
			return LUOCTL_EXIT_FAILED;
		}
	}
	rc = check_copy_source(item, src);
	if (rc) {
		if (item->source == FROM_FILE)
			close(src);
		return rc;
	}
	fd = copy_to_memfd(src, item->token, &item->bytes);
	if (item->source == FROM_FILE)
		close(src);
	if (fd < 0) {
		if (item->source == FROM_FILE)
			log_errno(fd, "--file %s: cannot copy \"%s\" into a memfd", item->arg,
				  item->path);
		else
			log_errno(fd, "--stdin %s: cannot copy standard input into a memfd",
				  item->arg);
		return LUOCTL_EXIT_FAILED;
	}
	item->fd = fd;
	return 0;
}

int preserve_plan_check(struct preserve_plan *plan, const struct session_opts *o,
			struct fd_layout *layout)
{
	int rc;

	plan->items = NULL;
	plan->n = 0;
	rc = parse_items(plan, o, layout);
	if (rc == 0)
		rc = check_tokens_unique(plan);
	return rc ? rc : check_files_distinct(plan);
}

int preserve_plan_build(struct preserve_plan *plan)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < plan->n; i++)
		if (plan->items[i].source != FROM_FD)
			rc = prepare_copy(&plan->items[i]);
	return rc;
}

/* What the failure left behind, for the end of its message. */
static const char *partial_note(const struct preserve_plan *plan, const char *name,
				bool new_session)
{
	static char note[768];
	char list[512] = "";
	size_t len = 0, shown = 0;

	for (size_t i = 0; i < plan->n; i++) {
		if (!plan->items[i].preserved)
			continue;
		if (len >= sizeof(list) - 32 || shown++ == 8) {
			/* A long list ends with a count of what did not fit. */
			size_t more = 0;

			for (; i < plan->n; i++)
				more += plan->items[i].preserved;
			snprintf(list + len, sizeof(list) - len, " and %zu more", more);
			break;
		}
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%llu", len ? ", " : "",
					(unsigned long long)plan->items[i].token);
	}
	if (len && new_session)
		snprintf(note, sizeof(note), "tokens %s were preserved before the failure; session %s closes as luoctl exits, which unpreserves them", list, name_shown(name));
	else if (len)
		snprintf(note, sizeof(note), "tokens %s were preserved before the failure; they stay in session %s while any process holds it", list, name_shown(name));
	else if (new_session)
		snprintf(note, sizeof(note), "session %s closes as luoctl exits", name_shown(name));
	else
		return NULL;
	return note;
}

int preserve_plan_run(struct preserve_plan *plan, int sessionfd, const char *name,
		      bool new_session)
{
	for (size_t i = 0; i < plan->n; i++) {
		struct preserve_item *item = &plan->items[i];
		int r = luo_preserve_fd(sessionfd, item->fd, item->token);
		char what[PATH_MAX + 32];

		if (r < 0) {
			log_luo_then(LUO_STEP_PRESERVE, r, partial_note(plan, name, new_session),
				     "cannot preserve %s as token %llu in session %s",
				     describe(item, what, sizeof(what)),
				     (unsigned long long)item->token, name_shown(name));
			return LUOCTL_EXIT_FAILED;
		}
		item->preserved = true;
		/* LUO holds its own reference: our copy is not needed any more. */
		if (item->source != FROM_FD) {
			close(item->fd);
			item->fd = -1;
		}
	}
	return 0;
}

static const char *source_name(enum preserve_source s)
{
	return s == FROM_FD ? "fd" : s == FROM_FILE ? "file" : "stdin";
}

void preserve_plan_report(const struct preserve_plan *plan)
{
	out_open_array("preserved");
	for (size_t i = 0; i < plan->n; i++) {
		const struct preserve_item *item = &plan->items[i];

		out_open_object(NULL);
		out_u64(PRINT_ANY, "token", "preserved token %" PRIu64 ": ", item->token);
		out_string(PRINT_ANY, "source", NULL, source_name(item->source));
		if (item->source == FROM_FD)
			out_i64(PRINT_ANY, "fd", "fd %" PRId64 "\n", item->fd);
		if (item->source == FROM_FILE)
			out_string(PRINT_ANY, "path", "file \"%s\"", item->path);
		if (item->source == FROM_STDIN)
			out_text("standard input");
		if (item->source != FROM_FD)
			out_u64(PRINT_ANY, "bytes", " (%" PRIu64 " bytes)\n", item->bytes);
		out_close_object();
	}
	out_close_array();
}

void preserve_plan_free(struct preserve_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		if (plan->items[i].source != FROM_FD && plan->items[i].fd >= 0)
			close(plan->items[i].fd);
		free(plan->items[i].path);
	}
	free(plan->items);
	plan->items = NULL;
	plan->n = 0;
}
