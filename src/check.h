// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luoctl check: the list of verdicts it builds (cmd-check.c for this
 * machine, check-next.c for the kernel given with --next).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "dlopen-libs.h"
#include "sysinfo.h"

enum check_status {
	CHECK_OK,
	CHECK_INFO,	/* a fact, no verdict */
	CHECK_WARN,	/* does not stop a live update, but matters */
	CHECK_UNKNOWN,	/* could not be read; blocks "ready" when the check is required */
	CHECK_FAIL,	/* stops a live update */
};

struct check_item {
	char id[48];		/* stable key, e.g. "config.LIVEUPDATE" */
	enum check_status status;
	char *value;		/* the fact read, or NULL */
	char *detail;		/* one line for people */
	char *fix;		/* what to do, or NULL */
};

struct check_list {
	struct check_item *v;
	size_t n;
	bool oom;
};

/* Add an item; detail and fix are printf formats (fix may be NULL). */
__attribute__((format(printf, 5, 6)))
void check_add(struct check_list *l, const char *id, enum check_status st,
	       const char *value, const char *detail, ...);
/* Set the fix of the last item added. */
__attribute__((format(printf, 2, 3)))
void check_fix(struct check_list *l, const char *fmt, ...);

/* Where the machine's files are: "" or the --root directory. */
struct check_ctx {
	const char *root;
	bool luosim;		/* running inside luosim: the kernel is emulated */
	char release[128];	/* the running kernel's */
	struct hover_formats running;	/* format names this kernel writes */
	bool running_known[HOVER_NR];
	const char *running_source;	/* where they were read */
};

/* ROOT + path into buf. */
const char *check_path(const struct check_ctx *c, char *buf, size_t len,
		       const char *path);

/*
 * Load an optional library (lib/dlopen-libs.h) for one check. When it cannot be
 * loaded: false, and once per library a warning item "library.SONAME" naming it
 * and, as its fix, the Debian package; the check that needed it says what was
 * not checked.
 */
bool check_lib(struct check_list *l, enum dlopen_lib lib);
/* The same for err from a helper that loads lib itself: true when err is its failure. */
bool check_lib_failed(struct check_list *l, enum dlopen_lib lib, int err);

/* The LUO Kconfig symbols of one kernel's config text (cmd-check.c). */
void check_kconfig(struct check_list *l, const char *prefix, const char *text, size_t len,
		   bool next);

/* --next RELEASE|IMAGE (check-next.c). */
void check_next(struct check_list *l, struct check_ctx *c, const char *next);
