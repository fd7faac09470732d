/*
 * live: c-ares in a small select loop (ares_fds / ares_timeout / ares_process),
 * one question at a time, raw answers (ARES_FLAG_NOCHECKRESP) parsed by ldns.
 */
#include "dns/live.h"
#include "core/hash.h"
#include "core/log.h"

#include <ares.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>

#define LIVE_MAX_RECORDS 2000000u

struct centry {
	char *key; /* "TYPE name" */
	enum dns_status rcode;
	bool cname;
	const struct zone_rr **rr;
	size_t n;
	char *soa_owner; /* zone apex named by an SOA in the answer or authority */
};

struct live {
	ares_channel ch;
	size_t asked, answered; /* questions sent, and those any resolver answered */
	char servers[512];
	struct zone_rr **recs; /* every record seen, owned */
	size_t nrecs, caprecs;
	struct centry *cache;
	size_t ncache, capcache; /* open addressing, capcache a power of two */
};

static int configure(ares_socket_t fd, int type, void *arg)
{
	int size = 4 * 1024 * 1024; /* PERFORMANCE-NOTES: drops at the default 208 KB */
	(void)type;
	(void)arg;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return 0;
}

enum rstatus live_new(const char **resolvers, size_t n, int timeout_ms, int tries,
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
	if (n > 0) {
		size_t used = 0;
		for (size_t i = 0; i < n && used < sizeof(l->servers); i++)
			used += (size_t)snprintf(l->servers + used, sizeof(l->servers) - used,
						 "%s%s", i ? "," : "", resolvers[i]);
		if ((st = ares_set_servers_ports_csv(l->ch, l->servers)) != ARES_SUCCESS) {
			ares_destroy(l->ch);
			free(l);
			return rerr_set(
			    err, R_EUSAGE, NULL, 0,
			    "bad --resolver list \"%s\" (ADDR[:PORT], comma separated): %s",
			    resolvers[0], ares_strerror(st));
		}
	} else {
		snprintf(l->servers, sizeof(l->servers), "system resolvers");
	}
	l->capcache = 1024;
	if ((l->cache = calloc(l->capcache, sizeof(*l->cache))) == NULL) {
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
		ares_destroy(l->ch);
	for (size_t i = 0; i < l->nrecs; i++) {
		free((char *)l->recs[i]->owner);
		free((char *)l->recs[i]->target);
		free((char *)l->recs[i]->text);
		free(l->recs[i]);
	}
	free(l->recs);
	for (size_t i = 0; i < l->capcache; i++) {
		free(l->cache[i].key);
		free(l->cache[i].rr);
		free(l->cache[i].soa_owner);
	}
	free(l->cache);
	free(l);
}

void live_counts(const struct live *l, size_t *asked, size_t *answered)
{
	*asked = l->asked;
	*answered = l->answered;
}

const char *live_resolvers(const struct live *l)
{
	return l->servers;
}

static struct centry *slot(struct live *l, const char *key, bool *found)
{
	for (size_t i = hash_str(key) & (l->capcache - 1);; i = (i + 1) & (l->capcache - 1)) {
		if (l->cache[i].key == NULL) {
			*found = false;
			return &l->cache[i];
		}
		if (strcmp(l->cache[i].key, key) == 0) {
			*found = true;
			return &l->cache[i];
		}
	}
}

static bool grow_cache(struct live *l)
{
	if (2 * (l->ncache + 1) < l->capcache)
		return true;
	struct centry *old = l->cache;
	size_t oldcap = l->capcache;
	l->capcache *= 2;
	if ((l->cache = calloc(l->capcache, sizeof(*l->cache))) == NULL) {
		l->cache = old;
		l->capcache = oldcap;
		return false;
	}
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key) {
			bool f;
			*slot(l, old[i].key, &f) = old[i];
		}
	free(old);
	return true;
}

static char *canon_rdf(const ldns_rdf *rdf)
{
	char *s = ldns_rdf2str(rdf), buf[300];
	if (s == NULL)
		return NULL;
	bool ok = zone_canon(s, buf, sizeof(buf));
	free(s);
	return ok ? strdup(buf) : NULL;
}

/* Keeps one record of an answer; NULL when it cannot be read. */
static struct zone_rr *keep(struct live *l, const ldns_rr *rr)
{
	if (l->nrecs >= LIVE_MAX_RECORDS)
		return NULL;
	if (l->nrecs == l->caprecs) {
		size_t ncap = l->caprecs ? l->caprecs * 2 : 256;
		struct zone_rr **v = realloc(l->recs, ncap * sizeof(*v));
		if (v == NULL)
			return NULL;
		l->recs = v;
		l->caprecs = ncap;
	}
	struct zone_rr *z = calloc(1, sizeof(*z));
	if (z == NULL)
		return NULL;
	z->type = (uint16_t)ldns_rr_get_type(rr);
	z->ttl = ldns_rr_ttl(rr);
	z->owner = canon_rdf(ldns_rr_owner(rr));
	char *text = ldns_rr2str(rr);
	if (text) {
		size_t n = strlen(text);
		if (n && text[n - 1] == '\n')
			text[n - 1] = '\0';
	}
	z->text = text;
	const ldns_rdf *d0 = ldns_rr_rdf(rr, 0);
	if (z->type == LDNS_RR_TYPE_A || z->type == LDNS_RR_TYPE_AAAA) {
		if (d0)
			addr_from_bytes(&z->addr, ldns_rdf_data(d0), ldns_rdf_size(d0));
	} else if ((z->type == LDNS_RR_TYPE_CNAME || z->type == LDNS_RR_TYPE_NS) && d0) {
		z->target = canon_rdf(d0);
	} else if (z->type == LDNS_RR_TYPE_MX && d0 && ldns_rr_rdf(rr, 1)) {
		z->pref = ldns_rdf2native_int16(d0);
		z->target = canon_rdf(ldns_rr_rdf(rr, 1));
	}
	bool usable =
	    z->owner && z->text &&
	    ((z->type != LDNS_RR_TYPE_A && z->type != LDNS_RR_TYPE_AAAA) || z->addr.family) &&
	    ((z->type != LDNS_RR_TYPE_CNAME && z->type != LDNS_RR_TYPE_NS &&
	      z->type != LDNS_RR_TYPE_MX) ||
	     z->target);
	l->recs[l->nrecs++] = z; /* owned either way, freed with the cache */
	return usable ? z : NULL;
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

struct reply {
	bool done;
	int status;
	unsigned char *buf;
	int len;
};

static void on_reply(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct reply *r = arg;
	(void)timeouts;
	r->done = true;
	r->status = status;
	if (status == ARES_SUCCESS && abuf && alen > 0 && (r->buf = malloc((size_t)alen)) != NULL) {
		memcpy(r->buf, abuf, (size_t)alen);
		r->len = alen;
	}
}

/* Fills the cache entry for (name, type) and entries for the other owners the
 * answer carries (a resolver may send the whole CNAME chain at once). */
static void ask(struct live *l, const char *name, uint16_t type, struct centry *e)
{
	struct reply r = {false, 0, NULL, 0};
	ldns_rdf *dn = ldns_dname_new_frm_str(name);
	ldns_pkt *q = dn ? ldns_pkt_query_new(dn, type, LDNS_RR_CLASS_IN, LDNS_RD) : NULL;
	uint8_t *wire = NULL;
	size_t wlen = 0;

	e->rcode = DNS_ERROR;
	if (q == NULL || ldns_pkt2wire(&wire, q, &wlen) != LDNS_STATUS_OK) {
		if (q)
			ldns_pkt_free(q);
		else if (dn)
			ldns_rdf_deep_free(dn);
		free(wire);
		return;
	}
	ldns_pkt_free(q);
	l->asked++;
	ares_send(l->ch, wire, (int)wlen, on_reply, &r);
	free(wire);
	while (!r.done) {
		fd_set rd, wr;
		struct timeval tv, *tvp;
		FD_ZERO(&rd);
		FD_ZERO(&wr);
		int nfds = ares_fds(l->ch, &rd, &wr);
		if (nfds == 0)
			break;
		tvp = ares_timeout(l->ch, NULL, &tv);
		select(nfds, &rd, &wr, NULL, tvp);
		ares_process(l->ch, &rd, &wr);
	}
	if (r.status == ARES_ETIMEOUT) {
		e->rcode = DNS_TIMEOUT;
		return;
	}
	if (r.status == ARES_ECONNREFUSED) {
		e->rcode = DNS_TIMEOUT; /* no resolver could be asked: nothing answered */
		return;
	}
	ldns_pkt *p = NULL;
	if (r.buf)
		l->answered++;
	if (r.buf == NULL || ldns_wire2pkt(&p, r.buf, (size_t)r.len) != LDNS_STATUS_OK) {
		free(r.buf);
		return;
	}
	free(r.buf);
	switch (ldns_pkt_get_rcode(p)) {
	case LDNS_RCODE_NOERROR:
		e->rcode = DNS_NODATA;
		break;
	case LDNS_RCODE_NXDOMAIN:
		e->rcode = DNS_NXDOMAIN;
		break;
	case LDNS_RCODE_SERVFAIL:
		e->rcode = DNS_SERVFAIL;
		break;
	case LDNS_RCODE_REFUSED:
		e->rcode = DNS_REFUSED;
		break;
	default:
		e->rcode = DNS_ERROR;
	}
	ldns_rr_list *ans = ldns_pkt_answer(p), *auth = ldns_pkt_authority(p);
	struct zone_rr **kept = calloc(ldns_rr_list_rr_count(ans) + 1, sizeof(*kept));
	for (size_t i = 0; kept && i < ldns_rr_list_rr_count(ans); i++)
		kept[i] = keep(l, ldns_rr_list_rr(ans, i));
	/* The SOA that names the zone: in the answer (asked at the apex) or authority. */
	for (size_t s = 0; s < 2 && e->soa_owner == NULL; s++) {
		ldns_rr_list *list = s ? auth : ans;
		for (size_t i = 0; i < ldns_rr_list_rr_count(list); i++)
			if (ldns_rr_get_type(ldns_rr_list_rr(list, i)) == LDNS_RR_TYPE_SOA) {
				e->soa_owner = canon_rdf(ldns_rr_owner(ldns_rr_list_rr(list, i)));
				break;
			}
	}
	if (e->rcode == DNS_NODATA && kept) {
		for (size_t i = 0; i < ldns_rr_list_rr_count(ans); i++) {
			const struct zone_rr *z = kept[i];
			if (z == NULL || strcmp(z->owner, name) != 0)
				continue;
			if (z->type == LDNS_RR_TYPE_CNAME && type != LDNS_RR_TYPE_CNAME) {
				free(e->rr);
				e->rr = NULL;
				e->n = 0;
				push(&e->rr, &e->n, z);
				e->cname = true;
				break;
			}
			if (z->type == type)
				push(&e->rr, &e->n, z);
		}
		if (e->n)
			e->rcode = DNS_OK;
		/* Later owners on a chain the resolver sent at once. */
		for (size_t i = 0; i < ldns_rr_list_rr_count(ans); i++) {
			const struct zone_rr *z = kept[i];
			char key[300];
			bool found;
			if (z == NULL || strcmp(z->owner, name) == 0 ||
			    (z->type != type && z->type != LDNS_RR_TYPE_CNAME))
				continue;
			snprintf(key, sizeof(key), "%u %s", type, z->owner);
			if (!grow_cache(l))
				break;
			struct centry *o = slot(l, key, &found);
			if (found && (o->cname || o->rcode != DNS_OK))
				continue;
			if (!found) {
				if ((o->key = strdup(key)) == NULL)
					break;
				l->ncache++;
				o->rcode = DNS_OK;
			}
			if (z->type == LDNS_RR_TYPE_CNAME) {
				free(o->rr);
				o->rr = NULL;
				o->n = 0;
				o->cname = true;
			}
			push(&o->rr, &o->n, z);
		}
	}
	free(kept);
	ldns_pkt_free(p);
}

static struct centry *lookup(struct live *l, const char *name, uint16_t type)
{
	char key[300];
	bool found;

	snprintf(key, sizeof(key), "%u %s", type, name);
	if (!grow_cache(l))
		return NULL;
	struct centry *e = slot(l, key, &found);
	if (found)
		return e;
	if ((e->key = strdup(key)) == NULL)
		return NULL;
	l->ncache++;
	ask(l, name, type, e);
	/* ask() may have grown the table: find the entry again. */
	return slot(l, key, &found);
}

void live_query(struct live *l, const char *name, uint16_t type, struct zone_answer *ans)
{
	memset(ans, 0, sizeof(*ans));
	struct centry *e = lookup(l, name, type);
	if (e == NULL) {
		ans->rcode = DNS_ERROR;
		return;
	}
	ans->rcode = e->rcode;
	ans->cname = e->cname;
	ans->zone = e->soa_owner;
	ans->file = l->servers;
	if (e->n && (ans->rr = malloc(e->n * sizeof(*ans->rr))) != NULL) {
		memcpy(ans->rr, e->rr, e->n * sizeof(*ans->rr));
		ans->n = e->n;
	}
}

const char *live_zone_of(struct live *l, const char *name)
{
	const char *p = name;

	/* A CNAME cannot sit at a zone apex: its zone is its parent's. */
	for (int depth = 0; p && *p && depth < 128; depth++) {
		struct centry *e = lookup(l, p, LDNS_RR_TYPE_SOA);
		if (e == NULL)
			return NULL;
		if (e->soa_owner && !e->cname)
			return e->soa_owner;
		if (!e->cname)
			return NULL; /* refused, timeout: the zone is unknown */
		p = strchr(p, '.');
		if (p)
			p++;
	}
	return NULL;
}
