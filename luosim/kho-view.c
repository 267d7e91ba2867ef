// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulated machine's view of the KHO hand-over (kho-format.md §9): the
 * debugfs files under /sys/kernel/debug/kho (out/ from boot; in/ after a
 * simulated kexec, from the state saved at that kexec) and the simulated
 * physical memory behind their addresses, as a kcore-like ELF core. All of it
 * comes from the shared builder in lib/kho.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "kho/kho-build.h"
#include "kho-view.h"
#include "sandbox.h"

static int write_bytes(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0400);
	int err;

	if (fd < 0)
		return -errno;
	err = io_write_all(fd, data, len);
	close(fd);
	return err;
}

static int make_dirs(const char *dir)
{
	char path[256];
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s", KHO_DEBUGFS, dir);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		err = -errno;
	snprintf(path, sizeof(path), "%s/%s/sub_fdts", KHO_DEBUGFS, dir);
	if (!err && mkdir(path, 0700) < 0 && errno != EEXIST)
		err = -errno;
	return err;
}

static int write_in_dir(const char *dir, const char *name, const void *data, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s/%s", KHO_DEBUGFS, dir, name);
	return write_bytes(path, data, len);
}

static int write_blobs(const char *dir, const struct kho_image *img)
{
	char name[128];
	int err = 0;

	for (size_t i = 0; i < img->nr_blobs && !err; i++) {
		snprintf(name, sizeof(name), "sub_fdts/%s", img->blobs[i].name);
		err = write_in_dir(dir, name, img->blobs[i].data, img->blobs[i].len);
	}
	return err;
}

/* One "0x..." line per scratch area, as debugfs prints them. */
static int write_scratch(const struct kho_image *img)
{
	char phys[256] = "", len[256] = "";
	size_t pn = 0, ln = 0;

	for (size_t i = 0; i < img->nr_scratch; i++) {
		pn += snprintf(phys + pn, sizeof(phys) - pn, "0x%llx\n",
			       (unsigned long long)img->scratch_phys[i]);
		ln += snprintf(len + ln, sizeof(len) - ln, "0x%llx\n",
			       (unsigned long long)img->scratch_len[i]);
	}
	return write_in_dir("out", "scratch_phys", phys, strlen(phys))
		       ?: write_in_dir("out", "scratch_len", len, strlen(len));
}

/*
 * out/: the boot-time view. After a KHO boot the kernel registers in/ and
 * never creates out/fdt (kho-format.md §9); E2 still has out/finalize. 7.2
 * makes out/fdt when the root holds only kexec-metadata and keeps that size
 * as LUO adds its node: the file shows the root cut short, as here.
 */
static int publish_out(const struct kho_image *img, enum kho_era era, bool kho_boot)
{
	int err = make_dirs("out");
	size_t len = era >= KHO_ERA_E6 ? img->root_debugfs_len : img->root_len;

	if (!err && !kho_boot)
		err = write_in_dir("out", "fdt", img->root_fdt, len);
	if (!err && era == KHO_ERA_E2)
		err = write_in_dir("out", "finalize", "0\n", 2);
	if (!err)
		err = write_scratch(img);
	return err ?: write_blobs("out", img);
}

static int publish_in(const struct kho_image *img)
{
	int err = make_dirs("in");

	if (!err)
		err = write_in_dir("in", "fdt", img->root_fdt, img->root_len);
	return err ?: write_blobs("in", img);
}

/*
 * Rewritten in place, not replaced: /proc/kcore in the tree is bound to this
 * inode. The file is read-only for the tree; we open it for writing again.
 */
/*
 * The memory file is written through one fd kept from its first publish: once
 * the supervisor watches the file's opens (kho_view_flush on open), an open()
 * of its own would wait for itself.
 */
static int kcore_fd = -1;

static int publish_kcore(const struct kho_image *img, const char *path)
{
	int err;

	if (kcore_fd < 0) {
		if (chmod(path, 0600) < 0 && errno != ENOENT)
			return -errno;
		kcore_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (kcore_fd < 0)
			return -errno;
	} else if (ftruncate(kcore_fd, 0) < 0 || lseek(kcore_fd, 0, SEEK_SET) < 0) {
		return -errno;
	}
	err = kho_mem_write_elf(kcore_fd, img);
	if (fchmod(kcore_fd, 0400) < 0 && !err)
		err = -errno;
	return err;
}

static void free_sessions(struct kho_build_session *ses, size_t nr)
{
	for (size_t i = 0; ses && i < nr; i++)
		free((void *)ses[i].files);
	free(ses);
}

/* A held file as the kernel sees it now: its size, position and seals. */
static struct kho_build_file held_file(const struct luo_file *f)
{
	struct kho_build_file b = { .token = f->token };
	struct stat st;
	off_t pos = lseek(f->fd, 0, SEEK_CUR);
	int seals = fcntl(f->fd, F_GET_SEALS);

	if (fstat(f->fd, &st) == 0)
		b.size = (uint64_t)st.st_size;
	b.pos = pos < 0 ? 0 : (uint64_t)pos;
	b.seals = seals < 0 ? 0 : (uint32_t)seals;
	return b;
}

/*
 * incoming: the sessions as they were serialized at the kexec that led to
 * this boot. Otherwise: the outgoing sessions held now, with their files'
 * current sizes.
 */
static struct kho_build_session *collect_sessions(const struct luo_emu *e,
						  bool incoming, size_t *nr)
{
	struct kho_build_session *ses = calloc(e->nr_sessions + 1, sizeof(*ses));

	*nr = 0;
	for (size_t i = 0; ses && i < e->nr_sessions; i++) {
		const struct luo_session *s = e->sessions[i];
		struct kho_build_file *files;

		if (s->incoming != incoming)
			continue;
		files = calloc(s->nr_files + 1, sizeof(*files));
		if (!files) {
			free_sessions(ses, *nr);
			return NULL;
		}
		for (size_t j = 0; j < s->nr_files; j++)
			files[j] = incoming ? (struct kho_build_file){
				.token = s->files[j].token,
				.pos = s->files[j].pos,
				.size = s->files[j].size,
				.seals = s->files[j].seals,
			} : held_file(&s->files[j]);
		ses[*nr] = (struct kho_build_session){ s->name, files, s->nr_files };
		(*nr)++;
	}
	return ses;
}

static enum kho_era era_of(enum luo_mode mode)
{
	return mode == LUO_MODE_6_19 ? KHO_ERA_E2 : KHO_ERA_E6;
}

static int build_in(const struct kho_view_config *v, const struct luo_emu *e,
		    struct kho_image *img)
{
	struct kho_build_params p = {
		.era = era_of(v->mode),
		.liveupdate_num = v->boot - 1,
		.release = v->prev_release,
		.kexec_count = v->kexec_count,
		.serialized = true,
	};
	int err;

	p.sessions = collect_sessions(e, true, &p.nr_sessions);
	if (!p.sessions)
		return -ENOMEM;
	err = kho_build(&p, img);
	free_sessions((struct kho_build_session *)p.sessions, p.nr_sessions);
	return err;
}

/*
 * The builder lists every page of a memfd, sparse or not: past this much held
 * memfd data the memory file is left as it was (luosim(1)).
 */
#define HELD_VIEW_MAX_BYTES (1ull << 30)

static bool held_too_big(const struct kho_build_session *ses, size_t nr)
{
	uint64_t total = 0;

	for (size_t i = 0; i < nr; i++)
		for (size_t j = 0; j < ses[i].nr_files; j++) {
			uint64_t size = ses[i].files[j].size;

			if (size > HELD_VIEW_MAX_BYTES - total)
				return true;
			total += size;
		}
	return false;
}

/*
 * The outgoing image. 7.2 mode outside a KHO boot: with the sessions held now,
 * whose blocks, file records and memfd folios the kernel allocates and adds
 * to the memory map at CREATE_SESSION/PRESERVE_FD (sessions_pa stays 0). The
 * builder lays the root FDT, the radix root and the blobs out before the
 * sessions, so none of the addresses out/fdt and out/sub_fdts show moves.
 */
static int build_out(const struct kho_view_config *v, const struct luo_emu *e,
		     struct kho_image *img)
{
	struct kho_build_params p = {
		.era = era_of(v->mode),
		.liveupdate_num = v->boot,
		.release = v->release,
		.kexec_count = v->kexec_count + 1,
	};
	int err;

	if (p.era < KHO_ERA_E6 || v->kho_boot)
		return kho_build(&p, img);
	p.held = true;
	p.sessions = collect_sessions(e, false, &p.nr_sessions);
	if (!p.sessions)
		return -ENOMEM;
	err = held_too_big(p.sessions, p.nr_sessions) ? -EFBIG : kho_build(&p, img);
	free_sessions((struct kho_build_session *)p.sessions, p.nr_sessions);
	return err;
}

/* What the held view depends on: sessions, tokens and the files' state. */
static char *held_signature(const struct luo_emu *e)
{
	struct kho_build_session *ses;
	char *text = NULL;
	size_t nr, len = 0;
	FILE *f;

	ses = collect_sessions(e, false, &nr);
	if (!ses)
		return NULL;
	f = open_memstream(&text, &len);
	for (size_t i = 0; f && i < nr; i++) {
		fprintf(f, "%zu:%s\n", strlen(ses[i].name), ses[i].name);
		for (size_t j = 0; j < ses[i].nr_files; j++) {
			const struct kho_build_file *b = &ses[i].files[j];

			fprintf(f, " %llx %llu %llu %x\n", (unsigned long long)b->token,
				(unsigned long long)b->size, (unsigned long long)b->pos,
				b->seals);
		}
	}
	free_sessions(ses, nr);
	if (!f || fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* The held view the memory file shows now (NULL: none published). */
static char *last_held;

static bool held_view(const struct kho_view_config *v)
{
	return era_of(v->mode) >= KHO_ERA_E6 && !v->kho_boot;
}

int kho_view_publish(const struct kho_view_config *v, const struct luo_emu *e)
{
	enum kho_era era = era_of(v->mode);
	struct kho_image out = { 0 }, in = { 0 };
	char *sig = held_view(v) ? held_signature(e) : NULL;
	int err = held_view(v) && !sig ? -ENOMEM : build_out(v, e, &out);

	if (!err)
		err = publish_out(&out, era, v->kho_boot);
	if (!err && v->kho_boot) {
		err = build_in(v, e, &in);
		/*
		 * 7.2 frees the incoming LUO blob at boot and never held the memory
		 * map's own pages: both read as reused memory, in debugfs and here.
		 */
		if (!err && era >= KHO_ERA_E6)
			kho_image_as_booted(&in);
		if (!err)
			err = publish_in(&in);
	}
	/*
	 * Both views are built at the same simulated addresses, so memory holds
	 * one: the handover when there is one, else the outgoing structures.
	 */
	if (!err)
		err = publish_kcore(v->kho_boot ? &in : &out, KHO_KCORE);
	free(last_held);
	last_held = err ? NULL : sig;
	if (err)
		free(sig);
	kho_image_free(&out);
	kho_image_free(&in);
	return err;
}

int kho_view_flush(const struct kho_view_config *v, const struct luo_emu *e)
{
	struct kho_image out = { 0 };
	char *sig;
	int err;

	if (!held_view(v))
		return 0;
	sig = held_signature(e);
	if (!sig)
		return -ENOMEM;
	if (last_held && strcmp(last_held, sig) == 0) {
		free(sig);
		return 0;
	}
	/* Memory only: out/fdt and out/sub_fdts stay as the kernel froze them. */
	err = build_out(v, e, &out);
	if (err == -EFBIG) {
		/* Too much to list: keep the memory file and look again next time. */
		free(sig);
		return 0;
	}
	if (!err)
		err = publish_kcore(&out, KHO_KCORE);
	kho_image_free(&out);
	free(last_held);
	last_held = err ? NULL : sig;
	if (err)
		free(sig);
	return err;
}
