/*
 * regions: the shipped region -> country tables (policies/regions/<provider>.csv),
 * one row per region or AWS network border group, each file with its sources.
 */
#ifndef RESIDENCY_REGIONS_H
#define RESIDENCY_REGIONS_H

#include "core/rerr.h"

struct regions;

/*
 * Loads every policies/regions/<provider>.csv that exists for the providers of
 * the project (dir NULL: the bundled folder). Errors name file:line. Caller
 * frees with regions_free().
 */
enum rstatus regions_load(const char *dir, struct regions **out, struct rerr *err);
/* Safe to call with NULL. */
void regions_free(struct regions *r);
/* The country of a provider's region, or NULL when the table has no row for it. */
const char *regions_country(const struct regions *r, const char *provider, const char *region);

#endif
