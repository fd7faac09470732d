/*
 * cachefile: derived tables kept on disk between runs (the built prefix table
 * of the bundled snapshots, the flattened GeoIP database). A cache file is
 * mapped read-only and whole; it is written to a temporary name and renamed,
 * so a reader never sees half a file. A cache is only ever an optimisation: a
 * missing, unreadable or mismatched file means "build it again", never an error.
 * The readers of what is mapped check every bound themselves (it is outside data).
 */
#ifndef RESIDENCY_CACHEFILE_H
#define RESIDENCY_CACHEFILE_H

#include <stdbool.h>
#include <stddef.h>

struct cachefile_part {
	const void *data;
	size_t len;
};

/* Maps path read-only, whole. False when it does not exist, is empty or larger
 * than max. Caller releases with cachefile_unmap(). */
bool cachefile_map(const char *path, size_t max, const void **data, size_t *len);
/* Safe to call with NULL. */
void cachefile_unmap(const void *data, size_t len);
/* Writes the parts, in order, to path (folders created); best effort, false on failure. */
bool cachefile_write(const char *path, const struct cachefile_part *parts, size_t n);
/* "SIZE MTIME.NSEC" of a file, for cache keys (as make decides); false without a stat. */
bool cachefile_stamp(const char *path, char *buf, size_t len);
/*
 * The running binary's path ("" when unknown). Caches are keyed by the binary
 * (a new build may build a table differently) and named after its path, so two
 * binaries (an installed one and a test build) do not take turns rebuilding.
 */
const char *cachefile_self(char *buf, size_t len);
/* 16 hex digits naming s in a file name. */
void cachefile_tag(const char *s, char out[17]);

#endif
