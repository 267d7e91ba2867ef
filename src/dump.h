// SPDX-License-Identifier: LGPL-2.1-or-later
/* Internals of `luoctl dump` shared by its source files. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kho/kho-decode.h"
#include "kho/kho-fdt.h"
#include "kho/kho-mem.h"

enum dump_format {
	DUMP_TEXT,
	DUMP_DTS,
	DUMP_JSON
};

struct dump_blob {
	char *label; /* what the user sees: "out/fdt", "out/sub_fdts/LUO", a path, "-" */
	char *name;  /* sub-node name ("" for a root file); picks the decoder */
	uint8_t *data;
	size_t len;
	bool is_root;	/* in the root's place (debugfs `fdt`): an FDT even if broken */
	bool from_root; /* the root FDT lists it: expected size below is known */
	uint64_t root_size; /* blob-size, or 0 when the root gives none */
};

struct dump_input {
	char *source;	  /* directory or file given, or the debugfs side */
	const char *side; /* "out", "in" or NULL for a single blob */
	bool side_by_default; /* "in" chosen because this boot is a KHO boot */
	struct dump_blob *blobs;
	size_t nr_blobs;
	char *scratch_phys, *scratch_len, *finalize; /* debugfs text files, or NULL */
	struct kho_issues notes;		     /* about the input as a whole */
};

struct dump_opts {
	enum dump_format format;
	bool deep;
	struct kho_mem *mem; /* set when deep */
};

/*
 * Parses a blob as an FDT. A root on the outgoing side may be cut short: debugfs
 * keeps out/fdt at the size it had when made (kho_fdt_parse_cut); anywhere else
 * a short FDT is truncated, a problem.
 */
int dump_parse_fdt(const struct dump_input *in, const struct dump_blob *b,
		   struct kho_fdt *fdt, struct kho_error *err);

/* Prints the whole input; returns the number of problems found (0: valid). */
size_t dump_print(const struct dump_input *in, const struct dump_opts *o);

/* Makes the memory reads of --deep, printing nothing (for --save --deep). */
void dump_walk_memory(const struct dump_input *in, const struct kho_mem *mem);

/* dtc -I dtb -O dts output of one blob. 0 or -EIO. */
int dump_dts(FILE *f, const struct kho_fdt *fdt);
