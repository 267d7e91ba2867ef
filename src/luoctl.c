// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luoctl: main, global options and the subcommand table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "luoctl.h"
#include "output.h"
#include "util.h"

static const struct luoctl_cmd *const commands[] = {
	&cmd_create,
	&cmd_preserve,
	&cmd_retrieve,
	&cmd_finish,
	&cmd_dump,
	&cmd_check,
	&cmd_list,
};

static int show_help, show_version;
char **luoctl_argv;

static const struct poptOption global_options[] = {
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, (void *)cli_output_options, 0, NULL, NULL },
	{ "help", 'h', POPT_ARG_NONE, &show_help, 0, "display this help", NULL },
	{ "version", 'V', POPT_ARG_NONE, &show_version, 0, "display version", NULL },
	POPT_TABLEEND
};

static void print_trailer(const char *page)
{
	printf(" -h, --help                   display this help\n");
	printf(" -V, --version                display version\n");
	printf("\nFor more details see %s.\n", page);
}

static void print_global_help(void)
{
	printf("\nUsage:\n luoctl [OPTIONS] COMMAND [ARGS...]\n\n");
	printf("Drive the Linux Live Update Orchestrator (/dev/liveupdate).\n\n");
	printf("Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		printf(" %-10s %s\n", commands[i]->name, commands[i]->summary);
	printf(" %-10s %s\n", "help", "show the help of luoctl or of one command");
	printf("\nOptions:\n");
	cli_print_option_lines(cli_output_options);
	print_trailer("luoctl(8)");
}

static void print_version(void)
{
	printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	printf("+POPT +FDT +KMOD +JSON %cSYSTEM_UAPI_HEADER\n",
#ifdef HAVE_LINUX_LIVEUPDATE_H
	       '+'
#else
	       '-'
#endif
	);
}

/* --json: a failure is a JSON object too, after the report if one was written. */
static void print_json_error(int rc)
{
	const char *msg = log_first_error();

	out_begin(true, luoctl_pretty);
	out_open_object(NULL);
	out_open_object("error");
	if (log_get_context())
		out_string(PRINT_JSON, "command", NULL, log_get_context());
	out_string(PRINT_JSON, "message", NULL, msg);
	out_i64(PRINT_JSON, "exit", NULL, rc);
	out_close_object();
	out_close_object();
	(void)out_end();
}

static const struct luoctl_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

/* `luoctl help [CMD]`: the same text as `luoctl [CMD] --help`. */
static int run_help(int argc, char *argv[])
{
	const struct luoctl_cmd *cmd;
	char *help_argv[] = { NULL, "--help", NULL };

	if (argc < 2) {
		print_global_help();
		cli_exit_after_stdout();
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		log_usage("unknown command \"%s\"", argv[1]);
		return LUOCTL_EXIT_USAGE;
	}
	log_set_context(cmd->name);
	help_argv[0] = (char *)cmd->name;
	return cmd->run(cmd, 2, help_argv);
}

/*
 * Every exit of main: with --json, an error is also a JSON object on stdout.
 * A verdict is not an error: `check` exiting 5 (not ready) said so in its report.
 */
static int ended(int rc)
{
	if (rc && luoctl_json && log_first_error())
		print_json_error(rc);
	return rc;
}

int main(int argc, char *argv[])
{
	const struct luoctl_cmd *cmd;
	poptContext ctx = NULL;
	const char **rest;
	int nrest, rc = -1;

	luoctl_argv = argv;
	/* `luoctl COMMAND ...`, the common case, has no global options to parse. */
	if (!cli_no_options(argc, argv)) {
		ctx = poptGetContext("luoctl", argc, (const char **)argv, global_options,
				     POPT_CONTEXT_POSIXMEHARDER);
		while ((rc = poptGetNextOpt(ctx)) > 0)
			;
	}
	if (rc < -1) {
		rc = cli_popt_error(ctx, rc);
		poptFreeContext(ctx);
		return ended(rc);
	}
	if (show_help || show_version) {
		poptFreeContext(ctx);
		if (show_help)
			print_global_help();
		else
			print_version();
		cli_exit_after_stdout();
	}
	if (ctx) {
		rest = cli_args_tail(ctx, argc, argv, &nrest);
		if (!rest) {
			poptFreeContext(ctx);
			log_errno(ENOMEM, "cannot start");
			return ended(LUOCTL_EXIT_FAILED);
		}
	} else {
		rest = (const char **)argv + (argc > 1 ? 1 : argc);
		nrest = argc > 1 ? argc - 1 : 0;
	}
	if (nrest == 0) {
		poptFreeContext(ctx);
		log_usage("no command given");
		return ended(LUOCTL_EXIT_USAGE);
	}
	/* The subcommand parses its own options from a copy of what is left. */
	char **sub_argv = calloc(nrest + 1, sizeof(*sub_argv));

	if (!sub_argv) {
		poptFreeContext(ctx);
		log_errno(ENOMEM, "cannot start");
		return ended(LUOCTL_EXIT_FAILED);
	}
	for (int i = 0; i < nrest; i++)
		sub_argv[i] = (char *)rest[i];
	poptFreeContext(ctx);

	if (strcmp(sub_argv[0], "help") == 0) {
		rc = run_help(nrest, sub_argv);
	} else if ((cmd = find_command(sub_argv[0])) != NULL) {
		log_set_context(cmd->name);
		rc = cmd->run(cmd, nrest, sub_argv);
	} else {
		log_usage("unknown command \"%s\"", sub_argv[0]);
		rc = LUOCTL_EXIT_USAGE;
	}
	free(sub_argv);
	return ended(rc);
}
