// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Kernel facts for `luoctl check`: Kconfig, command line, hand-over format
 * names, kernel images. See sysinfo.h.
 *
 * Decompression: /proc/config.gz and gzip payloads use zlib in process (libz is
 * on every system that has a kernel, and config.gz is on check's common path),
 * loaded by the first gunzip_buf() (lib/dlopen-libs.h).
 * A bzImage may carry any of six other formats; linking six libraries for one
 * option is not worth it, so those run the standard tool over a memfd, and
 * check says which tool is missing.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dlopen-libs.h"
#include "io.h"
#include "sysinfo.h"

/* ---- files -------------------------------------------------------------- */

int read_file_all(const char *path, size_t max, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = io_read_fd(fd, max, buf, len);
	close(fd);
	return err;
}

int gunzip_buf(const void *in, size_t len, size_t max, char **out, size_t *outlen)
{
	z_stream zs = { 0 };
	size_t cap = len * 4 + 4096, n = 0;
	char *b;
	int zr = dlopen_zlib();

	if (zr)
		return zr;
	/* inflateInit2(), a macro: 32 + MAX_WBITS, gzip or zlib header, detected. */
	if (sym_inflateInit2_(&zs, 32 + MAX_WBITS, ZLIB_VERSION, (int)sizeof(zs)) != Z_OK)
		return -ENOMEM;
	zr = Z_OK;
	if (cap > max)
		cap = max;
	b = malloc(cap + 1);
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	if (!b) {
		sym_inflateEnd(&zs);
		return -ENOMEM;
	}
	while (zr == Z_OK) {
		if (n == cap) {
			size_t ncap = cap * 2 > max ? max : cap * 2;
			char *nb = cap >= max ? NULL : realloc(b, ncap + 1);

			if (!nb)
				break;
			b = nb;
			cap = ncap;
		}
		zs.next_out = (Bytef *)b + n;
		zs.avail_out = (uInt)(cap - n);
		zr = sym_inflate(&zs, Z_NO_FLUSH);
		n = cap - zs.avail_out;
	}
	sym_inflateEnd(&zs);
	if (zr != Z_STREAM_END) {
		free(b);
		return n >= max ? -EFBIG : -EINVAL;
	}
	b[n] = '\0';
	*out = b;
	*outlen = n;
	return 0;
}

/* ---- Kconfig ------------------------------------------------------------ */

static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', end - p);

	return nl ? nl : end;
}

static bool sym_at(const char *p, const char *e, const char *sym, size_t slen)
{
	return (size_t)(e - p) >= 7 + slen && memcmp(p, "CONFIG_", 7) == 0 &&
	       memcmp(p + 7, sym, slen) == 0;
}

enum kconfig_state kconfig_get(const char *text, size_t len, const char *sym)
{
	const char *end = text + len;
	enum kconfig_state st = KCONFIG_ABSENT;
	size_t slen;

	if (strncmp(sym, "CONFIG_", 7) == 0)
		sym += 7;
	slen = strlen(sym);
	for (const char *p = text; p < end;) {
		const char *e = line_end(p, end);

		if (sym_at(p, e, sym, slen) && p[7 + slen] == '=') {
			const char *v = p + 8 + slen;

			if (e - v == 1 && *v == 'y')
				st = KCONFIG_YES;
			else if (e - v == 1 && *v == 'm')
				st = KCONFIG_MODULE;
			else
				st = KCONFIG_VALUE;
		} else if (e - p > 2 && memcmp(p, "# ", 2) == 0 && sym_at(p + 2, e, sym, slen) &&
			   (size_t)(e - p) == 2 + 7 + slen + 11 &&
			   memcmp(p + 9 + slen, " is not set", 11) == 0) {
			st = KCONFIG_NO;
		}
		p = e + 1;
	}
	return st;
}

bool kconfig_plausible(const char *text, size_t len)
{
	const char *end = text + len;

	for (const char *p = text; p < end;) {
		const char *e = line_end(p, end);

		if ((e - p > 8 && memcmp(p, "CONFIG_", 7) == 0 && memchr(p, '=', e - p)) ||
		    (e - p > 20 && memcmp(p, "# CONFIG_", 9) == 0))
			return true;
		p = e + 1;
	}
	return false;
}

/* ---- kernel command line ------------------------------------------------ */

/* One word of the command line as the kernel's next_arg() splits it. */
static const char *next_word(const char *p, char *word, size_t wlen)
{
	bool quoted = false;
	size_t n = 0;

	while (*p && isspace((unsigned char)*p))
		p++;
	for (; *p && (quoted || !isspace((unsigned char)*p)); p++) {
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (n + 1 < wlen)
			word[n++] = *p;
	}
	word[n] = '\0';
	return p;
}

int cmdline_get(const char *cmdline, const char *param, char *val, size_t vlen)
{
	size_t plen = strlen(param);
	char word[1024];
	int found = 0;

	for (const char *p = next_word(cmdline, word, sizeof(word)); word[0] || *p;
	     p = next_word(p, word, sizeof(word))) {
		if (strcmp(word, "--") == 0)
			break;
		if (strncmp(word, param, plen) != 0)
			continue;
		if (word[plen] != '\0' && word[plen] != '=')
			continue;
		found = 1;
		if (vlen)
			snprintf(val, vlen, "%s", word[plen] ? word + plen + 1 : "");
	}
	return found;
}

int kstrtobool_text(const char *s, bool *v)
{
	switch (s[0]) {
	case 'y': case 'Y': case 't': case 'T': case '1':
		*v = true;
		return 0;
	case 'n': case 'N': case 'f': case 'F': case '0':
		*v = false;
		return 0;
	case 'o': case 'O':
		if (s[1] == 'n' || s[1] == 'N') {
			*v = true;
			return 0;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*v = false;
			return 0;
		}
		break;
	}
	return -EINVAL;
}

/* ---- hand-over format names --------------------------------------------- */

static const char *const hover_prefixes[HOVER_NR] = {
	[HOVER_KHO] = "kho-v",
	[HOVER_LUO] = "luo-v",
	[HOVER_LUO_SESSION] = "luo-session-v",
	[HOVER_LUO_FLB] = "luo-flb-v",
	[HOVER_MEMFD] = "memfd-v",
};

const char *hover_family_prefix(enum hover_family f)
{
	return f < HOVER_NR ? hover_prefixes[f] : "?";
}

static bool name_char(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.';
}

/* At p (a prefix match): the version, or -1 if the name does not end right. */
static int version_at(const unsigned char *p, const unsigned char *end)
{
	int v = 0, digits = 0;

	for (; p < end && isdigit(*p) && digits < 3; p++, digits++)
		v = v * 10 + (*p - '0');
	if (!digits || p >= end || (*p != '\0' && *p != ';'))
		return -1;
	return v;
}

void hover_scan(const void *buf, size_t len, struct hover_formats *out)
{
	const unsigned char *b = buf, *end = b + len;

	for (int f = 0; f < HOVER_NR; f++) {
		const char *pre = hover_prefixes[f];
		size_t plen = strlen(pre);
		const unsigned char *p = b;

		while (p < end && (p = memmem(p, end - p, pre, plen)) != NULL) {
			int v = -1;

			if (p == b || !name_char(p[-1]) || p[-1] == ';')
				v = version_at(p + plen, end);
			if (v >= 0 && v < 64)
				out->seen[f] |= UINT64_C(1) << v;
			p += plen;
		}
	}
}

int hover_highest(const struct hover_formats *h, enum hover_family f)
{
	for (int v = 63; v >= 0; v--)
		if (h->seen[f] & (UINT64_C(1) << v))
			return v;
	return -1;
}

/* ---- kernel images ------------------------------------------------------ */

static const struct {
	enum image_comp comp;
	const char *name;
	const char *magic;
	size_t mlen;
} comps[] = {
	{ COMP_GZIP, "gzip", "\x1f\x8b", 2 },
	{ COMP_XZ, "xz", "\xfd" "7zXZ\0", 6 },
	{ COMP_ZSTD, "zstd", "\x28\xb5\x2f\xfd", 4 },
	{ COMP_LZMA, "lzma", "\x5d\x00\x00", 3 },
	{ COMP_BZIP2, "bzip2", "BZh", 3 },
	{ COMP_LZ4, "lz4", "\x02\x21\x4c\x18", 4 },
	{ COMP_LZO, "lzo", "\x89LZO", 4 },
};

const char *image_comp_name(enum image_comp c)
{
	for (size_t i = 0; i < sizeof(comps) / sizeof(comps[0]); i++)
		if (comps[i].comp == c)
			return comps[i].name;
	return "none";
}

enum image_comp image_comp_detect(const void *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(comps) / sizeof(comps[0]); i++)
		if (len >= comps[i].mlen &&
		    memcmp(buf, comps[i].magic, comps[i].mlen) == 0)
			return comps[i].comp;
	return COMP_NONE;
}

static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
	return p[0] | p[1] << 8;
}

/* Offsets in the x86 boot protocol (Documentation/arch/x86/boot.rst). */
#define BZ_SETUP_SECTS 0x1f1
#define BZ_HEADER      0x202
#define BZ_VERSION     0x206
#define BZ_KERNEL_VER  0x20e
#define BZ_PAYLOAD_OFF 0x248
#define BZ_PAYLOAD_LEN 0x24c

int bzimage_parse(const void *buf, size_t len, struct bzimage_info *bi)
{
	const unsigned char *b = buf;
	size_t setup, kv;

	memset(bi, 0, sizeof(*bi));
	if (len < 0x250 || memcmp(b + BZ_HEADER, "HdrS", 4) != 0 ||
	    le16(b + BZ_VERSION) < 0x208)
		return -EINVAL;
	setup = b[BZ_SETUP_SECTS] ? b[BZ_SETUP_SECTS] : 4;
	bi->payload_off = (setup + 1) * 512 + le32(b + BZ_PAYLOAD_OFF);
	bi->payload_len = le32(b + BZ_PAYLOAD_LEN);
	if (bi->payload_off > len || bi->payload_len > len - bi->payload_off)
		return -EINVAL;
	bi->comp = image_comp_detect(b + bi->payload_off, bi->payload_len);
	kv = le16(b + BZ_KERNEL_VER);
	if (kv && kv + 0x200 < len) {
		const char *s = (const char *)b + kv + 0x200;
		size_t n = strnlen(s, len - kv - 0x200);

		if (n >= sizeof(bi->version))
			n = sizeof(bi->version) - 1;
		memcpy(bi->version, s, n);
	}
	return 0;
}

void release_from_version(const char *version, char *rel, size_t rlen)
{
	size_t n = strcspn(version, " \t\n");

	if (rlen == 0)
		return;
	if (n >= rlen)
		n = rlen - 1;
	memcpy(rel, version, n);
	rel[n] = '\0';
}

int image_linux_version(const void *buf, size_t len, char *rel, size_t rlen)
{
	static const char key[] = "Linux version ";
	const char *p = memmem(buf, len, key, sizeof(key) - 1);
	char tmp[128];
	size_t left;

	if (!p)
		return -ENOENT;
	p += sizeof(key) - 1;
	left = (const char *)buf + len - p;
	if (left > sizeof(tmp) - 1)
		left = sizeof(tmp) - 1;
	memcpy(tmp, p, left);
	tmp[left] = '\0';
	release_from_version(tmp, rel, rlen);
	return rel[0] ? 0 : -ENOENT;
}

int image_ikconfig(const void *buf, size_t len, char **config, size_t *clen)
{
	const char *st = memmem(buf, len, "IKCFG_ST", 8), *ed;

	if (!st)
		return -ENOENT;
	st += 8;
	ed = memmem(st, (const char *)buf + len - st, "IKCFG_ED", 8);
	if (!ed)
		return -ENOENT;
	return gunzip_buf(st, ed - st, 64 << 20, config, clen);
}

static const char *const tool_argv[][5] = {
	[COMP_XZ] = { "xz", "-dc", "--single-stream", NULL },
	[COMP_LZMA] = { "xz", "-dc", "--format=lzma", NULL },
	[COMP_ZSTD] = { "zstd", "-dcq", NULL },
	[COMP_BZIP2] = { "bzip2", "-dc", NULL },
	[COMP_LZ4] = { "lz4", "-dc", NULL },
	[COMP_LZO] = { "lzop", "-dc", NULL },
};

/* Run argv with stdin = in, stdout = out; its exit status or -errno. */
static int run_filter(char *const argv[], int in, int out)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (dup2(in, 0) < 0 || dup2(out, 1) < 0)
			_exit(126);
		if (null >= 0 && dup2(null, 2) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int read_memfd(int fd, size_t max, char **out, size_t *outlen)
{
	struct stat st;
	char *b;

	if (fstat(fd, &st) < 0)
		return -errno;
	if ((size_t)st.st_size > max)
		return -EFBIG;
	b = malloc(st.st_size + 1);
	if (!b)
		return -ENOMEM;
	if (pread(fd, b, st.st_size, 0) != st.st_size) {
		free(b);
		return -EIO;
	}
	b[st.st_size] = '\0';
	*out = b;
	*outlen = st.st_size;
	return 0;
}

static int decompress_tool(const void *buf, size_t len, enum image_comp comp, size_t max,
			   char **out, size_t *outlen)
{
	int in = memfd_create("luoctl-in", MFD_CLOEXEC);
	int res = memfd_create("luoctl-out", MFD_CLOEXEC);
	int err = in < 0 || res < 0 ? -errno : 0;

	if (!err)
		err = io_write_all(in, buf, len);
	if (!err && lseek(in, 0, SEEK_SET) < 0)
		err = -errno;
	if (!err)
		err = run_filter((char *const *)tool_argv[comp], in, res);
	if (err == 127)
		err = -ENOENT;
	else if (err > 0)
		err = -EIO;
	if (!err)
		err = read_memfd(res, max, out, outlen);
	if (in >= 0)
		close(in);
	if (res >= 0)
		close(res);
	return err;
}

int image_decompress(const void *buf, size_t len, enum image_comp comp, size_t max,
		     char **out, size_t *outlen, const char **tool)
{
	if (comp == COMP_GZIP) {
		*tool = "zlib";
		return gunzip_buf(buf, len, max, out, outlen);
	}
	if (comp == COMP_NONE || comp >= sizeof(tool_argv) / sizeof(tool_argv[0]) ||
	    !tool_argv[comp][0])
		return -EINVAL;
	*tool = tool_argv[comp][0];
	return decompress_tool(buf, len, comp, max, out, outlen);
}

#define IMAGE_MAX ((size_t)512 << 20)

int image_load(const char *path, char **out, size_t *outlen, char *rel, size_t rlen,
	       const char **tool)
{
	struct bzimage_info bi;
	char *raw = NULL;
	size_t len = 0;
	int err = read_file_all(path, IMAGE_MAX, &raw, &len);

	*tool = NULL;
	rel[0] = '\0';
	if (err || !raw)
		return err ? err : -EIO;
	if (bzimage_parse(raw, len, &bi) == 0) {
		size_t plen = bi.payload_len;

		/* The kernel's Makefile appends the 4-byte size after all but gzip. */
		if (bi.comp != COMP_GZIP && plen > 4)
			plen -= 4;
		release_from_version(bi.version, rel, rlen);
		err = bi.comp == COMP_NONE ?
			      -EINVAL :
			      image_decompress(raw + bi.payload_off, plen, bi.comp,
					       IMAGE_MAX, out, outlen, tool);
	} else if (image_comp_detect(raw, len) != COMP_NONE) {
		err = image_decompress(raw, len, image_comp_detect(raw, len), IMAGE_MAX,
				       out, outlen, tool);
	} else {
		/* A raw vmlinux or Image: scan it as it is. */
		*out = raw;
		*outlen = len;
		raw = NULL;
	}
	free(raw);
	if (!err && !rel[0])
		image_linux_version(*out, *outlen, rel, rlen);
	return err;
}
