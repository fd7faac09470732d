/*
 * tablecache: the prefix table built from the bundled snapshots, kept in the
 * cache folder and mapped by the next run instead of built again (loading and
 * sorting 118k records was most of a short `residency lookup`). Keyed by every
 * bundled file's name, size and modification time and by the running binary
 * itself, so a new snapshot or a new build never sees an old table.
 *
 * A file: a header (magic, key, what each provider's snapshot said: kind,
 * version, record count), then the table's block (prefixes_from_bytes()).
 */
#ifndef RESIDENCY_TABLECACHE_H
#define RESIDENCY_TABLECACHE_H

#include "attrib/prefixes.h"

#include <stdbool.h>
#include <stddef.h>

#define TABLECACHE_MAX_SETS 32
#define TABLECACHE_KEYLEN 65

/* What one provider's snapshot said, as attrib reports it. */
struct tablecache_set {
	char name[32];
	char version[128];
	unsigned long long records;
	bool geofeed;
};

/* The key of the bundled snapshots as they are now; false when a file cannot be stat'ed. */
bool tablecache_key(char key[TABLECACHE_KEYLEN]);

/*
 * Checks a cache file's bytes: the header against key (NULL: any key) and the
 * known providers, in order, then the table block. On success *table uses the
 * bytes in place (they must outlive it; free with prefixes_free()) and sets[]
 * (one per known provider, at most nsets) is filled. The fuzz target's entry.
 */
bool tablecache_parse(const void *data, size_t len, const char *key, struct prefixes **table,
		      struct tablecache_set *sets, size_t nsets);

/* Maps the cache file of cache_dir and parses it; on success the caller
 * prefixes_free()s the table, then cachefile_unmap(*map, *maplen). */
bool tablecache_load(const char *cache_dir, const char *key, struct prefixes **table,
		     struct tablecache_set *sets, size_t nsets, const void **map, size_t *maplen);
/* Writes one (best effort: a run without a cache only builds again). */
void tablecache_save(const char *cache_dir, const char *key, const struct prefixes *table,
		     const struct tablecache_set *sets, size_t nsets);

#endif
