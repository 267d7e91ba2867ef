// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "luo-errors.h"
#include "util.h"

struct explanation {
	enum luo_step step;
	int err;
	const char *text;
};

/* Kernel behaviour per luo-uapi.md; 6.19 versus 7.2 differences are spelled out. */
static const struct explanation table[] = {
	{ LUO_STEP_OPEN, ENOENT,
	  "LUO is not available: this kernel has no /dev/liveupdate (no CONFIG_LIVEUPDATE, or booted without liveupdate=on)" },
	{ LUO_STEP_OPEN, EACCES, "only root may open /dev/liveupdate (mode 0600)" },
	{ LUO_STEP_OPEN, EPERM, "only root may open /dev/liveupdate" },
	{ LUO_STEP_OPEN, EBUSY,
	  "another process holds /dev/liveupdate, which allows one opener at a time (systemd, luod or another luoctl)" },
	{ LUO_STEP_OPEN, EIO,
	  "the sessions handed over by the previous kernel could not be restored; LUO refuses every open until the next reboot" },
	{ LUO_STEP_OPEN, ENXIO, "/dev/liveupdate has no driver behind it" },
	{ LUO_STEP_OPEN, ENODEV, "/dev/liveupdate has no driver behind it" },

	{ LUO_STEP_CREATE, EEXIST,
	  "the name is taken: an outgoing session of that name already exists in this kernel (held earlier in this chain or by another process)" },
	{ LUO_STEP_CREATE, EINVAL,
	  "the kernel refused the name (Linux 7.2 and later accept 1 to 63 bytes)" },
	{ LUO_STEP_CREATE, ENOMEM,
	  "out of memory, or the limit of 819 outgoing sessions was reached (kernels before 7.2)" },

	{ LUO_STEP_RETRIEVE, ENOENT,
	  "no incoming session has this name: a cold boot, the previous kernel did not carry it (its fd was closed before the kexec), or it was already retrieved and closed" },
	{ LUO_STEP_RETRIEVE, EINVAL,
	  "the session was already retrieved and is still held (earlier in this chain, or by another process such as systemd)" },

	{ LUO_STEP_PRESERVE, EEXIST, "the token is already used in this session" },
	{ LUO_STEP_PRESERVE, ENOSPC,
	  "the session already holds 128 files, the limit of kernels before 7.2" },
	{ LUO_STEP_PRESERVE, EBADF, "the fd is not open, or is an O_PATH fd" },
	{ LUO_STEP_PRESERVE, ENOENT,
	  "this kind of file cannot be preserved (memfd only; not hugetlb memfds, files with a name, pipes, sockets or devices)" },
	{ LUO_STEP_PRESERVE, EBUSY,
	  "the file is already preserved in a session, or was retrieved from a session that is not finished yet" },
	{ LUO_STEP_PRESERVE, EINVAL,
	  "the session is an incoming one: only sessions created in this kernel take files" },
	{ LUO_STEP_PRESERVE, EOPNOTSUPP, "the memfd carries a seal LUO cannot preserve" },
	{ LUO_STEP_PRESERVE, EFBIG,
	  "the memfd is larger than LUO can preserve (2^32-1 pages)" },
	{ LUO_STEP_PRESERVE, ENOMEM,
	  "out of memory: LUO pins every page of a preserved memfd" },

	{ LUO_STEP_RETRIEVE_FD, ENOENT,
	  "no file is preserved under this token: an unknown token, or the session was already finished" },
	{ LUO_STEP_RETRIEVE_FD, EINVAL,
	  "the session is an outgoing one, or the preserved data is corrupt" },
	{ LUO_STEP_RETRIEVE_FD, EIO, "the preserved pages could not be restored" },
	{ LUO_STEP_RETRIEVE_FD, EOPNOTSUPP,
	  "the file was preserved with a seal this kernel does not know" },
	{ LUO_STEP_RETRIEVE_FD, ENOMEM, "out of memory while restoring the file" },

	{ LUO_STEP_FINISH, EBUSY,
	  "a file handler refused to finish: retrieve its file first (memfds never refuse)" },
	{ LUO_STEP_FINISH, EINVAL,
	  "the session is an outgoing one: only retrieved sessions can be finished" },

	{ LUO_STEP_GET_NAME, EINVAL, "the kernel has no GET_NAME (before Linux 7.2)" },
};

/* Errors any LUO ioctl can give, whatever the step. */
static const char *common_explanation(enum luo_step step, int err)
{
	if (step == LUO_STEP_OPEN)
		return NULL;
	switch (err) {
	case EMFILE:
		return "no free file descriptor in this process (RLIMIT_NOFILE)";
	case ENFILE:
		return "the system file table is full";
	case ENOTTY:
		return "the fd does not speak this LUO interface (not a LUO fd, or a 32-bit luoctl on a 64-bit kernel)";
	case EBADF:
		return "the session fd is not open";
	case E2BIG:
	case EFAULT:
		return "the kernel rejected luoctl's request structure (a luoctl bug)";
	default:
		return NULL;
	}
}

const char *luo_explain(enum luo_step step, int err)
{
	err = abs(err);
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (table[i].step == step && table[i].err == err)
			return table[i].text;
	return common_explanation(step, err);
}

static void vlog_luo(enum luo_step step, int err, const char *then, const char *fmt,
		     va_list ap)
{
	const char *why = luo_explain(step, err);
	char what[1024];

	vsnprintf(what, sizeof(what), fmt, ap);
	if (why)
		log_error("%s: %s (%s)%s%s", what, why, strerror(abs(err)), then ? "; " : "",
			  then ? then : "");
	else
		log_error("%s: %s%s%s", what, strerror(abs(err)), then ? "; " : "",
			  then ? then : "");
}

void log_luo(enum luo_step step, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_luo(step, err, NULL, fmt, ap);
	va_end(ap);
}

void log_luo_then(enum luo_step step, int err, const char *then, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_luo(step, err, then, fmt, ap);
	va_end(ap);
}
