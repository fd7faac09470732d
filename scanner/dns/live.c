/*
 * live: questions to resolvers through c-ares, many in flight at once.
 *
 * Questions go into a queue; live_flush() sends them with at most `window`
 * in flight (ares_fds / ares_timeout / ares_process in a select loop) and
 * parses every answer, raw (ARES_FLAG_NOCHECKRESP), with ldns. The window is
 * adaptive: it grows by one per window of clean answers up to the configured
 * maximum and halves when a question needed a retry (a drop on loopback means
 * the receive buffer or the server is full; PERFORMANCE-NOTES).
 *
 * c-ares's sockets move datagrams in batches (udpbatch.c: one sendmmsg for
 * what a turn of the loop sent, recvmmsg for what came back), and the usual
 * records are written as text by rrtext.c rather than ldns's printf per byte:
 * at a hundred thousand questions a second both cost more than c-ares.
 *
 * Answers go into the cache of livecache.c (its bound, eviction and re-ask
 * counting live there); this file asks, parses and fills entries.
 *
 * In batch mode a question not yet answered is queued and reported as pending
 * instead of waited for: dns_resolve_paths() builds every path, flushes the
 * whole queue at once, and builds again until no path waits (one round per
 * level of the path: chain hop, zone, name servers, their addresses).
 */
#include "dns/live.h"
#include "dns/livecache.h"
#include "dns/rrtext.h"
#include "dns/udpbatch.h"
#include "core/log.h"

#include <ares.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>

#define LIVE_MIN_WINDOW 8
#define LIVE_DEFAULT_INFLIGHT 500

struct question {
	struct live *l;
	uint16_t type;
	const char *name; /* in its entry's key */
};

struct live {
	ares_channel ch;
	struct udpbatch *ub;	 /* datagrams in batches (udpbatch.h) */
	size_t asked, answered;	 /* questions sent, and those any resolver answered */
	size_t retried;		 /* questions that needed more than one try */
	char servers[4096];	 /* the list given, comma separated; longer is refused */
	struct livecache c;	 /* the answers (livecache.h) */
	uint32_t serials;	 /* fills of entries, numbered from 1 */
	struct question **queue; /* waiting to be sent */
	size_t nqueue, capqueue;
	int inflight, max_inflight, clean;
	double window, last_cut;
	int timeout_ms;
	bool batch, cut_once;
	const volatile sig_atomic_t *stop;
	uint32_t gen;	     /* answers absorbed, numbered from 1 */
	size_t pending_hits; /* batch mode: answers not yet known, asked for */
};

static int configure(ares_socket_t fd, int type, void *arg)
{
	int size = 4 * 1024 * 1024; /* PERFORMANCE-NOTES: drops at the default 208 KB */
	(void)type;
	(void)arg;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return 0;
}

enum rstatus live_new(const char **resolvers, size_t n, int timeout_ms, int tries, int max_inflight,
		      struct live **out, struct rerr *err)
{
	struct live *l = calloc(1, sizeof(*l));
	struct ares_options o;
	int st;
	static bool inited;

	*out = NULL;
	if (l == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	if (!inited) {
		ares_library_init(ARES_LIB_INIT_ALL);
		inited = true;
	}
	memset(&o, 0, sizeof(o));
	o.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
	o.timeout = timeout_ms > 0 ? timeout_ms : 2000;
	o.tries = tries > 0 ? tries : 2;
	st = ares_init_options(&l->ch, &o, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
	if (st != ARES_SUCCESS) {
		free(l);
		return rerr_set(err, R_EDNS, NULL, 0, "cannot start c-ares: %s", ares_strerror(st));
	}
	ares_set_socket_configure_callback(l->ch, configure, NULL);
	if ((l->ub = udpbatch_new()) == NULL) {
		ares_destroy(l->ch);
		free(l);
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	}
	udpbatch_install(l->ub, l->ch);
	if (n > 0) {
		size_t used = 0;
		for (size_t i = 0; i < n; i++) {
			int w = snprintf(l->servers + used, sizeof(l->servers) - used, "%s%s",
					 i ? "," : "", resolvers[i]);
			if (w < 0 || (size_t)w >= sizeof(l->servers) - used) {
				/* Never a shorter list, or a cut address that still parses. */
				ares_destroy(l->ch);
				udpbatch_free(l->ub);
				free(l);
				return rerr_set(err, R_ELIMIT, resolvers[i], 0,
						"the resolver list is longer than %zu characters: "
						"give fewer resolvers",
						sizeof(l->servers) - 1);
			}
			used += (size_t)w;
		}
		if ((st = ares_set_servers_ports_csv(l->ch, l->servers)) != ARES_SUCCESS) {
			ares_destroy(l->ch);
			udpbatch_free(l->ub);
			free(l);
			return rerr_set(
			    err, R_EUSAGE, NULL, 0,
			    "bad --resolver list \"%s\" (ADDR[:PORT], comma separated): %s",
			    resolvers[0], ares_strerror(st));
		}
	} else {
		snprintf(l->servers, sizeof(l->servers), "system resolvers");
	}
	l->timeout_ms = o.timeout;
	l->max_inflight = max_inflight > 0 ? max_inflight : LIVE_DEFAULT_INFLIGHT;
	l->window = l->max_inflight < 64 ? l->max_inflight : 64;
	if (!livecache_init(&l->c)) {
		live_free(l);
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	}
	*out = l;
	return R_OK;
}

void live_free(struct live *l)
{
	if (l == NULL)
		return;
	if (l->ch)
		ares_destroy(l->ch); /* calls back every question in flight: they free themselves */
	udpbatch_free(l->ub);
	for (size_t i = 0; i < l->nqueue; i++)
		free(l->queue[i]);
	free(l->queue);
	livecache_free(&l->c);
	free(l);
}

void live_counts(const struct live *l, size_t *asked, size_t *answered)
{
	*asked = l->asked;
	*answered = l->answered;
}

void live_stats(const struct live *l, size_t *retried, int *window)
{
	*retried = l->retried;
	*window = (int)l->window;
}

void live_set_max_records(struct live *l, size_t max)
{
	l->c.max_records = max > 0 && max < LIVE_MAX_RECORDS ? max : LIVE_MAX_RECORDS;
}

const char *live_resolvers(const struct live *l)
{
	return l->servers;
}

void live_trim(struct live *l)
{
	livecache_trim(&l->c);
}

void live_touch(struct live *l, const char *name, uint16_t type)
{
	char key[300];
	bool found;
	livecache_key(key, sizeof(key), type, name);
	livecache_find(&l->c, key, &found); /* found: now the most recently used */
}

void live_set_max_entries(struct live *l, size_t max)
{
	livecache_set_max_entries(&l->c, max);
}

void live_cache_stats(const struct live *l, size_t *cached, size_t *evicted, size_t *reasked)
{
	*cached = l->c.nlive;
	*evicted = l->c.evicted;
	*reasked = l->c.reasked;
}

static bool canon_buf(const ldns_rdf *rdf, char *buf, size_t size)
{
	char text[RRTEXT_NAME_MAX];
	if (ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_DNAME &&
	    rrtext_name(ldns_rdf_data(rdf), ldns_rdf_size(rdf), text, sizeof(text)))
		return zone_canon(text, buf, size);
	char *s = ldns_rdf2str(rdf); /* what rrtext does not write */
	if (s == NULL)
		return false;
	bool ok = zone_canon(s, buf, size);
	free(s);
	return ok;
}

/* A name, canonical, in the arena (NULL when unreadable). */
static char *canon_arena(struct live *l, const ldns_rdf *rdf)
{
	char buf[300];
	return canon_buf(rdf, buf, sizeof(buf)) ? livecache_str(&l->c, buf, strlen(buf)) : NULL;
}

/* Keeps one record of an answer; NULL when it cannot be read (*toolong: a
 * name legal on the wire is longer than residency keeps as text, with its
 * \DDD escapes). */
static struct zone_rr *keep(struct live *l, const ldns_rr *rr, bool *toolong)
{
	if (l->c.nrecs >= l->c.max_records)
		return NULL;
	struct zone_rr *z = livecache_alloc(&l->c, sizeof(*z));
	if (z == NULL)
		return NULL;
	memset(z, 0, sizeof(*z));
	l->c.nrecs++;
	l->c.blk->nrecs++;
	z->type = (uint16_t)ldns_rr_get_type(rr);
	z->ttl = ldns_rr_ttl(rr);
	z->owner = canon_arena(l, ldns_rr_owner(rr));
	char fast[2 * RRTEXT_NAME_MAX + 64];
	size_t n;
	if (rrtext_record(rr, fast, sizeof(fast), &n)) {
		z->text = livecache_str(&l->c, fast, n);
	} else {
		char *text = ldns_rr2str(rr); /* what rrtext does not write */
		if (text) {
			n = strlen(text);
			if (n && text[n - 1] == '\n')
				n--;
			z->text = livecache_str(&l->c, text, n);
			free(text);
		}
	}
	const ldns_rdf *d0 = ldns_rr_rdf(rr, 0);
	if (z->type == LDNS_RR_TYPE_A || z->type == LDNS_RR_TYPE_AAAA) {
		if (d0)
			addr_from_bytes(&z->addr, ldns_rdf_data(d0), ldns_rdf_size(d0));
	} else if ((z->type == LDNS_RR_TYPE_CNAME || z->type == LDNS_RR_TYPE_NS) && d0) {
		z->target = canon_arena(l, d0);
	} else if (z->type == LDNS_RR_TYPE_MX && d0 && ldns_rr_rdf(rr, 1)) {
		z->pref = ldns_rdf2native_int16(d0);
		z->target = canon_arena(l, ldns_rr_rdf(rr, 1));
	}
	*toolong |= z->owner == NULL || (z->target == NULL && (z->type == LDNS_RR_TYPE_CNAME ||
							       z->type == LDNS_RR_TYPE_NS ||
							       z->type == LDNS_RR_TYPE_MX));
	bool usable =
	    z->owner && z->text &&
	    ((z->type != LDNS_RR_TYPE_A && z->type != LDNS_RR_TYPE_AAAA) || z->addr.family) &&
	    ((z->type != LDNS_RR_TYPE_CNAME && z->type != LDNS_RR_TYPE_NS &&
	      z->type != LDNS_RR_TYPE_MX) ||
	     z->target);
	return usable ? z : NULL; /* owned either way, by the arena */
}

static bool push(const struct zone_rr ***v, size_t *n, const struct zone_rr *r)
{
	const struct zone_rr **nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (nv == NULL)
		return false;
	nv[(*n)++] = r;
	*v = nv;
	return true;
}

static enum dns_status rcode_of(const ldns_pkt *p)
{
	switch (ldns_pkt_get_rcode(p)) {
	case LDNS_RCODE_NOERROR:
		return DNS_NODATA; /* until a record of the type asked is found */
	case LDNS_RCODE_NXDOMAIN:
		return DNS_NXDOMAIN;
	case LDNS_RCODE_SERVFAIL:
		return DNS_SERVFAIL;
	case LDNS_RCODE_REFUSED:
		return DNS_REFUSED;
	default:
		return DNS_ERROR;
	}
}

/* The zone apex an answer names: the owner of an SOA in the answer (asked at
 * the apex) or authority (negative answers), else, for a positive answer with
 * no CNAME, the owner of the zone's NS set in the authority section. */
static char *apex_of(struct live *l, const ldns_pkt *p, bool positive_no_cname)
{
	ldns_rr_list *ans = ldns_pkt_answer(p), *auth = ldns_pkt_authority(p);

	for (size_t s = 0; s < 2; s++) {
		ldns_rr_list *list = s ? auth : ans;
		for (size_t i = 0; i < ldns_rr_list_rr_count(list); i++)
			if (ldns_rr_get_type(ldns_rr_list_rr(list, i)) == LDNS_RR_TYPE_SOA)
				return canon_arena(l, ldns_rr_owner(ldns_rr_list_rr(list, i)));
	}
	if (!positive_no_cname)
		return NULL;
	for (size_t i = 0; i < ldns_rr_list_rr_count(auth); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(auth, i)) == LDNS_RR_TYPE_NS)
			return canon_arena(l, ldns_rr_owner(ldns_rr_list_rr(auth, i)));
	return NULL;
}

/* Other owners on a chain the resolver sent at once get their own entries. */
static void chain_owners(struct live *l, const char *name, uint16_t type, struct zone_rr **kept,
			 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct zone_rr *z = kept[i];
		char key[300];
		bool found;
		if (z == NULL || strcmp(z->owner, name) == 0 ||
		    (z->type != type && z->type != LDNS_RR_TYPE_CNAME))
			continue;
		livecache_key(key, sizeof(key), type, z->owner);
		struct centry *o = livecache_entry(&l->c, key, &found);
		if (o == NULL)
			return;
		/* An entry known before this answer keeps what its own answer said
		 * (its records are lent out and never change). */
		if (found && o->gen != l->gen)
			continue;
		if (!found) {
			o->gen = l->gen;
			o->serial = ++l->serials;
			o->rcode = DNS_OK;
			o->blk = l->c.blk; /* its records are this answer's */
			l->c.blk->refs++;
			clock_gettime(CLOCK_REALTIME, &o->when);
		}
		if (o->cname)
			continue;
		if (z->type == LDNS_RR_TYPE_CNAME) {
			free(o->rr);
			o->rr = NULL;
			o->n = 0;
			o->cname = true;
		}
		push(&o->rr, &o->n, z);
	}
}

/*
 * A chain sent at once ends at an owner holding records of the type asked; the
 * authority section then speaks of that owner's zone (the server answered it
 * last). Its entry learns the apex, so no SOA question is needed for it.
 */
static void hint_chain_end(struct live *l, uint16_t type, struct zone_rr **kept, size_t n,
			   const ldns_pkt *p)
{
	const char *end = NULL;
	for (size_t i = 0; i < n; i++)
		if (kept[i] && kept[i]->type == type)
			end = kept[i]->owner;
	if (end == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		if (kept[i] && kept[i]->type == LDNS_RR_TYPE_CNAME &&
		    strcmp(kept[i]->owner, end) == 0)
			return; /* not the end after all */
	char key[300];
	bool found;
	livecache_key(key, sizeof(key), type, end);
	struct centry *o = livecache_find(&l->c, key, &found);
	if (!found || o->pending || o->cname || o->rcode != DNS_OK || o->soa_owner ||
	    o->blk == NULL)
		return;
	struct ablock *mine = l->c.blk; /* the apex must live as long as o */
	l->c.blk = o->blk;
	o->soa_owner = apex_of(l, p, true);
	l->c.blk = mine;
}

/*
 * Fills the entry of (name, type) from a raw answer: rcode, the records of the
 * type asked (or the CNAME), the zone apex, and entries for the later owners of
 * a chain carried in the same answer. A message that does not parse is an error.
 */
static void absorb(struct live *l, const char *name, uint16_t type, const unsigned char *buf,
		   size_t len)
{
	char key[300];
	bool found;
	ldns_pkt *p = NULL;

	livecache_key(key, sizeof(key), type, name);
	struct centry *e = livecache_entry(&l->c, key, &found);
	if (e == NULL)
		return;
	l->gen++;
	e->serial = ++l->serials;
	e->pending = false;
	e->rcode = DNS_ERROR;
	clock_gettime(CLOCK_REALTIME, &e->when);
	e->data = NULL;
	e->soa_owner = NULL;
	free(e->rr);
	e->rr = NULL;
	e->n = 0;
	e->cname = false;
	livecache_block_release(&l->c, e->blk);
	e->blk = NULL;
	if (buf == NULL || ldns_wire2pkt(&p, buf, len) != LDNS_STATUS_OK)
		return;
	if ((l->c.blk = livecache_block_new(256)) == NULL) {
		ldns_pkt_free(p);
		return;
	}
	l->c.blk->refs = 1;
	e->blk = l->c.blk;
	e->rcode = rcode_of(p);
	ldns_rr_list *ans = ldns_pkt_answer(p);
	size_t nans = ldns_rr_list_rr_count(ans);
	struct zone_rr **kept = calloc(nans + 1, sizeof(*kept));
	bool any_cname = false, lost = kept == NULL, toolong = false;
	for (size_t i = 0; kept && i < nans; i++) {
		kept[i] = keep(l, ldns_rr_list_rr(ans, i), &toolong);
		lost |= kept[i] == NULL;
		if (ldns_rr_get_type(ldns_rr_list_rr(ans, i)) == LDNS_RR_TYPE_CNAME)
			any_cname = true;
	}
	if (lost) {
		/* An answer is used whole or not at all: a record dropped could be
		 * the one address that matters. Past the cache's bound, or with a
		 * name longer than residency keeps, it is too_big (a finding under
		 * any policy); a record that cannot be read makes it an error. */
		e->rcode = l->c.nrecs >= l->c.max_records || toolong ? DNS_TOOBIG : DNS_ERROR;
		free(kept);
		ldns_pkt_free(p);
		l->c.blk = NULL;
		return;
	}
	if (e->rcode == DNS_NODATA) {
		const struct zone_rr **rr = NULL;
		size_t n = 0;
		bool cname = false;
		for (size_t i = 0; i < nans; i++) {
			const struct zone_rr *z = kept[i];
			if (z == NULL || strcmp(z->owner, name) != 0)
				continue;
			if (z->type == LDNS_RR_TYPE_CNAME && type != LDNS_RR_TYPE_CNAME) {
				free(rr);
				rr = NULL;
				n = 0;
				lost |= !push(&rr, &n, z);
				cname = true;
				break;
			}
			if (z->type == type)
				lost |= !push(&rr, &n, z);
		}
		/* entry() may move e: fill it through its key again. */
		e = livecache_find(&l->c, key, &found);
		free(e->rr);
		e->rr = rr;
		e->n = n;
		e->cname = cname;
		if (n)
			e->rcode = DNS_OK;
		if (lost) /* out of memory: not every record is here */
			e->rcode = DNS_ERROR;
		chain_owners(l, name, type, kept, nans);
		e = livecache_find(&l->c, key, &found);
	}
	e->soa_owner = apex_of(l, p, e->rcode == DNS_OK && !any_cname);
	if (any_cname && kept && e->rcode == DNS_OK)
		hint_chain_end(l, type, kept, nans, p);
	free(kept);
	ldns_pkt_free(p);
	l->c.blk = NULL;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Additive increase, multiplicative decrease: at most one cut per timeout
 * period, so that one burst of lost answers halves the window once. */
static void adapt(struct live *l, bool retried)
{
	if (retried) {
		double t = now_ms();
		if (t - l->last_cut < l->timeout_ms)
			return;
		l->last_cut = t;
		l->cut_once = true;
		l->window /= 2;
		if (l->window < LIVE_MIN_WINDOW)
			l->window = LIVE_MIN_WINDOW;
		l->clean = 0;
	} else if (!l->cut_once) {
		if (l->window < l->max_inflight) /* slow start: doubles every window */
			l->window++;
	} else if (++l->clean >= (int)l->window) {
		l->clean = 0;
		if (l->window < l->max_inflight)
			l->window++;
	}
}

static void on_reply(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct question *q = arg;
	struct live *l = q->l;

	if (status == ARES_EDESTRUCTION) {
		free(q);
		return;
	}
	l->inflight--;
	if (timeouts > 0)
		l->retried++;
	adapt(l, timeouts > 0);
	if (status == ARES_SUCCESS && abuf && alen > 0) {
		l->answered++;
		absorb(l, q->name, q->type, abuf, (size_t)alen);
	} else {
		char key[300];
		bool found;
		livecache_key(key, sizeof(key), q->type, q->name);
		struct centry *e = livecache_entry(&l->c, key, &found);
		if (e) {
			e->pending = false;
			e->serial = ++l->serials;
			clock_gettime(CLOCK_REALTIME, &e->when);
			/* no resolver answered in time, or none could be asked: nothing answered */
			e->rcode = status == ARES_ETIMEOUT || status == ARES_ECONNREFUSED
				       ? DNS_TIMEOUT
				       : DNS_ERROR;
		}
	}
	free(q);
}

static void send_one(struct live *l, struct question *q)
{
	unsigned char *wire = NULL;
	int wlen = 0;
	int st = ares_create_query(q->name, 1 /* IN */, q->type, 0, 1, &wire, &wlen, 0);

	l->asked++;
	l->inflight++;
	if (st != ARES_SUCCESS) {
		on_reply(q, st, 0, NULL, 0);
		return;
	}
	ares_send(l->ch, wire, wlen, on_reply, q);
	ares_free_string(wire);
}

void live_set_stop(struct live *l, const volatile sig_atomic_t *stop)
{
	l->stop = stop;
}

void live_flush(struct live *l)
{
	size_t next = 0;

	while (next < l->nqueue || l->inflight > 0) {
		if (l->stop && *l->stop) {
			/* Stopping: what was not sent is never asked, what is in flight
			 * is cancelled (on_reply records both as unanswered). */
			while (next < l->nqueue) {
				l->inflight++;
				on_reply(l->queue[next++], ARES_ECANCELLED, 0, NULL, 0);
			}
			ares_cancel(l->ch);
			break;
		}
		while (next < l->nqueue && l->inflight < (int)l->window)
			send_one(l, l->queue[next++]);
		udpbatch_flush(l->ub); /* what was just sent, and retries c-ares made */
		fd_set rd, wr;
		struct timeval tv, *tvp, now = {0, 0};
		FD_ZERO(&rd);
		FD_ZERO(&wr);
		int nfds = ares_fds(l->ch, &rd, &wr);
		bool ready = udpbatch_ready(l->ub, NULL, NULL);
		if (nfds == 0 && !ready) {
			if (l->inflight > 0)
				ares_process(l->ch, &rd, &wr); /* lets c-ares end what it holds */
			continue;
		}
		tvp = ready ? &now : ares_timeout(l->ch, NULL, &tv);
		if (select(nfds, &rd, &wr, NULL, tvp) < 0) {
			/* A signal (EINTR): the sets say nothing; let c-ares check its timers. */
			FD_ZERO(&rd);
			FD_ZERO(&wr);
		}
		/* Datagrams read ahead, or a send's error, wait for c-ares. */
		udpbatch_ready(l->ub, &rd, &nfds);
		ares_process(l->ch, &rd, &wr);
	}
	l->nqueue = 0;
}

/* Queues a question for an entry just made; false when out of memory. */
static bool enqueue(struct live *l, uint16_t type, struct centry *e)
{
	if (l->nqueue == l->capqueue) {
		size_t ncap = l->capqueue ? l->capqueue * 2 : 256;
		struct question **v = realloc(l->queue, ncap * sizeof(*v));
		if (v == NULL)
			return false;
		l->queue = v;
		l->capqueue = ncap;
	}
	struct question *q = malloc(sizeof(*q));
	if (q == NULL)
		return false;
	q->l = l;
	q->type = type;
	q->name = strchr(e->key, ' ') + 1;
	l->queue[l->nqueue++] = q;
	e->pending = true;
	return true;
}

/* The entry of (name, type), asked when missing (waited for unless in batch
 * mode). NULL when out of memory; a pending entry in batch mode. */
static struct centry *lookup(struct live *l, const char *name, uint16_t type)
{
	char key[300];
	bool found;

	livecache_key(key, sizeof(key), type, name);
	struct centry *e = livecache_entry(&l->c, key, &found);
	if (e == NULL)
		return NULL;
	if (!found)
		livecache_missed(&l->c, key); /* evicted before: asked again */
	if (!found && !enqueue(l, type, e))
		return NULL;
	if (e->pending && !l->batch) {
		live_flush(l);
		e = livecache_find(&l->c, key, &found); /* answers may have grown the table */
	}
	if (e->pending)
		l->pending_hits++;
	return e;
}

/* The records of an entry as text, one per line (least TTL kept); NULL when out of memory. */
static char *join_records(struct live *l, struct centry *e)
{
	static char none[] = "";
	if (e->n == 0 || e->blk == NULL) {
		e->ttl = 0;
		return none;
	}
	size_t len = 1;
	for (size_t i = 0; i < e->n; i++)
		len += strlen(e->rr[i]->text) + 1;
	struct ablock *mine = l->c.blk;
	l->c.blk = e->blk;
	char *s = livecache_alloc(&l->c, len), *p = s;
	l->c.blk = mine;
	if (s == NULL)
		return NULL;
	*p = '\0';
	e->ttl = 0;
	for (size_t i = 0; i < e->n; i++) {
		size_t k = strlen(e->rr[i]->text);
		if (i)
			*p++ = '\n';
		memcpy(p, e->rr[i]->text, k + 1);
		p += k;
		if (i == 0 || e->rr[i]->ttl < e->ttl)
			e->ttl = e->rr[i]->ttl;
	}
	return s;
}

void live_query(struct live *l, const char *name, uint16_t type, struct zone_answer *ans)
{
	memset(ans, 0, sizeof(*ans));
	struct centry *e = lookup(l, name, type);
	if (e == NULL) {
		ans->rcode = DNS_ERROR;
		return;
	}
	if (e->pending) {
		ans->rcode = DNS_ERROR;
		ans->pending = true;
		return;
	}
	ans->rcode = e->rcode;
	ans->cname = e->cname;
	ans->zone = e->soa_owner;
	ans->file = l->servers;
	ans->asked = strchr(e->key, ' ') + 1;
	ans->when = e->when;
	if (e->data == NULL)
		e->data = join_records(l, e);
	ans->data = e->data;
	ans->ttl = e->ttl;
	ans->rr = e->rr; /* lent until live_trim(): a known entry's records never change */
	ans->n = e->n;
	ans->borrowed = true;
	ans->serial = e->serial;
}

/* The apex an address question about name already told, if any. */
static const char *hinted_apex(struct live *l, const char *name, bool *pending)
{
	static const uint16_t types[] = {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA};
	char key[300];
	bool found;

	for (int t = 0; t < 2; t++) {
		livecache_key(key, sizeof(key), types[t], name);
		struct centry *e = livecache_find(&l->c, key, &found);
		if (!found)
			continue;
		if (e->pending) {
			*pending = true;
			continue;
		}
		if (e->soa_owner && !e->cname &&
		    (e->rcode == DNS_OK || e->rcode == DNS_NODATA || e->rcode == DNS_NXDOMAIN))
			return e->soa_owner;
	}
	return NULL;
}

const char *live_zone_of(struct live *l, const char *name, enum dns_status *why)
{
	const char *p = name;
	bool pending = false;
	const char *apex = hinted_apex(l, name, &pending);

	*why = DNS_OK;
	if (apex)
		return apex;
	if (pending) {
		l->pending_hits++; /* its own answers will tell: wait for them */
		return NULL;
	}
	/* A CNAME cannot sit at a zone apex: its zone is its parent's. A name has
	 * at most 127 labels, so the walk ends before the bound. */
	for (int depth = 0; p && *p && depth < 128; depth++) {
		struct centry *e = lookup(l, p, LDNS_RR_TYPE_SOA);
		if (e == NULL) {
			*why = DNS_ERROR;
			return NULL;
		}
		if (e->pending)
			return NULL;
		if (e->soa_owner && !e->cname)
			return e->soa_owner;
		if (!e->cname) {
			/* refused, timeout, or an answer naming no apex: the zone, and so
			 * its name servers, are unknown */
			*why =
			    e->rcode == DNS_OK || e->rcode == DNS_NODATA || e->rcode == DNS_NXDOMAIN
				? DNS_ERROR
				: e->rcode;
			return NULL;
		}
		p = strchr(p, '.');
		if (p)
			p++;
	}
	*why = DNS_ERROR;
	return NULL;
}

void live_batch(struct live *l, bool on)
{
	l->batch = on;
}

size_t live_pending_hits(const struct live *l)
{
	return l->pending_hits;
}

size_t live_queued(const struct live *l)
{
	return l->nqueue;
}

void live_inject(struct live *l, const char *name, uint16_t type, const unsigned char *buf,
		 size_t len)
{
	absorb(l, name, type, buf, len);
}
