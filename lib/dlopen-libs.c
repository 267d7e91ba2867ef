// SPDX-License-Identifier: LGPL-2.1-or-later
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dlopen-libs.h"

DLSYM_PROTOTYPE(kmod_new);
DLSYM_PROTOTYPE(kmod_unref);
DLSYM_PROTOTYPE(kmod_set_log_fn);
DLSYM_PROTOTYPE(kmod_list_next);
DLSYM_PROTOTYPE(kmod_module_new_from_lookup);
DLSYM_PROTOTYPE(kmod_module_get_module);
DLSYM_PROTOTYPE(kmod_module_get_initstate);
DLSYM_PROTOTYPE(kmod_module_get_path);
DLSYM_PROTOTYPE(kmod_module_unref);
DLSYM_PROTOTYPE(kmod_module_unref_list);

DLSYM_PROTOTYPE(inflateInit2_);
DLSYM_PROTOTYPE(inflate);
DLSYM_PROTOTYPE(inflateEnd);

DLSYM_PROTOTYPE(fdt_check_full);
DLSYM_PROTOTYPE(fdt_getprop);
DLSYM_PROTOTYPE(fdt_strerror);
DLSYM_PROTOTYPE(fdt_create);
DLSYM_PROTOTYPE(fdt_finish_reservemap);
DLSYM_PROTOTYPE(fdt_begin_node);
DLSYM_PROTOTYPE(fdt_property);
DLSYM_PROTOTYPE(fdt_end_node);
DLSYM_PROTOTYPE(fdt_finish);
DLSYM_PROTOTYPE(fdt_open_into);
DLSYM_PROTOTYPE(fdt_add_subnode);
DLSYM_PROTOTYPE(fdt_setprop);
DLSYM_PROTOTYPE(fdt_pack);

struct dlsym_entry {
	const char *name;
	void **ptr;
};

#define DLSYM_ARG(f) { #f, (void **)&sym_##f }

static const struct dlsym_entry kmod_syms[] = {
	DLSYM_ARG(kmod_new),
	DLSYM_ARG(kmod_unref),
	DLSYM_ARG(kmod_set_log_fn),
	DLSYM_ARG(kmod_list_next),
	DLSYM_ARG(kmod_module_new_from_lookup),
	DLSYM_ARG(kmod_module_get_module),
	DLSYM_ARG(kmod_module_get_initstate),
	DLSYM_ARG(kmod_module_get_path),
	DLSYM_ARG(kmod_module_unref),
	DLSYM_ARG(kmod_module_unref_list),
	{ NULL, NULL },
};

static const struct dlsym_entry zlib_syms[] = {
	DLSYM_ARG(inflateInit2_),
	DLSYM_ARG(inflate),
	DLSYM_ARG(inflateEnd),
	{ NULL, NULL },
};

static const struct dlsym_entry fdt_syms[] = {
	DLSYM_ARG(fdt_check_full),
	DLSYM_ARG(fdt_getprop),
	DLSYM_ARG(fdt_strerror),
	DLSYM_ARG(fdt_create),
	DLSYM_ARG(fdt_finish_reservemap),
	DLSYM_ARG(fdt_begin_node),
	DLSYM_ARG(fdt_property),
	DLSYM_ARG(fdt_end_node),
	DLSYM_ARG(fdt_finish),
	DLSYM_ARG(fdt_open_into),
	DLSYM_ARG(fdt_add_subnode),
	DLSYM_ARG(fdt_setprop),
	DLSYM_ARG(fdt_pack),
	{ NULL, NULL },
};

static struct dlopen_state {
	const char *soname;
	const char *package; /* Debian's, named in the message when the load fails */
	const struct dlsym_entry *syms;
	int result;	     /* 0 not tried yet, 1 loaded, -errno failed */
	char why[256];	     /* dlerror() of the failure */
} libs[DLOPEN_NR] = {
	[DLOPEN_LIBKMOD] = { LIBKMOD_SONAME, "libkmod2", kmod_syms, 0, "" },
	[DLOPEN_ZLIB] = { ZLIB_SONAME, "zlib1g", zlib_syms, 0, "" },
	[DLOPEN_LIBFDT] = { LIBFDT_SONAME, "libfdt1", fdt_syms, 0, "" },
};

/* dlerror() text, without the "SONAME: " it starts with when the soname is at fault. */
static void keep_dlerror(struct dlopen_state *s)
{
	const char *e = dlerror();
	size_t n = strlen(s->soname);

	if (!e)
		e = "unknown dlopen error";
	else if (strncmp(e, s->soname, n) == 0 && strncmp(e + n, ": ", 2) == 0)
		e += n + 2;
	snprintf(s->why, sizeof(s->why), "%s", e);
}

/* All the symbols or none: a library missing one is not used at all. */
static int load(struct dlopen_state *s)
{
	void *h = dlopen(s->soname, RTLD_NOW | RTLD_NODELETE);

	if (!h) {
		keep_dlerror(s);
		return -ELIBACC;
	}
	for (const struct dlsym_entry *e = s->syms; e->name; e++) {
		*e->ptr = dlsym(h, e->name);
		if (!*e->ptr) {
			keep_dlerror(s);
			for (const struct dlsym_entry *u = s->syms; u != e; u++)
				*u->ptr = NULL;
			dlclose(h);
			return -ELIBBAD;
		}
	}
	/* RTLD_NODELETE: the library stays mapped; the handle is not needed. */
	return 1;
}

int dlopen_lib(enum dlopen_lib lib)
{
	struct dlopen_state *s;

	if ((unsigned int)lib >= DLOPEN_NR)
		return -EINVAL;
	s = &libs[lib];
	if (s->result == 0)
		s->result = load(s);
	return s->result > 0 ? 0 : s->result;
}

const char *dlopen_soname(enum dlopen_lib lib)
{
	return (unsigned int)lib < DLOPEN_NR ? libs[lib].soname : "?";
}

const char *dlopen_package(enum dlopen_lib lib)
{
	return (unsigned int)lib < DLOPEN_NR ? libs[lib].package : "?";
}

const char *dlopen_error(enum dlopen_lib lib)
{
	return (unsigned int)lib < DLOPEN_NR ? libs[lib].why : "";
}

const char *dlopen_describe(enum dlopen_lib lib, int err, char *buf, size_t len)
{
	const char *why = dlopen_error(lib);

	if (!why[0])
		why = strerror(err < 0 ? -err : err);

	snprintf(buf, len, "cannot load %s: %s (install %s)", dlopen_soname(lib), why,
		 dlopen_package(lib));
	return buf;
}
