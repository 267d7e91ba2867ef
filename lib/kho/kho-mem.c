// SPDX-License-Identifier: LGPL-2.1-or-later
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "kho-abi.h"
#include "kho-mem.h"

#define MAX_PHDRS (1u << 20)

struct range {
	uint64_t phys, len;
	uint64_t file_off;  /* fd and buffer sources */
	const uint8_t *ptr; /* image source */
};

struct kho_mem_rec {
	uint64_t *pfns; /* pages read, unsorted, with repeats */
	size_t n, cap;
	bool overflow;
	bool paused; /* while the recorded pages are read back for writing */
};

struct kho_mem {
	int fd; /* -1 unless reading a file */
	const uint8_t *buf;
	size_t buf_len;
	struct range *r;
	size_t nr;
	struct kho_mem_rec *rec; /* NULL unless recording */
};

static int read_at(const struct kho_mem *m, uint64_t off, void *dst, size_t len)
{
	if (m->fd < 0) {
		if (off > m->buf_len || len > m->buf_len - off)
			return -EFAULT;
		memcpy(dst, m->buf + off, len);
		return 0;
	}
	int r = io_pread_all(m->fd, dst, len, (off_t)off);

	return r == -ENODATA ? -EFAULT : r;
}

static int check_ehdr(const Elf64_Ehdr *eh, struct kho_error *err)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return kho_fail(err, 0, false, "memory file is not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return kho_fail(err, EI_CLASS, false, "memory file is not ELF64");
	if (eh->e_ident[EI_DATA] !=
	    (__BYTE_ORDER == __LITTLE_ENDIAN ? ELFDATA2LSB : ELFDATA2MSB))
		return kho_fail(err, EI_DATA, false,
				"memory file has the other byte order than this machine");
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return kho_fail(err, offsetof(Elf64_Ehdr, e_phentsize), false,
				"program header size %u (expected %zu)", eh->e_phentsize,
				sizeof(Elf64_Phdr));
	return 0;
}

/* More than PN_XNUM headers (kcore on big machines): the count is in section 0. */
static int phdr_count(const struct kho_mem *m, const Elf64_Ehdr *eh, uint32_t *count,
		      struct kho_error *err)
{
	Elf64_Shdr sh;

	*count = eh->e_phnum;
	if (eh->e_phnum != PN_XNUM)
		return 0;
	if (read_at(m, eh->e_shoff, &sh, sizeof(sh)))
		return kho_fail(
			err, eh->e_shoff, true,
			"section header 0 (program header count) is outside the file");
	*count = sh.sh_info;
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->phys < y->phys ? -1 : x->phys > y->phys;
}

static int add_phdr(struct kho_mem *m, const Elf64_Phdr *ph, uint64_t at,
		    struct kho_error *err)
{
	if (ph->p_type != PT_LOAD || ph->p_paddr == UINT64_MAX || !ph->p_filesz)
		return 0;
	if (ph->p_paddr + ph->p_filesz < ph->p_paddr ||
	    ph->p_offset + ph->p_filesz < ph->p_offset)
		return kho_fail(err, at, false,
				"program header wraps around the address space");
	if (m->fd < 0 &&
	    (ph->p_offset > m->buf_len || ph->p_filesz > m->buf_len - ph->p_offset))
		return kho_fail(
			err, at, true,
			"segment at physical 0x%llx: file bytes 0x%llx+0x%llx are beyond the file end",
			(unsigned long long)ph->p_paddr, (unsigned long long)ph->p_offset,
			(unsigned long long)ph->p_filesz);
	m->r[m->nr++] = (struct range){ ph->p_paddr, ph->p_filesz, ph->p_offset, NULL };
	return 0;
}

static int load_phdrs(struct kho_mem *m, struct kho_error *err)
{
	Elf64_Ehdr eh;
	uint32_t count;
	int rc;

	if (read_at(m, 0, &eh, sizeof(eh)))
		return kho_fail(err, 0, true,
				"memory file is shorter than an ELF header");
	rc = check_ehdr(&eh, err);
	rc = rc ?: phdr_count(m, &eh, &count, err);
	if (rc)
		return rc;
	if (count > MAX_PHDRS)
		return kho_fail(err, offsetof(Elf64_Ehdr, e_phnum), false,
				"%u program headers is more than we accept (%u)", count,
				MAX_PHDRS);
	m->r = calloc(count ? count : 1, sizeof(*m->r));
	if (!m->r)
		return -ENOMEM;
	for (uint32_t i = 0; i < count; i++) {
		Elf64_Phdr ph;
		uint64_t at = eh.e_phoff + (uint64_t)i * sizeof(ph);
		if (read_at(m, at, &ph, sizeof(ph)))
			return kho_fail(err, at, true,
					"program header %u is outside the file", i);
		rc = add_phdr(m, &ph, at, err);
		if (rc)
			return rc;
	}
	qsort(m->r, m->nr, sizeof(*m->r), cmp_range);
	return 0;
}

static int open_common(struct kho_mem *m, struct kho_mem **out, struct kho_error *err)
{
	int rc = load_phdrs(m, err);

	if (rc) {
		if (rc == -ENOMEM)
			kho_fail(err, 0, false, "out of memory");
		kho_mem_close(m);
		return rc;
	}
	*out = m;
	return 0;
}

int kho_mem_open_fd(int fd, struct kho_mem **out, struct kho_error *err)
{
	struct kho_mem *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->fd = fd;
	return open_common(m, out, err);
}

int kho_mem_open_buf(const void *buf, size_t len, struct kho_mem **out,
		     struct kho_error *err)
{
	struct kho_mem *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->fd = -1;
	m->buf = buf;
	m->buf_len = len;
	return open_common(m, out, err);
}

int kho_mem_from_image(const struct kho_image *img, struct kho_mem **out)
{
	struct kho_mem *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->fd = -1;
	m->r = calloc(img->nr_segs ? img->nr_segs : 1, sizeof(*m->r));
	if (!m->r) {
		free(m);
		return -ENOMEM;
	}
	for (size_t i = 0; i < img->nr_segs; i++)
		m->r[m->nr++] = (struct range){ img->segs[i].phys, img->segs[i].len, 0,
						img->segs[i].data };
	qsort(m->r, m->nr, sizeof(*m->r), cmp_range);
	*out = m;
	return 0;
}

void kho_mem_close(struct kho_mem *mem)
{
	if (!mem)
		return;
	if (mem->rec)
		free(mem->rec->pfns);
	free(mem->rec);
	free(mem->r);
	free(mem);
}

size_t kho_mem_nr_ranges(const struct kho_mem *mem)
{
	return mem->nr;
}

/*
 * A range holding phys, or NULL: the last one starting at or below it, else an
 * earlier one that still covers it. kcore's ranges overlap (its kernel-text
 * segment lies inside a RAM segment, both with physical addresses).
 */
static const struct range *find_range(const struct kho_mem *m, uint64_t phys)
{
	size_t lo = 0, hi = m->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->r[mid].phys <= phys)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i > 0; i--)
		if (phys - m->r[i - 1].phys < m->r[i - 1].len)
			return &m->r[i - 1];
	return NULL;
}

static int read_piece(const struct kho_mem *m, const struct range *r, uint64_t phys,
		      void *dst, size_t n)
{
	uint64_t delta = phys - r->phys;

	if (r->ptr) {
		memcpy(dst, r->ptr + delta, n);
		return 0;
	}
	return read_at(m, r->file_off + delta, dst, n);
}

static void record(struct kho_mem_rec *rec, uint64_t phys, size_t len)
{
	uint64_t last = len ? (phys + len - 1) / KHO_PAGE_SIZE : 0;

	for (uint64_t pfn = phys / KHO_PAGE_SIZE; len && pfn <= last; pfn++) {
		/* Consecutive reads of one page are the common case: keep it once. */
		if (rec->n && rec->pfns[rec->n - 1] == pfn)
			continue;
		if (rec->n == rec->cap) {
			size_t ncap = rec->cap ? rec->cap * 2 : 64;
			uint64_t *n = ncap <= 4 * KHO_MEM_RECORD_MAX
					      ? realloc(rec->pfns, ncap * sizeof(*n))
					      : NULL;
			if (!n) {
				rec->overflow = true;
				return;
			}
			rec->pfns = n;
			rec->cap = ncap;
		}
		rec->pfns[rec->n++] = pfn;
	}
}

int kho_mem_record(struct kho_mem *mem)
{
	if (!mem->rec && !(mem->rec = calloc(1, sizeof(*mem->rec))))
		return -ENOMEM;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Runs of adjacent pages become one segment each. */
static int recorded_segments(const struct kho_mem *mem, struct kho_image *img)
{
	struct kho_mem_rec *rec = mem->rec;
	size_t n = 0;

	qsort(rec->pfns, rec->n, sizeof(*rec->pfns), cmp_u64);
	for (size_t i = 0; i < rec->n; i++)
		if (!n || rec->pfns[i] != rec->pfns[n - 1])
			rec->pfns[n++] = rec->pfns[i];
	rec->n = n;
	rec->paused = true;
	if (n > KHO_MEM_RECORD_MAX)
		return -E2BIG;
	img->segs = calloc(n ? n : 1, sizeof(*img->segs));
	if (!img->segs)
		return -ENOMEM;
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && rec->pfns[j] == rec->pfns[j - 1] + 1; j++)
			;
		struct kho_mem_seg *s = &img->segs[img->nr_segs++];
		s->phys = rec->pfns[i] * KHO_PAGE_SIZE;
		s->len = (j - i) * KHO_PAGE_SIZE;
		if (!(s->data = malloc(s->len)))
			return -ENOMEM;
		/* Pages of a segment the image ends inside are kept as far as they go. */
		if (kho_mem_read(mem, s->phys, s->data, s->len, NULL))
			memset(s->data, 0, s->len);
	}
	return 0;
}

int kho_mem_write_recorded(const struct kho_mem *mem, int fd, size_t *pages)
{
	struct kho_image img = { 0 };
	int rc;

	if (!mem->rec)
		return -EINVAL;
	if (mem->rec->overflow)
		return -E2BIG;
	rc = recorded_segments(mem, &img);
	mem->rec->paused = false;
	*pages = mem->rec->n;
	rc = rc ?: kho_mem_write_elf(fd, &img);
	kho_image_free(&img);
	return rc;
}

int kho_mem_read(const struct kho_mem *mem, uint64_t phys, void *dst, size_t len,
		 struct kho_error *err)
{
	uint64_t start = phys;
	size_t total = len;

	if (phys + len < phys)
		return kho_fail(
			err, phys, false,
			"physical range 0x%llx+0x%zx wraps around the address space",
			(unsigned long long)phys, len);
	/* A read may span adjacent segments (kcore splits RAM at arbitrary points). */
	while (len) {
		const struct range *r = find_range(mem, phys);
		if (!r || phys - r->phys >= r->len)
			return kho_fail(
				err, phys, false,
				"physical address 0x%llx is not in the memory image (reading 0x%llx+0x%zx)",
				(unsigned long long)phys, (unsigned long long)start,
				len + (size_t)(phys - start));
		size_t n = r->len - (phys - r->phys) < len
				   ? (size_t)(r->len - (phys - r->phys))
				   : len;
		int rc = read_piece(mem, r, phys, dst, n);
		if (rc)
			return kho_fail(
				err, phys, false,
				"cannot read physical 0x%llx from the memory file",
				(unsigned long long)phys);
		phys += n;
		dst = (char *)dst + n;
		len -= n;
	}
	if (mem->rec && !mem->rec->paused)
		record(mem->rec, start, total);
	return 0;
}
