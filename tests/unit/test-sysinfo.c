// SPDX-License-Identifier: LGPL-2.1-or-later
/* Parsers behind luoctl check and luoctl list (lib/sysinfo.c, lib/procscan.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "procscan.h"
#include "sysinfo.h"

#define TEXT(s) s, sizeof(s) - 1

static void test_kconfig_states(void **state)
{
	static const char cfg[] = "#\n# Automatically generated\n"
				  "CONFIG_KEXEC_HANDOVER=y\n"
				  "CONFIG_LIVEUPDATE=m\n"
				  "# CONFIG_LIVEUPDATE_MEMFD is not set\n"
				  "CONFIG_LOCALVERSION=\"-luo\"\n"
				  "CONFIG_KEXEC_HANDOVER_DEBUGFS=y";	/* no final newline */

	(void)state;
	assert_int_equal(kconfig_get(TEXT(cfg), "CONFIG_KEXEC_HANDOVER"), KCONFIG_YES);
	assert_int_equal(kconfig_get(TEXT(cfg), "KEXEC_HANDOVER"), KCONFIG_YES);
	assert_int_equal(kconfig_get(TEXT(cfg), "LIVEUPDATE"), KCONFIG_MODULE);
	assert_int_equal(kconfig_get(TEXT(cfg), "LIVEUPDATE_MEMFD"), KCONFIG_NO);
	assert_int_equal(kconfig_get(TEXT(cfg), "LOCALVERSION"), KCONFIG_VALUE);
	assert_int_equal(kconfig_get(TEXT(cfg), "KEXEC_HANDOVER_DEBUGFS"), KCONFIG_YES);
	/* A prefix of a longer symbol is not the symbol. */
	assert_int_equal(kconfig_get(TEXT(cfg), "KEXEC"), KCONFIG_ABSENT);
	assert_int_equal(kconfig_get(TEXT(cfg), "KEXEC_FILE"), KCONFIG_ABSENT);
	assert_true(kconfig_plausible(TEXT(cfg)));
	assert_false(kconfig_plausible(TEXT("hello\nworld\n")));
}

static void test_kconfig_last_wins(void **state)
{
	static const char cfg[] = "CONFIG_LIVEUPDATE=y\n# CONFIG_LIVEUPDATE is not set\n";

	(void)state;
	assert_int_equal(kconfig_get(TEXT(cfg), "LIVEUPDATE"), KCONFIG_NO);
}

static void test_cmdline(void **state)
{
	char v[32];

	(void)state;
	assert_int_equal(cmdline_get("console=ttyS0 kho=on liveupdate=on", "kho", v, sizeof(v)), 1);
	assert_string_equal(v, "on");
	assert_int_equal(cmdline_get("kho_scratch=10% quiet", "kho", v, sizeof(v)), 0);
	assert_int_equal(cmdline_get("kho=on kho=off", "kho", v, sizeof(v)), 1);
	assert_string_equal(v, "off");
	assert_int_equal(cmdline_get("liveupdate", "liveupdate", v, sizeof(v)), 1);
	assert_string_equal(v, "");
	/* After "--" the words are init's. */
	assert_int_equal(cmdline_get("ro -- liveupdate=on", "liveupdate", v, sizeof(v)), 0);
	assert_int_equal(cmdline_get("a \"liveupdate=on\" b", "liveupdate", v, sizeof(v)), 1);
	assert_string_equal(v, "on");
	assert_int_equal(cmdline_get("", "kho", v, sizeof(v)), 0);
	assert_int_equal(cmdline_get("   \n", "kho", v, sizeof(v)), 0);
}

static void test_kstrtobool(void **state)
{
	bool b = false;

	(void)state;
	assert_int_equal(kstrtobool_text("on", &b), 0);
	assert_true(b);
	assert_int_equal(kstrtobool_text("Y", &b), 0);
	assert_true(b);
	assert_int_equal(kstrtobool_text("1", &b), 0);
	assert_true(b);
	assert_int_equal(kstrtobool_text("off", &b), 0);
	assert_false(b);
	assert_int_equal(kstrtobool_text("no", &b), 0);
	assert_false(b);
	assert_int_equal(kstrtobool_text("", &b), -EINVAL);
	assert_int_equal(kstrtobool_text("o", &b), -EINVAL);
	assert_int_equal(kstrtobool_text("yes-ish", &b), 0);	/* kstrtobool reads one char */
	assert_int_equal(kstrtobool_text("2", &b), -EINVAL);
}

static void test_hover_scan(void **state)
{
	static const char img[] = "xx\0kho-v4\0luo-v5\0memfd-v2\0memfd-v1\0"
				  "kho-test-v1\0xluo-v9\0luo-v7x\0luo-session-v2\0"
				  "kho-v3;radix-v1\0luo-flb-v1";
	struct hover_formats h = { 0 };

	(void)state;
	hover_scan(img, sizeof(img) - 1, &h);
	assert_true(h.seen[HOVER_KHO] == ((UINT64_C(1) << 4) | (UINT64_C(1) << 3)));
	/* "xluo-v9" and "luo-v7x" are parts of other names. */
	assert_true(h.seen[HOVER_LUO] == (UINT64_C(1) << 5));
	assert_true(h.seen[HOVER_MEMFD] == ((UINT64_C(1) << 2) | (UINT64_C(1) << 1)));
	assert_true(h.seen[HOVER_LUO_SESSION] == (UINT64_C(1) << 2));
	/* At the very end of the buffer there is no terminator: not counted. */
	assert_true(h.seen[HOVER_LUO_FLB] == 0);
	assert_int_equal(hover_highest(&h, HOVER_MEMFD), 2);
	assert_int_equal(hover_highest(&h, HOVER_LUO_FLB), -1);
	assert_string_equal(hover_family_prefix(HOVER_LUO), "luo-v");
}

static size_t gzip_into(const void *in, size_t len, unsigned char *out, size_t cap)
{
	z_stream zs = { 0 };

	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return cap - zs.avail_out;
}

static void test_gunzip(void **state)
{
	static const char text[] = "CONFIG_LIVEUPDATE=y\n";
	unsigned char gz[256];
	size_t n = gzip_into(text, sizeof(text) - 1, gz, sizeof(gz)), len;
	char *out;

	(void)state;
	assert_int_equal(gunzip_buf(gz, n, 1 << 20, &out, &len), 0);
	assert_int_equal(len, sizeof(text) - 1);
	assert_string_equal(out, text);
	free(out);
	assert_int_equal(gunzip_buf(gz, n - 5, 1 << 20, &out, &len), -EINVAL);
	assert_int_equal(gunzip_buf(gz, n, 4, &out, &len), -EFBIG);
	assert_int_equal(gunzip_buf("plain", 5, 1 << 20, &out, &len), -EINVAL);
}

/* A minimal bzImage: one setup sector after the boot sector, then a gzip payload. */
static size_t make_bzimage(unsigned char *img, size_t cap, const void *kernel,
			   size_t klen)
{
	size_t plen;

	memset(img, 0, 1024);
	img[0x1f1] = 1;
	memcpy(img + 0x202, "HdrS", 4);
	img[0x206] = 0x0f, img[0x207] = 0x02;
	img[0x20e] = 0x00, img[0x20f] = 0x01;	/* kernel_version at 0x100 + 0x200 */
	strcpy((char *)img + 0x300, "7.2.13-luo (me@here) #1 SMP");
	plen = gzip_into(kernel, klen, img + 1024, cap - 1024);
	img[0x24c] = plen & 0xff, img[0x24d] = (plen >> 8) & 0xff;
	return 1024 + plen;
}

static void test_bzimage(void **state)
{
	static const char kernel[] = "\0kho-v4\0luo-v5\0Linux version 7.2.13-luo (me)\0";
	unsigned char img[4096];
	size_t len = make_bzimage(img, sizeof(img), kernel, sizeof(kernel)), olen;
	struct bzimage_info bi;
	char rel[64], *out;
	const char *tool;

	(void)state;
	assert_int_equal(bzimage_parse(img, len, &bi), 0);
	assert_int_equal(bi.payload_off, 1024);
	assert_int_equal(bi.comp, COMP_GZIP);
	assert_string_equal(bi.version, "7.2.13-luo (me@here) #1 SMP");
	release_from_version(bi.version, rel, sizeof(rel));
	assert_string_equal(rel, "7.2.13-luo");
	assert_int_equal(image_decompress(img + bi.payload_off, bi.payload_len, bi.comp,
					  1 << 20, &out, &olen, &tool),
			 0);
	assert_string_equal(tool, "zlib");
	assert_int_equal(olen, sizeof(kernel));
	assert_int_equal(image_linux_version(out, olen, rel, sizeof(rel)), 0);
	assert_string_equal(rel, "7.2.13-luo");
	free(out);
	/* Not a bzImage: no header, or a payload past the end. */
	img[0x202] = 'X';
	assert_int_equal(bzimage_parse(img, len, &bi), -EINVAL);
	img[0x202] = 'H';
	img[0x24e] = 0x10;
	assert_int_equal(bzimage_parse(img, len, &bi), -EINVAL);
}

static void test_comp_detect(void **state)
{
	(void)state;
	assert_int_equal(image_comp_detect("\xfd" "7zXZ\0..", 8), COMP_XZ);
	assert_int_equal(image_comp_detect("\x28\xb5\x2f\xfd", 4), COMP_ZSTD);
	assert_int_equal(image_comp_detect("\x1f\x8b\x08", 3), COMP_GZIP);
	assert_int_equal(image_comp_detect("\x7f" "ELF", 4), COMP_NONE);
	assert_string_equal(image_comp_name(COMP_XZ), "xz");
}

static void test_ikconfig(void **state)
{
	static const char cfg[] = "CONFIG_LIVEUPDATE=y\n";
	unsigned char img[512] = "junkIKCFG_ST";
	size_t n = gzip_into(cfg, sizeof(cfg) - 1, img + 12, 400), len;
	char *out;

	(void)state;
	memcpy(img + 12 + n, "IKCFG_ED", 8);
	assert_int_equal(image_ikconfig(img, 20 + n, &out, &len), 0);
	assert_string_equal(out, cfg);
	free(out);
	assert_int_equal(image_ikconfig("no config here", 14, &out, &len), -ENOENT);
}

static void test_session_links(void **state)
{
	char name[SESSION_NAME_MAX];
	uint64_t ino = 0;

	(void)state;
	assert_int_equal(session_link_name("anon_inode:[luo_session] db", name, sizeof(name)), 1);
	assert_string_equal(name, "db");
	assert_int_equal(session_link_name("anon_inode:[luo_session] a b", name, sizeof(name)), 1);
	assert_string_equal(name, "a b");
	assert_int_equal(session_link_name("anon_inode:[eventfd]", name, sizeof(name)), 0);
	assert_int_equal(session_link_name("/dev/liveupdate", name, sizeof(name)), 0);
	assert_int_equal(socket_link_inode("socket:[12345]", &ino), 1);
	assert_true(ino == 12345);
	assert_int_equal(socket_link_inode("socket:[12x]", &ino), 0);
	assert_int_equal(socket_link_inode("pipe:[1]", &ino), 0);
}

static void test_sim_sessions(void **state)
{
	struct sim_session *v;
	size_t n;

	(void)state;
	assert_int_equal(sim_sessions_parse("out 42 held db\nin - unclaimed vm%2F0\n", &v, &n), 0);
	assert_int_equal(n, 2);
	assert_false(v[0].incoming);
	assert_true(v[0].ino == 42);
	assert_string_equal(v[0].state, "held");
	assert_true(v[1].incoming);
	assert_true(v[1].ino == 0);
	assert_string_equal(v[1].name, "vm/0");
	free(v);
	assert_int_equal(sim_sessions_parse("", &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
	assert_int_equal(sim_sessions_parse("sideways 1 held x\n", &v, &n), -EINVAL);
	assert_int_equal(sim_sessions_parse("out 1 held\n", &v, &n), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kconfig_states),
		cmocka_unit_test(test_kconfig_last_wins),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_kstrtobool),
		cmocka_unit_test(test_hover_scan),
		cmocka_unit_test(test_gunzip),
		cmocka_unit_test(test_bzimage),
		cmocka_unit_test(test_comp_detect),
		cmocka_unit_test(test_ikconfig),
		cmocka_unit_test(test_session_links),
		cmocka_unit_test(test_sim_sessions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
