/*
 * livecache: the answers live.c received, cached per name and type, for
 * live.c only (not a public interface). Entries sit in a dense array behind an
 * open-addressing index and a list by least recent use; livecache_trim()
 * evicts the least recently used down to a bound, and remembers what it
 * evicted (ghosts) so that a question asked again is counted. The records and
 * strings of an answer live in reference-counted blocks shared by the entries
 * it filled. It never asks a resolver and never parses a message: live.c does.
 */
#ifndef RESIDENCY_LIVECACHE_H
#define RESIDENCY_LIVECACHE_H

#include "dns/dns.h"
#include "dns/zone.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define LIVE_MAX_RECORDS 20000000u
/* Answers cached between calls of live_trim() by default: about 750 bytes
 * each with their records and index, so under 40 MB (issue 16: a million
 * endpoints in 300 MiB; `resolve` of 400,000 names peaks at 108 MiB). */
#define LIVE_DEFAULT_ENTRIES 50000u

/*
 * The memory of one answer received: its records and strings, in chunks. The
 * entries it filled (the name asked, and the later owners of a chain it
 * carried) share it; it is freed with the last of them (refs).
 */
struct ablock {
	struct ablock *more; /* further chunks, newest first */
	char *cur;
	size_t left;
	uint32_t refs, nrecs; /* in the first chunk */
};

/* An entry's strings (apex, data) and records live in its block; its key is
 * its own. All are lent out until the entry is evicted (live_trim()). */
struct centry {
	char *key; /* "TYPE name"; NULL: a free entry */
	uint32_t hash;
	uint32_t gen;	     /* the answer that made it, for owners filled from another's answer */
	uint32_t serial;     /* this fill of the entry: a new one when asked again */
	uint32_t prev, next; /* the LRU list (entry numbers from 1; 0: none); next: free list */
	struct ablock *blk;
	enum dns_status rcode;
	bool cname;
	bool pending; /* queued or in flight */
	const struct zone_rr **rr;
	size_t n;
	char *soa_owner;      /* zone apex named by an SOA (or the NS of a positive answer) */
	char *data;	      /* the records as text, one per line; made on first use */
	unsigned ttl;	      /* the least TTL of the records */
	struct timespec when; /* when the answer came */
};

struct livecache {
	struct ablock *blk; /* the block of the answer being absorbed */
	size_t nrecs;	    /* records held by all blocks */
	size_t max_records; /* LIVE_MAX_RECORDS unless set lower (tests) */
	/* Bounded by least recent use: at most max_entries once livecache_trim()
	 * ran. lru_head is the entry used last; evicted entries go on the free
	 * list; ghosts are the 64-bit hashes of keys evicted, so that a question
	 * asked again is counted (reasked). */
	size_t max_entries, nlive, evicted, reasked;
	uint32_t lru_head, lru_tail, free_head;
	uint64_t *ghost;
	size_t nghost, capghost;
	/* The cache: entries in a dense array, found through an open-addressing
	 * index with a power-of-two size, at most half full. A slot holds the
	 * entry's hash (high 32 bits) and its number from 1 (low; 0: empty), so
	 * that a probe touches an entry only when the hashes agree. */
	struct centry *ents;
	size_t nents, capents;
	uint64_t *index;
	/* Entries found lately, by the low bits of their hash (entry number + 1;
	 * 0: none): a path asks about the same few names several times in a row,
	 * and these are found without the index. */
	uint32_t recent[16];
	size_t capindex;
};

/* An empty cache in c (zeroed by the caller); false when out of memory
 * (livecache_free() then releases what was made). */
bool livecache_init(struct livecache *c);
/* Frees every entry and block; c itself is the caller's. */
void livecache_free(struct livecache *c);
/* The cache key of (type, name): "TYPE name", as snprintf "%u %s" writes it. */
void livecache_key(char *key, size_t size, uint16_t type, const char *name);
/* The entry of key, or NULL (found false) when there is none; found: now the
 * most recently used. */
struct centry *livecache_find(struct livecache *c, const char *key, bool *found);
/* The cache entry of key, made when missing; NULL when out of memory. Entries
 * may move: pointers to entries are good until the next one is made. */
struct centry *livecache_entry(struct livecache *c, const char *key, bool *found);
/* A key not found: counted (reasked) when it was evicted before. */
void livecache_missed(struct livecache *c, const char *key);
/* Evicts the least recently used answers (never a pending one) down to max_entries. */
void livecache_trim(struct livecache *c);
/* The bound of livecache_trim(); 0: the default. */
void livecache_set_max_entries(struct livecache *c, size_t max);
/* A block of size bytes with no holder; NULL when out of memory. */
struct ablock *livecache_block_new(size_t size);
/* Drops one entry's hold on b, freeing it with the last. Safe with NULL. */
void livecache_block_release(struct livecache *c, struct ablock *b);
/* n bytes of the block being filled (c->blk), 8-aligned; NULL when out of memory. */
void *livecache_alloc(struct livecache *c, size_t n);
/* A copy of the n bytes at s, terminated, in the block being filled; NULL when out of memory. */
char *livecache_str(struct livecache *c, const char *s, size_t n);

#endif
