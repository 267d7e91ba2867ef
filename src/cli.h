// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Command-line plumbing shared by the dispatcher and the commands (the API
 * the commands use is in luoctl.h: luoctl_parse, luoctl_args, luoctl_exec,
 * luoctl_print_cmd_help). Defined in cli.c.
 */
#pragma once

#include <stdbool.h>

#include <popt.h>

/* -j/--json and --pretty: global, and accepted after every command too. */
extern const struct poptOption cli_output_options[];
/* One help line per option, util-linux layout: " -j, --json  text". */
void cli_print_option_lines(const struct poptOption *opts);
/* --help and --version end the process: flush stdout (an error if that fails), exit. */
__attribute__((noreturn)) void cli_exit_after_stdout(void);
/* A popt error as a usage error; returns LUOCTL_EXIT_USAGE. */
int cli_popt_error(poptContext ctx, int rc);
/* The arguments popt left, as the tail of argv when they are (they outlive ctx). */
const char **cli_args_tail(poptContext ctx, int argc, char *argv[], int *count);
/*
 * argv[1] is not an option (nor "--"): popt with POSIXMEHARDER would stop
 * there, parse nothing and leave argv + 1. The callers then set up no popt
 * context at all: `luoctl create NAME -- PROG` needs none (issue 12).
 */
bool cli_no_options(int argc, char *argv[]);
