// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain.h"
#include "luoctl.h"
#include "device.h"
#include "io.h"
#include "log.h"
#include "luo-errors.h"
#include "luo.h"
#include "output.h"
#include "util.h"

/* Names longer than this break readlink() of the session fd before 7.0.10/7.1. */
#define PROC_LINK_NAME_MAX 38
#define SESSION_LINK_PREFIX "anon_inode:[luo_session] "

const char *name_shown(const char *name)
{
	/* Two buffers: a message may show two names (session names, FDNAMEs). */
	static char bufs[2][256 * 4 + 3];
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

int session_name_length_check(const char *name)
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
	return 0;
}

int session_name_check(const char *name, bool force)
{
	size_t len = strlen(name);
	int rc = session_name_length_check(name);

	if (rc)
		return rc;
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

int session_env_load(struct session_env *env)
{
	char bad[64];
	int r = session_env_parse(env, getenv(SESSIONS_ENV), bad, sizeof(bad));

	if (r == -EINVAL) {
		log_error("malformed %s entry \"%s\" (expected FD:out:NAME or FD:in:NAME[:TOKENS])", SESSIONS_ENV, bad);
		return LUOCTL_EXIT_USAGE;
	}
	if (r < 0) {
		log_errno(r, "cannot read %s", SESSIONS_ENV);
		return LUOCTL_EXIT_FAILED;
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

/* ---- arguments ------------------------------------------------------------ */

int parse_token(const char *option, const char *arg, const char *s, uint64_t *token)
{
	int r = parse_u64(s, token);

	if (r == 0)
		return 0;
	if (r == -ERANGE)
		log_usage("%s %s: \"%s\" is not a token: it does not fit in 64 bits (at most 18446744073709551615)",
			  option, arg, s);
	else
		log_usage("%s %s: \"%s\" is not a token (a 64-bit number, decimal or 0x hex)",
			  option, arg, s);
	return LUOCTL_EXIT_USAGE;
}

int parse_fd_arg(const char *option, const char *s, int *fd)
{
	int r = parse_fd_number(s, fd);

	if (r == -ERANGE) {
		log_usage("%s: \"%s\" is out of range for an fd number (at most %d)", option, s,
			  INT_MAX);
		return LUOCTL_EXIT_USAGE;
	}
	if (r < 0) {
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

		/* Not strchrnul: one libc symbol less for the loader to bind. */
		end = strchr(dir, ':');
		if (!end)
			end = dir + strlen(dir);
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

void session_opts_free(struct session_opts *o)
{
	free_argv_option(o->fd);
	free_argv_option(o->file);
	free_argv_option(o->listen);
	free_argv_option(o->stdin_tokens);
	free(o->session_fd);
	free(o->fdname);
	free(o->ready_fd);
	free(o->ready_file);
	free(o->wait);
	/* Its strings point into the process's argv: only the array is ours. */
	free(o->reparsed);
	memset(o, 0, sizeof(*o));
}

static const char ready_text[] = "ready\n";
static const char failed_text[] = "failed\n";

/* The ready file is published by a rename in its directory: that must work. */
static int ready_file_check(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path))
			  : strdup(".");
	struct stat st;
	int err = 0;

	if (!dir) {
		log_errno(ENOMEM, "--ready-file %s", path);
		return LUOCTL_EXIT_FAILED;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		log_usage("--ready-file %s: \"%s\" is a directory; give the path of the file to create", path, path);
		free(dir);
		return LUOCTL_EXIT_USAGE;
	}
	/* errno is set by whichever of stat() and access() failed */
	if (stat(dir, &st) < 0 ||
	    (S_ISDIR(st.st_mode) && access(dir, W_OK | X_OK) < 0))
		err = errno;
	else if (!S_ISDIR(st.st_mode))
		err = ENOTDIR;
	if (err)
		log_errno(err, "--ready-file %s: cannot create files in \"%s\"", path, dir);
	free(dir);
	return err ? LUOCTL_EXIT_USAGE : 0;
}

int ready_prepare(struct ready_signal *r, const struct session_opts *o,
		  struct fd_layout *layout)
{
	r->fd = -1;
	r->path = o->ready_file;
	if (o->ready_file && !o->ready_file[0]) {
		log_usage("--ready-file: the path is empty");
		return LUOCTL_EXIT_USAGE;
	}
	if (o->ready_file) {
		int rc = ready_file_check(o->ready_file);

		if (rc)
			return rc;
	}
	if (o->ready_fd) {
		int rc = parse_fd_arg("--ready-fd", o->ready_fd, &r->fd);

		if (rc)
			return rc;
		if (r->fd <= 2 || !fd_is_open(r->fd)) {
			log_usage("--ready-fd %d: not an open fd above 2", r->fd);
			return LUOCTL_EXIT_USAGE;
		}
		if ((fcntl(r->fd, F_GETFL) & O_ACCMODE) == O_RDONLY) {
			log_usage("--ready-fd %d: fd %d is open for reading only; the signal is written to it", r->fd, r->fd);
			return LUOCTL_EXIT_USAGE;
		}
		rc = claim_fd(layout, r->fd, FD_USE_READY, "--ready-fd", "--ready-fd");
		if (rc)
			return rc;
		/* Closed by the exec itself: a reader sees EOF only once PROG runs. */
		fd_set_cloexec(r->fd, true);
	}
	return 0;
}

int ready_clear(struct ready_signal *r)
{
	/* A stale file from an earlier run must not look like this run's signal. */
	if (r->path && unlink(r->path) < 0 && errno != ENOENT) {
		log_errno(errno, "cannot remove the old ready file \"%s\"", r->path);
		return LUOCTL_EXIT_FAILED;
	}
	return 0;
}

void ready_clear_on_failure(struct ready_signal *r, int rc)
{
	if (rc && rc != LUOCTL_EXIT_USAGE && r->path)
		unlink(r->path);
}

int ready_send(struct ready_signal *r)
{
	int rc;

	if (r->fd >= 0) {
		rc = io_write_all(r->fd, ready_text, strlen(ready_text));
		if (rc < 0) {
			log_errno(rc, "cannot write the ready signal to fd %d", r->fd);
			return LUOCTL_EXIT_FAILED;
		}
	}
	if (r->path) {
		/* Published whole: a reader sees no file or all of it. */
		rc = io_publish_data(r->path, ready_text, strlen(ready_text), 0644);
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
		(void)io_write_all(r->fd, failed_text, strlen(failed_text));
	if (r->path)
		unlink(r->path);
}

/* ---- --wait --------------------------------------------------------------- */

int wait_prepare(const char *text, int *ms)
{
	int r;

	*ms = DEVICE_WAIT_DEFAULT_MS;
	if (!text)
		return 0;
	r = device_wait_parse(text, ms);
	if (r == -ERANGE) {
		log_usage("--wait: more than a day (86400 seconds) is not a bounded wait");
		return LUOCTL_EXIT_USAGE;
	}
	if (r < 0) {
		log_usage("--wait: expected a number of seconds, such as 10 or 0.5");
		return LUOCTL_EXIT_USAGE;
	}
	return 0;
}

/* ---- fd claims ------------------------------------------------------------ */

int claim_fd(struct fd_layout *l, int fd, enum fd_use use, const char *what,
	     const char *option)
{
	const struct fd_claim *other = NULL;
	int r = fd_layout_claim(l, fd, use, what, &other);

	switch (r) {
	case 0:
		return 0;
	case -EEXIST:
		log_usage("fd %d is asked for both %s and %s", fd, other->what, what);
		return LUOCTL_EXIT_USAGE;
	case -ERANGE:
		log_usage("%s %d: standard input, output and error stay as they are; use 3 or more", option, fd);
		return LUOCTL_EXIT_USAGE;
	case -EMFILE:
		log_usage("%s: fd %d is not below the open-file limit of this process (RLIMIT_NOFILE %d)", option, fd, l->limit);
		return LUOCTL_EXIT_USAGE;
	default:
		log_errno(r, "cannot plan the fd layout");
		return LUOCTL_EXIT_FAILED;
	}
}

int place_fds(const struct fd_layout *l, struct fd_move *moves, size_t n,
	      struct session_env *env)
{
	int **held = calloc(env->n + 1, sizeof(*held));
	int r;

	if (!held)
		return -ENOMEM;
	for (size_t i = 0; i < env->n; i++)
		held[i] = &env->v[i].fd;
	r = fd_layout_place(l, moves, n, held, env->n);
	free(held);
	return r;
}

/* ---- the end of the chain ------------------------------------------------- */

/* " (what was done)" for a message, or "". */
static const char *done_text(const struct chain_done *done, char *buf, size_t size)
{
	buf[0] = '\0';
	if (done)
		snprintf(buf, size, " (%s)", done->say(done->job));
	return buf;
}

int chain_exec(struct session_env *env, struct ready_signal *r, char *const argv[],
	       const struct chain_done *done)
{
	char after[2048];
	int rc;

	rc = session_env_export(env);
	if (rc < 0) {
		log_errno(rc, "cannot set %s%s", SESSIONS_ENV,
			  done_text(done, after, sizeof(after)));
		return LUOCTL_EXIT_FAILED;
	}
	rc = out_end();
	if (rc < 0) {
		log_errno(rc, "cannot write the report to standard output%s",
			  done_text(done, after, sizeof(after)));
		return LUOCTL_EXIT_FAILED;
	}
	rc = r ? ready_send(r) : 0;
	if (rc || !argv || !argv[0])
		return rc;
	rc = luoctl_exec(argv);
	log_errno(rc, "cannot run \"%s\"%s", argv[0],
		  done_text(done, after, sizeof(after)));
	rc = rc == -ENOENT ? LUOCTL_EXIT_NOT_FOUND : LUOCTL_EXIT_CANNOT_EXEC;
	if (r)
		ready_revoke(r);
	return rc;
}

static bool is_option(const char *arg)
{
	return arg && arg[0] == '-' && arg[1] && strcmp(arg, "--") != 0;
}

/* Options may also follow NAME: parse what comes after it once more. */
static int parse_after_name(const struct luoctl_cmd *cmd, const struct poptOption *opts,
			    struct session_opts *o, const char **rest, const char ***args)
{
	size_t n = 0;

	while (rest[n])
		n++;
	o->reparsed = calloc(n + 2, sizeof(*o->reparsed));
	if (!o->reparsed) {
		log_errno(ENOMEM, "cannot parse the command line");
		return LUOCTL_EXIT_FAILED;
	}
	o->reparsed[0] = (char *)cmd->name;
	memcpy(o->reparsed + 1, rest, n * sizeof(*rest));
	return luoctl_parse_args(cmd, opts, (int)n + 1, o->reparsed, args);
}

int session_parse(const struct luoctl_cmd *cmd, const struct poptOption *opts, int argc,
		  char *argv[], struct session_opts *o, char *const *name_unless,
		  const char **name, char ***prog)
{
	bool want_name;
	const char **args;
	int rc = luoctl_parse_args(cmd, opts, argc, argv, &args);

	if (rc)
		return rc;
	*name = NULL;
	want_name = !name_unless || !*name_unless;
	if (want_name) {
		if (!args[0] || strcmp(args[0], "--") == 0) {
			log_usage("no session name given");
			return LUOCTL_EXIT_USAGE;
		}
		*name = *args++;
		if (is_option(args[0])) {
			rc = parse_after_name(cmd, opts, o, args, &args);
			if (rc)
				return rc;
		}
	}
	if (args[0] && strcmp(args[0], "--") == 0)
		args++;
	*prog = (char **)args;
	return 0;
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
