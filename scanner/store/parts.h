/*
 * parts: how a data path is cut for storage (schema 012). A path's zone blocks
 * — the NS elements of one zone under one element of the path, each followed
 * by its addresses — are the same for every name of the zone, so each distinct
 * block is stored once per scan as a part (scan_parts) and the path keeps one
 * row that refers to it. This module decides where blocks begin and end and
 * names each by a hash of its elements; it knows nothing of PostgreSQL, so the
 * cut is unit-tested (tests/test_parts.c) against its inverse.
 *
 * A part's elements are numbered from 0 and their parents are relative: p >= 0
 * is the part's element p, -1 the element the block hangs from (the referring
 * row's parent). Elements after a part keep their places in the path.
 */
#ifndef RESIDENCY_PARTS_H
#define RESIDENCY_PARTS_H

#include "dns/dns.h"

#include <stdbool.h>
#include <stddef.h>

/* A part's key: the first 128 bits of SHA-256 over its elements, in hex. */
#define PARTS_KEYLEN 33

/*
 * How many elements of p, from element `at`, make one part: 0 when the
 * element at `at` begins none (it is stored as its own row). A part is a run
 * of two or more elements: NS elements of one zone with one parent outside the
 * run, each followed by addresses whose parents are in the run.
 */
size_t parts_span(const struct path *p, size_t at);

/* The parent of element i of the part that begins at `from`, relative to it. */
int parts_rel_parent(const struct path *p, size_t from, size_t i);

/* The key of the part of n elements that begins at `from`. False when memory
 * ran out: the caller then stores those elements as rows of their own. */
bool parts_key(const struct path *p, size_t from, size_t n, char key[PARTS_KEYLEN]);

/* The parent in the path of a part's element whose relative parent is rel,
 * the part referred to by a row at idx whose parent is parent. */
static inline int parts_abs_parent(int idx, int parent, int rel)
{
	return rel < 0 ? parent : idx + rel;
}

#endif
