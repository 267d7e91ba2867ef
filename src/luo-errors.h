// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What an errno means for each LUO step, in LUO's terms (luo-uapi.md §21), so
 * that messages name the cause and not only strerror. Used by every session
 * command; luoctl-create(8) and friends list the same table.
 */
#pragma once

#include <stdarg.h>

enum luo_step {
	LUO_STEP_OPEN,		/* open /dev/liveupdate */
	LUO_STEP_CREATE,	/* CREATE_SESSION */
	LUO_STEP_RETRIEVE,	/* RETRIEVE_SESSION */
	LUO_STEP_PRESERVE,	/* PRESERVE_FD */
	LUO_STEP_RETRIEVE_FD,	/* RETRIEVE_FD */
	LUO_STEP_FINISH,	/* FINISH */
	LUO_STEP_GET_NAME,	/* GET_NAME (7.2+) */
};

/* The explanation of err (positive or negative) at step, or NULL if none is known. */
const char *luo_explain(enum luo_step step, int err);

/*
 * One error line: "luoctl: CMD: <what>: <explanation> (<strerror>)", or
 * "<what>: <strerror>" when the table has nothing better.
 */
__attribute__((format(printf, 3, 4))) void log_luo(enum luo_step step, int err,
						   const char *fmt, ...);
/* The same line, then "; <then>": what became of the session after the failure. */
__attribute__((format(printf, 4, 5))) void log_luo_then(enum luo_step step, int err,
							const char *then,
							const char *fmt, ...);
