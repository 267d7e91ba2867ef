// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target for the physical-memory reader (lib/kho/kho-mem.c) on an
 * ELF core in memory. The first 16 bytes pick a read (u64 physical address,
 * u64 length, little-endian); the rest is the ELF image, in a buffer of its
 * exact size so ASan catches any read past it. The chosen read and two-byte
 * reads across the page boundaries near it run; a refused read must say why.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kho/kho-mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t u64le(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kho_error err = { 0 };
	struct kho_mem *mem;
	static uint8_t buf[1 << 16];

	if (size < 16)
		return 0;
	uint64_t phys = u64le(data), len = u64le(data + 8) % sizeof(buf);
	const uint8_t *elf = data + 16;
	size_t elf_len = size - 16;
	/* A private copy: the reader must not read past what it was given. */
	uint8_t *copy = malloc(elf_len ? elf_len : 1);

	if (!copy)
		return 0;
	memcpy(copy, elf, elf_len);
	if (kho_mem_open_buf(copy, elf_len, &mem, &err) == 0) {
		size_t n = kho_mem_nr_ranges(mem);

		assert(n <= elf_len);
		memset(&err, 0, sizeof(err));
		int r = kho_mem_read(mem, phys, buf, len, &err);
		assert(r == 0 || r == -EINVAL || r == -ENODATA || r == -EIO || r == -ENOMEM);
		if (r == -EINVAL)
			assert(err.msg[0]);
		/* Reads around every page boundary near phys. */
		for (uint64_t off = 0; off < 4; off++) {
			uint64_t p = (phys & ~0xfffull) + off * 0x1000 - 1;
			memset(&err, 0, sizeof(err));
			if (kho_mem_read(mem, p, buf, 2, &err) == -EINVAL)
				assert(err.msg[0]);
		}
		kho_mem_close(mem);
	}
	free(copy);
	return 0;
}
