// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kmod-index OUT < LINES: write a kmod index file (the format of
 * modules.dep.bin, modules.builtin.bin, modules.alias.bin; see kmod's
 * libkmod-index.c) from "KEY VALUE" lines, so tests can give luoctl check a
 * module tree without depmod and real modules. Version 2.1, a plain trie:
 * every node lists its children from the first to the last byte used.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INDEX_MAGIC	   0xB007F457u
#define INDEX_VERSION	   0x00020001u
#define INDEX_NODE_PREFIX  0x80000000u
#define INDEX_NODE_VALUES  0x40000000u
#define INDEX_NODE_CHILDS  0x20000000u

struct entry {
	char *key, *value;
};

static FILE *out;
static uint32_t pos;

static void put(const void *p, size_t n)
{
	fwrite(p, 1, n, out);
	pos += n;
}

static void put32(uint32_t v)
{
	v = htonl(v);
	put(&v, 4);
}

/* Entries e[0..n) share their first depth bytes; returns the node's offset with flags. */
static uint32_t write_node(struct entry *e, size_t n, size_t depth)
{
	size_t lcp = strlen(e[0].key + depth), nvals = 0;
	uint32_t child[128] = { 0 }, off;
	int first = 128, last = -1;

	for (size_t i = 1; i < n; i++) {
		size_t k = 0;

		while (k < lcp && e[i].key[depth + k] == e[0].key[depth + k])
			k++;
		lcp = k;
	}
	depth += lcp;
	/* Children first (sorted input: each child's entries are contiguous). */
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)e[i].key[depth];
		size_t j = i + 1;

		if (c == '\0') {
			nvals++;
			i++;
			continue;
		}
		while (j < n && (unsigned char)e[j].key[depth] == c)
			j++;
		child[c & 127] = write_node(e + i, j - i, depth + 1);
		if (first > (c & 127))
			first = c & 127;
		last = c & 127;
		i = j;
	}
	off = pos;
	if (lcp)
		put(e[0].key + depth - lcp, lcp), put("", 1);
	if (last >= 0) {
		unsigned char fl[2] = { (unsigned char)first, (unsigned char)last };

		put(fl, 2);
		for (int c = first; c <= last; c++)
			put32(child[c]);
	}
	if (nvals) {
		put32((uint32_t)nvals);
		for (size_t i = 0; i < n; i++)
			if (e[i].key[depth] == '\0') {
				put32(0);
				put(e[i].value, strlen(e[i].value) + 1);
			}
	}
	return off | (lcp ? INDEX_NODE_PREFIX : 0) | (nvals ? INDEX_NODE_VALUES : 0) |
	       (last >= 0 ? INDEX_NODE_CHILDS : 0);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

static void free_entries(struct entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].key);
		free(e[i].value);
	}
	free(e);
}

int main(int argc, char **argv)
{
	struct entry *e = NULL;
	size_t n = 0;
	char line[4096];
	uint32_t root;

	if (argc != 2) {
		fprintf(stderr, "usage: kmod-index OUT < \"KEY VALUE\" lines\n");
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		char *sp;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		sp = strchr(line, ' ');
		struct entry *ne = realloc(e, (n + 1) * sizeof(*e));

		if (!ne) {
			free_entries(e, n);
			return 1;
		}
		e = ne;
		e[n].value = strdup(sp ? sp + 1 : "");
		if (sp)
			*sp = '\0';
		e[n].key = strdup(line);
		n++;
	}
	out = fopen(argv[1], "wb");
	if (!out) {
		perror(argv[1]);
		free_entries(e, n);
		return 1;
	}
	put32(INDEX_MAGIC);
	put32(INDEX_VERSION);
	put32(0); /* root offset, written at the end */
	if (n)
		qsort(e, n, sizeof(*e), cmp);
	root = n ? write_node(e, n, 0) : 0;
	if (fseek(out, 8, SEEK_SET) == 0) {
		root = htonl(root);
		fwrite(&root, 4, 1, out);
	}
	free_entries(e, n);
	if (fclose(out) != 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
