// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kho-mkimage: writes what kho_build() produces as a KHO debugfs-like tree, for
 * the tests, the fuzz corpus and the benchmark (not installed):
 *
 *   kho-mkimage [OPTIONS] DIR     DIR/<side>/fdt, sub_fdts/<name>, scratch_*,
 *                                 finalize (E1-E2), and DIR/memory.elf
 *   kho-mkimage --large N FILE    a synthetic root FDT with N sub-nodes
 *
 * Options: --era E1|E2|E4|E5|E6|E7, --serialized, --flb, --kho-test,
 * --session NAME[=TOKEN:SIZE[:COMPAT],...] (repeatable), --reserve-mem
 * NAME:START:SIZE, --number N, --count N, --release STR, --side out|in,
 * --held (E6+: sessions held, not yet serialized), --kernel-view (what a Linux
 * 7.2/7.3 kernel's debugfs and memory show: out/fdt cut to its size at KHO
 * init; for --side in, the incoming LUO blob and memory-map pages reused).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "kho-build.h"

#define MAX_SESSIONS 64
#define MAX_FILES 256

static struct kho_build_session sessions[MAX_SESSIONS];
static struct kho_build_file files[MAX_SESSIONS][MAX_FILES];
static struct kho_build_region region;

static void die(const char *what, int err)
{
	fprintf(stderr, "kho-mkimage: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(path, errno);
	int err = io_write_all(fd, data, len);

	if (err)
		die(path, -err);
	if (close(fd))
		die(path, errno);
	return 0;
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0755) && errno != EEXIST)
		die(path, errno);
}

/* "vm0=1:2097152,2:4096:memfd-v2" */
static void parse_session(struct kho_build_params *p, char *spec)
{
	size_t s = p->nr_sessions;
	char *list = strchr(spec, '=');

	if (s == MAX_SESSIONS)
		die("--session", E2BIG);
	if (list)
		*list++ = '\0';
	sessions[s].name = spec;
	sessions[s].files = files[s];
	for (char *tok = list ? strtok(list, ",") : NULL; tok; tok = strtok(NULL, ",")) {
		struct kho_build_file *f = &files[s][sessions[s].nr_files];
		char *compat = NULL;
		if (sessions[s].nr_files == MAX_FILES)
			die("--session", E2BIG);
		f->token = strtoull(tok, &tok, 0);
		if (*tok == ':')
			f->size = strtoull(tok + 1, &tok, 0);
		if (*tok == ':')
			compat = tok + 1;
		f->compatible = compat;
		sessions[s].nr_files++;
	}
	p->sessions = sessions;
	p->nr_sessions = s + 1;
}

static bool kernel_view;

static void write_side(const char *dir, const char *side,
		       const struct kho_build_params *p, const struct kho_image *img)
{
	char path[4096], sub[4200], text[256];
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, side);
	snprintf(sub, sizeof(sub), "%s/sub_fdts", path);
	make_dir(path);
	make_dir(sub);
	write_file(path, "fdt", img->root_fdt,
		   kernel_view && !strcmp(side, "out") ? img->root_debugfs_len
						      : img->root_len);
	for (size_t i = 0; i < img->nr_blobs; i++)
		write_file(sub, img->blobs[i].name, img->blobs[i].data,
			   img->blobs[i].len);
	if (strcmp(side, "out"))
		return;
	for (size_t i = 0; i < img->nr_scratch; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "0x%llx\n",
				      (unsigned long long)img->scratch_phys[i]);
	write_file(path, "scratch_phys", text, n);
	n = 0;
	for (size_t i = 0; i < img->nr_scratch; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "0x%llx\n",
				      (unsigned long long)img->scratch_len[i]);
	write_file(path, "scratch_len", text, n);
	if (p->era <= KHO_ERA_E2)
		write_file(path, "finalize", p->serialized ? "1\n" : "0\n", 2);
}

/* Thousands of sub-nodes with a realistic mix of property types. */
static int write_large(const char *file, unsigned long nodes)
{
	size_t size = 64 + nodes * 400;
	char *buf = malloc(size);
	uint64_t v = 0x10a3f2000ull;
	int err = buf ? fdt_create(buf, (int)size) : -FDT_ERR_NOSPACE;

	err = err ?: fdt_finish_reservemap(buf);
	err = err ?: fdt_begin_node(buf, "");
	err = err ?: fdt_property_string(buf, "compatible", "kho-v3");
	err = err ?: fdt_property(buf, "preserved-memory-map", &v, sizeof(v));
	for (unsigned long i = 0; !err && i < nodes; i++) {
		char name[32], label[64];
		uint64_t phys = 0x100000000ull + i * 0x1000, bsize = 64 + i % 4000;
		uint8_t bytes[27];
		uint32_t cells[6] = { (uint32_t)i, 1, 2, 3, 4, 5 };
		for (size_t b = 0; b < sizeof(bytes); b++)
			bytes[b] = (uint8_t)(i * 7 + b);
		snprintf(name, sizeof(name), "blob-%lu", i);
		snprintf(label, sizeof(label), "synthetic producer number %lu", i);
		err = fdt_begin_node(buf, name);
		err = err ?: fdt_property(buf, "blob-size", &bsize, sizeof(bsize));
		err = err ?: fdt_property(buf, "preserved-data", &phys, sizeof(phys));
		err = err ?: fdt_property_string(buf, "label", label);
		err = err ?: fdt_property(buf, "cells", cells, sizeof(cells));
		err = err ?: fdt_property(buf, "bytes", bytes, sizeof(bytes));
		err = err ?: fdt_property(buf, "flag", NULL, 0);
		err = err ?: fdt_end_node(buf);
	}
	err = err ?: fdt_end_node(buf);
	err = err ?: fdt_finish(buf);
	if (err) {
		fprintf(stderr, "kho-mkimage: libfdt: %s\n", fdt_strerror(err));
		return 1;
	}
	write_file(".", file, buf, fdt_totalsize(buf));
	free(buf);
	return 0;
}

static void write_memory(const char *dir, const struct kho_image *img)
{
	char path[4096];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/memory.elf", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(path, errno);
	rc = kho_mem_write_elf(fd, img);
	if (rc || close(fd))
		die(path, rc ? rc : errno);
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = { { "era", required_argument, NULL, 'e' },
					      { "serialized", no_argument, NULL, 'S' },
					      { "flb", no_argument, NULL, 'F' },
					      { "kho-test", no_argument, NULL, 'T' },
					      { "session", required_argument, NULL, 's' },
					      { "reserve-mem", required_argument, NULL,
						'r' },
					      { "number", required_argument, NULL, 'n' },
					      { "count", required_argument, NULL, 'c' },
					      { "release", required_argument, NULL, 'R' },
					      { "side", required_argument, NULL, 'o' },
					      { "large", required_argument, NULL, 'L' },
					      { "held", no_argument, NULL, 'H' },
					      { "kernel-view", no_argument, NULL, 'K' },
					      { 0 } };
	struct kho_build_params p = { .era = KHO_ERA_E6,
				      .liveupdate_num = 1,
				      .kexec_count = 1,
				      .release = "7.2.0-luosim" };
	const char *side = "out";
	unsigned long large = 0;
	struct kho_image img;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (kho_era_parse(optarg, &p.era))
				die(optarg, EINVAL);
			break;
		case 'S': p.serialized = true; break;
		case 'F': p.with_flb = true; break;
		case 'T': p.with_kho_test = true; break;
		case 's': parse_session(&p, optarg); break;
		case 'r':
			region.name = strtok(optarg, ":");
			region.start = strtoull(strtok(NULL, ":") ?: "0", NULL, 0);
			region.size = strtoull(strtok(NULL, ":") ?: "0", NULL, 0);
			p.reserve_mem = &region;
			p.nr_reserve_mem = 1;
			break;
		case 'n': p.liveupdate_num = strtoull(optarg, NULL, 0); break;
		case 'c': p.kexec_count = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'R': p.release = optarg; break;
		case 'o': side = optarg; break;
		case 'L': large = strtoul(optarg, NULL, 0); break;
		case 'H': p.held = true; break;
		case 'K': kernel_view = true; break;
		default: return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: kho-mkimage [OPTIONS] DIR | --large N FILE\n");
		return 2;
	}
	if (large)
		return write_large(argv[optind], large);
	rc = kho_build(&p, &img);
	if (rc)
		die("kho_build", rc);
	if (kernel_view && !strcmp(side, "in"))
		kho_image_as_booted(&img);
	make_dir(argv[optind]);
	write_side(argv[optind], side, &p, &img);
	write_memory(argv[optind], &img);
	kho_image_free(&img);
	return 0;
}
