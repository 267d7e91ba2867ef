// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * dump, check and list, as the luoctl binary runs them: by exec'ing luoctl-full
 * with this process's own command line, untouched.
 *
 * Why: the session commands run at every step of a chain, so luoctl is linked
 * static-pie where it can be (no loader, no lazy binding: issue 12's cost goal).
 * dump, check and list dlopen() libfdt, libkmod and zlib, which a static binary
 * cannot do safely; luoctl-full is the same program with every command,
 * dynamically linked, in $(pkglibexecdir).
 *
 * Where: next to this executable first (the build tree, where both are built
 * side by side, so tests never pick up an installed copy), then the installed
 * path. Nothing has been printed or opened when this runs, so the helper starts
 * exactly as luoctl would have.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "luoctl.h"

#ifndef LUOCTL_FULL_PATH
#error "LUOCTL_FULL_PATH: where luoctl-full is installed (src/Makemodule.am)"
#endif

/* DIR/luoctl-full, DIR being this executable's directory; false if unknown. */
static bool sibling_path(char *path, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return false;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return false;
	*slash = '\0';
	return snprintf(path, size, "%s/luoctl-full", self) < (int)size;
}

static int cannot_run(const char *path, int err)
{
	log_errno(err, "cannot run %s (dump, check and list run there)", path);
	return LUOCTL_EXIT_FAILED;
}

static int run_delegated(const struct luoctl_cmd *cmd, int argc, char *argv[])
{
	char sibling[PATH_MAX];

	fflush(stdout);
	if (sibling_path(sibling, sizeof(sibling))) {
		execv(sibling, luoctl_argv);
		if (errno != ENOENT)
			return cannot_run(sibling, errno);
	}
	execv(LUOCTL_FULL_PATH, luoctl_argv);
	return cannot_run(LUOCTL_FULL_PATH, errno);
}

const struct luoctl_cmd cmd_dump = {
	CMD_DUMP_INFO,
	.run = run_delegated,
};

const struct luoctl_cmd cmd_check = {
	CMD_CHECK_INFO,
	.run = run_delegated,
};

const struct luoctl_cmd cmd_list = {
	CMD_LIST_INFO,
	.run = run_delegated,
};
