// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Physical memory as an ELF64 core file shows it: /proc/kcore on a real system
 * (root only), a file written by kho_mem_write_elf(), or a buffer. Each PT_LOAD
 * program header maps p_paddr..p_paddr+p_filesz to file bytes; kcore marks
 * ranges without a physical address with p_paddr = -1, which we skip. Every
 * read is bounds-checked: a range no segment covers is an error naming it.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kho-build.h"
#include "kho-fdt.h"

struct kho_mem;

/* Reads the headers now, the data on demand (kcore is as large as RAM). */
int kho_mem_open_fd(int fd, struct kho_mem **out, struct kho_error *err);
/* An ELF image in memory; buf must outlive the result. */
int kho_mem_open_buf(const void *buf, size_t len, struct kho_mem **out,
		     struct kho_error *err);
/* The builder's segments directly; img must outlive the result. */
int kho_mem_from_image(const struct kho_image *img, struct kho_mem **out);
void kho_mem_close(struct kho_mem *mem);

/* 0, or -EINVAL (not covered, or unreadable) with *err naming the physical address. */
int kho_mem_read(const struct kho_mem *mem, uint64_t phys, void *dst, size_t len,
		 struct kho_error *err);
size_t kho_mem_nr_ranges(const struct kho_mem *mem);

/*
 * Recording: from kho_mem_record() on, every page a successful read touches is
 * remembered, so that kho_mem_write_recorded() can save just those pages as a
 * small ELF64 core (the format kho_mem_open_fd() reads) for a bug report or a
 * test fixture, instead of all of /proc/kcore. 0 or -errno (-E2BIG: more than
 * KHO_MEM_RECORD_MAX pages were read).
 */
#define KHO_MEM_RECORD_MAX (1u << 16)
int kho_mem_record(struct kho_mem *mem);
int kho_mem_write_recorded(const struct kho_mem *mem, int fd, size_t *pages);
