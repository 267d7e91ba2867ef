// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luoctl preserve: preserve fds, or memfd copies of files and of standard
 * input, into a session this chain holds (found by name in LUOCTL_SESSIONS,
 * or by fd), then exec PROG, or return when there is none: the caller keeps
 * holding the session.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "luo-errors.h"
#include "luo.h"
#include "luoctl.h"
#include "output.h"
#include "chain.h"
#include "fd-layout.h"
#include "session-preserve.h"
#include "util.h"

struct preserve_job {
	struct session_opts opts;
	const char *name;
	char **prog;
	struct session_env env;
	struct held_session *session;
	struct held_session unlisted;	/* --session-fd not in LUOCTL_SESSIONS */
	struct ready_signal ready;
	struct preserve_plan plan;
	struct fd_layout layout;
};

static int find_by_name(struct preserve_job *job)
{
	job->session = session_env_find(&job->env, job->name, false);
	if (job->session)
		return 0;
	if (session_env_find(&job->env, job->name, true)) {
		log_error("session %s held by this chain was retrieved from the previous kernel: LUO takes files only into sessions created in this kernel",
			  name_shown(job->name));
		return LUOCTL_EXIT_FAILED;
	}
	log_error("no session %s is held by this chain (%s); run this command under \"luoctl create NAME -- ...\"", name_shown(job->name), SESSIONS_ENV);
	return LUOCTL_EXIT_FAILED;
}

/* --session-fd: the entry for that fd, or an unnamed one the kernel may name. */
static int find_by_fd(struct preserve_job *job)
{
	int fd, rc = parse_fd_arg("--session-fd", job->opts.session_fd, &fd);

	if (rc)
		return rc;
	job->session = session_env_find_fd(&job->env, fd);
	if (job->session) {
		if (job->session->incoming) {
			log_error("fd %d holds session %s, retrieved from the previous kernel: LUO takes files only into sessions created in this kernel",
				  fd, name_shown(job->session->name));
			return LUOCTL_EXIT_FAILED;
		}
		job->name = job->session->name;
		return 0;
	}
	if (fcntl(fd, F_GETFD) < 0) {
		log_usage("--session-fd %d: fd %d is not open", fd, fd);
		return LUOCTL_EXIT_USAGE;
	}
	job->unlisted.fd = fd;
	if (luo_get_session_name(fd, job->unlisted.name) < 0)
		snprintf(job->unlisted.name, sizeof(job->unlisted.name), "fd %d", fd);
	job->session = &job->unlisted;
	job->name = job->unlisted.name;
	return 0;
}

/* Usage errors first (nothing was done), then what needs the session. */
static int check_job(struct preserve_job *job)
{
	int rc;

	if (!job->opts.fd && !job->opts.file && !job->opts.stdin_tokens) {
		log_usage("nothing to preserve: give --fd, --file or --stdin");
		return LUOCTL_EXIT_USAGE;
	}
	rc = job->opts.session_fd ? 0 : session_name_length_check(job->name);
	if (rc == 0)
		rc = session_env_load(&job->env);
	if (rc == 0)
		rc = ready_prepare(&job->ready, &job->opts, &job->layout);
	if (rc == 0)
		rc = preserve_plan_check(&job->plan, &job->opts, &job->layout);
	if (rc == 0)
		rc = job->opts.session_fd ? find_by_fd(job) : find_by_name(job);
	/* The program keeps the session where it is: no --fd or --ready-fd on it. */
	if (rc == 0)
		rc = claim_fd(&job->layout, job->session->fd, FD_USE_SESSION, "the session",
			      "--session-fd");
	if (rc == 0)
		rc = prog_check(job->prog);
	if (rc == 0 && job->session != &job->unlisted)
		rc = held_session_verify(job->session);
	if (rc == 0)
		rc = preserve_plan_build(&job->plan);
	return rc ? rc : ready_clear(&job->ready);
}

static void report(const struct preserve_job *job)
{
	out_begin(luoctl_json, luoctl_pretty);
	out_open_object(NULL);
	out_open_object("session");
	out_string(PRINT_ANY, "name", "session \"%s\"", job->name);
	out_i64(PRINT_ANY, "fd", " at fd %" PRId64 "\n", job->session->fd);
	out_close_object();
	preserve_plan_report(&job->plan);
	out_close_object();
}

static int run_preserve(const struct luoctl_cmd *cmd, int argc, char *argv[])
{
	struct preserve_job job = { .ready = { .fd = -1 } };
	const struct poptOption options[] = {
		OPTIONS_PRESERVE_ITEMS(&job.opts),
		{ "session-fd", '\0', POPT_ARG_STRING, &job.opts.session_fd, 0,
		  "use the session at fd N instead of naming it", "N" },
		OPTIONS_READY(&job.opts),
		POPT_TABLEEND
	};
	int rc;

	fd_layout_init(&job.layout, 0);
	rc = session_parse(cmd, options, argc, argv, &job.opts, &job.opts.session_fd,
			   &job.name, &job.prog);

	if (rc == 0)
		rc = check_job(&job);
	if (rc == 0)
		rc = preserve_plan_run(&job.plan, job.session->fd, job.name, false);
	if (rc == 0) {
		/* With a PROG, standard output is PROG's unless JSON was asked for. */
		if (luoctl_json || !job.prog[0])
			report(&job);
		rc = chain_exec(&job.env, &job.ready, job.prog, NULL);
	}
	ready_clear_on_failure(&job.ready, rc);
	preserve_plan_free(&job.plan);
	fd_layout_free(&job.layout);
	session_env_free(&job.env);
	session_opts_free(&job.opts);
	return rc;
}

const struct luoctl_cmd cmd_preserve = {
	.name = "preserve",
	.run = run_preserve,
	.summary = "preserve fds or file contents into a session this chain holds",
	.synopsis = "[OPTIONS] {NAME | --session-fd N} [--] [PROG [ARG...]]",
};
