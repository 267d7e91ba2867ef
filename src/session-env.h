// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * LUOCTL_SESSIONS: how nested luoctl calls find the sessions their chain
 * holds. A space-separated list of "FD:out:NAME" (created in this kernel) and
 * "FD:in:NAME[:TOKENS]" (retrieved; TOKENS: the comma-separated tokens
 * retrieved through luoctl). Names are percent-encoded beyond [A-Za-z0-9]
 * and "-_.~+@=,". The codec only: 0 or -errno, never prints.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "luo-abi.h"

#define SESSIONS_ENV "LUOCTL_SESSIONS"

/* One session a chain holds. */
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

/*
 * Parse a LUOCTL_SESSIONS value (NULL or "": no entry). 0, -EINVAL (bad,
 * unless NULL, holds the malformed entry, cut to badsize) or -ENOMEM.
 */
int session_env_parse(struct session_env *env, const char *value, char *bad,
		      size_t badsize);
void session_env_free(struct session_env *env);
/* The newest entry of that name and direction, or NULL. */
struct held_session *session_env_find(struct session_env *env, const char *name,
				      bool incoming);
struct held_session *session_env_find_fd(struct session_env *env, int fd);
/* Add an entry; one on the same fd number is dropped. 0 or -ENOMEM. */
int session_env_add(struct session_env *env, int fd, bool incoming, const char *name);
int session_env_add_token(struct held_session *s, uint64_t token);
void session_env_remove(struct session_env *env, struct held_session *s);
/* The value, leaving out entries whose fd is not open; *out NULL when empty. */
int session_env_format(const struct session_env *env, char **out);
/* setenv (or unsetenv when empty) LUOCTL_SESSIONS. 0 or -errno. */
int session_env_export(const struct session_env *env);
