/*
 * livecache: the cache of live answers (livecache.h), the memory of live.c.
 *
 * An entry per (type, name) in a dense array; an open-addressing index, at
 * most half full, finds it, and a small table of entries found lately spares
 * the index the names a path asks about several times in a row. A list by
 * least recent use orders the entries for livecache_trim(), which takes the
 * oldest out (backward-shift deletion keeps the index's runs whole) and notes
 * their keys as ghosts, so that a question asked again after its answer was
 * evicted is counted rather than passing unseen.
 *
 * It must never evict an entry still pending (its question is queued or in
 * flight and will fill it), nor free a block another entry still holds. It
 * knows nothing of c-ares or of DNS messages: live.c asks and parses.
 */
#include "dns/livecache.h"
#include "core/hash.h"

#include <stdlib.h>
#include <string.h>

bool livecache_init(struct livecache *c)
{
	c->max_records = LIVE_MAX_RECORDS;
	c->max_entries = LIVE_DEFAULT_ENTRIES;
	c->capindex = 1024;
	return (c->index = calloc(c->capindex, sizeof(*c->index))) != NULL;
}

void livecache_free(struct livecache *c)
{
	for (size_t i = 0; i < c->nents; i++) {
		free(c->ents[i].rr);
		free(c->ents[i].key);
		livecache_block_release(c, c->ents[i].blk);
	}
	free(c->ents);
	free(c->index);
	free(c->ghost);
}

/* The cache key of (type, name): "TYPE name", as snprintf "%u %s" writes it. */
void livecache_key(char *key, size_t size, uint16_t type, const char *name)
{
	char num[8];
	size_t k = 0, n = strlen(name);
	do
		num[k++] = (char)('0' + type % 10);
	while ((type /= 10) > 0 && k < sizeof(num));
	size_t used = 0;
	while (k > 0)
		key[used++] = num[--k];
	key[used++] = ' ';
	if (n > size - used - 1)
		n = size - used - 1;
	memcpy(key + used, name, n);
	key[used + n] = '\0';
}

static void lru_unlink(struct livecache *c, uint32_t k)
{
	struct centry *e = &c->ents[k - 1];
	if (e->prev)
		c->ents[e->prev - 1].next = e->next;
	else
		c->lru_head = e->next;
	if (e->next)
		c->ents[e->next - 1].prev = e->prev;
	else
		c->lru_tail = e->prev;
	e->prev = e->next = 0;
}

static void lru_front(struct livecache *c, uint32_t k)
{
	struct centry *e = &c->ents[k - 1];
	e->prev = 0;
	e->next = c->lru_head;
	if (c->lru_head)
		c->ents[c->lru_head - 1].prev = k;
	c->lru_head = k;
	if (c->lru_tail == 0)
		c->lru_tail = k;
}

/* Entry k was used: it is the last to be evicted. */
static void touch(struct livecache *c, uint32_t k)
{
	if (c->lru_head != k) {
		lru_unlink(c, k);
		lru_front(c, k);
	}
}

/* The entry of key, or NULL (found false) when there is none. */
struct centry *livecache_find(struct livecache *c, const char *key, bool *found)
{
	uint32_t h = hash_str(key), *r = &c->recent[h & 15];
	if (*r && c->ents[*r - 1].hash == h && c->ents[*r - 1].key &&
	    strcmp(c->ents[*r - 1].key, key) == 0) {
		*found = true;
		touch(c, *r);
		return &c->ents[*r - 1];
	}
	for (size_t i = h & (c->capindex - 1); c->index[i]; i = (i + 1) & (c->capindex - 1)) {
		if ((uint32_t)(c->index[i] >> 32) != h)
			continue;
		struct centry *e = &c->ents[(uint32_t)c->index[i] - 1];
		if (strcmp(e->key, key) == 0) {
			*r = (uint32_t)c->index[i];
			*found = true;
			touch(c, *r);
			return e;
		}
	}
	*found = false;
	return NULL;
}

/* FNV-1a, 64 bits: a ghost's key. Never 0 (an empty slot). */
static uint64_t hash64(const char *s)
{
	uint64_t h = 14695981039346656037u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h ? h : 1;
}

/*
 * Remembers (add) or looks up a key evicted; true when it is remembered. The
 * table is direct-mapped, four slots per answer the cache holds, so that it
 * stays as flat as the cache: a later eviction may overwrite a ghost, and a
 * question asked again so long after is then not counted (never one counted
 * that was not asked before). Out of memory: nothing remembered.
 */
static bool ghost(struct livecache *c, uint64_t h, bool add)
{
	if (c->ghost == NULL) {
		if (!add)
			return false;
		size_t cap = 1024;
		while (cap < 4 * c->max_entries && cap < ((size_t)1 << 30))
			cap *= 2;
		if ((c->ghost = calloc(cap, sizeof(*c->ghost))) == NULL)
			return false;
		c->capghost = cap;
	}
	uint64_t *g = &c->ghost[(h ^ (h >> 32)) & (c->capghost - 1)];
	if (add) {
		c->nghost += *g == 0;
		*g = h;
		return false;
	}
	return *g == h;
}

/* Takes entry k (answered, not pending) out of the cache, freeing what it holds. */
static void evict(struct livecache *c, uint32_t k)
{
	struct centry *e = &c->ents[k - 1];
	size_t mask = c->capindex - 1, i = e->hash & mask;

	while ((uint32_t)c->index[i] != k)
		i = (i + 1) & mask;
	/* Backward-shift deletion: every later entry of the run stays findable. */
	for (size_t j = i;;) {
		c->index[i] = 0;
		for (;;) {
			j = (j + 1) & mask;
			if (c->index[j] == 0)
				goto removed;
			size_t home = (uint32_t)(c->index[j] >> 32) & mask;
			if (((j - home) & mask) >= ((j - i) & mask))
				break;
		}
		c->index[i] = c->index[j];
		i = j;
	}
removed:
	lru_unlink(c, k);
	ghost(c, hash64(e->key), true);
	free(e->rr);
	free(e->key);
	livecache_block_release(c, e->blk);
	memset(e, 0, sizeof(*e));
	e->next = c->free_head;
	c->free_head = k;
	c->nlive--;
	c->evicted++;
}

struct ablock *livecache_block_new(size_t size)
{
	struct ablock *b = malloc(sizeof(*b) + size);
	if (b == NULL)
		return NULL;
	b->more = NULL;
	b->cur = (char *)(b + 1);
	b->left = size;
	b->refs = b->nrecs = 0;
	return b;
}

/* Drops one entry's hold on b, freeing it with the last. Safe with NULL. */
void livecache_block_release(struct livecache *c, struct ablock *b)
{
	if (b == NULL || --b->refs > 0)
		return;
	c->nrecs -= b->nrecs;
	while (b) {
		struct ablock *next = b->more;
		free(b);
		b = next;
	}
}

/* n bytes of the block being filled (c->blk), 8-aligned; NULL when out of memory. */
void *livecache_alloc(struct livecache *lc, size_t n)
{
	struct ablock *h = lc->blk, *c; /* c: the chunk with room */
	if (h == NULL)
		return NULL;
	n = (n + 7) & ~(size_t)7;
	c = h->more ? h->more : h;
	if (n > c->left) {
		if ((c = livecache_block_new(n > 1024 ? n : 1024)) == NULL)
			return NULL;
		c->more = h->more;
		h->more = c;
	}
	void *p = c->cur;
	c->cur += n;
	c->left -= n;
	return p;
}

char *livecache_str(struct livecache *c, const char *s, size_t n)
{
	char *p = livecache_alloc(c, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* A new entry for key (not in the cache); NULL when out of memory. Entries
 * may move: pointers to entries are good until the next insert. */
static struct centry *insert(struct livecache *c, const char *key)
{
	if (c->nents >= UINT32_MAX - 1)
		return NULL;
	if (2 * (c->nlive + 1) >= c->capindex) {
		size_t ncap = c->capindex * 2;
		uint64_t *ni = calloc(ncap, sizeof(*ni));
		if (ni == NULL)
			return NULL;
		for (size_t k = 0; k < c->capindex; k++) {
			if (c->index[k] == 0)
				continue;
			size_t i = (uint32_t)(c->index[k] >> 32) & (ncap - 1);
			while (ni[i])
				i = (i + 1) & (ncap - 1);
			ni[i] = c->index[k];
		}
		free(c->index);
		c->index = ni;
		c->capindex = ncap;
	}
	if (c->free_head == 0 && c->nents == c->capents) {
		size_t ncap = c->capents ? c->capents * 2 : 1024;
		struct centry *v = realloc(c->ents, ncap * sizeof(*v));
		if (v == NULL)
			return NULL;
		c->ents = v;
		c->capents = ncap;
	}
	char *k = strdup(key);
	if (k == NULL)
		return NULL;
	uint32_t num = c->free_head;
	if (num)
		c->free_head = c->ents[num - 1].next;
	else
		num = (uint32_t)++c->nents;
	struct centry *e = &c->ents[num - 1];
	memset(e, 0, sizeof(*e));
	e->key = k;
	e->hash = hash_str(key);
	e->rcode = DNS_ERROR;
	size_t i = e->hash & (c->capindex - 1);
	while (c->index[i])
		i = (i + 1) & (c->capindex - 1);
	c->index[i] = (uint64_t)e->hash << 32 | num;
	c->nlive++;
	lru_front(c, num);
	return e;
}

/* The cache entry of key, made when missing; NULL when out of memory. */
struct centry *livecache_entry(struct livecache *c, const char *key, bool *found)
{
	struct centry *e = livecache_find(c, key, found);
	return *found ? e : insert(c, key);
}

void livecache_missed(struct livecache *c, const char *key)
{
	if (c->nghost && ghost(c, hash64(key), false))
		c->reasked++; /* evicted before: asked again */
}

void livecache_trim(struct livecache *c)
{
	bool any = false;
	while (c->nlive > c->max_entries && c->lru_tail && !c->ents[c->lru_tail - 1].pending) {
		evict(c, c->lru_tail);
		any = true;
	}
	if (any) /* they may name entries evicted */
		memset(c->recent, 0, sizeof(c->recent));
}

void livecache_set_max_entries(struct livecache *c, size_t max)
{
	c->max_entries = max > 0 ? max : LIVE_DEFAULT_ENTRIES;
	free(c->ghost); /* sized for the bound when first needed */
	c->ghost = NULL;
	c->nghost = c->capghost = 0;
}
