// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One boot of the simulated machine: the supervisor builds the namespaces,
 * starts the tree, answers every trapped call (LUO ioctls, kexec loads,
 * reboot) and, on a simulated kexec, writes the handover and ends the boot.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kho-view.h"
#include "sandbox.h"
#include "sessions-view.h"
#include "supervisor.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1
#endif
#ifndef FAN_DENY_ERRNO
#define FAN_DENY_ERRNO(err) (FAN_DENY | ((((__u32)(err)) & 0xff) << 24))
#endif
#define KEXEC_FILE_UNLOAD	0x1
#define KEXEC_FILE_ON_CRASH	0x2
#define KEXEC_FILE_NO_INITRAMFS 0x4
#define KEXEC_ON_CRASH		0x1

enum kexec_image { IMAGE_NONE, IMAGE_FILE, IMAGE_SEGMENTS };

struct sup {
	const struct boot_config *cfg;
	struct luo_emu emu;
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	int listener, fan, fan_kcore, epfd, init_pidfd;
	pid_t init;
	enum kexec_image image;
	bool trap_open; /* no fanotify (not root): opens are trapped instead */
	int dev_kept;	/* open trap: our end of the device object, or -1 */
	bool kexec, tree_done;
	int init_status;
	struct kho_view_config kho; /* the KHO view as published at boot */
	bool kho_published;
};

/* Set by SIGTERM: stop the machine, wait for every process of it, exit. */
static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	stop_requested = sig;
}

/* epoll tags for the non-session fds; sessions are tagged by their pointer. */
static char tag_listener, tag_fan, tag_fan_kcore, tag_init, tag_device;

/* ---- replies ---- */

static void reply(struct sup *s, int err, bool cont)
{
	memset(s->resp, 0, s->sizes.seccomp_notif_resp);
	s->resp->id = s->req->id;
	s->resp->error = err;
	s->resp->flags = cont ? SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0;
	/* ENOENT: the caller is gone (killed, or already answered by ADDFD|SEND). */
	ioctl(s->listener, SECCOMP_IOCTL_NOTIF_SEND, s->resp);
}

/*
 * 7.2 mode: the outgoing memory map grows as sessions and files are held
 * (kho-view.c); the memory file is brought up to date as it is opened. Like
 * the view itself, a convenience: warn once, go on.
 */
static void flush_kho_view(struct sup *s)
{
	static bool warned;
	int err = s->kho_published ? kho_view_flush(&s->kho, &s->emu) : 0;

	if (err && !warned) {
		luosim_errno(-err, "warning: cannot update the simulated memory %s",
			     KHO_KCORE);
		warned = true;
	}
}

/* The session table for luoctl list; a failure only costs that view: warn once. */
static void publish_sessions(struct sup *s)
{
	static bool warned;
	int err = sessions_view_publish(&s->emu);

	if (err && !warned) {
		luosim_errno(-err, "warning: cannot write %s", SESSIONS_VIEW);
		warned = true;
	}
}

/* ---- trapped ioctl ---- */

static void serve_ioctl(struct sup *s, struct luo_call *c)
{
	const struct seccomp_data *d = &s->req->data;
	uint32_t request = (uint32_t)d->args[1];
	struct luo_session *session = NULL;
	bool device = false;
	struct stat st;
	int fd, err;

	fd = call_getfd(c, (int)d->args[0]);
	if (fd < 0) {
		/* Not our object (or a bad fd): the real ioctl answers. */
		reply(s, 0, true);
		return;
	}
	if (fstat(fd, &st) == 0) {
		device = st.st_dev == s->emu.dev_dev && st.st_ino == s->emu.dev_ino;
		/* An O_PATH fd of the placeholder is no device: the kernel says EBADF. */
		if (device && (fcntl(fd, F_GETFL) & O_PATH))
			device = false;
		else if (!device)
			session = emu_find_by_inode(&s->emu, st.st_dev, st.st_ino);
	}
	close(fd);
	if (!device && !session) {
		reply(s, 0, true);
		return;
	}
	err = device ? emu_device_ioctl(&s->emu, c, request, d->args[2])
		     : emu_session_ioctl(&s->emu, c, session, request, d->args[2]);
	/* Before the reply, so the caller's next step already sees the table. */
	publish_sessions(s);
	reply(s, err, false);
}

/* ---- kexec loading and reboot (emulator-notes §11) ---- */

/*
 * The simulated machine's root holds CAP_SYS_BOOT; any other user does not.
 * (The real capability is dropped from the whole tree as a safety net.)
 */
static bool caller_is_root(pid_t tid)
{
	char path[64], line[128];
	unsigned int ruid, euid = 1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Uid: %u %u", &ruid, &euid) == 2)
			break;
	fclose(f);
	return euid == 0;
}

static void set_image(struct sup *s, enum kexec_image image)
{
	s->image = image;
	sandbox_write_file(KEXEC_LOADED, image == IMAGE_NONE ? "0\n" : "1\n");
}

static int check_fd(struct luo_call *c, int fd)
{
	int copy = call_getfd(c, fd);

	if (copy < 0)
		return -EBADF;
	close(copy);
	return 0;
}

static int serve_kexec_file_load(struct sup *s, struct luo_call *c)
{
	const struct seccomp_data *d = &s->req->data;
	unsigned long flags = d->args[4];
	int err;

	if (!caller_is_root(c->tid))
		return -EPERM;
	if (flags & ~(KEXEC_FILE_UNLOAD | KEXEC_FILE_ON_CRASH | KEXEC_FILE_NO_INITRAMFS))
		return -EINVAL;
	/* A crash kernel is not what reboot(KEXEC) starts. */
	if (flags & KEXEC_FILE_ON_CRASH)
		return 0;
	if (flags & KEXEC_FILE_UNLOAD) {
		set_image(s, IMAGE_NONE);
		return 0;
	}
	err = check_fd(c, (int)d->args[0]);
	if (!err && !(flags & KEXEC_FILE_NO_INITRAMFS))
		err = check_fd(c, (int)d->args[1]);
	if (!err)
		set_image(s, IMAGE_FILE);
	return err;
}

static int serve_kexec_load(struct sup *s, struct luo_call *c)
{
	const struct seccomp_data *d = &s->req->data;

	if (!caller_is_root(c->tid))
		return -EPERM;

	if (d->args[3] & KEXEC_ON_CRASH)
		return 0;
	/* The user-space loader carries no KHO data (luo-uapi.md §18.2). */
	set_image(s, d->args[1] ? IMAGE_SEGMENTS : IMAGE_NONE);
	return 0;
}

static int serve_reboot(struct sup *s, struct luo_call *c)
{
	const struct seccomp_data *d = &s->req->data;
	uint32_t magic1 = d->args[0], magic2 = d->args[1], cmd = d->args[2];

	if (!caller_is_root(c->tid))
		return -EPERM;
	if (magic1 != LINUX_REBOOT_MAGIC1 ||
	    (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A &&
	     magic2 != LINUX_REBOOT_MAGIC2B && magic2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;
	/* The simulated machine only ever does live updates. */
	if (cmd != LINUX_REBOOT_CMD_KEXEC)
		return -EPERM;
	if (s->image == IMAGE_NONE)
		return -EINVAL;
	if (!call_valid(c))
		return -EINTR;
	s->kexec = true;
	return 0;
}

/* ---- the device without fanotify: trapped opens (emulator-notes §7.2, §10.2) ---- */

static int read_path(struct luo_call *c, uint64_t addr, char *path, size_t len)
{
	size_t got = 0;

	/* One page-bounded chunk at a time: the string may end before a hole. */
	while (got < len - 1) {
		size_t chunk = 4096 - ((addr + got) & 4095);

		if (chunk > len - 1 - got)
			chunk = len - 1 - got;
		if (call_read(c, addr + got, path + got, chunk))
			return -EFAULT;
		if (memchr(path + got, 0, chunk))
			return 0;
		got += chunk;
	}
	path[len - 1] = 0;
	return 0;
}

static int new_device(struct sup *s, int *give)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &tag_device };
	struct stat st;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -ENFILE;
	if (fstat(sv[1], &st) < 0 || epoll_ctl(s->epfd, EPOLL_CTL_ADD, sv[0], &ev) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -ENOMEM;
	}
	s->dev_kept = sv[0];
	s->emu.dev_dev = st.st_dev;
	s->emu.dev_ino = st.st_ino;
	*give = sv[1];
	return 0;
}

static void device_released(struct sup *s)
{
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->dev_kept, NULL);
	close(s->dev_kept);
	s->dev_kept = -1;
	s->emu.dev_busy = false;
}

/* The tree closed the device just before opening it again: count it free. */
static bool device_busy(struct sup *s)
{
	struct pollfd p = { .fd = s->dev_kept, .events = POLLIN };

	if (s->dev_kept < 0)
		return false;
	if (poll(&p, 1, 0) == 1 && (p.revents & POLLHUP)) {
		device_released(s);
		return false;
	}
	return true;
}

static void serve_open(struct sup *s, struct luo_call *c)
{
	const struct seccomp_data *d = &s->req->data;
	bool at = d->nr == __NR_openat;
	uint64_t flags = at ? d->args[2] : d->args[1];
	char path[sizeof(KHO_KCORE) > sizeof(LUO_DEVICE_PATH) ? sizeof(KHO_KCORE) + 1
							       : sizeof(LUO_DEVICE_PATH) + 1];
	int give, err, fd;

	/* Only the absolute paths are emulated (emulator-notes §15). */
	err = read_path(c, at ? d->args[1] : d->args[0], path, sizeof(path));
	if (!err && (!strcmp(path, KHO_KCORE) || !strcmp(path, "/proc/kcore")))
		flush_kho_view(s);
	if (err || strcmp(path, LUO_DEVICE_PATH)) {
		reply(s, 0, true);
		return;
	}
	if (s->emu.deser_error && s->cfg->mode == LUO_MODE_7_2) {
		reply(s, s->emu.deser_error, false);
		return;
	}
	if (device_busy(s)) {
		reply(s, -EBUSY, false);
		return;
	}
	err = call_valid(c) ? new_device(s, &give) : -EINTR;
	if (err) {
		reply(s, err, false);
		return;
	}
	/* ADDFD with SEND: the new fd number is the open's return value. */
	fd = call_addfd(c, give, true, flags & O_CLOEXEC);
	close(give);
	if (fd < 0) {
		device_released(s);
		reply(s, fd, false);
	}
}

static void serve_one(struct sup *s)
{
	struct luo_call c = { .listener = s->listener, .pidfd = -1 };
	int err;

	memset(s->req, 0, s->sizes.seccomp_notif);
	if (ioctl(s->listener, SECCOMP_IOCTL_NOTIF_RECV, s->req) < 0)
		return;
	c.id = s->req->id;
	c.tid = s->req->pid;
	switch (s->req->data.nr) {
	case __NR_ioctl:
		serve_ioctl(s, &c);
		break;
	case __NR_kexec_file_load:
		reply(s, serve_kexec_file_load(s, &c), false);
		break;
	case __NR_kexec_load:
		reply(s, serve_kexec_load(s, &c), false);
		break;
	case __NR_open:
	case __NR_openat:
		serve_open(s, &c);
		break;
	case __NR_reboot:
		err = serve_reboot(s, &c);
		/* A successful kexec never returns: the caller dies with the tree. */
		if (err)
			reply(s, err, false);
		break;
	default:
		/* Only ioctls may CONTINUE: a stray trap must not reach the kernel. */
		reply(s, -ENOSYS, false);
	}
	call_done(&c);
}

/* ---- the device: exclusive open through fanotify (emulator-notes §10.3) ---- */

static int setup_fanotify(struct sup *s)
{
	struct stat st;

	if (stat(LUO_DEVICE_PATH, &st) < 0)
		return -errno;
	s->emu.dev_dev = st.st_dev;
	s->emu.dev_ino = st.st_ino;
	s->fan = fanotify_init(FAN_CLASS_PRE_CONTENT | FAN_CLOEXEC,
			       O_RDONLY | O_CLOEXEC | O_LARGEFILE);
	if (s->fan < 0)
		return -errno;
	if (fanotify_mark(s->fan, FAN_MARK_ADD, FAN_OPEN_PERM | FAN_CLOSE, AT_FDCWD,
			  LUO_DEVICE_PATH) < 0)
		return -errno;
	return 0;
}

static uint32_t open_verdict(struct sup *s)
{
	/* A failed deserialization is remembered; the in-use flag is reset (§6.2). */
	if (s->emu.deser_error && s->cfg->mode == LUO_MODE_7_2)
		return FAN_DENY_ERRNO(-s->emu.deser_error);
	if (s->emu.dev_busy)
		return FAN_DENY_ERRNO(EBUSY);
	s->emu.dev_busy = true;
	return FAN_ALLOW;
}

/*
 * The memory file: a second fanotify group, so its opens never count as the
 * device's. The file is brought up to date before the open goes on.
 */
static int watch_kcore_opens(struct sup *s)
{
	s->fan_kcore = fanotify_init(FAN_CLASS_PRE_CONTENT | FAN_CLOEXEC,
				     O_RDONLY | O_CLOEXEC | O_LARGEFILE);
	if (s->fan_kcore < 0)
		return -errno;
	if (fanotify_mark(s->fan_kcore, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, KHO_KCORE) < 0)
		return -errno;
	return 0;
}

static void serve_kcore_opens(struct sup *s)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t len = read(s->fan_kcore, buf, sizeof(buf));
	struct fanotify_event_metadata *m = (void *)buf;

	for (; len > 0 && FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
		struct fanotify_response r = { .fd = m->fd, .response = FAN_ALLOW };

		flush_kho_view(s);
		if (write(s->fan_kcore, &r, sizeof(r)) < 0)
			perror("luosim: fanotify response");
		if (m->fd >= 0)
			close(m->fd);
	}
}

static void serve_fanotify(struct sup *s)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t len = read(s->fan, buf, sizeof(buf));
	struct fanotify_event_metadata *m = (void *)buf;

	for (; len > 0 && FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
		if (m->mask & FAN_OPEN_PERM) {
			struct fanotify_response r = { .fd = m->fd,
						       .response = open_verdict(s) };

			if (write(s->fan, &r, sizeof(r)) < 0)
				perror("luosim: fanotify response");
		}
		if (m->mask & FAN_CLOSE)
			s->emu.dev_busy = false;
		if (m->fd >= 0)
			close(m->fd);
	}
}

/* ---- the loop ---- */

static int watch(struct sup *s, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void reap_init(struct sup *s)
{
	int st;

	if (waitpid(s->init, &st, 0) == s->init)
		s->init_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	s->tree_done = true;
}

static void dispatch(struct sup *s, struct epoll_event *ev)
{
	if (ev->data.ptr == &tag_listener) {
		if (ev->events & EPOLLIN)
			serve_one(s);
		else
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->listener, NULL);
	} else if (ev->data.ptr == &tag_fan) {
		serve_fanotify(s);
	} else if (ev->data.ptr == &tag_fan_kcore) {
		serve_kcore_opens(s);
	} else if (ev->data.ptr == &tag_init) {
		reap_init(s);
	} else if (ev->data.ptr == &tag_device) {
		device_released(s);
	} else {
		emu_session_released(&s->emu, ev->data.ptr);
		publish_sessions(s);
	}
}

static void run_loop(struct sup *s)
{
	struct epoll_event ev;

	/*
	 * One event at a time: serving a call may release a session whose
	 * hang-up would otherwise still sit in a batch already fetched.
	 */
	while (!s->tree_done && !s->kexec && !stop_requested) {
		int n = epoll_wait(s->epfd, &ev, 1, -1);

		if (n < 0 && errno != EINTR)
			break;
		if (n == 1)
			dispatch(s, &ev);
	}
}

/* ---- the kexec ---- */

/* Sessions whose last fd was closed just before the reboot are not carried. */
static void prune_released(struct sup *s)
{
	for (size_t i = 0; i < s->emu.nr_sessions;) {
		struct luo_session *ses = s->emu.sessions[i];
		struct pollfd p = { .fd = ses->kept, .events = POLLIN };

		if (ses->kept >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLHUP))
			emu_session_released(&s->emu, ses);
		else
			i++;
	}
}

static int do_kexec(struct sup *s)
{
	struct luosim_handover h = {
		.mode = s->cfg->mode,
		.boot = s->cfg->boot + 1,
		.kexec_count = s->cfg->kexec_count + 1,
		.carries_luo = s->image == IMAGE_FILE,
	};
	int err;

	prune_released(s);
	/* The whole machine stops, as a real kexec does. */
	kill(s->init, SIGKILL);
	reap_init(s);
	if (!h.carries_luo)
		h.boot = 1;
	snprintf(h.release, sizeof(h.release), "%s", s->cfg->release);
	err = state_write_handover(s->cfg->state_dir, &h, &s->emu);
	if (err)
		luosim_errno(-err, "cannot write the handover to the state directory %s",
			     s->cfg->state_dir);
	return err;
}

/* ---- start-up ---- */

static int start_tree(struct sup *s, const struct luosim_opts *o)
{
	struct tree_args a = {
		.argv = o->argv,
		.mode = s->cfg->mode,
		.boot = s->cfg->boot,
		.trap_open = s->trap_open,
		.share_net = o->share_net,
		.kcore_path = KHO_KCORE,
	};
	int sv[2];
	__u64 flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	a.sock = sv[1];
	s->init = sandbox_start_init(&a);
	close(sv[1]);
	if (s->init < 0) {
		close(sv[0]);
		return -errno;
	}
	s->listener = sandbox_recv_fd(sv[0]);
	close(sv[0]);
	if (s->listener < 0)
		return s->listener;
	/* Same-CPU wake-ups: a round trip drops from ~60 to ~7 µs (notes §14). */
	ioctl(s->listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags);
	s->init_pidfd = syscall(SYS_pidfd_open, s->init, 0);
	if (s->init_pidfd < 0)
		return -errno;
	if (watch(s, s->listener, &tag_listener) < 0 ||
	    (s->fan >= 0 && watch(s, s->fan, &tag_fan) < 0) ||
	    (s->fan_kcore >= 0 && watch(s, s->fan_kcore, &tag_fan_kcore) < 0) ||
	    watch(s, s->init_pidfd, &tag_init) < 0)
		return -errno;
	return 0;
}

static int alloc_notif(struct sup *s)
{
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &s->sizes) < 0)
		return -errno;
	s->req = calloc(1, s->sizes.seccomp_notif + 64);
	s->resp = calloc(1, s->sizes.seccomp_notif_resp + 64);
	return s->req && s->resp ? 0 : -ENOMEM;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	/* Every session costs the supervisor one kept socket end. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The debugfs view is a convenience of the simulated machine: warn, go on. */
static void publish_kho(struct sup *s, const struct luosim_handover *h, bool kho_boot)
{
	struct kho_view_config v = {
		.mode = s->cfg->mode,
		.boot = s->cfg->boot,
		.kexec_count = s->cfg->kexec_count,
		.release = s->cfg->release,
		.prev_release = h->release,
		.kho_boot = kho_boot,
	};
	int err = mkdir(KHO_KCORE_DIR, 0700) < 0 ? -errno : kho_view_publish(&v, &s->emu);

	if (err)
		luosim_errno(-err, "warning: cannot build the KHO debugfs view");
	/* Updates need no previous release (only the incoming view has it). */
	s->kho = v;
	s->kho.prev_release = NULL;
	s->kho_published = !err;
}

static int take_handover(struct sup *s)
{
	struct luosim_handover h = { 0 };
	const char *why = "";
	int ret = state_take_handover(s->cfg->state_dir, &h, &s->emu, &why);

	if (ret < 0) {
		luosim_err("state directory %s: %s", s->cfg->state_dir, why);
		return ret;
	}
	/* Only kexec_file_load carries KHO data (luo-uapi.md §18.2). */
	publish_kho(s, &h, ret == 1 && h.carries_luo);
	return 0;
}

static int setup(struct sup *s, const struct luosim_opts *o)
{
	const char *why = "";
	int err;

	/* fanotify permission events need CAP_SYS_ADMIN in the initial namespace. */
	s->trap_open = !sandbox_privileged();
	err = sandbox_enter(!s->trap_open, &why);
	if (!err && !s->trap_open) {
		why = "cannot watch /dev/liveupdate with fanotify";
		err = setup_fanotify(s);
	}
	if (!err)
		err = sandbox_new_machine(o->share_net, &why);
	if (!err) {
		why = "cannot start the tree";
		err = alloc_notif(s);
	}
	if (err) {
		luosim_errno(-err, "%s", why);
		return err;
	}
	err = take_handover(s);
	if (!err && !s->trap_open && s->kho_published) {
		int werr = watch_kcore_opens(s);

		if (werr) {
			luosim_errno(-werr, "warning: cannot watch the opens of %s: it shows "
				     "the sessions held at boot", KHO_KCORE);
			if (s->fan_kcore >= 0)
				close(s->fan_kcore);
			s->fan_kcore = -1;
		}
	}
	if (!err) {
		publish_sessions(s);
		err = start_tree(s, o);
	}
	if (err && err != -EPIPE)
		luosim_errno(-err, "cannot start the tree");
	return err;
}

int supervise_boot(const struct luosim_opts *o, const struct boot_config *cfg,
		   struct boot_result *r)
{
	struct sup s = { .cfg = cfg,
			 .listener = -1,
			 .fan = -1,
			 .fan_kcore = -1,
			 .init_pidfd = -1,
			 .init = -1,
			 .dev_kept = -1 };
	int err;

	struct sigaction sa = { .sa_handler = on_stop };

	/* No SA_RESTART: epoll_wait returns EINTR and the loop sees the request. */
	sigaction(SIGTERM, &sa, NULL);
	raise_nofile();
	s.epfd = epoll_create1(EPOLL_CLOEXEC);
	emu_init(&s.emu, cfg->mode, s.epfd);
	err = s.epfd < 0 ? -errno : setup(&s, o);
	if (!err) {
		run_loop(&s);
		if (s.kexec)
			err = do_kexec(&s);
		else if (!s.tree_done)
			err = -EIO;
	}
	if (s.init > 0 && !s.tree_done) {
		/* Reaping PID 1 returns once every process of its namespace is gone. */
		kill(s.init, SIGKILL);
		reap_init(&s);
	}
	if (stop_requested)
		err = -EINTR;
	state_drop_incoming(cfg->state_dir);
	emu_free(&s.emu);
	r->kexec = !err && s.kexec;
	r->status =
		err ? LUOSIM_EXIT_FAILURE : (s.kexec ? LUOSIM_EXIT_KEXEC : s.init_status);
	return err;
}
