/*
 * geoip: a country database in MaxMind DB format through libmaxminddb. Reads
 * "country_code" (ip-location-db) or "country"/"iso_code" (MaxMind's layout).
 */
#ifndef RESIDENCY_GEOIP_H
#define RESIDENCY_GEOIP_H

#include "core/addr.h"
#include "core/rerr.h"

struct geoip;

/* Caller frees with geoip_free(). Errors name the file. */
enum rstatus geoip_open(const char *path, struct geoip **out, struct rerr *err);
/* Safe to call with NULL. */
void geoip_free(struct geoip *g);
/* Writes the country (2 letters) or "" when the database has none for a. */
void geoip_country(const struct geoip *g, const struct addr *a, char cc[3]);
unsigned long long geoip_epoch(const struct geoip *g);
const char *geoip_path(const struct geoip *g);

#endif
