// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luoctl finish: not built yet (issue 4). It says so and fails, so that no
 * script mistakes it for a working step.
 */
#include "log.h"
#include "luoctl.h"

static int run_finish(const struct luoctl_cmd *cmd, int argc, char *argv[])
{
	poptContext ctx;
	int rc = luoctl_parse(cmd, NULL, argc, argv, &ctx);

	if (rc)
		return rc;
	poptFreeContext(ctx);
	log_error("this command is not implemented yet in this version of luoctl");
	return LUOCTL_EXIT_FAILED;
}

const struct luoctl_cmd cmd_finish = {
	.name = "finish",
	.run = run_finish,
	.summary = "finish an incoming session",
	.synopsis = "[OPTIONS] [NAME]",
};
