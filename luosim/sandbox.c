// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulated machine's namespaces: a private mount namespace with its own
 * /dev (placeholder /dev/liveupdate) and /sys/kernel (kexec_loaded, the KHO
 * debugfs view), a PID namespace whose init is a small reaper running PROG,
 * a network namespace, and the seccomp filter that traps the LUO ioctls and
 * every kexec/reboot call (emulator-notes.md §5, §6, §10).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "sandbox.h"

#define X32_SYSCALL_BIT	   0x40000000
#define I386_NR_REBOOT	   88
#define I386_NR_KEXEC_LOAD 283

#define ARG1_LOW	offsetof(struct seccomp_data, args[1])
#define LD(field)	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define JEQ(k, jt, jf)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (jt), (jf))
#define JSET(k, jt, jf) BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, (k), (jt), (jf))
#define RET(k)		BPF_STMT(BPF_RET | BPF_K, (k))

/*
 * The filter, hand-built because libseccomp 2.5.4 cannot ask for
 * WAIT_KILLABLE_RECV (emulator-notes §3). Foreign ABIs never reach the LUO
 * emulation; their reboot/kexec entry points are refused outright, and the
 * x32 ABI is refused as a whole so no kexec can slip through it.
 */
static int install_filter(bool trap_open)
{
	const uint32_t notify = SECCOMP_RET_USER_NOTIF;
	/* clang-format off */
	struct sock_filter f[] = {
		/* 0 */ LD(arch),
		/* 1 */ JEQ(AUDIT_ARCH_X86_64, 1, 0),
		/* 2 */ BPF_STMT(BPF_JMP | BPF_JA | BPF_K, 16),	/* -> 19 */
		/* 3 */ LD(nr),
		/* 4 */ JSET(X32_SYSCALL_BIT, 13, 0),		/* -> 18 */
		/* 5 */ JEQ(__NR_ioctl, 6, 0),			/* -> 12 */
		/* 6 */ JEQ(__NR_reboot, 10, 0),		/* -> 17 */
		/* 7 */ JEQ(__NR_kexec_load, 9, 0),
		/* 8 */ JEQ(__NR_kexec_file_load, 8, 0),
		/* 9 */ JEQ(__NR_open, 6, 0),			/* -> 16 */
		/* 10 */ JEQ(__NR_openat, 5, 0),
		/* 11 */ RET(SECCOMP_RET_ALLOW),
		/* 12 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG1_LOW),
		/* 13 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff00),
		/* 14 */ JEQ(0xBA00, 2, 0),			/* -> 17 */
		/* 15 */ RET(SECCOMP_RET_ALLOW),
		/* 16 */ RET(trap_open ? notify : SECCOMP_RET_ALLOW),
		/* 17 */ RET(notify),
		/* 18 */ RET(SECCOMP_RET_ERRNO | ENOSYS),
		/* 19 */ LD(nr),
		/* 20 */ JEQ(I386_NR_REBOOT, 2, 0),
		/* 21 */ JEQ(I386_NR_KEXEC_LOAD, 1, 0),
		/* 22 */ RET(SECCOMP_RET_ALLOW),
		/* 23 */ RET(SECCOMP_RET_ERRNO | EPERM),
	};
	/* clang-format on */
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		       SECCOMP_FILTER_FLAG_NEW_LISTENER |
			       SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
		       &prog);
}

/* ---- mounts ---- */

static int bind_from(int olddir, const char *name, const char *target, bool is_dir)
{
	char src[64];
	int fd;

	if (is_dir) {
		if (mkdir(target, 0755) < 0 && errno != EEXIST)
			return -errno;
	} else {
		fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			return -errno;
		close(fd);
	}
	/* The covered originals stay reachable through the fd opened before. */
	snprintf(src, sizeof(src), "/proc/self/fd/%d/%s", olddir, name);
	return mount(src, target, NULL, MS_BIND | MS_REC, NULL) < 0 ? -errno : 0;
}

static const char *const dev_nodes[] = {
	"null", "zero", "full", "random", "urandom", "tty", "console", "kmsg", "fuse",
};
static const char *const dev_dirs[] = { "pts", "shm", "mqueue", "hugepages" };
static const char *const dev_links[][2] = {
	{ "fd", "/proc/self/fd" },	 { "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
};

/* bubblewrap-style minimal /dev (emulator-notes §10.1), with the placeholder. */
static int setup_dev(const char **why)
{
	int old = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char target[64];
	struct stat st;
	int fd, err = 0;

	*why = "cannot build the private /dev";
	if (old < 0)
		return -errno;
	if (mount("luosim-dev", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME,
		  "mode=0755") < 0) {
		err = -errno;
		goto out;
	}
	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]) && !err; i++) {
		if (fstatat(old, dev_nodes[i], &st, 0) < 0)
			continue;
		snprintf(target, sizeof(target), "/dev/%s", dev_nodes[i]);
		err = bind_from(old, dev_nodes[i], target, false);
	}
	for (size_t i = 0; i < sizeof(dev_dirs) / sizeof(dev_dirs[0]) && !err; i++) {
		if (fstatat(old, dev_dirs[i], &st, 0) < 0 || !S_ISDIR(st.st_mode))
			continue;
		snprintf(target, sizeof(target), "/dev/%s", dev_dirs[i]);
		err = bind_from(old, dev_dirs[i], target, true);
	}
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]) && !err; i++) {
		snprintf(target, sizeof(target), "/dev/%s", dev_links[i][0]);
		if (symlink(dev_links[i][1], target) < 0)
			err = -errno;
	}
	if (err)
		goto out;
	/* A regular file: luoctl decides availability by open(), never S_ISCHR. */
	fd = open(LUO_DEVICE_PATH, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		err = -errno;
	else
		close(fd);
out:
	close(old);
	return err;
}

/*
 * /sys/kernel gets a tmpfs so kexec_loaded and debug/kho can exist; every
 * original entry is bound back, so the rest of /sys/kernel looks unchanged.
 */
static int setup_sys_kernel(const char **why)
{
	int old = open("/sys/kernel", O_PATH | O_DIRECTORY | O_CLOEXEC);
	DIR *d = opendir("/sys/kernel");
	struct dirent *de;
	char target[300];
	int err = 0;

	*why = "cannot build the private /sys/kernel";
	if (old < 0 || !d) {
		err = -errno;
		goto out;
	}
	if (mount("luosim-sys", "/sys/kernel", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0755") < 0) {
		err = -errno;
		goto out;
	}
	while ((de = readdir(d)) && !err) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, "debug") || !strcmp(de->d_name, "kexec_loaded"))
			continue;
		snprintf(target, sizeof(target), "/sys/kernel/%s", de->d_name);
		err = bind_from(old, de->d_name, target, de->d_type == DT_DIR);
	}
	if (!err && mkdir("/sys/kernel/debug", 0700) < 0)
		err = -errno;
	if (!err && mkdir(KHO_DEBUGFS, 0755) < 0)
		err = -errno;
out:
	if (d)
		closedir(d);
	if (old >= 0)
		close(old);
	return err;
}

int sandbox_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0444);
	int err;

	if (fd < 0)
		return -errno;
	err = io_write_all(fd, text, strlen(text));
	close(fd);
	return err;
}

static int map_ids(uid_t uid, gid_t gid)
{
	char buf[64];
	int err;

	snprintf(buf, sizeof(buf), "0 %u 1\n", (unsigned int)uid);
	err = sandbox_write_file("/proc/self/uid_map", buf);
	if (!err)
		err = sandbox_write_file("/proc/self/setgroups", "deny\n");
	snprintf(buf, sizeof(buf), "0 %u 1\n", (unsigned int)gid);
	if (!err)
		err = sandbox_write_file("/proc/self/gid_map", buf);
	return err;
}

/*
 * Whether luosim may work as the host's root: CAP_SYS_ADMIN in the initial user
 * namespace, which fanotify permission events and a mount namespace of its own
 * need. Otherwise (a container without it, an unprivileged user, root in a
 * user namespace) luosim works in a user namespace of its own.
 */
bool sandbox_privileged(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	unsigned int inside = 1, outside = 1, count = 0;
	FILE *f;

	if (syscall(SYS_capget, &h, d) < 0 ||
	    !(d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN)))
		return false;
	/* The initial user namespace maps every uid onto itself. */
	f = fopen("/proc/self/uid_map", "re");
	if (!f)
		return true;
	if (fscanf(f, "%u %u %u", &inside, &outside, &count) != 3)
		count = 0;
	fclose(f);
	return inside == 0 && outside == 0 && count == UINT32_MAX;
}

/* The only places luosim mounts on (the tree's /proc included). */
static const char *const mount_parents[] = { "/dev", "/sys", "/proc" };

/*
 * Nothing mounted in luosim's namespace may propagate back to the host. The
 * usual way makes every mount private from / down. In a chroot whose root is
 * not a mount point (debootstrap, sbuild, pbuilder, schroot) that is EINVAL,
 * and the mount holding the chroot cannot be named from inside it; then /dev,
 * /sys and /proc must be mounts of their own, each made private, since a
 * mount on the chroot's own file system could propagate to the host.
 */
static int make_mounts_private(const char **why)
{
	static char msg[300];

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	for (size_t i = 0; i < sizeof(mount_parents) / sizeof(mount_parents[0]); i++) {
		if (mount(NULL, mount_parents[i], NULL, MS_REC | MS_PRIVATE, NULL) == 0)
			continue;
		snprintf(msg, sizeof(msg),
			 "/ is not a mount point (a chroot?) and neither is %s, so luosim's mounts could reach the host: mount /dev, /sys and /proc in the chroot, or bind-mount the chroot onto itself",
			 mount_parents[i]);
		*why = msg;
		return -errno;
	}
	return 0;
}

int sandbox_enter(bool as_root, const char **why)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	int err;

	if (!as_root) {
		*why = "cannot create a user namespace (luosim needs CAP_SYS_ADMIN, or user namespaces: sysctl user.max_user_namespaces above 0, kernel.unprivileged_userns_clone=1 where it exists, not in a chroot, and unshare(CLONE_NEWUSER) allowed by the container's seccomp profile)";
		if (unshare(CLONE_NEWUSER) < 0)
			return -errno;
		err = map_ids(uid, gid);
		if (err)
			return err;
	}
	*why = as_root ? "cannot create a private mount namespace"
		       : "cannot create a private mount namespace in the user namespace";
	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	err = make_mounts_private(why);
	if (!err)
		err = setup_dev(why);
	if (!err)
		err = setup_sys_kernel(why);
	if (!err) {
		*why = "cannot create /sys/kernel/kexec_loaded";
		err = sandbox_write_file(KEXEC_LOADED, "0\n");
	}
	return err;
}

static int loopback_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		err = -errno;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		err = -errno;
	close(fd);
	return err;
}

int sandbox_new_machine(bool share_net, const char **why)
{
	*why = "cannot create a PID namespace";
	if (unshare(CLONE_NEWPID) < 0)
		return -errno;
	if (share_net)
		return 0;
	*why = "cannot create a network namespace";
	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	*why = "cannot bring up the loopback interface";
	return loopback_up();
}

/* ---- the tree's init ---- */

static int send_fd(int sock, int fd)
{
	char byte = 'L';
	struct iovec iov = { &byte, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	memset(u.buf, 0, sizeof(u.buf));
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

int sandbox_recv_fd(int sock)
{
	char byte;
	struct iovec iov = { &byte, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -EPIPE;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

static void die(const char *what)
{
	fprintf(stderr, "luosim: %s: %s\n", what, strerror(errno));
	_exit(LUOSIM_EXIT_FAILURE);
}

static void setup_init_mounts(const struct tree_args *a)
{
	if (unshare(CLONE_NEWNS) < 0)
		die("cannot create the tree's mount namespace");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die("cannot mount /proc for the PID namespace");
	if (a->kcore_path && access("/proc/kcore", F_OK) == 0 &&
	    mount(a->kcore_path, "/proc/kcore", NULL, MS_BIND, NULL) < 0)
		die("cannot bind the simulated memory over /proc/kcore");
}

static void setup_init_env(const struct tree_args *a)
{
	char boot[32];

	snprintf(boot, sizeof(boot), "%llu", (unsigned long long)a->boot);
	setenv("LUOSIM", "1", 1);
	setenv("LUOSIM_KERNEL", mode_name(a->mode), 1);
	setenv("LUOSIM_BOOT", boot, 1);
	/* The simulated physical memory, also at /proc/kcore where the host has one. */
	if (a->kcore_path)
		setenv("LUOSIM_KCORE", a->kcore_path, 1);
}

/* Exec PROG; on failure say why and use the shell's 126/127. */
static void exec_prog(char *const *argv, int errpipe)
{
	int err;

	/* luosim itself ignores terminal signals; PROG must not inherit that. */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	execvp(argv[0], argv);
	err = errno;
	if (write(errpipe, &err, sizeof(err)) < 0)
		_exit(LUOSIM_EXIT_FAILURE);
	fprintf(stderr, "luosim: cannot run \"%s\": %s\n", argv[0], strerror(err));
	_exit(err == ENOENT ? LUOSIM_EXIT_NOTFOUND : LUOSIM_EXIT_NOEXEC);
}

static int status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return LUOSIM_EXIT_FAILURE;
}

/*
 * The init is forked from the supervisor and holds copies of its fds: the
 * fanotify groups, the epoll set, the state directory's lock, the socket's
 * other end, the files of the sessions. Kept, they outlive a supervisor killed
 * before the init's PR_SET_PDEATHSIG took effect: every open of
 * /dev/liveupdate would wait for an answer from a fanotify group nobody reads,
 * the state directory would stay locked, and the listener would go to the
 * init's own copy of the socket, so the tree would start without a supervisor.
 * luosim's own fds are all close-on-exec; those PROG is meant to inherit are
 * not. Run after /proc is the tree's.
 */
static void close_supervisor_fds(int keep)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		die("cannot list the init's fds in /proc/self/fd");
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		int flags;

		if (*end || end == e->d_name || fd == dirfd(d) || fd == keep)
			continue;
		flags = fcntl((int)fd, F_GETFD);
		if (flags >= 0 && (flags & FD_CLOEXEC))
			close((int)fd);
	}
	closedir(d);
}

/* PID 1 of the tree: its exit takes the whole namespace down. */
static void __attribute__((noreturn)) init_main(const struct tree_args *a)
{
	int errpipe[2], listener, st;
	pid_t prog, pid;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setup_init_mounts(a);
	close_supervisor_fds(a->sock);
	setup_init_env(a);
	/* A second line of defence: no process of the tree can ever reboot. */
	if (prctl(PR_CAPBSET_DROP, CAP_SYS_BOOT) < 0 && errno != EINVAL)
		die("cannot drop CAP_SYS_BOOT");
	/* kexec -e downs every interface but lo: never the host's. */
	if (a->share_net && prctl(PR_CAPBSET_DROP, CAP_NET_ADMIN) < 0 && errno != EINVAL)
		die("cannot drop CAP_NET_ADMIN");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("cannot set no_new_privs");
	listener = install_filter(a->trap_open);
	if (listener < 0) {
		if (errno == EBUSY)
			fprintf(stderr,
				"luosim: cannot run inside another seccomp-notify sandbox (nested luosim?)\n");
		else
			fprintf(stderr, "luosim: cannot install the seccomp filter: %s\n",
				strerror(errno));
		_exit(LUOSIM_EXIT_FAILURE);
	}
	/*
	 * Not one trapped call until the supervisor holds the listener. A
	 * supervisor that died before PR_SET_PDEATHSIG above could not signal
	 * us: with its socket end gone, this fails (EPIPE) and the tree never starts.
	 */
	if (send_fd(a->sock, listener) < 0)
		_exit(LUOSIM_EXIT_FAILURE);
	close(listener);
	close(a->sock);
	if (pipe2(errpipe, O_CLOEXEC) < 0)
		die("cannot create a pipe");
	prog = fork();
	if (prog < 0)
		die("cannot fork");
	if (prog == 0)
		exec_prog(a->argv, errpipe[1]);
	close(errpipe[1]);
	close(errpipe[0]);
	for (;;) {
		pid = waitpid(-1, &st, 0);
		if (pid == prog)
			_exit(status_code(st));
		if (pid < 0 && errno != EINTR)
			_exit(LUOSIM_EXIT_FAILURE);
	}
}

pid_t sandbox_start_init(const struct tree_args *a)
{
	pid_t pid = fork();

	if (pid == 0)
		init_main(a);
	return pid;
}
