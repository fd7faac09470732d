/*
 * prefixes: one longest-prefix-match table over every provider's ranges, IPv4
 * and IPv6, that keeps EVERY record of every matching prefix (AWS lists AMAZON
 * and EC2 for the same address; Azure a regional and a global tag).
 *
 * Shape: identical prefixes are merged into nodes, each with its records and a
 * parent (the next shorter prefix containing it). The nesting is flattened into
 * disjoint intervals, each naming its innermost node; a lookup is a binary
 * search over interval starts (IPv4 narrowed first by a 2^16 index on the top
 * 16 bits), then a walk up the parents yields all matches, most specific first.
 */
#ifndef RESIDENCY_PREFIXES_H
#define RESIDENCY_PREFIXES_H

#include "core/addr.h"
#include "core/rerr.h"
#include "ranges/ranges.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prefixes;

/*
 * One record as the table keeps it. Strings are offsets into the table's pool
 * (prefixes_str()), interned: two records name the same provider exactly when
 * their offsets are equal. No pointers, so a built table can be kept on disk.
 */
struct prefix_rec {
	uint32_t provider;
	uint32_t region;
	uint32_t border_group;
	uint32_t service;
	char country[3];
	uint8_t kind; /* enum range_kind */
	uint8_t global;
};

/* Builds the table from n sets. Caller frees with prefixes_free(). */
enum rstatus prefixes_build(const struct range_set *sets, size_t n, struct prefixes **out,
			    struct rerr *err);
/* Safe to call with NULL. */
void prefixes_free(struct prefixes *t);

/*
 * The whole table is one block of bytes (host byte order, no pointers): what
 * prefixes_bytes_of() gives can be written to a file, and prefixes_from_bytes()
 * uses such bytes in place, after checking every bound and every reference in
 * them (they come from outside the process). The bytes must stay valid, and
 * 8-byte aligned, until prefixes_free(); the caller keeps ownership of them.
 * prefixes_from_bytes() returns false, and *out NULL, on anything malformed.
 */
void prefixes_bytes_of(const struct prefixes *t, const void **data, size_t *len);
bool prefixes_from_bytes(const void *data, size_t len, struct prefixes **out);

/* The innermost node containing a, or -1. */
int32_t prefixes_lookup(const struct prefixes *t, const struct addr *a);
/* Walking a match: the parent of a node (-1 at the top), its prefix and records. */
int32_t prefixes_parent(const struct prefixes *t, int32_t node);
const struct prefix *prefixes_prefix(const struct prefixes *t, int32_t node);
size_t prefixes_records(const struct prefixes *t, int32_t node, const struct prefix_rec **recs);
/* A string of a record (an offset of struct prefix_rec). */
const char *prefixes_str(const struct prefixes *t, uint32_t off);

/* Memory held by the table, in bytes (for the benchmark's budget). */
size_t prefixes_bytes(const struct prefixes *t);
size_t prefixes_nodes(const struct prefixes *t);

#endif
