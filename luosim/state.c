// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The state directory: what survives a simulated kexec.
 *
 *   DIR/luosim-state        magic and format version ("luosim-state 1")
 *   DIR/handover/manifest   written at a kexec, taken by the next boot
 *   DIR/handover/sI.fJ      content of file J of session I (holes kept)
 *   DIR/incoming/           the handover the running boot took
 *
 * A new handover is written into a temporary directory inside DIR, synced,
 * then renamed into place, so a crash leaves either the old or the new one.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "luosim.h"

#define STATE_MAGIC    "luosim-state 1\n"
#define MANIFEST_MAGIC "luosim-handover 1"

static int path_join(char *buf, size_t len, const char *a, const char *b)
{
	int n = snprintf(buf, len, "%s/%s", a, b);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int remove_at(int parent, const char *name)
{
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode)) {
		int fd = openat(parent, name,
				O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		struct dirent *de;

		if (!d) {
			if (fd >= 0)
				close(fd);
			return -errno;
		}
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				remove_at(dirfd(d), de->d_name);
		closedir(d);
		return unlinkat(parent, name, AT_REMOVEDIR) < 0 ? -errno : 0;
	}
	return unlinkat(parent, name, 0) < 0 ? -errno : 0;
}

int remove_tree(const char *path)
{
	return remove_at(AT_FDCWD, path);
}

static bool dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool empty = true;

	if (!d)
		return false;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int err;

	if (fd < 0)
		return -errno;
	err = io_write_all(fd, text, strlen(text));
	if (!err && fsync(fd) < 0)
		err = -errno;
	close(fd);
	return err;
}

/*
 * An existing state directory must be ours and writable by nobody else: its
 * handover becomes the next boot's memory, and another user could plant or
 * swap one. Never fixed silently: the owner may not expect the change.
 */
static bool state_dir_trusted(const struct stat *st, const char **why)
{
	static char msg[128];

	if (st->st_uid != geteuid()) {
		snprintf(msg, sizeof(msg), "owned by uid %u, not by the user running luosim (uid %u)",
			 (unsigned int)st->st_uid, (unsigned int)geteuid());
		*why = msg;
		return false;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(msg, sizeof(msg),
			 "writable by its group or by others (mode %04o): make it private (chmod 0700)",
			 (unsigned int)(st->st_mode & 07777));
		*why = msg;
		return false;
	}
	return true;
}

int state_open(const char *dir, bool create, const char **why)
{
	char path[4096], buf[64] = "";
	struct stat st;
	int fd, err;
	ssize_t n;

	if (stat(dir, &st) < 0) {
		if (errno != ENOENT || !create) {
			*why = "cannot access it";
			return -errno;
		}
		if (mkdir(dir, 0700) < 0) {
			*why = "cannot create it";
			return -errno;
		}
	} else if (!S_ISDIR(st.st_mode)) {
		*why = "not a directory";
		return -ENOTDIR;
	} else if (!state_dir_trusted(&st, why)) {
		return -EPERM;
	}
	if (chmod(dir, 0700) < 0) {
		*why = "cannot make it private (0700)";
		return -errno;
	}
	err = path_join(path, sizeof(path), dir, "luosim-state");
	if (err) {
		*why = "path too long";
		return err;
	}
	if (dir_is_empty(dir)) {
		err = write_file(path, STATE_MAGIC);
		if (err)
			*why = "cannot write its luosim-state file";
		return err;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*why = "not empty and not a luosim state directory (no luosim-state file)";
		return -EINVAL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0 || strcmp(buf, STATE_MAGIC) != 0) {
		*why = strncmp(buf, "luosim-state ", 13) == 0
			       ? "written by an unsupported luosim state format version"
			       : "its luosim-state file is corrupt";
		return -EINVAL;
	}
	return 0;
}

/* ---- reading a handover ---- */

static int hex_decode(const char *hex, char *out, size_t outlen)
{
	size_t len = strlen(hex);

	if (!strcmp(hex, "-")) {
		out[0] = 0;
		return 0;
	}
	if (len % 2 || len / 2 >= outlen)
		return -EINVAL;
	for (size_t i = 0; i < len / 2; i++) {
		unsigned int v;

		/* sscanf alone would take "6g" as 6. */
		if (!isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1]) ||
		    sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		out[i] = (char)v;
	}
	out[len / 2] = 0;
	return strlen(out) == len / 2 ? 0 : -EINVAL;
}

struct parser {
	FILE *f;
	char line[512];
	const char *dir; /* where the data files live once taken */
	const char *src; /* where they are while the manifest is read */
	struct luo_emu *e;
	struct luosim_handover *h;
	int nr_session;
};

static int parse_header(struct parser *p)
{
	char kernel[16];

	if (!fgets(p->line, sizeof(p->line), p->f) ||
	    strncmp(p->line, MANIFEST_MAGIC, 17))
		return -EINVAL;
	if (fscanf(p->f, "kernel %15s\n", kernel) != 1)
		return -EINVAL;
	if (!strcmp(kernel, "6.19"))
		p->h->mode = LUO_MODE_6_19;
	else if (!strcmp(kernel, "7.2"))
		p->h->mode = LUO_MODE_7_2;
	else
		return -EINVAL;
	if (fscanf(p->f, "boot %" SCNu64 "\n", &p->h->boot) != 1 ||
	    fscanf(p->f, "kexec_count %" SCNu32 "\n", &p->h->kexec_count) != 1 ||
	    fscanf(p->f, "release %127s\n", p->h->release) != 1)
		return -EINVAL;
	if (fscanf(p->f, "luo %d\n", &p->nr_session) != 1)
		return -EINVAL;
	p->h->carries_luo = p->nr_session != 0;
	return 0;
}

/* A data file that is missing or of the wrong size is a file-level failure. */
static void check_data(struct parser *p, const char *name, struct luo_file *f)
{
	char path[4096];
	struct stat st;

	if (path_join(path, sizeof(path), p->src, name) || stat(path, &st) < 0 ||
	    (uint64_t)st.st_size != f->size)
		p->e->deser_error = -EIO;
}

static int parse_file(struct parser *p, struct luo_session *s, int si, size_t fi)
{
	struct luo_file f = { .fd = -1 };
	char path[4096], name[64];

	if (fscanf(p->f, "file %" SCNx64 " %" SCNu64 " %" SCNu64 " %" SCNx32 "\n",
		   &f.token, &f.size, &f.pos, &f.seals) != 4)
		return -EINVAL;
	snprintf(name, sizeof(name), "s%d.f%zu", si, fi);
	if (path_join(path, sizeof(path), p->dir, name))
		return -ENAMETOOLONG;
	f.data_path = strdup(path);
	if (!f.data_path)
		return -ENOMEM;
	check_data(p, name, &f);
	if (s->nr_files == s->cap_files) {
		size_t cap = s->cap_files ? 2 * s->cap_files : 8;
		void *q = realloc(s->files, cap * sizeof(f));

		if (!q) {
			free(f.data_path);
			return -ENOMEM;
		}
		s->files = q;
		s->cap_files = cap;
	}
	s->files[s->nr_files++] = f;
	return 0;
}

static int parse_session(struct parser *p, int si)
{
	char hex[160];
	size_t nr;
	struct luo_session *s;
	int err = 0;

	if (fscanf(p->f, "session %159s %zu\n", hex, &nr) != 2)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->kept = -1;
	err = hex_decode(hex, s->name, sizeof(s->name));
	for (size_t i = 0; !err && i < nr; i++)
		err = parse_file(p, s, si, i);
	if (!err)
		err = emu_add_incoming(p->e, s);
	if (err)
		emu_session_free(s);
	return err;
}

static int parse_manifest(struct parser *p)
{
	int nr, err = parse_header(p);

	if (err)
		return err;
	if (fscanf(p->f, "sessions %d\n", &nr) != 1 || nr < 0)
		return -EINVAL;
	for (int i = 0; i < nr && !err; i++)
		err = parse_session(p, i);
	if (!err && (!fgets(p->line, sizeof(p->line), p->f) || strcmp(p->line, "end\n")))
		err = -EINVAL;
	return err;
}

int state_peek(const char *dir, struct luosim_handover *h)
{
	char path[4096];
	struct parser p = { .h = h };
	int err;

	if (path_join(path, sizeof(path), dir, "handover"))
		return -ENAMETOOLONG;
	if (access(path, F_OK) < 0)
		return 0;
	if (path_join(path, sizeof(path), dir, "handover/manifest"))
		return -ENAMETOOLONG;
	p.f = fopen(path, "re");
	if (!p.f)
		return -EINVAL;
	err = parse_header(&p);
	fclose(p.f);
	return err ? -EINVAL : 1;
}

/* A kexec interrupted while writing leaves a .handover.XXXXXX behind. */
static void remove_unfinished_writes(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, ".handover.", 10))
			remove_at(dirfd(d), de->d_name);
	closedir(d);
}

int state_take_handover(const char *dir, struct luosim_handover *h, struct luo_emu *e,
			const char **why)
{
	char handover[4096], incoming[4096], manifest[4096];
	struct parser p = { .e = e, .h = h };
	int err;

	if (path_join(handover, sizeof(handover), dir, "handover") ||
	    path_join(incoming, sizeof(incoming), dir, "incoming") ||
	    path_join(manifest, sizeof(manifest), handover, "manifest"))
		return -ENAMETOOLONG;
	/* A boot that died without a kexec: its incoming data is gone, as in RAM. */
	remove_tree(incoming);
	remove_unfinished_writes(dir);
	p.f = fopen(manifest, "re");
	if (!p.f) {
		if (errno == ENOENT && access(handover, F_OK) < 0)
			return 0;
		*why = "its handover has no readable manifest";
		return -EINVAL;
	}
	p.dir = incoming;
	p.src = handover;
	err = parse_manifest(&p);
	fclose(p.f);
	if (err) {
		emu_free(e);
		*why = "its handover manifest is corrupt";
		return err;
	}
	if (rename(handover, incoming) < 0) {
		emu_free(e);
		*why = "cannot take its handover";
		return -errno;
	}
	return 1;
}

void state_drop_incoming(const char *dir)
{
	char incoming[4096];

	if (!path_join(incoming, sizeof(incoming), dir, "incoming"))
		remove_tree(incoming);
}

/* ---- writing a handover ---- */

static int save_file(int dirfd, const char *name, const struct luo_file *f, uint64_t size)
{
	int out = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int err;

	if (out < 0)
		return -errno;
	err = ftruncate(out, size) < 0 ? -errno : copy_memfd_to_file(f->fd, out, size);
	if (!err && fdatasync(out) < 0)
		err = -errno;
	close(out);
	return err;
}

static int save_session(FILE *m, int dirfd, const struct luo_session *s, int si)
{
	fprintf(m, "session ");
	if (!s->name[0])
		fprintf(m, "-");
	for (const char *c = s->name; *c; c++)
		fprintf(m, "%02x", (unsigned char)*c);
	fprintf(m, " %zu\n", s->nr_files);
	for (size_t i = 0; i < s->nr_files; i++) {
		const struct luo_file *f = &s->files[i];
		char name[64];
		struct stat st;
		off_t pos;
		int seals, err;

		if (fstat(f->fd, &st) < 0)
			return -errno;
		/* The kernel re-reads the position at reboot (§13.2). */
		pos = lseek(f->fd, 0, SEEK_CUR);
		seals = fcntl(f->fd, F_GET_SEALS);
		fprintf(m, "file %" PRIx64 " %" PRIu64 " %" PRIu64 " %x\n", f->token,
			(uint64_t)st.st_size, (uint64_t)(pos < 0 ? 0 : pos),
			seals < 0 ? 0 : seals);
		snprintf(name, sizeof(name), "s%d.f%zu", si, i);
		err = save_file(dirfd, name, f, st.st_size);
		if (err)
			return err;
	}
	return 0;
}

static int save_manifest(int dirfd, const struct luosim_handover *h,
			 const struct luo_emu *e)
{
	int fd = openat(dirfd, "manifest", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int nr = 0, si = 0, err = 0;
	FILE *m;

	if (fd < 0)
		return -errno;
	m = fdopen(fd, "w");
	if (!m) {
		close(fd);
		return -ENOMEM;
	}
	for (size_t i = 0; h->carries_luo && i < e->nr_sessions; i++)
		nr += !e->sessions[i]->incoming;
	fprintf(m,
		MANIFEST_MAGIC "\nkernel %s\nboot %" PRIu64 "\nkexec_count %" PRIu32
			       "\nrelease %s\nluo %d\nsessions %d\n",
		mode_name(h->mode), h->boot, h->kexec_count,
		h->release[0] ? h->release : "-", h->carries_luo, nr);
	/* Only outgoing sessions are carried; incoming ones are dropped (§10.2). */
	for (size_t i = 0; h->carries_luo && i < e->nr_sessions && !err; i++)
		if (!e->sessions[i]->incoming)
			err = save_session(m, dirfd, e->sessions[i], si++);
	fprintf(m, "end\n");
	if (fflush(m) || fdatasync(fd) < 0)
		err = err ? err : -EIO;
	fclose(m);
	return err;
}

int state_write_handover(const char *dir, const struct luosim_handover *h,
			 const struct luo_emu *e)
{
	char tmp[4096], handover[4096];
	int dirfd, err;

	if (path_join(tmp, sizeof(tmp), dir, ".handover.XXXXXX") ||
	    path_join(handover, sizeof(handover), dir, "handover"))
		return -ENAMETOOLONG;
	if (!mkdtemp(tmp))
		return -errno;
	dirfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		err = -errno;
		remove_tree(tmp);
		return err;
	}
	err = save_manifest(dirfd, h, e);
	if (!err && fsync(dirfd) < 0)
		err = -errno;
	close(dirfd);
	if (!err && renameat2(AT_FDCWD, tmp, AT_FDCWD, handover, RENAME_EXCHANGE) < 0) {
		if (errno != ENOENT || rename(tmp, handover) < 0)
			err = -errno;
	}
	/* After an exchange, tmp holds the superseded handover. */
	remove_tree(tmp);
	if (!err) {
		dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirfd >= 0) {
			fsync(dirfd);
			close(dirfd);
		}
	}
	return err;
}
