/*
 * path: the data path of a name, built from answers: the CNAME chain hop by
 * hop (16 hops at most, loops detected), every A and AAAA at its end, the name
 * servers of the zone of each name on the chain with their addresses, and MX
 * hosts with theirs when asked. Every answer used is logged for evidence.
 *
 * Names a loaded zone covers are answered from it; the rest go to resolvers
 * through c-ares (live.c), unless --offline, where they are no_zone. The
 * dns object, its answer log and interned strings are dns.c's; this file
 * asks, builds, and keeps each zone's name-server part (the memo) for the
 * next paths. It never judges a path and never passes one built without
 * memory as whole.
 */
#include "dns/internal.h"
#include "core/log.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The name server part kept for the zone of a string slot, or NULL. */
static const struct nsmemo *memo_of(const struct dns *d, const struct sslot *slot)
{
	if (slot->memo == 0 || slot->memo > d->nmemo)
		return NULL;
	const struct nsmemo *m = &d->memo[slot->memo - 1];
	return m->zone == slot->s ? m : NULL; /* else a slot from before dns_memo_clear() */
}

/* Keeps the elements of p from `start` on (the name server part of zone, under
 * element `at`) for the next paths; out of memory only means no memo. */
static void memo_add(struct dns *d, const char *zone, const struct path *p, size_t start, int at,
		     enum dns_status first_fail)
{
	size_t n = p->n - start;
	struct sslot *slot = dns_intern_slot(&d->strs, zone);

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

void path_clear(struct path *p)
{
	if (p == NULL)
		return;
	free(p->elems);
	memset(p, 0, sizeof(*p));
}

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
	int ai = dns_log_answer(d, name, type, ans, from_zone);
	if (ai < 0) {
		zone_answer_clear(ans);
		ans->rcode = ai == -1 ? DNS_TOOBIG : DNS_ERROR;
		d->oom += ai != -1;
		ans->cname = false;
		return -1;
	}
	return ai;
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
	/* A name that could not be kept (out of memory) is add_kept()'s NULL:
	 * counted as such, and the parent and the path say they are not whole.
	 * Before, the element was dropped with neither (found by test_judge). */
	return add_kept(d, p, kind, dns_intern(d, name), parent, status, answer);
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
	const struct sslot *slot = dns_intern_slot(&d->strs, apex);
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
