/*
 * judge: findings from paths, attribution and a policy (see judge.h).
 */
#include "policy/judge.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *finding_reason_name(enum finding_reason r)
{
	switch (r) {
	case REASON_DENIED_COUNTRY:
		return "denied_country";
	case REASON_COUNTRY_NOT_ALLOWED:
		return "country_not_allowed";
	case REASON_PROVIDER_NOT_ALLOWED:
		return "provider_not_allowed";
	case REASON_INDETERMINATE:
		return "indeterminate";
	case REASON_UNKNOWN:
		return "unknown";
	case REASON_UNRESOLVABLE:
		return "unresolvable";
	case REASON_INCOMPLETE:
		return "incomplete";
	case REASON_SPECIAL:
		return "special_address";
	}
	return "?";
}

void judgement_free(struct judgement *j)
{
	if (j == NULL)
		return;
	for (size_t i = 0; i < j->n; i++) {
		free(j->v[i].path);
		for (size_t k = 0; k < j->v[i].nmore; k++)
			free(j->v[i].more_endpoints[k]);
		free(j->v[i].more_endpoints);
	}
	free(j->v);
	memset(j, 0, sizeof(*j));
}

/* Lower case, no trailing dot: how waivers and elements are compared. */
static void plain(const char *in, char *out, size_t len)
{
	size_t n = 0;
	for (; *in && n + 1 < len; in++)
		out[n++] = (char)tolower((unsigned char)*in);
	if (n && out[n - 1] == '.')
		n--;
	out[n] = '\0';
}

/* The waiver that applies to element (or endpoint) today, and one that matched
 * but has expired. */
static void match_waivers(const struct policy *pol, const char *element, const char *endpoint,
			  const char *today, const struct waiver **valid,
			  const struct waiver **expired)
{
	char el[256], ep[256];

	*valid = *expired = NULL;
	plain(element, el, sizeof(el));
	plain(endpoint, ep, sizeof(ep));
	for (size_t i = 0; i < pol->nwaivers; i++) {
		const struct waiver *w = &pol->waivers[i];
		if (strcmp(w->element, el) != 0 && strcmp(w->element, ep) != 0)
			continue;
		if (strcmp(w->expires, today) >= 0) {
			*valid = w;
			return;
		}
		*expired = w;
	}
}

/* The path from the root of p to element elem into f (endpoint first); false
 * when out of memory. */
static bool set_path(struct finding *f, const struct path *p, size_t elem)
{
	size_t depth = 0;
	for (int k = (int)elem; k >= 0; k = p->elems[k].parent)
		depth++;
	struct finding_hop *hops = calloc(depth, sizeof(*hops));
	if (hops == NULL)
		return false;
	size_t slot = depth;
	for (int k = (int)elem; k >= 0; k = p->elems[k].parent) {
		struct finding_hop *h = &hops[--slot];
		const struct path_elem *pe = &p->elems[k];
		h->kind = pe->kind;
		h->status = pe->status;
		if (pe->kind == PATH_ADDRESS)
			addr_format(&pe->addr, h->text, sizeof(h->text));
		else
			snprintf(h->text, sizeof(h->text), "%s", pe->name);
		snprintf(h->zone, sizeof(h->zone), "%s", pe->zone);
	}
	free(f->path);
	f->path = hops;
	f->npath = depth;
	return true;
}

/*
 * Adds the endpoint of p to a finding that already names another. The finding
 * shows the least endpoint (and its path and detail), so it reads the same
 * whatever order its paths were judged in (a stored scan's rows come in any
 * order); the others are sorted once the service is judged (finish()). False
 * when out of memory.
 */
static bool also_from(struct finding *f, const struct path *p, size_t elem, const char *detail)
{
	const char *ep = p->root;
	int c = strcmp(ep, f->endpoint);
	if (c == 0)
		return true;
	if (f->nmore == f->capmore) {
		size_t ncap = f->capmore ? f->capmore * 2 : 4;
		char **v = realloc(f->more_endpoints, ncap * sizeof(*v));
		if (v == NULL)
			return false;
		f->more_endpoints = v;
		f->capmore = ncap;
	}
	char *s = strdup(c < 0 ? f->endpoint : ep);
	if (s == NULL || (c < 0 && !set_path(f, p, elem))) {
		free(s);
		return false;
	}
	if (c < 0) {
		snprintf(f->endpoint, sizeof(f->endpoint), "%s", ep);
		snprintf(f->detail, sizeof(f->detail), "%s", detail);
	}
	f->more_endpoints[f->nmore++] = s;
	return true;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Each finding's other endpoints sorted, each once. */
static void finish(struct judgement *j, size_t from)
{
	for (size_t i = from; i < j->n; i++) {
		struct finding *f = &j->v[i];
		if (f->nmore < 2)
			continue;
		qsort(f->more_endpoints, f->nmore, sizeof(*f->more_endpoints), str_cmp);
		size_t k = 1;
		for (size_t m = 1; m < f->nmore; m++) {
			if (strcmp(f->more_endpoints[m], f->more_endpoints[k - 1]) == 0)
				free(f->more_endpoints[m]);
			else
				f->more_endpoints[k++] = f->more_endpoints[m];
		}
		f->nmore = k;
	}
}

static enum rstatus add(struct judgement *j, const struct service *svc, const struct policy *pol,
			const struct path *p, size_t elem, enum finding_reason reason,
			const struct attribution *at, const char *detail, const char *today,
			struct rerr *err)
{
	const struct path_elem *e = &p->elems[elem];
	char element[256];

	if (e->kind == PATH_ADDRESS)
		addr_format(&e->addr, element, sizeof(element));
	else
		snprintf(element, sizeof(element), "%s", e->name);
	/*
	 * One finding per element and reason in a service: an element reached
	 * twice in one path, or from many endpoints (a zone's name server), is one
	 * finding that lists the endpoints. A waiver that holds for one endpoint
	 * and not another keeps them apart.
	 */
	const struct waiver *valid, *expired;
	match_waivers(pol, element, p->root, today, &valid, &expired);
	for (size_t i = 0; i < j->n; i++) {
		struct finding *o = &j->v[i];
		if (o->service == svc->name && o->reason == reason && o->kind == e->kind &&
		    o->waiver == valid && o->expired == expired && strcmp(o->element, element) == 0)
			return also_from(o, p, elem, detail)
				   ? R_OK
				   : rerr_set(err, R_ENOMEM, svc->name, 0, "out of memory");
	}
	if (j->n == j->cap) {
		size_t ncap = j->cap ? j->cap * 2 : 16;
		struct finding *v = realloc(j->v, ncap * sizeof(*v));
		if (v == NULL)
			return rerr_set(err, R_ENOMEM, svc->name, 0, "out of memory");
		j->v = v;
		j->cap = ncap;
	}
	struct finding *f = &j->v[j->n];
	memset(f, 0, sizeof(*f));
	f->service = svc->name;
	f->policy = pol->name;
	snprintf(f->endpoint, sizeof(f->endpoint), "%s", p->root);
	snprintf(f->element, sizeof(f->element), "%s", element);
	f->kind = e->kind;
	f->reason = reason;
	snprintf(f->detail, sizeof(f->detail), "%s", detail);
	if (at)
		f->at = *at;
	if (!set_path(f, p, elem))
		return rerr_set(err, R_ENOMEM, svc->name, 0, "out of memory");
	f->waiver = valid;
	f->expired = expired;
	if (f->waiver)
		j->nwaived++;
	j->n++;
	return R_OK;
}

static bool provider_allowed(const struct policy *pol, const char *provider)
{
	if (pol->nproviders == 0)
		return true;
	for (size_t i = 0; i < pol->nproviders; i++)
		if (strcmp(pol->providers[i], provider) == 0)
			return true;
	return false;
}

static enum rstatus judge_address(struct judgement *j, const struct service *svc,
				  const struct policy *pol, const struct path *p, size_t i,
				  judge_attribute_fn attribute, void *ctx, const char *today,
				  struct rerr *err)
{
	struct attribution at;
	char detail[1024]; /* a policy name is at most POLICY_MAX_NAME: it fits */

	attribute(ctx, &p->elems[i].addr, &at);
	/* A special-purpose address has no country and no provider: judged by the
	 * policy's "special" alone, never by the country or provider checks. */
	if (at.source == ATTR_SRC_SPECIAL) {
		static const char *const said[] = {"unknown", "allow", "deny"};
		char el[ADDR_STRLEN], via[96] = "";
		/* A globally reachable block (AMT, AS112, an anycast address) is a
		 * service anywhere, not a private network: "special": "allow" does
		 * not cover it; it is judged as anycast is. */
		if (at.scope == ATTR_SCOPE_GLOBAL) {
			if (pol->global_allow)
				return R_OK;
			snprintf(detail, sizeof(detail),
				 "%s is a globally reachable special-purpose address (%s, %s): "
				 "the country of the service behind it cannot be named",
				 addr_format(&at.addr, el, sizeof(el)), at.special, at.special_rfc);
			return add(j, svc, pol, p, i, REASON_INDETERMINATE, &at, detail, today,
				   err);
		}
		if (pol->special == SPECIAL_ALLOW)
			return R_OK;
		if (at.embedded_via[0] && !at.addr.mapped) {
			char v4[ADDR_STRLEN];
			snprintf(via, sizeof(via), " (%s of %s)", at.embedded_via,
				 addr_format(&at.embedded, v4, sizeof(v4)));
		}
		snprintf(detail, sizeof(detail),
			 "%s%s is a special-purpose address (%s, %s): no country, no provider; "
			 "policy %s says special: %s",
			 addr_format(&at.addr, el, sizeof(el)), via, at.special, at.special_rfc,
			 pol->name, said[pol->special]);
		return add(j, svc, pol, p, i,
			   pol->special == SPECIAL_DENY ? REASON_SPECIAL : REASON_UNKNOWN, &at,
			   detail, today, err);
	}
	const char *cc = at.country;
	if (cc[0] && ccset_has(&pol->deny, cc)) {
		snprintf(detail, sizeof(detail), "%s is denied by policy %s", cc, pol->name);
		return add(j, svc, pol, p, i, REASON_DENIED_COUNTRY, &at, detail, today, err);
	}
	if (cc[0] && pol->has_allow && !ccset_has(&pol->allow, cc)) {
		snprintf(detail, sizeof(detail), "%s is not among the countries policy %s allows",
			 cc, pol->name);
		return add(j, svc, pol, p, i, REASON_COUNTRY_NOT_ALLOWED, &at, detail, today, err);
	}
	if (!provider_allowed(pol, at.provider[0] ? at.provider : "none")) {
		snprintf(detail, sizeof(detail),
			 "provider %s is not among the providers policy %s allows",
			 at.provider[0] ? at.provider : "none (in no provider's ranges)",
			 pol->name);
		return add(j, svc, pol, p, i, REASON_PROVIDER_NOT_ALLOWED, &at, detail, today, err);
	}
	if (at.scope == ATTR_SCOPE_GLOBAL && !pol->global_allow) {
		snprintf(detail, sizeof(detail),
			 "anycast/global range %s of %s: the country cannot be named", at.prefix,
			 at.provider);
		return add(j, svc, pol, p, i, REASON_INDETERMINATE, &at, detail, today, err);
	}
	if (cc[0] == '\0' && at.scope != ATTR_SCOPE_GLOBAL && !pol->unknown_allow) {
		if (at.region_unmapped)
			snprintf(detail, sizeof(detail),
				 "region %s of %s has no country in the region table and GeoIP has "
				 "no answer",
				 at.region, at.provider);
		else
			snprintf(detail, sizeof(detail), "no source places this address");
		return add(j, svc, pol, p, i, REASON_UNKNOWN, &at, detail, today, err);
	}
	return R_OK;
}

static bool any_failed(const struct path *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->elems[i].status != DNS_OK)
			return true;
	return false;
}

enum rstatus judge_service(const struct service *svc, const struct policy *pol,
			   const struct path *paths, const bool *is_mail, size_t npaths,
			   judge_attribute_fn attribute, void *ctx, const char *today,
			   struct judgement *out, struct rerr *err)
{
	enum rstatus rc = R_OK;
	char detail[1024];

	for (size_t k = 0; k < npaths && rc == R_OK; k++) {
		const struct path *p = &paths[k];
		bool mail = is_mail && is_mail[k];
		/*
		 * A path with no element, or one that says it failed while none of
		 * its elements says where (the element that failed could not be
		 * kept), was not judged whole: its elements alone would read as a
		 * pass. A finding on its root, never allowed.
		 */
		if (p->n == 0 || (p->status != DNS_OK && !any_failed(p))) {
			struct path_elem root = {.kind = PATH_NAME,
						 .name = p->root,
						 .status = p->status,
						 .parent = -1,
						 .zone = "",
						 .answer = -1};
			struct path one = *p;
			if (p->n == 0) {
				one.elems = &root;
				one.n = 1;
				snprintf(detail, sizeof(detail),
					 "%s: the data path has no element: nothing of it was "
					 "checked, so not a pass",
					 p->root);
			} else {
				snprintf(detail, sizeof(detail),
					 "%s: the data path is not whole (%s) and no element of "
					 "it says where: what is missing was not checked, so not "
					 "a pass",
					 p->root, dns_status_name(p->status));
			}
			rc = add(out, svc, pol, &one, 0, REASON_INCOMPLETE, NULL, detail, today,
				 err);
		}
		for (size_t i = 0; i < p->n && rc == R_OK; i++) {
			const struct path_elem *e = &p->elems[i];
			if (e->kind == PATH_ADDRESS) {
				rc = judge_address(out, svc, pol, p, i, attribute, ctx, today, err);
				continue;
			}
			if (e->status == DNS_OK)
				continue;
			/* A path cut at a bound is never allowed: not even "unknown":
			 * "allow" covers what residency itself did not look at. */
			if (e->status == DNS_TOOBIG || e->status == DNS_TOOLONG) {
				if (e->kind == PATH_NS && e->zone[0] == '\0')
					snprintf(
					    detail, sizeof(detail),
					    "the zone of %s could not be found: its SOA answer "
					    "was larger than residency keeps whole",
					    e->name);
				else if (e->status == DNS_TOOLONG)
					snprintf(detail, sizeof(detail),
						 "%s: the CNAME chain is longer than residency "
						 "follows (%d hops): where it ends was not checked",
						 e->name, PATH_MAX_HOPS);
				else
					snprintf(
					    detail, sizeof(detail),
					    "%s: the data path outgrew residency's bounds (%d "
					    "elements a path; an answer kept whole): what lies "
					    "beyond it was not checked",
					    e->name, PATH_MAX_ELEMS);
				rc = add(out, svc, pol, p, i, REASON_INCOMPLETE, NULL, detail,
					 today, err);
				continue;
			}
			/*
			 * Part of the path is missing although the rest was found: a
			 * host with one of A and AAAA unanswered (or answered with a
			 * CNAME not followed from a name server or mail host), or a
			 * name whose zone, and so its name servers, could not be
			 * found. "unknown": "allow" covers an element that could not
			 * be resolved at all, never a path judged in part.
			 */
			if (e->status == DNS_INCOMPLETE) {
				snprintf(detail, sizeof(detail),
					 "%s: incomplete: one of its A and AAAA answers is missing "
					 "(a question got no answer, timeout, SERVFAIL, ..., or "
					 "the answer was a CNAME; the stored answers say which): "
					 "addresses may be missing",
					 e->name);
				rc = add(out, svc, pol, p, i, REASON_INCOMPLETE, NULL, detail,
					 today, err);
				continue;
			}
			if (e->kind == PATH_NS && e->zone[0] == '\0') {
				snprintf(detail, sizeof(detail),
					 "the zone of %s could not be found (its SOA question: "
					 "%s): its name servers are unknown",
					 e->name, dns_status_name(e->status));
				rc = add(out, svc, pol, p, i, REASON_INCOMPLETE, NULL, detail,
					 today, err);
				continue;
			}
			if (pol->unknown_allow)
				continue;
			/* A mail domain needs no address of its own, only MX hosts. */
			if (mail && i == 0 && e->status == DNS_NODATA)
				continue;
			if (e->kind == PATH_NS)
				snprintf(detail, sizeof(detail), "name server %s of zone %s: %s",
					 e->name, e->zone, dns_status_name(e->status));
			else if (e->kind == PATH_MX)
				snprintf(detail, sizeof(detail), "mail host %s: %s", e->name,
					 dns_status_name(e->status));
			else if (i == 0 && strncmp(e->name, "*.", 2) == 0)
				snprintf(
				    detail, sizeof(detail),
				    "pattern %s matched no name in the loaded zones: nothing of it "
				    "was checked",
				    e->name);
			else if (i == 0 && e->status == DNS_NODATA)
				snprintf(detail, sizeof(detail),
					 "%s has no A or AAAA record: nowhere to "
					 "judge, so not a pass",
					 e->name);
			else
				snprintf(detail, sizeof(detail), "%s: %s", e->name,
					 dns_status_name(e->status));
			rc =
			    add(out, svc, pol, p, i, REASON_UNRESOLVABLE, NULL, detail, today, err);
		}
	}
	if (rc == R_OK)
		finish(out, 0);
	return rc;
}
