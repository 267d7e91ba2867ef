// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luoctl list: the sessions held on this machine now, found the only way LUO
 * allows (it has no call to list them): every held session is an open fd, and
 * on the real kernel its /proc/PID/fd link reads "anon_inode:[luo_session]
 * NAME". Under luosim a session fd is a socket whose link the kernel writes
 * ("socket:[INO]"); faking the link would mean trapping every readlink of
 * /proc, so luosim publishes its session table instead
 * (/sys/kernel/debug/luosim/sessions: kind, socket inode, state, name) and the
 * same /proc scan resolves the socket links through it. Where the holder is a
 * luoctl chain its LUOCTL_SESSIONS adds the kind and retrieved tokens.
 * Incoming sessions nobody retrieved have no fd: only luosim can tell them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "luoctl.h"
#include "output.h"
#include "procscan.h"
#include "session-env.h"
#include "sysinfo.h"

#define SIM_SESSIONS "/sys/kernel/debug/luosim/sessions"

struct row {
	pid_t pid;
	int fd;
	char name[SESSION_NAME_MAX];
	int kind;			/* 1 incoming, 0 outgoing, -1 unknown */
	char comm[64];
	char cmdline[256];
	/* the holder's LUOCTL_SESSIONS entry, or NULL */
	const struct held_session *env;
};

struct holder_env {
	pid_t pid;
	struct session_env env;
};

struct scan {
	const char *proc;
	pid_t self;			/* luoctl list itself (may inherit sessions) */
	struct sim_session *sim;
	size_t nsim;
	struct row *rows;
	size_t nrows;
	int err;
};

static const struct sim_session *sim_by_inode(const struct scan *s, uint64_t ino)
{
	for (size_t i = 0; i < s->nsim; i++)
		if (s->sim[i].ino == ino)
			return &s->sim[i];
	return NULL;
}

static int found_fd(pid_t pid, int fd, const char *link, void *arg)
{
	struct scan *s = arg;
	const struct sim_session *sim = NULL;
	char name[SESSION_NAME_MAX];
	struct row *nr, *r;
	uint64_t ino;

	if (pid == s->self)
		return 0;
	if (session_link_name(link, name, sizeof(name)) != 1) {
		if (!s->nsim || socket_link_inode(link, &ino) != 1 ||
		    !(sim = sim_by_inode(s, ino)))
			return 0;
		snprintf(name, sizeof(name), "%s", sim->name);
	}
	nr = realloc(s->rows, (s->nrows + 1) * sizeof(*nr));
	if (!nr) {
		s->err = -ENOMEM;
		return 1;
	}
	s->rows = nr;
	r = &s->rows[s->nrows++];
	memset(r, 0, sizeof(*r));
	r->pid = pid;
	r->fd = fd;
	r->kind = sim ? sim->incoming : -1;
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->comm, sizeof(r->comm), "?");
	proc_read_comm(s->proc, pid, r->comm, sizeof(r->comm));
	proc_read_cmdline(s->proc, pid, r->cmdline, sizeof(r->cmdline));
	return 0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->fd - y->fd;
}

/* Each holder's LUOCTL_SESSIONS, read once per process. */
static struct holder_env *load_envs(struct scan *s, size_t *nenv)
{
	struct holder_env *envs = calloc(s->nrows + 1, sizeof(*envs));

	*nenv = 0;
	for (size_t i = 0; envs && i < s->nrows; i++) {
		struct row *r = &s->rows[i];
		struct holder_env *h = NULL;
		char *value;

		for (size_t j = 0; j < *nenv && !h; j++)
			if (envs[j].pid == r->pid)
				h = &envs[j];
		if (!h) {
			h = &envs[(*nenv)++];
			h->pid = r->pid;
			if (proc_read_environ_var(s->proc, r->pid, "LUOCTL_SESSIONS", &value) == 0) {
				/* A malformed value (not luoctl's) adds nothing. */
				(void)session_env_parse(&h->env, value, NULL, 0);
				free(value);
			}
		}
		for (size_t j = 0; j < h->env.n; j++)
			if (h->env.v[j].fd == r->fd && strcmp(h->env.v[j].name, r->name) == 0) {
				r->env = &h->env.v[j];
				if (r->kind < 0)
					r->kind = h->env.v[j].incoming;
			}
	}
	return envs;
}

/* Names are bytes: printable ones as they are, the rest as \xHH. */
static const char *shown(const char *name, char *buf, size_t len)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p && n + 5 < len; p++)
		n += snprintf(buf + n, len - n, isprint(*p) && *p != '\\' ? "%c" : "\\x%02x", *p);
	buf[n] = '\0';
	return buf;
}

static void print_tokens(const struct row *r)
{
	char text[512] = "-";
	size_t n = 0;

	if (!r->env || !r->env->incoming) {
		out_null(PRINT_JSON, "tokens", NULL);
		out_text(" %s\n", text);
		return;
	}
	out_open_array("tokens");
	for (size_t i = 0; i < r->env->ntokens; i++) {
		out_u64(PRINT_JSON, NULL, NULL, r->env->tokens[i]);
		n += snprintf(text + n, n < sizeof(text) ? sizeof(text) - n : 0, "%s%llu",
			      i ? "," : "", (unsigned long long)r->env->tokens[i]);
	}
	if (n >= sizeof(text))
		snprintf(text + sizeof(text) - 5, 5, ",...");
	out_close_array();
	out_text(" %s\n", n ? text : "-");
}

static void print_row(const struct row *r)
{
	char buf[4 * SESSION_NAME_MAX + 1];

	out_open_object(NULL);
	out_string(PRINT_JSON, "name", NULL, r->name);
	out_text("%-20s", shown(r->name, buf, sizeof(buf)));
	if (r->kind < 0)
		out_null(PRINT_ANY, "kind", " ?   ");
	else
		out_string(PRINT_ANY, "kind", " %-4s", r->kind ? "in" : "out");
	out_i64(PRINT_ANY, "pid", " %7lld", r->pid);
	out_i64(PRINT_ANY, "fd", " %4lld", r->fd);
	out_string(PRINT_ANY, "command", " %-16s", r->comm);
	out_string(PRINT_JSON, "cmdline", NULL, r->cmdline);
	print_tokens(r);
	out_close_object();
}

static void print_incoming(const struct scan *s, bool known)
{
	char buf[4 * SESSION_NAME_MAX + 1];
	size_t n = 0;

	if (!known) {
		out_null(PRINT_JSON, "incoming_unclaimed", NULL);
		out_text("\nincoming sessions not retrieved: cannot be known on this kernel (LUO lists none; try luoctl retrieve NAME)\n");
		return;
	}
	out_open_array("incoming_unclaimed");
	out_text("\nincoming sessions not retrieved:");
	for (size_t i = 0; i < s->nsim; i++) {
		if (!s->sim[i].incoming || strcmp(s->sim[i].state, "unclaimed") != 0)
			continue;
		out_string(PRINT_JSON, NULL, NULL, s->sim[i].name);
		out_text(" %s", shown(s->sim[i].name, buf, sizeof(buf)));
		n++;
	}
	out_text("%s\n", n ? "" : " none");
	out_close_array();
}

static void print_list(const struct scan *s, bool sim_known, unsigned int denied)
{
	out_open_object(NULL);
	out_text("%-20s %-4s %7s %4s %-16s %s\n", "NAME", "KIND", "PID", "FD", "COMMAND",
		 "TOKENS");
	out_open_array("sessions");
	for (size_t i = 0; i < s->nrows; i++)
		print_row(&s->rows[i]);
	out_close_array();
	out_u64(PRINT_JSON, "processes_unreadable", NULL, denied);
	print_incoming(s, sim_known);
	out_close_object();
}

static int load_sim(struct scan *s, const char *root)
{
	char path[4096], *text;
	size_t len;
	int err;

	snprintf(path, sizeof(path), "%s%s", root, SIM_SESSIONS);
	err = read_file_all(path, 1 << 22, &text, &len);
	if (err)
		return err;
	err = sim_sessions_parse(text, &s->sim, &s->nsim);
	free(text);
	return err;
}

static char *opt_root;

static const struct poptOption list_options[] = {
	{ "root", 'r', POPT_ARG_STRING, &opt_root, 0, "read /proc and /sys under DIR", "DIR" },
	POPT_TABLEEND
};

static int list_sessions(const char *root)
{
	char proc[4096];
	/* Under --root the PIDs are the tree's, not this machine's. */
	struct scan s = { .proc = proc, .self = root[0] ? 0 : getpid() };
	struct proc_scan_stats st;
	struct holder_env *envs;
	size_t nenv;
	bool sim_known;
	int err;

	snprintf(proc, sizeof(proc), "%s/proc", root);
	err = load_sim(&s, root);
	if (err && err != -ENOENT)
		log_errno(err, "cannot read luosim's session table %s", SIM_SESSIONS);
	sim_known = err == 0;
	err = proc_scan_fds(proc, found_fd, &s, &st);
	if (!err)
		err = s.err;
	if (err) {
		log_errno(err, "cannot scan %s", proc);
		free(s.rows);
		free(s.sim);
		return LUOCTL_EXIT_FAILED;
	}
	if (st.denied)
		log_warning("the open files of %u of %u processes could not be read: their sessions are not listed (run as root)",
			    st.denied, st.procs);
	if (s.nrows)
		qsort(s.rows, s.nrows, sizeof(*s.rows), row_cmp);
	envs = load_envs(&s, &nenv);
	out_begin(luoctl_json, luoctl_pretty);
	print_list(&s, sim_known, st.denied);
	err = out_end();
	for (size_t i = 0; envs && i < nenv; i++)
		session_env_free(&envs[i].env);
	free(envs);
	free(s.rows);
	free(s.sim);
	if (err) {
		log_errno(err, "cannot write to standard output");
		return LUOCTL_EXIT_FAILED;
	}
	return 0;
}

static int run_list(const struct luoctl_cmd *cmd, int argc, char *argv[])
{
	const char **args;
	int rc = luoctl_parse_args(cmd, list_options, argc, argv, &args);
	size_t n;

	if (rc)
		return rc;
	rc = cli_no_arguments(cmd, args);
	if (rc == 0 && opt_root)
		rc = cli_check_dir_option("--root", opt_root);
	if (rc)
		return rc;
	n = opt_root ? strlen(opt_root) : 0;
	while (n > 0 && opt_root[n - 1] == '/')
		opt_root[--n] = '\0';
	return list_sessions(opt_root ? opt_root : "");
}

const struct luoctl_cmd cmd_list = {
	CMD_LIST_INFO,
	.run = run_list,
};
