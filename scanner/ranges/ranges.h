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

/*
 * A geofeed file is refused when more than this percentage of its rows are
 * invalid (each invalid row is otherwise skipped with a warning; see geofeed.c).
 * A constant, not a setting: no configuration reaches the parsers, and a feed
 * more than 1% broken is a broken feed.
 */
#define RANGES_GEOFEED_MAX_INVALID_PCT 1u
/* Invalid rows warned about one by one per file; the rest are summed up in one line. */
#define GEOFEED_MAX_WARNINGS 10u

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
	size_t duplicates; /* records dropped by ranges_dedupe() as exact copies of earlier ones */
	size_t invalid;	   /* geofeed rows skipped as invalid (each warned about, file:line) */
	size_t rows;	   /* geofeed data rows seen, valid or not: invalid is judged against it */
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

/* How many files a provider publishes (its bundled snapshot's files). */
size_t range_provider_nfiles(const struct range_provider *p);
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
 * The address space a set claims, per family, with overlapping and repeated
 * prefixes merged (counted once): v4 in addresses, v6 in /64 networks (a prefix
 * longer than /64 counts as its whole /64, so the measure never undercounts).
 */
struct ranges_space {
	double v4; /* of 2^32 */
	double v6; /* of 2^64 */
};
void ranges_space(const struct range_set *s, struct ranges_space *out);

/*
 * Most address space one provider may claim, per family. Measured on the bundled
 * real files (ranges_space(), overlaps merged): the largest IPv4 claim is AWS's,
 * 94,988,347 addresses (a /5.5 worth; Azure a /6.5, Google a /7.9), and the
 * largest IPv6 claim is Akamai's, 1.1e12 /64s (a /24.0 worth; AWS a /27.8). The
 * ceilings: a /4 of IPv4 (1/16 of the space, 2.8x AWS) and a /16 of IPv6 (256x
 * Akamai). Far above any real provider, far below "the internet in pieces".
 */
#define RANGES_MAX_V4_SPACE_LEN 4  /* at most a /4 worth of IPv4 */
#define RANGES_MAX_V6_SPACE_LEN 16 /* at most a /16 worth of IPv6 */

/*
 * A new snapshot may claim at most this many times the space of the last good
 * one, per family (--force accepts more), unless the growth is small in
 * absolute terms: at most a /16 of IPv4 or a /32 of IPv6 more is always fine,
 * so a provider with a handful of prefixes may add one.
 */
#define RANGES_MAX_GROWTH 2.0
#define RANGES_GROWTH_FREE_V4_LEN 16
#define RANGES_GROWTH_FREE_V6_LEN 32

/*
 * Drops records that are exact copies of an earlier record (same prefix and
 * every field), keeping the first of each and the order; counts them in
 * s->duplicates. Returns how many were dropped by this call.
 */
size_t ranges_dedupe(struct range_set *s);

/*
 * Sanity before a snapshot is accepted. Dedupes s first (ranges_dedupe), then:
 * at least one prefix; no default route (0.0.0.0/0, ::/0) — a file claiming the
 * whole internet is broken; not every record a copy of one (a feed of one prefix
 * repeated); and no more address space per family than RANGES_MAX_V*_SPACE_LEN,
 * measured with ranges_space() so two halves of the internet are caught too.
 */
enum rstatus ranges_sanity(struct range_set *s, const char *source_name, struct rerr *err);

/*
 * The growth rule against the last good snapshot: R_EINPUT naming the provider
 * and both sizes when neu claims more than RANGES_MAX_GROWTH times old's space
 * in a family (beyond the free allowance above).
 */
enum rstatus ranges_growth(const struct range_set *old, const struct range_set *neu,
			   const char *source_name, struct rerr *err);

/* Reads and parses one file (a path, or a file:// URL). */
enum rstatus ranges_load_file(const char *provider, const char *path, struct range_set *out,
			      struct rerr *err);
/* Loads the bundled snapshot(s) of a provider (all its files) from data/ranges/. */
enum rstatus ranges_load_bundled(const char *provider, struct range_set *out, struct rerr *err);

#endif
