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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "luo-errors.h"
#include "luo.h"
#include "luoctl.h"
#include "output.h"
#include "session-common.h"
#include "util.h"

/* systemd's FDNAME rules (sd_pid_notify_with_fds(3)). */
#define FDNAME_MAX 255

static char **fd_args, **file_args, **listen_args;
static char *fdname_arg, *session_fd_arg;
static int finish_flag, force;

static const struct poptOption options[] = {
	{ "fd", '\0', POPT_ARG_ARGV, &fd_args, 0,
	  "pass the file preserved under TOKEN at fd FD", "TOKEN:FD" },
	{ "file", '\0', POPT_ARG_ARGV, &file_args, 0,
	  "write the contents of the file under TOKEN to PATH", "TOKEN:PATH" },
	{ "listen", '\0', POPT_ARG_ARGV, &listen_args, 0,
	  "pass the file under TOKEN the systemd way (LISTEN_FDS)", "TOKEN[:FDNAME]" },
	{ "fdname", '\0', POPT_ARG_STRING, &fdname_arg, 0,
	  "FDNAME of the session fd in LISTEN_FDNAMES (default: its name)", "FDNAME" },
	{ "session-fd", '\0', POPT_ARG_STRING, &session_fd_arg, 0,
	  "pass the session at fd N (default: lowest free from 3)", "N" },
	{ "finish", '\0', POPT_ARG_NONE, &finish_flag, 0,
	  "finish the session once the files are retrieved", NULL },
	{ "force", 'f', POPT_ARG_NONE, &force, 0, "allow the session name \"systemd\"", NULL },
	POPT_TABLEEND
};

enum retrieve_dest { TO_FD, TO_FILE, TO_LISTEN };

struct retrieve_item {
	enum retrieve_dest dest;
	uint64_t token;
	int target;		/* TO_FD, TO_LISTEN: the fd number PROG gets */
	char *path;		/* TO_FILE */
	char *fdname;		/* TO_LISTEN */
	char *tmppath;		/* TO_FILE: written, then renamed over path */
	int tmpfd;
	int fd;			/* what RETRIEVE_FD returned */
	uint64_t bytes;
};

struct retrieve_job {
	const char *name;
	char **prog;
	struct session_env env;
	struct retrieve_item *items;
	size_t n;
	bool listen;
	int inherited;		/* LISTEN_FDS we were given, kept in place */
	char *inherited_names;	/* their LISTEN_FDNAMES, or NULL */
	const char *session_fdname;
	int session_target;	/* -1: lowest free fd from 3 */
	int sessionfd;
	bool finished;
};

static int parse_token(const char *option, const char *arg, const char *s,
		       uint64_t *token)
{
	if (parse_u64(s, token) == 0)
		return 0;
	log_usage("%s %s: \"%s\" is not a token (a 64-bit number, decimal or 0x hex)",
		  option, arg, s);
	return LUOCTL_EXIT_USAGE;
}

static bool fdname_valid(const char *s)
{
	if (strlen(s) > FDNAME_MAX)
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
	struct retrieve_item item = { .dest = dest, .target = -1, .tmpfd = -1, .fd = -1 };
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
	if (rc == 0 && dest == TO_FD)
		rc = parse_fd_arg("--fd", rest, &item.target);
	if (rc == 0 && dest == TO_FILE && !rest[0]) {
		log_usage("--file %s: expected TOKEN:PATH", arg);
		rc = LUOCTL_EXIT_USAGE;
	}
	if (rc == 0 && dest == TO_LISTEN && !fdname_valid(rest)) {
		log_usage("--listen %s: \"%s\" is not a valid FDNAME (printable ASCII, no ':', at most %d characters)", arg, rest, FDNAME_MAX);
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

	for (size_t i = 0; rc == 0 && fd_args && fd_args[i]; i++)
		rc = parse_item(job, TO_FD, fd_args[i]);
	for (size_t i = 0; rc == 0 && file_args && file_args[i]; i++)
		rc = parse_item(job, TO_FILE, file_args[i]);
	for (size_t i = 0; rc == 0 && listen_args && listen_args[i]; i++)
		rc = parse_item(job, TO_LISTEN, listen_args[i]);
	return rc;
}

/* LISTEN_FDS given to this very process stay where they are (sd_listen_fds(3)). */
static void find_inherited_listen_fds(struct retrieve_job *job)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES");
	int listen_pid, count;

	job->inherited = 0;
	if (!pid || !fds || parse_fd_number(pid, &listen_pid) < 0 ||
	    listen_pid != getpid() || parse_fd_number(fds, &count) < 0)
		return;
	job->inherited = count;
	if (names)
		job->inherited_names = strdup(names);
}

/* The systemd layout: inherited fds, then the session, then the --listen files. */
static int plan_listen_layout(struct retrieve_job *job)
{
	int next;

	find_inherited_listen_fds(job);
	next = 3 + job->inherited;
	if (!finish_flag) {
		job->session_fdname = fdname_arg ? fdname_arg : job->name;
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

static int check_targets(struct retrieve_job *job)
{
	for (size_t i = 0; i < job->n; i++) {
		int t = job->items[i].target;

		if (t < 0)
			continue;
		if (t == job->session_target) {
			log_usage("fd %d is asked for both the session and token %" PRIu64, t,
				  job->items[i].token);
			return LUOCTL_EXIT_USAGE;
		}
		if (job->listen && t >= 3 && t < 3 + job->inherited) {
			log_usage("fd %d holds an inherited LISTEN_FDS fd", t);
			return LUOCTL_EXIT_USAGE;
		}
		for (size_t j = i + 1; j < job->n; j++)
			if (job->items[j].target == t) {
				log_usage("fd %d is asked for both token %" PRIu64 " and token %"
					  PRIu64, t, job->items[i].token, job->items[j].token);
				return LUOCTL_EXIT_USAGE;
			}
	}
	return 0;
}

static int check_options(struct retrieve_job *job)
{
	int rc = session_name_check(job->name, force);

	if (rc)
		return rc;
	if (!job->prog[0] && !finish_flag) {
		log_usage("no program to run: the session would be closed at once, which finishes it and discards every file not retrieved; give a program, or --finish to mean exactly that");
		return LUOCTL_EXIT_USAGE;
	}
	job->listen = listen_args || fdname_arg;
	if (job->listen && !job->prog[0]) {
		log_usage("--listen and --fdname pass fds to a program; none is given");
		return LUOCTL_EXIT_USAGE;
	}
	if (session_fd_arg && (job->listen || finish_flag)) {
		log_usage("--session-fd cannot be combined with %s",
			  finish_flag ? "--finish (the session is closed)" :
					"the LISTEN_FDS layout (the session goes first)");
		return LUOCTL_EXIT_USAGE;
	}
	if (session_fd_arg) {
		rc = parse_fd_arg("--session-fd", session_fd_arg, &job->session_target);
		if (rc == 0 && job->session_target <= 2) {
			log_usage("--session-fd %d: use 3 or more", job->session_target);
			rc = LUOCTL_EXIT_USAGE;
		}
		if (rc)
			return rc;
	}
	rc = parse_items(job);
	if (rc == 0 && job->listen)
		rc = plan_listen_layout(job);
	return rc ? rc : check_targets(job);
}

/* Output files are created before the session is taken, so a bad path costs nothing. */
static int open_output_files(struct retrieve_job *job)
{
	for (size_t i = 0; i < job->n; i++) {
		struct retrieve_item *item = &job->items[i];

		if (item->dest != TO_FILE)
			continue;
		if (asprintf(&item->tmppath, "%s.luoctl-XXXXXX", item->path) < 0) {
			item->tmppath = NULL;
			log_errno(ENOMEM, "cannot plan writing \"%s\"", item->path);
			return LUOCTL_EXIT_FAILED;
		}
		item->tmpfd = mkostemp(item->tmppath, O_CLOEXEC);
		if (item->tmpfd < 0) {
			log_errno(errno, "cannot create a file next to \"%s\"", item->path);
			free(item->tmppath);
			item->tmppath = NULL;
			return LUOCTL_EXIT_FAILED;
		}
	}
	return 0;
}

static int retrieve_session(struct retrieve_job *job)
{
	int devfd = session_open_device();

	if (devfd < 0)
		return -devfd;
	job->sessionfd = luo_retrieve_session(devfd, job->name);
	/* The device is single-owner: never keep it past this step. */
	close(devfd);
	if (job->sessionfd < 0) {
		log_luo(LUO_STEP_RETRIEVE, job->sessionfd, "cannot retrieve session %s",
			name_shown(job->name));
		return LUOCTL_EXIT_FAILED;
	}
	return 0;
}

/* A failure half-way: say what is already in place and what the session takes with it. */
static void warn_session_lost(const struct retrieve_job *job)
{
	for (size_t i = 0; i < job->n; i++) {
		const struct retrieve_item *it = &job->items[i];

		if (it->dest == TO_FILE && !it->tmppath)
			log_error("token %" PRIu64 " is in place: %" PRIu64 " bytes written to \"%s\"",
				  it->token, it->bytes, it->path);
	}
	log_error("session %s closes as luoctl exits: the kernel finishes it and discards every file not retrieved", name_shown(job->name));
}

/* pread from 0: the retrieved file's offset, shared with PROG's fds, stays put. */
static int copy_out(struct retrieve_item *item)
{
	char buf[65536];
	off_t off = 0;
	ssize_t n;

	while ((n = pread(item->fd, buf, sizeof(buf), off)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(item->tmpfd, buf + done, (size_t)(n - done));

			if (w < 0 && errno != EINTR)
				return -errno;
			done += w > 0 ? w : 0;
		}
		off += n;
	}
	item->bytes = (uint64_t)off;
	if (close(item->tmpfd) < 0) {
		item->tmpfd = -1;
		return -errno;
	}
	item->tmpfd = -1;
	/* rename: readers see the old file or the whole new one, never a part. */
	if (rename(item->tmppath, item->path) < 0)
		return -errno;
	free(item->tmppath);
	item->tmppath = NULL;
	return 0;
}

static int retrieve_items(struct retrieve_job *job)
{
	for (size_t i = 0; i < job->n; i++) {
		struct retrieve_item *item = &job->items[i];
		int r;

		item->fd = luo_retrieve_fd(job->sessionfd, item->token);
		if (item->fd < 0) {
			log_luo(LUO_STEP_RETRIEVE_FD, item->fd, "cannot retrieve token %" PRIu64
				" from session %s", item->token, name_shown(job->name));
			item->fd = -1;
			warn_session_lost(job);
			return LUOCTL_EXIT_FAILED;
		}
		if (item->dest != TO_FILE)
			continue;
		r = copy_out(item);
		close(item->fd);
		item->fd = -1;
		if (r < 0) {
			log_errno(r, "cannot write token %" PRIu64 " of session %s to \"%s\"",
				  item->token, name_shown(job->name), item->path);
			warn_session_lost(job);
			return LUOCTL_EXIT_FAILED;
		}
	}
	return 0;
}

static int finish_session(struct retrieve_job *job)
{
	int r = luo_finish_session(job->sessionfd);

	if (r < 0) {
		log_luo(LUO_STEP_FINISH, r, "cannot finish session %s", name_shown(job->name));
		return LUOCTL_EXIT_FAILED;
	}
	/* Finished: PROG has no use for it, and luoctl passes nothing unasked. */
	close(job->sessionfd);
	job->sessionfd = -1;
	job->finished = true;
	return 0;
}

/* Move one fd above every target (close-on-exec), so no placement clobbers another. */
static int lift(int *fd, int above)
{
	int moved = fcntl(*fd, F_DUPFD_CLOEXEC, above + 1);

	if (moved < 0)
		return -errno;
	close(*fd);
	*fd = moved;
	return 0;
}

static int collect_targets(const struct retrieve_job *job, int *targets)
{
	int n = 0;

	for (size_t i = 0; i < job->n; i++)
		if (job->items[i].target >= 0 && job->items[i].dest != TO_FILE)
			targets[n++] = job->items[i].target;
	if (job->session_target >= 0 && !job->finished)
		targets[n++] = job->session_target;
	return n;
}

/* The session goes to its target, or to the lowest free fd from 3, FD_CLOEXEC clear. */
static int place_session(struct retrieve_job *job)
{
	int fd;

	if (job->session_target >= 0) {
		fd = fd_move_to(job->sessionfd, job->session_target);
	} else {
		/* F_DUPFD clears FD_CLOEXEC; keep the lower of the two numbers. */
		fd = fcntl(job->sessionfd, F_DUPFD, 3);
		fd = fd < 0 ? -errno : fd;
		if (fd > job->sessionfd) {
			int r = fd_set_cloexec(job->sessionfd, false);

			close(fd);
			fd = r < 0 ? r : job->sessionfd;
		} else if (fd >= 0) {
			close(job->sessionfd);
		}
	}
	if (fd >= 0)
		job->sessionfd = fd;
	return fd < 0 ? fd : 0;
}

static bool is_target(const struct retrieve_job *job, int fd)
{
	for (size_t i = 0; i < job->n; i++)
		if (job->items[i].dest != TO_FILE && job->items[i].target == fd)
			return true;
	return false;
}

static int place_fds(struct retrieve_job *job)
{
	int *targets = calloc(job->n + 1, sizeof(*targets));
	int ntargets, above = 2, r;

	if (!targets)
		return -ENOMEM;
	ntargets = collect_targets(job, targets);
	for (int i = 0; i < ntargets; i++)
		above = targets[i] > above ? targets[i] : above;
	r = session_env_clear_targets(&job->env, targets, (size_t)ntargets);
	free(targets);
	for (size_t i = 0; r == 0 && i < job->n; i++)
		if (job->items[i].fd >= 0)
			r = lift(&job->items[i].fd, above);
	/* An untargeted session only moves if it sits on a target. */
	if (r == 0 && job->sessionfd >= 0 &&
	    (job->session_target >= 0 || is_target(job, job->sessionfd)))
		r = lift(&job->sessionfd, above);
	for (size_t i = 0; r >= 0 && i < job->n; i++) {
		if (job->items[i].fd < 0)
			continue;
		r = fd_move_to(job->items[i].fd, job->items[i].target);
		if (r >= 0)
			job->items[i].fd = r;
	}
	if (r >= 0 && job->sessionfd >= 0)
		r = place_session(job);
	return r < 0 ? r : 0;
}

static int set_listen_env(const struct retrieve_job *job)
{
	size_t len = job->inherited_names ? strlen(job->inherited_names) + 1 : 0;
	int count = job->inherited, r = 0;
	char pid[24], fds[24], *names, *p;

	len += (job->session_fdname ? strlen(job->session_fdname) : 0) + 2;
	len += (size_t)job->inherited * 8;
	for (size_t i = 0; i < job->n; i++)
		len += job->items[i].fdname ? strlen(job->items[i].fdname) + 1 : 0;
	names = p = calloc(1, len + 1);
	if (!names)
		return -ENOMEM;
	if (job->inherited_names)
		p += sprintf(p, "%s", job->inherited_names);
	else
		for (int i = 0; i < job->inherited; i++)
			p += sprintf(p, "%sunknown", i ? ":" : "");
	if (job->session_fdname) {
		p += sprintf(p, "%s%s", count ? ":" : "", job->session_fdname);
		count++;
	}
	for (size_t i = 0; i < job->n; i++) {
		if (job->items[i].dest != TO_LISTEN)
			continue;
		p += sprintf(p, "%s%s", count ? ":" : "", job->items[i].fdname);
		count++;
	}
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(fds, sizeof(fds), "%d", count);
	if (setenv("LISTEN_PID", pid, 1) < 0 || setenv("LISTEN_FDS", fds, 1) < 0 ||
	    setenv("LISTEN_FDNAMES", names, 1) < 0)
		r = -errno;
	/* A pidfd id from some other process would make sd_listen_fds() refuse ours. */
	if (r == 0 && job->inherited == 0)
		unsetenv("LISTEN_PIDFDID");
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
	int r = place_fds(job);

	if (r == 0)
		r = record_session(job);
	if (r == 0 && job->listen)
		r = set_listen_env(job);
	if (r < 0) {
		log_errno(r, "cannot pass session %s and its files to the program",
			  name_shown(job->name));
		warn_session_lost(job);
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
	if (job->session_fdname)
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

		if (item->tmpfd >= 0)
			close(item->tmpfd);
		if (item->fd >= 0)
			close(item->fd);
		if (item->tmppath)
			unlink(item->tmppath);
		free(item->tmppath);
		free(item->path);
		free(item->fdname);
	}
	if (job->sessionfd >= 0)
		close(job->sessionfd);
	free(job->items);
	free(job->inherited_names);
	session_env_free(&job->env);
}

static void free_options(void)
{
	free_argv_option(fd_args);
	free_argv_option(file_args);
	free_argv_option(listen_args);
	free(fdname_arg);
	free(session_fd_arg);
}

static int run_retrieve(const struct luoctl_cmd *cmd, int argc, char *argv[])
{
	struct retrieve_job job = { .session_target = -1, .sessionfd = -1 };
	int rc = session_parse(cmd, options, argc, argv, NULL, &job.name, &job.prog);

	if (rc == 0)
		rc = check_options(&job);
	if (rc == 0)
		rc = session_env_load(&job.env);
	if (rc == 0)
		rc = prog_check(job.prog);
	if (rc == 0)
		rc = open_output_files(&job);
	if (rc == 0)
		rc = retrieve_session(&job);
	if (rc == 0)
		rc = retrieve_items(&job);
	if (rc == 0 && finish_flag)
		rc = finish_session(&job);
	if (rc == 0)
		rc = hand_over(&job);
	if (rc == 0) {
		/* With a PROG, standard output is PROG's unless JSON was asked for. */
		if (luoctl_json || !job.prog[0])
			report(&job);
		rc = chain_exec(&job.env, NULL, job.prog);
	}
	free_job(&job);
	free_options();
	session_parse_free();
	return rc;
}

const struct luoctl_cmd cmd_retrieve = {
	.name = "retrieve",
	.run = run_retrieve,
	.summary = "retrieve an incoming session and its files, and run a program with them",
	.synopsis = "[OPTIONS] NAME [--] [PROG [ARG...]]",
};
