// SPDX-License-Identifier: LGPL-2.1-or-later
/* The KHO debugfs view and simulated physical memory of one boot (kho-view.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "luosim.h"

/* Where the simulated physical memory lives; bound over /proc/kcore if it exists. */
#define KHO_KCORE_DIR "/sys/kernel/debug/luosim"
#define KHO_KCORE     KHO_KCORE_DIR "/kcore"

struct kho_view_config {
	enum luo_mode mode;
	uint64_t boot;		  /* this boot's liveupdate number */
	uint32_t kexec_count;	  /* the incoming kexec-metadata count (0 cold) */
	const char *release;	  /* this kernel's release */
	const char *prev_release; /* the previous kernel's, after a KHO boot */
	bool kho_boot;		  /* booted by a kexec that carried KHO data */
};

/* Write out/, in/ (after a KHO boot) and the memory file. 0 or -errno. */
int kho_view_publish(const struct kho_view_config *v, const struct luo_emu *e);

/*
 * 7.2 mode, not after a KHO boot: the kernel adds what CREATE_SESSION and
 * PRESERVE_FD preserve to the outgoing memory map, so the memory file must
 * show the sessions held when it is read. Rewriting it at every ioctl cost
 * O(files) per PRESERVE_FD (a 400-file create took 32 s); instead the
 * supervisor calls kho_view_flush() when it sees the file being opened, which
 * rewrites it if the held sessions, tokens or files' state differ from what it
 * shows. out/ stays as published at boot. Otherwise a no-op. 0 or -errno.
 */
int kho_view_flush(const struct kho_view_config *v, const struct luo_emu *e);
