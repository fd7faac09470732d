/*
 * internal: the dns object as dns.c and path.c share it, for those two files
 * only (not a public interface: the rest of residency sees dns.h). dns.c owns
 * the object, its answer log and interned strings; path.c builds paths with
 * them and keeps the name-server memo. Nothing outside dns/ includes this.
 */
#ifndef RESIDENCY_DNS_INTERNAL_H
#define RESIDENCY_DNS_INTERNAL_H

#include "dns/dns.h"
#include "dns/live.h"
#include "dns/zone.h"
#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Interned strings: names, answer data and resolvers repeat across paths. Each
 * slot keeps the string's hash, so a probe reads a string only on a match. */
struct strset {
	struct sslot {
		char *s; /* NULL: empty */
		uint32_t h;
		uint32_t memo; /* a zone's: its name server part in dns.memo, + 1; 0: none */
	} * v;
	size_t n, cap; /* open addressing, cap a power of two */
};

struct dns {
	struct zonedb *zones;
	struct live *live; /* NULL with --offline */
	struct dns_answer *answers;
	size_t nanswers, capanswers;
	struct strset strs;
	struct buf scratch;
	const char *last_file, *last_resolver; /* the interned resolver of the last answer */
	bool last_from_zone;
	size_t max_answers; /* DNS_MAX_ANSWERS unless set lower (tests) */
	size_t oom;	    /* times memory ran out while building paths (grows only) */
	/* Each distinct answer is logged once: (name, type) -> its index, open
	 * addressing keyed by the address of the name's one interned copy, and
	 * which answer it was (the live cache's serial: one asked again after the
	 * cache evicted it is another answer, logged again). */
	struct seen {
		const char *name;
		uint16_t type;
		uint32_t index, serial;
	} * seen;
	size_t nseen, capseen;
	/* The name server part of a path, once per zone: every endpoint of a zone
	 * has the same NS elements with the same addresses and answers, so a path
	 * copies them instead of asking again. Made only from answers all known
	 * (never from pending ones); forgotten with the answer log. */
	struct nsmemo {
		const char *zone;	 /* interned apex (its string's slot points here) */
		struct path_elem *elems; /* parent: -1 for the zone's element, else index here */
		size_t n;
		enum dns_status first_fail; /* what the part makes the path's status; OK: none */
	} * memo;
	size_t nmemo, capmemo;
	size_t add_failures; /* elements add() could not add, ever */
};

/* The slot of the one stored copy of s (made when missing); NULL when out of
 * memory. Good until the next call. */
struct sslot *dns_intern_slot(struct strset *t, const char *s);
/* The answer's index in the log (logged now when new); -1 past a bound, -2 out of memory. */
int dns_log_answer(struct dns *d, const char *name, uint16_t type, struct zone_answer *ans,
		   bool from_zone);
/* Forgets the name-server memo (path.c's), freeing its elements. */
void dns_memo_clear(struct dns *d);

#endif
