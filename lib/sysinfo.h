// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Facts about a kernel for `luoctl check`: its Kconfig, its command line, the
 * hand-over format names inside its image. Pure parsers over buffers (unit
 * tested) plus the few readers that need files or a decompressor. All return
 * 0 or -errno and never print.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- files -------------------------------------------------------------- */

/* The whole file, NUL-terminated (the NUL is not counted in *len). At most max bytes. */
int read_file_all(const char *path, size_t max, char **buf, size_t *len);

/*
 * gzip (or zlib) data to a new NUL-terminated buffer of at most max bytes.
 * zlib is loaded on the first call: -ELIBACC or -ELIBBAD when it cannot be.
 */
int gunzip_buf(const void *in, size_t len, size_t max, char **out, size_t *outlen);

/* ---- Kconfig ------------------------------------------------------------ */

enum kconfig_state {
	KCONFIG_ABSENT,	/* the symbol is not in the file at all */
	KCONFIG_NO,	/* "# CONFIG_X is not set" */
	KCONFIG_YES,	/* =y */
	KCONFIG_MODULE,	/* =m */
	KCONFIG_VALUE,	/* a string or number */
};

/* State of SYM ("CONFIG_..." or without the prefix) in a .config text. */
enum kconfig_state kconfig_get(const char *text, size_t len, const char *sym);
/* True if the text has at least one CONFIG_ assignment or "is not set" line. */
bool kconfig_plausible(const char *text, size_t len);

/* ---- kernel command line ------------------------------------------------ */

/*
 * The value of the last PARAM on a kernel command line (as the kernel's
 * early_param sees it: later ones win; everything after " -- " is init's).
 * Returns 1 with val set ("" for a bare PARAM), 0 if absent.
 */
int cmdline_get(const char *cmdline, const char *param, char *val, size_t vlen);
/* The kernel's kstrtobool(): y/Y/1/on/t/T true, n/N/0/off/f/F false; else -EINVAL. */
int kstrtobool_text(const char *s, bool *v);

/* ---- hand-over format names --------------------------------------------- */

enum hover_family {
	HOVER_KHO,		/* "kho-vN": the root KHO FDT */
	HOVER_LUO,		/* "luo-vN": the LUO blob */
	HOVER_LUO_SESSION,	/* "luo-session-vN" (LUO as FDT, E2-E5) */
	HOVER_LUO_FLB,		/* "luo-flb-vN" */
	HOVER_MEMFD,		/* "memfd-vN": the memfd file handler */
	HOVER_NR,
};

/* Versions seen per family: bit N set for "...-vN" (N < 64). */
struct hover_formats {
	uint64_t seen[HOVER_NR];
};

const char *hover_family_prefix(enum hover_family f);
/*
 * Add every format name found in buf: a prefix, decimal digits, then NUL or
 * ';', not preceded by a name character (kernel string literals, FDT
 * property values, composite "kho-v4;radix-v1").
 */
void hover_scan(const void *buf, size_t len, struct hover_formats *out);
/* The highest version seen of f, or -1. */
int hover_highest(const struct hover_formats *h, enum hover_family f);

/* ---- kernel images ------------------------------------------------------ */

enum image_comp {
	COMP_NONE, COMP_GZIP, COMP_XZ, COMP_ZSTD,
	COMP_LZMA, COMP_BZIP2, COMP_LZ4, COMP_LZO,
};

const char *image_comp_name(enum image_comp c);
enum image_comp image_comp_detect(const void *buf, size_t len);

struct bzimage_info {
	size_t payload_off, payload_len;
	enum image_comp comp;
	char version[128];	/* the header's kernel_version string, or "" */
};

/* An x86 bzImage header (boot protocol 2.08+). -EINVAL if buf is not one. */
int bzimage_parse(const void *buf, size_t len, struct bzimage_info *bi);

/* The release (first word) after "Linux version " in a decompressed image. */
int image_linux_version(const void *buf, size_t len, char *rel, size_t rlen);
/* The release: the first word of a kernel_version string. */
void release_from_version(const char *version, char *rel, size_t rlen);

/*
 * The kernel's own .config when built with CONFIG_IKCONFIG (the gzip data
 * between "IKCFG_ST" and "IKCFG_ED"). -ENOENT if the image has none.
 */
int image_ikconfig(const void *buf, size_t len, char **config, size_t *clen);

/*
 * Decompress buf in comp's format: gzip in process (zlib), the others with
 * their standard tool (xz, zstd, bzip2, lz4, lzop) run on a memfd. -ENOENT
 * when the tool is missing, -EIO when it fails. *tool names it.
 */
int image_decompress(const void *buf, size_t len, enum image_comp comp, size_t max,
		     char **out, size_t *outlen, const char **tool);

/*
 * A kernel image file (bzImage, compressed Image, or raw vmlinux) to its
 * decompressed bytes, and the release it names ("" if none). Same errors.
 */
int image_load(const char *path, char **out, size_t *outlen, char *rel, size_t rlen,
	       const char **tool);
