// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luoctl check --next RELEASE|IMAGE: the kernel this machine will kexec into.
 * Its configuration (/boot/config-RELEASE, or the image's own IKCONFIG), its
 * modules through libkmod (built in, module or missing, from its
 * /lib/modules/RELEASE indexes), and the hand-over format names inside its
 * image compared with the ones this kernel writes.
 *
 * This kernel's formats come from what it exposes in KHO debugfs (the root
 * FDT's compatible, the LUO blob's version) and, for the file handlers that
 * only write at the kexec (memfd), from its own image in /boot when readable.
 * /proc/kcore would also hold them, but reading kernel memory for a string
 * is out of proportion.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "procscan.h"

#define KHO_DIR "/sys/kernel/debug/kho"

/* Handlers an operator may need; LUO itself and memfd are Kconfig bools. */
static const char *const next_modules[] = { "vfio-pci", "iommufd", "kvm" };

static void scan_file(const struct check_ctx *c, const char *rel, struct hover_formats *h,
		      bool *any)
{
	char path[4096], *buf;
	size_t len;

	check_path(c, path, sizeof(path), rel);
	if (read_file_all(path, 1 << 20, &buf, &len) == 0) {
		hover_scan(buf, len, h);
		*any = true;
		free(buf);
	}
}

/* What this kernel writes: debugfs first, then its image for the rest. */
static void gather_running(struct check_list *l, struct check_ctx *c)
{
	static const char *const blobs[] = {
		KHO_DIR "/out/fdt", KHO_DIR "/in/fdt", KHO_DIR "/out/sub_fdts/LUO",
	};
	struct hover_formats dbg = { 0 }, img = { 0 };
	char path[4096], rel[128];
	const char *tool;
	bool any = false;
	char *buf;
	size_t len;

	for (size_t i = 0; i < sizeof(blobs) / sizeof(blobs[0]); i++)
		scan_file(c, blobs[i], &dbg, &any);
	snprintf(path, sizeof(path), "%s/boot/vmlinuz-%s", c->root, c->release);
	if (!c->luosim) {
		int err = image_load(path, &buf, &len, rel, sizeof(rel), &tool);

		if (!err) {
			hover_scan(buf, len, &img);
			free(buf);
		}
		check_lib_failed(l, DLOPEN_ZLIB, err);
	}
	for (int f = 0; f < HOVER_NR; f++) {
		/* debugfs shows the version in use; an image may name older ones too. */
		int v = hover_highest(dbg.seen[f] ? &dbg : &img, f);

		c->running_known[f] = v >= 0;
		c->running.seen[f] = v >= 0 ? UINT64_C(1) << v : 0;
	}
	c->running_source = any ? "KHO debugfs" : "its image";
}

static void format_set(const struct hover_formats *h, enum hover_family f, char *buf,
		       size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int v = 0; v < 64; v++)
		if (h->seen[f] & (UINT64_C(1) << v))
			n += snprintf(buf + n, n < len ? len - n : 0, "%s%s%d", n ? "," : "",
				      hover_family_prefix(f), v);
}

static void compare_family(struct check_list *l, const struct check_ctx *c,
			   const struct hover_formats *next, enum hover_family f)
{
	const char *pre = hover_family_prefix(f);
	int v = hover_highest(&c->running, f);
	char id[48], have[256];
	bool needed = f == HOVER_KHO || f == HOVER_LUO || f == HOVER_MEMFD;

	snprintf(id, sizeof(id), "next.format.%.*s", (int)strlen(pre) - 2, pre);
	format_set(next, f, have, sizeof(have));
	if (v < 0 && next->seen[f] && c->luosim) {
		/* luosim has no image; it refuses a hand-over of another version itself. */
		check_add(l, id, CHECK_INFO, have,
			  "the next kernel reads %s; luosim does not show what it writes", have);
		return;
	}
	if (v < 0) {
		if (next->seen[f])
			check_add(l, id, needed ? CHECK_UNKNOWN : CHECK_INFO, have,
				  "the next kernel reads %s; what this kernel writes could not be read",
				  have);
		if (next->seen[f] && needed)
			check_fix(l, "run as root with debugfs mounted, or install /boot/vmlinuz-%s",
				  c->release);
		return;
	}
	if (next->seen[f] & (UINT64_C(1) << v)) {
		check_add(l, id, CHECK_OK, have, "this kernel writes %s%d, the next reads it", pre,
			  v);
		return;
	}
	check_add(l, id, CHECK_FAIL, have[0] ? have : NULL,
		  "this kernel writes %s%d, the next kernel reads %s: it cannot take over what is preserved",
		  pre, v, have[0] ? have : "none");
	check_fix(l, "kexec into a kernel with the same hand-over formats (the same LUO version)");
}

static void check_formats(struct check_list *l, struct check_ctx *c,
			  const struct hover_formats *next)
{
	gather_running(l, c);
	for (int f = 0; f < HOVER_NR; f++)
		compare_family(l, c, next, f);
}

static void check_modules(struct check_list *l, const struct check_ctx *c,
			  const char *rel)
{
	char moddir[4096];

	snprintf(moddir, sizeof(moddir), "%s/lib/modules/%s", c->root, rel);
	if (!check_lib(l, DLOPEN_LIBKMOD)) {
		check_add(l, "next.modules", CHECK_INFO, NULL,
			  "modules of %s not checked: no libkmod", rel);
		return;
	}
	for (size_t i = 0; i < sizeof(next_modules) / sizeof(next_modules[0]); i++) {
		enum mod_state st;
		char id[48];
		int err = kmod_state(moddir, next_modules[i], &st);

		snprintf(id, sizeof(id), "next.module.%s", next_modules[i]);
		if (err == -ENOENT || err == -EACCES) {
			check_add(l, "next.modules", CHECK_INFO, NULL,
				  "no module index in /lib/modules/%s (%s): modules not checked", rel,
				  strerror(-err));
			return;
		}
		if (err)
			check_add(l, id, CHECK_WARN, NULL, "%s: libkmod lookup failed: %s",
				  next_modules[i], strerror(-err));
		else
			check_add(l, id, CHECK_INFO, mod_state_name(st), "%s: %s", next_modules[i],
				  mod_state_name(st));
	}
}

static bool is_image_arg(const struct check_ctx *c, const char *next)
{
	struct stat st;

	(void)c;
	return strchr(next, '/') || (stat(next, &st) == 0 && S_ISREG(st.st_mode));
}

static void say_dropped(struct check_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].status == CHECK_FAIL &&
		    (strcmp(l->v[i].id, "next.config.KEXEC_HANDOVER") == 0 ||
		     strcmp(l->v[i].id, "next.config.LIVEUPDATE") == 0)) {
			check_add(l, "next.verdict", CHECK_FAIL, NULL,
				  "the next kernel has no LUO: every preserved session would be lost at the kexec");
			return;
		}
}

static void check_next_config(struct check_list *l, const struct check_ctx *c,
			      const char *rel, const char *image, size_t ilen)
{
	char path[4096], *text = NULL;
	size_t len;
	int err;

	snprintf(path, sizeof(path), "%s/boot/config-%s", c->root, rel);
	err = read_file_all(path, 64 << 20, &text, &len);
	if (!err) {
		check_add(l, "next.config", CHECK_INFO, path + strlen(c->root),
			  "next kernel configuration read from %s", path + strlen(c->root));
	} else if (image && image_ikconfig(image, ilen, &text, &len) == 0) {
		check_add(l, "next.config", CHECK_INFO, "IKCONFIG",
			  "next kernel configuration read from its image (CONFIG_IKCONFIG)");
	} else {
		/* Says so when zlib is what kept IKCONFIG from being read. */
		if (image)
			check_lib(l, DLOPEN_ZLIB);
		check_add(l, "next.config", CHECK_UNKNOWN, NULL,
			  "cannot read the next kernel's configuration: /boot/config-%s: %s", rel,
			  strerror(-err));
		check_fix(l, "install /boot/config-%s", rel);
		return;
	}
	check_kconfig(l, "next.", text, len, true);
	if (kconfig_get(text, len, "KEXEC_HANDOVER_ENABLE_DEFAULT") == KCONFIG_YES)
		check_add(l, "next.cmdline", CHECK_INFO, NULL,
			  "boot the next kernel with liveupdate=on (kexec --append)");
	else
		check_add(l, "next.cmdline", CHECK_INFO, NULL,
			  "boot the next kernel with kho=on liveupdate=on (kexec --append)");
	free(text);
}

void check_next(struct check_list *l, struct check_ctx *c, const char *next)
{
	char rel[128] = "", path[4096];
	const char *tool = NULL;
	char *image = NULL;
	size_t ilen = 0;
	struct hover_formats formats = { 0 };

	if (is_image_arg(c, next)) {
		int err = image_load(next, &image, &ilen, rel, sizeof(rel), &tool);

		if (err) {
			check_lib_failed(l, DLOPEN_ZLIB, err);
			check_add(l, "next.image", CHECK_FAIL, next, "cannot read image %s%s%s: %s",
				  next, tool ? " with " : "", tool ? tool : "", strerror(-err));
			if (err == -ENOENT && tool)
				check_fix(l, "install %s", tool);
			return;
		}
		check_add(l, "next.image", CHECK_INFO, next, "next kernel image %s (%zu bytes decompressed%s%s)",
			  next, ilen, tool ? ", by " : "", tool ? tool : "");
	} else {
		snprintf(rel, sizeof(rel), "%s", next);
		char named[128];

		snprintf(path, sizeof(path), "%s/boot/vmlinuz-%s", c->root, rel);
		int err = image_load(path, &image, &ilen, named, sizeof(named), &tool);

		if (err < 0)
			image = NULL;
		check_lib_failed(l, DLOPEN_ZLIB, err);
	}
	check_add(l, "next.release", rel[0] ? CHECK_INFO : CHECK_UNKNOWN, rel[0] ? rel : NULL,
		  "next kernel %s", rel[0] ? rel : "of unknown release (the image names none)");
	if (rel[0])
		check_next_config(l, c, rel, image, ilen);
	if (rel[0])
		check_modules(l, c, rel);
	if (image) {
		hover_scan(image, ilen, &formats);
		check_formats(l, c, &formats);
	} else {
		check_add(l, "next.formats", CHECK_INFO, NULL,
			  "hand-over formats not compared: no image of %s (give --next IMAGE)", rel);
	}
	say_dropped(l);
	free(image);
}
