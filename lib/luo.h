// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Thin wrapper over the /dev/liveupdate uAPI: one function per ioctl, no
 * policy. Every function returns a new fd, 0, or -errno exactly as the kernel
 * answered; name checks beyond "fits the 64-byte buffer" are the caller's.
 */
#pragma once

#include <stdint.h>

#include "luo-abi.h"

/* Open the device close-on-exec, read-write. path NULL means LUO_DEVICE_PATH. */
int luo_open_device(const char *path);
/* Session fds come back close-on-exec, as the kernel creates them. */
int luo_create_session(int devfd, const char *name);
int luo_retrieve_session(int devfd, const char *name);
int luo_preserve_fd(int sessionfd, int fd, uint64_t token);
int luo_retrieve_fd(int sessionfd, uint64_t token);
int luo_finish_session(int sessionfd);
/* name must hold LIVEUPDATE_SESSION_NAME_LENGTH bytes. -EINVAL before 7.2. */
int luo_get_session_name(int sessionfd, char *name);
