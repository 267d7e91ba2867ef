// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Opening /dev/liveupdate. It allows one open file description system-wide
 * (luo-uapi.md §6.2), so two luoctl chains started together meet EBUSY for
 * the few milliseconds the other holds it: like flock -w, luoctl waits for
 * it, up to a bounded time, and names the holder when it gives up.
 */
#pragma once

#include <stddef.h>

/* How long create, retrieve and finish wait for a busy device by default. */
#define DEVICE_WAIT_DEFAULT_MS 10000

/* "--wait SECONDS": a non-negative decimal number of seconds. 0 or -EINVAL/-ERANGE. */
int device_wait_parse(const char *s, int *ms);

/*
 * Open the device, retrying while it is busy for up to wait_ms. Returns the
 * fd (close-on-exec) or -errno; -EBUSY once the wait is over.
 */
int device_open_wait(int wait_ms);

/* Who holds the device: "PID 123 (luod)"; "" when /proc does not tell. */
void device_find_holder(char *out, size_t size);
/* Does this very process hold it (an fd inherited by mistake)? Its fd, or -1. */
int device_held_here(void);

/*
 * The step: open it (*devfd) or print why not (naming the holder) and return
 * the exit status: LUOCTL_EXIT_UNAVAILABLE, or LUOCTL_EXIT_BUSY.
 */
int device_open_step(int wait_ms, int *devfd);
