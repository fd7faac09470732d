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

#include <stddef.h>
#include <stdint.h>

struct prefixes;

/* One record as the table keeps it; strings live in the table's pool. */
struct prefix_rec {
	const char *provider;
	const char *region;
	const char *border_group;
	const char *service;
	char country[3];
	uint8_t kind; /* enum range_kind */
	uint8_t global;
};

/* Builds the table from n sets. Caller frees with prefixes_free(). */
enum rstatus prefixes_build(const struct range_set *sets, size_t n, struct prefixes **out,
			    struct rerr *err);
/* Safe to call with NULL. */
void prefixes_free(struct prefixes *t);

/* The innermost node containing a, or -1. */
int32_t prefixes_lookup(const struct prefixes *t, const struct addr *a);
/* Walking a match: the parent of a node (-1 at the top), its prefix and records. */
int32_t prefixes_parent(const struct prefixes *t, int32_t node);
const struct prefix *prefixes_prefix(const struct prefixes *t, int32_t node);
size_t prefixes_records(const struct prefixes *t, int32_t node, const struct prefix_rec **recs);

/* Memory held by the table, in bytes (for the benchmark's budget). */
size_t prefixes_bytes(const struct prefixes *t);
size_t prefixes_nodes(const struct prefixes *t);

#endif
