// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The command-line plumbing every command uses: the --json/--pretty/--help
 * tables, option parsing, generated help, the final exec. The dispatcher in
 * luoctl.c uses it too; nothing here calls back into the dispatcher.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "luoctl.h"
#include "output.h"

int luoctl_json;
int luoctl_pretty;

/* --help of a subcommand (main has its own). */
static int show_help;

const struct poptOption cli_output_options[] = {
	{ "json", 'j', POPT_ARG_NONE, &luoctl_json, 0, "print JSON instead of text", NULL },
	{ "pretty", '\0', POPT_ARG_NONE, &luoctl_pretty, 0, "indent JSON output", NULL },
	POPT_TABLEEND
};

static const struct poptOption help_options[] = {
	{ "help", 'h', POPT_ARG_NONE, &show_help, 0, "display this help", NULL },
	POPT_TABLEEND
};

/* One help line per option, util-linux layout: " -j, --json  text". */
void cli_print_option_lines(const struct poptOption *opts)
{
	for (const struct poptOption *o = opts; o->longName || o->shortName || o->arg; o++) {
		char left[80];
		int n = 0;

		if ((o->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE) {
			cli_print_option_lines(o->arg);
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

void luoctl_print_cmd_help(const struct luoctl_cmd *cmd, const struct poptOption *opts)
{
	char page[64];

	printf("\nUsage:\n luoctl %s %s\n\n%s.\n\nOptions:\n", cmd->name, cmd->synopsis,
	       cmd->summary);
	if (opts)
		cli_print_option_lines(opts);
	cli_print_option_lines(cli_output_options);
	snprintf(page, sizeof(page), "luoctl-%s(8)", cmd->name);
	printf(" -h, --help                   display this help\n");
	printf("\nFor more details see %s.\n", page);
}

/* --help and --version end the process here: they are complete answers. */
void cli_exit_after_stdout(void)
{
	int r = out_end();

	if (r < 0) {
		log_errno(r, "cannot write to standard output");
		exit(LUOCTL_EXIT_FAILED);
	}
	exit(EXIT_SUCCESS);
}

int cli_popt_error(poptContext ctx, int rc)
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
					(void *)cli_output_options, 0, NULL, NULL };
	table[2] = (struct poptOption){ NULL, '\0', POPT_ARG_INCLUDE_TABLE,
					(void *)help_options, 0, NULL, NULL };
	table[3] = (struct poptOption)POPT_TABLEEND;
	if (!opts)
		table[0] = table[1], table[1] = table[2], table[2] = table[3];

	*ctx = poptGetContext(cmd->name, argc, (const char **)argv, table,
			      POPT_CONTEXT_POSIXMEHARDER);
	while ((rc = poptGetNextOpt(*ctx)) > 0)
		;
	if (rc < -1) {
		rc = cli_popt_error(*ctx, rc);
		*ctx = poptFreeContext(*ctx);
		return rc;
	}
	if (show_help) {
		*ctx = poptFreeContext(*ctx);
		luoctl_print_cmd_help(cmd, opts);
		cli_exit_after_stdout();
	}
	return 0;
}

/*
 * popt's leftovers as an array that outlives the context: a copy kept until
 * exit, NULL when memory is short. Each copy links the one before it in the
 * slot after its NULL, so all stay reachable from `kept` (not leaks).
 */
static const char **args_keep(const char **args, int n)
{
	static const char **kept;
	const char **copy = calloc((size_t)n + 2, sizeof(*copy));

	for (int i = 0; copy && i < n; i++) {
		copy[i] = strdup(args[i]);
		if (!copy[i]) {
			while (i--)
				free((char *)copy[i]);
			free(copy);
			copy = NULL;
		}
	}
	if (copy) {
		copy[n + 1] = (const char *)kept;
		kept = copy;
	}
	return copy;
}

/*
 * popt hands back copies that die with the context; with POSIXMEHARDER the
 * arguments left are exactly the tail of argv, so return that tail instead:
 * it stays valid for exec after the context is freed. Should popt ever hand
 * back something else, a copy is returned (NULL when out of memory).
 */
const char **cli_args_tail(poptContext ctx, int argc, char *argv[], int *count)
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
	if (n == 0)
		return none;
	if (n > argc)
		return args_keep(args, n);
	for (int i = 0; i < n; i++)
		if (strcmp(args[i], argv[argc - n + i]) != 0)
			return args_keep(args, n);
	return (const char **)argv + (argc - n);
}

int cli_check_dir_option(const char *option, const char *dir)
{
	struct stat st;

	if (!dir[0]) {
		log_usage("%s: the path is empty", option);
		return LUOCTL_EXIT_USAGE;
	}
	if (stat(dir, &st) < 0) {
		log_errno(errno, "%s %s: cannot use it as the root directory", option, dir);
		return LUOCTL_EXIT_USAGE;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_usage("%s %s: not a directory", option, dir);
		return LUOCTL_EXIT_USAGE;
	}
	return 0;
}

int cli_no_arguments(const struct luoctl_cmd *cmd, const char **args)
{
	if (!args[0])
		return 0;
	log_usage("unexpected argument \"%s\": luoctl %s takes options only", args[0],
		  cmd->name);
	return LUOCTL_EXIT_USAGE;
}

bool cli_no_options(int argc, char *argv[])
{
	return argc < 2 || argv[1][0] != '-' || argv[1][1] == '\0';
}

int luoctl_exec(char *const argv[])
{
	fflush(stdout);
	execvp(argv[0], argv);
	return -errno;
}

int luoctl_parse_args(const struct luoctl_cmd *cmd, const struct poptOption *opts,
		      int argc, char *argv[], const char ***args)
{
	poptContext ctx;
	int rc;

	if (cli_no_options(argc, argv)) {
		*args = (const char **)argv + (argc > 1 ? 1 : argc);
		return 0;
	}
	rc = luoctl_parse(cmd, opts, argc, argv, &ctx);
	if (rc)
		return rc;
	*args = cli_args_tail(ctx, argc, argv, NULL);
	poptFreeContext(ctx);
	if (!*args) {
		log_errno(ENOMEM, "cannot parse the command line");
		return LUOCTL_EXIT_FAILED;
	}
	return 0;
}
