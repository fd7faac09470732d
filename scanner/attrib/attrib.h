/*
 * attrib: who runs an address and where it is. The one place where source
 * precedence lives: the provider's own published ranges (region -> country by
 * the shipped tables) > a provider geofeed (RFC 8805) > the GeoIP country
 * database > unknown. What each source said is kept, so a disagreement is
 * evidence rather than noise.
 *
 * Before all of them: an address of the IANA special-purpose registries
 * (policies/special-purpose.csv: private use, documentation, loopback, ULA,
 * multicast, ...) is source "special", with the registry's name, and has no
 * country, no provider and no GeoIP answer, whatever a database says of it.
 * An address that embeds an IPv4 address (IPv4-mapped ::ffff:0:0/96, the NAT64
 * well-known prefix 64:ff9b::/96, 6to4 2002::/16) is attributed by the IPv4
 * address it embeds (which may itself be special): `addr` stays what was asked,
 * `embedded` and `embedded_via` say which address was looked up and why.
 *
 * Pipeline: ranges/ parses snapshots -> attrib/ builds one longest-prefix-match
 * structure over all of them -> policy/ judges. attrib/ knows nothing of dns/.
 */
#ifndef RESIDENCY_ATTRIB_H
#define RESIDENCY_ATTRIB_H

#include "core/addr.h"
#include "core/rerr.h"

#include <stdbool.h>
#include <stddef.h>

enum attr_source {
	ATTR_SRC_NONE = 0, /* nothing knew this address */
	ATTR_SRC_GEOIP,	   /* only the GeoIP country database */
	ATTR_SRC_GEOFEED,  /* a provider geofeed (digitalocean, linode, vultr) */
	ATTR_SRC_PROVIDER, /* a provider's own range file + region table */
	ATTR_SRC_SPECIAL,  /* an IANA special-purpose address: no country, no provider */
};

enum attr_scope {
	ATTR_SCOPE_NONE = 0, /* in no provider range */
	ATTR_SCOPE_REGIONAL, /* in a provider range with a region or a geofeed location */
	ATTR_SCOPE_GLOBAL, /* GLOBAL / anycast (CloudFront, Cloudflare, Fastly, ...): no country */
};

struct attribution {
	struct addr addr;
	char provider[32];     /* "aws", "gcp", ...; "" when in no provider range */
	char region[64];       /* provider's region id, "" when none */
	char border_group[64]; /* AWS network border group, "" otherwise */
	char services[512];    /* every service/tag of every matching prefix of the provider,
				  comma-separated */
	enum attr_scope scope;
	char country[3]; /* ISO 3166-1 alpha-2 by precedence; "" when unknown or global */
	enum attr_source source;
	char prefix[64];       /* most specific matching provider prefix, "" when none */
	char geoip_country[3]; /* what the GeoIP database said, "" when it had nothing */
	bool region_unmapped;  /* provider region with no row in the region table */
	bool disagreement;     /* provider/geofeed country differs from geoip_country */
	char special[64];      /* source special: the registry's name ("Private-Use"), else "" */
	char special_rfc[64];  /* source special: its RFC ("RFC 1918"), else "" */
	struct addr embedded;  /* the IPv4 address addr embeds and was attributed as; family 0
				  when it embeds none */
	char embedded_via[32]; /* how: "6to4", "IPv4-IPv6 Translat." (NAT64), "IPv4-mapped
				  Address"; "" when none */
};

/* provider | geofeed | geoip | special | none */
const char *attr_source_name(enum attr_source s);
const char *attr_scope_name(enum attr_scope s); /* regional | global | none */

struct attrib;

/* One range source: a provider name and a URL (file://, http://, https://). */
struct attrib_source {
	const char *provider;
	const char *url;
	/* http(s): the snapshot in use (the last good one when a refresh fails)
	 * must have been confirmed by its server within this many seconds, or the
	 * open fails with R_ESTALE (exit 4); 0: ATTRIB_DEFAULT_MAX_AGE. */
	long long max_age;
};
#define ATTRIB_DEFAULT_MAX_AGE (7LL * 86400)

/*
 * Loads range sources (n == 0: the bundled snapshots under paths_datadir()) and
 * a GeoIP database (NULL: the bundled country database). A source that does not
 * load is an error naming it. Caller frees with attrib_free().
 */
enum rstatus attrib_open(const struct attrib_source *sources, size_t n, const char *geoip_path,
			 struct attrib **out, struct rerr *err);
/* Safe to call with NULL. */
void attrib_free(struct attrib *a);
/* Attributes one address; never fails for a valid address (unknown is a value). */
void attrib_lookup(const struct attrib *a, const struct addr *addr, struct attribution *out);
/*
 * attrib_lookup in three steps, for callers that attribute many addresses and
 * keep what a prefix-table node says: the node of an address (-1: in no
 * prefix, and for every special-purpose address; an address that embeds IPv4:
 * the node of that IPv4 address); what the node's prefixes say, without GeoIP
 * (returns true when the answer is anycast: GeoIP never fills its country);
 * then GeoIP's answer, the country fallback and the disagreement flag, and the
 * special-purpose answer, which replaces everything else (attrib_finish takes
 * the address asked: it decides special-ness and embedding, so the three steps
 * always give what attrib_lookup gives).
 *
 * A caller that reuses the answer of one node for other addresses of that node
 * must first ask attrib_indirect(): for a special-purpose address, or one that
 * embeds IPv4, the node and GeoIP country alone do not make the answer, and
 * attrib_lookup() is the way.
 */
bool attrib_indirect(const struct attrib *a, const struct addr *addr);
int32_t attrib_locate(const struct attrib *a, const struct addr *addr);
size_t attrib_nodes(const struct attrib *a);
bool attrib_of_node(const struct attrib *a, int32_t node, struct attribution *out);
void attrib_finish(const struct attrib *a, const struct addr *addr, bool global,
		   struct attribution *out);
/* GeoIP's country for an address ("" when none, and for every special-purpose address;
 * for one that embeds IPv4, that address's). */
void attrib_geoip(const struct attrib *a, const struct addr *addr, char cc[3]);
/*
 * attrib_locate() and attrib_geoip() for addrs[0..n) into nodes[0..n) and
 * cc[0..n) (family 0: node -1 and ""; special and embedding as there). Faster than one by one
 * between other work: the lookups' memory accesses overlap.
 */
void attrib_locate_many(const struct attrib *a, const struct addr *addrs, size_t n, int32_t *nodes,
			char (*cc)[3]);

/* The special-purpose table's file as read (policies/special-purpose.csv), for
 * the evidence of what a scan was judged against; valid as long as a. */
const char *attrib_special_table(const struct attrib *a);
/* The GeoIP database's build epoch (seconds), 0 when none is loaded. */
unsigned long long attrib_geoip_epoch(const struct attrib *a);
/* Whether the prefix table was mapped from the cache rather than built (for tests). */
bool attrib_table_cached(const struct attrib *a);

/*
 * What an attrib was built from, so that a stored scan can say which data it
 * was judged against: one entry per provider range set, then one for the
 * GeoIP database when one is loaded.
 */
#define ATTRIB_MAX_FILES 3
struct attrib_source_info {
	char name[32];	    /* provider, or "geoip" */
	const char *kind;   /* "provider" | "geofeed" | "geoip" */
	const char *origin; /* "bundled" (under the data folder) | "file" | "fetched" (cache) */
	char version[200];  /* the provider's own; for GeoIP its build time */
	size_t records;	    /* prefixes; 0 for GeoIP */
	char sha256[65];    /* known for fetched snapshots; "" until attrib_source_sha256() */
	char files[ATTRIB_MAX_FILES][1024]; /* bundled: relative to the data folder; else
					       the paths or URLs given, in order */
	size_t nfiles;
};
/* The sources, in a fixed order; valid as long as a. */
size_t attrib_sources(const struct attrib *a, const struct attrib_source_info **out);
/*
 * SHA-256 (hex) of the bytes a source was read from, by the rule of
 * range_snapshots.sha256 (one file: its sha256sum; several: see
 * snapshot_sha256()), so a scan's source and a stored snapshot of the same bytes
 * compare equal. Reads the files again: meant for `scan`, not for every lookup.
 */
enum rstatus attrib_source_sha256(const struct attrib_source_info *s, char out[65],
				  struct rerr *err);

#endif
