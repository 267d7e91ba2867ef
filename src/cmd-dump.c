// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luoctl dump: decode the Kexec HandOver (KHO) data of this system (debugfs
 * out/ or in/), of a directory saved with --save, of one blob file or of stdin.
 * Inputs are read whole and handed to the lib/kho decoders, which check every
 * offset; this file only finds the inputs and picks the output format.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dlopen-libs.h"
#include "io.h"
#include "dump.h"
#include "kho/kho-decode.h"
#include "kho/kho-mem.h"
#include "log.h"
#include "luoctl.h"
#include "output.h"

#define DEFAULT_DEBUGFS "/sys/kernel/debug/kho"
#define DEFAULT_MEMORY "/proc/kcore"
#define SAVED_MEMORY "memory.elf" /* written by --save --deep beside out/ and in/ */
#define DUMP_MAX_INPUT (64u << 20) /* a root FDT is one page; sub-blobs are small */

static const struct {
	const char *name;
	enum dump_format format;
} formats[] = {
	{ "text", DUMP_TEXT },
	{ "dts", DUMP_DTS },
	{ "json", DUMP_JSON },
};

static char *opt_format, *opt_debugfs, *opt_memory, *opt_save, *opt_name, *opt_endian;
static int opt_in, opt_out, opt_deep;

static const struct poptOption dump_options[] = {
	{ "out", 'o', POPT_ARG_NONE, &opt_out, 0,
	  "the outgoing hand-over, for the next kernel (default)", NULL },
	{ "in", 'i', POPT_ARG_NONE, &opt_in, 0,
	  "the incoming hand-over, from the previous kernel", NULL },
	{ "format", 'f', POPT_ARG_STRING, &opt_format, 0, "text (default), dts or json",
	  "FMT" },
	{ "deep", 'd', POPT_ARG_NONE, &opt_deep, 0,
	  "follow the physical addresses into memory", NULL },
	{ "memory", 'm', POPT_ARG_STRING, &opt_memory, 0,
	  "physical memory as an ELF core file for --deep (default /proc/kcore)",
	  "FILE" },
	{ "name", 'n', POPT_ARG_STRING, &opt_name, 0,
	  "decode a single blob as the sub-blob NAME (LUO, kexec-metadata, ...)",
	  "NAME" },
	{ "endian", 'e', POPT_ARG_STRING, &opt_endian, 0,
	  "byte order of the values: little or big (default: this machine's)", "ORDER" },
	{ "debugfs", '\0', POPT_ARG_STRING, &opt_debugfs, 0,
	  "the KHO debugfs directory (default /sys/kernel/debug/kho)", "DIR" },
	{ "save", 's', POPT_ARG_STRING, &opt_save, 0,
	  "copy the KHO debugfs tree to DIR (for bug reports) instead of dumping",
	  "DIR" },
	POPT_TABLEEND
};

/* ---- reading inputs ---- */

static int read_fd(int fd, uint8_t **data, size_t *len)
{
	return io_read_fd(fd, DUMP_MAX_INPUT, (char **)data, len);
}

static int read_path(const char *path, uint8_t **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	int rc = read_fd(fd, data, len);
	close(fd);
	return rc;
}

static char *join(const char *a, const char *b)
{
	char *s;

	return asprintf(&s, "%s/%s", a, b) < 0 ? NULL : s;
}

static bool exists(const char *dir, const char *name)
{
	char *p = join(dir, name);
	bool ok = p && access(p, F_OK) == 0;

	free(p);
	return ok;
}

static int add_blob(struct dump_input *in, const char *label, const char *name,
		    uint8_t *data, size_t len)
{
	struct dump_blob *n = realloc(in->blobs, (in->nr_blobs + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	in->blobs = n;
	n = &in->blobs[in->nr_blobs];
	*n = (struct dump_blob){
		.label = strdup(label), .name = strdup(name), .data = data, .len = len
	};
	if (!n->label || !n->name)
		return -ENOMEM;
	in->nr_blobs++;
	return 0;
}

/* A debugfs text file on one line ("0x1000\n0x2000\n" -> "0x1000, 0x2000"). */
static char *read_text(const char *dir, const char *name)
{
	char *p = join(dir, name);
	uint8_t *data = NULL;
	size_t len = 0;

	if (!p || read_path(p, &data, &len)) {
		free(p);
		return NULL;
	}
	free(p);
	char *s = malloc(len * 2 + 1), *w = s;
	for (size_t i = 0; s && i < len; i++) {
		if (data[i] != '\n')
			*w++ = data[i] ? (char)data[i] : ' ';
		else if (i + 1 < len)
			w = stpcpy(w, ", ");
	}
	if (s)
		*w = '\0';
	free(data);
	return s;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted file names in dir; an absent dir is an empty list. */
static int list_dir(const char *dir, char ***names, size_t *nr)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	*names = NULL;
	*nr = 0;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char **n = realloc(*names, (*nr + 1) * sizeof(*n));
		if (!n || !(n[*nr] = strdup(e->d_name))) {
			*names = n ? n : *names;
			closedir(d);
			return -ENOMEM;
		}
		*names = n;
		(*nr)++;
	}
	closedir(d);
	if (*nr)
		qsort(*names, *nr, sizeof(**names), cmp_names);
	return 0;
}

static void free_names(char **names, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}

/* Puts the sub-blobs in the root's order; notes where the root and the files disagree. */
static void match_root(struct dump_input *in, size_t first_sub)
{
	struct kho_fdt fdt;
	struct kho_root_info ri;
	struct kho_issues ignored = { 0 };

	if (first_sub == 0 || dump_parse_fdt(in, &in->blobs[0], &fdt, NULL))
		return;
	if (kho_root_decode(&fdt, &ri, &ignored) == 0) {
		size_t placed = first_sub;
		for (size_t s = 0; s < ri.nr_subs; s++) {
			size_t i;
			for (i = placed; i < in->nr_blobs; i++)
				if (!strcmp(in->blobs[i].name, ri.subs[s].name))
					break;
			if (i == in->nr_blobs) {
				kho_issue_add(
					&in->notes, KHO_NOTE, 0,
					"the root lists \"%s\" but sub_fdts/ has no such file%s",
					ri.subs[s].name,
					in->nr_blobs == first_sub
						? " (this kernel does not expose incoming sub-blobs)"
						: "");
				continue;
			}
			struct dump_blob tmp = in->blobs[i];
			memmove(&in->blobs[placed + 1], &in->blobs[placed],
				(i - placed) * sizeof(tmp));
			tmp.from_root = true;
			tmp.root_size = ri.subs[s].has_size ? ri.subs[s].size : 0;
			in->blobs[placed++] = tmp;
		}
		kho_root_info_free(&ri);
	}
	kho_issues_free(&ignored);
	kho_fdt_free(&fdt);
}

static int load_side(struct dump_input *in, const char *dir, const char *prefix)
{
	char *root = join(dir, "fdt"), *subdir = join(dir, "sub_fdts"), *label = NULL;
	char **names = NULL;
	size_t nr = 0, first_sub = 0;
	uint8_t *data;
	size_t len;
	int rc = root && subdir ? 0 : -ENOMEM;

	if (!rc && !(rc = read_path(root, &data, &len))) {
		rc = asprintf(&label, "%sfdt", prefix) < 0
			     ? -ENOMEM
			     : add_blob(in, label, "", data, len);
		free(label);
		if (!rc)
			in->blobs[0].is_root = true;
		first_sub = 1;
	} else if (rc == -ENOENT) {
		kho_issue_add(
			&in->notes, KHO_NOTE, 0,
			"%s/fdt does not exist (the kernel omits out/fdt after a KHO boot)",
			dir);
		rc = 0;
	}
	rc = rc ?: list_dir(subdir, &names, &nr);
	for (size_t i = 0; !rc && i < nr; i++) {
		char *path = join(subdir, names[i]);
		rc = path ? read_path(path, &data, &len) : -ENOMEM;
		if (!rc && asprintf(&label, "%ssub_fdts/%s", prefix, names[i]) >= 0) {
			rc = add_blob(in, label, names[i], data, len);
			free(label);
		}
		if (rc)
			log_errno(rc, "cannot read %s", path);
		free(path);
	}
	free_names(names, nr);
	in->scratch_phys = read_text(dir, "scratch_phys");
	in->scratch_len = read_text(dir, "scratch_len");
	in->finalize = read_text(dir, "finalize");
	if (!rc)
		match_root(in, first_sub);
	free(root);
	free(subdir);
	return rc;
}

/* A directory: one side (has fdt or sub_fdts) or a tree with out/ and in/. */
static int load_dir(struct dump_input *in, const char *dir, bool want_in,
		    bool from_debugfs)
{
	/* After a KHO boot what came in is what an operator asks about first. */
	if (!opt_in && !opt_out && exists(dir, "in")) {
		want_in = true;
		in->side_by_default = true;
	}
	const char *side = want_in ? "in" : "out";

	if (exists(dir, "fdt") || exists(dir, "sub_fdts")) {
		char *copy = strdup(dir);
		const char *base = copy ? basename(copy) : "";
		/* A saved side directory keeps its name: it says which side it is. */
		in->side = !strcmp(base, "in") ? "in" : !strcmp(base, "out") ? "out" : NULL;
		free(copy);
		in->source = strdup(dir);
		return in->source ? load_side(in, dir, "") : -ENOMEM;
	}
	if (!exists(dir, "out") && !exists(dir, "in")) {
		log_error("%s is not a KHO directory (no fdt, sub_fdts/, out/ or in/)",
			  dir);
		return LUOCTL_EXIT_FAILED;
	}
	in->source = join(dir, side);
	in->side = side;
	if (!in->source)
		return -ENOMEM;
	if (access(in->source, F_OK)) {
		if (want_in)
			log_error("%s does not exist: this boot was not a KHO boot%s",
				  in->source,
				  from_debugfs ? "" : " (or the saved tree has no in/)");
		else
			log_error("%s does not exist", in->source);
		return LUOCTL_EXIT_UNAVAILABLE;
	}
	char prefix[8];
	snprintf(prefix, sizeof(prefix), "%s/", side);
	return load_side(in, in->source, prefix);
}

static int load_file(struct dump_input *in, const char *path)
{
	bool is_stdin = !strcmp(path, "-");
	uint8_t *data;
	size_t len;
	int rc = is_stdin ? read_fd(STDIN_FILENO, &data, &len)
			  : read_path(path, &data, &len);

	if (rc) {
		log_errno(rc, "cannot read %s", is_stdin ? "standard input" : path);
		return LUOCTL_EXIT_FAILED;
	}
	char *copy = strdup(path);
	const char *name = opt_name ? opt_name : is_stdin || !copy ? "" : basename(copy);
	/* A root saved as "fdt" is the root, not a sub-blob called "fdt". */
	if (!opt_name && !strcmp(name, "fdt"))
		name = "";
	in->source = strdup(is_stdin ? "-" : path);
	rc = in->source ? add_blob(in, in->source, name, data, len) : -ENOMEM;
	if (!rc)
		in->blobs[0].is_root = !*name && !is_stdin; /* a file named "fdt" */
	free(copy);
	return rc;
}

static int check_debugfs(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == 0)
		return 0;
	if (errno == ENOENT)
		log_error(
			"no KHO debugfs at %s: debugfs is not mounted, or the kernel lacks KHO",
			dir);
	else
		log_errno(errno, "cannot access %s", dir);
	return LUOCTL_EXIT_UNAVAILABLE;
}

static int load_input(struct dump_input *in, const char *arg)
{
	struct stat st;
	int rc;

	if (!arg) {
		const char *dir = opt_debugfs ? opt_debugfs : DEFAULT_DEBUGFS;
		rc = check_debugfs(dir);
		return rc ?: load_dir(in, dir, opt_in, true);
	}
	if (strcmp(arg, "-") && stat(arg, &st)) {
		log_errno(errno, "cannot open %s", arg);
		return LUOCTL_EXIT_FAILED;
	}
	if (strcmp(arg, "-") && S_ISDIR(st.st_mode))
		return load_dir(in, arg, opt_in, false);
	return load_file(in, arg);
}

static void free_input(struct dump_input *in)
{
	for (size_t i = 0; i < in->nr_blobs; i++) {
		free(in->blobs[i].label);
		free(in->blobs[i].name);
		free(in->blobs[i].data);
	}
	free(in->blobs);
	free(in->source);
	free(in->scratch_phys);
	free(in->scratch_len);
	free(in->finalize);
	kho_issues_free(&in->notes);
}

/* ---- --save ---- */

static int copy_file(const char *src, const char *dst)
{
	uint8_t *data;
	size_t len;
	int rc = read_path(src, &data, &len);

	if (rc) {
		log_errno(rc, "cannot read %s", src);
		return rc;
	}
	int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || (rc = io_write_all(fd, data, len)) < 0) {
		rc = fd < 0 ? -errno : rc;
		log_errno(rc, "cannot write %s", dst);
	}
	if (fd >= 0 && close(fd) && !rc) {
		rc = -errno;
		log_errno(rc, "cannot write %s", dst);
	}
	free(data);
	return rc;
}

/* Copies regular files and directories (debugfs kho/ is two levels deep). */
static int copy_tree(const char *src, const char *dst, int depth, size_t *copied)
{
	char **names;
	size_t nr;
	int rc = list_dir(src, &names, &nr);

	if (!rc && mkdir(dst, 0755) && errno != EEXIST)
		rc = -errno;
	if (rc)
		log_errno(rc, "cannot copy %s to %s", src, dst);
	for (size_t i = 0; !rc && i < nr; i++) {
		char *s = join(src, names[i]), *d = join(dst, names[i]);
		struct stat st;
		if (!s || !d)
			rc = -ENOMEM;
		else if (stat(s, &st))
			rc = -errno;
		else if (S_ISDIR(st.st_mode) && depth < 3)
			rc = copy_tree(s, d, depth + 1, copied);
		else if (S_ISREG(st.st_mode) && !(rc = copy_file(s, d)))
			(*copied)++;
		free(s);
		free(d);
	}
	free_names(names, nr);
	return rc;
}

static int open_memory(const char *arg, struct dump_opts *o, int *fd);
static void free_input(struct dump_input *in);

/* Walks each saved side as --deep would, recording the pages read. */
static int record_sides(const char *dest, struct kho_mem *mem)
{
	static const char *const sides[] = { "out", "in" };
	int rc = kho_mem_record(mem);

	for (size_t i = 0; !rc && i < 2; i++) {
		struct dump_input in = { .side = sides[i] };
		char prefix[8];
		if (!exists(dest, sides[i]))
			continue;
		snprintf(prefix, sizeof(prefix), "%s/", sides[i]);
		in.source = join(dest, sides[i]);
		rc = in.source ? load_side(&in, in.source, prefix) : -ENOMEM;
		if (!rc)
			dump_walk_memory(&in, mem);
		free_input(&in);
	}
	return rc;
}

/* --save --deep: the pages the deep decode reads, as DEST/memory.elf. */
static int save_memory(const char *dest, size_t *pages)
{
	struct dump_opts o = { 0 };
	char *path = join(dest, SAVED_MEMORY);
	int memfd = -1, fd = -1;
	int rc = path ? open_memory(NULL, &o, &memfd) : -ENOMEM;

	rc = rc ?: record_sides(dest, o.mem);
	if (!rc && (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		rc = -errno;
	if (!rc)
		rc = kho_mem_write_recorded(o.mem, fd, pages);
	if (fd >= 0 && close(fd) && !rc)
		rc = -errno;
	if (rc < 0)
		log_errno(rc, "cannot save the memory the deep decode reads to %s", path ? path : dest);
	kho_mem_close(o.mem);
	if (memfd >= 0)
		close(memfd);
	free(path);
	return rc ? LUOCTL_EXIT_FAILED : 0;
}

static int run_save(const char *dest, bool deep)
{
	const char *dir = opt_debugfs ? opt_debugfs : DEFAULT_DEBUGFS;
	size_t copied = 0, pages = 0;
	int rc = check_debugfs(dir);

	if (rc)
		return rc;
	if (copy_tree(dir, dest, 0, &copied))
		return LUOCTL_EXIT_FAILED;
	if (deep && (rc = save_memory(dest, &pages)))
		return rc;
	out_open_object(NULL);
	out_u64(PRINT_ANY, "files", "saved %" PRIu64 " files", copied);
	out_string(PRINT_ANY, "from", " from %s", dir);
	out_string(PRINT_ANY, "to", " to %s", dest);
	if (deep)
		out_u64(PRINT_ANY, "memory_pages",
			", and the %" PRIu64 " pages of memory the deep decode reads to " SAVED_MEMORY,
			pages);
	out_text("\n");
	out_close_object();
	return 0;
}

/* ---- dts ---- */

static size_t print_dts(const struct dump_input *in)
{
	size_t problems = 0;

	if (in->side)
		printf("// %s hand-over (%s)%s\n\n",
		       strcmp(in->side, "in") ? "outgoing" : "incoming", in->source,
		       in->side_by_default ? ", shown by default after a KHO boot" : "");

	for (size_t i = 0; i < in->nr_blobs; i++) {
		const struct dump_blob *b = &in->blobs[i];
		struct kho_fdt fdt;
		struct kho_error err;
		bool single = in->nr_blobs == 1;

		if (!single)
			printf("%s// %s\n", i ? "\n" : "", b->label);
		if (!b->is_root && !kho_fdt_has_magic(b->data, b->len)) {
			if (single) {
				log_error("%s is not an FDT: use --format text or json",
					  b->label);
				problems++;
			} else {
				printf("// not an FDT (%s, %zu bytes): see --format text\n",
				       kho_kind_name(kho_classify(b->name, b->data,
								  b->len, NULL)),
				       b->len);
			}
			continue;
		}
		if (dump_parse_fdt(in, b, &fdt, &err)) {
			log_error("%s: %s at offset 0x%llx: %s", b->label,
				  err.truncated ? "truncated" : "corrupt FDT",
				  (unsigned long long)err.offset, err.msg);
			problems++;
			continue;
		}
		if (fdt.cut)
			printf("// %s is cut short by the kernel: %u of %u bytes (debugfs keeps the size the root had when the file was made); names past the cut are inferred from KHO's string table\n",
			       b->label, fdt.avail, fdt.totalsize);
		fflush(stdout);
		if (dump_dts(stdout, &fdt))
			problems++;
		kho_fdt_free(&fdt);
	}
	return problems;
}

/* Data goes to stdout: a full disk must not look like a successful dump. */
static int finish_stdout(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	log_errno(errno ? errno : EIO, "cannot write the output");
	return LUOCTL_EXIT_FAILED;
}

/* ---- options ---- */

static int parse_format(enum dump_format *fmt)
{
	if (luoctl_json && opt_format && strcmp(opt_format, "json")) {
		log_usage("--json conflicts with --format %s", opt_format);
		return LUOCTL_EXIT_USAGE;
	}
	*fmt = luoctl_json ? DUMP_JSON : DUMP_TEXT;
	if (!opt_format)
		return 0;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (!strcmp(opt_format, formats[i].name)) {
			*fmt = formats[i].format;
			return 0;
		}
	}
	log_usage("unknown format \"%s\" (text, dts or json)", opt_format);
	return LUOCTL_EXIT_USAGE;
}

/* Values are CPU-native: a dump from another architecture needs its byte order. */
static int parse_endian(bool deep)
{
	if (!opt_endian)
		return 0;
	if (strcmp(opt_endian, "little") && strcmp(opt_endian, "big")) {
		log_usage("unknown byte order \"%s\" (little or big)", opt_endian);
		return LUOCTL_EXIT_USAGE;
	}
	kho_set_value_byte_order(!strcmp(opt_endian, "big"));
	if (deep && !kho_value_byte_order_is_native()) {
		log_usage(
			"--deep reads memory records in this machine's byte order only");
		return LUOCTL_EXIT_USAGE;
	}
	return 0;
}

/* Options naming a file or a blob: never empty; each the kind of file it names. */
static int check_paths(void)
{
	static const struct {
		const char *option;
		char **value;
	} given[] = { { "--name", &opt_name }, { "--debugfs", &opt_debugfs },
		      { "--save", &opt_save }, { "--memory", &opt_memory } };
	struct stat st;

	for (size_t i = 0; i < sizeof(given) / sizeof(given[0]); i++)
		if (*given[i].value && !**given[i].value) {
			log_usage("%s: the %s is empty", given[i].option,
				  i == 0 ? "name" : "path");
			return LUOCTL_EXIT_USAGE;
		}
	if (opt_save && stat(opt_save, &st) == 0 && !S_ISDIR(st.st_mode)) {
		log_usage("--save %s: it exists and is not a directory; give a new or an existing directory", opt_save);
		return LUOCTL_EXIT_USAGE;
	}
	if (opt_memory && stat(opt_memory, &st) == 0 && S_ISDIR(st.st_mode)) {
		log_errno(EISDIR, "cannot open the physical memory image %s", opt_memory);
		return LUOCTL_EXIT_FAILED;
	}
	return 0;
}

static int check_options(int nargs, const char *arg)
{
	int rc = check_paths();

	if (rc)
		return rc;
	if (nargs > 1) {
		log_usage("too many arguments: one FILE, DIR or - at most");
		return LUOCTL_EXIT_USAGE;
	}
	if (opt_in && opt_out) {
		log_usage("--in and --out exclude each other");
		return LUOCTL_EXIT_USAGE;
	}
	if (opt_save && (arg || opt_name || opt_in || opt_out)) {
		log_usage(
			"--save copies the debugfs tree (and with --deep the memory it points to); it takes no input or side option");
		return LUOCTL_EXIT_USAGE;
	}
	if (opt_name && arg && strcmp(arg, "-") && (opt_in || opt_out)) {
		log_usage("--name applies to a single blob, --in/--out to a directory");
		return LUOCTL_EXIT_USAGE;
	}
	return 0;
}

/*
 * --memory, else the memory saved beside a tree by --save --deep, else inside
 * luosim its simulated memory (LUOSIM_KCORE), else /proc/kcore.
 */
static const char *memory_path(const char *arg, char **owned)
{
	struct stat st;

	*owned = NULL;
	if (opt_memory)
		return opt_memory;
	if (arg && strcmp(arg, "-") && !stat(arg, &st) && S_ISDIR(st.st_mode)) {
		for (int up = 0; up < 2 && arg; up++) {
			char *p = up ? join(arg, "../" SAVED_MEMORY) : join(arg, SAVED_MEMORY);
			if (p && !access(p, R_OK))
				return *owned = p;
			free(p);
		}
	}
	const char *sim = getenv("LUOSIM_KCORE");
	if (!arg && !opt_debugfs && sim && *sim && !access(sim, R_OK))
		return sim;
	return DEFAULT_MEMORY;
}

static int open_memory(const char *arg, struct dump_opts *o, int *fd)
{
	char *owned;
	const char *path = memory_path(arg, &owned);
	struct kho_error err;
	int rc;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	rc = 0;
	if (*fd < 0) {
		log_errno(errno, "cannot open the physical memory image %s", path);
		rc = LUOCTL_EXIT_FAILED;
	} else if (kho_mem_open_fd(*fd, &o->mem, &err)) {
		log_error("%s: not a usable ELF core at offset 0x%llx: %s", path,
			  (unsigned long long)err.offset, err.msg);
		rc = LUOCTL_EXIT_FAILED;
	}
	free(owned);
	return rc;
}

static int dump(const char *arg, struct dump_opts *o)
{
	struct dump_input in = { 0 };
	int memfd = -1;
	size_t problems;
	int rc = load_input(&in, arg);

	if (rc < 0)
		log_errno(rc, "cannot load the input");
	if (!rc && o->deep)
		rc = open_memory(arg, o, &memfd);
	if (rc) {
		free_input(&in);
		return rc < 0 ? LUOCTL_EXIT_FAILED : rc;
	}
	if (o->format == DUMP_DTS) {
		problems = print_dts(&in);
		rc = finish_stdout();
	} else {
		out_begin(o->format == DUMP_JSON, luoctl_pretty);
		problems = dump_print(&in, o);
		rc = out_end();
		if (rc)
			log_errno(rc, "cannot write the output");
	}
	if (problems && !rc)
		log_error("%zu problem%s found in %s", problems, problems == 1 ? "" : "s",
			  in.source);
	kho_mem_close(o->mem);
	if (memfd >= 0)
		close(memfd);
	free_input(&in);
	return rc || problems ? LUOCTL_EXIT_FAILED : EXIT_SUCCESS;
}

/* Every hand-over starts with an FDT, checked by libfdt too (kho-fdt.c). */
static int load_libfdt(void)
{
	char why[512];
	int err = dlopen_libfdt();

	if (!err)
		return 0;
	log_error("%s", dlopen_describe(DLOPEN_LIBFDT, err, why, sizeof(why)));
	return LUOCTL_EXIT_FAILED;
}

static int run_dump(const struct luoctl_cmd *cmd, int argc, char *argv[])
{
	struct dump_opts o = { 0 };
	const char **args;
	int nargs = 0, rc = luoctl_parse_args(cmd, dump_options, argc, argv, &args);

	if (rc)
		return rc;
	while (args[nargs])
		nargs++;
	const char *arg = args[0];

	rc = check_options(nargs, arg);
	rc = rc ?: parse_format(&o.format);
	o.deep = opt_deep || opt_memory;
	rc = rc ?: parse_endian(o.deep);
	rc = rc ?: load_libfdt();
	if (!rc && opt_save) {
		out_begin(o.format == DUMP_JSON, luoctl_pretty);
		rc = run_save(opt_save, o.deep);
		int orc = out_end();
		rc = rc ?: (orc ? LUOCTL_EXIT_FAILED : 0);
	} else if (!rc) {
		rc = dump(arg, &o);
	}
	return rc;
}

const struct luoctl_cmd cmd_dump = {
	CMD_DUMP_INFO,
	.run = run_dump,
};
