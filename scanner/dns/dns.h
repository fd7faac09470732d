/*
 * dns: the data path of a name. Follows the CNAME chain hop by hop, every A and
 * AAAA at its end, the authoritative name servers of each name on the chain
 * (zone cuts found with SOA/NS) and their addresses, and MX hosts with their
 * addresses when asked. Answers come from loaded zones (ldns) and/or live
 * resolvers (c-ares); every answer is kept. A name that cannot be resolved has a
 * status saying why; it is never dropped and never a pass.
 *
 * Pipeline: dns/ -> path -> policy/ judge. dns/ knows nothing of attrib/.
 */
#ifndef RESIDENCY_DNS_H
#define RESIDENCY_DNS_H

#include "core/addr.h"
#include "core/rerr.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum dns_status {
	DNS_OK = 0,   /* answered with data */
	DNS_NODATA,   /* the name exists, no record of the type asked */
	DNS_NXDOMAIN, /* the name does not exist */
	DNS_SERVFAIL,
	DNS_REFUSED,
	DNS_TIMEOUT, /* no resolver answered in time */
	DNS_LOOP,    /* CNAME loop */
	DNS_TOOLONG, /* CNAME chain over 16 hops */
	DNS_NOZONE,  /* --offline and no loaded zone covers the name */
	DNS_ERROR,   /* anything else (malformed answer, FORMERR, ...) */
	/* A path larger than residency's bounds (PATH_MAX_ELEMS elements, or a live
	 * answer the cache could not keep whole): what lies beyond was not checked. */
	DNS_TOOBIG,
	/* A host with addresses of one family whose other address question got no
	 * answer (timeout, SERVFAIL, ...): the addresses it has are not all of them. */
	DNS_INCOMPLETE,
};
#define DNS_STATUS_LAST DNS_INCOMPLETE
/* Elements one path may hold; more is DNS_TOOBIG on the element that could not
 * grow (a live answer holds at most about 4,000 addresses; a zone file more). */
#define PATH_MAX_ELEMS 65536
/* CNAME hops followed from an endpoint; more is DNS_TOOLONG, a finding. */
#define PATH_MAX_HOPS 16
const char *dns_status_name(enum dns_status s); /* "ok", "nodata", "nxdomain", ... "too_big" */

enum path_kind {
	PATH_NAME,    /* the endpoint or a name on its CNAME chain */
	PATH_ADDRESS, /* an A/AAAA address of its parent element */
	PATH_NS,      /* a name server (host name) of the zone of its parent name */
	PATH_MX,      /* a mail host of its parent name */
};
const char *path_kind_name(enum path_kind k); /* "name", "address", "ns", "mx" */

struct path_elem {
	enum path_kind kind;
	const char *name;	/* NAME/NS/MX: the host name; ADDRESS: the name that has it */
	struct addr addr;	/* ADDRESS only */
	enum dns_status status; /* how the lookup of this element ended */
	int parent;		/* index of the element it was reached from; -1 for the root */
	const char *zone;	/* NS: the zone this server is authoritative for; else "" */
	int answer; /* index in dns_answers() of the answer that gave it; -1 when none */
};

/* The data path of one endpoint (or one mail domain): elems[0] is the root name. */
struct path {
	char root[256];
	/* DNS_OK when every element resolved, else the first failure; DNS_TOOBIG
	 * whenever a bound cut the path, whatever failed first. */
	enum dns_status status;
	struct path_elem *elems;
	size_t n, cap;
};

/* Element names and zones are owned by the dns object that built the path and
 * valid until dns_forget_answers() or dns_free(); zones are interned (one copy per zone), names not
 * always (compare them with strcmp). */

/* Frees what a path holds (not the struct itself). Safe to call with NULL. */
void path_clear(struct path *p);

struct dns_options {
	const char **resolvers; /* "ADDR[:PORT]" each; none: the system's */
	size_t nresolvers;
	const char **zone_files; /* RFC 1035 master files, answered from memory */
	size_t nzone_files;
	const char **axfr; /* "ZONE@HOST[:PORT]" each */
	size_t naxfr;
	bool offline;	  /* no network at all; names no zone covers are DNS_NOZONE */
	int max_inflight; /* 0: default */
	int timeout_ms;	  /* per try; 0: default */
	int tries;	  /* 0: default */
	/* When *stop becomes non-zero (a signal handler sets it), questions not yet
	 * answered are abandoned as DNS_ERROR: the caller is stopping and throws
	 * the paths away. NULL: never. */
	const volatile sig_atomic_t *stop;
	/* Bounds lower than the defaults, so that tests reach them (0: the
	 * default): records of all loaded zones (ZONEDB_MAX_RECORDS), records of
	 * live answers kept (20,000,000), answers logged (50,000,000). */
	size_t max_zone_records, max_live_records, max_answers;
	/* Answers the live cache keeps between batches of paths (0: 50,000); the
	 * least recently used go, and are asked again when needed (issue 16). */
	size_t max_live_answers;
};

struct dns;

/* Loads zones and sets up resolvers. Caller frees with dns_free(). */
enum rstatus dns_new(const struct dns_options *opt, struct dns **out, struct rerr *err);
/* Safe to call with NULL. */
void dns_free(struct dns *d);

/*
 * Resolves the data paths of n names at once (shared names and answers asked
 * once). want_mx[i] (want_mx may be NULL) adds MX hosts of names[i].
 * paths is an array of n the caller provides and clears with path_clear().
 * A name that fails has its status set; the call fails (R_ENOMEM) only when
 * memory ran out while building, and the paths then must not be judged.
 */
enum rstatus dns_resolve_paths(struct dns *d, const char *const *names, const bool *want_mx,
			       size_t n, struct path *paths, struct rerr *err);

/* One answer as received (or, offline, as the loaded zone gives it). */
/* One answer as used. The strings are interned: owned by the dns object and
 * shared by equal answers, valid until dns_free(). */
struct dns_answer {
	const char *name;
	const char *type; /* "A", "AAAA", "CNAME", "NS", "MX", "SOA" */
	enum dns_status rcode;
	const char *data; /* the answer's records in presentation format, one per line; whole */
	unsigned ttl;
	const char *resolver; /* "zone:FILE" for loaded zones, else "ADDR:PORT" */
	struct timespec when;
};

/*
 * Questions sent to resolvers so far and how many any resolver answered; both
 * 0 offline. All asked and none answered means no resolver was reachable.
 */
void dns_live_counts(const struct dns *d, size_t *asked, size_t *answered);
/* Questions that needed a retry and the in-flight window now (0 offline). */
void dns_live_stats(const struct dns *d, size_t *retried, int *window);
/* Answers in the live cache now, evicted from it so far (least recently used
 * past its bound), and questions asked again because their answer had been
 * evicted (all 0 offline). */
void dns_live_cache(const struct dns *d, size_t *cached, size_t *evicted, size_t *reasked);

/* Every distinct answer given so far by this dns object (each (name, type) once,
 * however many paths used it, unless it was asked again after the live cache
 * evicted it: then each answer received), in order; valid until dns_free().
 * out may be NULL for the count alone. */
size_t dns_answers(const struct dns *d, const struct dns_answer **out);
/* Empties the answer log (the answers stay cached, up to the live cache's
 * bound) and the names and texts it and the paths held: clear every path
 * built before first (their element names go too). For callers that stream
 * paths out and keep no answer index. */
void dns_forget_answers(struct dns *d);
/* The dns object's one copy of s (valid until dns_free()); NULL when out of memory. */
const char *dns_intern(struct dns *d, const char *s);

/*
 * Names in the loaded zones matching a pattern ("*.pay.example.com" matches any
 * name below pay.example.com; a pattern with no '*' matches itself when present).
 * *out is a malloc'd array of malloc'd strings; free with dns_names_free().
 */
enum rstatus dns_zone_names(const struct dns *d, const char *pattern, char ***out, size_t *n,
			    struct rerr *err);
void dns_names_free(char **names, size_t n);

#endif
