/*
 * prefixes: the longest-prefix-match table (see prefixes.h for its shape).
 */
#include "attrib/prefixes.h"
#include "core/hash.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct node {
	struct prefix prefix;
	int32_t parent;	       /* always an earlier node, or -1 */
	uint32_t first, count; /* records [first, first + count) */
};

struct u128 {
	uint64_t hi, lo;
};

/* The table as one block: this header, then nodes, records, IPv4 interval
 * starts and nodes, IPv6 interval starts and nodes, the string pool; each
 * section padded to 8 bytes. */
#define BLOCK_MAGIC "residency-pfx-1"
#define BLOCK_ORDER 0x01020304u
#define BLOCK_MAX_COUNT (1u << 26)

struct block_header {
	char magic[16];
	uint32_t order;
	uint16_t node_size, rec_size;
	uint64_t nnodes, nrecs, poollen, nv4, nv6;
};
_Static_assert(sizeof(struct block_header) == 64, "the block header is 64 bytes");
_Static_assert(sizeof(struct node) == 32 && sizeof(struct prefix_rec) == 24,
	       "the block layout assumes these sizes");

struct prefixes {
	const struct node *nodes;
	size_t nnodes;
	const struct prefix_rec *recs;
	size_t nrecs;
	const char *pool;
	size_t poollen;
	const uint32_t *v4start;
	const int32_t *v4node;
	size_t nv4;
	const struct u128 *v6start;
	const int32_t *v6node;
	size_t nv6;
	const void *block; /* everything above points into it */
	size_t blocklen;
	void *own; /* the block when it was built here (else the caller's bytes) */
	uint32_t idx16[65537];
};

/* String interning while building: open addressing over pool offsets + 1. */
struct interner {
	char *pool;
	size_t poollen, poolcap;
	uint32_t *hash;
	size_t hashcap;
};

/* Interns s; returns its offset in the pool, or UINT32_MAX on allocation failure. */
static uint32_t intern(struct interner *t, const char *s)
{
	size_t n = strlen(s);
	uint32_t h = hash_str(s);

	for (size_t i = h & (t->hashcap - 1);; i = (i + 1) & (t->hashcap - 1)) {
		uint32_t v = t->hash[i];
		if (v == 0)
			break;
		if (strcmp(t->pool + v - 1, s) == 0)
			return v - 1;
	}
	if (t->poollen + n + 1 > t->poolcap) {
		size_t ncap = t->poolcap ? t->poolcap * 2 : 65536;
		while (ncap < t->poollen + n + 1)
			ncap *= 2;
		char *p = realloc(t->pool, ncap);
		if (p == NULL)
			return UINT32_MAX;
		t->pool = p;
		t->poolcap = ncap;
	}
	uint32_t off = (uint32_t)t->poollen;
	memcpy(t->pool + off, s, n + 1);
	t->poollen += n + 1;
	for (size_t i = h & (t->hashcap - 1);; i = (i + 1) & (t->hashcap - 1))
		if (t->hash[i] == 0) {
			t->hash[i] = off + 1;
			break;
		}
	return off;
}

struct tmp {
	const struct range_entry *e;
	struct prefix prefix; /* a copy: sorting reads it without chasing e */
	uint32_t provider;    /* pool offset */
	uint32_t seq;	      /* input order, so records of one prefix keep it */
	uint8_t kind;
};

static int prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int c = addr_cmp(&a->addr, &b->addr);
	if (c)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

static int tmp_cmp(const void *a, const void *b)
{
	const struct tmp *x = a, *y = b;
	int c = prefix_cmp(&x->prefix, &y->prefix);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static struct u128 key6(const uint8_t *b)
{
	struct u128 k = {0, 0};
	for (int i = 0; i < 8; i++) {
		k.hi = k.hi << 8 | b[i];
		k.lo = k.lo << 8 | b[8 + i];
	}
	return k;
}

static int u128_cmp(struct u128 a, struct u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	return (a.lo > b.lo) - (a.lo < b.lo);
}

/* The last address of a prefix, as a 128-bit key (IPv4 in the low 32 bits). */
static struct u128 prefix_end(const struct prefix *p)
{
	struct u128 k;
	unsigned bits = p->addr.family == 4 ? 32 : 128;
	unsigned host = bits - p->len;

	if (p->addr.family == 4) {
		uint32_t a = (uint32_t)p->addr.b[0] << 24 | (uint32_t)p->addr.b[1] << 16 |
			     (uint32_t)p->addr.b[2] << 8 | p->addr.b[3];
		uint64_t mask = host == 32 ? 0xffffffffu : ((1ULL << host) - 1);
		k.hi = 0;
		k.lo = (uint64_t)a | mask;
		return k;
	}
	k = key6(p->addr.b);
	if (host >= 64) {
		k.lo = UINT64_MAX;
		k.hi |= host == 128 ? UINT64_MAX : ((1ULL << (host - 64)) - 1);
	} else if (host > 0) {
		k.lo |= (1ULL << host) - 1;
	}
	return k;
}

static struct u128 prefix_start(const struct prefix *p)
{
	struct u128 k = {0, 0};
	if (p->addr.family == 4) {
		k.lo = (uint32_t)p->addr.b[0] << 24 | (uint32_t)p->addr.b[1] << 16 |
		       (uint32_t)p->addr.b[2] << 8 | p->addr.b[3];
		return k;
	}
	return key6(p->addr.b);
}

struct emitter {
	struct u128 *start;
	int32_t *node;
	size_t n;
};

static void emit(struct emitter *em, struct u128 key, int32_t node)
{
	if (em->n > 0 && u128_cmp(em->start[em->n - 1], key) == 0) {
		em->node[em->n - 1] = node;
		return;
	}
	em->start[em->n] = key;
	em->node[em->n] = node;
	em->n++;
}

static struct u128 plus1(struct u128 k, int *overflow)
{
	struct u128 r = k;
	r.lo++;
	if (r.lo == 0)
		r.hi++;
	*overflow = r.hi == 0 && r.lo == 0;
	return r;
}

/* Sweeps nodes [from, to) of one family: parents and intervals. */
static enum rstatus sweep(struct node *nodes, size_t from, size_t to, struct emitter *em, bool v4)
{
	int32_t *stack = malloc((to - from + 1) * sizeof(*stack));
	size_t sp = 0;
	int of;
	struct u128 max = {v4 ? 0 : UINT64_MAX, v4 ? 0xffffffffu : UINT64_MAX};

	if (stack == NULL)
		return R_ENOMEM;
	emit(em, (struct u128){0, 0}, -1);
	for (size_t i = from; i < to; i++) {
		struct node *nd = &nodes[i];
		struct u128 s = prefix_start(&nd->prefix);
		while (sp > 0 && u128_cmp(prefix_end(&nodes[stack[sp - 1]].prefix), s) < 0) {
			struct u128 e = prefix_end(&nodes[stack[--sp]].prefix);
			emit(em, plus1(e, &of), sp ? stack[sp - 1] : -1);
		}
		nd->parent = sp ? stack[sp - 1] : -1;
		emit(em, s, (int32_t)i);
		stack[sp++] = (int32_t)i;
	}
	while (sp > 0) {
		struct u128 e = prefix_end(&nodes[stack[--sp]].prefix);
		if (u128_cmp(e, max) != 0)
			emit(em, plus1(e, &of), sp ? stack[sp - 1] : -1);
	}
	free(stack);
	return R_OK;
}

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Where each section of a block starts, from its counts (already bounded). */
struct layout {
	size_t nodes, recs, v4start, v4node, v6start, v6node, pool, total;
};

static struct layout layout_of(const struct block_header *h)
{
	struct layout l;

	l.nodes = sizeof(*h);
	l.recs = l.nodes + pad8((size_t)h->nnodes * sizeof(struct node));
	l.v4start = l.recs + pad8((size_t)h->nrecs * sizeof(struct prefix_rec));
	l.v4node = l.v4start + pad8((size_t)h->nv4 * sizeof(uint32_t));
	l.v6start = l.v4node + pad8((size_t)h->nv4 * sizeof(int32_t));
	l.v6node = l.v6start + pad8((size_t)h->nv6 * sizeof(struct u128));
	l.pool = l.v6node + pad8((size_t)h->nv6 * sizeof(int32_t));
	l.total = l.pool + pad8((size_t)h->poollen);
	return l;
}

/* Points t at a block (checked or built here) and indexes its IPv4 intervals. */
static void attach(struct prefixes *t, const void *block, size_t len)
{
	const struct block_header *h = block;
	const char *b = block;
	struct layout l = layout_of(h);

	t->block = block;
	t->blocklen = len;
	t->nnodes = (size_t)h->nnodes;
	t->nrecs = (size_t)h->nrecs;
	t->poollen = (size_t)h->poollen;
	t->nv4 = (size_t)h->nv4;
	t->nv6 = (size_t)h->nv6;
	t->nodes = (const struct node *)(b + l.nodes);
	t->recs = (const struct prefix_rec *)(b + l.recs);
	t->v4start = (const uint32_t *)(b + l.v4start);
	t->v4node = (const int32_t *)(b + l.v4node);
	t->v6start = (const struct u128 *)(b + l.v6start);
	t->v6node = (const int32_t *)(b + l.v6node);
	t->pool = b + l.pool;
	/* idx16[h]: the first interval whose start is >= h << 16. */
	size_t j = 0;
	for (uint32_t i = 0; i <= 65536; i++) {
		uint64_t bound = (uint64_t)i << 16;
		while (j < t->nv4 && t->v4start[j] < bound)
			j++;
		t->idx16[i] = (uint32_t)j;
	}
}

static bool node_ok(const struct node *nd, size_t i, size_t nrecs)
{
	const unsigned char *raw = (const unsigned char *)nd;
	unsigned char family = raw[offsetof(struct node, prefix.addr.family)];
	unsigned char mapped = raw[offsetof(struct node, prefix.addr.mapped)];
	unsigned char len = raw[offsetof(struct node, prefix.len)];

	/* bytes, not the fields: a bool holding 2 may not even be read */
	if (!((family == 4 && len <= 32) || (family == 6 && len <= 128)) || mapped > 1)
		return false;
	return nd->parent >= -1 && (nd->parent < 0 || (size_t)nd->parent < i) &&
	       nd->first <= nrecs && nd->count <= nrecs - nd->first;
}

bool prefixes_from_bytes(const void *data, size_t len, struct prefixes **out)
{
	const struct block_header *h = data;
	struct prefixes *t;

	*out = NULL;
	if (data == NULL || (uintptr_t)data % 8 != 0 || len < sizeof(*h))
		return false;
	if (memcmp(h->magic, BLOCK_MAGIC, sizeof(BLOCK_MAGIC)) != 0 || h->order != BLOCK_ORDER ||
	    h->node_size != sizeof(struct node) || h->rec_size != sizeof(struct prefix_rec))
		return false;
	if (h->nnodes > BLOCK_MAX_COUNT || h->nrecs > BLOCK_MAX_COUNT ||
	    h->poollen > BLOCK_MAX_COUNT || h->nv4 > BLOCK_MAX_COUNT || h->nv6 > BLOCK_MAX_COUNT ||
	    h->poollen < 1 || h->nv4 < 1 || h->nv6 < 1)
		return false;
	if (layout_of(h).total != len)
		return false;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return false;
	attach(t, data, len);
	/* Every reference inside the block, so no lookup can leave it: nodes name
	 * records and earlier parents (a walk up always ends), records name strings
	 * of a NUL-terminated pool, intervals name nodes and are sorted. */
	bool ok = t->pool[t->poollen - 1] == '\0';
	for (size_t i = 0; ok && i < t->nnodes; i++)
		ok = node_ok(&t->nodes[i], i, t->nrecs);
	for (size_t i = 0; ok && i < t->nrecs; i++) {
		const struct prefix_rec *r = &t->recs[i];
		ok = r->provider < t->poollen && r->region < t->poollen &&
		     r->border_group < t->poollen && r->service < t->poollen &&
		     r->country[2] == '\0' && r->kind <= RANGE_GEOFEED && r->global <= 1;
	}
	ok = ok && t->v4start[0] == 0 && t->v6start[0].hi == 0 && t->v6start[0].lo == 0;
	for (size_t i = 0; ok && i < t->nv4; i++)
		ok = t->v4node[i] >= -1 && t->v4node[i] < (int64_t)t->nnodes &&
		     (i == 0 || t->v4start[i] > t->v4start[i - 1]);
	for (size_t i = 0; ok && i < t->nv6; i++)
		ok = t->v6node[i] >= -1 && t->v6node[i] < (int64_t)t->nnodes &&
		     (i == 0 || u128_cmp(t->v6start[i], t->v6start[i - 1]) > 0);
	if (!ok) {
		free(t);
		return false;
	}
	*out = t;
	return true;
}

void prefixes_bytes_of(const struct prefixes *t, const void **data, size_t *len)
{
	*data = t->block;
	*len = t->blocklen;
}

/* The parts of a table being built, before they become one block. */
struct parts {
	struct node *nodes;
	size_t nnodes;
	struct prefix_rec *recs;
	size_t nrecs;
	struct interner in;
	struct emitter em4, em6;
};

static void parts_free(struct parts *p)
{
	free(p->nodes);
	free(p->recs);
	free(p->in.pool);
	free(p->in.hash);
	free(p->em4.start);
	free(p->em4.node);
	free(p->em6.start);
	free(p->em6.node);
}

static void *pack(const struct parts *p, size_t *len)
{
	struct block_header h;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, BLOCK_MAGIC, sizeof(BLOCK_MAGIC));
	h.order = BLOCK_ORDER;
	h.node_size = sizeof(struct node);
	h.rec_size = sizeof(struct prefix_rec);
	h.nnodes = p->nnodes;
	h.nrecs = p->nrecs;
	h.poollen = p->in.poollen;
	h.nv4 = p->em4.n;
	h.nv6 = p->em6.n;
	struct layout l = layout_of(&h);
	char *b = calloc(1, l.total);
	if (b == NULL)
		return NULL;
	memcpy(b, &h, sizeof(h));
	memcpy(b + l.nodes, p->nodes, p->nnodes * sizeof(*p->nodes));
	memcpy(b + l.recs, p->recs, p->nrecs * sizeof(*p->recs));
	uint32_t *v4 = (uint32_t *)(b + l.v4start);
	for (size_t i = 0; i < p->em4.n; i++)
		v4[i] = (uint32_t)p->em4.start[i].lo;
	memcpy(b + l.v4node, p->em4.node, p->em4.n * sizeof(int32_t));
	memcpy(b + l.v6start, p->em6.start, p->em6.n * sizeof(struct u128));
	memcpy(b + l.v6node, p->em6.node, p->em6.n * sizeof(int32_t));
	memcpy(b + l.pool, p->in.pool, p->in.poollen);
	*len = l.total;
	return b;
}

enum rstatus prefixes_build(const struct range_set *sets, size_t n, struct prefixes **out,
			    struct rerr *err)
{
	struct parts p;
	struct tmp *tmp = NULL;
	size_t total = 0, k = 0, split;
	struct prefixes *t = NULL;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	for (size_t i = 0; i < n; i++)
		total += sets[i].n;
	if (total + 64 > BLOCK_MAX_COUNT / 2)
		return rerr_set(err, R_ELIMIT, NULL, 0, "%zu prefixes: more than the table holds",
				total);
	p.in.hashcap = 1;
	while (p.in.hashcap < 2 * (3 * total + n + 64)) /* room for every string of every record */
		p.in.hashcap <<= 1;
	if ((p.in.hash = calloc(p.in.hashcap, sizeof(*p.in.hash))) == NULL)
		goto fail;
	if (intern(&p.in, "") == UINT32_MAX) /* the pool is never empty */
		goto fail;
	if ((tmp = malloc((total ? total : 1) * sizeof(*tmp))) == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		uint32_t prov = intern(&p.in, sets[i].provider);
		if (prov == UINT32_MAX)
			goto fail;
		for (size_t j = 0; j < sets[i].n; j++) {
			tmp[k].e = &sets[i].v[j];
			tmp[k].prefix = sets[i].v[j].prefix;
			tmp[k].provider = prov;
			tmp[k].kind = (uint8_t)sets[i].kind;
			tmp[k].seq = (uint32_t)k;
			k++;
		}
	}
	/* Inside a node, records keep the order of the sets, then of the file. */
	qsort(tmp, total, sizeof(*tmp), tmp_cmp);

	p.recs = malloc((total ? total : 1) * sizeof(*p.recs));
	p.nodes = malloc((total ? total : 1) * sizeof(*p.nodes));
	if (p.recs == NULL || p.nodes == NULL)
		goto fail;
	for (size_t i = 0; i < total; i++) {
		const struct range_entry *e = tmp[i].e;
		struct prefix_rec *r = &p.recs[i];
		memset(r, 0, sizeof(*r));
		r->provider = tmp[i].provider;
		r->region = intern(&p.in, e->region);
		r->border_group = intern(&p.in, e->border_group);
		r->service = intern(&p.in, e->service);
		if (r->region == UINT32_MAX || r->border_group == UINT32_MAX ||
		    r->service == UINT32_MAX)
			goto fail;
		memcpy(r->country, e->country, 3);
		r->country[2] = '\0';
		r->kind = tmp[i].kind;
		r->global = e->global;
		if (i == 0 || prefix_cmp(&tmp[i - 1].prefix, &tmp[i].prefix) != 0) {
			struct node *nd = &p.nodes[p.nnodes++];
			memset(nd, 0, sizeof(*nd));
			nd->prefix = tmp[i].prefix;
			nd->first = (uint32_t)i;
			nd->count = 0;
			nd->parent = -1;
		}
		p.nodes[p.nnodes - 1].count++;
	}
	p.nrecs = total;
	free(tmp);
	tmp = NULL;

	/* Nodes are sorted by family (4 before 6), then start, then length. */
	for (split = 0; split < p.nnodes && p.nodes[split].prefix.addr.family == 4; split++)
		;
	size_t cap4 = 2 * split + 2, cap6 = 2 * (p.nnodes - split) + 2;
	p.em4.start = malloc(cap4 * sizeof(*p.em4.start));
	p.em4.node = malloc(cap4 * sizeof(*p.em4.node));
	p.em6.start = malloc(cap6 * sizeof(*p.em6.start));
	p.em6.node = malloc(cap6 * sizeof(*p.em6.node));
	if (!p.em4.start || !p.em4.node || !p.em6.start || !p.em6.node)
		goto fail;
	if (sweep(p.nodes, 0, split, &p.em4, true) != R_OK ||
	    sweep(p.nodes, split, p.nnodes, &p.em6, false) != R_OK)
		goto fail;

	size_t len = 0;
	void *block = pack(&p, &len);
	if (block == NULL || (t = calloc(1, sizeof(*t))) == NULL) {
		free(block);
		goto fail;
	}
	t->own = block;
	attach(t, block, len);
	parts_free(&p);
	*out = t;
	return R_OK;
fail:
	free(tmp);
	parts_free(&p);
	return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory building the prefix table");
}

void prefixes_free(struct prefixes *t)
{
	if (t == NULL)
		return;
	free(t->own);
	free(t);
}

int32_t prefixes_lookup(const struct prefixes *t, const struct addr *a)
{
	if (a->family == 4) {
		uint32_t k = (uint32_t)a->b[0] << 24 | (uint32_t)a->b[1] << 16 |
			     (uint32_t)a->b[2] << 8 | a->b[3];
		uint32_t h = k >> 16;
		/* The answer is the last interval starting at or before k: it lies
		 * between the one before this /16's first and the next /16's first. */
		size_t lo = t->idx16[h] ? t->idx16[h] - 1 : 0, hi = t->idx16[h + 1];
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if (t->v4start[mid] <= k)
				lo = mid;
			else
				hi = mid;
		}
		return t->v4node[lo];
	}
	if (a->family == 6) {
		struct u128 k = key6(a->b);
		size_t lo = 0, hi = t->nv6;
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if (u128_cmp(t->v6start[mid], k) <= 0)
				lo = mid;
			else
				hi = mid;
		}
		return t->v6node[lo];
	}
	return -1;
}

int32_t prefixes_parent(const struct prefixes *t, int32_t node)
{
	return t->nodes[node].parent;
}

const struct prefix *prefixes_prefix(const struct prefixes *t, int32_t node)
{
	return &t->nodes[node].prefix;
}

size_t prefixes_records(const struct prefixes *t, int32_t node, const struct prefix_rec **recs)
{
	*recs = &t->recs[t->nodes[node].first];
	return t->nodes[node].count;
}

const char *prefixes_str(const struct prefixes *t, uint32_t off)
{
	return t->pool + off;
}

size_t prefixes_bytes(const struct prefixes *t)
{
	return sizeof(*t) + t->blocklen;
}

size_t prefixes_nodes(const struct prefixes *t)
{
	return t->nnodes;
}
