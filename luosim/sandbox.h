// SPDX-License-Identifier: LGPL-2.1-or-later
/* The simulated machine's namespaces and the tree's init (sandbox.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "luosim.h"

#define KEXEC_LOADED "/sys/kernel/kexec_loaded"
#define KHO_DEBUGFS  "/sys/kernel/debug/kho"

struct tree_args {
	char *const *argv;
	enum luo_mode mode;
	uint64_t boot;
	bool trap_open;
	bool share_net;			/* host network: the tree must not reconfigure it */
	int sock;		/* the listener goes to the supervisor through it */
	const char *kcore_path; /* simulated memory to bind over /proc/kcore */
};

/* CAP_SYS_ADMIN in the initial user namespace: no user namespace needed. */
bool sandbox_privileged(void);
/* Namespaces and mounts for the supervisor. 0 or -errno, *why names the step. */
int sandbox_enter(bool as_root, const char **why);
/* New PID (and network) namespace for the children to come. */
int sandbox_new_machine(bool share_net, const char **why);
pid_t sandbox_start_init(const struct tree_args *a);
int sandbox_recv_fd(int sock);
int sandbox_write_file(const char *path, const char *text);
