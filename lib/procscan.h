// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Who holds what: the /proc scans behind `luoctl check` (holders of
 * /dev/liveupdate) and `luoctl list` (held sessions), the parsers for what
 * they read, and libkmod lookups in another kernel's module tree. All return
 * 0 or -errno and never print.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SESSION_NAME_MAX 64	/* LIVEUPDATE_SESSION_NAME_LENGTH, NUL included */

/*
 * Called for each open fd of each process under PROC (e.g. "/proc" or
 * "ROOT/proc") with its /proc link text. Return non-zero to stop the scan.
 */
typedef int (*proc_fd_fn)(pid_t pid, int fd, const char *link, void *arg);

struct proc_scan_stats {
	unsigned int procs;	/* processes seen */
	unsigned int denied;	/* processes whose fds were unreadable */
};

int proc_scan_fds(const char *proc, proc_fd_fn fn, void *arg, struct proc_scan_stats *st);

/* /proc/PID/comm without its newline. */
int proc_read_comm(const char *proc, pid_t pid, char *buf, size_t len);
/* /proc/PID/cmdline with spaces between the arguments, cut at len. */
int proc_read_cmdline(const char *proc, pid_t pid, char *buf, size_t len);
/* The value of VAR in /proc/PID/environ (malloc'd), -ENOENT if unset. */
int proc_read_environ_var(const char *proc, pid_t pid, const char *var, char **value);

/*
 * A session's /proc fd link, "anon_inode:[luo_session] NAME" on the real
 * kernel (kernel/liveupdate/luo_session.c). 1 with name set, 0 if not one.
 */
int session_link_name(const char *link, char *name, size_t len);
/* "socket:[INO]" (luosim's session objects). 1 with *ino set, 0 if not one. */
int socket_link_inode(const char *link, uint64_t *ino);

/*
 * luosim's session table (/sys/kernel/debug/luosim/sessions), one line per
 * session: "KIND INO STATE NAME", KIND out|in, INO the socket inode the tree
 * holds ("-" if none), STATE held|unclaimed|retrieved|finished, NAME
 * percent-encoded as in LUOCTL_SESSIONS.
 */
struct sim_session {
	bool incoming;
	uint64_t ino;		/* 0: no fd held */
	char state[16];
	char name[SESSION_NAME_MAX];
};

int sim_sessions_parse(const char *text, struct sim_session **v, size_t *n);

/* ---- modules of another kernel (libkmod) --------------------------------- */

enum mod_state { MOD_MISSING, MOD_BUILTIN, MOD_MODULE };

const char *mod_state_name(enum mod_state s);

/*
 * How kernel MODDIR (".../lib/modules/RELEASE") provides NAME (a module name
 * or alias): built in, as a loadable module, or not at all, through libkmod's
 * indexes of that tree (modules.dep.bin, modules.builtin.bin, modules.alias.bin).
 * -ENOENT if MODDIR has no module index; libkmod is loaded on the first call
 * (dlopen_libkmod(): -ELIBACC or -ELIBBAD when it cannot be).
 */
int kmod_state(const char *moddir, const char *name, enum mod_state *st);
