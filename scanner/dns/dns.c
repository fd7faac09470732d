/*
 * dns: the dns object (dns.h) that path building works on: the zones loaded,
 * the live resolver (or none with --offline), the log of every answer a path
 * used (the evidence, each distinct answer once, bounded), and the interned
 * strings the log and the paths point into. Also the names of statuses and
 * element kinds, and the names a loaded zone holds (dns_zone_names()).
 *
 * It sits under path.c, which asks and builds; it never builds a path, and an
 * answer it cannot log (a bound, out of memory) is reported, never dropped in
 * silence: the caller then uses it as too_big or error.
 */
#include "dns/internal.h"
#include "core/hash.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DNS_MAX_ANSWERS 50000000u

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
struct sslot *dns_intern_slot(struct strset *t, const char *s)
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
	struct sslot *slot = dns_intern_slot(t, s);
	return slot ? slot->s : NULL;
}

void dns_memo_clear(struct dns *d)
{
	for (size_t i = 0; i < d->nmemo; i++)
		free(d->memo[i].elems);
	free(d->memo);
	d->memo = NULL;
	d->nmemo = d->capmemo = 0;
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
	dns_memo_clear(d);
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
	dns_memo_clear(d); /* its elements name answers by their place in the log */
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
/* The answer's index in the log (logged now when new); -1 past a bound, -2 out of memory. */
int dns_log_answer(struct dns *d, const char *name, uint16_t type, struct zone_answer *ans,
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
