/*
 * config: the deployment's configuration file (JSON), one table of keys with
 * type, bounds and default (pgbouncer's CF_ABS table, redis' createIntConfig).
 * Paths are relative to the configuration file's folder. Errors name file:line.
 * Fills one struct config that is passed explicitly, never read from globals.
 */
#ifndef RESIDENCY_CONFIG_H
#define RESIDENCY_CONFIG_H

#include "core/rerr.h"

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MAX_LIST 256

struct config {
	char *file;
	char *database; /* libpq connection string; NULL: PG* variables */
	char *estate;	/* required */
	char *policies; /* NULL: the bundled policies/ */
	char *zones[CONFIG_MAX_LIST];
	size_t nzones;
	char *resolvers[CONFIG_MAX_LIST]; /* "ADDR[:PORT]" each; none: the system's */
	size_t nresolvers;
	bool offline;
	char *range_providers[CONFIG_MAX_LIST]; /* "ranges": {"aws": "https://...", ...} */
	char *range_urls[CONFIG_MAX_LIST];
	size_t nranges;
	char *geoip;				    /* NULL: bundled */
	char *cache;				    /* NULL: default cache folder */
	long long max_age;			    /* seconds; range snapshots older are stale */
	char *scan_every, *scan_jitter, *scan_cron; /* "schedule" */
	char *ranges_every;			    /* "ranges_refresh" */
	char *webhook;
	char *signing_key; /* NULL: scan links are not signed */
	char *text;	   /* the file as it was read and checked: what a scan records */
};

/* Reads and validates a configuration file. Caller frees with config_free(). */
enum rstatus config_load(const char *path, struct config **out, struct rerr *err);
/* Safe to call with NULL. */
void config_free(struct config *c);

#endif
