// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The one place that decides which LUO uAPI header is used: the system's
 * <linux/liveupdate.h> when configure found it, our copy otherwise.
 */
#pragma once

#ifdef HAVE_LINUX_LIVEUPDATE_H
#include <linux/liveupdate.h>
#else
#include "../include/uapi/linux/liveupdate.h"
#endif

/* A 6.19-era system header has no GET_NAME (added in 7.2). */
#ifndef LIVEUPDATE_SESSION_GET_NAME
#define LIVEUPDATE_CMD_SESSION_GET_NAME_NR 0x43
struct liveupdate_session_get_name {
	__u32 size;
	__u32 reserved;
	__u8 name[LIVEUPDATE_SESSION_NAME_LENGTH];
};
#define LIVEUPDATE_SESSION_GET_NAME _IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_SESSION_GET_NAME_NR)
#endif

/* Longest session name the kernel stores (the buffer holds a NUL too). */
#define LUO_NAME_MAX (LIVEUPDATE_SESSION_NAME_LENGTH - 1)
#define LUO_DEVICE_PATH "/dev/liveupdate"
