/*
 * output: the lines `residency lookup` prints for attributions, text or JSON,
 * into one buffer written to standard output in large write(2)s. A text line
 * is the input column plus a tail that is the same for every address of one
 * prefix-table node and GeoIP country: laid out once per (node, country) and
 * copied (output_text_prepare(), output_text_node()); special and embedding
 * addresses, and JSON, take the plain way (output_text(), output_json()).
 *
 * The bytes are the contract (tests/fixtures/lookup): the fast way and the
 * plain way write the same line. A write that fails is kept in `failed` for
 * the exit status, never dropped in silence. It never reads input, parses an
 * address or chooses an exit code: cli/lookup.c does.
 */
#ifndef RESIDENCY_OUTPUT_H
#define RESIDENCY_OUTPUT_H

#include "attrib/attrib.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct output_node; /* one node's tail (output.c) */

struct output_arena {
	char *chunk; /* starts with the pointer to the previous chunk */
	size_t used;
};

/* The tails laid out so far; all zero before the first line. */
struct output_cache {
	struct output_node *nodes; /* node + 1: [0] is "in no prefix" */
	size_t n;
	struct output_node *none; /* in no prefix, by GeoIP country: 2^16 of them */
	struct output_arena arena;
};

struct output {
	char *buf;
	size_t len, cap;
	bool failed; /* a write failed: the exit status says so */
	struct output_cache cache;
};

/* An empty output (o zeroed by the caller) with a buffer of cap bytes; false
 * when out of memory. Release with output_free() either way. */
bool output_init(struct output *o, size_t cap);
/* Frees the buffer and the tails (not o itself). Writes nothing: flush first. */
void output_free(struct output *o);
/* Writes what is buffered to standard output. */
void output_flush(struct output *o);
/* The line of an input that is not an address. */
void output_bad(struct output *o, bool json, const char *text);
/* The JSON line of an attribution. */
void output_json(struct output *o, const struct attribution *at, const char *input);
/* The text line of an attribution, the plain way. */
void output_text(struct output *o, const struct attribution *at, const char *input);
/*
 * Before the text lines of a batch: normalises the GeoIP countries (geo[i],
 * zeros after the end: a key of the tails) and lays out the middle of each
 * node met, prefetching what the lines will read. family 0 in addr[i]: not an
 * address, skipped.
 */
void output_text_prepare(struct output *o, const struct attrib *a, const struct addr *addr,
			 size_t n, const int32_t *node, char (*geo)[3]);
/* The text line of an address of node with GeoIP country geo, from its tail
 * (not for one attrib_indirect() is true of). */
void output_text_node(struct output *o, const struct attrib *a, const struct addr *addr,
		      int32_t node, const char geo[3], const char *input);

#endif
