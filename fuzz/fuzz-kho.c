// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target for the lib/kho decoders. The first byte picks the input:
 *   0  one blob: FDT reader, classification, every decoder, the dts writer
 *   1  one blob as a packed struct: luo_ser and kexec-metadata
 *   2  a hand-over with memory: u32 root length, root FDT, u32 LUO length,
 *      LUO blob, then an ELF core; the deep decode follows what they say
 * Lengths are little-endian. fuzz/run builds the seed corpus from kho-mkimage.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dump.h"
#include "kho/kho-decode.h"
#include "kho/kho-deep.h"
#include "kho/kho-fdt.h"
#include "kho/kho-mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static void decode_fdt(const struct kho_fdt *fdt, const uint8_t *data, size_t size)
{
	struct kho_issues is = { 0 };
	enum kho_kind kind = kho_classify("", data, size, fdt);

	for (size_t n = 0; n < fdt->nr_nodes; n++) {
		char path[256];
		kho_fdt_path(fdt, n, path, sizeof(path));
		for (uint32_t i = 0; i < fdt->nodes[n].nr_props; i++)
			kho_prop_type(kind, fdt, n,
				      &fdt->props[fdt->nodes[n].first_prop + i]);
	}
	if (kind == KHO_KIND_ROOT) {
		struct kho_root_info ri;
		if (!kho_root_decode(fdt, &ri, &is))
			kho_root_info_free(&ri);
	} else if (kind == KHO_KIND_LUO_FDT) {
		struct kho_luo_info li;
		kho_luo_fdt_decode(fdt, &li, &is);
	} else {
		kho_fdt_blob_check(kind, fdt, &is);
	}
	kho_issues_free(&is);
	dump_dts(devnull, fdt);
}

static void one_blob(const uint8_t *data, size_t size)
{
	struct kho_fdt fdt;
	struct kho_error err;

	/* Whole, or a root cut short the way debugfs cuts out/fdt. */
	if (!kho_fdt_parse(data, size, &fdt, &err) ||
	    (err.truncated && !kho_fdt_parse_cut(data, size, &fdt, &err))) {
		decode_fdt(&fdt, data, size);
		kho_fdt_free(&fdt);
	}
}

static void one_struct(const uint8_t *data, size_t size)
{
	struct kho_luo_info li;
	struct kho_kexec_md_info md;

	kho_luo_struct_decode(data, size, &li, NULL);
	kho_kexec_metadata_decode(data, size, &md, NULL);
	kho_classify("", data, size, NULL);
}

static bool take(const uint8_t **data, size_t *size, const uint8_t **part, size_t *len)
{
	uint32_t n;

	if (*size < 4)
		return false;
	memcpy(&n, *data, 4);
	if (n > *size - 4)
		return false;
	*part = *data + 4;
	*len = n;
	*data += 4 + n;
	*size -= 4 + n;
	return true;
}

static bool luo_info(const uint8_t *luo, size_t len, struct kho_luo_info *li)
{
	struct kho_fdt fdt;
	struct kho_issues is = { 0 };

	if (!kho_fdt_has_magic(luo, len))
		return kho_luo_struct_decode(luo, len, li, NULL) == 0;
	if (kho_fdt_parse(luo, len, &fdt, NULL))
		return false;
	kho_luo_fdt_decode(&fdt, li, &is);
	kho_issues_free(&is);
	kho_fdt_free(&fdt);
	return true;
}

static void deep_root(const struct kho_mem *m, const uint8_t *root, size_t len)
{
	struct kho_fdt fdt;
	struct kho_root_info ri;
	struct kho_issues is = { 0 };
	struct kho_deep_map map;

	if (kho_fdt_parse(root, len, &fdt, NULL))
		return;
	if (!kho_root_decode(&fdt, &ri, &is)) {
		if (ri.has_map && ri.map_kind) {
			kho_deep_map(m, ri.map_kind, ri.map, &map, NULL);
			kho_deep_map_free(&map);
		}
		kho_root_info_free(&ri);
	}
	kho_issues_free(&is);
	kho_fdt_free(&fdt);
}

static void with_memory(const uint8_t *data, size_t size)
{
	const uint8_t *root, *luo;
	size_t root_len, luo_len;
	struct kho_mem *m;
	struct kho_luo_info li;
	struct kho_deep d;

	if (!take(&data, &size, &root, &root_len) || !take(&data, &size, &luo, &luo_len))
		return;
	if (kho_mem_open_buf(data, size, &m, NULL))
		return;
	deep_root(m, root, root_len);
	if (luo_info(luo, luo_len, &li)) {
		kho_deep_luo(m, &li, &d, NULL);
		kho_deep_free(&d);
	}
	kho_mem_close(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0: one_blob(data + 1, size - 1); break;
	case 1: one_struct(data + 1, size - 1); break;
	default: with_memory(data + 1, size - 1);
	}
	return 0;
}
