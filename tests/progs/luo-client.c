// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luo-client: a scriptable raw-uAPI client of /dev/liveupdate for tests.
 * It uses nothing but open() and ioctl() on the kernel's structs, so what it
 * sees under luosim is what it would see on a real kernel.
 *
 *   luo-client [expect ERR] CMD ARGS... [expect ERR] CMD ARGS... ...
 *
 * Every command prints one line "CMD: ok[ detail]" or "CMD: ERRNAME". A
 * command preceded by "expect ERR" (ERR an errno name or "ok") must end that
 * way; anything else that fails, or an expectation not met, exits 1.
 * Variables name fds: "open d", "create s d NAME", "memfd m 4096".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/reboot.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "luo-abi.h"

#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif

#define MAX_VARS 64

static struct {
	char name[32];
	int fd;
} vars[MAX_VARS];
static int nr_vars;
static char *buf; /* the raw-ioctl buffer; ends at a page boundary */
static size_t buf_len;
static int fillers[65536];
static int nr_fillers;

static const struct {
	int err;
	const char *name;
} errnames[] = {
	{ 0, "ok" },
	{ EPERM, "EPERM" },
	{ ENOENT, "ENOENT" },
	{ EIO, "EIO" },
	{ EBADF, "EBADF" },
	{ ENOMEM, "ENOMEM" },
	{ EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" },
	{ EEXIST, "EEXIST" },
	{ EINVAL, "EINVAL" },
	{ ENFILE, "ENFILE" },
	{ EMFILE, "EMFILE" },
	{ ENOTTY, "ENOTTY" },
	{ EFBIG, "EFBIG" },
	{ ENOSPC, "ENOSPC" },
	{ E2BIG, "E2BIG" },
	{ EOPNOTSUPP, "EOPNOTSUPP" },
	{ ENOSYS, "ENOSYS" },
	{ EAGAIN, "EAGAIN" },
	{ ENAMETOOLONG, "ENAMETOOLONG" },
	{ ESRCH, "ESRCH" },
	{ EBADMSG, "EBADMSG" },
};

static const char *errname(int err)
{
	static char other[32];

	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	snprintf(other, sizeof(other), "errno%d", err);
	return other;
}

static int errnum(const char *name)
{
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (!strcmp(errnames[i].name, name))
			return errnames[i].err;
	fprintf(stderr, "luo-client: unknown errno name %s\n", name);
	exit(2);
}

static void __attribute__((noreturn)) usage_die(const char *msg, const char *arg)
{
	fprintf(stderr, "luo-client: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	exit(2);
}

static int var_get(const char *name)
{
	for (int i = 0; i < nr_vars; i++)
		if (!strcmp(vars[i].name, name))
			return vars[i].fd;
	/* A bare number is an fd number (for EBADF tests: "-1", "999"). */
	if ((name[0] >= '0' && name[0] <= '9') || name[0] == '-')
		return atoi(name);
	usage_die("unknown variable", name);
}

static void var_set(const char *name, int fd)
{
	for (int i = 0; i < nr_vars; i++) {
		if (!strcmp(vars[i].name, name)) {
			vars[i].fd = fd;
			return;
		}
	}
	if (nr_vars == MAX_VARS)
		usage_die("too many variables", name);
	snprintf(vars[nr_vars].name, sizeof(vars[nr_vars].name), "%s", name);
	vars[nr_vars++].fd = fd;
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (*end)
		usage_die("not a number", s);
	return v;
}

/* Deterministic content: byte at offset i of stream `seed`. */
static unsigned char pattern(uint64_t seed, uint64_t i)
{
	uint64_t x = (i >> 3) * 0x9E3779B97F4A7C15ULL + seed * 0xC2B2AE3D27D4EB4FULL;

	x ^= x >> 29;
	return (unsigned char)(x >> (8 * (i & 7)));
}

/* ---- uAPI calls: each returns 0 / fd or -errno ---- */

static int ret(long r)
{
	return r < 0 ? -errno : (int)r;
}

static int do_create(int dev, const char *name, unsigned long req)
{
	struct liveupdate_ioctl_create_session a = { .size = sizeof(a) };
	int r;

	memcpy(a.name, name, strnlen(name, sizeof(a.name)));
	r = ret(ioctl(dev, req, &a));
	return r < 0 ? r : a.fd;
}

static int do_preserve(int ses, int fd, uint64_t token)
{
	struct liveupdate_session_preserve_fd a = { .size = sizeof(a),
						    .fd = fd,
						    .token = token };

	return ret(ioctl(ses, LIVEUPDATE_SESSION_PRESERVE_FD, &a));
}

static int do_retrieve_fd(int ses, uint64_t token)
{
	struct liveupdate_session_retrieve_fd a = { .size = sizeof(a), .token = token };
	int r = ret(ioctl(ses, LIVEUPDATE_SESSION_RETRIEVE_FD, &a));

	return r < 0 ? r : a.fd;
}

static int do_finish(int ses, uint32_t reserved)
{
	struct liveupdate_session_finish a = { .size = sizeof(a), .reserved = reserved };

	return ret(ioctl(ses, LIVEUPDATE_SESSION_FINISH, &a));
}

static int do_get_name(int ses, char *out)
{
	struct liveupdate_session_get_name a = { .size = sizeof(a) };
	int r = ret(ioctl(ses, LIVEUPDATE_SESSION_GET_NAME, &a));

	if (r == 0)
		memcpy(out, a.name, sizeof(a.name));
	return r;
}

static int fill(int fd, uint64_t off, uint64_t len, uint64_t seed)
{
	static unsigned char chunk[1 << 16];

	while (len) {
		size_t n = len < sizeof(chunk) ? len : sizeof(chunk);

		/* cppcheck 2.10 takes n for 0 after the ?: above. */
		// cppcheck-suppress knownConditionTrueFalse
		for (size_t i = 0; i < n; i++)
			chunk[i] = pattern(seed, off + i);
		if (pwrite(fd, chunk, n, off) != (ssize_t)n)
			return -errno;
		off += n;
		len -= n;
	}
	return 0;
}

static int verify(int fd, uint64_t off, uint64_t len, uint64_t seed, bool zero)
{
	static unsigned char chunk[1 << 16];

	while (len) {
		size_t n = len < sizeof(chunk) ? len : sizeof(chunk);

		if (pread(fd, chunk, n, off) != (ssize_t)n)
			return -EIO;
		for (size_t i = 0; i < n; i++)
			if (chunk[i] != (zero ? 0 : pattern(seed, off + i)))
				return -EBADMSG;
		off += n;
		len -= n;
	}
	return 0;
}

/* ---- holders ---- */

/* Like the selftests' daemon: setsid, sleep forever holding every fd. */
static void hold(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		setsid();
		if (chdir("/") < 0)
			_exit(1);
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		for (;;)
			pause();
	}
}

static int scm_hold(int fd)
{
	int sv[2];
	char byte = 'x';
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr a;
	} u = { 0 };
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = u.b,
			      .msg_controllen = sizeof(u.b) };
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid == 0) {
		/* A fresh process that owns the fd only through SCM_RIGHTS. */
		for (int i = 3; i < 1024; i++)
			if (i != sv[1])
				close(i);
		if (recvmsg(sv[1], &msg, 0) != 1)
			_exit(1);
		if (write(sv[1], "k", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(sv[1]);
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sv[0], &msg, 0) != 1 || read(sv[0], &byte, 1) != 1)
		return -EIO;
	close(sv[0]);
	return 0;
}

static int exhaust_fds(void)
{
	struct rlimit rl;
	int fd, high = 0;

	for (fd = 0; fd < 4096; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			high = fd;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = high + 1;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	while ((fd = dup(0)) >= 0)
		fillers[nr_fillers++] = fd;
	return errno == EMFILE ? 0 : -errno;
}

static int restore_fds(void)
{
	struct rlimit rl;

	while (nr_fillers)
		close(fillers[--nr_fillers]);
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &rl) < 0 ? -errno : 0;
}

/* ---- the raw buffer ---- */

static int make_buf(size_t len)
{
	size_t page = 4096, total = (len + page - 1) / page * page + page;
	char *map = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);

	if (map == MAP_FAILED)
		return -errno;
	/* The page after the buffer is unmapped: reading past it faults. */
	munmap(map + total - page, page);
	buf = map + total - page - len;
	buf_len = len;
	return 0;
}

static int buf_set(uint64_t off, const char *type, const char *val)
{
	if (!buf || off >= buf_len)
		usage_die("set outside the buffer", type);
	if (!strcmp(type, "u32")) {
		uint32_t v = num(val);

		memcpy(buf + off, &v, sizeof(v));
	} else if (!strcmp(type, "u64")) {
		uint64_t v = num(val);

		memcpy(buf + off, &v, sizeof(v));
	} else if (!strcmp(type, "fd")) {
		/* "set OFF fd VAR": the number of the fd a variable names. */
		int32_t v = var_get(val);

		memcpy(buf + off, &v, sizeof(v));
	} else if (!strcmp(type, "u8")) {
		buf[off] = (char)num(val);
	} else if (!strcmp(type, "str")) {
		/* A raw field: the caller says where a NUL goes, if anywhere. */
		memcpy(buf + off, val, strlen(val)); // NOLINT(bugprone-not-null-terminated-result)
	} else if (!strcmp(type, "fill")) {
		/* "set OFF fill N": N bytes of 'x' without a NUL. */
		memset(buf + off, 'x', num(val));
	} else {
		usage_die("unknown type", type);
	}
	return 0;
}

static void *ioctl_arg(const char *spec)
{
	if (!strcmp(spec, "null"))
		return NULL;
	if (!strcmp(spec, "bad"))
		return (void *)16;
	if (!strcmp(spec, "buf"))
		return buf;
	usage_die("ioctl argument must be buf, null or bad", spec);
}

/* ---- the interpreter ---- */

struct cmd {
	const char *name;
	int argc;
	int (*run)(char **argv, char *detail);
};

static int c_open(char **a, char *d)
{
	int fd = ret(open(LUO_DEVICE_PATH, O_RDWR | O_CLOEXEC));

	if (fd >= 0)
		var_set(a[0], fd);
	return fd < 0 ? fd : 0;
}

static int c_close(char **a, char *d)
{
	return ret(close(var_get(a[0])));
}

static int store_fd(const char *var, int fd, char *d)
{
	if (fd < 0)
		return fd;
	var_set(var, fd);
	sprintf(d, " fd=%d", fd);
	return 0;
}

static int c_create(char **a, char *d)
{
	return store_fd(
		a[0], do_create(var_get(a[1]), a[2], LIVEUPDATE_IOCTL_CREATE_SESSION), d);
}

struct thread_call {
	int dev;
	const char *name;
	int result;
};

static void *thread_create_main(void *arg)
{
	struct thread_call *t = arg;

	t->result = do_create(t->dev, t->name, LIVEUPDATE_IOCTL_CREATE_SESSION);
	return NULL;
}

/* The same CREATE_SESSION, issued from a second thread (req.pid is a tid). */
static int c_thread_create(char **a, char *d)
{
	struct thread_call t = { .dev = var_get(a[1]), .name = a[2] };
	pthread_t th;

	if (pthread_create(&th, NULL, thread_create_main, &t))
		return -EAGAIN;
	pthread_join(th, NULL);
	return store_fd(a[0], t.result, d);
}

static int c_retrieve(char **a, char *d)
{
	return store_fd(a[0],
			do_create(var_get(a[1]), a[2], LIVEUPDATE_IOCTL_RETRIEVE_SESSION),
			d);
}

static int c_preserve(char **a, char *d)
{
	return do_preserve(var_get(a[0]), var_get(a[1]), num(a[2]));
}

static int c_getfd(char **a, char *d)
{
	return store_fd(a[0], do_retrieve_fd(var_get(a[1]), num(a[2])), d);
}

static int c_finish(char **a, char *d)
{
	return do_finish(var_get(a[0]), 0);
}

static int c_finish_reserved(char **a, char *d)
{
	return do_finish(var_get(a[0]), num(a[1]));
}

static int c_getname(char **a, char *d)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	int r = do_get_name(var_get(a[0]), name);

	if (!r)
		sprintf(d, " name=%s", name);
	return r;
}

static int c_memfd(char **a, char *d)
{
	int fd = ret(memfd_create(a[0], MFD_CLOEXEC | MFD_ALLOW_SEALING));

	if (fd >= 0 && ftruncate(fd, num(a[1])) < 0)
		return -errno;
	return store_fd(a[0], fd, d);
}

static int c_memfd_flags(char **a, char *d)
{
	int fd = ret(memfd_create(a[0], num(a[2])));

	if (fd >= 0 && ftruncate(fd, num(a[1])) < 0)
		return -errno;
	return store_fd(a[0], fd, d);
}

static int c_hugetlb(char **a, char *d)
{
	return store_fd(a[0], ret(memfd_create(a[0], MFD_CLOEXEC | MFD_HUGETLB)), d);
}

static int c_openfile(char **a, char *d)
{
	return store_fd(a[0], ret(open(a[1], O_RDWR | O_CREAT | O_CLOEXEC, 0600)), d);
}

static int c_opath(char **a, char *d)
{
	return store_fd(a[0], ret(open(a[1], O_PATH | O_CLOEXEC)), d);
}

static int c_tmpfile(char **a, char *d)
{
	return store_fd(a[0], ret(open(a[1], O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)), d);
}

static int c_unlink(char **a, char *d)
{
	return ret(unlink(a[0]));
}

static int c_truncate(char **a, char *d)
{
	return ret(ftruncate(var_get(a[0]), num(a[1])));
}

static int c_pipe(char **a, char *d)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	var_set(a[1], p[1]);
	return store_fd(a[0], p[0], d);
}

static int c_fill(char **a, char *d)
{
	return fill(var_get(a[0]), num(a[1]), num(a[2]), num(a[3]));
}

static int c_verify(char **a, char *d)
{
	return verify(var_get(a[0]), num(a[1]), num(a[2]), num(a[3]), false);
}

static int c_verify_zero(char **a, char *d)
{
	return verify(var_get(a[0]), num(a[1]), num(a[2]), 0, true);
}

static int c_size(char **a, char *d)
{
	struct stat st;

	if (fstat(var_get(a[0]), &st) < 0)
		return -errno;
	sprintf(d, " size=%jd", (intmax_t)st.st_size);
	return (uint64_t)st.st_size == num(a[1]) ? 0 : -EBADMSG;
}

static int c_seek(char **a, char *d)
{
	return ret(lseek(var_get(a[0]), num(a[1]), SEEK_SET) < 0 ? -1 : 0);
}

static int c_pos(char **a, char *d)
{
	off_t pos = lseek(var_get(a[0]), 0, SEEK_CUR);

	if (pos < 0)
		return -errno;
	sprintf(d, " pos=%jd", (intmax_t)pos);
	return (uint64_t)pos == num(a[1]) ? 0 : -EBADMSG;
}

static int c_addseals(char **a, char *d)
{
	return ret(fcntl(var_get(a[0]), F_ADD_SEALS, (int)num(a[1])));
}

static int c_seals(char **a, char *d)
{
	int s = fcntl(var_get(a[0]), F_GET_SEALS);

	if (s < 0)
		return -errno;
	sprintf(d, " seals=%#x", s);
	return (uint64_t)s == num(a[1]) ? 0 : -EBADMSG;
}

static int c_cloexec(char **a, char *d)
{
	int f = fcntl(var_get(a[0]), F_GETFD);

	if (f < 0)
		return -errno;
	sprintf(d, " cloexec=%d", !!(f & FD_CLOEXEC));
	return !!(f & FD_CLOEXEC) == (int)num(a[1]) ? 0 : -EBADMSG;
}

static int c_keep(char **a, char *d)
{
	return ret(fcntl(var_get(a[0]), F_SETFD, 0));
}

static int c_dup(char **a, char *d)
{
	return store_fd(a[0], ret(fcntl(var_get(a[1]), F_DUPFD_CLOEXEC, 0)), d);
}

static int c_mmap_check(char **a, char *d)
{
	int fd = var_get(a[0]);
	uint64_t len = num(a[1]), seed = num(a[2]);
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int r = 0;

	if (p == MAP_FAILED)
		return -errno;
	for (uint64_t i = 0; i < len && !r; i++)
		if (p[i] != pattern(seed, i))
			r = -EBADMSG;
	munmap(p, len);
	return r;
}

static int c_hold(char **a, char *d)
{
	hold();
	return 0;
}

static int c_scm_hold(char **a, char *d)
{
	return scm_hold(var_get(a[0]));
}

static int c_nofile_exhaust(char **a, char *d)
{
	return exhaust_fds();
}

static int c_nofile_restore(char **a, char *d)
{
	return restore_fds();
}

static int c_create_many(char **a, char *d)
{
	int dev = var_get(a[0]);
	uint64_t n = num(a[2]);
	char name[64];

	for (uint64_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s%" PRIu64, a[1], i);
		int fd = do_create(dev, name, LIVEUPDATE_IOCTL_CREATE_SESSION);

		if (fd < 0) {
			sprintf(d, " created=%" PRIu64, i);
			return fd;
		}
	}
	sprintf(d, " created=%" PRIu64, n);
	return 0;
}

static int c_preserve_many(char **a, char *d)
{
	int ses = var_get(a[0]);
	uint64_t n = num(a[1]);

	for (uint64_t i = 0; i < n; i++) {
		int m = memfd_create("many", MFD_CLOEXEC), r;

		if (m < 0)
			return -errno;
		r = do_preserve(ses, m, i);
		close(m);
		if (r < 0) {
			sprintf(d, " preserved=%" PRIu64, i);
			return r;
		}
	}
	sprintf(d, " preserved=%" PRIu64, n);
	return 0;
}

static int c_buf(char **a, char *d)
{
	return make_buf(num(a[0]));
}

static int c_set(char **a, char *d)
{
	return buf_set(num(a[0]), a[1], a[2]);
}

static int c_get(char **a, char *d)
{
	uint64_t off = num(a[0]);
	uint32_t v;

	memcpy(&v, buf + off, sizeof(v));
	sprintf(d, " value=%u", v);
	return 0;
}

static int c_getstr(char **a, char *d)
{
	sprintf(d, " value=%.*s", (int)strnlen(buf + num(a[0]), buf_len - num(a[0])),
		buf + num(a[0]));
	return 0;
}

static int c_bufvar(char **a, char *d)
{
	int32_t fd;

	memcpy(&fd, buf + num(a[1]), sizeof(fd));
	return store_fd(a[0], fd, d);
}

static int c_readonly(char **a, char *d)
{
	char *page = (char *)((uintptr_t)buf & ~(uintptr_t)4095);

	return ret(mprotect(page, buf + buf_len - page, PROT_READ));
}

static int c_ioctl(char **a, char *d)
{
	unsigned long req = num(a[1]);

	return ret(ioctl(var_get(a[0]), req, ioctl_arg(a[2])));
}

static int c_sleep(char **a, char *d)
{
	usleep(num(a[0]) * 1000);
	return 0;
}

static int c_stage_out(char **a, char *d)
{
	/* Print something a test can grep for; "say WORD". */
	sprintf(d, " %s", a[0]);
	return 0;
}

/* The raw reboot/kexec calls exist only under a seccomp filter (luosim). */
static void require_filter(void)
{
	char line[128];
	bool ok = false;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Seccomp:", 8))
			ok = atoi(line + 8) == 2;
	if (f)
		fclose(f);
	if (!ok || !getenv("LUOSIM"))
		usage_die("refusing reboot/kexec calls outside luosim", NULL);
	/* And never with the capability that would let them through. */
	prctl(PR_CAPBSET_DROP, 22 /* CAP_SYS_BOOT */);
}

static int c_kexec_file_load(char **a, char *d)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	require_filter();
	return ret(syscall(SYS_kexec_file_load, fd, -1, 1, "", num(a[0])));
}

/* The user-space loader: one dummy segment (no KHO data travels this way). */
static int c_kexec_segments(char **a, char *d)
{
	static char page[4096];
	struct {
		void *buf;
		size_t bufsz;
		unsigned long mem;
		size_t memsz;
	} seg = { page, sizeof(page), 0x1000000, sizeof(page) };

	require_filter();
	return ret(syscall(SYS_kexec_load, 0x1000000UL, 1UL, &seg, 0UL));
}

static int c_reboot(char **a, char *d)
{
	require_filter();
	return ret(syscall(SYS_reboot, (unsigned int)num(a[0]), LINUX_REBOOT_MAGIC2,
			   (unsigned int)num(a[1]), NULL));
}

/* clang-format off */
static const struct cmd cmds[] = {
	{ "kexec-file-load", 1, c_kexec_file_load },
	{ "kexec-segments", 0, c_kexec_segments },
	{ "reboot", 2, c_reboot },
	{ "open", 1, c_open },
	{ "close", 1, c_close },
	{ "create", 3, c_create },
	{ "retrieve", 3, c_retrieve },
	{ "thread-create", 3, c_thread_create },
	{ "preserve", 3, c_preserve },
	{ "getfd", 3, c_getfd },
	{ "finish", 1, c_finish },
	{ "finish-reserved", 2, c_finish_reserved },
	{ "getname", 1, c_getname },
	{ "memfd", 2, c_memfd },
	{ "memfd-flags", 3, c_memfd_flags },
	{ "hugetlb", 1, c_hugetlb },
	{ "openfile", 2, c_openfile },
	{ "opath", 2, c_opath },
	{ "tmpfile", 2, c_tmpfile },
	{ "pipe", 2, c_pipe },
	{ "unlink", 1, c_unlink },
	{ "truncate", 2, c_truncate },
	{ "fill", 4, c_fill },
	{ "verify", 4, c_verify },
	{ "verify-zero", 3, c_verify_zero },
	{ "size", 2, c_size },
	{ "seek", 2, c_seek },
	{ "pos", 2, c_pos },
	{ "addseals", 2, c_addseals },
	{ "seals", 2, c_seals },
	{ "cloexec", 2, c_cloexec },
	{ "keep", 1, c_keep },
	{ "dup", 2, c_dup },
	{ "mmap-check", 3, c_mmap_check },
	{ "hold", 0, c_hold },
	{ "scm-hold", 1, c_scm_hold },
	{ "nofile-exhaust", 0, c_nofile_exhaust },
	{ "nofile-restore", 0, c_nofile_restore },
	{ "create-many", 3, c_create_many },
	{ "preserve-many", 2, c_preserve_many },
	{ "buf", 1, c_buf },
	{ "set", 3, c_set },
	{ "get", 1, c_get },
	{ "getstr", 1, c_getstr },
	{ "bufvar", 2, c_bufvar },
	{ "readonly", 0, c_readonly },
	{ "ioctl", 3, c_ioctl },
	{ "sleep", 1, c_sleep },
	{ "say", 1, c_stage_out },
};
/* clang-format on */

static const struct cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	usage_die("unknown command", name);
}

static char **exec_rest(char **argv)
{
	/* "exec PROG ARGS...": the rest of the line; fds keep their cloexec flags. */
	fflush(NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "luo-client: exec %s: %s\n", argv[0], strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	int i = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (i < argc) {
		int want = 0;
		bool expecting = false;

		if (!strcmp(argv[i], "expect")) {
			if (i + 2 >= argc)
				usage_die("expect needs an errno and a command", NULL);
			want = errnum(argv[i + 1]);
			expecting = true;
			i += 2;
		}
		if (!strcmp(argv[i], "exec"))
			exec_rest(argv + i + 1);
		const struct cmd *c = find_cmd(argv[i]);
		char detail[256] = "";

		if (i + c->argc >= argc + 0 && c->argc && i + c->argc > argc - 1)
			usage_die("missing arguments for", argv[i]);
		int r = c->run(argv + i + 1, detail);

		printf("%s: %s%s\n", c->name, errname(-r), detail);
		if (r < 0 ? -r != want : want != 0) {
			fprintf(stderr, "luo-client: %s: got %s, expected %s\n", c->name,
				errname(-r), errname(want));
			return 1;
		}
		(void)expecting;
		i += 1 + c->argc;
	}
	return 0;
}
