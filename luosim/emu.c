// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The emulated LUO: sessions, preserved memfds and every ioctl's checks in
 * the kernel's order (luo-uapi.md §4 to §16, errno table §21).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "io.h"
#include "luosim.h"

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

/* 6.19 limits (luo-uapi.md §17); 7.2 has none. */
#define LIMIT_SESSIONS_6_19 819
#define LIMIT_FILES_6_19    128
#define MEMFD_V2_SEALS                                              \
	(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | \
	 F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)

#define NR_DEVICE_CMDS 2

struct ioctl_struct {
	uint32_t size;
	union {
		struct liveupdate_ioctl_create_session session;
		struct liveupdate_session_preserve_fd fd;
		struct liveupdate_session_finish finish;
		struct liveupdate_session_get_name name;
	} u;
};

void emu_init(struct luo_emu *e, enum luo_mode mode, int epfd)
{
	memset(e, 0, sizeof(*e));
	e->mode = mode;
	e->epfd = epfd;
}

static void file_drop(struct luo_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	free(f->data_path);
	f->data_path = NULL;
}

/* Drop every file: unpreserve (outgoing) or finish (incoming). */
static void session_drop_files(struct luo_session *s)
{
	for (size_t i = 0; i < s->nr_files; i++)
		file_drop(&s->files[i]);
	s->nr_files = 0;
}

void emu_session_free(struct luo_session *s)
{
	session_drop_files(s);
	free(s->files);
	if (s->kept >= 0)
		close(s->kept);
	free(s);
}

void emu_free(struct luo_emu *e)
{
	for (size_t i = 0; i < e->nr_sessions; i++)
		emu_session_free(e->sessions[i]);
	free(e->sessions);
	e->sessions = NULL;
	e->nr_sessions = 0;
}

static int session_list_add(struct luo_emu *e, struct luo_session *s)
{
	if (e->nr_sessions == e->cap_sessions) {
		size_t cap = e->cap_sessions ? 2 * e->cap_sessions : 16;
		void *p = realloc(e->sessions, cap * sizeof(*e->sessions));

		if (!p)
			return -ENOMEM;
		e->sessions = p;
		e->cap_sessions = cap;
	}
	e->sessions[e->nr_sessions++] = s;
	e->view_gen++;
	return 0;
}

static void session_list_remove(struct luo_emu *e, struct luo_session *s)
{
	for (size_t i = 0; i < e->nr_sessions; i++) {
		if (e->sessions[i] == s) {
			e->sessions[i] = e->sessions[--e->nr_sessions];
			e->view_gen++;
			return;
		}
	}
}

int emu_add_incoming(struct luo_emu *e, struct luo_session *s)
{
	s->incoming = true;
	s->kept = -1;
	return session_list_add(e, s);
}

struct luo_session *emu_find_by_inode(struct luo_emu *e, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < e->nr_sessions; i++) {
		struct luo_session *s = e->sessions[i];

		if (s->kept >= 0 && s->ino == ino && s->dev == dev)
			return s;
	}
	return NULL;
}

/*
 * The tree may close a session fd and call again before the supervisor has
 * seen the hang-up event: the kernel would already have released it, so
 * check the kept end directly whenever a session's existence decides the
 * answer. Returns true (and releases it) if it is gone.
 */
static bool session_gone(struct luo_emu *e, struct luo_session *s)
{
	struct pollfd p = { .fd = s->kept, .events = POLLIN };

	if (s->kept < 0 || poll(&p, 1, 0) != 1 || !(p.revents & POLLHUP))
		return false;
	emu_session_released(e, s);
	return true;
}

static struct luo_session *find_by_name(struct luo_emu *e, bool incoming,
					const __u8 *name)
{
	for (size_t i = 0; i < e->nr_sessions; i++) {
		struct luo_session *s = e->sessions[i];

		if (s->incoming == incoming &&
		    strncmp(s->name, (const char *)name,
			    LIVEUPDATE_SESSION_NAME_LENGTH) == 0)
			return session_gone(e, s) ? NULL : s;
	}
	return NULL;
}

static size_t count_outgoing(struct luo_emu *e)
{
	size_t n = 0;

	for (size_t i = 0; i < e->nr_sessions;) {
		struct luo_session *s = e->sessions[i];

		if (s->incoming) {
			i++;
		} else if (!session_gone(e, s)) {
			n++;
			i++;
		}
	}
	return n;
}

/*
 * The last copy of a session fd was closed. Outgoing: every file is
 * unpreserved. Incoming: implicitly finished. Either way the session goes.
 */
void emu_session_released(struct luo_emu *e, struct luo_session *s)
{
	epoll_ctl(e->epfd, EPOLL_CTL_DEL, s->kept, NULL);
	session_list_remove(e, s);
	emu_session_free(s);
}

/* ---- copy-in / write-back with the extensible-struct rules (§4) ---- */

static int check_zero_tail(struct luo_call *c, uint64_t arg, uint32_t from, uint32_t size)
{
	char buf[4096];

	while (from < size) {
		uint32_t n = size - from < sizeof(buf) ? size - from : sizeof(buf);

		if (call_read(c, arg + from, buf, n))
			return -EFAULT;
		for (uint32_t i = 0; i < n; i++)
			if (buf[i])
				return -E2BIG;
		from += n;
	}
	return 0;
}

/*
 * The dispatcher read the whole struct along with `size` when it could
 * (prefetched); otherwise it is read here, after the size checks, as the
 * kernel does.
 */
static const void *prefetched;
static uint32_t prefetched_len;

static int copy_in(struct luo_call *c, uint64_t arg, uint32_t size, void *k,
		   uint32_t ksize)
{
	if (size < ksize)
		return -EINVAL;
	if (prefetched && prefetched_len >= ksize)
		memcpy(k, prefetched, ksize);
	else if (call_read(c, arg, k, ksize))
		return -EFAULT;
	prefetched = NULL;
	return check_zero_tail(c, arg, ksize, size);
}

/* Read `size`, and in the same system call the 72 bytes any struct fits in. */
static int read_size(struct luo_call *c, uint64_t arg, uint32_t *size, char *buf)
{
	prefetched = NULL;
	if (call_read(c, arg, buf, 72) == 0) {
		memcpy(size, buf, sizeof(*size));
		prefetched = buf;
		prefetched_len = 72;
		return 0;
	}
	return call_read(c, arg, size, sizeof(*size)) ? -EFAULT : 0;
}

static int write_back(struct luo_call *c, uint64_t arg, uint32_t size, const void *k,
		      uint32_t ksize)
{
	return call_write(c, arg, k, size < ksize ? size : ksize) ? -EFAULT : 0;
}

/* EMFILE comes first for every ioctl that returns an fd (§7 step 1). */
static int fd_op_error(struct luo_call *c, int err)
{
	return call_fd_table_full(c) ? -EMFILE : err;
}

/*
 * Hand one end of a new socketpair to the caller: the fd the tree sees for a
 * session. Returns the new fd number or -errno; *kept receives our end.
 */
static int new_session_object(struct luo_session *s)
{
	int sv[2];
	struct stat st;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return errno == EMFILE ? -ENFILE : -errno;
	if (fstat(sv[1], &st) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -ENOMEM;
	}
	s->kept = sv[0];
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return sv[1];
}

static int watch_session(struct luo_emu *e, struct luo_session *s)
{
	struct epoll_event ev = { .events = EPOLLHUP | EPOLLIN, .data.ptr = s };

	return epoll_ctl(e->epfd, EPOLL_CTL_ADD, s->kept, &ev) < 0 ? -errno : 0;
}

/*
 * Install `give` in the caller close-on-exec, then write the struct with the
 * new fd number. The write is probed first so a bad buffer fails before any
 * fd is installed, as in the kernel.
 */
static int install_fd(struct luo_call *c, uint64_t arg, uint32_t size, void *k,
		      uint32_t ksize, __s32 *fd_field, int give)
{
	int fd;

	if (write_back(c, arg, size, k, ksize))
		return -EFAULT;
	if (!call_valid(c))
		return -EINTR;
	fd = call_addfd(c, give, false, O_CLOEXEC);
	if (fd < 0)
		return fd;
	*fd_field = fd;
	write_back(c, arg, size, k, ksize);
	return 0;
}

/* ---- device ioctls ---- */

static bool name_valid_7_2(const __u8 *name)
{
	size_t len = strnlen((const char *)name, LIVEUPDATE_SESSION_NAME_LENGTH);

	return len > 0 && len < LIVEUPDATE_SESSION_NAME_LENGTH;
}

static int create_session(struct luo_emu *e, struct luo_call *c, uint64_t arg,
			  uint32_t size)
{
	struct liveupdate_ioctl_create_session k;
	struct luo_session *s;
	int give, err;

	err = copy_in(c, arg, size, &k, sizeof(k));
	if (err)
		return err;
	if (e->mode == LUO_MODE_7_2 && !name_valid_7_2(k.name))
		return fd_op_error(c, -EINVAL);
	if (e->mode == LUO_MODE_6_19 && e->nr_sessions >= LIMIT_SESSIONS_6_19 &&
	    count_outgoing(e) >= LIMIT_SESSIONS_6_19)
		return fd_op_error(c, -ENOMEM);
	if (find_by_name(e, false, k.name))
		return fd_op_error(c, -EEXIST);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	/* A bounded copy: an unterminated 6.19 name is truncated to 63 bytes. */
	memcpy(s->name, k.name, sizeof(s->name) - 1);
	give = new_session_object(s);
	if (give < 0) {
		free(s);
		return give;
	}
	err = install_fd(c, arg, size, &k, sizeof(k), &k.fd, give);
	close(give);
	if (!err)
		err = session_list_add(e, s);
	if (!err)
		err = watch_session(e, s);
	if (err) {
		/* Not listed or not watched: the caller's copy (if any) is orphaned. */
		session_list_remove(e, s);
		emu_session_free(s);
	}
	return err;
}

static int retrieve_session(struct luo_emu *e, struct luo_call *c, uint64_t arg,
			    uint32_t size)
{
	struct liveupdate_ioctl_retrieve_session k;
	struct luo_session *s;
	int give, err;

	err = copy_in(c, arg, size, &k, sizeof(k));
	if (err)
		return err;
	s = find_by_name(e, true, k.name);
	if (!s)
		return fd_op_error(c, -ENOENT);
	if (s->retrieved)
		return fd_op_error(c, -EINVAL);
	give = new_session_object(s);
	if (give < 0)
		return give;
	err = install_fd(c, arg, size, &k, sizeof(k), &k.fd, give);
	close(give);
	if (err == -EMFILE || err == -ENFILE) {
		/* The fd slot is reserved before the lookup: nothing happened. */
		close(s->kept);
		s->kept = -1;
		e->view_gen++;
		return err;
	}
	s->retrieved = true;
	e->view_gen++;
	if (!err)
		err = watch_session(e, s);
	if (err) {
		/* The kernel has marked it retrieved; dropping the file finishes it. */
		session_list_remove(e, s);
		emu_session_free(s);
	}
	return err;
}

int emu_device_ioctl(struct luo_emu *e, struct luo_call *c, uint32_t req, uint64_t arg)
{
	unsigned int nr = req & 0xff;
	uint32_t size;

	char pre[72];

	if (nr >= NR_DEVICE_CMDS)
		return -EINVAL;
	if (read_size(c, arg, &size, pre))
		return -EFAULT;
	if (req != (uint32_t)_IO(LIVEUPDATE_IOCTL_TYPE, nr))
		return -ENOTTY;
	if (nr == LIVEUPDATE_CMD_CREATE_SESSION)
		return create_session(e, c, arg, size);
	return retrieve_session(e, c, arg, size);
}

/* ---- session ioctls ---- */

/* The kernel's test: a shmem file with no name (emulator-notes §9.3). *st: its stat. */
static bool is_memfd(int fd, struct stat *st)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0 || fstat(fd, st) < 0)
		return false;
	if ((unsigned long)sfs.f_type != TMPFS_MAGIC)
		return false;
	return S_ISREG(st->st_mode) && st->st_nlink == 0;
}

static struct luo_file *find_token(struct luo_session *s, uint64_t token)
{
	for (size_t i = 0; i < s->nr_files; i++)
		if (s->files[i].token == token)
			return &s->files[i];
	return NULL;
}

static bool session_has_inode(const struct luo_session *s, dev_t dev, ino_t ino)
{
	for (size_t j = 0; j < s->nr_files; j++) {
		const struct luo_file *f = &s->files[j];

		if (f->fd >= 0 && (!s->incoming || f->retrieved) && f->dev == dev &&
		    f->ino == ino)
			return true;
	}
	return false;
}

/* 7.1+: a file already preserved anywhere, or retrieved and not finished. */
static bool inode_registered(struct luo_emu *e, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < e->nr_sessions; i++) {
		struct luo_session *s = e->sessions[i];

		if (session_has_inode(s, dev, ino))
			return !session_gone(e, s) || inode_registered(e, dev, ino);
	}
	return false;
}

static int memfd_v2_check(int fd, const struct stat *st)
{
	int seals = fcntl(fd, F_GET_SEALS);

	if (seals > 0 && (seals & ~MEMFD_V2_SEALS))
		return -EOPNOTSUPP;
	if (((uint64_t)st->st_size + 4095) / 4096 > (uint64_t)UINT_MAX)
		return -EFBIG;
	return 0;
}

static int add_file(struct luo_session *s, const struct luo_file *f)
{
	if (s->nr_files == s->cap_files) {
		size_t cap = s->cap_files ? 2 * s->cap_files : 8;
		void *p = realloc(s->files, cap * sizeof(*s->files));

		if (!p)
			return -ENOMEM;
		s->files = p;
		s->cap_files = cap;
	}
	s->files[s->nr_files++] = *f;
	return 0;
}

/* *copy: the caller's file, in our fd table; *st: its stat. */
static int check_preservable(struct luo_emu *e, struct luo_call *c, int fd, int *copy,
			     struct stat *st)
{
	int flags, err;

	*copy = call_getfd(c, fd);
	if (*copy < 0)
		return *copy == -ESRCH ? -ESRCH : -EBADF;
	flags = fcntl(*copy, F_GETFL);
	if (flags < 0 || (flags & O_PATH))
		return -EBADF;
	if (!is_memfd(*copy, st))
		return -ENOENT;
	if (e->mode == LUO_MODE_7_2) {
		if (inode_registered(e, st->st_dev, st->st_ino))
			return -EBUSY;
		err = memfd_v2_check(*copy, st);
		if (err)
			return err;
	}
	return 0;
}

static int preserve_fd(struct luo_emu *e, struct luo_call *c, struct luo_session *s,
		       uint64_t arg, uint32_t size)
{
	struct liveupdate_session_preserve_fd k;
	struct luo_file f = { .fd = -1 };
	struct stat st;
	int copy = -1, err;

	err = copy_in(c, arg, size, &k, sizeof(k));
	if (err)
		return err;
	if (find_token(s, k.token))
		return -EEXIST;
	if (e->mode == LUO_MODE_6_19 && s->nr_files >= LIMIT_FILES_6_19)
		return -ENOSPC;
	err = check_preservable(e, c, k.fd, &copy, &st);
	if (!err && !call_valid(c))
		err = -EINTR;
	if (err) {
		if (copy >= 0)
			close(copy);
		return err;
	}
	f.token = k.token;
	f.fd = copy;
	f.dev = st.st_dev;
	f.ino = st.st_ino;
	/* 6.19 on an incoming session "runs": the file just sits there. */
	f.retrieved = s->incoming;
	err = add_file(s, &f);
	if (err) {
		close(copy);
		return err;
	}
	/* A failed write-back leaves the file preserved (§12.1 step 8). */
	return write_back(c, arg, size, &k, sizeof(k));
}

/* Rebuild a memfd from the data saved at the previous kexec (§13.4). */
static int restore_file(struct luo_emu *e, struct luo_file *f);

static int retrieve_fd(struct luo_emu *e, struct luo_call *c, struct luo_session *s,
		       uint64_t arg, uint32_t size)
{
	struct liveupdate_session_retrieve_fd k;
	struct luo_file *f;
	int err;

	err = copy_in(c, arg, size, &k, sizeof(k));
	if (err)
		return err;
	if (!s->incoming)
		return fd_op_error(c, -EINVAL);
	f = find_token(s, k.token);
	if (!f)
		return fd_op_error(c, -ENOENT);
	if (!f->retrieved && f->retrieve_err)
		return fd_op_error(c, f->retrieve_err);
	if (!f->retrieved) {
		err = restore_file(e, f);
		if (err) {
			/* 6.19.0 retried a failed retrieve; 6.19.9+ and 7.x keep it. */
			if (e->mode == LUO_MODE_7_2)
				f->retrieve_err = err;
			return fd_op_error(c, err);
		}
		f->retrieved = true;
	}
	/* ADDFD of our reference gives the caller the same open file each time. */
	return install_fd(c, arg, size, &k, sizeof(k), &k.fd, f->fd);
}

static int finish(struct luo_emu *e, struct luo_call *c, struct luo_session *s,
		  uint64_t arg, uint32_t size)
{
	struct liveupdate_session_finish k;
	int err;

	err = copy_in(c, arg, size, &k, sizeof(k));
	if (err)
		return err;
	if (e->mode == LUO_MODE_7_2 && k.reserved)
		return -EINVAL;
	if (!s->incoming) {
		/* 6.19: an empty outgoing session finishes as a no-op (§15). */
		if (s->nr_files)
			return -EINVAL;
		return write_back(c, arg, size, &k, sizeof(k));
	}
	/* memfd never refuses: unretrieved files are discarded, retrieved ones let go. */
	session_drop_files(s);
	s->finished = true;
	e->view_gen++;
	return write_back(c, arg, size, &k, sizeof(k));
}

static int get_name(struct luo_call *c, struct luo_session *s, uint64_t arg,
		    uint32_t size)
{
	struct liveupdate_session_get_name k;
	int err;

	err = copy_in(c, arg, size, &k, sizeof(k));
	if (err)
		return err;
	if (k.reserved)
		return -EINVAL;
	/*
	 * The kernel's strscpy() copies a word at a time: the rest of the 8-byte
	 * word holding the NUL comes back zeroed, later bytes as the caller passed
	 * them. (luo-uapi.md §16 says all of them stay; the 7.2 and 7.3 VMs zero
	 * the word.)
	 */
	size_t len = strlen(s->name) + 1, word_end = (len + 7) & ~(size_t)7;

	memset(k.name, 0, word_end < sizeof(k.name) ? word_end : sizeof(k.name));
	memcpy(k.name, s->name, len);
	return write_back(c, arg, size, &k, sizeof(k));
}

/* 7.2: PRESERVE_FD only on outgoing, RETRIEVE_FD and FINISH only on incoming. */
static bool wrong_direction(const struct luo_session *s, unsigned int nr)
{
	switch (nr) {
	case LIVEUPDATE_CMD_SESSION_PRESERVE_FD:
		return s->incoming;
	case LIVEUPDATE_CMD_SESSION_RETRIEVE_FD:
	case LIVEUPDATE_CMD_SESSION_FINISH:
		return !s->incoming;
	default:
		return false;
	}
}

int emu_session_ioctl(struct luo_emu *e, struct luo_call *c, struct luo_session *s,
		      uint32_t req, uint64_t arg)
{
	unsigned int nr = req & 0xff;
	unsigned int nr_cmds = e->mode == LUO_MODE_7_2 ? 4 : 3;
	uint32_t size;

	char pre[72];

	if (nr < LIVEUPDATE_CMD_SESSION_BASE ||
	    nr - LIVEUPDATE_CMD_SESSION_BASE >= nr_cmds)
		return -EINVAL;
	if (read_size(c, arg, &size, pre))
		return -EFAULT;
	if (req != (uint32_t)_IO(LIVEUPDATE_IOCTL_TYPE, nr))
		return -ENOTTY;
	if (e->mode == LUO_MODE_7_2 && wrong_direction(s, nr))
		return -EINVAL;
	switch (nr) {
	case LIVEUPDATE_CMD_SESSION_PRESERVE_FD:
		return preserve_fd(e, c, s, arg, size);
	case LIVEUPDATE_CMD_SESSION_RETRIEVE_FD:
		return retrieve_fd(e, c, s, arg, size);
	case LIVEUPDATE_CMD_SESSION_FINISH:
		return finish(e, c, s, arg, size);
	default:
		return get_name(c, s, arg, size);
	}
}

/* ---- restore ---- */

static int restore_file(struct luo_emu *e, struct luo_file *f)
{
	unsigned int flags = MFD_CLOEXEC;
	struct stat st;
	int in, fd, err;

	if (!f->data_path)
		return -EIO;
	in = open(f->data_path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -EIO;
	if (fstat(in, &st) < 0 || (uint64_t)st.st_size != f->size) {
		close(in);
		return -EIO;
	}
	/* memfd-v1 restores without sealing (F_SEAL_SEAL); memfd-v2 re-applies seals. */
	if (e->mode == LUO_MODE_7_2)
		flags |= MFD_ALLOW_SEALING;
	fd = memfd_create("", flags);
	if (fd < 0) {
		close(in);
		return -ENOMEM;
	}
	err = ftruncate(fd, f->size) < 0 ? -ENOMEM : copy_file_to_memfd(in, fd, f->size);
	close(in);
	if (!err && lseek(fd, f->pos, SEEK_SET) < 0)
		err = -EINVAL;
	if (!err && e->mode == LUO_MODE_7_2 && f->seals &&
	    fcntl(fd, F_ADD_SEALS, f->seals) < 0)
		err = -EOPNOTSUPP;
	if (err) {
		close(fd);
		return err == -ENOSPC ? -ENOMEM : (err == -EOPNOTSUPP ? err : -EIO);
	}
	fstat(fd, &st);
	f->fd = fd;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return 0;
}
