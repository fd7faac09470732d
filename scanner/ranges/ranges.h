/*
 * ranges: providers' published IP ranges, one parser per format family behind
 * one interface (curl's vtls shape): ranges.c dispatches by provider, aws.c,
 * gcp.c, azure.c, oracle.c, github.c, fastly.c, cidrlist.c and geofeed.c each
 * know one format. Every record becomes a range_entry; nothing is dropped
 * silently: a record that does not parse fails the whole file, naming it.
 *
 * Pipeline: fetched or bundled bytes -> ranges/ -> attrib/. Knows nothing of
 * attribution precedence or countries of regions (attrib/ does).
 */
#ifndef RESIDENCY_RANGES_H
#define RESIDENCY_RANGES_H

#include "core/addr.h"
#include "core/rerr.h"

#include <stdbool.h>
#include <stddef.h>

/* Most bytes one range file may have, and most records: over is an error. */
#define RANGES_MAX_BYTES (64u * 1024 * 1024)
#define RANGES_MAX_RECORDS 2000000u

enum range_kind {
	RANGE_PROVIDER, /* the provider's own range file: region -> country via a table */
	RANGE_GEOFEED,	/* RFC 8805 geofeed: the country is in the record */
};

struct range_entry {
	struct prefix prefix;
	char region[48];       /* provider region, geofeed subdivision (US-NJ); "" when none */
	char border_group[48]; /* AWS network border group; "" otherwise */
	char service[64];      /* service, tag or list name; "" when none */
	char country[3];       /* geofeeds only */
	bool global;	       /* anycast or GLOBAL scope: no country */
};

struct range_set {
	char provider[32];
	enum range_kind kind;
	char version[128]; /* the provider's own: syncToken, createDate, changeNumber, ... */
	struct range_entry *v;
	size_t n, cap;
	size_t nv4, nv6;
};

/* One provider the project knows: its format and bundled files. */
struct range_provider {
	const char *name;
	const char
	    *format; /* aws gcp azure oracle github fastly cidrlist geofeed-csv geofeed-json */
	const char *files[3]; /* bundled snapshots under data/ranges/, NULL-terminated */
	const char *urls[3];  /* official URLs, same order as files */
	bool anycast;	      /* every prefix is global (Cloudflare, Fastly) */
};

/* The known providers, ended by a NULL name. */
extern const struct range_provider range_providers[];
const struct range_provider *ranges_provider(const char *name);

void range_set_init(struct range_set *s, const char *provider);
/* Frees the entries; safe on NULL or a zeroed set. */
void range_set_free(struct range_set *s);

/*
 * Parses one file of a provider's format and APPENDS its records to out
 * (a provider may publish several files, such as Cloudflare's v4 and v6).
 * source_name (file or URL) names errors. On error out may hold the records of
 * earlier files only; the caller discards it.
 */
enum rstatus ranges_parse(const char *provider, const char *data, size_t len,
			  const char *source_name, struct range_set *out, struct rerr *err);

/* Appends one record; the prefix text is parsed here so every source reports alike. */
enum rstatus ranges_add(struct range_set *s, const char *prefix_text, const char *region,
			const char *border_group, const char *service, const char *country,
			bool global, const char *source, const char *record, struct rerr *err);

/*
 * Sanity before a snapshot is accepted: at least one prefix, and no default
 * route (0.0.0.0/0, ::/0) — a file claiming the whole internet is broken.
 */
enum rstatus ranges_sanity(const struct range_set *s, const char *source_name, struct rerr *err);

/* Reads and parses one file (a path, or a file:// URL). */
enum rstatus ranges_load_file(const char *provider, const char *path, struct range_set *out,
			      struct rerr *err);
/* Loads the bundled snapshot(s) of a provider (all its files) from data/ranges/. */
enum rstatus ranges_load_bundled(const char *provider, struct range_set *out, struct rerr *err);

#endif
