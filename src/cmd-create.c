// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luoctl create: create an outgoing session, optionally preserve files into
 * it, and exec PROG holding it. The session fd is passed down with
 * FD_CLOEXEC cleared and named in LUOCTL_SESSIONS: the session lives exactly
 * as long as the chain that holds it (closing it unpreserves everything).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "luo-errors.h"
#include "luo.h"
#include "luoctl.h"
#include "output.h"
#include "session-common.h"
#include "session-preserve.h"
#include "util.h"

static int force;
static char *session_fd_arg;

static const struct poptOption options[] = {
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, (void *)preserve_item_options, 0,
	  NULL, NULL },
	{ "session-fd", '\0', POPT_ARG_STRING, &session_fd_arg, 0,
	  "pass the session at fd N (default: lowest free from 3)", "N" },
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, (void *)ready_options, 0, NULL, NULL },
	{ "force", 'f', POPT_ARG_NONE, &force, 0, "allow the session name \"systemd\"", NULL },
	POPT_TABLEEND
};

struct create_job {
	const char *name;
	char **prog;
	int target_fd;		/* -1: lowest free from 3 */
	struct session_env env;
	struct ready_signal ready;
	struct preserve_plan plan;
	int sessionfd;
};

/* Everything that can be refused without the kernel is refused here. */
static int check_job(struct create_job *job)
{
	int rc = session_name_check(job->name, force);

	if (rc)
		return rc;
	if (!job->prog[0]) {
		log_usage("no program to run: the session would be closed at once, and a closed outgoing session keeps nothing (try: luoctl create %s -- sleep infinity)", job->name);
		return LUOCTL_EXIT_USAGE;
	}
	if (session_fd_arg) {
		rc = parse_fd_arg("--session-fd", session_fd_arg, &job->target_fd);
		if (rc == 0 && job->target_fd <= 2) {
			log_usage("--session-fd %d: standard input, output and error stay as they are; use 3 or more", job->target_fd);
			rc = LUOCTL_EXIT_USAGE;
		}
		if (rc)
			return rc;
	}
	rc = session_env_load(&job->env);
	if (rc == 0)
		rc = ready_prepare(&job->ready, ready_args.fd, ready_args.path);
	if (rc == 0 && job->ready.fd >= 0 && job->ready.fd == job->target_fd) {
		log_usage("--session-fd and --ready-fd name the same fd %d", job->target_fd);
		rc = LUOCTL_EXIT_USAGE;
	}
	if (rc == 0)
		rc = preserve_plan_build(&job->plan, &preserve_args);
	return rc ? rc : prog_check(job->prog);
}

static int create_session(struct create_job *job)
{
	int devfd = session_open_device();

	if (devfd < 0)
		return -devfd;
	job->sessionfd = luo_create_session(devfd, job->name);
	/* The device is single-owner: never keep it past this step. */
	close(devfd);
	if (job->sessionfd < 0) {
		log_luo(LUO_STEP_CREATE, job->sessionfd, "cannot create session %s",
			name_shown(job->name));
		return LUOCTL_EXIT_FAILED;
	}
	return 0;
}

/* Put the session where PROG expects it, with FD_CLOEXEC cleared. */
static int place_session(struct create_job *job)
{
	int fd;

	if (job->target_fd >= 0) {
		int r = session_env_clear_targets(&job->env, &job->target_fd, 1);

		fd = r < 0 ? r : fd_move_to(job->sessionfd, job->target_fd);
	} else {
		/* F_DUPFD clears FD_CLOEXEC; the lowest number keeps layouts stable. */
		fd = fcntl(job->sessionfd, F_DUPFD, 3);
		fd = fd < 0 ? -errno : fd;
		if (fd >= 0)
			close(job->sessionfd);
	}
	if (fd < 0) {
		log_errno(fd, "cannot pass session %s to the program", name_shown(job->name));
		return LUOCTL_EXIT_FAILED;
	}
	job->sessionfd = fd;
	if (session_env_add(&job->env, fd, false, job->name) < 0) {
		log_errno(ENOMEM, "cannot record session %s", name_shown(job->name));
		return LUOCTL_EXIT_FAILED;
	}
	return 0;
}

static void report(const struct create_job *job)
{
	out_begin(luoctl_json, luoctl_pretty);
	out_open_object(NULL);
	out_open_object("session");
	out_string(PRINT_ANY, "name", "created session \"%s\"", job->name);
	out_i64(PRINT_ANY, "fd", " at fd %" PRId64 "\n", job->sessionfd);
	out_string(PRINT_JSON, "direction", NULL, "outgoing");
	out_close_object();
	preserve_plan_report(&job->plan);
	out_close_object();
}

static int run_create(const struct luoctl_cmd *cmd, int argc, char *argv[])
{
	struct create_job job = { .target_fd = -1, .sessionfd = -1,
				  .ready = { .fd = -1 } };
	int rc = session_parse(cmd, options, argc, argv, NULL, &job.name, &job.prog);

	if (rc == 0)
		rc = check_job(&job);
	if (rc == 0)
		rc = create_session(&job);
	if (rc == 0)
		rc = preserve_plan_run(&job.plan, job.sessionfd, job.name, true);
	if (rc == 0)
		rc = place_session(&job);
	if (rc == 0) {
		/* Only on request: PROG owns standard output. */
		if (luoctl_json)
			report(&job);
		rc = chain_exec(&job.env, &job.ready, job.prog);
	}
	if (job.sessionfd >= 0)
		close(job.sessionfd);
	preserve_plan_free(&job.plan);
	session_env_free(&job.env);
	preserve_args_free(&preserve_args);
	ready_args_free(&ready_args);
	free(session_fd_arg);
	session_parse_free();
	return rc;
}

const struct luoctl_cmd cmd_create = {
	.name = "create",
	.run = run_create,
	.summary = "create an outgoing session and run a program holding it",
	.synopsis = "[OPTIONS] NAME [--] PROG [ARG...]",
};
