// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luosim: shared definitions of the emulator's parts (options, the emulated
 * LUO state, the seccomp call context, the state directory).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "luo-abi.h"

/* Exit statuses documented in luosim(1). */
#define LUOSIM_EXIT_KEXEC    99
#define LUOSIM_EXIT_FAILURE  125
#define LUOSIM_EXIT_NOEXEC   126
#define LUOSIM_EXIT_NOTFOUND 127

enum luo_mode { LUO_MODE_6_19, LUO_MODE_7_2 };

struct luosim_opts {
	const char *state_dir; /* NULL: private temporary directory */
	enum luo_mode mode;
	bool mode_given;
	int boots;
	bool share_net;
	const char *release; /* the simulated kernel's uname -r */
	char *const *argv;   /* PROG and its arguments */
};

/* One preserved file (a memfd) of a session. */
struct luo_file {
	uint64_t token;
	int fd;	   /* the supervisor's reference to the memfd, or -1 */
	dev_t dev; /* identity of the memfd inode, for EBUSY (7.2 mode) */
	ino_t ino;
	/* Incoming sessions only. */
	bool retrieved;	  /* restored and handed out: fd is the restored file */
	int retrieve_err; /* a remembered failed retrieve (7.2 mode), or 0 */
	uint64_t size, pos;
	uint32_t seals;
	char *data_path; /* content saved at the previous kexec */
};

struct luo_session {
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	bool incoming;
	bool retrieved; /* incoming: handed out at least once */
	bool finished;
	int kept;  /* the supervisor's end of the socketpair, or -1 */
	dev_t dev; /* identity of the end the tree holds */
	ino_t ino;
	struct luo_file *files;
	size_t nr_files, cap_files;
};

struct luo_emu {
	enum luo_mode mode;
	struct luo_session **sessions;
	size_t nr_sessions, cap_sessions;
	dev_t dev_dev; /* the /dev/liveupdate placeholder */
	ino_t dev_ino;
	bool dev_busy;
	int deser_error; /* remembered incoming deserialization failure (-errno) */
	int epfd;	 /* session kept ends are watched here */
	/*
	 * Bumped by every change the session table view shows (a session added or
	 * removed, its kept end, retrieved, finished): the view is rendered only
	 * when it moved, not after every ioctl (sessions-view.c).
	 */
	unsigned long view_gen;
};

/* One trapped system call being served. */
struct luo_call {
	int listener;
	uint64_t id;
	pid_t tid;
	int pidfd; /* opened lazily */
};

/* call.c: the caller's memory and fd table. All return 0/fd or -errno. */
int call_read(struct luo_call *c, uint64_t addr, void *buf, size_t len);
int call_write(struct luo_call *c, uint64_t addr, const void *buf, size_t len);
int call_getfd(struct luo_call *c, int fd);
int call_addfd(struct luo_call *c, int srcfd, bool send, unsigned int newfd_flags);
bool call_valid(struct luo_call *c);
bool call_fd_table_full(struct luo_call *c);
void call_done(struct luo_call *c);

/* emu.c: the LUO semantics. Return 0 or -errno, the answer to the caller. */
void emu_init(struct luo_emu *e, enum luo_mode mode, int epfd);
void emu_free(struct luo_emu *e);
int emu_device_ioctl(struct luo_emu *e, struct luo_call *c, uint32_t req, uint64_t arg);
int emu_session_ioctl(struct luo_emu *e, struct luo_call *c, struct luo_session *s,
		      uint32_t req, uint64_t arg);
struct luo_session *emu_find_by_inode(struct luo_emu *e, dev_t dev, ino_t ino);
void emu_session_released(struct luo_emu *e, struct luo_session *s);
int emu_add_incoming(struct luo_emu *e, struct luo_session *s);
void emu_session_free(struct luo_session *s);

/*
 * copy.c: a preserved memfd's bytes [0, size) to a state file and back, holes
 * skipped, file offsets untouched. 0 or -errno.
 */
int copy_memfd_to_file(int memfd, int file, uint64_t size);
int copy_file_to_memfd(int file, int memfd, uint64_t size);

/* state.c: the state directory. */
struct luosim_handover {
	enum luo_mode mode;
	uint64_t boot; /* liveupdate number of the boot that wrote it */
	uint32_t kexec_count;
	char release[128];
	bool carries_luo; /* false: kexec_load'ed image, no LUO data */
};
/* Prepare DIR (create 0700 or check it is ours). 0 or -errno, *why set on error. */
int state_open(const char *dir, bool create, const char **why);
/* Take the handover left by the previous boot: 1 if there was one, 0 if not, -errno. */
int state_take_handover(const char *dir, struct luosim_handover *h, struct luo_emu *e,
			const char **why);
int state_write_handover(const char *dir, const struct luosim_handover *h,
			 const struct luo_emu *e);
void state_drop_incoming(const char *dir);
/* The header of a waiting handover: 1 if there is one, 0 if not, -EINVAL if corrupt. */
int state_peek(const char *dir, struct luosim_handover *h);
int remove_tree(const char *path);

struct boot_result {
	bool kexec;
	int status; /* exit status to report for this boot */
};

/* kexec.c: `luosim kexec` inside a tree. */
int luosim_kexec_main(int argc, char **argv);

/* Messages: every error is one line on stderr naming the cause. */
void luosim_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void luosim_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline const char *mode_name(enum luo_mode m)
{
	return m == LUO_MODE_6_19 ? "6.19" : "7.2";
}
