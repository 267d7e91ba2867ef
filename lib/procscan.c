// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /proc scans, their parsers and libkmod lookups: see procscan.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlopen-libs.h"
#include "procscan.h"
#include "sysinfo.h"
#include "util.h"

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int scan_one(const char *proc, pid_t pid, proc_fd_fn fn, void *arg, bool *denied)
{
	char path[4096], link[4096];
	struct dirent *de;
	DIR *d;
	int stop = 0;

	snprintf(path, sizeof(path), "%s/%d/fd", proc, (int)pid);
	d = opendir(path);
	if (!d) {
		*denied = errno == EACCES || errno == EPERM;
		return 0;
	}
	while (!stop && (de = readdir(d)) != NULL) {
		char fdpath[4096 + 300];
		ssize_t n;

		if (!all_digits(de->d_name))
			continue;
		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, de->d_name);
		n = readlink(fdpath, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		stop = fn(pid, atoi(de->d_name), link, arg);
	}
	closedir(d);
	return stop;
}

int proc_scan_fds(const char *proc, proc_fd_fn fn, void *arg, struct proc_scan_stats *st)
{
	struct dirent *de;
	DIR *d = opendir(proc);

	memset(st, 0, sizeof(*st));
	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		bool denied = false;

		if (!all_digits(de->d_name))
			continue;
		st->procs++;
		if (scan_one(proc, (pid_t)atoi(de->d_name), fn, arg, &denied))
			break;
		if (denied)
			st->denied++;
	}
	closedir(d);
	return 0;
}

static int read_proc_file(const char *proc, pid_t pid, const char *what, char **buf,
			  size_t *len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%d/%s", proc, (int)pid, what);
	return read_file_all(path, 1 << 20, buf, len);
}

int proc_read_comm(const char *proc, pid_t pid, char *buf, size_t len)
{
	char *b;
	size_t n;
	int err = read_proc_file(proc, pid, "comm", &b, &n);

	if (err)
		return err;
	while (n && b[n - 1] == '\n')
		b[--n] = '\0';
	snprintf(buf, len, "%s", b);
	free(b);
	return 0;
}

int proc_read_cmdline(const char *proc, pid_t pid, char *buf, size_t len)
{
	char *b;
	size_t n;
	int err = read_proc_file(proc, pid, "cmdline", &b, &n);

	if (err)
		return err;
	while (n && b[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		if (b[i] == '\0')
			b[i] = ' ';
	b[n] = '\0';
	snprintf(buf, len, "%s", b);
	free(b);
	return 0;
}

int proc_read_environ_var(const char *proc, pid_t pid, const char *var, char **value)
{
	size_t vlen = strlen(var), n;
	char *b;
	int err = read_proc_file(proc, pid, "environ", &b, &n);

	if (err)
		return err;
	err = -ENOENT;
	for (size_t i = 0; i < n; i += strlen(b + i) + 1) {
		if (strncmp(b + i, var, vlen) == 0 && b[i + vlen] == '=') {
			*value = strdup(b + i + vlen + 1);
			err = *value ? 0 : -ENOMEM;
			break;
		}
	}
	free(b);
	return err;
}

int session_link_name(const char *link, char *name, size_t len)
{
	static const char pre[] = "anon_inode:[luo_session] ";

	if (strncmp(link, pre, sizeof(pre) - 1) != 0)
		return 0;
	snprintf(name, len, "%s", link + sizeof(pre) - 1);
	return 1;
}

int socket_link_inode(const char *link, uint64_t *ino)
{
	char *end;

	if (strncmp(link, "socket:[", 8) != 0 || !isdigit((unsigned char)link[8]))
		return 0;
	errno = 0;
	*ino = strtoull(link + 8, &end, 10);
	return errno == 0 && strcmp(end, "]") == 0;
}

static int parse_sim_line(char *line, struct sim_session *s)
{
	char kind[8], ino[24], state[16], name[3 * SESSION_NAME_MAX + 1];

	memset(s, 0, sizeof(*s));
	if (sscanf(line, "%7s %23s %15s %192s", kind, ino, state, name) != 4)
		return -EINVAL;
	if (strcmp(kind, "in") != 0 && strcmp(kind, "out") != 0)
		return -EINVAL;
	s->incoming = strcmp(kind, "in") == 0;
	if (strcmp(ino, "-") != 0 && parse_u64(ino, &s->ino) < 0)
		return -EINVAL;
	snprintf(s->state, sizeof(s->state), "%s", state);
	return name_decode(name, strlen(name), s->name, sizeof(s->name));
}

int sim_sessions_parse(const char *text, struct sim_session **v, size_t *n)
{
	char *copy = strdup(text), *save = NULL;
	struct sim_session *arr = NULL;
	int err = copy ? 0 : -ENOMEM;

	*n = 0;
	for (char *l = copy ? strtok_r(copy, "\n", &save) : NULL; l && !err;
	     l = strtok_r(NULL, "\n", &save)) {
		struct sim_session *na;

		if (l[0] == '#')
			continue;
		na = realloc(arr, (*n + 1) * sizeof(*arr));
		if (!na) {
			err = -ENOMEM;
			break;
		}
		arr = na;
		err = parse_sim_line(l, &arr[*n]);
		if (!err)
			(*n)++;
	}
	free(copy);
	if (err) {
		free(arr);
		*n = 0;
		return err;
	}
	*v = arr;
	return 0;
}

/* ---- libkmod ------------------------------------------------------------ */

const char *mod_state_name(enum mod_state s)
{
	return s == MOD_BUILTIN ? "built-in" : s == MOD_MODULE ? "module" : "missing";
}

/* libkmod logs to stderr by default; library code must stay quiet. */
static void kmod_quiet(void *data, int priority, const char *file, int line,
		       const char *fn, const char *format, va_list args)
{
	(void)data, (void)priority, (void)file, (void)line, (void)fn, (void)format;
	(void)args;
}

int kmod_state(const char *moddir, const char *name, enum mod_state *st)
{
	/* No modprobe.d: the answer is the tree's, not this host's configuration. */
	static const char *const no_config[] = { NULL };
	struct kmod_list *list = NULL, *l;
	struct kmod_ctx *ctx;
	char path[4096];
	int err;

	*st = MOD_MISSING;
	snprintf(path, sizeof(path), "%s/modules.dep.bin", moddir);
	if (access(path, R_OK) < 0)
		return -errno;
	err = dlopen_libkmod();
	if (err)
		return err;
	ctx = sym_kmod_new(moddir, no_config);
	if (!ctx)
		return -ENOMEM;
	sym_kmod_set_log_fn(ctx, kmod_quiet, NULL);
	err = sym_kmod_module_new_from_lookup(ctx, name, &list);
	/* kmod_list_foreach, through the loaded kmod_list_next */
	for (l = list; l; l = sym_kmod_list_next(list, l)) {
		struct kmod_module *mod = sym_kmod_module_get_module(l);

		/* For an index's module, initstate says BUILTIN or reads /sys. */
		if (sym_kmod_module_get_initstate(mod) == KMOD_MODULE_BUILTIN)
			*st = MOD_BUILTIN;
		else if (*st == MOD_MISSING && sym_kmod_module_get_path(mod))
			*st = MOD_MODULE;
		sym_kmod_module_unref(mod);
	}
	sym_kmod_module_unref_list(list);
	sym_kmod_unref(ctx);
	return err < 0 ? err : 0;
}
