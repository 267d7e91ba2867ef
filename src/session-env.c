// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "luo.h"
#include "session-env.h"
#include "util.h"

static int parse_tokens(struct held_session *s, const char *text)
{
	char *copy = strdup(text), *save = NULL;
	int r = copy ? 0 : -ENOMEM;

	for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && r == 0;
	     t = strtok_r(NULL, ",", &save)) {
		uint64_t token;

		r = parse_u64(t, &token);
		if (r == 0)
			r = session_env_add_token(s, token);
	}
	free(copy);
	return r;
}

/* Append an entry; env->v has room for it. */
static void put_entry(struct session_env *env, int fd, bool incoming, const char *name)
{
	struct held_session *v = &env->v[env->n++];

	*v = (struct held_session){ .fd = fd, .incoming = incoming };
	str_copy(v->name, sizeof(v->name), name);
}

/* "FD:KIND:NAME[:TOKENS]" */
static int parse_entry(struct session_env *env, char *entry)
{
	char *kind = strchr(entry, ':'), *name, *tokens;
	char decoded[LIVEUPDATE_SESSION_NAME_LENGTH];
	int fd;

	if (!kind)
		return -EINVAL;
	*kind++ = '\0';
	name = strchr(kind, ':');
	if (!name)
		return -EINVAL;
	*name++ = '\0';
	tokens = strchr(name, ':');
	if (tokens)
		*tokens++ = '\0';
	if (parse_fd_number(entry, &fd) < 0 ||
	    (strcmp(kind, "in") != 0 && strcmp(kind, "out") != 0) ||
	    name_decode(name, strlen(name), decoded, sizeof(decoded)) < 0)
		return -EINVAL;
	if (tokens && strcmp(kind, "in") != 0)
		return -EINVAL;
	/* session_env_parse made room; drop_stale_fds runs once at the end. */
	put_entry(env, fd, strcmp(kind, "in") == 0, decoded);
	return tokens && *tokens ? parse_tokens(&env->v[env->n - 1], tokens) : 0;
}

/*
 * An fd number named twice keeps only its newest entry, as session_env_add
 * does one entry at a time. One pass over a hash of the fd numbers: a scan
 * per entry made every command of a 2000-session chain compare 2 million
 * pairs (15% of its time).
 */
static int drop_stale_fds(struct session_env *env)
{
	size_t size = 16, mask, *slot;	/* entry index + 1; 0: free */

	if (env->n < 2)
		return 0;
	while (size < 2 * env->n)
		size *= 2;
	slot = calloc(size, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	mask = size - 1;
	for (size_t i = env->n; i-- > 0;) {
		int fd = env->v[i].fd;
		size_t h = ((size_t)(unsigned int)fd * 2654435761u) & mask;

		while (slot[h] && env->v[slot[h] - 1].fd != fd)
			h = (h + 1) & mask;
		if (slot[h])
			env->v[i].fd = -1;
		else
			slot[h] = i + 1;
	}
	free(slot);
	return 0;
}

void session_env_free(struct session_env *env)
{
	for (size_t i = 0; i < env->n; i++)
		free(env->v[i].tokens);
	free(env->v);
	env->v = NULL;
	env->n = 0;
}

struct held_session *session_env_find(struct session_env *env, const char *name,
				      bool incoming)
{
	/* The newest entry wins: it is the one this chain added last. */
	for (size_t i = env->n; i-- > 0;)
		if (env->v[i].incoming == incoming && strcmp(env->v[i].name, name) == 0)
			return &env->v[i];
	return NULL;
}

struct held_session *session_env_find_fd(struct session_env *env, int fd)
{
	for (size_t i = env->n; i-- > 0;)
		if (env->v[i].fd == fd)
			return &env->v[i];
	return NULL;
}

int session_env_add(struct session_env *env, int fd, bool incoming, const char *name)
{
	struct held_session *v = realloc(env->v, (env->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	env->v = v;
	/* A new session on an fd number drops any stale entry for that number. */
	for (size_t i = 0; i < env->n; i++)
		if (v[i].fd == fd)
			v[i].fd = -1;
	put_entry(env, fd, incoming, name);
	return 0;
}

int session_env_add_token(struct held_session *s, uint64_t token)
{
	uint64_t *t;

	for (size_t i = 0; i < s->ntokens; i++)
		if (s->tokens[i] == token)
			return 0;
	t = realloc(s->tokens, (s->ntokens + 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	s->tokens = t;
	s->tokens[s->ntokens++] = token;
	return 0;
}

void session_env_remove(struct session_env *env, struct held_session *s)
{
	size_t i = (size_t)(s - env->v);

	free(s->tokens);
	memmove(&env->v[i], &env->v[i + 1], (env->n - i - 1) * sizeof(*s));
	env->n--;
}


int session_env_parse(struct session_env *env, const char *value, char *bad,
		      size_t badsize)
{
	char *copy, *save = NULL;
	size_t max = 1;
	int r = 0;

	env->v = NULL;
	env->n = 0;
	if (!value || !*value)
		return 0;
	copy = strdup(value);
	/* Entries are separated by spaces: at most one more than there are spaces. */
	for (const char *p = value; *p; p++)
		max += *p == ' ';
	env->v = copy ? calloc(max, sizeof(*env->v)) : NULL;
	if (!env->v) {
		free(copy);
		return -ENOMEM;
	}
	for (char *e = strtok_r(copy, " ", &save); e; e = strtok_r(NULL, " ", &save)) {
		if (bad)
			str_copy(bad, badsize, e);
		r = parse_entry(env, e);
		if (r < 0)
			break;
	}
	if (r == 0 && bad)
		bad[0] = '\0';
	if (r == 0)
		r = drop_stale_fds(env);
	free(copy);
	if (r < 0)
		session_env_free(env);
	return r;
}

/*
 * Appends one entry; returns the new length, or -ENOMEM. By hand, not with
 * sprintf: create and preserve run this on every call, and a sprintf per name
 * byte cost more than the rest of the entry (issue 12).
 */
static int append_entry(char **buf, size_t *cap, size_t len, const struct held_session *s)
{
	/* fd and kind, the name at up to 3 bytes a byte, 22 bytes a token, the NUL. */
	size_t need = len + 32 + strlen(s->name) * 3 + s->ntokens * 22;
	char *p;

	if (io_grow((void **)buf, cap, need, 1) < 0)
		return -ENOMEM;
	p = *buf + len;
	if (len)
		*p++ = ' ';
	/* "%d:%s:": the caller passes only open fds, so fd >= 0. */
	p += u64_to_str(p, (unsigned int)s->fd);
	memcpy(p, s->incoming ? ":in:" : ":out:", s->incoming ? 4 : 5);
	p += s->incoming ? 4 : 5;
	p += name_encode(p, s->name);
	for (size_t i = 0; i < s->ntokens; i++) {
		*p++ = i ? ',' : ':';
		p += u64_to_str(p, s->tokens[i]);
	}
	*p = '\0';
	return (int)(p - *buf);
}

int session_env_format(const struct session_env *env, char **out)
{
	char *buf = NULL;
	size_t cap = 0;
	int len = 0;

	*out = NULL;
	for (size_t i = 0; i < env->n; i++) {
		if (!fd_is_open(env->v[i].fd))
			continue;
		len = append_entry(&buf, &cap, (size_t)len, &env->v[i]);
		if (len < 0) {
			free(buf);
			return len;
		}
	}
	*out = buf;
	return 0;
}

int session_env_export(const struct session_env *env)
{
	char *buf;
	int r = session_env_format(env, &buf);

	if (r < 0)
		return r;
	/* unsetenv rewrites the environment: only when there is a variable to drop. */
	if (!buf)
		r = getenv(SESSIONS_ENV) ? unsetenv(SESSIONS_ENV) : 0;
	else
		r = setenv(SESSIONS_ENV, buf, 1);
	free(buf);
	return r < 0 ? -errno : 0;
}
