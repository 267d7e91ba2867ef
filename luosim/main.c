// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luosim: run a program tree as one boot of a simulated machine whose kernel
 * has LUO (/dev/liveupdate), and simulate the kexec live update between boots.
 * See luosim(1).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <popt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor.h"

#define KEXEC_FILE_NO_INITRAMFS 0x4

static const char *prog_name = "luosim";

/* One line, built first: concurrent writers to stderr cannot split it. */
static void vline(int err, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err)
		fprintf(stderr, "%s: %s: %s\n", prog_name, msg, strerror(err));
	else
		fprintf(stderr, "%s: %s\n", prog_name, msg);
}

void luosim_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(0, fmt, ap);
	va_end(ap);
}

void luosim_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(err, fmt, ap);
	va_end(ap);
}

/* "Seccomp: 2" in /proc/self/status: a filter is installed on us. */
static bool under_seccomp_filter(void)
{
	char line[128];
	bool filtered = false;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Seccomp:", 8))
			filtered = atoi(line + 8) == 2;
	fclose(f);
	return filtered;
}

static bool inside_tree(void)
{
	return getenv("LUOSIM") && under_seccomp_filter();
}

/* ---- luosim kexec ---- */

int luosim_kexec_main(int argc, char **argv)
{
	const char cmdline[] = "liveupdate=on";
	int fd;

	prog_name = "luosim kexec";
	if (argc > 1) {
		luosim_err("unexpected argument \"%s\"", argv[1]);
		return LUOSIM_EXIT_FAILURE;
	}
	/* Outside a tree these calls would reach the real kernel. */
	if (!inside_tree()) {
		luosim_err(
			"refusing to run outside a luosim tree (LUOSIM unset or no seccomp filter)");
		return LUOSIM_EXIT_FAILURE;
	}
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		luosim_errno(errno, "cannot open an image to load");
		return 1;
	}
	if (syscall(SYS_kexec_file_load, fd, -1, sizeof(cmdline), cmdline,
		    KEXEC_FILE_NO_INITRAMFS) < 0) {
		luosim_errno(errno, "cannot load the next kernel");
		return 1;
	}
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		LINUX_REBOOT_CMD_KEXEC, NULL);
	luosim_errno(errno, "reboot(LINUX_REBOOT_CMD_KEXEC) failed");
	return 1;
}

/* ---- options ---- */

static void usage(FILE *out)
{
	fprintf(out,
		"\nUsage:\n"
		" luosim [options] [--] PROG [ARG...]\n"
		" luosim kexec\n"
		"\nRun PROG as one boot of a simulated machine whose kernel has LUO\n"
		"(/dev/liveupdate); `luosim kexec` inside it simulates a live update.\n"
		"\nOptions:\n"
		"     --state DIR        keep the machine's state (handover) in DIR\n"
		"     --kernel VERSION   kernel rules to follow: 6.19 or 7.2 (default: 7.2)\n"
		"     --boots N          run PROG again after each kexec, up to N boots\n"
		"     --share-net        keep the host's network namespace\n"
		"     --release STR      the simulated kernel's release string\n"
		" -h, --help             display this help\n"
		" -V, --version          display version\n"
		"\nExit status: PROG's, 99 after a simulated kexec, 125 luosim failure,\n"
		"126/127 PROG not executable/not found.\n"
		"\nFor more details see luosim(1).\n");
}

static int __attribute__((format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "luosim: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* One line, like every error (luosim --help lists the options). */
	fputc('\n', stderr);
	return LUOSIM_EXIT_FAILURE;
}

enum { OPT_HELP = 1, OPT_VERSION };

static int parse_mode(const char *s, enum luo_mode *mode)
{
	if (!strcmp(s, "6.19"))
		*mode = LUO_MODE_6_19;
	else if (!strcmp(s, "7.2"))
		*mode = LUO_MODE_7_2;
	else
		return -EINVAL;
	return 0;
}

/* parse_options: --help or --version was handled, exit 0. */
#define PARSED_EXIT_NOW 1000

/* 0: run; PARSED_EXIT_NOW, or an exit status to leave with now. */
/* popt allocates string arguments; they live until main returns. */
static char *state, *kernel, *release, *boots_arg;

static void free_option_strings(void)
{
	free(state);
	free(kernel);
	free(release);
	free(boots_arg);
}

static int parse_options(int argc, const char **argv, struct luosim_opts *o,
			 poptContext *pc)
{
	int boots = 1, share_net = 0, rc;
	struct poptOption table[] = {
		{ "state", 0, POPT_ARG_STRING, &state, 0, NULL, NULL },
		{ "kernel", 0, POPT_ARG_STRING, &kernel, 0, NULL, NULL },
		{ "boots", 0, POPT_ARG_STRING, &boots_arg, 0, NULL, NULL },
		{ "share-net", 0, POPT_ARG_NONE, &share_net, 0, NULL, NULL },
		{ "release", 0, POPT_ARG_STRING, &release, 0, NULL, NULL },
		{ "help", 'h', POPT_ARG_NONE, NULL, OPT_HELP, NULL, NULL },
		{ "version", 'V', POPT_ARG_NONE, NULL, OPT_VERSION, NULL, NULL },
		POPT_TABLEEND
	};

	/* Stop at the first non-option: PROG's own options pass through. */
	*pc = poptGetContext("luosim", argc, argv, table, POPT_CONTEXT_POSIXMEHARDER);
	while ((rc = poptGetNextOpt(*pc)) > 0) {
		if (rc == OPT_HELP) {
			usage(stdout);
			return PARSED_EXIT_NOW;
		}
		if (rc == OPT_VERSION) {
			printf("luosim %s\n+FANOTIFY +SECCOMP_NOTIFY kernels: 6.19 7.2\n",
			       PACKAGE_VERSION);
			return PARSED_EXIT_NOW;
		}
	}
	if (rc < -1) {
		fprintf(stderr, "luosim: %s: %s\n", poptBadOption(*pc, 0), poptStrerror(rc));
		return LUOSIM_EXIT_FAILURE;
	}
	o->state_dir = state;
	o->release = release;
	o->share_net = share_net;
	if (kernel) {
		if (parse_mode(kernel, &o->mode) < 0)
			return usage_error(
				"unknown kernel version \"%s\" (use 6.19 or 7.2)",
				kernel);
		o->mode_given = true;
	}
	if (boots_arg) {
		char *end;
		long n = strtol(boots_arg, &end, 10);

		if (*end || end == boots_arg || n < 1 || n > 1000000)
			return usage_error(
				"invalid --boots \"%s\" (a number of boots, at least 1)",
				boots_arg);
		boots = (int)n;
	}
	o->boots = boots;
	/* uname -r: at most 64 bytes, one word (it is stored as one in the handover). */
	if (release && (!*release || strlen(release) > 64 || strpbrk(release, " \t\n")))
		return usage_error("invalid --release \"%s\" (1 to 64 bytes, no spaces)",
				   release);
	o->argv = (char *const *)poptGetArgs(*pc);
	if (!o->argv || !o->argv[0])
		return usage_error("%s", "no program to run");
	return 0;
}

/* ---- boots ---- */

static pid_t boot_child;
static volatile sig_atomic_t terminated_by;

/*
 * The supervisor stops the machine and waits for all of it; a second signal
 * kills it outright (its death takes the tree down: PR_SET_PDEATHSIG).
 */
static void on_terminate(int sig)
{
	if (boot_child > 0)
		kill(boot_child, terminated_by ? SIGKILL : SIGTERM);
	terminated_by = sig;
}

static int run_one_boot(const struct luosim_opts *o, const struct boot_config *cfg,
			struct boot_result *r)
{
	sigset_t term, old;
	pid_t parent;
	int res[2], st;
	ssize_t n;

	if (pipe2(res, O_CLOEXEC) < 0) {
		luosim_errno(errno, "cannot create a pipe");
		return -errno;
	}
	fflush(NULL);
	/* A SIGTERM must find boot_child set, or the boot would run on unstopped. */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGHUP);
	sigprocmask(SIG_BLOCK, &term, &old);
	parent = getpid();
	boot_child = fork();
	if (boot_child < 0) {
		luosim_errno(errno, "cannot fork the supervisor");
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -errno;
	}
	if (boot_child == 0) {
		struct boot_result br = { 0 };

		/*
		 * The supervisor dies with luosim. A luosim killed before this
		 * took effect sends no signal: getppid() shows it, and the
		 * supervisor must not run a boot (and hold the state's lock) alone.
		 */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(LUOSIM_EXIT_FAILURE);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(res[0]);
		signal(SIGHUP, SIG_DFL);
		supervise_boot(o, cfg, &br);
		n = write(res[1], &br, sizeof(br));
		_exit(n == sizeof(br) ? 0 : LUOSIM_EXIT_FAILURE);
	}
	if (terminated_by)
		kill(boot_child, SIGTERM);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(res[1]);
	n = read(res[0], r, sizeof(*r));
	close(res[0]);
	while (waitpid(boot_child, &st, 0) < 0 && errno == EINTR)
		;
	boot_child = 0;
	if (terminated_by)
		return -EINTR;
	if (n != sizeof(*r)) {
		luosim_err("the supervisor died (%s)",
			   WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "no result");
		return -EIO;
	}
	return 0;
}

static int check_handover(const struct luosim_opts *o, struct boot_config *cfg)
{
	struct luosim_handover h = { 0 };
	int ret = state_peek(cfg->state_dir, &h);

	if (ret < 0) {
		luosim_err(
			"state directory %s: its handover is corrupt; refusing to cold-boot over it",
			cfg->state_dir);
		return ret;
	}
	cfg->mode = o->mode_given ? o->mode : LUO_MODE_7_2;
	cfg->boot = 1;
	if (ret == 0)
		return 0;
	if (!o->mode_given)
		cfg->mode = h.mode;
	if (h.mode != cfg->mode) {
		luosim_err(
			"state directory %s: the handover was written by a %s kernel; a %s kernel cannot take it (LUO ABI mismatch)",
			cfg->state_dir, mode_name(h.mode), mode_name(cfg->mode));
		return -EINVAL;
	}
	cfg->boot = h.boot;
	cfg->kexec_count = h.kexec_count;
	return 0;
}

static int run_boots(const struct luosim_opts *o, const char *dir)
{
	struct boot_config cfg = { .state_dir = dir, .release = o->release };
	struct boot_result r = { 0 };

	for (int i = 0; i < o->boots && !terminated_by; i++) {
		if (check_handover(o, &cfg) < 0 || run_one_boot(o, &cfg, &r) < 0)
			break;
		if (!r.kexec)
			return r.status;
		if (i == o->boots - 1)
			return LUOSIM_EXIT_KEXEC;
	}
	if (terminated_by) {
		luosim_err("terminated by %s; the simulated machine was stopped",
			   sigabbrev_np(terminated_by) ? sigabbrev_np(terminated_by)
						       : "a signal");
		return 128 + terminated_by;
	}
	return LUOSIM_EXIT_FAILURE;
}

static char *make_temp_state(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;

	if (asprintf(&dir, "%s/luosim.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
		return NULL;
	if (!mkdtemp(dir)) {
		luosim_errno(errno, "cannot create a temporary state directory in %s",
			     tmp && *tmp ? tmp : "/tmp");
		free(dir);
		return NULL;
	}
	return dir;
}

/* One machine per state directory: a second run would take its handover. */
static int lock_state(const char *dir)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/luosim-state", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		luosim_errno(errno,
			     "state directory %s: cannot open its luosim-state file",
			     dir);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			luosim_err("state directory %s: in use by another luosim", dir);
		else
			luosim_errno(errno, "state directory %s: cannot lock it", dir);
		close(fd);
		return -1;
	}
	return fd;
}

static int run(struct luosim_opts *o)
{
	char *temp = NULL;
	const char *dir = o->state_dir, *why = "";
	int err, status;

	if (inside_tree()) {
		luosim_err(
			"cannot run inside a luosim tree: nested luosim is not supported");
		return LUOSIM_EXIT_FAILURE;
	}
	static struct utsname u;

	if (!o->release)
		o->release = uname(&u) == 0 ? u.release : "luosim";
	if (!dir) {
		dir = temp = make_temp_state();
		if (!dir)
			return LUOSIM_EXIT_FAILURE;
	}
	err = state_open(dir, true, &why);
	if (err == -EINVAL || err == -EPERM) {
		luosim_err("state directory %s: %s", dir, why);
		status = LUOSIM_EXIT_FAILURE;
	} else if (err) {
		luosim_errno(-err, "state directory %s: %s", dir, why);
		status = LUOSIM_EXIT_FAILURE;
	} else {
		int lock = lock_state(dir);

		status = lock < 0 ? LUOSIM_EXIT_FAILURE : run_boots(o, dir);
		if (lock >= 0)
			close(lock);
	}
	if (temp) {
		remove_tree(temp);
		free(temp);
	}
	return status;
}

int main(int argc, char **argv)
{
	struct luosim_opts o = { .mode = LUO_MODE_7_2, .boots = 1 };
	poptContext pc;
	int ret;

	if (argc >= 2 && !strcmp(argv[1], "kexec"))
		return luosim_kexec_main(argc - 1, argv + 1);
	ret = parse_options(argc, (const char **)argv, &o, &pc);
	if (ret) {
		poptFreeContext(pc);
		free_option_strings();
		return ret == PARSED_EXIT_NOW ? 0 : ret;
	}
	/* The tree gets terminal signals itself; luosim reports how PROG ended. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTERM, on_terminate);
	signal(SIGHUP, on_terminate);
	ret = run(&o);
	poptFreeContext(pc);
	free_option_strings();
	return ret;
}
