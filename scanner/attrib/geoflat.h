/*
 * geoflat: a country database flattened into two sorted range tables, IPv4 and
 * IPv6 (start address -> country), searched like the prefix table: a 2^16
 * index on the top bits of IPv4, then a binary search. geoip.c builds one by
 * walking libmaxminddb's search tree and keeps it in the cache folder; this
 * module only lays the tables out as bytes and reads them back, checking every
 * bound first (a cache file is outside data).
 */
#ifndef RESIDENCY_GEOFLAT_H
#define RESIDENCY_GEOFLAT_H

#include "core/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GEOFLAT_MAX_RANGES (1u << 25) /* a country database has about a million */

/* One range as the builder gives it: a start (IPv4 in the low 32 bits of lo)
 * and the country's two bytes, first in the low byte; 0 for none. */
struct geoflat_range {
	uint64_t hi, lo;
	uint16_t cc;
};

struct geoflat;

/*
 * Lays out the tables (each sorted, starting at address 0, at most
 * GEOFLAT_MAX_RANGES) as one malloc'd block under key; NULL when out of memory.
 * Caller frees the block with free() after geoflat_free() of every table on it.
 */
void *geoflat_pack(const char *key, const struct geoflat_range *v4, size_t n4,
		   const struct geoflat_range *v6, size_t n6, size_t *len);
/*
 * Uses a block in place (it must stay valid, 8-byte aligned, until
 * geoflat_free()). NULL when it is malformed, or its key is not key (NULL:
 * any key), or out of memory.
 */
struct geoflat *geoflat_open(const void *data, size_t len, const char *key);
/* Safe to call with NULL. */
void geoflat_free(struct geoflat *f);
/* The country of a (family 4 or 6), "" for none. */
void geoflat_country(const struct geoflat *f, const struct addr *a, char cc[3]);

#endif
