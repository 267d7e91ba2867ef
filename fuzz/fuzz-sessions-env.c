// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target for the LUOCTL_SESSIONS codec (src/session-env.c),
 * through its public functions: the input is the variable's value. Whatever
 * loads must export and load again to the same entries: those on fds open in
 * the fuzzer survive the export, the others are dropped as closed.
 */
#include <assert.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "session-env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_entry(const struct held_session *a, const struct held_session *b)
{
	return a->fd == b->fd && a->incoming == b->incoming && !strcmp(a->name, b->name) &&
	       a->ntokens == b->ntokens &&
	       (!a->ntokens || !memcmp(a->tokens, b->tokens, a->ntokens * sizeof(*a->tokens)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct session_env env, again;
	char *value = malloc(size + 1);

	if (!value)
		return 0;
	memcpy(value, data, size);
	value[size] = '\0';
	if (session_env_parse(&env, value, NULL, 0)) {
		free(value);
		return 0;
	}
	free(value);
	/* Lookups by name and fd walk what was loaded. */
	for (size_t i = 0; i < env.n; i++) {
		assert(session_env_find(&env, env.v[i].name, env.v[i].incoming));
		assert(session_env_find_fd(&env, env.v[i].fd));
	}
	if (session_env_export(&env) == 0) {
		assert(session_env_parse(&again, getenv(SESSIONS_ENV), NULL, 0) == 0);
		size_t kept = 0;
		for (size_t i = 0; i < env.n; i++) {
			if (fcntl(env.v[i].fd, F_GETFD) < 0)
				continue;
			assert(kept < again.n && same_entry(&env.v[i], &again.v[kept]));
			kept++;
		}
		assert(kept == again.n);
		session_env_free(&again);
	}
	session_env_free(&env);
	return 0;
}
