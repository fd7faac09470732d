/*
 * ranges_store: range snapshots in PostgreSQL (schema/002_ranges.sql):
 * metadata by parameters, prefixes by COPY. Never rewrites a stored snapshot.
 */
#ifndef RESIDENCY_RANGES_STORE_H
#define RESIDENCY_RANGES_STORE_H

#include "ranges/ranges.h"
#include "ranges/snapshot.h"
#include "store/store.h"

#include <stdio.h>

/* Stores a snapshot unless the same provider+sha256 is stored; *id is its id either way. */
enum rstatus store_range_snapshot(struct store *st, const struct snapshot_meta *m,
				  const struct range_set *set, long long *id, bool *inserted,
				  struct rerr *err);
/* Reads a stored snapshot's prefixes back into set (provider set from the row). */
enum rstatus store_range_load(struct store *st, long long id, struct range_set *set,
			      struct rerr *err);
/* Prints the stored snapshots, newest first per provider. */
enum rstatus store_range_list(struct store *st, FILE *out, struct rerr *err);

#endif
