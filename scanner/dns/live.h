/*
 * live: questions to real resolvers through c-ares, answers parsed with ldns
 * so that rcode and every record survive. Answers are cached per name and type
 * for the life of the dns object (names shared by many endpoints are asked
 * once); every record stays owned by the cache. c-ares status codes become
 * dns_status here only.
 */
#ifndef RESIDENCY_LIVE_H
#define RESIDENCY_LIVE_H

#include "dns/dns.h"
#include "dns/zone.h"

struct live;

/* resolvers: "ADDR[:PORT]" each (none: the system's). */
enum rstatus live_new(const char **resolvers, size_t n, int timeout_ms, int tries,
		      struct live **out, struct rerr *err);
/* Safe to call with NULL. */
void live_free(struct live *l);
/* Answers one question (from the cache when asked before). ans->rr points into the cache. */
void live_query(struct live *l, const char *name, uint16_t type, struct zone_answer *ans);
/* The apex of the zone holding name, found with SOA questions; NULL when unknown. */
const char *live_zone_of(struct live *l, const char *name);
const char *live_resolvers(const struct live *l);
/* Questions sent to resolvers, and how many got any answer at all. */
void live_counts(const struct live *l, size_t *asked, size_t *answered);

#endif
