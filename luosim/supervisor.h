// SPDX-License-Identifier: LGPL-2.1-or-later
/* One boot of the simulated machine (supervisor.c). */
#pragma once

#include <stdint.h>

#include "luosim.h"

struct boot_config {
	enum luo_mode mode;
	const char *state_dir;
	uint64_t boot; /* LUOSIM_BOOT: the liveupdate number */
	uint32_t kexec_count;
	const char *release;
};

/* Runs in its own process. 0 or -errno (already reported); *r says how it ended. */
int supervise_boot(const struct luosim_opts *o, const struct boot_config *cfg,
		   struct boot_result *r);
