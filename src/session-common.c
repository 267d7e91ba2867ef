// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "luo-errors.h"
#include "luo.h"
#include "luoctl.h"
#include "output.h"
#include "session-common.h"
#include "util.h"

/* Names longer than this break readlink() of the session fd before 7.0.10/7.1. */
#define PROC_LINK_NAME_MAX 38
#define SESSION_LINK_PREFIX "anon_inode:[luo_session] "

const char *name_shown(const char *name)
{
	/* Two buffers: a message may show two names. */
	static char bufs[2][LIVEUPDATE_SESSION_NAME_LENGTH * 4 + 3];
	static int next;
	char *buf = bufs[next++ % 2], *p = buf;

	*p++ = '"';
	for (const unsigned char *s = (const unsigned char *)name; *s; s++) {
		if (p - buf > (long)sizeof(bufs[0]) - 6)
			break;
		if (*s == '"' || *s == '\\')
			p += sprintf(p, "\\%c", *s);
		else if (isprint(*s))
			*p++ = (char)*s;
		else
			p += sprintf(p, "\\x%02x", *s);
	}
	*p++ = '"';
	*p = '\0';
	return buf;
}

int session_name_check(const char *name, bool force)
{
	size_t len = strlen(name);

	if (len == 0) {
		log_usage("a session name must not be empty (LUO takes 1 to 63 bytes)");
		return LUOCTL_EXIT_USAGE;
	}
	if (len > LUO_NAME_MAX) {
		log_usage("session name %s is %zu bytes long; LUO takes at most %d",
			  name_shown(name), len, LUO_NAME_MAX);
		return LUOCTL_EXIT_USAGE;
	}
	if (strcmp(name, "systemd") == 0 && !force) {
		log_usage("the session name \"systemd\" belongs to systemd (v261 and later); give --force to use it anyway");
		return LUOCTL_EXIT_USAGE;
	}
	if (len > PROC_LINK_NAME_MAX)
		log_warning("session name %s is longer than %d bytes: before Linux 7.0.10 and 7.1, readlink of its fd in /proc fails (ENAMETOOLONG)",
			    name_shown(name), PROC_LINK_NAME_MAX);
	return 0;
}

/* ---- LUOCTL_SESSIONS ---------------------------------------------------- */

/* Percent-encoding keeps the space-separated, colon-separated format unambiguous. */
static bool name_byte_plain(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' ||
	       c == '@' || c == '=' || c == ',';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int name_decode(const char *enc, size_t len, char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)enc[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -EINVAL;
			hi = hex_value(enc[i + 1]);
			lo = hex_value(enc[i + 2]);
			if (hi < 0 || lo < 0)
				return -EINVAL;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == 0 || n >= LUO_NAME_MAX)
			return -EINVAL;
		name[n++] = (char)c;
	}
	if (n == 0)
		return -EINVAL;
	name[n] = '\0';
	return 0;
}

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

/* "FD:KIND:NAME[:TOKENS]" */
static int parse_entry(struct session_env *env, char *entry)
{
	char *kind = strchr(entry, ':'), *name, *tokens;
	char decoded[LIVEUPDATE_SESSION_NAME_LENGTH];
	int fd, r;

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
	    name_decode(name, strlen(name), decoded) < 0)
		return -EINVAL;
	if (tokens && strcmp(kind, "in") != 0)
		return -EINVAL;
	r = session_env_add(env, fd, strcmp(kind, "in") == 0, decoded);
	if (r == 0 && tokens && *tokens)
		r = parse_tokens(&env->v[env->n - 1], tokens);
	return r;
}

int session_env_load(struct session_env *env)
{
	const char *value = getenv(SESSIONS_ENV);
	char *copy, *save = NULL;

	env->v = NULL;
	env->n = 0;
	if (!value || !*value)
		return 0;
	copy = strdup(value);
	if (!copy) {
		log_errno(ENOMEM, "cannot read %s", SESSIONS_ENV);
		return LUOCTL_EXIT_FAILED;
	}
	for (char *e = strtok_r(copy, " ", &save); e; e = strtok_r(NULL, " ", &save)) {
		char shown[64];

		snprintf(shown, sizeof(shown), "%s", e);
		if (parse_entry(env, e) < 0) {
			log_error("malformed %s entry \"%s\" (expected FD:out:NAME or FD:in:NAME[:TOKENS])", SESSIONS_ENV, shown);
			free(copy);
			session_env_free(env);
			return LUOCTL_EXIT_USAGE;
		}
	}
	free(copy);
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
	v[env->n] = (struct held_session){ .fd = fd, .incoming = incoming };
	snprintf(v[env->n].name, sizeof(v[env->n].name), "%s", name);
	env->n++;
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

static bool fd_is_open(int fd)
{
	return fd >= 0 && fcntl(fd, F_GETFD) >= 0;
}

/* Appends one entry; returns the new length, or -ENOMEM. */
static int append_entry(char **buf, size_t *cap, size_t len, const struct held_session *s)
{
	/* fd and kind, the name at up to 3 bytes a byte, 22 bytes a token. */
	size_t need = len + 32 + strlen(s->name) * 3 + s->ntokens * 22;
	char *p;

	if (need > *cap) {
		char *b = realloc(*buf, need);

		if (!b)
			return -ENOMEM;
		*buf = b;
		*cap = need;
	}
	p = *buf + len;
	if (len)
		*p++ = ' ';
	p += sprintf(p, "%d:%s:", s->fd, s->incoming ? "in" : "out");
	for (const unsigned char *c = (const unsigned char *)s->name; *c; c++)
		p += name_byte_plain(*c) ? sprintf(p, "%c", *c) : sprintf(p, "%%%02X", *c);
	for (size_t i = 0; i < s->ntokens; i++)
		p += sprintf(p, "%c%llu", i ? ',' : ':', (unsigned long long)s->tokens[i]);
	return (int)(p - *buf);
}

int session_env_export(struct session_env *env)
{
	char *buf = NULL;
	size_t cap = 0;
	int len = 0, r;

	for (size_t i = 0; i < env->n; i++) {
		if (!fd_is_open(env->v[i].fd))
			continue;
		len = append_entry(&buf, &cap, (size_t)len, &env->v[i]);
		if (len < 0) {
			free(buf);
			return len;
		}
	}
	if (len == 0)
		r = unsetenv(SESSIONS_ENV);
	else
		r = setenv(SESSIONS_ENV, buf, 1);
	free(buf);
	return r < 0 ? -errno : 0;
}

int session_env_clear_targets(struct session_env *env, const int *targets, size_t n)
{
	int above = 2;

	for (size_t i = 0; i < n; i++)
		if (targets[i] > above)
			above = targets[i];
	for (size_t i = 0; i < env->n; i++) {
		struct held_session *s = &env->v[i];

		for (size_t j = 0; j < n; j++) {
			int moved;

			if (s->fd != targets[j] || !fd_is_open(s->fd))
				continue;
			/* F_DUPFD clears close-on-exec, as a passed session needs. */
			moved = fcntl(s->fd, F_DUPFD, above + 1);
			if (moved < 0)
				return -errno;
			close(s->fd);
			s->fd = moved;
			break;
		}
	}
	return 0;
}

/* Pre-7.2 kernels: the /proc link names the session, unless it is too long. */
static int verify_by_link(const struct held_session *s)
{
	char path[64], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", s->fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;
	link[n] = '\0';
	if (strncmp(link, SESSION_LINK_PREFIX, strlen(SESSION_LINK_PREFIX)) == 0) {
		if (strcmp(link + strlen(SESSION_LINK_PREFIX), s->name) == 0)
			return 0;
		log_error("%s says fd %d holds session %s, but it holds session \"%s\"",
			  SESSIONS_ENV, s->fd, name_shown(s->name),
			  link + strlen(SESSION_LINK_PREFIX));
		return LUOCTL_EXIT_FAILED;
	}
	if (strncmp(link, "anon_inode:", strlen("anon_inode:")) == 0) {
		log_error("%s says fd %d holds session %s, but it is %s", SESSIONS_ENV, s->fd,
			  name_shown(s->name), link);
		return LUOCTL_EXIT_FAILED;
	}
	/* Anything else (an emulator's socket) tells nothing: trust the entry. */
	return 0;
}

int held_session_verify(const struct held_session *s)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	int r;

	if (!fd_is_open(s->fd)) {
		log_error("session %s: %s names fd %d, which is not open (closed earlier in the chain, or %s inherited by mistake)", name_shown(s->name),
			  SESSIONS_ENV, s->fd, SESSIONS_ENV);
		return LUOCTL_EXIT_FAILED;
	}
	r = luo_get_session_name(s->fd, name);
	if (r == -EINVAL)
		return verify_by_link(s);
	if (r < 0) {
		log_error("session %s: fd %d is not a LUO session fd (%s)", name_shown(s->name),
			  s->fd, strerror(-r));
		return LUOCTL_EXIT_FAILED;
	}
	if (strcmp(name, s->name) != 0) {
		log_error("%s says fd %d holds session %s, but the kernel says %s",
			  SESSIONS_ENV, s->fd, name_shown(s->name), name_shown(name));
		return LUOCTL_EXIT_FAILED;
	}
	return 0;
}

/* ---- the device ----------------------------------------------------------- */

static bool pid_holds_device(int pid)
{
	char dir[64], path[384], link[64];
	struct dirent *e;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		/* By path, not device number: an emulator's placeholder is a plain file. */
		found = strcmp(link, LUO_DEVICE_PATH) == 0;
	}
	closedir(d);
	return found;
}

/* "PID 123 (luod)", or "" when /proc does not tell. */
static void find_device_holder(char *out, size_t size)
{
	char path[64], comm[32] = "?";
	struct dirent *e;
	DIR *d = opendir("/proc");

	out[0] = '\0';
	if (!d)
		return;
	while ((e = readdir(d))) {
		FILE *f;
		int pid;

		if (parse_fd_number(e->d_name, &pid) < 0 || pid == getpid() ||
		    !pid_holds_device(pid))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "re");
		if (f) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		snprintf(out, size, "PID %d (%s)", pid, comm);
		break;
	}
	closedir(d);
}

int session_open_device(void)
{
	char holder[96];
	int fd = luo_open_device(NULL);

	if (fd >= 0)
		return fd;
	if (fd != -EBUSY) {
		log_luo(LUO_STEP_OPEN, fd, "cannot open %s", LUO_DEVICE_PATH);
		return -LUOCTL_EXIT_UNAVAILABLE;
	}
	find_device_holder(holder, sizeof(holder));
	if (holder[0])
		log_error("cannot open %s: it is held by %s; it allows one opener at a time (%s)", LUO_DEVICE_PATH, holder, strerror(EBUSY));
	else
		log_luo(LUO_STEP_OPEN, fd, "cannot open %s", LUO_DEVICE_PATH);
	return -LUOCTL_EXIT_BUSY;
}

/* ---- arguments ------------------------------------------------------------ */

int parse_fd_arg(const char *option, const char *s, int *fd)
{
	if (parse_fd_number(s, fd) < 0) {
		log_usage("%s: \"%s\" is not an fd number", option, s);
		return LUOCTL_EXIT_USAGE;
	}
	return 0;
}

int split_pair(const char *s, bool at_last, char **left, char **right)
{
	const char *colon = at_last ? strrchr(s, ':') : strchr(s, ':');

	if (!colon)
		return -EINVAL;
	*left = strndup(s, (size_t)(colon - s));
	*right = strdup(colon + 1);
	if (!*left || !*right) {
		free(*left);
		free(*right);
		return -ENOMEM;
	}
	return 0;
}

/* ---- the program to chain-load -------------------------------------------- */

/* 0 if path is an executable regular file, else the errno execve would give. */
static int executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EACCES;
	if (access(path, X_OK) < 0)
		return errno;
	return 0;
}

/* The execvp search, done ahead of time (memcpy, not snprintf: it runs every time). */
static int search_path(const char *prog)
{
	const char *path = getenv("PATH"), *dir, *end;
	size_t plen = strlen(prog);
	int best = ENOENT;

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (dir = path; best != 0; dir = end + 1) {
		char full[PATH_MAX];
		size_t dlen;
		int err;

		end = strchrnul(dir, ':');
		dlen = (size_t)(end - dir);
		if (dlen + plen + 2 <= sizeof(full)) {
			/* An empty entry means the current directory, as for execvp. */
			memcpy(full, dlen ? dir : ".", dlen ? dlen : 1);
			dlen = dlen ? dlen : 1;
			full[dlen] = '/';
			memcpy(full + dlen + 1, prog, plen + 1);
			err = executable(full);
			/* execvp reports EACCES when a match exists but cannot run. */
			if (err == 0 || err == EACCES)
				best = err;
		}
		if (!*end)
			break;
	}
	return best;
}

int prog_check(char *const argv[])
{
	int err;

	if (!argv || !argv[0])
		return 0;
	if (!argv[0][0])
		err = ENOENT;
	else
		err = strchr(argv[0], '/') ? executable(argv[0]) : search_path(argv[0]);
	if (err == 0)
		return 0;
	log_errno(err, "cannot run \"%s\"", argv[0]);
	return err == ENOENT ? LUOCTL_EXIT_NOT_FOUND : LUOCTL_EXIT_CANNOT_EXEC;
}

/* ---- readiness ------------------------------------------------------------ */

struct ready_args ready_args;

const struct poptOption ready_options[] = {
	{ "ready-fd", '\0', POPT_ARG_STRING, &ready_args.fd, 0,
	  "write \"ready\" to fd N once every step succeeded", "N" },
	{ "ready-file", '\0', POPT_ARG_STRING, &ready_args.path, 0,
	  "create PATH once every step succeeded", "PATH" },
	POPT_TABLEEND
};

void ready_args_free(struct ready_args *args)
{
	free(args->fd);
	free(args->path);
	args->fd = NULL;
	args->path = NULL;
}

static const char ready_text[] = "ready\n";
static const char failed_text[] = "failed\n";

int ready_prepare(struct ready_signal *r, const char *fd_arg, const char *path)
{
	r->fd = -1;
	r->path = path;
	if (fd_arg) {
		int rc = parse_fd_arg("--ready-fd", fd_arg, &r->fd);

		if (rc)
			return rc;
		if (r->fd <= 2 || !fd_is_open(r->fd)) {
			log_usage("--ready-fd %d: not an open fd above 2", r->fd);
			return LUOCTL_EXIT_USAGE;
		}
		/* Closed by the exec itself: a reader sees EOF only once PROG runs. */
		fd_set_cloexec(r->fd, true);
	}
	/* A stale file from an earlier run must not look like this run's signal. */
	if (path && unlink(path) < 0 && errno != ENOENT) {
		log_errno(errno, "cannot remove the old ready file \"%s\"", path);
		return LUOCTL_EXIT_FAILED;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_ready_file(const char *path)
{
	char tmp[PATH_MAX];
	int fd, r;

	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	r = write_all(fd, ready_text, strlen(ready_text));
	if (close(fd) < 0 && r == 0)
		r = -errno;
	/* rename: a reader sees no file or the whole file, never half of it. */
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int ready_send(struct ready_signal *r)
{
	int rc;

	if (r->fd >= 0) {
		rc = write_all(r->fd, ready_text, strlen(ready_text));
		if (rc < 0) {
			log_errno(rc, "cannot write the ready signal to fd %d", r->fd);
			return LUOCTL_EXIT_FAILED;
		}
	}
	if (r->path) {
		rc = write_ready_file(r->path);
		if (rc < 0) {
			log_errno(rc, "cannot write the ready file \"%s\"", r->path);
			return LUOCTL_EXIT_FAILED;
		}
	}
	return 0;
}

void ready_revoke(struct ready_signal *r)
{
	if (r->fd >= 0)
		(void)write_all(r->fd, failed_text, strlen(failed_text));
	if (r->path)
		unlink(r->path);
}

int chain_exec(struct session_env *env, struct ready_signal *r, char *const argv[])
{
	int rc = session_env_export(env);

	if (rc < 0) {
		log_errno(rc, "cannot set %s", SESSIONS_ENV);
		return LUOCTL_EXIT_FAILED;
	}
	rc = out_end();
	if (rc < 0) {
		log_errno(rc, "cannot write to standard output");
		return LUOCTL_EXIT_FAILED;
	}
	rc = r ? ready_send(r) : 0;
	if (rc || !argv || !argv[0])
		return rc;
	rc = luoctl_exec(argv);
	if (r)
		ready_revoke(r);
	return rc;
}

/* The argv of a second parse (options after NAME); its tail is PROG until the exec. */
static char **reparsed_argv;

static bool is_option(const char *arg)
{
	return arg && arg[0] == '-' && arg[1] && strcmp(arg, "--") != 0;
}

/* Options may also follow NAME: parse what comes after it once more. */
static int parse_after_name(const struct luoctl_cmd *cmd, const struct poptOption *opts,
			    const char **rest, const char ***args)
{
	size_t n = 0;
	poptContext ctx;
	int rc;

	while (rest[n])
		n++;
	reparsed_argv = calloc(n + 2, sizeof(*reparsed_argv));
	if (!reparsed_argv) {
		log_errno(ENOMEM, "cannot parse the command line");
		return LUOCTL_EXIT_FAILED;
	}
	reparsed_argv[0] = (char *)cmd->name;
	memcpy(reparsed_argv + 1, rest, n * sizeof(*rest));
	rc = luoctl_parse(cmd, opts, (int)n + 1, reparsed_argv, &ctx);
	if (rc)
		return rc;
	*args = luoctl_args(ctx, NULL);
	poptFreeContext(ctx);
	return 0;
}

int session_parse(const struct luoctl_cmd *cmd, const struct poptOption *opts, int argc,
		  char *argv[], char *const *name_unless, const char **name, char ***prog)
{
	bool want_name;
	const char **args;
	poptContext ctx;
	int rc = luoctl_parse(cmd, opts, argc, argv, &ctx);

	if (rc)
		return rc;
	args = luoctl_args(ctx, NULL);
	poptFreeContext(ctx);
	*name = NULL;
	want_name = !name_unless || !*name_unless;
	if (want_name) {
		if (!args[0] || strcmp(args[0], "--") == 0) {
			log_usage("no session name given");
			return LUOCTL_EXIT_USAGE;
		}
		*name = *args++;
		if (is_option(args[0])) {
			rc = parse_after_name(cmd, opts, args, &args);
			if (rc)
				return rc;
		}
	}
	if (args[0] && strcmp(args[0], "--") == 0)
		args++;
	*prog = (char **)args;
	return 0;
}

void session_parse_free(void)
{
	free(reparsed_argv);
	reparsed_argv = NULL;
}

void free_argv_option(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

size_t argv_count(char **argv)
{
	size_t n = 0;

	while (argv && argv[n])
		n++;
	return n;
}
