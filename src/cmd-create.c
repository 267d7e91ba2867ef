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
#include "chain.h"
#include "device.h"
#include "fd-layout.h"
#include "session-preserve.h"
#include "util.h"

struct create_job {
	struct session_opts opts;
	const char *name;
	char **prog;
	int target_fd;		/* -1: lowest free from 3 */
	struct session_env env;
	struct ready_signal ready;
	struct preserve_plan plan;
	struct fd_layout layout;
	int wait_ms;
	int sessionfd;
};

/* Everything that can be refused without the kernel is refused here. */
static int check_job(struct create_job *job)
{
	int rc = session_name_check(job->name, job->opts.force);

	if (rc)
		return rc;
	if (!job->prog[0]) {
		log_usage("no program to run: the session would be closed at once, and a closed outgoing session keeps nothing (try: luoctl create %s -- sleep infinity)", job->name);
		return LUOCTL_EXIT_USAGE;
	}
	if (job->opts.session_fd) {
		rc = parse_fd_arg("--session-fd", job->opts.session_fd, &job->target_fd);
		if (rc == 0)
			rc = claim_fd(&job->layout, job->target_fd, FD_USE_SESSION, "the session",
				      "--session-fd");
		if (rc)
			return rc;
	}
	rc = wait_prepare(job->opts.wait, &job->wait_ms);
	if (rc == 0)
		rc = session_env_load(&job->env);
	if (rc == 0)
		rc = ready_prepare(&job->ready, &job->opts, &job->layout);
	if (rc == 0)
		rc = preserve_plan_check(&job->plan, &job->opts, &job->layout);
	if (rc == 0)
		rc = prog_check(job->prog);
	return rc ? rc : preserve_plan_build(&job->plan);
}

static int create_session(struct create_job *job)
{
	int devfd, rc = ready_clear(&job->ready);

	if (rc)
		return rc;
	rc = device_open_step(job->wait_ms, &devfd);
	if (rc)
		return rc;
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
	struct fd_move move = { &job->sessionfd, job->target_fd };
	int r = place_fds(&job->layout, &move, 1, &job->env);

	if (r < 0) {
		log_errno(r, "cannot pass session %s to the program (it closes as luoctl exits)",
			  name_shown(job->name));
		return LUOCTL_EXIT_FAILED;
	}
	if (session_env_add(&job->env, job->sessionfd, false, job->name) < 0) {
		log_errno(ENOMEM, "cannot record session %s (it closes as luoctl exits)",
			  name_shown(job->name));
		return LUOCTL_EXIT_FAILED;
	}
	return 0;
}

static const char *say_done(const void *job)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "session %s closes as luoctl exits",
		 name_shown(((const struct create_job *)job)->name));
	return buf;
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
	const struct poptOption options[] = {
		OPTIONS_PRESERVE_ITEMS(&job.opts),
		{ "session-fd", '\0', POPT_ARG_STRING, &job.opts.session_fd, 0,
		  "pass the session at fd N (default: lowest free from 3)", "N" },
		OPTIONS_READY(&job.opts),
		OPTION_WAIT(&job.opts),
		OPTION_FORCE(&job.opts),
		POPT_TABLEEND
	};
	int rc;

	fd_layout_init(&job.layout, 0);
	rc = session_parse(cmd, options, argc, argv, &job.opts, NULL, &job.name,
			   &job.prog);
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
		rc = chain_exec(&job.env, &job.ready, job.prog,
				&(struct chain_done){ say_done, &job });
	}
	ready_clear_on_failure(&job.ready, rc);
	if (job.sessionfd >= 0)
		close(job.sessionfd);
	preserve_plan_free(&job.plan);
	session_env_free(&job.env);
	fd_layout_free(&job.layout);
	session_opts_free(&job.opts);
	return rc;
}

const struct luoctl_cmd cmd_create = {
	.name = "create",
	.run = run_create,
	.summary = "create an outgoing session and run a program holding it",
	.synopsis = "[OPTIONS] NAME [--] PROG [ARG...]",
};
