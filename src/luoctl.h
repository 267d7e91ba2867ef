// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The subcommand contract. Each src/cmd-*.c ends with one `struct luoctl_cmd`
 * and the table in luoctl.c lists them; help and completion lists come from
 * that table.
 */
#pragma once

#include <popt.h>
#include <stdbool.h>

/* Exit status, documented in luoctl(8) under EXIT STATUS. */
enum {
	LUOCTL_EXIT_FAILED = 1,		/* an operation failed: the kernel refused, or I/O */
	LUOCTL_EXIT_USAGE = 2,		/* bad command line */
	LUOCTL_EXIT_UNAVAILABLE = 3,	/* no LUO here: /dev/liveupdate absent or not accessible */
	LUOCTL_EXIT_BUSY = 4,		/* another process holds /dev/liveupdate */
	LUOCTL_EXIT_NOT_READY = 5,	/* check: not ready for a live update, or cannot tell */
	LUOCTL_EXIT_CANNOT_EXEC = 126,	/* the chained program exists but cannot run */
	LUOCTL_EXIT_NOT_FOUND = 127,	/* the chained program was not found */
};

struct luoctl_cmd {
	const char *name;
	/* argv[0] is the subcommand name; returns the process exit status. */
	int (*run)(const struct luoctl_cmd *cmd, int argc, char *argv[]);
	const char *summary;	/* one line for `luoctl --help` */
	const char *synopsis;	/* arguments after "luoctl NAME", e.g. "[OPTIONS] NAME [PROG...]" */
};

/* Global output options: `luoctl --json CMD` or `luoctl CMD --json`. */
extern int luoctl_json;	/* int: popt stores through an int pointer */
extern int luoctl_pretty;

/*
 * Parse a subcommand's options. Adds -h/--help, -j/--json and --pretty, stops
 * at the first non-option (so a chained program's options pass untouched) and
 * at "--". --help prints the generated help and exits 0. Returns 0 with *ctx
 * set (free it with poptFreeContext), or an exit status on a usage error.
 * Options must store through their arg pointers (or use POPT_ARG_CALLBACK).
 */
int luoctl_parse(const struct luoctl_cmd *cmd, const struct poptOption *opts, int argc,
		 char *argv[], poptContext *ctx);

/*
 * luoctl_parse and the arguments left after the options, the context freed:
 * no state kept anywhere. *args is NULL-terminated, never NULL itself, and
 * points into argv. A "--" that follows the first argument is kept (popt only
 * consumes one that comes before it).
 */
int luoctl_parse_args(const struct luoctl_cmd *cmd, const struct poptOption *opts,
		      int argc, char *argv[], const char ***args);

/*
 * A DIR option (--root) names an existing directory; else print why, blaming
 * the option, and return LUOCTL_EXIT_USAGE. 0 when it does.
 */
int cli_check_dir_option(const char *option, const char *dir);
/* Arguments left over where a command takes none: print which, LUOCTL_EXIT_USAGE. */
int cli_no_arguments(const struct luoctl_cmd *cmd, const char **args);
/*
 * Flush stdout and execvp() argv. Returns only on failure: -errno, printing
 * nothing (the caller's message says what became of its sessions).
 */
int luoctl_exec(char *const argv[]);

/* Prints the generated help of one subcommand to stdout. */
void luoctl_print_cmd_help(const struct luoctl_cmd *cmd, const struct poptOption *opts);

extern const struct luoctl_cmd cmd_create;
extern const struct luoctl_cmd cmd_preserve;
extern const struct luoctl_cmd cmd_retrieve;
extern const struct luoctl_cmd cmd_finish;
extern const struct luoctl_cmd cmd_dump;
extern const struct luoctl_cmd cmd_check;
extern const struct luoctl_cmd cmd_list;

/*
 * dump, check and list live in luoctl-full, which can dlopen() their libraries;
 * the luoctl binary (static-pie where it can be) lists them with these same
 * names and summaries and runs luoctl-full for them (src/cmd-delegated.c).
 */
#define CMD_DUMP_INFO .name = "dump", \
	.summary = "decode the Kexec HandOver (KHO) data", \
	.synopsis = "[OPTIONS] [FILE|DIR|-]"
#define CMD_CHECK_INFO .name = "check", \
	.summary = "tell whether this machine is ready for a live update", \
	.synopsis = "[--next RELEASE|IMAGE] [--root DIR] [-q]"
#define CMD_LIST_INFO .name = "list", \
	.summary = "show the sessions held on this machine", \
	.synopsis = "[--root DIR]"

/* main()'s argv, untouched: what luoctl-full is run with. */
extern char **luoctl_argv;
