/*
 * zone: RFC 1035 master files read with ldns, held in memory, and answered the
 * way an authoritative server would: CNAME, NODATA versus NXDOMAIN (empty
 * non-terminals exist), wildcards, and delegations to zones we do not hold.
 * A file that does not load is an error naming file:line; nothing of it stays.
 */
#ifndef RESIDENCY_ZONE_H
#define RESIDENCY_ZONE_H

#include "core/addr.h"
#include "core/rerr.h"
#include "dns/dns.h"

#include <stdint.h>
#include <stdio.h>

/* Most records across all loaded zones, and most zones. */
#define ZONEDB_MAX_RECORDS 4000000u
#define ZONEDB_MAX_ZONES 10000u

struct zonedb;

/* One record of an answer. */
struct zone_rr {
	const char *owner; /* canonical: lower case, ending in '.' */
	uint16_t type;	   /* LDNS_RR_TYPE_* */
	uint32_t ttl;
	struct addr addr;   /* A, AAAA */
	const char *target; /* CNAME, NS, MX exchange */
	uint16_t pref;	    /* MX */
	const char *text;   /* the whole record in presentation format */
};

struct zone_answer {
	enum dns_status rcode;	   /* DNS_OK, DNS_NODATA, DNS_NXDOMAIN, DNS_NOZONE */
	const struct zone_rr **rr; /* the RRset (or the CNAME); owned by the answer */
	size_t n, cap;
	const char *zone; /* apex of the zone that answered */
	const char *file; /* its file */
	bool cname;	  /* the answer is a CNAME to follow */
	bool pending;	  /* live, batch mode: asked, not answered yet */
	bool borrowed;	  /* rr is lent by the live cache, not owned */
	/* live only (NULL/0 from zones): the records as text, one per line, the name
	 * asked, and when the answer came; owned by the live cache. */
	const char *data, *asked;
	struct timespec when;
	unsigned ttl;
	/* live only (0 from zones): which answer this is; an answer asked again
	 * after the cache evicted it has another */
	uint32_t serial;
};

struct zonedb *zonedb_new(void);
/* A bound on the records of all zones lower than ZONEDB_MAX_RECORDS (tests reach it). */
void zonedb_set_max_records(struct zonedb *db, size_t max);
/* Safe to call with NULL. */
void zonedb_free(struct zonedb *db);
/* Loads one master file. On error nothing of the file is kept. */
enum rstatus zonedb_load(struct zonedb *db, const char *path, struct rerr *err);
/* The same from an open stream; path only names errors. */
enum rstatus zonedb_load_fp(struct zonedb *db, FILE *f, const char *path, struct rerr *err);
/* Pulls a zone by AXFR from "ZONE@HOST[:PORT]"; a refused transfer is an error naming both. */
enum rstatus zonedb_axfr(struct zonedb *db, const char *spec, struct rerr *err);
/* Makes the loaded records searchable; call once after the last load. */
enum rstatus zonedb_seal(struct zonedb *db, struct rerr *err);
size_t zonedb_records(const struct zonedb *db);

/* Canonical form of a name (lower case, trailing dot) into buf; false if too long or empty. */
bool zone_canon(const char *name, char *buf, size_t len);

/* Answers one question. Frees nothing; call zone_answer_clear() after. */
void zonedb_query(const struct zonedb *db, const char *name, uint16_t type,
		  struct zone_answer *ans);
void zone_answer_clear(struct zone_answer *ans);
/* The apex of the loaded zone holding name (longest match), or NULL. */
const char *zonedb_zone_of(const struct zonedb *db, const char *name, const char **file);

/* Calls fn for every owner name holding A, AAAA or CNAME records (no wildcards). */
void zonedb_names(const struct zonedb *db, void (*fn)(void *ctx, const char *name), void *ctx);

#endif
