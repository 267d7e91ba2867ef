// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luoctl retrieve: not built yet (issue 4). It says so and fails, so that no
 * script mistakes it for a working step.
 */
#include "log.h"
#include "luoctl.h"

static int run_retrieve(const struct luoctl_cmd *cmd, int argc, char *argv[])
{
	poptContext ctx;
	int rc = luoctl_parse(cmd, NULL, argc, argv, &ctx);

	if (rc)
		return rc;
	poptFreeContext(ctx);
	log_error("this command is not implemented yet in this version of luoctl");
	return LUOCTL_EXIT_FAILED;
}

const struct luoctl_cmd cmd_retrieve = {
	.name = "retrieve",
	.run = run_retrieve,
	.summary = "retrieve an incoming session and its fds, and run a program with them",
	.synopsis = "[OPTIONS] NAME [--] [PROG [ARG...]]",
};
