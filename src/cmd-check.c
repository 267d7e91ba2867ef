// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luoctl check: not built yet (no issue filed yet). It says so and fails, so that no
 * script mistakes it for a working step.
 */
#include "log.h"
#include "luoctl.h"

static int run_check(const struct luoctl_cmd *cmd, int argc, char *argv[])
{
	poptContext ctx;
	int rc = luoctl_parse(cmd, NULL, argc, argv, &ctx);

	if (rc)
		return rc;
	poptFreeContext(ctx);
	log_error("this command is not implemented yet in this version of luoctl");
	return LUOCTL_EXIT_FAILED;
}

const struct luoctl_cmd cmd_check = {
	.name = "check",
	.run = run_check,
	.summary = "tell whether this machine is ready for a live update",
	.synopsis = "[OPTIONS]",
};
