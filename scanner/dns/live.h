/*
 * live: questions to real resolvers through c-ares, answers parsed with ldns
 * so that rcode and every record survive. Answers are cached per name and type
 * (names shared by many endpoints are asked once), at most a bound of them
 * after each live_trim(): the least recently used go, and one needed again is
 * asked again (and counted). Every record stays owned by the cache: what it
 * lends is good until the next live_trim(). c-ares status codes become
 * dns_status here only.
 */
#ifndef RESIDENCY_LIVE_H
#define RESIDENCY_LIVE_H

#include "dns/dns.h"
#include "dns/zone.h"

struct live;

/* resolvers: "ADDR[:PORT]" each (none: the system's). */
enum rstatus live_new(const char **resolvers, size_t n, int timeout_ms, int tries, int max_inflight,
		      struct live **out, struct rerr *err);
/* Safe to call with NULL. */
void live_free(struct live *l);
/* From now on live_flush() gives up on what is unanswered once *stop is set. */
void live_set_stop(struct live *l, const volatile sig_atomic_t *stop);
/*
 * Answers one question (from the cache when asked before). ans->rr points into
 * the cache. In batch mode an answer not yet known is queued and ans->pending
 * is set instead of waiting.
 */
void live_query(struct live *l, const char *name, uint16_t type, struct zone_answer *ans);
/*
 * The apex of the zone holding name, found with SOA questions; NULL when
 * unknown, with *why saying why: the SOA question's failure (timeout,
 * SERVFAIL, ...), DNS_ERROR when no answer named an apex (or out of memory),
 * or DNS_OK when its answer is not known yet (batch mode: ask again later).
 */
const char *live_zone_of(struct live *l, const char *name, enum dns_status *why);
/*
 * Evicts the least recently used answers until at most the bound (default
 * 50,000; live_set_max_entries()) are cached. Everything the cache lent before
 * (records, names, texts) may be gone after it: call it only between batches
 * of paths, once they keep copies of what they use.
 */
void live_trim(struct live *l);
/* Marks the answer to (name, type), if cached, as used now: for answers used
 * through a copy (the name-server part a path copies from another). */
void live_touch(struct live *l, const char *name, uint16_t type);
/* The bound of live_trim(); 0: the default. */
void live_set_max_entries(struct live *l, size_t max);
/* Answers cached now, evicted so far, and questions asked again after their
 * answer was evicted. */
void live_cache_stats(const struct live *l, size_t *cached, size_t *evicted, size_t *reasked);
/* A bound on the records kept lower than LIVE_MAX_RECORDS (tests reach it). */
void live_set_max_records(struct live *l, size_t max);
const char *live_resolvers(const struct live *l);
/* Batch mode on or off (off: every question is waited for). */
void live_batch(struct live *l, bool on);
/* Sends every queued question (at most the window in flight) and waits for all. */
void live_flush(struct live *l);
/* Batch mode: how many times an answer was needed and not yet known (grows only). */
size_t live_pending_hits(const struct live *l);
/* Questions queued and not yet sent. */
size_t live_queued(const struct live *l);
/* Takes a raw DNS message as the answer to (name, type), as if received (fuzzing, tests). */
void live_inject(struct live *l, const char *name, uint16_t type, const unsigned char *buf,
		 size_t len);
/* Questions sent to resolvers, and how many got any answer at all. */
void live_counts(const struct live *l, size_t *asked, size_t *answered);
/* Questions that needed a retry, and the in-flight window now. */
void live_stats(const struct live *l, size_t *retried, int *window);

#endif
