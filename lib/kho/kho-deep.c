// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kho-deep.h"

/* Pages a deep decode may read: far above a real hand-over, small enough to end fast. */
#define DEEP_BUDGET_PAGES (1u << 18)
#define MAX_VMALLOC_ORDER 20

struct ctx {
	const struct kho_mem *m;
	struct kho_error *err;
	uint64_t budget;
};

static int rd(struct ctx *c, uint64_t phys, void *dst, size_t len)
{
	uint64_t pages = len / KHO_PAGE_SIZE + 1;

	if (pages > c->budget)
		return kho_fail(
			c->err, phys, false,
			"deep decode stopped at 0x%llx: more than %u pages read (a loop?)",
			(unsigned long long)phys, DEEP_BUDGET_PAGES);
	c->budget -= pages;
	return kho_mem_read(c->m, phys, dst, len, c->err);
}

static void copy_name(char *dst, const char *src, size_t srclen)
{
	memcpy(dst, src, srclen);
	dst[srclen] = '\0'; /* the kernel terminates them; a corrupt one is cut here */
}

/* Room for entry `index`: doubles at powers of two, so chains cost O(n). */
static int grow_for(void **arr, size_t index, size_t elem)
{
	/* Capacity doubles at each power of two, so only those indexes grow. */
	if (*arr && index && (index & (index - 1)))
		return 0;
	void *n = realloc(*arr, (index ? index * 2 : 1) * elem);
	if (!n)
		return -ENOMEM;
	*arr = n;
	return 0;
}

/* ---- memfd ---- */

static int read_folio_run(struct ctx *c, uint64_t run_pa, uint64_t pages,
			  struct kho_deep_memfd *mf)
{
	static struct memfd_luo_folio_ser
		ents[KHO_PAGE_SIZE / sizeof(struct memfd_luo_folio_ser)];

	for (uint64_t pg = 0; pg < pages && mf->folios_seen < mf->nr_folios; pg++) {
		uint64_t pa = run_pa + pg * KHO_PAGE_SIZE;
		int rc = rd(c, pa, ents, sizeof(ents));
		if (rc)
			return rc;
		for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]) &&
				   mf->folios_seen < mf->nr_folios;
		     i++) {
			uint64_t pfn =
				ents[i].pfn_flags & ((1ull << MEMFD_FOLIO_PFN_BITS) - 1);
			if (!mf->folios_seen || pfn < mf->min_pfn)
				mf->min_pfn = pfn;
			if (pfn > mf->max_pfn)
				mf->max_pfn = pfn;
			mf->folios_seen++;
		}
	}
	return 0;
}

static int walk_chunk(struct ctx *c, const struct kho_vmalloc_chunk *ch,
		      uint64_t chunk_pa, struct kho_deep_memfd *mf)
{
	uint64_t run = 1ull << mf->folios.order;

	for (size_t i = 0; i < KHO_VMALLOC_CHUNK_ENTRIES && ch->phys[i]; i++) {
		if (mf->array_pages + run > mf->folios.total_pages)
			return kho_fail(
				c->err, chunk_pa + 8 + i * 8, false,
				"folio array chunk at 0x%llx lists more than its %u pages",
				(unsigned long long)chunk_pa, mf->folios.total_pages);
		int rc = read_folio_run(c, ch->phys[i], run, mf);
		if (rc)
			return rc;
		mf->array_pages += run;
	}
	return 0;
}

static int walk_folios(struct ctx *c, uint64_t ser_pa, struct kho_deep_memfd *mf)
{
	static struct kho_vmalloc_chunk ch;
	uint64_t chunk_pa = mf->folios.first;
	uint64_t per_page = KHO_PAGE_SIZE / sizeof(struct memfd_luo_folio_ser);

	if (!mf->nr_folios)
		return 0;
	if (mf->folios.order > MAX_VMALLOC_ORDER)
		return kho_fail(c->err, ser_pa, false,
				"folio array order %u is implausible", mf->folios.order);
	if (mf->nr_folios > (uint64_t)mf->folios.total_pages * per_page)
		return kho_fail(c->err, ser_pa, false,
				"nr_folios %llu does not fit a folio array of %u pages",
				(unsigned long long)mf->nr_folios,
				mf->folios.total_pages);
	while (chunk_pa && mf->folios_seen < mf->nr_folios) {
		int rc = rd(c, chunk_pa, &ch, sizeof(ch));
		rc = rc ?: walk_chunk(c, &ch, chunk_pa, mf);
		if (rc)
			return rc;
		chunk_pa = ch.next;
	}
	if (mf->folios_seen < mf->nr_folios)
		return kho_fail(c->err, mf->folios.first, false,
				"folio array at 0x%llx ends after %llu of %llu folios",
				(unsigned long long)mf->folios.first,
				(unsigned long long)mf->folios_seen,
				(unsigned long long)mf->nr_folios);
	return 0;
}

static int read_memfd(struct ctx *c, struct kho_deep_file *f)
{
	struct kho_deep_memfd *mf = &f->memfd;
	int rc;

	if (!strcmp(f->compatible, "memfd-v1")) {
		struct memfd_luo_ser_v1 s;
		rc = rd(c, f->data, &s, sizeof(s));
		if (rc)
			return rc;
		*mf = (struct kho_deep_memfd){
			.pos = s.pos,
			.size = s.size,
			.nr_folios = s.nr_folios,
			.folios = { s.folios_first, s.folios_total_pages, s.folios_flags,
				    s.folios_order }
		};
	} else {
		struct memfd_luo_ser_v2 s;
		rc = rd(c, f->data, &s, sizeof(s));
		if (rc)
			return rc;
		/* Bytes 16-23: u32 seals + u32 flags, or an 8-bit field; byte 16 either
		 * way. */
		*mf = (struct kho_deep_memfd){
			.pos = s.pos,
			.size = s.size,
			.nr_folios = s.nr_folios,
			.seals = s.seals,
			.has_seals = true,
			.folios = { s.folios_first, s.folios_total_pages, s.folios_flags,
				    s.folios_order }
		};
	}
	return walk_folios(c, f->data, mf);
}

static int fill_file(struct ctx *c, const struct luo_file_ser *rec,
		     struct kho_deep_file *f)
{
	memset(f, 0, sizeof(*f));
	copy_name(f->compatible, rec->compatible, sizeof(rec->compatible));
	f->token = rec->token;
	f->data = rec->data;
	f->is_memfd = !strncmp(f->compatible, "memfd-v", 7) && f->data;
	return f->is_memfd ? read_memfd(c, f) : 0;
}

/* ---- files ---- */

static int read_file_array(struct ctx *c, struct kho_deep_session *s)
{
	size_t max = LUO_FILE_ARRAY_PAGES * KHO_PAGE_SIZE / sizeof(struct luo_file_ser);
	static struct luo_file_ser
		recs[LUO_FILE_ARRAY_PAGES * KHO_PAGE_SIZE / sizeof(struct luo_file_ser)];

	if (s->nr_files > max)
		return kho_fail(
			c->err, s->files_pa, false,
			"session \"%s\": %llu files exceed the file array's %zu records",
			s->name, (unsigned long long)s->nr_files, max);
	if (!s->nr_files)
		return 0;
	int rc = rd(c, s->files_pa, recs, s->nr_files * sizeof(recs[0]));
	for (size_t i = 0; !rc && i < s->nr_files; i++)
		rc = fill_file(c, &recs[i], &s->files[i]);
	return rc;
}

typedef int (*chain_entry_fn)(struct ctx *c, const void *entry, size_t index, void *arg);

static int walk_blocks(struct ctx *c, uint64_t pa, uint8_t *blk, uint64_t per_block,
		       size_t entry_size, uint64_t max_entries, chain_entry_fn fn,
		       void *arg, size_t *total);

/* luo-v4+ block chains (§5.1): the kernel's own limits decide what is corrupt. */
static int walk_chain(struct ctx *c, uint64_t pa, size_t entry_size, uint64_t max_entries,
		      chain_entry_fn fn, void *arg, size_t *total)
{
	uint64_t per_block =
		(KHO_PAGE_SIZE - sizeof(struct kho_block_header_ser)) / entry_size;
	uint8_t *blk =
		malloc(KHO_PAGE_SIZE); /* not static: chains nest (sessions, files) */
	int rc = blk ? walk_blocks(c, pa, blk, per_block, entry_size, max_entries, fn,
				   arg, total)
		     : -ENOMEM;

	free(blk);
	return rc;
}

static int walk_blocks(struct ctx *c, uint64_t pa, uint8_t *blk, uint64_t per_block,
		       size_t entry_size, uint64_t max_entries, chain_entry_fn fn,
		       void *arg, size_t *total)
{
	*total = 0;
	for (unsigned int n = 0; pa; n++) {
		struct kho_block_header_ser hdr;
		if (n == KHO_BLOCK_MAX_CHAIN)
			return kho_fail(c->err, pa, false,
					"block chain longer than %d blocks",
					KHO_BLOCK_MAX_CHAIN);
		int rc = rd(c, pa, blk, KHO_PAGE_SIZE);
		if (rc)
			return rc;
		memcpy(&hdr, blk, sizeof(hdr));
		if (!hdr.count || hdr.count > per_block)
			return kho_fail(c->err, pa + 8, false,
					"block at 0x%llx: count %llu (must be 1..%llu)",
					(unsigned long long)pa,
					(unsigned long long)hdr.count,
					(unsigned long long)per_block);
		if (*total + hdr.count > max_entries)
			return kho_fail(
				c->err, pa + 8, false,
				"block at 0x%llx: more entries than the %llu declared",
				(unsigned long long)pa, (unsigned long long)max_entries);
		for (uint64_t i = 0; i < hdr.count; i++) {
			/* Copy out: the entry's pages are re-read by nested walks. */
			uint8_t entry[128];
			memcpy(entry, blk + sizeof(hdr) + i * entry_size, entry_size);
			rc = fn(c, entry, (*total)++, arg);
			if (rc)
				return rc;
		}
		pa = hdr.next;
	}
	return 0;
}

static int file_entry(struct ctx *c, const void *entry, size_t index, void *arg)
{
	struct kho_deep_session *s = arg;
	struct luo_file_ser rec;

	if (grow_for((void **)&s->files, index, sizeof(*s->files)))
		return -ENOMEM;
	memcpy(&rec, entry, sizeof(rec));
	return fill_file(c, &rec, &s->files[index]);
}

static int read_file_chain(struct ctx *c, struct kho_deep_session *s)
{
	size_t total;
	int rc;

	if (s->nr_files > (uint64_t)KHO_BLOCK_MAX_CHAIN * 63)
		return kho_fail(c->err, s->files_pa, false,
				"session \"%s\": %llu files is too many", s->name,
				(unsigned long long)s->nr_files);
	rc = walk_chain(c, s->files_pa, sizeof(struct luo_file_ser), s->nr_files,
			file_entry, s, &total);
	if (!rc && total != s->nr_files)
		rc = kho_fail(
			c->err, s->files_pa, false,
			"session \"%s\": file chain holds %zu files, the record says %llu",
			s->name, total, (unsigned long long)s->nr_files);
	return rc;
}

/* ---- sessions ---- */

static int session_from_rec(struct ctx *c, const struct luo_session_ser *rec, bool chains,
			    struct kho_deep_session *s)
{
	copy_name(s->name, rec->name, sizeof(rec->name));
	s->files_pa = rec->files;
	s->nr_files = rec->count;
	if (!s->nr_files)
		return 0;
	if (chains)
		return read_file_chain(c, s);
	s->files = calloc(s->nr_files <= 128 ? s->nr_files : 1, sizeof(*s->files));
	return s->files ? read_file_array(c, s) : -ENOMEM;
}

struct sess_arg {
	struct kho_deep *d;
	bool file_chains;
};

static int session_entry(struct ctx *c, const void *entry, size_t index, void *arg)
{
	struct sess_arg *a = arg;
	struct luo_session_ser rec;

	if (grow_for((void **)&a->d->sessions, index, sizeof(*a->d->sessions)))
		return -ENOMEM;
	struct kho_deep_session *n = a->d->sessions;
	memset(&n[index], 0, sizeof(n[index]));
	a->d->nr_sessions = index + 1;
	memcpy(&rec, entry, sizeof(rec));
	return session_from_rec(c, &rec, a->file_chains, &n[index]);
}

/* E2-E5 (and luo-v3): a header with the count, then the records, in one 16-page block. */
static int read_session_block(struct ctx *c, struct kho_deep *d, bool v1_records)
{
	size_t rec_size = v1_records ? sizeof(struct luo_session_ser_v1)
				     : sizeof(struct luo_session_ser);
	uint64_t max = (LUO_SESSION_BLOCK_PAGES * KHO_PAGE_SIZE - 8) / rec_size;
	uint64_t count;
	int rc = rd(c, d->sessions_pa, &count, sizeof(count));

	if (rc)
		return rc;
	if (count > max)
		return kho_fail(
			c->err, d->sessions_pa, false,
			"session block at 0x%llx: count %llu exceeds its %llu records",
			(unsigned long long)d->sessions_pa, (unsigned long long)count,
			(unsigned long long)max);
	d->sessions = calloc(count ? count : 1, sizeof(*d->sessions));
	if (!d->sessions)
		return -ENOMEM;
	d->nr_sessions = count;
	for (uint64_t i = 0; i < count; i++) {
		struct luo_session_ser rec = { 0 };
		rc = rd(c, d->sessions_pa + 8 + i * rec_size, &rec, rec_size);
		rc = rc ?: session_from_rec(c, &rec, false, &d->sessions[i]);
		if (rc)
			return rc;
	}
	return 0;
}

static int read_flb(struct ctx *c, struct kho_deep *d)
{
	static struct luo_flb_ser recs[(KHO_PAGE_SIZE - 16) / sizeof(struct luo_flb_ser)];
	struct luo_flb_header_ser hdr;
	int rc = rd(c, d->flb_pa, &hdr, sizeof(hdr));

	if (rc)
		return rc;
	d->has_flb = true;
	d->flb_pgcnt = hdr.pgcnt;
	d->flb_count = hdr.count;
	if (hdr.count > sizeof(recs) / sizeof(recs[0]))
		return kho_fail(c->err, d->flb_pa + 8, false,
				"FLB page at 0x%llx: count %llu exceeds its %zu records",
				(unsigned long long)d->flb_pa,
				(unsigned long long)hdr.count,
				sizeof(recs) / sizeof(recs[0]));
	if (!hdr.count)
		return 0;
	d->flbs = calloc(hdr.count, sizeof(*d->flbs));
	if (!d->flbs)
		return -ENOMEM;
	rc = rd(c, d->flb_pa + sizeof(hdr), recs, hdr.count * sizeof(recs[0]));
	for (size_t i = 0; !rc && i < hdr.count; i++) {
		copy_name(d->flbs[i].name, recs[i].name, sizeof(recs[i].name));
		d->flbs[i].data = recs[i].data;
		d->flbs[i].count = recs[i].count;
		d->nr_flbs++;
	}
	return rc;
}

/* luo-v2 keeps the three values in a separately preserved record (§4.4). */
static int resolve_abi_header(struct ctx *c, const struct kho_luo_info *li,
			      struct kho_deep *d)
{
	struct luo_abi_header_ser h;
	int rc = rd(c, li->abi_header_pa, &h, sizeof(h));

	if (rc)
		return rc;
	d->has_abi_header = true;
	d->liveupdate_num = h.liveupdate_num;
	d->sessions_pa = h.sessions_pa;
	d->flb_pa = h.flbs_pa;
	return 0;
}

static int read_sessions(struct ctx *c, const struct kho_luo_info *li, struct kho_deep *d)
{
	bool session_chain = li->form != KHO_LUO_FDT && li->version >= 4;
	bool file_chains = li->form != KHO_LUO_FDT && li->version >= 5;
	struct sess_arg a = { d, file_chains };
	size_t total;

	d->session_layout = session_chain ? "chain" : "block";
	if (!d->sessions_pa)
		return 0; /* boot-time view, or no session */
	if (!session_chain)
		return read_session_block(
			c, d, !strcmp(li->session_compatible, "luo-session-v1"));
	return walk_chain(c, d->sessions_pa, sizeof(struct luo_session_ser), UINT64_MAX,
			  session_entry, &a, &total);
}

int kho_deep_luo(const struct kho_mem *mem, const struct kho_luo_info *li,
		 struct kho_deep *d, struct kho_error *err)
{
	struct ctx c = { mem, err, DEEP_BUDGET_PAGES };
	int rc = 0;

	memset(d, 0, sizeof(*d));
	d->liveupdate_num = li->liveupdate_num;
	d->sessions_pa = li->has_sessions ? li->sessions_pa : 0;
	d->flb_pa = li->has_flb ? li->flbs_pa : 0;
	if (li->has_abi_header)
		rc = resolve_abi_header(&c, li, d);
	rc = rc ?: read_sessions(&c, li, d);
	if (!rc && d->flb_pa)
		rc = read_flb(&c, d);
	if (rc == -ENOMEM)
		kho_fail(err, 0, false, "out of memory");
	return rc;
}

void kho_deep_free(struct kho_deep *d)
{
	for (size_t i = 0; i < d->nr_sessions; i++)
		free(d->sessions[i].files);
	free(d->sessions);
	free(d->flbs);
	memset(d, 0, sizeof(*d));
}

/* ---- preserved-memory maps (§7) ---- */

static int add_range(struct kho_deep_map *map, uint64_t pa, unsigned int order)
{
	uint64_t len = (uint64_t)KHO_PAGE_SIZE << order;
	struct kho_deep_range *last =
		map->nr_ranges ? &map->ranges[map->nr_ranges - 1] : NULL;

	if (last && last->order == order && last->phys + last->bytes == pa) {
		last->bytes += len;
		return 0;
	}
	if (map->nr_ranges == KHO_DEEP_MAX_RANGES) {
		map->ranges_dropped++;
		return 0;
	}
	if (grow_for((void **)&map->ranges, map->nr_ranges, sizeof(*map->ranges)))
		return -ENOMEM;
	map->ranges[map->nr_ranges++] = (struct kho_deep_range){ pa, len, order };
	return 0;
}

static int count_block(struct kho_deep_map *map, uint64_t pa, unsigned int order)
{
	map->blocks[order]++;
	map->bytes += (uint64_t)KHO_PAGE_SIZE << order;
	return add_range(map, pa, order);
}

static int count_leaf(struct ctx *c, uint64_t pa, uint64_t key_hi,
		      struct kho_deep_map *map)
{
	static uint64_t bits[KHO_PAGE_SIZE / 8];
	int rc = rd(c, pa, bits, sizeof(bits));

	for (size_t w = 0; !rc && w < KHO_PAGE_SIZE / 8; w++) {
		for (uint64_t v = bits[w]; !rc && v; v &= v - 1) {
			uint64_t key = key_hi | (w * 64 + (uint64_t)__builtin_ctzll(v));
			int msb = 63 - __builtin_clzll(key);
			if (msb > KHO_RADIX_ORDER_BIT)
				return kho_fail(c->err, pa + w * 8, false,
						"radix key 0x%llx has no valid order bit",
						(unsigned long long)key);
			unsigned int order = (unsigned int)(KHO_RADIX_ORDER_BIT - msb);
			/* The shift drops the order bit (kho_radix_decode_key). */
			rc = count_block(map, key << (KHO_PAGE_SHIFT + order), order);
		}
	}
	return rc;
}

/* A node entry is the physical address of a page below 2^52, or 0. */
static int check_entry(struct ctx *c, uint64_t node_pa, int level, unsigned int i,
		       uint64_t v)
{
	if (!(v & (KHO_PAGE_SIZE - 1)) && v < (1ull << 52))
		return 0;
	return kho_fail(c->err, node_pa + i * 8, false,
			"radix node at 0x%llx (level %d) entry %u is 0x%llx, not the physical address of a page",
			(unsigned long long)node_pa, level, i, (unsigned long long)v);
}

static int walk_radix(struct ctx *c, uint64_t pa, int level, uint64_t key_hi,
		      struct kho_deep_map *map)
{
	uint64_t *node = malloc(KHO_PAGE_SIZE);
	int rc;

	if (!node)
		return -ENOMEM;
	map->pages_read++;
	rc = rd(c, pa, node, KHO_PAGE_SIZE);
	for (unsigned int i = 0; !rc && i < KHO_PAGE_SIZE / 8; i++) {
		if (!node[i])
			continue;
		rc = check_entry(c, pa, level, i, node[i]);
		if (rc)
			break;
		unsigned int shift =
			KHO_RADIX_LEAF_BITS + KHO_RADIX_LEVEL_BITS * (level - 1);
		uint64_t key = key_hi | (uint64_t)i << shift;
		if (level == 1) {
			map->pages_read++;
			rc = count_leaf(c, node[i], key, map);
		} else {
			rc = walk_radix(c, node[i], level - 1, key, map);
		}
	}
	free(node);
	return rc;
}

/* Bit `ctz(v)` of word w in a chunk-list bitmap: one block of the order. */
static int count_chunk_bit(struct kho_deep_map *map, const struct kho_mem_bitmap_desc *d,
			   unsigned int order, size_t w, uint64_t v)
{
	uint64_t bit = w * 64 + (uint64_t)__builtin_ctzll(v);

	return count_block(map, d->phys_start + (bit << (order + KHO_PAGE_SHIFT)), order);
}

static int walk_chunks(struct ctx *c, uint64_t pa, struct kho_deep_map *map)
{
	static uint8_t page[KHO_PAGE_SIZE];
	static uint64_t bits[KHO_BITMAP_BITS / 64];

	while (pa) {
		struct kho_mem_chunk_hdr hdr;
		int rc = rd(c, pa, page, sizeof(page));
		if (rc)
			return rc;
		map->pages_read++;
		memcpy(&hdr, page, sizeof(hdr));
		if (hdr.num_elms > KHO_CHUNK_DESCS || hdr.order > KHO_RADIX_ORDER_BIT)
			return kho_fail(
				c->err, pa + 8, false,
				"memory-map chunk at 0x%llx: order %u, %u descriptors (max %zu)",
				(unsigned long long)pa, hdr.order, hdr.num_elms,
				KHO_CHUNK_DESCS);
		for (uint32_t i = 0; i < hdr.num_elms; i++) {
			struct kho_mem_bitmap_desc d;
			memcpy(&d, page + sizeof(hdr) + i * sizeof(d), sizeof(d));
			map->pages_read++;
			rc = rd(c, d.bitmap, bits, sizeof(bits));
			for (size_t w = 0; !rc && w < sizeof(bits) / 8; w++)
				for (uint64_t v = bits[w]; !rc && v; v &= v - 1)
					rc = count_chunk_bit(map, &d, hdr.order, w, v);
			if (rc)
				return rc;
		}
		pa = hdr.next;
	}
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct kho_deep_range *x = a, *y = b;

	return x->phys < y->phys ? -1 : x->phys > y->phys;
}

int kho_deep_map(const struct kho_mem *mem, const char *map_kind, uint64_t map_pa,
		 struct kho_deep_map *map, struct kho_error *err)
{
	struct ctx c = { mem, err, DEEP_BUDGET_PAGES };
	int rc;

	memset(map, 0, sizeof(*map));
	map->kind = map_kind;
	if (!map_pa)
		return 0;
	if (!strcmp(map_kind, "radix-tree"))
		rc = walk_radix(&c, map_pa, KHO_RADIX_LEVELS, 0, map);
	else
		rc = walk_chunks(&c, map_pa, map);
	if (rc == -ENOMEM)
		kho_fail(err, 0, false, "out of memory");
	if (map->nr_ranges > 1)
		qsort(map->ranges, map->nr_ranges, sizeof(*map->ranges), cmp_range);
	return rc;
}

void kho_deep_map_free(struct kho_deep_map *map)
{
	free(map->ranges);
	map->ranges = NULL;
	map->nr_ranges = 0;
}
