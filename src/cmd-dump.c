// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luoctl dump: not built yet (issue 5). It says so and fails, so that no
 * script mistakes it for a working step.
 */
#include "log.h"
#include "luoctl.h"

static int run_dump(const struct luoctl_cmd *cmd, int argc, char *argv[])
{
	poptContext ctx;
	int rc = luoctl_parse(cmd, NULL, argc, argv, &ctx);

	if (rc)
		return rc;
	poptFreeContext(ctx);
	log_error("this command is not implemented yet in this version of luoctl");
	return LUOCTL_EXIT_FAILED;
}

const struct luoctl_cmd cmd_dump = {
	.name = "dump",
	.run = run_dump,
	.summary = "decode the Kexec HandOver (KHO) data",
	.synopsis = "[OPTIONS] [FILE|DIR|-]",
};
