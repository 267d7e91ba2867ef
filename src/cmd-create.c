// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luoctl create: not built yet (issue 4). It says so and fails, so that no
 * script mistakes it for a working step.
 */
#include "log.h"
#include "luoctl.h"

static int run_create(const struct luoctl_cmd *cmd, int argc, char *argv[])
{
	poptContext ctx;
	int rc = luoctl_parse(cmd, NULL, argc, argv, &ctx);

	if (rc)
		return rc;
	poptFreeContext(ctx);
	log_error("this command is not implemented yet in this version of luoctl");
	return LUOCTL_EXIT_FAILED;
}

const struct luoctl_cmd cmd_create = {
	.name = "create",
	.run = run_create,
	.summary = "create an outgoing session and run a program holding it",
	.synopsis = "[OPTIONS] NAME [--] [PROG [ARG...]]",
};
