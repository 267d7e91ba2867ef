// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The frame the four session commands share: parsing a session command line,
 * the checks made before any kernel step (names, the program, fd claims,
 * readiness, --wait), and the end of every chain (export, report, exec).
 * Functions here are steps: they print once and return an exit status.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <popt.h>

#include "fd-layout.h"
#include "luoctl.h"
#include "session-env.h"

/*
 * Every option of the session commands. It lives in the job on run_*'s
 * stack, popt stores into it through the tables below, and
 * session_opts_free() is the one place it is freed.
 */
struct session_opts {
	char **fd, **file, **listen, **stdin_tokens;	/* repeatable */
	char *session_fd, *fdname, *ready_fd, *ready_file, *wait;
	int finish, force;
	char **reparsed;	/* the argv of a second parse (options after NAME) */
};
void session_opts_free(struct session_opts *o);

/* popt entries shared by several commands, one help text each. */
#define OPTIONS_PRESERVE_ITEMS(o)                                                       \
	{ "fd", '\0', POPT_ARG_ARGV, &(o)->fd, 0,                                        \
	  "preserve the inherited fd FD (a memfd) under TOKEN", "FD:TOKEN" },            \
	{ "file", '\0', POPT_ARG_ARGV, &(o)->file, 0,                                    \
	  "preserve a memfd copy of the file PATH under TOKEN", "PATH:TOKEN" },          \
	{ "stdin", '\0', POPT_ARG_ARGV, &(o)->stdin_tokens, 0,                           \
	  "preserve a memfd copy of standard input under TOKEN", "TOKEN" }
#define OPTIONS_READY(o)                                                                \
	{ "ready-fd", '\0', POPT_ARG_STRING, &(o)->ready_fd, 0,                          \
	  "write \"ready\" to fd N once every step succeeded", "N" },                     \
	{ "ready-file", '\0', POPT_ARG_STRING, &(o)->ready_file, 0,                      \
	  "create PATH once every step succeeded", "PATH" }
#define OPTION_WAIT(o)                                                                  \
	{ "wait", 'w', POPT_ARG_STRING, &(o)->wait, 0,                                    \
	  "wait up to SECONDS for a busy /dev/liveupdate (default 10)", \
	  "SECONDS" }
#define OPTION_FORCE(o)                                                                 \
	{ "force", 'f', POPT_ARG_NONE, &(o)->force, 0,                                    \
	  "allow the session name \"systemd\"", NULL }

/* Parse LUOCTL_SESSIONS; prints why and returns an exit status if it is malformed. */
int session_env_load(struct session_env *env);

/*
 * Check that an inherited session is usable: its fd is open, and where the
 * kernel has GET_NAME (7.2+) it names this session. Prints why and returns an
 * exit status if not.
 */
int held_session_verify(const struct held_session *s);

/* The name as text for messages: quoted, with unprintable bytes as \xHH. */
const char *name_shown(const char *name);

/*
 * Session names: 1 to 63 bytes, never "systemd" unless forced (systemd v261+
 * owns that session). Warns when the name is too long for /proc links on
 * older kernels. Returns 0 or LUOCTL_EXIT_USAGE after printing why.
 */
int session_name_check(const char *name, bool force);
/* Only the length: 1 to 63 bytes (a name that can be held at all). */
int session_name_length_check(const char *name);

/*
 * TOKEN of OPTION ARG (decimal or 0x hex, 64 bits) into *token; else prints
 * a usage error naming the option and returns LUOCTL_EXIT_USAGE.
 */
int parse_token(const char *option, const char *arg, const char *s, uint64_t *token);
/* Parse an fd number given on the command line; prints a usage error. */
int parse_fd_arg(const char *option, const char *s, int *fd);
/* Split "LEFT:RIGHT" at the first or last colon (last: paths may hold colons). */
int split_pair(const char *s, bool at_last, char **left, char **right);

/*
 * Claim an fd number in the layout; option is the command-line text that
 * named it. Every collision is refused with one message:
 *   fd 5 is asked for both the session and --fd 5:9
 * 0 or LUOCTL_EXIT_USAGE.
 */
int claim_fd(struct fd_layout *l, int fd, enum fd_use use, const char *what,
	     const char *option);

/* fd_layout_place, the sessions this chain holds moved off the targets. 0 or -errno. */
int place_fds(const struct fd_layout *l, struct fd_move *moves, size_t n,
	      struct session_env *env);

/*
 * Is PROG (argv[0]) something execvp would run? Checked before any kernel
 * step, so a typo cannot cost a session. 0, or 126/127 after printing why.
 */
int prog_check(char *const argv[]);

/* --wait SECONDS in ms (DEVICE_WAIT_DEFAULT_MS when NULL); 0 or LUOCTL_EXIT_USAGE. */
int wait_prepare(const char *text, int *ms);

/* The readiness signal: written once every step before the exec succeeded. */
struct ready_signal {
	int fd;			/* -1: none */
	const char *path;	/* NULL: none */
};

/* Validate --ready-fd/--ready-file (claiming the fd) before any kernel step. */
int ready_prepare(struct ready_signal *r, const struct session_opts *o,
		  struct fd_layout *layout);
/*
 * A stale ready file must not look like ours: removed just before the first
 * kernel step, and when the command fails other than as a usage error (a
 * usage error changes nothing, the file included).
 */
int ready_clear(struct ready_signal *r);
void ready_clear_on_failure(struct ready_signal *r, int rc);
/* "ready\n" to the fd (kept close-on-exec) and the file (atomically). */
int ready_send(struct ready_signal *r);
/* The exec failed after ready_send: take the signal back as far as possible. */
void ready_revoke(struct ready_signal *r);

/*
 * What was done, said in any message past the point of no return, e.g.
 * "session \"db\" was retrieved and finished": say(job) words it, only when
 * a message needs it (formatting it on every run cost a session command more
 * than its checks; issue 12).
 */
struct chain_done {
	const char *(*say)(const void *job);
	const void *job;
};

/*
 * The end of every chained command: export the sessions, flush the report,
 * exec argv. done: NULL when nothing needs saying. Returns only on failure,
 * with the exit status.
 */
int chain_exec(struct session_env *env, struct ready_signal *r, char *const argv[],
	       const struct chain_done *done);

/*
 * Parse a session command line: [OPTIONS] NAME [OPTIONS] [--] [PROG [ARG...]]
 * (no NAME when name_unless points to an option that was given, e.g.
 * --session-fd). *prog never starts with "--" and is never NULL; it stays
 * valid until session_opts_free(o). Returns 0 or an exit status after
 * printing why.
 */
int session_parse(const struct luoctl_cmd *cmd, const struct poptOption *opts, int argc,
		  char *argv[], struct session_opts *o, char *const *name_unless,
		  const char **name, char ***prog);

/* Free a NULL-terminated array that popt's POPT_ARG_ARGV built. */
void free_argv_option(char **argv);
size_t argv_count(char **argv);
