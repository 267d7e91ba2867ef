// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luoctl finish: finish an incoming session, either one this chain holds
 * (by name through LUOCTL_SESSIONS, or by fd) or, by name, one nobody has
 * retrieved yet. LUO cannot list a session's files, so what was discarded is
 * told as precisely as luoctl knows it: everything, or everything except the
 * tokens retrieved through luoctl.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "luo-errors.h"
#include "luo.h"
#include "luoctl.h"
#include "output.h"
#include "chain.h"
#include "device.h"
#include "fd-layout.h"
#include "util.h"

enum discarded { DISCARDED_ALL, DISCARDED_UNRETRIEVED };

struct finish_job {
	struct session_opts opts;
	const char *name;
	char **prog;
	struct session_env env;
	struct held_session *held;	/* NULL: retrieved here, by name */
	struct held_session unlisted;	/* --session-fd not in LUOCTL_SESSIONS */
	int fd;
	char shown_name[LIVEUPDATE_SESSION_NAME_LENGTH];
	enum discarded discarded;
	int wait_ms;
};

static int find_by_fd(struct finish_job *job)
{
	int fd, rc = parse_fd_arg("--session-fd", job->opts.session_fd, &fd);

	if (rc)
		return rc;
	if (fcntl(fd, F_GETFD) < 0) {
		log_usage("--session-fd %d: fd %d is not open", fd, fd);
		return LUOCTL_EXIT_USAGE;
	}
	job->held = session_env_find_fd(&job->env, fd);
	if (!job->held) {
		/* Not from luoctl: the kernel may still know its name (7.2+). */
		job->unlisted = (struct held_session){ .fd = fd, .incoming = true };
		if (luo_get_session_name(fd, job->unlisted.name) < 0)
			snprintf(job->unlisted.name, sizeof(job->unlisted.name), "at fd %d", fd);
		job->held = &job->unlisted;
	}
	return 0;
}

static int find_by_name(struct finish_job *job)
{
	int rc = session_name_check(job->name, job->opts.force);

	if (rc)
		return rc;
	job->held = session_env_find(&job->env, job->name, true);
	if (!job->held && session_env_find(&job->env, job->name, false)) {
		log_error("session %s held by this chain was created in this kernel: only sessions retrieved from the previous kernel can be finished (close it to drop it)", name_shown(job->name));
		return LUOCTL_EXIT_FAILED;
	}
	return 0;
}

static int check_job(struct finish_job *job)
{
	int rc = wait_prepare(job->opts.wait, &job->wait_ms);

	if (rc == 0)
		rc = session_env_load(&job->env);
	if (rc == 0)
		rc = job->opts.session_fd ? find_by_fd(job) : find_by_name(job);
	if (rc)
		return rc;
	if (job->held && !job->held->incoming) {
		log_error("fd %d holds session %s, created in this kernel: only sessions retrieved from the previous kernel can be finished", job->held->fd,
			  name_shown(job->held->name));
		return LUOCTL_EXIT_FAILED;
	}
	if (job->held && job->held != &job->unlisted)
		rc = held_session_verify(job->held);
	return rc ? rc : prog_check(job->prog);
}

/* Not held by this chain: take it from the kernel now; nothing of it was retrieved. */
static int retrieve_by_name(struct finish_job *job)
{
	int devfd, rc = device_open_step(job->wait_ms, &devfd);

	if (rc)
		return rc;
	job->fd = luo_retrieve_session(devfd, job->name);
	close(devfd);
	if (job->fd < 0) {
		log_luo(LUO_STEP_RETRIEVE, job->fd, "cannot retrieve session %s to finish it",
			name_shown(job->name));
		return LUOCTL_EXIT_FAILED;
	}
	job->discarded = DISCARDED_ALL;
	return 0;
}

/* The session was one of PROG's LISTEN_FDS: the ones after it move down. */
static int keep_listen_layout(struct finish_job *job)
{
	int from, end, r = listen_fds_remove(job->fd, &from, &end);

	if (r < 0) {
		log_errno(r, "session %s was finished, but LISTEN_FDS cannot be updated",
			  name_shown(job->shown_name));
		return LUOCTL_EXIT_FAILED;
	}
	for (size_t i = 0; i < job->env.n; i++)
		if (job->env.v[i].fd >= from && job->env.v[i].fd < end)
			job->env.v[i].fd--;
	return 0;
}

static int finish(struct finish_job *job)
{
	int r;

	if (job->held) {
		job->fd = job->held->fd;
		job->discarded = DISCARDED_UNRETRIEVED;
	} else {
		r = retrieve_by_name(job);
		if (r)
			return r;
	}
	str_copy(job->shown_name, sizeof(job->shown_name),
		 job->held ? job->held->name : job->name);
	r = luo_finish_session(job->fd);
	if (r < 0) {
		log_luo(LUO_STEP_FINISH, r, "cannot finish session %s",
			name_shown(job->shown_name));
		return LUOCTL_EXIT_FAILED;
	}
	/* Closing a finished session removes it; PROG gets nothing it did not ask for. */
	close(job->fd);
	if (job->held && job->held != &job->unlisted)
		session_env_remove(&job->env, job->held);
	job->held = NULL;
	return job->discarded == DISCARDED_UNRETRIEVED ? keep_listen_layout(job) : 0;
}

static void report_tokens(const struct held_session *s)
{
	if (!s || s->ntokens == 0) {
		out_null(PRINT_JSON, "retrieved_tokens", NULL);
		return;
	}
	out_open_array("retrieved_tokens");
	out_text("; retrieved through luoctl: token");
	for (size_t i = 0; i < s->ntokens; i++)
		out_u64(PRINT_ANY, NULL, i ? ", %" PRIu64 : " %" PRIu64, s->tokens[i]);
	out_close_array();
}

static void report(const struct finish_job *job, const struct held_session *tokens)
{
	out_begin(luoctl_json, luoctl_pretty);
	out_open_object(NULL);
	out_open_object("session");
	out_string(PRINT_ANY, "name", "finished session \"%s\"", job->shown_name);
	out_close_object();
	out_bool(PRINT_JSON, "finished", NULL, true);
	if (job->discarded == DISCARDED_ALL) {
		out_string(PRINT_ANY, "discarded", ": %s files discarded (none was retrieved)",
			   "all");
		out_null(PRINT_JSON, "retrieved_tokens", NULL);
	} else {
		out_string(PRINT_ANY, "discarded", ": %s files discarded", "unretrieved");
		report_tokens(tokens);
	}
	out_text("\n");
	out_close_object();
}

static const char *say_done(const void *job)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "session %s was finished",
		 name_shown(((const struct finish_job *)job)->shown_name));
	return buf;
}

static int run_finish(const struct luoctl_cmd *cmd, int argc, char *argv[])
{
	struct finish_job job = { .fd = -1 };
	struct held_session tokens = { 0 };
	const struct poptOption options[] = {
		{ "session-fd", '\0', POPT_ARG_STRING, &job.opts.session_fd, 0,
		  "finish the session at fd N instead of naming it", "N" },
		OPTION_WAIT(&job.opts),
		OPTION_FORCE(&job.opts),
		POPT_TABLEEND
	};
	int rc = session_parse(cmd, options, argc, argv, &job.opts, &job.opts.session_fd,
			       &job.name, &job.prog);

	if (rc == 0)
		rc = check_job(&job);
	/* Keep the tokens: the entry leaves LUOCTL_SESSIONS once finished. */
	if (rc == 0 && job.held && job.held->ntokens) {
		tokens.tokens = malloc(job.held->ntokens * sizeof(*tokens.tokens));
		if (tokens.tokens) {
			memcpy(tokens.tokens, job.held->tokens,
			       job.held->ntokens * sizeof(*tokens.tokens));
			tokens.ntokens = job.held->ntokens;
		}
	}
	if (rc == 0)
		rc = finish(&job);
	if (rc == 0) {
		if (luoctl_json || !job.prog[0])
			report(&job, &tokens);
		rc = chain_exec(&job.env, NULL, job.prog,
				&(struct chain_done){ say_done, &job });
	}
	free(tokens.tokens);
	session_env_free(&job.env);
	session_opts_free(&job.opts);
	return rc;
}

const struct luoctl_cmd cmd_finish = {
	.name = "finish",
	.run = run_finish,
	.summary = "finish an incoming session, discarding the files not retrieved",
	.synopsis = "[OPTIONS] {NAME | --session-fd N} [--] [PROG [ARG...]]",
};
