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

/* --wait SECONDS: one popt table for create, retrieve and finish. */
extern char *wait_arg;
extern const struct poptOption wait_options[];
/* The wait in ms (DEVICE_WAIT_DEFAULT_MS without --wait); 0 or LUOCTL_EXIT_USAGE. */
int wait_prepare(int *ms);

/* The readiness signal: written once every step before the exec succeeded. */
struct ready_signal {
	int fd;			/* -1: none */
	const char *path;	/* NULL: none */
};

/* --ready-fd N, --ready-file PATH: one popt table for create and preserve. */
struct ready_args {
	char *fd;
	char *path;
};
extern struct ready_args ready_args;
extern const struct poptOption ready_options[];
void ready_args_free(struct ready_args *args);

/* Validate --ready-fd/--ready-file (claiming the fd) before any kernel step. */
int ready_prepare(struct ready_signal *r, const struct ready_args *args,
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
 * The end of every chained command: export the sessions, flush the report,
 * exec argv. done: what was done, said in any message from here on (it is
 * past the point of no return), e.g. "session \"db\" was retrieved and
 * finished"; NULL when nothing needs saying. Returns only on failure, with
 * the exit status.
 */
int chain_exec(struct session_env *env, struct ready_signal *r, char *const argv[],
	       const char *done);

/*
 * Parse a session command line: [OPTIONS] NAME [OPTIONS] [--] [PROG [ARG...]]
 * (no NAME when name_unless points to an option that was given, e.g.
 * --session-fd). *prog never starts with "--" and is never NULL; it stays
 * valid until session_parse_free(). Returns 0 or an exit status after
 * printing why.
 */
int session_parse(const struct luoctl_cmd *cmd, const struct poptOption *opts, int argc,
		  char *argv[], char *const *name_unless, const char **name,
		  char ***prog);
void session_parse_free(void);

/* Free a NULL-terminated array that popt's POPT_ARG_ARGV built. */
void free_argv_option(char **argv);
size_t argv_count(char **argv);
