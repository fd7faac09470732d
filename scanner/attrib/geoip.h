/*
 * geoip: a country database in MaxMind DB format through libmaxminddb. Reads
 * "country_code" (ip-location-db) or "country"/"iso_code" (MaxMind's layout).
 *
 * geoip_flatten() turns the database into two sorted range tables (IPv4 and
 * IPv6 start address -> country), walked once from libmaxminddb's own search
 * tree and kept in the cache folder, so a lookup is a binary search instead of
 * a walk of up to 128 tree nodes. Its answers are libmaxminddb's, address for
 * address; a database it cannot flatten is simply read through libmaxminddb.
 */
#ifndef RESIDENCY_GEOIP_H
#define RESIDENCY_GEOIP_H

#include "core/addr.h"
#include "core/rerr.h"

#include <stdbool.h>
#include <stddef.h>

struct geoip;

/* Caller frees with geoip_free(). Errors name the file. */
enum rstatus geoip_open(const char *path, struct geoip **out, struct rerr *err);
/* Safe to call with NULL. */
void geoip_free(struct geoip *g);
/*
 * Answers from the flat tables from now on: mapped from cache_dir when a table
 * of this file (path, size, modification time) is there, else built from the
 * search tree and saved there (cache_dir NULL: built, not saved). Returns false
 * (and lookups keep using libmaxminddb) when the tree cannot be flattened.
 */
bool geoip_flatten(struct geoip *g, const char *cache_dir);
bool geoip_is_flat(const struct geoip *g);
/* Writes the country (2 letters) or "" when the database has none for a. */
void geoip_country(const struct geoip *g, const struct addr *a, char cc[3]);
/* The same, from libmaxminddb whether or not the database is flattened. */
void geoip_country_mmdb(const struct geoip *g, const struct addr *a, char cc[3]);
unsigned long long geoip_epoch(const struct geoip *g);
const char *geoip_path(const struct geoip *g);

#endif
