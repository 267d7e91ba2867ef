// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The optional libraries, loaded with dlopen() when a command first needs them
 * (systemd's dlopen_many_sym_or_warn, without the warn): a session command
 * never maps libkmod (and the libzstd, liblzma and libcrypto it pulls in), zlib
 * or libfdt, so the dynamic loader never binds them. Every use goes through a
 * sym_ pointer below, set by that library's dlopen_*() call.
 *
 * dlopen_*() returns 0 (at once when already loaded) or -errno and never
 * prints: -ELIBACC when the library cannot be loaded, -ELIBBAD when it lacks a
 * symbol. dlopen_describe() words the failure for the caller to print once:
 *   cannot load libkmod.so.2: cannot open shared object file: ... (install libkmod2)
 * The sonames come from configure (LIBKMOD_SONAME, ...), found by linking.
 */
#pragma once

#include <libfdt.h>
#include <libkmod.h>
#include <stddef.h>
#include <zlib.h>

/* A declaration, which parentheses would break. */
#define DLSYM_PROTOTYPE(f) __typeof__(f) *sym_##f // NOLINT(bugprone-macro-parentheses)

enum dlopen_lib { DLOPEN_LIBKMOD, DLOPEN_ZLIB, DLOPEN_LIBFDT, DLOPEN_NR };

int dlopen_lib(enum dlopen_lib lib);
static inline int dlopen_libkmod(void) { return dlopen_lib(DLOPEN_LIBKMOD); }
static inline int dlopen_zlib(void) { return dlopen_lib(DLOPEN_ZLIB); }
static inline int dlopen_libfdt(void) { return dlopen_lib(DLOPEN_LIBFDT); }

/* The soname ("libkmod.so.2") and the Debian package that ships it ("libkmod2"). */
const char *dlopen_soname(enum dlopen_lib lib);
const char *dlopen_package(enum dlopen_lib lib);
/* Why the load failed (dlerror(), without the soname), or "" when it did not. */
const char *dlopen_error(enum dlopen_lib lib);
/* "cannot load SONAME: WHY (install PACKAGE)" for err from dlopen_lib(lib); buf. */
const char *dlopen_describe(enum dlopen_lib lib, int err, char *buf, size_t len);

/* libkmod (check --next: modules of another kernel) */
extern DLSYM_PROTOTYPE(kmod_new);
extern DLSYM_PROTOTYPE(kmod_unref);
extern DLSYM_PROTOTYPE(kmod_set_log_fn);
extern DLSYM_PROTOTYPE(kmod_list_next);
extern DLSYM_PROTOTYPE(kmod_module_new_from_lookup);
extern DLSYM_PROTOTYPE(kmod_module_get_module);
extern DLSYM_PROTOTYPE(kmod_module_get_initstate);
extern DLSYM_PROTOTYPE(kmod_module_get_path);
extern DLSYM_PROTOTYPE(kmod_module_unref);
extern DLSYM_PROTOTYPE(kmod_module_unref_list);

/* zlib (check: /proc/config.gz, gzip kernel images); inflateInit2() is a macro */
extern DLSYM_PROTOTYPE(inflateInit2_);
extern DLSYM_PROTOTYPE(inflate);
extern DLSYM_PROTOTYPE(inflateEnd);

/* libfdt (dump's decoder, check's LUO blob, the hand-over builder) */
extern DLSYM_PROTOTYPE(fdt_check_full);
extern DLSYM_PROTOTYPE(fdt_getprop);
extern DLSYM_PROTOTYPE(fdt_strerror);
extern DLSYM_PROTOTYPE(fdt_create);
extern DLSYM_PROTOTYPE(fdt_finish_reservemap);
extern DLSYM_PROTOTYPE(fdt_begin_node);
extern DLSYM_PROTOTYPE(fdt_property);
extern DLSYM_PROTOTYPE(fdt_end_node);
extern DLSYM_PROTOTYPE(fdt_finish);
extern DLSYM_PROTOTYPE(fdt_open_into);
extern DLSYM_PROTOTYPE(fdt_add_subnode);
extern DLSYM_PROTOTYPE(fdt_setprop);
extern DLSYM_PROTOTYPE(fdt_pack);
