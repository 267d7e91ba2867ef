// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luoctl: main, global options and the subcommand table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "luoctl.h"
#include "output.h"
#include "util.h"

int luoctl_json;
int luoctl_pretty;

/* The argv given to luoctl_parse(), for luoctl_args(). */
static int parsed_argc;
static char **parsed_argv;

static const struct luoctl_cmd *const commands[] = {
	&cmd_create,
	&cmd_preserve,
	&cmd_retrieve,
	&cmd_finish,
	&cmd_dump,
	&cmd_check,
};

static int show_help, show_version;

static const struct poptOption output_options[] = {
	{ "json", 'j', POPT_ARG_NONE, &luoctl_json, 0, "print JSON instead of text", NULL },
	{ "pretty", '\0', POPT_ARG_NONE, &luoctl_pretty, 0, "indent JSON output", NULL },
	POPT_TABLEEND
};

static const struct poptOption help_options[] = {
	{ "help", 'h', POPT_ARG_NONE, &show_help, 0, "display this help", NULL },
	POPT_TABLEEND
};

static const struct poptOption global_options[] = {
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, (void *)output_options, 0, NULL, NULL },
	{ "help", 'h', POPT_ARG_NONE, &show_help, 0, "display this help", NULL },
	{ "version", 'V', POPT_ARG_NONE, &show_version, 0, "display version", NULL },
	POPT_TABLEEND
};

/* One help line per option, util-linux layout: " -j, --json  text". */
static void print_option_lines(const struct poptOption *opts)
{
	for (const struct poptOption *o = opts; o->longName || o->shortName || o->arg; o++) {
		char left[80];
		int n = 0;

		if ((o->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE) {
			print_option_lines(o->arg);
			continue;
		}
		if (o->shortName)
			n += snprintf(left + n, sizeof(left) - n, "-%c%s", o->shortName,
				      o->longName ? ", " : "");
		else
			n += snprintf(left + n, sizeof(left) - n, "    ");
		if (o->longName)
			n += snprintf(left + n, sizeof(left) - n, "--%s", o->longName);
		if (o->argDescrip && n < (int)sizeof(left))
			snprintf(left + n, sizeof(left) - n, " %s", o->argDescrip);
		printf(" %-28s %s\n", left, o->descrip ? o->descrip : "");
	}
}

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
	print_option_lines(output_options);
	print_trailer("luoctl(8)");
}

void luoctl_print_cmd_help(const struct luoctl_cmd *cmd, const struct poptOption *opts)
{
	char page[64];

	printf("\nUsage:\n luoctl %s %s\n\n%s.\n\nOptions:\n", cmd->name, cmd->synopsis,
	       cmd->summary);
	if (opts)
		print_option_lines(opts);
	print_option_lines(output_options);
	snprintf(page, sizeof(page), "luoctl-%s(8)", cmd->name);
	printf(" -h, --help                   display this help\n");
	printf("\nFor more details see %s.\n", page);
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

/* --help and --version end the process here: they are complete answers. */
static void exit_after_stdout(void)
{
	int r = out_end();

	if (r < 0) {
		log_errno(r, "cannot write to standard output");
		exit(LUOCTL_EXIT_FAILED);
	}
	exit(EXIT_SUCCESS);
}

static int report_popt_error(poptContext ctx, int rc)
{
	log_usage("%s: %s", poptBadOption(ctx, POPT_BADOPTION_NOALIAS), poptStrerror(rc));
	return LUOCTL_EXIT_USAGE;
}

int luoctl_parse(const struct luoctl_cmd *cmd, const struct poptOption *opts, int argc,
		 char *argv[], poptContext *ctx)
{
	/* Static: the context keeps pointing at the table until it is freed. */
	static struct poptOption table[4];
	int rc;

	table[0] = (struct poptOption){ NULL, '\0', POPT_ARG_INCLUDE_TABLE, (void *)opts, 0,
					NULL, NULL };
	table[1] = (struct poptOption){ NULL, '\0', POPT_ARG_INCLUDE_TABLE,
					(void *)output_options, 0, NULL, NULL };
	table[2] = (struct poptOption){ NULL, '\0', POPT_ARG_INCLUDE_TABLE,
					(void *)help_options, 0, NULL, NULL };
	table[3] = (struct poptOption)POPT_TABLEEND;
	if (!opts)
		table[0] = table[1], table[1] = table[2], table[2] = table[3];

	parsed_argc = argc;
	parsed_argv = argv;
	*ctx = poptGetContext(cmd->name, argc, (const char **)argv, table,
			      POPT_CONTEXT_POSIXMEHARDER);
	while ((rc = poptGetNextOpt(*ctx)) > 0)
		;
	if (rc < -1) {
		rc = report_popt_error(*ctx, rc);
		*ctx = poptFreeContext(*ctx);
		return rc;
	}
	if (show_help) {
		*ctx = poptFreeContext(*ctx);
		luoctl_print_cmd_help(cmd, opts);
		exit_after_stdout();
	}
	return 0;
}

/*
 * popt hands back copies that die with the context; with POSIXMEHARDER the
 * arguments left are exactly the tail of argv, so return that tail instead:
 * it stays valid for exec after the context is freed.
 */
static const char **args_tail(poptContext ctx, int argc, char *argv[], int *count)
{
	static const char *none[] = { NULL };
	const char **args = poptGetArgs(ctx);
	int n = 0;

	if (!args)
		args = none;
	while (args[n])
		n++;
	if (count)
		*count = n;
	if (n == 0 || n > argc)
		return args == none ? none : args;
	for (int i = 0; i < n; i++)
		if (strcmp(args[i], argv[argc - n + i]) != 0)
			return args;
	return (const char **)argv + (argc - n);
}

const char **luoctl_args(poptContext ctx, int *count)
{
	return args_tail(ctx, parsed_argc, parsed_argv, count);
}

int luoctl_exec(char *const argv[], const char *after)
{
	int err;

	fflush(stdout);
	execvp(argv[0], argv);
	err = errno;
	log_errno(err, "cannot run \"%s\"%s", argv[0], after ? after : "");
	return err == ENOENT ? LUOCTL_EXIT_NOT_FOUND : LUOCTL_EXIT_CANNOT_EXEC;
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
	out_string(PRINT_JSON, "message", NULL, msg ? msg : "failed");
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
		exit_after_stdout();
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

int main(int argc, char *argv[])
{
	const struct luoctl_cmd *cmd;
	poptContext ctx;
	const char **rest;
	int nrest, rc;

	ctx = poptGetContext("luoctl", argc, (const char **)argv, global_options,
			     POPT_CONTEXT_POSIXMEHARDER);
	while ((rc = poptGetNextOpt(ctx)) > 0)
		;
	if (rc < -1) {
		rc = report_popt_error(ctx, rc);
		poptFreeContext(ctx);
		return rc;
	}
	if (show_help || show_version) {
		poptFreeContext(ctx);
		if (show_help)
			print_global_help();
		else
			print_version();
		exit_after_stdout();
	}
	rest = args_tail(ctx, argc, argv, &nrest);
	if (nrest == 0) {
		poptFreeContext(ctx);
		log_usage("no command given");
		return LUOCTL_EXIT_USAGE;
	}
	/* The subcommand parses its own options from a copy of what is left. */
	char **sub_argv = calloc(nrest + 1, sizeof(*sub_argv));

	if (!sub_argv) {
		poptFreeContext(ctx);
		log_errno(ENOMEM, "cannot start");
		return LUOCTL_EXIT_FAILED;
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
	if (rc && luoctl_json)
		print_json_error(rc);
	return rc;
}
