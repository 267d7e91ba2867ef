// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luoctl check: is this machine ready for a live update, and (--next) can the
 * kernel it will kexec into take over what this one hands over. Every check
 * gives a verdict and, when it fails, the fix. Facts come from files only
 * (/proc, /sys, /boot, /lib/modules, /dev, all under --root): check never
 * opens /dev/liveupdate (that would take it from its user) and never loads a
 * kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "check.h"
#include "log.h"
#include "luoctl.h"
#include "output.h"
#include "procscan.h"

#define DEV_PATH "/dev/liveupdate"
#define KHO_DIR	 "/sys/kernel/debug/kho"
#define SIM_SESSIONS "/sys/kernel/debug/luosim/sessions"

/* ---- the list of verdicts ------------------------------------------------ */

static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

void check_add(struct check_list *l, const char *id, enum check_status st,
	       const char *value, const char *detail, ...)
{
	struct check_item *nv = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	struct check_item *it;
	va_list ap;

	if (!nv) {
		l->oom = true;
		return;
	}
	l->v = nv;
	it = &l->v[l->n++];
	memset(it, 0, sizeof(*it));
	snprintf(it->id, sizeof(it->id), "%s", id);
	it->status = st;
	it->value = value ? strdup(value) : NULL;
	va_start(ap, detail);
	it->detail = vformat(detail, ap);
	va_end(ap);
	if ((value && !it->value) || !it->detail)
		l->oom = true;
}

void check_fix(struct check_list *l, const char *fmt, ...)
{
	va_list ap;

	if (!l->n)
		return;
	va_start(ap, fmt);
	free(l->v[l->n - 1].fix);
	l->v[l->n - 1].fix = vformat(fmt, ap);
	va_end(ap);
}

bool check_lib(struct check_list *l, enum dlopen_lib lib)
{
	char id[48];
	int err = dlopen_lib(lib);

	if (!err)
		return true;
	snprintf(id, sizeof(id), "library.%s", dlopen_soname(lib));
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].id, id) == 0)
			return false;
	check_add(l, id, CHECK_WARN, NULL, "cannot load %s: %s", dlopen_soname(lib),
		  dlopen_error(lib));
	check_fix(l, "install %s", dlopen_package(lib));
	return false;
}

bool check_lib_failed(struct check_list *l, enum dlopen_lib lib, int err)
{
	return (err == -ELIBACC || err == -ELIBBAD) && !check_lib(l, lib);
}

static void check_list_free(struct check_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].value);
		free(l->v[i].detail);
		free(l->v[i].fix);
	}
	free(l->v);
}

const char *check_path(const struct check_ctx *c, char *buf, size_t len, const char *path)
{
	snprintf(buf, len, "%s%s", c->root, path);
	return buf;
}

/* ---- Kconfig ------------------------------------------------------------ */

static const struct {
	const char *sym;
	enum check_status missing_now, missing_next;
	const char *why;
} kconfig_syms[] = {
	{ "KEXEC_HANDOVER", CHECK_FAIL, CHECK_FAIL, "Kexec HandOver, the base of LUO" },
	{ "LIVEUPDATE", CHECK_FAIL, CHECK_FAIL, "the Live Update Orchestrator, /dev/liveupdate" },
	{ "LIVEUPDATE_MEMFD", CHECK_FAIL, CHECK_FAIL, "preserving memfds" },
	{ "KEXEC_FILE", CHECK_FAIL, CHECK_WARN,
	  "kexec_file_load, the only kexec that carries the hand-over" },
	{ "KEXEC_HANDOVER_DEBUGFS", CHECK_WARN, CHECK_WARN,
	  "the hand-over in debugfs (luoctl dump)" },
	{ "KEXEC_HANDOVER_ENABLE_DEFAULT", CHECK_INFO, CHECK_INFO,
	  "KHO on without kho=on" },
};

static const char *kconfig_state_text(enum kconfig_state st)
{
	switch (st) {
	case KCONFIG_YES: return "y";
	case KCONFIG_MODULE: return "m";
	case KCONFIG_VALUE: return "set";
	case KCONFIG_NO: return "n";
	default: return "absent";
	}
}

void check_kconfig(struct check_list *l, const char *prefix, const char *text, size_t len,
		   bool next)
{
	for (size_t i = 0; i < sizeof(kconfig_syms) / sizeof(kconfig_syms[0]); i++) {
		const char *sym = kconfig_syms[i].sym;
		enum kconfig_state st = kconfig_get(text, len, sym);
		enum check_status miss = next ? kconfig_syms[i].missing_next :
						kconfig_syms[i].missing_now;
		bool on = st == KCONFIG_YES;
		char id[48];

		snprintf(id, sizeof(id), "%sconfig.%s", prefix, sym);
		check_add(l, id, on ? CHECK_OK : miss, kconfig_state_text(st), "CONFIG_%s%s: %s",
			  sym, on ? "=y" : st == KCONFIG_ABSENT ? " is not in the configuration" :
				   " is not set", kconfig_syms[i].why);
		if (!on && miss != CHECK_INFO)
			check_fix(l, "build %s kernel with CONFIG_%s=y",
				  next ? "the next" : "a", sym);
	}
}

/* The running kernel's config: /proc/config.gz, else /boot/config-RELEASE. */
static int read_running_config(struct check_list *l, const struct check_ctx *c,
			       char **text, size_t *len, char *from, size_t fromlen)
{
	char path[4096], *gz;
	size_t gzlen;
	int err;

	snprintf(from, fromlen, "/proc/config.gz");
	err = read_file_all(check_path(c, path, sizeof(path), "/proc/config.gz"), 16 << 20,
			    &gz, &gzlen);
	if (!err) {
		err = gunzip_buf(gz, gzlen, 64 << 20, text, len);
		check_lib_failed(l, DLOPEN_ZLIB, err);
		free(gz);
		if (!err)
			return 0;
	}
	snprintf(from, fromlen, "/boot/config-%s", c->release);
	check_path(c, path, sizeof(path), from);
	return read_file_all(path, 64 << 20, text, len);
}

static void check_running_config(struct check_list *l, const struct check_ctx *c,
				 enum kconfig_state *enable_default)
{
	char from[256], *text = NULL;
	size_t len;
	int err = read_running_config(l, c, &text, &len, from, sizeof(from));

	*enable_default = KCONFIG_ABSENT;
	if (!err && !kconfig_plausible(text, len))
		err = -EINVAL;
	if (err) {
		check_add(l, "config", CHECK_UNKNOWN, NULL,
			  "cannot read the kernel configuration: /proc/config.gz and /boot/config-%s: %s",
			  c->release, strerror(-err));
		check_fix(l, "load the configs module (CONFIG_IKCONFIG_PROC) or install /boot/config-%s",
			  c->release);
		free(text);
		return;
	}
	check_add(l, "config", CHECK_INFO, from, "kernel configuration read from %s", from);
	check_kconfig(l, "", text, len, false);
	*enable_default = kconfig_get(text, len, "KEXEC_HANDOVER_ENABLE_DEFAULT");
	free(text);
}

/* ---- command line ------------------------------------------------------- */

static void check_cmdline_bool(struct check_list *l, const char *cmdline,
			       const char *param, bool on_by_default, const char *why)
{
	char val[64], id[48];
	bool on = on_by_default;
	int found = cmdline_get(cmdline, param, val, sizeof(val));

	snprintf(id, sizeof(id), "cmdline.%s", param);
	if (found && kstrtobool_text(val, &on) < 0) {
		check_add(l, id, CHECK_FAIL, val, "%s=%s is not a boolean: the kernel ignores it",
			  param, val);
		check_fix(l, "boot with %s=on", param);
		return;
	}
	if (on) {
		check_add(l, id, CHECK_OK, found ? val : NULL, "%s %s", why,
			  found ? "enabled on the command line" : "enabled by default");
		return;
	}
	check_add(l, id, CHECK_FAIL, found ? val : NULL, "%s: %s", why,
		  found ? "disabled on the command line" : "not enabled on the command line");
	check_fix(l, "boot with %s=on on the kernel command line", param);
}

static void check_cmdline(struct check_list *l, const struct check_ctx *c,
			  enum kconfig_state enable_default)
{
	char path[4096], *cmdline;
	size_t len;
	int err = read_file_all(check_path(c, path, sizeof(path), "/proc/cmdline"), 1 << 16,
				&cmdline, &len);

	if (err) {
		check_add(l, "cmdline", CHECK_UNKNOWN, NULL, "cannot read /proc/cmdline: %s",
			  strerror(-err));
		return;
	}
	cmdline[strcspn(cmdline, "\n")] = '\0';
	check_cmdline_bool(l, cmdline, "kho", enable_default == KCONFIG_YES, "KHO");
	check_cmdline_bool(l, cmdline, "liveupdate", false, "LUO");
	free(cmdline);
}

/* ---- /dev/liveupdate ------------------------------------------------------ */

struct holders {
	struct check_list *l;
	const struct check_ctx *c;
	unsigned int n;
};

static int holder_found(pid_t pid, int fd, const char *link, void *arg)
{
	struct holders *h = arg;
	char comm[64] = "?", proc[4096];

	if (strcmp(link, DEV_PATH) != 0)
		return 0;
	proc_read_comm(check_path(h->c, proc, sizeof(proc), "/proc"), pid, comm, sizeof(comm));
	h->n++;
	check_add(h->l, "device.holder", CHECK_FAIL, comm,
		  "%s is open in PID %d (%s), fd %d: LUO admits one user at a time", DEV_PATH,
		  (int)pid, comm, fd);
	check_fix(h->l, "let PID %d finish or stop it (systemd v261+, luod and luoctl chains hold the device while they work)",
		  (int)pid);
	return 0;
}

static void check_holders(struct check_list *l, const struct check_ctx *c)
{
	struct holders h = { l, c, 0 };
	struct proc_scan_stats st;
	char proc[4096];
	int err = proc_scan_fds(check_path(c, proc, sizeof(proc), "/proc"), holder_found, &h,
				&st);

	if (err) {
		check_add(l, "device.holder", CHECK_UNKNOWN, NULL, "cannot scan /proc: %s",
			  strerror(-err));
		return;
	}
	if (h.n)
		return;
	if (st.denied) {
		check_add(l, "device.holder", CHECK_UNKNOWN, NULL,
			  "%s is not open in the processes readable here; the open files of %u of %u processes could not be read",
			  DEV_PATH, st.denied, st.procs);
		check_fix(l, "run luoctl check as root");
		return;
	}
	check_add(l, "device.holder", CHECK_OK, NULL, "%s is not open in any process", DEV_PATH);
}

static void check_device(struct check_list *l, const struct check_ctx *c)
{
	char path[4096], mode[32];
	struct stat st;

	check_path(c, path, sizeof(path), DEV_PATH);
	if (stat(path, &st) < 0) {
		int err = errno;

		check_add(l, "device", err == ENOENT ? CHECK_FAIL : CHECK_UNKNOWN, NULL,
			  "%s: %s", DEV_PATH, strerror(err));
		if (err == ENOENT)
			check_fix(l, "run a kernel with CONFIG_LIVEUPDATE booted with liveupdate=on (see above)");
		return;
	}
	snprintf(mode, sizeof(mode), "%04o", (unsigned int)(st.st_mode & 07777));
	if (c->luosim)
		check_add(l, "device", CHECK_OK, mode, "%s is luosim's emulated device, usable",
			  DEV_PATH);
	else if (S_ISCHR(st.st_mode))
		check_add(l, "device", CHECK_OK, mode,
			  "%s: character device %u:%u, mode %04o, owner %u:%u", DEV_PATH,
			  major(st.st_rdev), minor(st.st_rdev),
			  (unsigned int)(st.st_mode & 07777), (unsigned int)st.st_uid,
			  (unsigned int)st.st_gid);
	else
		check_add(l, "device", CHECK_FAIL, mode, "%s is not a character device", DEV_PATH);
	if (faccessat(AT_FDCWD, path, R_OK | W_OK, AT_EACCESS) == 0)
		check_add(l, "device.access", CHECK_OK, NULL, "this user may open %s", DEV_PATH);
	else
		check_add(l, "device.access", CHECK_WARN, NULL,
			  "this user may not open %s (mode %04o, owner %u:%u)", DEV_PATH,
			  (unsigned int)(st.st_mode & 07777), (unsigned int)st.st_uid,
			  (unsigned int)st.st_gid);
	check_holders(l, c);
}

/* ---- KHO debugfs and the hand-over -------------------------------------- */

static int read_small(const struct check_ctx *c, const char *rel, char **buf, size_t *len)
{
	char path[4096];

	return read_file_all(check_path(c, path, sizeof(path), rel), 1 << 20, buf, len);
}

/* This boot's liveupdate number from the outgoing LUO blob (struct or FDT). */
static int luo_number(const char *buf, size_t len, unsigned long long *num)
{
	if (len >= 8 && strncmp(buf, "luo-v", 5) == 0) {
		size_t off = (strnlen(buf, len) + 1 + 7) & ~(size_t)7;
		unsigned long long v = 0;

		if (off + 8 > len)
			return -EINVAL;
		for (int i = 7; i >= 0; i--)
			v = v << 8 | (unsigned char)buf[off + i];
		*num = v;
		return 0;
	}
	if (len >= 40 && sym_fdt_check_full(buf, len) == 0) {
		int plen;
		const unsigned char *p =
			sym_fdt_getprop(buf, 0, "liveupdate-number", &plen);
		unsigned long long v = 0;

		if (!p || plen != 8)
			return -EINVAL;
		for (int i = 7; i >= 0; i--)
			v = v << 8 | p[i];
		*num = v;
		return 0;
	}
	return -EINVAL;
}

static void check_incoming(struct check_list *l, const struct check_ctx *c)
{
	char *buf;
	size_t len;
	struct stat st;
	char path[4096];
	unsigned long long num;

	if (stat(check_path(c, path, sizeof(path), KHO_DIR "/in"), &st) < 0) {
		check_add(l, "kho.incoming", CHECK_INFO, "none",
			  "no incoming hand-over: a cold boot, or a kexec that carried none");
	} else if (read_small(c, KHO_DIR "/in/sub_fdts/kexec-metadata", &buf, &len) == 0) {
		/* u32 version, char previous_release[65], u32 kexec_count */
		char rel[66] = "";
		unsigned int count = 0;

		if (len >= 73) {
			memcpy(rel, buf + 4, 65);
			for (int i = 3; i >= 0; i--)
				count = count << 8 | (unsigned char)buf[69 + i];
		}
		check_add(l, "kho.incoming", CHECK_INFO, rel,
			  "incoming hand-over from kernel %s, kexec count %u", rel[0] ? rel : "?",
			  count);
		free(buf);
	} else {
		check_add(l, "kho.incoming", CHECK_INFO, "present", "incoming hand-over present");
	}
	if (read_small(c, KHO_DIR "/out/sub_fdts/LUO", &buf, &len) == 0) {
		/* A struct-era blob needs no libfdt: luo_number reads it first. */
		bool fdt = len < 8 || strncmp(buf, "luo-v", 5) != 0;

		if ((!fdt || check_lib(l, DLOPEN_LIBFDT)) &&
		    luo_number(buf, len, &num) == 0) {
			char v[24];

			snprintf(v, sizeof(v), "%llu", num);
			check_add(l, "luo.number", CHECK_INFO, v,
				  "LUO live update number %llu (1: cold boot)", num);
		}
		free(buf);
	}
}

static void check_sim_incoming(struct check_list *l, const struct check_ctx *c)
{
	struct sim_session *v = NULL;
	size_t n = 0, open = 0;
	char *text;
	size_t len;

	if (read_small(c, SIM_SESSIONS, &text, &len) < 0)
		return;
	if (sim_sessions_parse(text, &v, &n) == 0)
		for (size_t i = 0; i < n; i++)
			open += v[i].incoming && strcmp(v[i].state, "finished") != 0;
	free(text);
	free(v);
	if (open)
		check_add(l, "luo.incoming", CHECK_WARN, NULL,
			  "%zu incoming session(s) not finished: retrieve and finish them (luoctl list shows them)",
			  open);
	else
		check_add(l, "luo.incoming", CHECK_OK, NULL, "every incoming session is finished");
}

static void check_debugfs(struct check_list *l, const struct check_ctx *c)
{
	char path[4096];
	struct stat st;

	if (stat(check_path(c, path, sizeof(path), KHO_DIR), &st) == 0) {
		check_add(l, "kho.debugfs", CHECK_OK, NULL, "KHO debugfs at %s", KHO_DIR);
		check_incoming(l, c);
		if (c->luosim)
			check_sim_incoming(l, c);
		else
			check_add(l, "luo.incoming", CHECK_INFO, NULL,
				  "whether incoming sessions are finished cannot be read on this kernel");
		return;
	}
	if (errno == EACCES || errno == EPERM) {
		check_add(l, "kho.debugfs", CHECK_WARN, NULL,
			  "cannot read /sys/kernel/debug (%s): the hand-over is not shown",
			  strerror(errno));
		check_fix(l, "run luoctl check as root");
		return;
	}
	check_add(l, "kho.debugfs", CHECK_WARN, NULL, "no %s: the hand-over is not shown", KHO_DIR);
	check_fix(l, "mount -t debugfs none /sys/kernel/debug (needs CONFIG_KEXEC_HANDOVER_DEBUGFS)");
}

/* ---- kexec -------------------------------------------------------------- */

static bool find_kexec(const struct check_ctx *c, char *found, size_t len)
{
	const char *env = getenv("PATH");
	char *dirs = NULL, *save = NULL;
	bool ok = false;

	if (asprintf(&dirs, "%s:/sbin:/usr/sbin", env ? env : "/usr/bin:/bin") < 0)
		return false;
	for (char *d = strtok_r(dirs, ":", &save); d && !ok; d = strtok_r(NULL, ":", &save)) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s%s/kexec", c->root, d);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
			snprintf(found, len, "%s/kexec", d);
			ok = true;
		}
	}
	free(dirs);
	return ok;
}

/*
 * Only kexec_file_load carries the hand-over: kexec-tools must know -s
 * (--kexec-file-syscall). Its option table names it; reading the binary
 * answers without running anything from the tree checked.
 */
static void check_kexec_tool(struct check_list *l, const struct check_ctx *c,
			     const char *tool)
{
	static const char opt[] = "kexec-file-syscall";
	char path[4096], *bin;
	size_t len;
	int err = read_file_all(check_path(c, path, sizeof(path), tool), 64 << 20, &bin,
				&len);

	if (err) {
		check_add(l, "kexec.tools", CHECK_UNKNOWN, tool, "cannot read %s: %s", tool,
			  strerror(-err));
		return;
	}
	if (memmem(bin, len, opt, sizeof(opt) - 1))
		check_add(l, "kexec.tools", CHECK_OK, tool,
			  "kexec-tools %s, with kexec_file_load (kexec -s)", tool);
	else {
		check_add(l, "kexec.tools", CHECK_FAIL, tool,
			  "%s does not know kexec_file_load (--kexec-file-syscall): too old to carry the hand-over",
			  tool);
		check_fix(l, "install a current kexec-tools");
	}
	free(bin);
}

static void check_kexec(struct check_list *l, const struct check_ctx *c)
{
	char *buf, tool[4096];
	size_t len;
	int err = read_small(c, "/sys/kernel/kexec_loaded", &buf, &len);

	if (err == -ENOENT) {
		check_add(l, "kexec.loaded", CHECK_FAIL, NULL,
			  "no /sys/kernel/kexec_loaded: this kernel cannot kexec");
		check_fix(l, "build the kernel with CONFIG_KEXEC_FILE=y");
	} else if (err) {
		check_add(l, "kexec.loaded", CHECK_WARN, NULL,
			  "cannot read /sys/kernel/kexec_loaded: %s", strerror(-err));
	} else {
		bool loaded = buf[0] == '1';

		check_add(l, "kexec.loaded", CHECK_INFO, loaded ? "1" : "0",
			  loaded ? "a kernel is loaded for kexec (which one cannot be read back: check it with --next)" :
				   "no kernel is loaded for kexec yet: load it with kexec -s -l (kexec_file_load carries the hand-over)");
		free(buf);
	}
	if (find_kexec(c, tool, sizeof(tool)))
		check_kexec_tool(l, c, tool);
	else if (c->luosim)
		check_add(l, "kexec.tools", CHECK_WARN, NULL,
			  "no kexec on PATH; inside luosim, luosim kexec does the simulated kexec");
	else {
		check_add(l, "kexec.tools", CHECK_FAIL, NULL, "no kexec on PATH, /sbin or /usr/sbin");
		check_fix(l, "install kexec-tools (apt-get install kexec-tools)");
	}
}

/* ---- the running kernel ------------------------------------------------- */

static void read_release(struct check_ctx *c)
{
	char *buf;
	size_t len;

	snprintf(c->release, sizeof(c->release), "?");
	if (read_small(c, "/proc/sys/kernel/osrelease", &buf, &len) == 0) {
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(c->release, sizeof(c->release), "%s", buf);
		free(buf);
	}
}

static void check_running(struct check_list *l, struct check_ctx *c)
{
	enum kconfig_state enable_default;

	read_release(c);
	check_add(l, "kernel.release", CHECK_INFO, c->release, "running kernel %s", c->release);
	if (c->luosim) {
		const char *k = getenv("LUOSIM_KERNEL");

		check_add(l, "kernel.luosim", CHECK_OK, k ? k : "?",
			  "inside luosim: LUO is emulated with the rules of Linux %s; this kernel's configuration and command line do not apply",
			  k ? k : "?");
	} else {
		check_running_config(l, c, &enable_default);
		check_cmdline(l, c, enable_default);
	}
	check_device(l, c);
	check_debugfs(l, c);
	check_kexec(l, c);
}

/* ---- output ------------------------------------------------------------- */

static const char *status_name(enum check_status st)
{
	static const char *const names[] = { "ok", "info", "warn", "unknown", "fail" };

	return names[st];
}

static void print_item(const struct check_item *it)
{
	out_open_object(NULL);
	out_string(PRINT_JSON, "id", NULL, it->id);
	out_string(PRINT_JSON, "status", NULL, status_name(it->status));
	if (it->value)
		out_string(PRINT_JSON, "value", NULL, it->value);
	else
		out_null(PRINT_JSON, "value", NULL);
	out_text("%-7s %-36s ", it->status == CHECK_FAIL ? "FAIL" :
				it->status == CHECK_UNKNOWN ? "UNKNOWN" : status_name(it->status),
		 it->id);
	out_string(PRINT_ANY, "detail", "%s\n", it->detail);
	if (it->fix) {
		out_string(PRINT_JSON, "fix", NULL, it->fix);
		out_text("%44s fix: %s\n", "", it->fix);
	} else {
		out_null(PRINT_JSON, "fix", NULL);
	}
	out_close_object();
}

static int print_report(const struct check_list *l, const struct check_ctx *c,
			const char **verdict)
{
	size_t fails = 0, unknown = 0;

	for (size_t i = 0; i < l->n; i++) {
		fails += l->v[i].status == CHECK_FAIL;
		unknown += l->v[i].status == CHECK_UNKNOWN;
	}
	*verdict = fails ? "not-ready" : unknown ? "unknown" : "ready";
	out_open_object(NULL);
	out_string(PRINT_JSON, "root", NULL, c->root[0] ? c->root : "/");
	out_bool(PRINT_JSON, "luosim", NULL, c->luosim);
	out_open_array("checks");
	for (size_t i = 0; i < l->n; i++)
		print_item(&l->v[i]);
	out_close_array();
	out_string(PRINT_JSON, "verdict", NULL, *verdict);
	out_u64(PRINT_JSON, "failed", NULL, fails);
	out_u64(PRINT_JSON, "unknown", NULL, unknown);
	out_close_object();
	if (fails)
		out_text("\nnot ready: %zu check%s failed\n", fails, fails == 1 ? "" : "s");
	else if (unknown)
		out_text("\ncannot tell: %zu check%s could not be made\n", unknown,
			 unknown == 1 ? "" : "s");
	else
		out_text("\nready for a live update\n");
	return fails || unknown ? LUOCTL_EXIT_NOT_READY : 0;
}

/* ---- the command -------------------------------------------------------- */

static char *opt_root, *opt_next;
static int opt_quiet;

static const struct poptOption check_options[] = {
	{ "next", 'n', POPT_ARG_STRING, &opt_next, 0,
	  "also check the kernel to kexec into (a release or an image file)", "RELEASE|IMAGE" },
	{ "root", 'r', POPT_ARG_STRING, &opt_root, 0,
	  "read /proc, /sys, /boot, /lib/modules and /dev under DIR", "DIR" },
	{ "quiet", 'q', POPT_ARG_NONE, &opt_quiet, 0, "print nothing; the exit status tells",
	  NULL },
	POPT_TABLEEND
};

static int run_check(const struct luoctl_cmd *cmd, int argc, char *argv[])
{
	struct check_ctx c = { .root = "" };
	struct check_list l = { 0 };
	const char *verdict;
	const char **args;
	int rc = luoctl_parse_args(cmd, check_options, argc, argv, &args);

	if (rc)
		return rc;
	rc = cli_no_arguments(cmd, args);
	if (rc == 0 && opt_next && !opt_next[0]) {
		log_usage("--next: the release or image is empty");
		rc = LUOCTL_EXIT_USAGE;
	}
	if (rc == 0 && opt_root)
		rc = cli_check_dir_option("--root", opt_root);
	if (rc)
		return rc;
	if (opt_root) {
		/* "/x/" and "/x" name the same tree; "/" is the machine itself. */
		size_t n = strlen(opt_root);

		while (n > 0 && opt_root[n - 1] == '/')
			opt_root[--n] = '\0';
		c.root = opt_root;
	}
	const char *luosim = getenv("LUOSIM");

	c.luosim = !opt_root && luosim && strcmp(luosim, "1") == 0;
	check_running(&l, &c);
	if (opt_next)
		check_next(&l, &c, opt_next);
	if (l.oom) {
		log_errno(ENOMEM, "cannot check");
		check_list_free(&l);
		return LUOCTL_EXIT_FAILED;
	}
	if (opt_quiet) {
		size_t bad = 0;

		for (size_t i = 0; i < l.n; i++)
			bad += l.v[i].status >= CHECK_UNKNOWN;
		rc = bad ? LUOCTL_EXIT_NOT_READY : 0;
	} else {
		out_begin(luoctl_json, luoctl_pretty);
		rc = print_report(&l, &c, &verdict);
		if (out_end() < 0) {
			log_error("cannot write to standard output");
			rc = LUOCTL_EXIT_FAILED;
		}
	}
	check_list_free(&l);
	return rc;
}

const struct luoctl_cmd cmd_check = {
	CMD_CHECK_INFO,
	.run = run_check,
};
