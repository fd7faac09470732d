/*
 * path: the data path of a name, built from answers: the CNAME chain hop by
 * hop (16 hops at most, loops detected), every A and AAAA at its end, the name
 * servers of the zone of each name on the chain with their addresses, and MX
 * hosts with theirs when asked. Every answer used is logged for evidence.
 *
 * Names a loaded zone covers are answered from it; the rest go to resolvers
 * through c-ares (live.c), unless --offline, where they are no_zone.
 */
#include "dns/dns.h"
#include "dns/live.h"
#include "dns/zone.h"
#include "core/buf.h"
#include "core/hash.h"
#include "core/log.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DNS_MAX_ANSWERS 50000000u

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

static size_t seen_hash(const char *name, uint16_t type, size_t cap)
{
	uintptr_t h = (uintptr_t)name * 0x9E3779B97F4A7C15u ^ type;
	return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

/* The log's record of (name, type) when logged before, else NULL. */
static struct seen *seen_find(const struct dns *d, const char *name, uint16_t type)
{
	if (d->capseen == 0)
		return NULL;
	for (size_t i = seen_hash(name, type, d->capseen); d->seen[i].name;
	     i = (i + 1) & (d->capseen - 1))
		if (d->seen[i].name == name && d->seen[i].type == type)
			return &d->seen[i];
	return NULL;
}

static bool seen_add(struct dns *d, const char *name, uint16_t type, uint32_t index,
		     uint32_t serial)
{
	if (2 * (d->nseen + 1) >= d->capseen) {
		size_t ncap = d->capseen ? d->capseen * 2 : 1024;
		struct seen *v = calloc(ncap, sizeof(*v));
		if (v == NULL)
			return false;
		for (size_t k = 0; k < d->capseen; k++)
			if (d->seen[k].name) {
				size_t i = seen_hash(d->seen[k].name, d->seen[k].type, ncap);
				while (v[i].name)
					i = (i + 1) & (ncap - 1);
				v[i] = d->seen[k];
			}
		free(d->seen);
		d->seen = v;
		d->capseen = ncap;
	}
	size_t i = seen_hash(name, type, d->capseen);
	while (d->seen[i].name)
		i = (i + 1) & (d->capseen - 1);
	d->seen[i].name = name;
	d->seen[i].type = type;
	d->seen[i].index = index;
	d->seen[i].serial = serial;
	d->nseen++;
	return true;
}

/* The slot of the one stored copy of s (made when missing); NULL when out of
 * memory. Good until the next call. */
static struct sslot *intern_slot(struct strset *t, const char *s)
{
	if (2 * (t->n + 1) >= t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 4096;
		struct sslot *nv = calloc(ncap, sizeof(*nv));
		if (nv == NULL)
			return NULL;
		for (size_t i = 0; i < t->cap; i++)
			if (t->v[i].s) {
				size_t j = t->v[i].h & (ncap - 1);
				while (nv[j].s)
					j = (j + 1) & (ncap - 1);
				nv[j] = t->v[i];
			}
		free(t->v);
		t->v = nv;
		t->cap = ncap;
	}
	uint32_t h = hash_str(s);
	size_t j = h & (t->cap - 1);
	for (; t->v[j].s; j = (j + 1) & (t->cap - 1))
		if (t->v[j].h == h && strcmp(t->v[j].s, s) == 0)
			return &t->v[j];
	if ((t->v[j].s = strdup(s)) == NULL)
		return NULL;
	t->v[j].h = h;
	t->v[j].memo = 0;
	t->n++;
	return &t->v[j];
}

/* The one stored copy of s; NULL when out of memory. */
static const char *intern(struct strset *t, const char *s)
{
	struct sslot *slot = intern_slot(t, s);
	return slot ? slot->s : NULL;
}

/* The name server part kept for the zone of a string slot, or NULL. */
static const struct nsmemo *memo_of(const struct dns *d, const struct sslot *slot)
{
	if (slot->memo == 0 || slot->memo > d->nmemo)
		return NULL;
	const struct nsmemo *m = &d->memo[slot->memo - 1];
	return m->zone == slot->s ? m : NULL; /* else a slot from before memo_clear() */
}

static void memo_clear(struct dns *d)
{
	for (size_t i = 0; i < d->nmemo; i++)
		free(d->memo[i].elems);
	free(d->memo);
	d->memo = NULL;
	d->nmemo = d->capmemo = 0;
}

/* Keeps the elements of p from `start` on (the name server part of zone, under
 * element `at`) for the next paths; out of memory only means no memo. */
static void memo_add(struct dns *d, const char *zone, const struct path *p, size_t start, int at,
		     enum dns_status first_fail)
{
	size_t n = p->n - start;
	struct sslot *slot = intern_slot(&d->strs, zone);

	if (slot == NULL || d->nmemo >= UINT32_MAX - 1)
		return;
	if (d->nmemo == d->capmemo) {
		size_t ncap = d->capmemo ? d->capmemo * 2 : 64;
		struct nsmemo *v = realloc(d->memo, ncap * sizeof(*v));
		if (v == NULL)
			return;
		d->memo = v;
		d->capmemo = ncap;
	}
	struct path_elem *copy = malloc((n ? n : 1) * sizeof(*copy));
	if (copy == NULL)
		return;
	for (size_t k = 0; k < n; k++) {
		copy[k] = p->elems[start + k];
		copy[k].parent = copy[k].parent == at ? -1 : copy[k].parent - (int)start;
	}
	d->memo[d->nmemo] = (struct nsmemo){zone, copy, n, first_fail};
	slot->memo = (uint32_t)++d->nmemo;
}

const char *dns_status_name(enum dns_status s)
{
	switch (s) {
	case DNS_OK:
		return "ok";
	case DNS_NODATA:
		return "nodata";
	case DNS_NXDOMAIN:
		return "nxdomain";
	case DNS_SERVFAIL:
		return "servfail";
	case DNS_REFUSED:
		return "refused";
	case DNS_TIMEOUT:
		return "timeout";
	case DNS_LOOP:
		return "cname_loop";
	case DNS_TOOLONG:
		return "chain_too_long";
	case DNS_NOZONE:
		return "no_zone";
	case DNS_TOOBIG:
		return "too_big";
	case DNS_INCOMPLETE:
		return "incomplete";
	case DNS_ERROR:
		break;
	}
	return "error";
}

const char *path_kind_name(enum path_kind k)
{
	switch (k) {
	case PATH_NAME:
		return "name";
	case PATH_ADDRESS:
		return "address";
	case PATH_NS:
		return "ns";
	case PATH_MX:
		return "mx";
	}
	return "?";
}

void path_clear(struct path *p)
{
	if (p == NULL)
		return;
	free(p->elems);
	memset(p, 0, sizeof(*p));
}

enum rstatus dns_new(const struct dns_options *opt, struct dns **out, struct rerr *err)
{
	struct dns *d;
	enum rstatus rc;

	*out = NULL;
	if (opt->offline && opt->naxfr)
		return rerr_set(
		    err, R_EUSAGE, NULL, 0,
		    "--offline means no network: it cannot go with --axfr (save the zone "
		    "to a file and give it with --zone)");
	if (opt->offline && opt->nresolvers)
		return rerr_set(err, R_EUSAGE, NULL, 0,
				"--offline means no network: it cannot go with --resolver");
	if ((d = calloc(1, sizeof(*d))) == NULL || (d->zones = zonedb_new()) == NULL) {
		free(d);
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	}
	buf_init(&d->scratch, 64u << 20); /* one answer's records */
	d->max_answers = opt->max_answers > 0 && opt->max_answers < DNS_MAX_ANSWERS
			     ? opt->max_answers
			     : DNS_MAX_ANSWERS;
	if (opt->max_zone_records)
		zonedb_set_max_records(d->zones, opt->max_zone_records);
	if (!opt->offline && (rc = live_new(opt->resolvers, opt->nresolvers, opt->timeout_ms,
					    opt->tries, opt->max_inflight, &d->live, err)) != R_OK)
		goto fail;
	if (d->live) {
		live_set_stop(d->live, opt->stop);
		if (opt->max_live_records)
			live_set_max_records(d->live, opt->max_live_records);
		live_set_max_entries(d->live, opt->max_live_answers);
	}
	for (size_t i = 0; i < opt->nzone_files; i++)
		if ((rc = zonedb_load(d->zones, opt->zone_files[i], err)) != R_OK)
			goto fail;
	for (size_t i = 0; i < opt->naxfr; i++)
		if ((rc = zonedb_axfr(d->zones, opt->axfr[i], err)) != R_OK)
			goto fail;
	if ((rc = zonedb_seal(d->zones, err)) != R_OK)
		goto fail;
	*out = d;
	return R_OK;
fail:
	dns_free(d);
	return rc;
}

void dns_free(struct dns *d)
{
	if (d == NULL)
		return;
	zonedb_free(d->zones);
	live_free(d->live);
	free(d->answers);
	free(d->seen);
	memo_clear(d);
	for (size_t i = 0; i < d->strs.cap; i++)
		free(d->strs.v[i].s);
	free(d->strs.v);
	buf_free(&d->scratch);
	free(d);
}

void dns_live_counts(const struct dns *d, size_t *asked, size_t *answered)
{
	*asked = *answered = 0;
	if (d->live)
		live_counts(d->live, asked, answered);
}

void dns_live_cache(const struct dns *d, size_t *cached, size_t *evicted, size_t *reasked)
{
	*cached = *evicted = *reasked = 0;
	if (d->live)
		live_cache_stats(d->live, cached, evicted, reasked);
}

void dns_live_stats(const struct dns *d, size_t *retried, int *window)
{
	*retried = 0;
	*window = 0;
	if (d->live)
		live_stats(d->live, retried, window);
}

size_t dns_answers(const struct dns *d, const struct dns_answer **out)
{
	if (out)
		*out = d->answers;
	return d->nanswers;
}

const char *dns_intern(struct dns *d, const char *s)
{
	return intern(&d->strs, s);
}

void dns_forget_answers(struct dns *d)
{
	memo_clear(d); /* its elements name answers by their place in the log */
	d->nanswers = 0;
	free(d->seen);
	d->seen = NULL;
	d->nseen = d->capseen = 0;
	/* The names and texts the log and the paths held: the caller has cleared
	 * the paths (the contract), so memory stays flat over a stream of names. */
	for (size_t i = 0; i < d->strs.cap; i++)
		free(d->strs.v[i].s);
	free(d->strs.v);
	memset(&d->strs, 0, sizeof(d->strs));
	d->last_resolver = NULL;
	d->last_file = NULL;
}

static const char *type_name(uint16_t t)
{
	switch (t) {
	case LDNS_RR_TYPE_A:
		return "A";
	case LDNS_RR_TYPE_AAAA:
		return "AAAA";
	case LDNS_RR_TYPE_CNAME:
		return "CNAME";
	case LDNS_RR_TYPE_NS:
		return "NS";
	case LDNS_RR_TYPE_MX:
		return "MX";
	}
	return "?";
}

static int log_answer(struct dns *d, const char *name, uint16_t type, struct zone_answer *ans,
		      bool from_zone);

/*
 * Asks the zones (for the names they cover) or the resolvers, and logs the
 * answer; returns its index in the log, or -1 (pending, or not logged as below:
 * ans->rcode then says which). Every answer
 * a path uses is kept as evidence: one that cannot be logged (the log's bound,
 * an answer's text over its cap, out of memory) is not used, and says so as
 * too_big (or error), never as the records it had.
 */
static int ask(struct dns *d, const char *name, uint16_t type, struct zone_answer *ans)
{
	bool from_zone = d->live == NULL || zonedb_zone_of(d->zones, name, NULL) != NULL;

	if (from_zone)
		zonedb_query(d->zones, name, type, ans);
	else
		live_query(d->live, name, type, ans);
	if (ans->pending)
		return -1;
	int ai = log_answer(d, name, type, ans, from_zone);
	if (ai < 0) {
		zone_answer_clear(ans);
		ans->rcode = ai == -1 ? DNS_TOOBIG : DNS_ERROR;
		d->oom += ai != -1;
		ans->cname = false;
		return -1;
	}
	return ai;
}

/* The answer's index in the log (logged now when new); -1 past a bound, -2 out of memory. */
static int log_answer(struct dns *d, const char *name, uint16_t type, struct zone_answer *ans,
		      bool from_zone)
{
	/* The log keeps its own copies: the live cache lends its strings only
	 * until it evicts the answer. */
	const char *key = intern(&d->strs, name);
	if (key == NULL)
		return -2;
	struct seen *known = seen_find(d, key, type);
	if (known && known->serial == ans->serial)
		return (int)known->index;
	if (d->nanswers >= d->max_answers)
		return -1;
	if (d->nanswers == d->capanswers) {
		size_t ncap = d->capanswers ? d->capanswers * 2 : 256;
		struct dns_answer *v = realloc(d->answers, ncap * sizeof(*v));
		if (v == NULL)
			return -2;
		d->answers = v;
		d->capanswers = ncap;
	}
	struct dns_answer *a = &d->answers[d->nanswers];
	if (d->last_resolver == NULL || d->last_file != ans->file ||
	    d->last_from_zone != from_zone) {
		/* "zone:FILE" whole, however long the file's path */
		const char *file = ans->file ? ans->file : "-";
		size_t len = strlen(file) + 6;
		char *resolver = malloc(len);
		if (resolver == NULL)
			return -2;
		snprintf(resolver, len, "%s%s", from_zone ? "zone:" : "", file);
		d->last_resolver = intern(&d->strs, resolver);
		free(resolver);
		if (d->last_resolver == NULL)
			return -2;
		d->last_file = ans->file;
		d->last_from_zone = from_zone;
	}
	a->type = type_name(type);
	a->rcode = ans->rcode;
	a->resolver = d->last_resolver;
	if (ans->data && ans->asked) {
		/* A live answer: its text as the cache wrote it, and when it came. */
		a->name = key;
		a->data = intern(&d->strs, ans->data);
		a->ttl = ans->ttl;
		a->when = ans->when;
	} else {
		buf_reset(&d->scratch);
		a->ttl = 0;
		for (size_t i = 0; i < ans->n; i++) {
			if ((i && buf_add(&d->scratch, "\n", 1) != R_OK) ||
			    buf_add(&d->scratch, ans->rr[i]->text, strlen(ans->rr[i]->text)) !=
				R_OK)
				return -1;
			if (i == 0 || ans->rr[i]->ttl < a->ttl)
				a->ttl = ans->rr[i]->ttl;
		}
		a->name = key;
		a->data = intern(&d->strs, d->scratch.data ? d->scratch.data : "");
		clock_gettime(CLOCK_REALTIME, &a->when);
	}
	if (a->name == NULL || a->data == NULL || a->resolver == NULL)
		return -2;
	if (known) { /* asked again: this answer is the one paths use from now on */
		known->index = (uint32_t)d->nanswers;
		known->serial = ans->serial;
	} else if (!seen_add(d, key, type, (uint32_t)d->nanswers, ans->serial)) {
		return -2;
	}
	return (int)d->nanswers++;
}

/* Keeps the first failure of a path (a cut path stays too_big). */
static void fail(struct path *p, enum dns_status s)
{
	if (p->status == DNS_OK)
		p->status = s;
}

/* snprintf(dst, size, "%s", src) without the formatting machinery. */
static void copy_name(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Appends an element whose name the dns object already owns for its whole
 * life (an interned string, a record of a loaded zone or of the live cache);
 * its index, or -1 when it cannot. */
static int add_kept(struct dns *d, struct path *p, enum path_kind kind, const char *name,
		    int parent, enum dns_status status, int answer)
{
	if (p->n >= PATH_MAX_ELEMS) {
		/* Never a shorter path that looks whole: the element that could not
		 * grow says so, and so does the path, whatever failed before. */
		d->add_failures++;
		if (parent >= 0)
			p->elems[parent].status = DNS_TOOBIG;
		p->status = DNS_TOOBIG;
		return -1;
	}
	if (name == NULL) { /* out of memory: the parent cannot be said whole */
		d->add_failures++;
		d->oom++;
		if (parent >= 0 && p->elems[parent].status == DNS_OK)
			p->elems[parent].status = DNS_ERROR;
		fail(p, DNS_ERROR);
		return -1;
	}
	if (p->n >= p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 8;
		while (ncap <= p->n)
			ncap *= 2;
		struct path_elem *v = realloc(p->elems, ncap * sizeof(*v));
		if (v == NULL) {
			d->add_failures++;
			d->oom++;
			if (parent >= 0 && p->elems[parent].status == DNS_OK)
				p->elems[parent].status = DNS_ERROR;
			fail(p, DNS_ERROR);
			return -1;
		}
		p->elems = v;
		p->cap = ncap;
	}
	struct path_elem *e = &p->elems[p->n];
	e->kind = kind;
	e->name = name;
	e->addr.family = 0;
	e->zone = "";
	e->parent = parent;
	e->status = status;
	e->answer = answer;
	return (int)p->n++;
}

/* Appends an element named by a string of the caller's (interned here). */
static int add(struct dns *d, struct path *p, enum path_kind kind, const char *name, int parent,
	       enum dns_status status, int answer)
{
	const char *kept = intern(&d->strs, name);
	if (kept == NULL) {
		d->add_failures++;
		return -1;
	}
	return add_kept(d, p, kind, kept, parent, status, answer);
}

/* Appends an element named by the target of record i of an answer: a zone's
 * record lives as long as the dns object, a live one only until the cache
 * evicts it (the path then keeps an interned copy). */
static int add_target(struct dns *d, struct path *p, const struct zone_answer *ans, size_t i,
		      enum path_kind kind, int parent, enum dns_status status, int answer)
{
	if (ans->borrowed)
		return add(d, p, kind, ans->rr[i]->target, parent, status, answer);
	return add_kept(d, p, kind, ans->rr[i]->target, parent, status, answer);
}

/* A and AAAA of a host: one ADDRESS element each, under element `at`. Returns
 * the status of the host: ok when both questions were answered and at least
 * one address came; incomplete when addresses came but the other question got
 * no answer (timeout, SERVFAIL, ...): the host may have addresses not seen;
 * too_big when they did not all fit in the path. Without addresses, a question
 * that got no answer wins over NXDOMAIN and NODATA: not knowing is not "none". */
static enum dns_status addresses(struct dns *d, struct path *p, const char *host, int at)
{
	static const uint16_t types[] = {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA};
	enum dns_status unanswered = DNS_OK;
	bool nxdomain = false;
	size_t found = 0;
	const char *kept = p->elems[at].name; /* host, as the path already keeps it */

	for (int t = 0; t < 2; t++) {
		struct zone_answer ans;
		int ai = ask(d, host, types[t], &ans);
		if (ans.rcode == DNS_OK && !ans.cname) {
			for (size_t i = 0; i < ans.n; i++) {
				int e = add_kept(d, p, PATH_ADDRESS, kept, at, DNS_OK, ai);
				if (e < 0)
					break;
				p->elems[e].addr = ans.rr[i]->addr;
				found++;
			}
		} else if (ans.rcode == DNS_NXDOMAIN) {
			nxdomain = true;
		} else if (ans.rcode == DNS_TOOBIG) {
			unanswered = DNS_TOOBIG; /* a bound, never just incomplete */
		} else if (ans.rcode == DNS_OK && ans.cname) {
			/* a name server or mail host that is a CNAME (not allowed, yet
			 * seen): its addresses are not followed from here */
			if (unanswered == DNS_OK)
				unanswered = DNS_INCOMPLETE;
		} else if (ans.rcode != DNS_NODATA && unanswered == DNS_OK) {
			unanswered = ans.rcode;
		}
		zone_answer_clear(&ans);
	}
	if (p->elems[at].status == DNS_TOOBIG || p->elems[at].status == DNS_ERROR)
		return p->elems[at].status; /* set by add_kept: not all addresses are here */
	if (unanswered != DNS_OK)
		return found && unanswered != DNS_TOOBIG ? DNS_INCOMPLETE : unanswered;
	/* (a CNAME alone: DNS_INCOMPLETE above, with nothing found) */
	return found ? DNS_OK : nxdomain ? DNS_NXDOMAIN : DNS_NODATA;
}

/* Appends a memo's elements under element `at`; false when they do not fit
 * (the caller then builds the part by asking, as without a memo). */
static bool from_memo(struct path *p, const struct nsmemo *m, int at)
{
	if (p->n + m->n >= PATH_MAX_ELEMS)
		return false;
	if (p->n + m->n > p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 8;
		while (ncap < p->n + m->n)
			ncap *= 2;
		struct path_elem *v = realloc(p->elems, ncap * sizeof(*v));
		if (v == NULL)
			return false;
		p->elems = v;
		p->cap = ncap;
	}
	int base = (int)p->n;
	for (size_t k = 0; k < m->n; k++) {
		struct path_elem *e = &p->elems[p->n++];
		*e = m->elems[k];
		e->parent = e->parent < 0 ? at : base + e->parent;
	}
	if (m->first_fail != DNS_OK)
		fail(p, m->first_fail);
	return true;
}

/* Name servers of the zone holding `name`, once per zone per path. */
static void name_servers(struct dns *d, struct path *p, const char *name, int at)
{
	const char *file;
	const char *apex = zonedb_zone_of(d->zones, name, &file);
	enum dns_status why = DNS_OK;
	if (apex == NULL && d->live)
		apex = live_zone_of(d->live, name, &why);

	if (apex == NULL) {
		if (d->live == NULL)
			return; /* offline: the name itself is no_zone, already a failure */
		/*
		 * The zone of a resolved name could not be found (its SOA question
		 * failed), so its name servers are unknown: an NS element with no
		 * zone says so, never a path without its name-server part. While
		 * the answer is pending (why ok) the path is built again anyway.
		 */
		enum dns_status s = why == DNS_OK ? DNS_ERROR : why;
		add(d, p, PATH_NS, name, at, s, -1);
		fail(p, s);
		return;
	}
	const struct sslot *slot = intern_slot(&d->strs, apex);
	if (slot == NULL) {
		d->oom++;
		fail(p, DNS_ERROR);
		return;
	}
	const char *zone = slot->s;
	const struct nsmemo *m = memo_of(d, slot);
	for (size_t i = 0; i < p->n; i++)
		if (p->elems[i].kind == PATH_NS && p->elems[i].zone == zone) /* both interned */
			return;
	if (m && from_memo(p, m, at))
		return;
	size_t start = p->n, hits = d->live ? live_pending_hits(d->live) : 0;
	size_t add_failures = d->add_failures;
	enum dns_status first_fail = DNS_OK;
	struct zone_answer ans;
	int ai = ask(d, apex, LDNS_RR_TYPE_NS, &ans);
	if (ans.rcode != DNS_OK || ans.n == 0) {
		/* A zone with no name servers cannot be judged: say so. */
		int e = add_kept(d, p, PATH_NS, zone, at,
				 ans.rcode == DNS_OK ? DNS_NODATA : ans.rcode, ai);
		if (e >= 0)
			p->elems[e].zone = zone;
		first_fail = p->elems[e >= 0 ? e : 0].status;
		fail(p, first_fail);
	} else {
		for (size_t i = 0; i < ans.n; i++) {
			int e = add_target(d, p, &ans, i, PATH_NS, at, DNS_OK, ai);
			if (e < 0)
				continue;
			p->elems[e].zone = zone;
			enum dns_status s = addresses(d, p, ans.rr[i]->target, e);
			p->elems[e].status = s;
			if (s != DNS_OK) {
				if (first_fail == DNS_OK)
					first_fail = s;
				fail(p, s);
			}
		}
	}
	zone_answer_clear(&ans);
	/* Only a part made whole from answers all known is kept. */
	if (m == NULL && d->add_failures == add_failures &&
	    (d->live == NULL || live_pending_hits(d->live) == hits))
		memo_add(d, zone, p, start, at, first_fail);
}

static void mail_hosts(struct dns *d, struct path *p, int root)
{
	struct zone_answer ans;
	int ai = ask(d, p->root, LDNS_RR_TYPE_MX, &ans);

	if (ans.rcode != DNS_OK || ans.cname || ans.n == 0) {
		/* A mail domain with no MX: no mail path to judge, and that is unknown. */
		int e = add(d, p, PATH_MX, p->root, root,
			    ans.rcode == DNS_OK ? DNS_NODATA : ans.rcode, ai);
		fail(p, e >= 0 ? p->elems[e].status : DNS_ERROR);
		zone_answer_clear(&ans);
		return;
	}
	for (size_t i = 0; i < ans.n; i++) {
		int e = add_target(d, p, &ans, i, PATH_MX, root, DNS_OK, ai);
		if (e < 0)
			continue;
		enum dns_status s = addresses(d, p, ans.rr[i]->target, e);
		p->elems[e].status = s;
		if (s != DNS_OK)
			fail(p, s);
		/* its zone's name servers get the mail's queries, whatever its own answer */
		if (s != DNS_NOZONE)
			name_servers(d, p, ans.rr[i]->target, e);
	}
	zone_answer_clear(&ans);
}

static void build(struct dns *d, const char *name, bool mx, struct path *p)
{
	char canon[300];
	int at;

	/* The element array stays: a path built again in the next round reuses it. */
	struct path_elem *keep_elems = p->elems;
	size_t keep_cap = p->cap;
	memset(p, 0, sizeof(*p));
	p->elems = keep_elems;
	p->cap = keep_cap;
	if (!zone_canon(name, canon, sizeof(canon))) {
		snprintf(p->root, sizeof(p->root), "%.255s", name);
		add(d, p, PATH_NAME, p->root, -1, DNS_ERROR, -1);
		p->status = DNS_ERROR;
		return;
	}
	snprintf(p->root, sizeof(p->root), "%.255s", canon);
	at = add(d, p, PATH_NAME, canon, -1, DNS_OK, -1);
	if (at < 0) { /* out of memory: nothing can be said of this name */
		p->status = DNS_ERROR;
		return;
	}
	char cur[300]; /* a copy: p->elems moves as the path grows */
	copy_name(cur, sizeof(cur), p->root);
	for (int hops = 0;; hops++) {
		struct zone_answer ans;
		int ai = ask(d, cur, LDNS_RR_TYPE_A, &ans);
		p->elems[at].answer = ai;
		if (ans.rcode == DNS_OK && ans.cname) {
			const char *target = ans.rr[0]->target;
			bool loop = false;
			for (size_t i = 0; i < p->n; i++)
				if (p->elems[i].kind == PATH_NAME &&
				    strcmp(p->elems[i].name, target) == 0)
					loop = true;
			name_servers(d, p, cur, at);
			if (loop || hops + 1 > PATH_MAX_HOPS) {
				enum dns_status s = loop ? DNS_LOOP : DNS_TOOLONG;
				int e = add_target(d, p, &ans, 0, PATH_NAME, at, s, ai);
				if (e >= 0 || p->elems[at].status != DNS_TOOBIG)
					p->elems[e >= 0 ? e : at].status = s;
				fail(p, s);
				zone_answer_clear(&ans);
				break;
			}
			int e = add_target(d, p, &ans, 0, PATH_NAME, at, DNS_OK, ai);
			zone_answer_clear(&ans);
			if (e < 0) {
				fail(p, DNS_ERROR);
				break;
			}
			at = e;
			copy_name(cur, sizeof(cur), p->elems[at].name);
			continue;
		}
		zone_answer_clear(&ans);
		/* The end of the chain: its addresses and its zone's name servers. */
		enum dns_status s = addresses(d, p, cur, at);
		p->elems[at].status = s;
		/* A mail domain needs no address of its own: its MX hosts carry mail. */
		if (s != DNS_OK && !(mx && at == 0 && s == DNS_NODATA))
			fail(p, s);
		if (s != DNS_NOZONE)
			name_servers(d, p, cur, at);
		break;
	}
	if (mx)
		mail_hosts(d, p, 0);
}

/* A finished path keeps no spare elements (many paths are held at once). */
static void fit(struct path *p)
{
	if (p->n == 0 || p->n == p->cap)
		return;
	struct path_elem *v = realloc(p->elems, p->n * sizeof(*v));
	if (v) {
		p->elems = v;
		p->cap = p->n;
	}
}

/* Paths built while memory ran out hold errors no policy should weigh: the
 * caller cannot complete (exit 3), never judges them. */
static enum rstatus oom_check(const struct dns *d, size_t before, struct rerr *err)
{
	if (d->oom == before)
		return R_OK;
	return rerr_set(err, R_ENOMEM, NULL, 0,
			"out of memory while building data paths: they are not complete");
}

enum rstatus dns_resolve_paths(struct dns *d, const char *const *names, const bool *want_mx,
			       size_t n, struct path *paths, struct rerr *err)
{
	size_t oom_before = d->oom;
	if (n > 0) /* build() reuses a path's element array */
		memset(paths, 0, n * sizeof(*paths));
	if (d->live == NULL) {
		for (size_t i = 0; i < n; i++) {
			build(d, names[i], want_mx && want_mx[i], &paths[i]);
			fit(&paths[i]);
		}
		return oom_check(d, oom_before, err);
	}
	/*
	 * Rounds: build every unfinished path from what is known; a path that
	 * needed an answer not yet known is thrown away (with the answers it
	 * logged) and built again after the queue of questions is flushed, all at
	 * once. Each round ends at least one question of every unfinished path.
	 */
	bool *done = calloc(n ? n : 1, sizeof(*done));
	if (done == NULL) {
		for (size_t i = 0; i < n; i++)
			build(d, names[i], want_mx && want_mx[i], &paths[i]);
		return oom_check(d, oom_before, err);
	}
	live_batch(d->live, true);
	for (size_t left = n; left > 0;) {
		for (size_t i = 0; i < n; i++) {
			if (done[i])
				continue;
			size_t hits = live_pending_hits(d->live);
			build(d, names[i], want_mx && want_mx[i], &paths[i]);
			if (live_pending_hits(d->live) == hits) {
				done[i] = true;
				left--;
				fit(&paths[i]);
			} else {
				/* Built again next round, in the same array. The answers it
				 * logged stay: each is a real answer, logged once. */
				paths[i].n = 0;
			}
		}
		if (left > 0 && live_queued(d->live) == 0) {
			/* Nothing left to ask yet paths wait: never spin. What is still
			 * unknown stays an error in those paths, never a pass. */
			log_warnx("dns: %zu paths wait for answers no question will bring", left);
			for (size_t i = 0; i < n; i++)
				if (!done[i])
					build(d, names[i], want_mx && want_mx[i], &paths[i]);
			break;
		}
		live_flush(d->live);
	}
	live_batch(d->live, false);
	free(done);
	/* The answers of each zone's name-server part are used through the memo,
	 * never asked of the cache again: they are the most used of all, and go
	 * last (else each batch after dns_forget_answers() asked them again). */
	for (size_t m = 0; m < d->nmemo; m++) {
		live_touch(d->live, d->memo[m].zone, LDNS_RR_TYPE_NS);
		for (size_t k = 0; k < d->memo[m].n; k++)
			if (d->memo[m].elems[k].kind == PATH_NS) {
				live_touch(d->live, d->memo[m].elems[k].name, LDNS_RR_TYPE_A);
				live_touch(d->live, d->memo[m].elems[k].name, LDNS_RR_TYPE_AAAA);
			}
	}
	live_trim(d->live); /* the paths and the log keep copies of what they use */
	return oom_check(d, oom_before, err);
}

struct match_ctx {
	const char *suffix; /* ".pay.example.com." for "*.pay.example.com" */
	const char *exact;
	char **v;
	size_t n, cap;
	bool oom;
};

static void match(void *vctx, const char *name)
{
	struct match_ctx *c = vctx;
	size_t nl = strlen(name);

	if (c->exact) {
		if (strcmp(name, c->exact) != 0)
			return;
	} else {
		size_t sl = strlen(c->suffix);
		if (nl <= sl || strcmp(name + nl - sl, c->suffix) != 0)
			return;
	}
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 16;
		char **v = realloc(c->v, ncap * sizeof(*v));
		if (v == NULL) {
			c->oom = true;
			return;
		}
		c->v = v;
		c->cap = ncap;
	}
	if ((c->v[c->n] = strdup(name)) == NULL)
		c->oom = true;
	else
		c->n++;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum rstatus dns_zone_names(const struct dns *d, const char *pattern, char ***out, size_t *n,
			    struct rerr *err)
{
	struct match_ctx c = {0};
	char canon[300], suffix[300];

	*out = NULL;
	*n = 0;
	if (strncmp(pattern, "*.", 2) == 0) {
		if (!zone_canon(pattern + 2, canon, sizeof(canon)))
			return rerr_set(err, R_EINPUT, pattern, 0, "not a valid name pattern");
		snprintf(suffix, sizeof(suffix), ".%.290s", canon);
		c.suffix = suffix;
	} else {
		if (strchr(pattern, '*') || !zone_canon(pattern, canon, sizeof(canon)))
			return rerr_set(
			    err, R_EINPUT, pattern, 0,
			    "not a valid name or pattern (a pattern starts with \"*.\")");
		c.exact = canon;
	}
	zonedb_names(d->zones, match, &c);
	if (c.oom) {
		dns_names_free(c.v, c.n);
		return rerr_set(err, R_ENOMEM, pattern, 0, "out of memory");
	}
	if (c.n > 1)
		qsort(c.v, c.n, sizeof(*c.v), str_cmp);
	*out = c.v;
	*n = c.n;
	return R_OK;
}

void dns_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
