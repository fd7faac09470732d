/*
 * prefixes: the longest-prefix-match table (see prefixes.h for its shape).
 */
#include "attrib/prefixes.h"
#include "core/hash.h"

#include <stdlib.h>
#include <string.h>

struct node {
	struct prefix prefix;
	int32_t parent;
	uint32_t first, count; /* records [first, first + count) */
};

struct u128 {
	uint64_t hi, lo;
};

struct prefixes {
	struct node *nodes;
	size_t nnodes;
	struct prefix_rec *recs;
	size_t nrecs;
	char *pool;
	size_t poollen, poolcap;
	/* string interning: open addressing over pool offsets + 1 */
	uint32_t *hash;
	size_t hashcap;

	uint32_t *v4start;
	int32_t *v4node;
	size_t nv4;
	uint32_t idx16[65537];

	struct u128 *v6start;
	int32_t *v6node;
	size_t nv6;
};

/* Interns s; returns its offset in the pool, or UINT32_MAX on allocation failure. */
static uint32_t intern(struct prefixes *t, const char *s)
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
	uint32_t provider; /* pool offset */
	uint32_t seq;	   /* input order, so records of one prefix keep it */
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
	int c = prefix_cmp(&x->e->prefix, &y->e->prefix);

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
static enum rstatus sweep(struct prefixes *t, size_t from, size_t to, struct emitter *em, bool v4)
{
	int32_t *stack = malloc((to - from + 1) * sizeof(*stack));
	size_t sp = 0;
	int of;
	struct u128 max = {v4 ? 0 : UINT64_MAX, v4 ? 0xffffffffu : UINT64_MAX};

	if (stack == NULL)
		return R_ENOMEM;
	emit(em, (struct u128){0, 0}, -1);
	for (size_t i = from; i < to; i++) {
		struct node *nd = &t->nodes[i];
		struct u128 s = prefix_start(&nd->prefix);
		while (sp > 0 && u128_cmp(prefix_end(&t->nodes[stack[sp - 1]].prefix), s) < 0) {
			struct u128 e = prefix_end(&t->nodes[stack[--sp]].prefix);
			emit(em, plus1(e, &of), sp ? stack[sp - 1] : -1);
		}
		nd->parent = sp ? stack[sp - 1] : -1;
		emit(em, s, (int32_t)i);
		stack[sp++] = (int32_t)i;
	}
	while (sp > 0) {
		struct u128 e = prefix_end(&t->nodes[stack[--sp]].prefix);
		if (u128_cmp(e, max) != 0)
			emit(em, plus1(e, &of), sp ? stack[sp - 1] : -1);
	}
	free(stack);
	return R_OK;
}

enum rstatus prefixes_build(const struct range_set *sets, size_t n, struct prefixes **out,
			    struct rerr *err)
{
	struct prefixes *t = calloc(1, sizeof(*t));
	struct tmp *tmp = NULL;
	struct emitter em4 = {0}, em6 = {0};
	size_t total = 0, k = 0, split;
	enum rstatus rc = R_ENOMEM;

	*out = NULL;
	if (t == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++)
		total += sets[i].n;
	t->hashcap = 1;
	while (t->hashcap < 2 * (total + 64))
		t->hashcap <<= 1;
	if ((t->hash = calloc(t->hashcap, sizeof(*t->hash))) == NULL)
		goto fail;
	if ((tmp = malloc((total ? total : 1) * sizeof(*tmp))) == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		uint32_t prov = intern(t, sets[i].provider);
		if (prov == UINT32_MAX)
			goto fail;
		for (size_t j = 0; j < sets[i].n; j++) {
			tmp[k].e = &sets[i].v[j];
			tmp[k].provider = prov;
			tmp[k].kind = (uint8_t)sets[i].kind;
			tmp[k].seq = (uint32_t)k;
			k++;
		}
	}
	/* Inside a node, records keep the order of the sets, then of the file. */
	qsort(tmp, total, sizeof(*tmp), tmp_cmp);

	t->recs = malloc((total ? total : 1) * sizeof(*t->recs));
	t->nodes = malloc((total ? total : 1) * sizeof(*t->nodes));
	if (t->recs == NULL || t->nodes == NULL)
		goto fail;
	/* Strings are stored as offsets first (the pool may move), pointers after. */
	uintptr_t *offs = malloc((total ? total : 1) * 4 * sizeof(*offs));
	if (offs == NULL)
		goto fail;
	for (size_t i = 0; i < total; i++) {
		const struct range_entry *e = tmp[i].e;
		struct prefix_rec *r = &t->recs[i];
		uint32_t o[3] = {intern(t, e->region), intern(t, e->border_group),
				 intern(t, e->service)};
		if (o[0] == UINT32_MAX || o[1] == UINT32_MAX || o[2] == UINT32_MAX) {
			free(offs);
			goto fail;
		}
		offs[4 * i] = tmp[i].provider;
		offs[4 * i + 1] = o[0];
		offs[4 * i + 2] = o[1];
		offs[4 * i + 3] = o[2];
		memcpy(r->country, e->country, 3);
		r->kind = tmp[i].kind;
		r->global = e->global;
		if (i == 0 || prefix_cmp(&tmp[i - 1].e->prefix, &e->prefix) != 0) {
			struct node *nd = &t->nodes[t->nnodes++];
			nd->prefix = e->prefix;
			nd->first = (uint32_t)i;
			nd->count = 0;
			nd->parent = -1;
		}
		t->nodes[t->nnodes - 1].count++;
	}
	for (size_t i = 0; i < total; i++) {
		t->recs[i].provider = t->pool + offs[4 * i];
		t->recs[i].region = t->pool + offs[4 * i + 1];
		t->recs[i].border_group = t->pool + offs[4 * i + 2];
		t->recs[i].service = t->pool + offs[4 * i + 3];
	}
	free(offs);
	t->nrecs = total;
	free(tmp);
	tmp = NULL;
	free(t->hash);
	t->hash = NULL;

	/* Nodes are sorted by family (4 before 6), then start, then length. */
	for (split = 0; split < t->nnodes && t->nodes[split].prefix.addr.family == 4; split++)
		;
	size_t cap4 = 2 * split + 2, cap6 = 2 * (t->nnodes - split) + 2;
	em4.start = malloc(cap4 * sizeof(*em4.start));
	em4.node = malloc(cap4 * sizeof(*em4.node));
	em6.start = malloc(cap6 * sizeof(*em6.start));
	em6.node = malloc(cap6 * sizeof(*em6.node));
	if (!em4.start || !em4.node || !em6.start || !em6.node)
		goto fail;
	if (sweep(t, 0, split, &em4, true) != R_OK ||
	    sweep(t, split, t->nnodes, &em6, false) != R_OK)
		goto fail;

	t->nv4 = em4.n;
	if ((t->v4start = malloc(em4.n * sizeof(*t->v4start))) == NULL)
		goto fail;
	for (size_t i = 0; i < em4.n; i++)
		t->v4start[i] = (uint32_t)em4.start[i].lo;
	t->v4node = em4.node;
	em4.node = NULL;
	free(em4.start);
	em4.start = NULL;
	/* idx16[h]: the first interval whose start is >= h << 16. */
	size_t j = 0;
	for (uint32_t h = 0; h <= 65536; h++) {
		uint64_t bound = (uint64_t)h << 16;
		while (j < t->nv4 && t->v4start[j] < bound)
			j++;
		t->idx16[h] = (uint32_t)j;
	}
	t->nv6 = em6.n;
	t->v6start = em6.start;
	t->v6node = em6.node;
	*out = t;
	return R_OK;
fail:
	free(tmp);
	free(em4.start);
	free(em4.node);
	free(em6.start);
	free(em6.node);
	prefixes_free(t);
	return rerr_set(err, rc, NULL, 0, "out of memory building the prefix table");
}

void prefixes_free(struct prefixes *t)
{
	if (t == NULL)
		return;
	free(t->nodes);
	free(t->recs);
	free(t->pool);
	free(t->hash);
	free(t->v4start);
	free(t->v4node);
	free(t->v6start);
	free(t->v6node);
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
		return t->nv4 ? t->v4node[lo] : -1;
	}
	if (a->family == 6 && t->nv6) {
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

size_t prefixes_bytes(const struct prefixes *t)
{
	return sizeof(*t) + t->nnodes * sizeof(*t->nodes) + t->nrecs * sizeof(*t->recs) +
	       t->poolcap + t->nv4 * (sizeof(*t->v4start) + sizeof(*t->v4node)) +
	       t->nv6 * (sizeof(*t->v6start) + sizeof(*t->v6node));
}

size_t prefixes_nodes(const struct prefixes *t)
{
	return t->nnodes;
}
