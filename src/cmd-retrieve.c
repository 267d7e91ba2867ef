// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luoctl retrieve: retrieve an incoming session and the files listed by
 * token, place each where asked (an fd number, a file written out, or the
 * systemd LISTEN_FDS layout), optionally finish the session, and exec PROG
 * with them. Closing a retrieved session finishes it and discards what was
 * not retrieved, so everything that can be checked is checked before the
 * session is taken from the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "luo-errors.h"
#include "luo.h"
#include "luoctl.h"
#include "output.h"
#include "chain.h"
#include "device.h"
#include "fd-layout.h"
#include "io.h"
#include "util.h"

/* systemd's FDNAME rules (sd_pid_notify_with_fds(3)). */
#define FDNAME_MAX 255

enum retrieve_dest { TO_FD, TO_FILE, TO_LISTEN };

struct retrieve_item {
	enum retrieve_dest dest;
	uint64_t token;
	int target;		/* TO_FD, TO_LISTEN: the fd number PROG gets */
	char *path;		/* TO_FILE */
	char *fdname;		/* TO_LISTEN */
	dev_t dir_dev;		/* TO_FILE: the directory that will hold it, and */
	ino_t dir_ino;		/* its name there (base): to find duplicates */
	char *base;
	struct io_publish out;	/* TO_FILE: written beside path, then renamed over it */
	int fd;			/* what RETRIEVE_FD returned */
	uint64_t bytes;
	bool retrieved;		/* RETRIEVE_FD succeeded: its data must never be dropped */
	bool written;		/* TO_FILE: renamed over path */
	int err;		/* TO_FILE: why it could not be written out (-errno) */
	char what[32];		/* "token 1", for messages and fd claims */
};

struct retrieve_job {
	struct session_opts opts;
	const char *name;
	char **prog;
	struct session_env env;
	struct retrieve_item *items;
	size_t n;
	bool listen;
	struct listen_fds inherited;	/* LISTEN_FDS we were given, kept in place */
	const char *session_fdname;
	int session_target;	/* -1: lowest free fd from 3 */
	struct fd_layout layout;
	int wait_ms;
	int sessionfd;
	bool taken;		/* the session was retrieved: past the point of no return */
	bool finished;
};

static bool fdname_valid(const char *s)
{
	if (!*s || strlen(s) > FDNAME_MAX)
		return false;
	for (; *s; s++)
		if (*s < ' ' || *s > '~' || *s == ':')
			return false;
	return true;
}

static int add_item(struct retrieve_job *job, const struct retrieve_item *item)
{
	struct retrieve_item *v = realloc(job->items, (job->n + 1) * sizeof(*v));

	if (!v) {
		log_errno(ENOMEM, "cannot plan the retrieve step");
		return LUOCTL_EXIT_FAILED;
	}
	job->items = v;
	job->items[job->n++] = *item;
	return 0;
}

/* --fd TOKEN:FD, --file TOKEN:PATH, --listen TOKEN[:FDNAME]: the token comes first. */
static int parse_item(struct retrieve_job *job, enum retrieve_dest dest, const char *arg)
{
	static const char *const option[] = { "--fd", "--file", "--listen" };
	struct retrieve_item item = { .dest = dest, .target = -1, .out = { .fd = -1 },
				      .fd = -1 };
	char *token_text = NULL, *rest = NULL;
	int rc;

	if (split_pair(arg, false, &token_text, &rest) < 0) {
		if (dest != TO_LISTEN) {
			log_usage("%s %s: expected %s", option[dest], arg,
				  dest == TO_FD ? "TOKEN:FD" : "TOKEN:PATH");
			return LUOCTL_EXIT_USAGE;
		}
		token_text = strdup(arg);
		rest = strdup(arg);
	}
	rc = parse_token(option[dest], arg, token_text, &item.token);
	/* "token %" PRIu64, by hand: it runs on every retrieve (issue 12) */
	u64_to_str(item.what + str_copy(item.what, sizeof(item.what), "token "), item.token);
	if (rc == 0 && dest == TO_FD) {
		char what[64];
		size_t n = str_copy(what, sizeof(what), "--fd ");

		str_copy(what + n, sizeof(what) - n, arg);
		rc = parse_fd_arg(what, rest, &item.target);
	}
	if (rc == 0 && dest == TO_FILE && !rest[0]) {
		log_usage("--file %s: expected TOKEN:PATH", arg);
		rc = LUOCTL_EXIT_USAGE;
	}
	if (rc == 0 && dest == TO_LISTEN && !fdname_valid(rest)) {
		log_usage("--listen %" PRIu64 ":%s: not a valid FDNAME (printable ASCII, no ':', 1 to %d characters)", item.token, name_shown(rest), FDNAME_MAX);
		rc = LUOCTL_EXIT_USAGE;
	}
	free(token_text);
	if (rc == 0 && dest == TO_FILE)
		item.path = rest;
	else if (rc == 0 && dest == TO_LISTEN)
		item.fdname = rest;
	else
		free(rest);
	if (rc == 0)
		rc = add_item(job, &item);
	return rc;
}

static int parse_items(struct retrieve_job *job)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && job->opts.fd && job->opts.fd[i]; i++)
		rc = parse_item(job, TO_FD, job->opts.fd[i]);
	for (size_t i = 0; rc == 0 && job->opts.file && job->opts.file[i]; i++)
		rc = parse_item(job, TO_FILE, job->opts.file[i]);
	for (size_t i = 0; rc == 0 && job->opts.listen && job->opts.listen[i]; i++)
		rc = parse_item(job, TO_LISTEN, job->opts.listen[i]);
	return rc;
}

/* The systemd layout: inherited fds, then the session, then the --listen files. */
static int plan_listen_layout(struct retrieve_job *job)
{
	int next, r = listen_fds_inherited(&job->inherited);

	if (r < 0) {
		log_errno(r, "cannot read LISTEN_FDNAMES");
		return LUOCTL_EXIT_FAILED;
	}
	next = 3 + job->inherited.count;
	if (!job->opts.finish) {
		job->session_fdname = job->opts.fdname ? job->opts.fdname : job->name;
		if (job->opts.fdname && !fdname_valid(job->opts.fdname)) {
			log_usage("--fdname %s: not a valid FDNAME (printable ASCII, no ':', 1 to %d characters)", name_shown(job->opts.fdname), FDNAME_MAX);
			return LUOCTL_EXIT_USAGE;
		}
		if (!fdname_valid(job->session_fdname)) {
			log_usage("session name %s is not a valid FDNAME (printable ASCII, no ':'); give --fdname", name_shown(job->name));
			return LUOCTL_EXIT_USAGE;
		}
		job->session_target = next++;
	}
	for (size_t i = 0; i < job->n; i++)
		if (job->items[i].dest == TO_LISTEN)
			job->items[i].target = next++;
	return 0;
}

/* "--fd 1:5" as given, for messages. */
static const char *item_option(const struct retrieve_item *item, char *buf, size_t size)
{
	if (item->dest == TO_LISTEN)
		snprintf(buf, size, "--listen %" PRIu64, item->token);
	else
		snprintf(buf, size, "--fd %" PRIu64 ":%d", item->token, item->target);
	return buf;
}

/* Every fd number is claimed once: one rule and one message for every collision. */
static int claim_targets(struct retrieve_job *job)
{
	char option[64];
	int rc = 0;

	for (int fd = 3; rc == 0 && fd < 3 + job->inherited.count; fd++)
		rc = claim_fd(&job->layout, fd, FD_USE_LISTEN, "an inherited LISTEN_FDS fd",
			      "LISTEN_FDS");
	if (rc == 0 && job->session_target >= 0)
		rc = claim_fd(&job->layout, job->session_target, FD_USE_SESSION, "the session",
			      job->listen ? "--fdname" : "--session-fd");
	for (size_t i = 0; rc == 0 && i < job->n; i++) {
		struct retrieve_item *item = &job->items[i];

		if (item->dest == TO_FILE)
			continue;
		rc = claim_fd(&job->layout, item->target, FD_USE_FILE, item->what,
			      item_option(item, option, sizeof(option)));
		/* The report goes to standard output: never into a retrieved file. */
		if (rc == 0 && item->target == 1 && luoctl_json) {
			log_usage("%s: standard output carries the --json report; put the file on another fd, or drop --json", option);
			rc = LUOCTL_EXIT_USAGE;
		}
	}
	return rc;
}

/*
 * The directory's identity and the file name: two spellings of one path
 * ("out", "./out", "dir/../out", through a symlinked directory) compare equal.
 * The directory must exist, as the file is created there. By hand and with
 * stat, not realpath, dirname and asprintf: each libc function a session
 * command calls costs it a symbol lookup in the dynamic loader (issue 12).
 */
static int file_identity(struct retrieve_item *item)
{
	const char *path = item->path;
	size_t len = strlen(path), slash, dirlen;
	char dir[PATH_MAX];
	struct stat st;

	while (len > 1 && path[len - 1] == '/')
		len--;
	for (slash = len; slash > 0 && path[slash - 1] != '/'; slash--)
		;
	for (dirlen = slash; dirlen > 1 && path[dirlen - 1] == '/'; dirlen--)
		;
	if (dirlen >= sizeof(dir))
		return -ENAMETOOLONG;
	if (dirlen == 0) {
		dir[0] = '.';
		dirlen = 1;
	} else {
		memcpy(dir, path, dirlen);
	}
	dir[dirlen] = '\0';
	if (stat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	item->dir_dev = st.st_dev;
	item->dir_ino = st.st_ino;
	item->base = strndup(path + slash, len - slash);
	return item->base ? 0 : -ENOMEM;
}

static bool same_file(const struct retrieve_item *a, const struct retrieve_item *b)
{
	return a->base && b->base && a->dir_dev == b->dir_dev && a->dir_ino == b->dir_ino &&
	       strcmp(a->base, b->base) == 0;
}

/* --file targets: not a directory, each written once. */
static int check_files(struct retrieve_job *job)
{
	for (size_t i = 0; i < job->n; i++) {
		struct retrieve_item *item = &job->items[i];
		struct stat st;
		int r;

		if (item->dest != TO_FILE)
			continue;
		if (stat(item->path, &st) == 0 && S_ISDIR(st.st_mode)) {
			log_usage("--file %" PRIu64 ":%s: \"%s\" is a directory; give the path of the file to write", item->token, item->path, item->path);
			return LUOCTL_EXIT_USAGE;
		}
		/* It is replaced by a rename: a device or a FIFO would be replaced, not written. */
		if (stat(item->path, &st) == 0 && !S_ISREG(st.st_mode)) {
			log_usage("--file %" PRIu64 ":%s: \"%s\" is not a regular file (a device, FIFO or socket); give the path of the file to write", item->token, item->path, item->path);
			return LUOCTL_EXIT_USAGE;
		}
		r = file_identity(item);
		if (r < 0) {
			log_errno(r, "--file %" PRIu64 ":%s: cannot create a file next to \"%s\"",
				  item->token, item->path, item->path);
			return LUOCTL_EXIT_FAILED;
		}
		for (size_t j = 0; j < i; j++)
			if (same_file(&job->items[j], item)) {
				log_usage("\"%s\" is asked for both token %" PRIu64 " and token %" PRIu64 "; each file is written once", item->path, job->items[j].token, item->token);
				return LUOCTL_EXIT_USAGE;
			}
	}
	return 0;
}

static int check_options(struct retrieve_job *job)
{
	int rc = session_name_check(job->name, job->opts.force);

	if (rc)
		return rc;
	if (!job->prog[0] && !job->opts.finish) {
		log_usage("no program to run: the session would be closed at once, which finishes it and discards every file not retrieved; give a program, or --finish to mean exactly that");
		return LUOCTL_EXIT_USAGE;
	}
	job->listen = job->opts.listen || job->opts.fdname;
	if ((job->listen || job->opts.fd) && !job->prog[0]) {
		log_usage("%s pass%s fds to a program; none is given, and the files would close with luoctl", job->listen ? "--listen and --fdname" : "--fd", job->listen ? "" : "es");
		return LUOCTL_EXIT_USAGE;
	}
	if (job->opts.session_fd && (job->listen || job->opts.finish)) {
		log_usage("--session-fd cannot be combined with %s",
			  job->opts.finish ? "--finish (the session is closed)" :
					"the LISTEN_FDS layout (the session goes first)");
		return LUOCTL_EXIT_USAGE;
	}
	if (job->opts.session_fd) {
		rc = parse_fd_arg("--session-fd", job->opts.session_fd, &job->session_target);
		if (rc)
			return rc;
	}
	rc = wait_prepare(job->opts.wait, &job->wait_ms);
	if (rc == 0)
		rc = parse_items(job);
	if (rc == 0 && job->listen)
		rc = plan_listen_layout(job);
	if (rc == 0)
		rc = claim_targets(job);
	return rc ? rc : check_files(job);
}

/* Output files are created before the session is taken, so a bad path costs nothing. */
static int open_output_files(struct retrieve_job *job)
{
	for (size_t i = 0; i < job->n; i++) {
		struct retrieve_item *item = &job->items[i];
		int r;

		if (item->dest != TO_FILE)
			continue;
		r = io_publish_open(&item->out, item->path, 0600);
		if (r < 0) {
			log_errno(r, "--file %" PRIu64 ":%s: cannot create a file next to \"%s\"",
				  item->token, item->path, item->path);
			return LUOCTL_EXIT_FAILED;
		}
	}
	return 0;
}

static int retrieve_session(struct retrieve_job *job)
{
	int devfd, rc = device_open_step(job->wait_ms, &devfd);

	if (rc)
		return rc;
	job->sessionfd = luo_retrieve_session(devfd, job->name);
	/* The device is single-owner: never keep it past this step. */
	close(devfd);
	if (job->sessionfd < 0) {
		log_luo(LUO_STEP_RETRIEVE, job->sessionfd, "cannot retrieve session %s",
			name_shown(job->name));
		return LUOCTL_EXIT_FAILED;
	}
	job->taken = true;
	return 0;
}

/* What became of the session and its files, for a message past the point of no return. */
static const char *fate(const struct retrieve_job *job, bool failed)
{
	static char buf[2048];
	size_t len;

	if (failed)
		len = (size_t)snprintf(buf, sizeof(buf), "session %s %s", name_shown(job->name),
				       job->finished ? "was retrieved and finished" :
				       "closes as luoctl exits: the kernel finishes it and discards every file not retrieved");
	else
		len = (size_t)snprintf(buf, sizeof(buf), "session %s was retrieved%s",
				       name_shown(job->name),
				       job->finished ? " and finished" : "");
	for (size_t i = 0; i < job->n && len < sizeof(buf) - 1; i++) {
		const struct retrieve_item *item = &job->items[i];

		if (item->dest == TO_FILE && item->written)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"; token %" PRIu64 " is in \"%s\"", item->token,
						item->path);
		else if (item->dest == TO_FILE && item->retrieved && item->out.tmppath)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"; token %" PRIu64 ": only %" PRIu64 " bytes written, kept in \"%s\"",
						item->token, item->bytes, item->out.tmppath);
	}
	return buf;
}

/* For chain_exec's messages past the hand-over: what fate() says a failed PROG leaves. */
static const char *say_done(const void *job)
{
	const struct retrieve_job *j = job;

	return fate(j, j->prog[0] && !j->finished);
}

/* Copy one retrieved file out; on failure what was written stays in the temporary file. */
static int write_out(struct retrieve_item *item)
{
	/* pread from 0: the retrieved file's offset, shared with PROG's fds, stays put. */
	int r = io_copy(item->fd, item->out.fd, true, &item->bytes);

	close(item->fd);
	item->fd = -1;
	if (r == 0)
		r = io_publish_commit(&item->out);
	item->written = r == 0;
	return r;
}

/*
 * Every token first, then every file written out, even after a failure: what
 * was retrieved is kept. Each failure is one line that ends with what became
 * of the session and where the files are.
 */
static int retrieve_items(struct retrieve_job *job)
{
	size_t failed = job->n;
	int err = 0, rc = 0;

	for (size_t i = 0; i < job->n && failed == job->n; i++) {
		struct retrieve_item *item = &job->items[i];

		item->fd = luo_retrieve_fd(job->sessionfd, item->token);
		if (item->fd < 0) {
			err = item->fd;
			item->fd = -1;
			failed = i;
		}
		item->retrieved = item->fd >= 0;
	}
	for (size_t i = 0; i < job->n; i++)
		if (job->items[i].dest == TO_FILE && job->items[i].retrieved)
			job->items[i].err = write_out(&job->items[i]);
	/* Worded only for a message: it costs more than the rest when all went well. */
	if (failed < job->n) {
		log_luo_then(LUO_STEP_RETRIEVE_FD, err, fate(job, true),
			     "cannot retrieve token %" PRIu64 " from session %s",
			     job->items[failed].token, name_shown(job->name));
		rc = LUOCTL_EXIT_FAILED;
	}
	for (size_t i = 0; i < job->n; i++) {
		const struct retrieve_item *item = &job->items[i];

		if (!item->err)
			continue;
		log_error("cannot write token %" PRIu64 " of session %s to \"%s\": %s; %s",
			  item->token, name_shown(job->name), item->path, strerror(-item->err),
			  fate(job, true));
		rc = LUOCTL_EXIT_FAILED;
	}
	return rc;
}

static int finish_session(struct retrieve_job *job)
{
	int r = luo_finish_session(job->sessionfd);

	if (r < 0) {
		log_luo_then(LUO_STEP_FINISH, r, fate(job, true), "cannot finish session %s",
			     name_shown(job->name));
		return LUOCTL_EXIT_FAILED;
	}
	/* Finished: PROG has no use for it, and luoctl passes nothing unasked. */
	close(job->sessionfd);
	job->sessionfd = -1;
	job->finished = true;
	return 0;
}

static int place_all(struct retrieve_job *job)
{
	struct fd_move *moves = calloc(job->n + 1, sizeof(*moves));
	size_t n = 0;
	int r;

	if (!moves)
		return -ENOMEM;
	for (size_t i = 0; i < job->n; i++)
		if (job->items[i].fd >= 0)
			moves[n++] = (struct fd_move){ &job->items[i].fd, job->items[i].target };
	if (job->sessionfd >= 0)
		moves[n++] = (struct fd_move){ &job->sessionfd, job->session_target };
	r = place_fds(&job->layout, moves, n, &job->env);
	free(moves);
	return r;
}

static int export_listen(const struct retrieve_job *job)
{
	const char **names = calloc(job->n + 1, sizeof(*names));
	size_t n = 0;
	int r;

	if (!names)
		return -ENOMEM;
	if (job->session_fdname && !job->finished)
		names[n++] = job->session_fdname;
	for (size_t i = 0; i < job->n; i++)
		if (job->items[i].dest == TO_LISTEN)
			names[n++] = job->items[i].fdname;
	r = listen_fds_export(&job->inherited, names, n);
	free(names);
	return r;
}

static int record_session(struct retrieve_job *job)
{
	struct held_session *s;

	if (job->finished)
		return 0;
	if (session_env_add(&job->env, job->sessionfd, true, job->name) < 0)
		return -ENOMEM;
	s = &job->env.v[job->env.n - 1];
	for (size_t i = 0; i < job->n; i++)
		if (session_env_add_token(s, job->items[i].token) < 0)
			return -ENOMEM;
	return 0;
}

static int hand_over(struct retrieve_job *job)
{
	int r;

	/* Messages from here on must not go into a file placed on fd 2. */
	if (fd_layout_find(&job->layout, 2))
		log_keep_stderr();
	r = place_all(job);
	if (r == 0)
		r = record_session(job);
	if (r == 0 && job->listen)
		r = export_listen(job);
	if (r < 0) {
		log_errno(r, "cannot pass session %s and its files to the program (%s)",
			  name_shown(job->name), fate(job, true));
		return LUOCTL_EXIT_FAILED;
	}
	return 0;
}

static void report_item(const struct retrieve_item *item)
{
	out_open_object(NULL);
	out_u64(PRINT_ANY, "token", "retrieved token %" PRIu64 ": ", item->token);
	if (item->dest == TO_FILE) {
		out_u64(PRINT_ANY, "bytes", "wrote %" PRIu64 " bytes", item->bytes);
		out_string(PRINT_ANY, "path", " to \"%s\"\n", item->path);
	} else {
		out_i64(PRINT_ANY, "fd", "fd %" PRId64, item->target);
		if (item->fdname)
			out_string(PRINT_ANY, "fdname", " named \"%s\"", item->fdname);
		out_text("\n");
	}
	out_close_object();
}

static void report(const struct retrieve_job *job)
{
	out_begin(luoctl_json, luoctl_pretty);
	out_open_object(NULL);
	out_open_object("session");
	out_string(PRINT_ANY, "name", "retrieved session \"%s\"", job->name);
	if (job->finished)
		out_null(PRINT_JSON, "fd", NULL);
	else
		out_i64(PRINT_ANY, "fd", " at fd %" PRId64, job->sessionfd);
	if (job->session_fdname && !job->finished)
		out_string(PRINT_ANY, "fdname", " named \"%s\"", job->session_fdname);
	out_bool(PRINT_JSON, "finished", NULL, job->finished);
	out_text(job->finished ? ", finished\n" : "\n");
	out_close_object();
	out_open_array("retrieved");
	for (size_t i = 0; i < job->n; i++)
		report_item(&job->items[i]);
	out_close_array();
	out_close_object();
}

static void free_job(struct retrieve_job *job)
{
	for (size_t i = 0; i < job->n; i++) {
		struct retrieve_item *item = &job->items[i];

		if (item->fd >= 0)
			close(item->fd);
		/* Retrieved data is never deleted: a failure message named the file. */
		if (item->retrieved)
			io_publish_release(&item->out);
		else
			io_publish_abort(&item->out);
		free(item->path);
		free(item->fdname);
		free(item->base);
	}
	if (job->sessionfd >= 0)
		close(job->sessionfd);
	free(job->items);
	listen_fds_free(&job->inherited);
	fd_layout_free(&job->layout);
	session_env_free(&job->env);
}

static int run_retrieve(const struct luoctl_cmd *cmd, int argc, char *argv[])
{
	struct retrieve_job job = { .session_target = -1, .sessionfd = -1 };
	const struct poptOption options[] = {
		{ "fd", '\0', POPT_ARG_ARGV, &job.opts.fd, 0,
		  "pass the file preserved under TOKEN at fd FD", "TOKEN:FD" },
		{ "file", '\0', POPT_ARG_ARGV, &job.opts.file, 0,
		  "write the contents of the file under TOKEN to PATH", "TOKEN:PATH" },
		{ "listen", '\0', POPT_ARG_ARGV, &job.opts.listen, 0,
		  "pass the file under TOKEN the systemd way (LISTEN_FDS)", "TOKEN[:FDNAME]" },
		{ "fdname", '\0', POPT_ARG_STRING, &job.opts.fdname, 0,
		  "FDNAME of the session fd in LISTEN_FDNAMES (default: its name)", "FDNAME" },
		{ "session-fd", '\0', POPT_ARG_STRING, &job.opts.session_fd, 0,
		  "pass the session at fd N (default: lowest free from 3)", "N" },
		{ "finish", '\0', POPT_ARG_NONE, &job.opts.finish, 0,
		  "finish the session once the files are retrieved", NULL },
		OPTION_WAIT(&job.opts),
		OPTION_FORCE(&job.opts),
		POPT_TABLEEND
	};
	int rc;

	fd_layout_init(&job.layout, 0);
	rc = session_parse(cmd, options, argc, argv, &job.opts, NULL, &job.name,
			   &job.prog);
	if (rc == 0)
		rc = check_options(&job);
	if (rc == 0)
		rc = session_env_load(&job.env);
	if (rc == 0)
		rc = prog_check(job.prog);
	if (rc == 0)
		rc = open_output_files(&job);
	/* The point of no return: a retrieved session dies with luoctl. */
	if (rc == 0)
		rc = retrieve_session(&job);
	if (rc == 0)
		rc = retrieve_items(&job);
	if (rc == 0 && job.opts.finish)
		rc = finish_session(&job);
	if (rc == 0)
		rc = hand_over(&job);
	if (rc == 0) {
		/* With a PROG, standard output is PROG's unless JSON was asked for. */
		if (luoctl_json || !job.prog[0])
			report(&job);
		rc = chain_exec(&job.env, NULL, job.prog,
				&(struct chain_done){ say_done, &job });
	}
	free_job(&job);
	session_opts_free(&job.opts);
	return rc;
}

const struct luoctl_cmd cmd_retrieve = {
	.name = "retrieve",
	.run = run_retrieve,
	.summary = "retrieve an incoming session and its files, and run a program with them",
	.synopsis = "[OPTIONS] NAME [--] [PROG [ARG...]]",
};
