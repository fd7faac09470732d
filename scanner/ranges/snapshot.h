/*
 * snapshot: one accepted version of one provider's ranges, kept in a local
 * cache folder as the bytes received plus their metadata. A refresh fetches
 * conditionally, parses, checks sanity (ranges_sanity: no empty set, no default
 * route, not one record repeated, no more space than a ceiling; and against the
 * last good snapshot, without --force: no shrink of more than 30% in records, no
 * growth of more than RANGES_MAX_GROWTH in claimed space) and only then replaces the last
 * good snapshot; anything else keeps the last good one and says so.
 */
#ifndef RESIDENCY_SNAPSHOT_H
#define RESIDENCY_SNAPSHOT_H

#include "core/rerr.h"
#include "ranges/fetch.h"
#include "ranges/ranges.h"

#include <stdbool.h>
#include <time.h>

#define SNAPSHOT_MAX_FILES 3
#define SNAPSHOT_URL_MAX 1024 /* bytes of a URL, NUL included; a longer one is refused */
#define SNAPSHOT_MAX_SHRINK 0.30

struct snapshot_file {
	char url[SNAPSHOT_URL_MAX];
	char etag[256];
	char last_modified[128];
};

struct snapshot_meta {
	char provider[32];
	time_t fetched_at; /* when these bytes were received */
	time_t checked_at; /* when the source last confirmed them (200 or 304) */
	char sha256[65];   /* over the files' bytes, in order */
	char version[128]; /* the provider's own */
	size_t count;	   /* prefix records, exact copies counted once */
	size_t invalid;	   /* geofeed rows skipped as invalid (0 for other formats) */
	struct snapshot_file files[SNAPSHOT_MAX_FILES];
	size_t nfiles;
};

/*
 * The SHA-256 (hex) that names a snapshot's bytes: one file, its own sha256sum;
 * several, SHA-256 over a digest record "file" per file, in order.
 */
void snapshot_sha256(const struct buf *const *files, size_t n, char out[65]);

/* The cache folder: $RESIDENCY_CACHE, else $XDG_CACHE_HOME/residency, else ~/.cache/residency. */
const char *snapshot_cache_dir(char *buf, size_t len);

/* Reads a provider's last good snapshot (meta, and the set when set is not NULL).
 * R_EIO with a clear message when there is none. */
enum rstatus snapshot_load(const char *cache, const char *provider, struct snapshot_meta *meta,
			   struct range_set *set, struct rerr *err);

struct refresh_result {
	bool changed;	     /* a new snapshot was accepted */
	bool kept_last_good; /* the refresh failed and the last good one stays in use */
	int tries;
	struct snapshot_meta meta; /* the snapshot in use after the call */
};

/*
 * Refreshes a provider from its URLs (one or more files). On failure the
 * last good snapshot stays and res->kept_last_good says whether there is one.
 */
enum rstatus snapshot_refresh(const char *cache, const char *provider, const char *const *urls,
			      size_t nurls, const struct fetch_opts *opts, bool force,
			      struct refresh_result *res, struct rerr *err);

#endif
