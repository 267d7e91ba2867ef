// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The KHO hand-over builder. It replays the kernel's libfdt call sequence
 * (kho-format.md §11.4) so that the FDTs match the kernel's byte for byte,
 * and lays the records behind the FDTs' physical addresses out in simulated
 * memory with a bump allocator over invented, page-aligned addresses.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlopen-libs.h"
#include "io.h"
#include "kho-abi.h"
#include "kho-build.h"

/* Invented physical layout: records from here up, file data far above, scratch apart. */
#define BUILD_RECORDS_BASE 0x10a3f0000ull
#define BUILD_DATA_BASE 0x200000000ull
#define BUILD_DIRECT_MAP 0xffff888000000000ull /* x86-64 direct map, for p_vaddr */

struct preserved {
	uint64_t pa;
	unsigned int order;
};

struct builder {
	const struct kho_build_params *p;
	struct kho_image *img;
	uint64_t next_phys;
	uint64_t next_data_phys;
	size_t cap_segs, cap_blobs;
	struct preserved *pres;
	size_t nr_pres, cap_pres;
	uint64_t map_phys; /* radix root (E4+) or first chunk (E1-E2, once finalized) */
	uint64_t luo_flb_phys;
	uint64_t luo_sessions_phys; /* E2-E5 session block, E6+ first session block */
};

static const struct {
	const char *name;
	const char *root_compatible;
} era_info[] = {
	[KHO_ERA_E1] = { "E1", "kho-v1" },
	[KHO_ERA_E2] = { "E2", "kho-v1" },
	[KHO_ERA_E4] = { "E4", "kho-v2" },
	[KHO_ERA_E5] = { "E5", "kho-v3" },
	[KHO_ERA_E6] = { "E6", "kho-v4" },
	[KHO_ERA_E7] = { "E7", "kho-v4;radix-v1;vmalloc-v1" },
};

static bool era_valid(enum kho_era era)
{
	return (unsigned int)era <= KHO_ERA_E7;
}

const char *kho_era_name(enum kho_era era)
{
	return era_valid(era) ? era_info[era].name : NULL;
}

const char *kho_era_root_compatible(enum kho_era era)
{
	return era_valid(era) ? era_info[era].root_compatible : NULL;
}

int kho_era_parse(const char *s, enum kho_era *era)
{
	if (*s == 'E' || *s == 'e')
		s++;
	for (unsigned int i = 0; i <= KHO_ERA_E7; i++) {
		if (!strcmp(s, era_info[i].name + 1)) {
			*era = (enum kho_era)i;
			return 0;
		}
	}
	return -EINVAL;
}

static bool era_has_radix(enum kho_era era)
{
	return era >= KHO_ERA_E4;
}

static bool era_has_blob_size(enum kho_era era)
{
	return era >= KHO_ERA_E5;
}

static bool era_luo_is_struct(enum kho_era era)
{
	return era >= KHO_ERA_E6;
}

/* ---- simulated memory ---- */

/* Zeroed pages at a fresh physical address aligned to their own size (folio rule). */
static void *alloc_pages(struct builder *b, size_t npages, uint64_t *phys)
{
	struct kho_image *img = b->img;
	uint64_t align = (uint64_t)npages * KHO_PAGE_SIZE;

	if (io_grow((void **)&img->segs, &b->cap_segs, img->nr_segs + 1,
		    sizeof(*img->segs)))
		return NULL;
	void *data = calloc(npages, KHO_PAGE_SIZE);
	if (!data)
		return NULL;
	if (npages & (npages - 1))
		align = KHO_PAGE_SIZE;
	b->next_phys = (b->next_phys + align - 1) & ~(align - 1);
	*phys = b->next_phys;
	b->next_phys += (uint64_t)npages * KHO_PAGE_SIZE;
	img->segs[img->nr_segs++] =
		(struct kho_mem_seg){ *phys, data, npages * KHO_PAGE_SIZE };
	return data;
}

static void *seg_ptr(const struct builder *b, uint64_t phys)
{
	const struct kho_image *img = b->img;

	for (size_t i = 0; i < img->nr_segs; i++) {
		const struct kho_mem_seg *s = &img->segs[i];
		if (phys >= s->phys && phys - s->phys < s->len)
			return (char *)s->data + (phys - s->phys);
	}
	return NULL;
}

static int preserve(struct builder *b, uint64_t pa, unsigned int order)
{
	if (io_grow((void **)&b->pres, &b->cap_pres, b->nr_pres + 1, sizeof(*b->pres)))
		return -ENOMEM;
	b->pres[b->nr_pres++] = (struct preserved){ pa, order };
	return 0;
}

static unsigned int order_of_pages(size_t npages)
{
	unsigned int order = 0;

	while (((size_t)1 << order) < npages)
		order++;
	return order;
}

/* Pages the kernel would get from kho_alloc_preserve(): allocated and marked. */
static void *alloc_preserved(struct builder *b, size_t npages, uint64_t *phys)
{
	void *data = alloc_pages(b, npages, phys);

	if (!data || preserve(b, *phys, order_of_pages(npages)))
		return NULL;
	return data;
}

static void put_u64(void *dst, uint64_t v)
{
	memcpy(dst, &v, sizeof(v)); /* CPU-native, as the kernel writes it */
}

/* ---- FDT helpers ---- */

static int fdt_err(int err)
{
	if (err >= 0)
		return 0;
	return err == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
}

static int fdt_u64(void *fdt, const char *name, uint64_t v)
{
	return sym_fdt_property(fdt, name, &v, sizeof(v));
}

/* fdt_property_string(), a macro over fdt_property() that the loaded symbol replaces */
static int fdt_prop_string(void *fdt, const char *name, const char *str)
{
	return sym_fdt_property(fdt, name, str, (int)strlen(str) + 1);
}

static int add_blob(struct builder *b, const char *name, const void *data, size_t len,
		    uint64_t phys)
{
	struct kho_image *img = b->img;

	if (io_grow((void **)&img->blobs, &b->cap_blobs, img->nr_blobs + 1,
		 sizeof(*img->blobs)))
		return -ENOMEM;
	void *copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, len);
	struct kho_blob *blob = &img->blobs[img->nr_blobs++];
	memset(blob, 0, sizeof(*blob));
	strncpy(blob->name, name, sizeof(blob->name) - 1);
	blob->data = copy;
	blob->len = len;
	blob->phys = phys;
	return 0;
}

/* A sequential-write FDT blob in its own preserved page(s), registered as `name`. */
static int finish_fdt_blob(struct builder *b, const char *name, void *fdt, size_t bufsize)
{
	uint64_t phys;
	int err = fdt_err(sym_fdt_finish(fdt));

	if (err)
		return err;
	size_t len = fdt_totalsize(fdt);
	void *page =
		alloc_preserved(b, (bufsize + KHO_PAGE_SIZE - 1) / KHO_PAGE_SIZE, &phys);
	if (!page)
		return -ENOMEM;
	memcpy(page, fdt, len);
	return add_blob(b, name, fdt, len, phys);
}

static int begin_fdt(void *buf, size_t size)
{
	int err = sym_fdt_create(buf, (int)size);

	if (!err)
		err = sym_fdt_finish_reservemap(buf);
	if (!err)
		err = sym_fdt_begin_node(buf, "");
	return err;
}

/* ---- memfd records (§6) ---- */

static const char *default_memfd_compatible(enum kho_era era)
{
	if (era <= KHO_ERA_E2)
		return "memfd-v1";
	return era == KHO_ERA_E7 ? "memfd-v2;vmalloc-v1" : "memfd-v2";
}

/* The folio array as kho_preserve_vmalloc() leaves it: pages listed in chunk pages. */
static int build_folio_vmalloc(struct builder *b, uint64_t nr_folios,
			       struct kho_vmalloc *vm)
{
	size_t pages =
		(nr_folios * sizeof(struct memfd_luo_folio_ser) + KHO_PAGE_SIZE - 1) /
		KHO_PAGE_SIZE;
	struct kho_vmalloc_chunk *chunk = NULL;
	size_t in_chunk = KHO_VMALLOC_CHUNK_ENTRIES;
	uint64_t folio = 0;

	*vm = (struct kho_vmalloc){ .total_pages = (uint32_t)pages,
				    .flags = KHO_VMALLOC_ALLOC };
	for (size_t pg = 0; pg < pages; pg++) {
		uint64_t page_phys, chunk_phys;
		if (in_chunk == KHO_VMALLOC_CHUNK_ENTRIES) {
			struct kho_vmalloc_chunk *next =
				alloc_preserved(b, 1, &chunk_phys);
			if (!next)
				return -ENOMEM;
			if (chunk)
				chunk->next = chunk_phys;
			else
				vm->first = chunk_phys;
			chunk = next;
			in_chunk = 0;
		}
		struct memfd_luo_folio_ser *ent = alloc_preserved(b, 1, &page_phys);
		if (!ent)
			return -ENOMEM;
		chunk->phys[in_chunk++] = page_phys;
		for (size_t i = 0; i < KHO_PAGE_SIZE / sizeof(*ent) && folio < nr_folios;
		     i++, folio++) {
			uint64_t pa = b->next_data_phys;
			uint64_t flags = MEMFD_FOLIO_DIRTY | MEMFD_FOLIO_UPTODATE;
			b->next_data_phys += KHO_PAGE_SIZE;
			if (preserve(b, pa, 0))
				return -ENOMEM;
			ent[i].pfn_flags =
				(pa >> KHO_PAGE_SHIFT) | flags << MEMFD_FOLIO_PFN_BITS;
			ent[i].index = folio;
		}
	}
	return 0;
}

static int build_memfd(struct builder *b, const struct kho_build_file *f,
		       const char *compat, uint64_t *data_phys)
{
	uint64_t nr_folios = (f->size + KHO_PAGE_SIZE - 1) / KHO_PAGE_SIZE;
	struct kho_vmalloc vm = { 0 };
	void *page = alloc_preserved(b, 1, data_phys);

	if (!page)
		return -ENOMEM;
	if (nr_folios) {
		int err = build_folio_vmalloc(b, nr_folios, &vm);
		if (err)
			return err;
	}
	if (!strcmp(compat, "memfd-v1")) {
		struct memfd_luo_ser_v1 ser = { f->pos,	  f->size,	  nr_folios,
						vm.first, vm.total_pages, vm.flags,
						vm.order };
		memcpy(page, &ser, sizeof(ser));
	} else {
		struct memfd_luo_ser_v2 ser = {
			f->pos,	  f->size,	  f->seals, 0,	     nr_folios,
			vm.first, vm.total_pages, vm.flags, vm.order
		};
		memcpy(page, &ser, sizeof(ser));
	}
	return 0;
}

static int fill_file(struct builder *b, const struct kho_build_file *f,
		     struct luo_file_ser *rec)
{
	const char *compat =
		f->compatible ? f->compatible : default_memfd_compatible(b->p->era);

	if (strlen(compat) >= sizeof(rec->compatible))
		return -EINVAL;
	memset(rec, 0, sizeof(*rec));
	strcpy(rec->compatible, compat);
	rec->token = f->token;
	/* Handlers other than memfd keep records we cannot invent: data stays 0. */
	if (!strncmp(compat, "memfd-v", 7)) {
		uint64_t data = 0;
		int err = build_memfd(b, f, compat, &data);
		rec->data = data;
		return err;
	}
	return 0;
}

/* ---- sessions and files ---- */

/* E2-E5: all files of a session in one 2-page array. */
static int build_file_array(struct builder *b, const struct kho_build_session *s,
			    uint64_t *phys)
{
	if (!s->nr_files) {
		*phys = 0;
		return 0;
	}
	if (s->nr_files >
	    LUO_FILE_ARRAY_PAGES * KHO_PAGE_SIZE / sizeof(struct luo_file_ser))
		return -ENOSPC;
	struct luo_file_ser *arr = alloc_preserved(b, LUO_FILE_ARRAY_PAGES, phys);
	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < s->nr_files; i++) {
		int err = fill_file(b, &s->files[i], &arr[i]);
		if (err)
			return err;
	}
	return 0;
}

typedef int (*fill_entry_fn)(struct builder *b, const void *src, size_t i, void *entry);

/* luo-v4+: a chain of one-page blocks of `entry_size` records (§5.1). */
static int build_block_chain(struct builder *b, size_t n, size_t entry_size,
			     fill_entry_fn fill, const void *src, uint64_t *first)
{
	size_t per_block =
		(KHO_PAGE_SIZE - sizeof(struct kho_block_header_ser)) / entry_size;
	struct kho_block_header_ser *prev = NULL;

	*first = 0;
	if ((n + per_block - 1) / per_block > KHO_BLOCK_MAX_CHAIN)
		return -ENOSPC;
	for (size_t done = 0; done < n;) {
		uint64_t phys;
		char *blk = alloc_preserved(b, 1, &phys);
		if (!blk)
			return -ENOMEM;
		struct kho_block_header_ser *hdr = (void *)blk;
		hdr->count = n - done < per_block ? n - done : per_block;
		if (prev)
			prev->next = phys;
		else
			*first = phys;
		prev = hdr;
		for (size_t i = 0; i < hdr->count; i++, done++) {
			int err = fill(b, src, done, blk + sizeof(*hdr) + i * entry_size);
			if (err)
				return err;
		}
	}
	return 0;
}

static int fill_file_entry(struct builder *b, const void *src, size_t i, void *entry)
{
	const struct kho_build_session *s = src;

	return fill_file(b, &s->files[i], entry);
}

static int fill_session_name(const struct kho_build_session *s,
			     struct luo_session_ser *rec)
{
	if (!s->name || strlen(s->name) >= sizeof(rec->name))
		return -EINVAL;
	memset(rec, 0, sizeof(*rec));
	strcpy(rec->name, s->name);
	rec->count = s->nr_files;
	return 0;
}

static int fill_session_entry(struct builder *b, const void *src, size_t i, void *entry)
{
	const struct kho_build_session *s = &((const struct kho_build_session *)src)[i];
	struct luo_session_ser rec;
	uint64_t files = 0;
	int err = fill_session_name(s, &rec);

	if (!err)
		err = build_block_chain(b, s->nr_files, sizeof(struct luo_file_ser),
					fill_file_entry, s, &files);
	rec.files = files;
	if (!err)
		memcpy(entry, &rec, sizeof(rec));
	return err;
}

/* E2-E5: the 16-page block allocated at boot, filled only at reboot (§4.2). */
static int build_session_block(struct builder *b)
{
	const struct kho_build_params *p = b->p;
	size_t max = (LUO_SESSION_BLOCK_PAGES * KHO_PAGE_SIZE - 8) /
		     sizeof(struct luo_session_ser);
	char *blk = alloc_preserved(b, LUO_SESSION_BLOCK_PAGES, &b->luo_sessions_phys);

	if (!blk)
		return -ENOMEM;
	if (!p->serialized)
		return 0;
	if (p->nr_sessions > max)
		return -ENOSPC;
	put_u64(blk, p->nr_sessions);
	for (size_t i = 0; i < p->nr_sessions; i++) {
		struct luo_session_ser rec;
		uint64_t files = 0;
		int err = fill_session_name(&p->sessions[i], &rec);
		if (!err)
			err = build_file_array(b, &p->sessions[i], &files);
		if (err)
			return err;
		rec.files = files;
		memcpy(blk + 8 + i * sizeof(rec), &rec, sizeof(rec));
	}
	return 0;
}

static int build_flb(struct builder *b)
{
	struct luo_flb_header_ser *hdr = alloc_preserved(b, 1, &b->luo_flb_phys);

	if (!hdr)
		return -ENOMEM;
	hdr->pgcnt = 1;
	hdr->count = 0;
	return 0;
}

/* ---- sub-blobs ---- */

static int build_luo_fdt(struct builder *b)
{
	const struct kho_build_params *p = b->p;
	char buf[KHO_PAGE_SIZE];
	int err = 0;

	if (p->with_flb)
		err = build_flb(b);
	if (!err)
		err = build_session_block(b);
	if (err)
		return err;
	err = begin_fdt(buf, sizeof(buf));
	err = err ?: fdt_prop_string(buf, KHO_PROP_COMPATIBLE, LUO_FDT_COMPATIBLE_V1);
	err = err ?: fdt_u64(buf, LUO_PROP_NUMBER, p->liveupdate_num);
	err = err ?: sym_fdt_begin_node(buf, LUO_NODE_SESSION);
	err = err
		      ?: fdt_prop_string(buf, KHO_PROP_COMPATIBLE,
					     LUO_SESSION_COMPATIBLE_V2);
	err = err ?: fdt_u64(buf, LUO_PROP_SESSION_HEADER, b->luo_sessions_phys);
	err = err ?: sym_fdt_end_node(buf);
	if (p->with_flb) {
		err = err ?: sym_fdt_begin_node(buf, LUO_NODE_FLB);
		err = err
			      ?: fdt_prop_string(buf, KHO_PROP_COMPATIBLE,
						     LUO_FLB_COMPATIBLE_V1);
		err = err ?: fdt_u64(buf, LUO_PROP_FLB_HEADER, b->luo_flb_phys);
		err = err ?: sym_fdt_end_node(buf);
	}
	err = err ?: sym_fdt_end_node(buf);
	if (err)
		return fdt_err(err);
	return finish_fdt_blob(b, KHO_NODE_LUO, buf, sizeof(buf));
}

static int build_luo_struct(struct builder *b)
{
	const struct kho_build_params *p = b->p;
	const char *compat = p->era == KHO_ERA_E7 ? "luo-v5;block-v1" : "luo-v5";
	size_t clen = (strlen(compat) + 1 + 7) & ~(size_t)7;
	struct luo_ser_tail tail = { p->liveupdate_num, 0, 0 };
	uint64_t phys;
	int err = build_flb(b);

	if (err)
		return err;
	tail.flbs_pa = b->luo_flb_phys;
	char *page = alloc_preserved(b, 1, &phys);
	if (!page)
		return -ENOMEM;
	if (p->serialized || (p->held && p->nr_sessions)) {
		uint64_t first;
		err = build_block_chain(b, p->nr_sessions, sizeof(struct luo_session_ser),
					fill_session_entry, p->sessions, &first);
		if (err)
			return err;
		tail.sessions_pa = p->serialized ? first : 0;
	}
	strcpy(page, compat);
	memcpy(page + clen, &tail, sizeof(tail));
	return add_blob(b, KHO_NODE_LUO, page, clen + sizeof(tail), phys);
}

static int build_kexec_metadata(struct builder *b)
{
	const char *rel = b->p->release ? b->p->release : "";
	struct kho_kexec_metadata md = { .version = KHO_KEXEC_METADATA_VERSION,
					 .kexec_count = b->p->kexec_count };
	uint64_t phys;

	if (strlen(rel) >= sizeof(md.previous_release))
		return -EINVAL;
	strcpy(md.previous_release, rel);
	void *page = alloc_preserved(b, 1, &phys);
	if (!page)
		return -ENOMEM;
	memcpy(page, &md, sizeof(md));
	return add_blob(b, KHO_NODE_KEXEC_METADATA, &md, sizeof(md), phys);
}

static int build_memblock(struct builder *b)
{
	const struct kho_build_params *p = b->p;
	char buf[KHO_PAGE_SIZE];
	int err = begin_fdt(buf, sizeof(buf));

	err = err ?: fdt_prop_string(buf, KHO_PROP_COMPATIBLE, "memblock-v1");
	for (size_t i = 0; !err && i < p->nr_reserve_mem; i++) {
		const struct kho_build_region *r = &p->reserve_mem[i];
		err = sym_fdt_begin_node(buf, r->name);
		err = err
			      ?: fdt_prop_string(buf, KHO_PROP_COMPATIBLE,
						     "reserve-mem-v1");
		err = err ?: fdt_u64(buf, "start", r->start);
		err = err ?: fdt_u64(buf, "size", r->size);
		err = err ?: sym_fdt_end_node(buf);
	}
	err = err ?: sym_fdt_end_node(buf);
	if (err)
		return fdt_err(err);
	return finish_fdt_blob(b, KHO_NODE_MEMBLOCK, buf, sizeof(buf));
}

/* lib/test_kho.c's blob, with no folios: we have no test data to checksum. */
static int build_kho_test(struct builder *b)
{
	static const char compat[] = "kho-test-v1";
	const uint32_t magic = 0x4b484f21, nr_folios = 0, csum = 0;
	const struct kho_vmalloc folios = { 0 };
	char buf[KHO_PAGE_SIZE];
	int err = begin_fdt(buf, sizeof(buf));

	err = err ?: sym_fdt_property(buf, KHO_PROP_COMPATIBLE, compat, sizeof(compat));
	err = err ?: sym_fdt_property(buf, "magic", &magic, sizeof(magic));
	err = err ?: sym_fdt_begin_node(buf, "data");
	err = err ?: sym_fdt_property(buf, "nr_folios", &nr_folios, sizeof(nr_folios));
	err = err ?: sym_fdt_property(buf, "folios_info", &folios, sizeof(folios));
	err = err ?: sym_fdt_property(buf, "csum", &csum, sizeof(csum));
	err = err ?: sym_fdt_end_node(buf);
	err = err ?: sym_fdt_end_node(buf);
	if (err)
		return fdt_err(err);
	return finish_fdt_blob(b, KHO_NODE_TEST, buf, sizeof(buf));
}

/* Kernel registration order (§2.4); E1 writes them at finalize in the same order. */
static int build_blobs(struct builder *b)
{
	const struct kho_build_params *p = b->p;
	int err = 0;

	if (era_has_blob_size(p->era))
		err = build_kexec_metadata(b);
	if (!err && p->with_kho_test)
		err = build_kho_test(b);
	if (!err && p->era != KHO_ERA_E1)
		err = era_luo_is_struct(p->era) ? build_luo_struct(b) : build_luo_fdt(b);
	if (!err && p->nr_reserve_mem)
		err = build_memblock(b);
	return err;
}

/* ---- preserved-memory maps (§7) ---- */

static int note_map_page(struct builder *b, uint64_t phys)
{
	struct kho_image *img = b->img;
	uint64_t *n = realloc(img->map_pages, (img->nr_map_pages + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	img->map_pages = n;
	n[img->nr_map_pages++] = phys;
	return 0;
}

static uint64_t *radix_child(struct builder *b, uint64_t *slot, int *err)
{
	if (!*slot && (!alloc_pages(b, 1, slot) || note_map_page(b, *slot)))
		*err = -ENOMEM;
	return *err ? NULL : seg_ptr(b, *slot);
}

static int radix_insert(struct builder *b, uint64_t pa, unsigned int order)
{
	uint64_t key = (1ull << (KHO_RADIX_ORDER_BIT - order)) |
		       (pa >> (KHO_PAGE_SHIFT + order));
	uint64_t *node = seg_ptr(b, b->map_phys);
	int err = 0;

	for (int level = KHO_RADIX_LEVELS; level >= 1; level--) {
		unsigned int shift =
			KHO_RADIX_LEAF_BITS + KHO_RADIX_LEVEL_BITS * (level - 1);
		unsigned int idx = (key >> shift) & ((1u << KHO_RADIX_LEVEL_BITS) - 1);
		node = radix_child(b, &node[idx], &err);
		if (!node)
			return err;
	}
	unsigned int bit = key & ((1u << KHO_RADIX_LEAF_BITS) - 1);
	node[bit / 64] |= 1ull << (bit % 64);
	return 0;
}

static struct kho_mem_bitmap_desc *chunk_desc(struct builder *b,
					      struct kho_mem_chunk_hdr **chunk,
					      unsigned int order, uint64_t start,
					      int *err)
{
	struct kho_mem_chunk_hdr *c = *chunk;
	struct kho_mem_bitmap_desc *descs = c ? (void *)(c + 1) : NULL;
	uint64_t phys;

	for (uint32_t i = 0; c && c->order == order && i < c->num_elms; i++)
		if (descs[i].phys_start == start)
			return &descs[i];
	if (!c || c->order != order || c->num_elms == KHO_CHUNK_DESCS) {
		struct kho_mem_chunk_hdr *n = alloc_pages(b, 1, &phys);
		if (!n)
			goto nomem;
		if (c)
			c->next = phys;
		else
			b->map_phys = phys;
		n->order = order;
		*chunk = c = n;
		descs = (void *)(c + 1);
	}
	struct kho_mem_bitmap_desc *d = &descs[c->num_elms++];
	d->phys_start = start;
	if (!alloc_pages(b, 1, &d->bitmap))
		goto nomem;
	return d;
nomem:
	*err = -ENOMEM;
	return NULL;
}

static int cmp_preserved(const void *a, const void *b)
{
	const struct preserved *x = a, *y = b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->pa < y->pa ? -1 : x->pa > y->pa;
}

/* E1-E2: written at finalize, one chunk run per order, one-page bitmaps. */
static int build_chunk_list(struct builder *b)
{
	struct kho_mem_chunk_hdr *chunk = NULL;
	int err = 0;

	if (b->nr_pres)
		qsort(b->pres, b->nr_pres, sizeof(*b->pres), cmp_preserved);
	for (size_t i = 0; i < b->nr_pres; i++) {
		unsigned int order = b->pres[i].order;
		uint64_t span = (uint64_t)KHO_BITMAP_BITS << (order + KHO_PAGE_SHIFT);
		uint64_t start = b->pres[i].pa & ~(span - 1);
		struct kho_mem_bitmap_desc *d = chunk_desc(b, &chunk, order, start, &err);
		if (!d)
			return err;
		uint64_t bit = (b->pres[i].pa - start) >> (order + KHO_PAGE_SHIFT);
		uint64_t *bitmap = seg_ptr(b, d->bitmap);
		bitmap[bit / 64] |= 1ull << (bit % 64);
	}
	return 0;
}

static int build_map(struct builder *b)
{
	if (era_has_radix(b->p->era)) {
		for (size_t i = 0; i < b->nr_pres; i++) {
			int err = radix_insert(b, b->pres[i].pa, b->pres[i].order);
			if (err)
				return err;
		}
		return 0;
	}
	/* E1 and E2 have no map until finalize: E2 shows 0 in the boot-time view. */
	return b->p->serialized ? build_chunk_list(b) : 0;
}

/* ---- the root FDT (§2, §11.4) ---- */

static int root_sub_prop(enum kho_era era)
{
	return era <= KHO_ERA_E2; /* true: `fdt`, false: `preserved-data` */
}

/* E2+: reopen in place, add the node (it lands before older ones), set, pack. */
static int root_add_blob(void *root, enum kho_era era, const struct kho_blob *blob)
{
	uint64_t size = blob->len;
	int err = sym_fdt_open_into(root, root, KHO_ROOT_BUF_SIZE);
	int node = err ?: sym_fdt_add_subnode(root, 0, blob->name);

	if (node < 0)
		return fdt_err(node);
	err = sym_fdt_setprop(root, node,
			  root_sub_prop(era) ? KHO_PROP_SUB_FDT : KHO_PROP_PRESERVED_DATA,
			  &blob->phys, sizeof(blob->phys));
	if (!err && era_has_blob_size(era))
		err = sym_fdt_setprop(root, node, KHO_PROP_BLOB_SIZE, &size,
				      sizeof(size));
	err = err ?: sym_fdt_pack(root);
	return fdt_err(err);
}

static int build_root(struct builder *b, void *root)
{
	enum kho_era era = b->p->era;
	const struct kho_image *img = b->img;
	int err = begin_fdt(root, KHO_ROOT_BUF_SIZE);

	err = err
		      ?: fdt_prop_string(root, KHO_PROP_COMPATIBLE,
					     era_info[era].root_compatible);
	err = err ?: fdt_u64(root, KHO_PROP_MEM_MAP, b->map_phys);
	for (size_t i = 0; era == KHO_ERA_E1 && !err && i < img->nr_blobs; i++) {
		err = sym_fdt_begin_node(root, img->blobs[i].name);
		err = err ?: fdt_u64(root, KHO_PROP_SUB_FDT, img->blobs[i].phys);
		err = err ?: sym_fdt_end_node(root);
	}
	err = err ?: sym_fdt_end_node(root);
	err = err ?: sym_fdt_finish(root);
	if (err)
		return fdt_err(err);
	b->img->root_debugfs_len = fdt_totalsize(root);
	for (size_t i = 0; era != KHO_ERA_E1 && i < img->nr_blobs; i++) {
		err = root_add_blob(root, era, &img->blobs[i]);
		if (err)
			return err;
		if (era_has_blob_size(era) &&
		    !strcmp(img->blobs[i].name, KHO_NODE_KEXEC_METADATA))
			b->img->root_debugfs_len = fdt_totalsize(root);
	}
	if (!era_has_blob_size(era))
		b->img->root_debugfs_len = fdt_totalsize(root);
	return 0;
}

/* The scratch areas of a one-node machine (§8): lowmem, global, node 0. */
static void set_scratch(struct kho_image *img)
{
	static const uint64_t area[][2] = {
		{ 0x4000000ull, 0x1000000ull },
		{ 0x180000000ull, 0x20000000ull },
		{ 0x1c0000000ull, 0x10000000ull },
	};

	for (size_t i = 0; i < sizeof(area) / sizeof(area[0]); i++) {
		img->scratch_phys[i] = area[i][0];
		img->scratch_len[i] = area[i][1];
	}
	img->nr_scratch = sizeof(area) / sizeof(area[0]);
}

static int build_all(struct builder *b)
{
	struct kho_image *img = b->img;
	void *root_page;
	int err;

	root_page = alloc_pages(b, 1, &img->root_phys);
	if (!root_page)
		return -ENOMEM;
	/* The radix root exists from boot and never moves (§7.2). */
	if (era_has_radix(b->p->era) &&
	    (!alloc_pages(b, 1, &b->map_phys) || note_map_page(b, b->map_phys)))
		return -ENOMEM;
	err = build_blobs(b);
	err = err ?: build_map(b);
	if (err)
		return err;
	img->root_fdt = malloc(KHO_ROOT_BUF_SIZE);
	if (!img->root_fdt)
		return -ENOMEM;
	err = build_root(b, img->root_fdt);
	if (err)
		return err;
	img->root_len = fdt_totalsize(img->root_fdt);
	memcpy(root_page, img->root_fdt, img->root_len);
	set_scratch(img);
	return 0;
}

int kho_build(const struct kho_build_params *p, struct kho_image *out)
{
	struct builder b = {
		.p = p,
		.img = out,
		.next_phys = BUILD_RECORDS_BASE,
		.next_data_phys = BUILD_DATA_BASE,
	};
	int err;

	memset(out, 0, sizeof(*out));
	if (!era_valid(p->era) || (p->nr_sessions && !p->sessions))
		return -EINVAL;
	if (p->era == KHO_ERA_E1 && p->nr_sessions)
		return -EINVAL; /* E1 kernels have no LUO */
	err = dlopen_libfdt();
	if (err)
		return err;
	err = build_all(&b);
	free(b.pres);
	if (err)
		kho_image_free(out);
	return err;
}

void kho_image_free(struct kho_image *img)
{
	for (size_t i = 0; i < img->nr_blobs; i++)
		free(img->blobs[i].data);
	for (size_t i = 0; i < img->nr_segs; i++)
		free(img->segs[i].data);
	free(img->blobs);
	free(img->segs);
	free(img->root_fdt);
	free(img->map_pages);
	memset(img, 0, sizeof(*img));
}

/*
 * Words like the ones seen in a reused page on 7.2.13 (`06 c5 fe 6f 4e 20 c5
 * fe ...`, direct-map pointers and list heads): never a page address, never
 * a LUO header.
 */
static void reuse_bytes(void *data, size_t len, uint64_t seed)
{
	uint8_t *p = data;

	for (size_t i = 0; i < len; i += 8) {
		uint64_t w = 0xff1f114f80000000ull | ((seed + i * 0x48) & 0x0fffffff);

		w |= 0x800;
		memcpy(p + i, &w, len - i < 8 ? len - i : 8);
	}
}

void kho_image_as_booted(struct kho_image *img)
{
	for (size_t i = 0; i < img->nr_blobs; i++) {
		struct kho_blob *bl = &img->blobs[i];
		bool is_fdt = bl->len >= 4 && fdt_magic(bl->data) == FDT_MAGIC;
		if (strcmp(bl->name, KHO_NODE_LUO) || is_fdt)
			continue;
		reuse_bytes(bl->data, bl->len, bl->phys);
		for (size_t s = 0; s < img->nr_segs; s++) {
			struct kho_mem_seg *sg = &img->segs[s];
			if (sg->phys == bl->phys)
				reuse_bytes(sg->data, sg->len, bl->phys);
		}
	}
	for (size_t m = 0; m < img->nr_map_pages; m++)
		for (size_t s = 0; s < img->nr_segs; s++)
			if (img->segs[s].phys == img->map_pages[m])
				reuse_bytes(img->segs[s].data, img->segs[s].len,
					    img->map_pages[m]);
}

/* ---- ELF core writer ---- */

static uint16_t elf_machine(void)
{
#if defined(__x86_64__)
	return EM_X86_64;
#elif defined(__aarch64__)
	return EM_AARCH64;
#else
	return EM_NONE;
#endif
}

static int write_elf_headers(int fd, const struct kho_image *img, uint64_t data_off)
{
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64,
			     __BYTE_ORDER == __LITTLE_ENDIAN ? ELFDATA2LSB : ELFDATA2MSB,
			     EV_CURRENT },
		.e_type = ET_CORE,
		.e_machine = elf_machine(),
		.e_version = EV_CURRENT,
		.e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = (Elf64_Half)img->nr_segs,
	};
	int err = io_write_all(fd, &eh, sizeof(eh));

	for (size_t i = 0; !err && i < img->nr_segs; i++) {
		const struct kho_mem_seg *s = &img->segs[i];
		Elf64_Phdr ph = {
			.p_type = PT_LOAD,
			.p_flags = PF_R,
			.p_offset = data_off,
			.p_vaddr = BUILD_DIRECT_MAP + s->phys,
			.p_paddr = s->phys,
			.p_filesz = s->len,
			.p_memsz = s->len,
			.p_align = KHO_PAGE_SIZE,
		};
		err = io_write_all(fd, &ph, sizeof(ph));
		data_off += (s->len + KHO_PAGE_SIZE - 1) & ~(uint64_t)(KHO_PAGE_SIZE - 1);
	}
	return err;
}

int kho_mem_write_elf(int fd, const struct kho_image *img)
{
	static const char zeros[KHO_PAGE_SIZE];
	uint64_t hdr_len = sizeof(Elf64_Ehdr) + img->nr_segs * sizeof(Elf64_Phdr);
	uint64_t data_off =
		(hdr_len + KHO_PAGE_SIZE - 1) & ~(uint64_t)(KHO_PAGE_SIZE - 1);

	if (img->nr_segs >= PN_XNUM)
		return -E2BIG;
	int err = write_elf_headers(fd, img, data_off);
	err = err ?: io_write_all(fd, zeros, data_off - hdr_len);
	for (size_t i = 0; !err && i < img->nr_segs; i++) {
		const struct kho_mem_seg *s = &img->segs[i];
		size_t pad = (KHO_PAGE_SIZE - s->len % KHO_PAGE_SIZE) % KHO_PAGE_SIZE;
		err = io_write_all(fd, s->data, s->len);
		err = err ?: io_write_all(fd, zeros, pad);
	}
	return err;
}
