// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the four session commands share: the LUOCTL_SESSIONS environment that
 * lets nested luoctl calls find the sessions their chain holds, name checks,
 * opening the device, the readiness signal and the final exec.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <popt.h>

#include "luo-abi.h"
#include "luoctl.h"

#define SESSIONS_ENV "LUOCTL_SESSIONS"

/* One session a chain holds: LUOCTL_SESSIONS entry "FD:out:NAME" or "FD:in:NAME[:TOKENS]". */
struct held_session {
	int fd;
	bool incoming;
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	/* incoming only: tokens retrieved through luoctl (finish tells what it drops) */
	uint64_t *tokens;
	size_t ntokens;
};

struct session_env {
	struct held_session *v;
	size_t n;
};

/* Parse LUOCTL_SESSIONS. Prints why and returns an exit status if it is malformed. */
int session_env_load(struct session_env *env);
void session_env_free(struct session_env *env);
struct held_session *session_env_find(struct session_env *env, const char *name,
				      bool incoming);
struct held_session *session_env_find_fd(struct session_env *env, int fd);
/* 0 or -ENOMEM. */
int session_env_add(struct session_env *env, int fd, bool incoming, const char *name);
int session_env_add_token(struct held_session *s, uint64_t token);
void session_env_remove(struct session_env *env, struct held_session *s);
/* Write LUOCTL_SESSIONS back, leaving out entries whose fd is no longer open. */
int session_env_export(struct session_env *env);
/* Move inherited sessions off the fd numbers in targets[] (they would be overwritten). */
int session_env_clear_targets(struct session_env *env, const int *targets, size_t n);

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

/* Open /dev/liveupdate. Returns the fd, or -(exit status) after printing why. */
int session_open_device(void);

/* Parse an fd number given on the command line; prints a usage error. */
int parse_fd_arg(const char *option, const char *s, int *fd);
/* Split "LEFT:RIGHT" at the last colon (last: paths may hold colons). */
int split_pair(const char *s, bool at_last, char **left, char **right);

/*
 * Is PROG (argv[0]) something execvp would run? Checked before any kernel
 * step, so a typo cannot cost a session. 0, or 126/127 after printing why.
 */
int prog_check(char *const argv[]);

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

/* Validate --ready-fd/--ready-file before any kernel step. */
int ready_prepare(struct ready_signal *r, const char *fd_arg, const char *path);
/* "ready\n" to the fd (kept close-on-exec) and the file (atomically). */
int ready_send(struct ready_signal *r);
/* The exec failed after ready_send: take the signal back as far as possible. */
void ready_revoke(struct ready_signal *r);

/*
 * The end of every chained command: export the sessions, flush the report,
 * exec argv. Returns only on failure, with the exit status.
 */
int chain_exec(struct session_env *env, struct ready_signal *r, char *const argv[]);

/*
 * Parse a session command line: [OPTIONS] NAME [OPTIONS] [--] [PROG [ARG...]]
 * (no NAME when name_unless points to an option that was given, e.g. --session-fd). *prog never starts with "--" and is
 * never NULL; it stays valid until session_parse_free(). Returns 0 or an
 * exit status after printing why.
 */
int session_parse(const struct luoctl_cmd *cmd, const struct poptOption *opts, int argc,
		  char *argv[], char *const *name_unless, const char **name,
		  char ***prog);
void session_parse_free(void);

/* Free a NULL-terminated array that popt's POPT_ARG_ARGV built. */
void free_argv_option(char **argv);
size_t argv_count(char **argv);
