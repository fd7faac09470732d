/*
 * test_judge: judge_service() alone, with no database, network or DNS server.
 * Paths (struct path) and policies are built in memory and addresses are
 * attributed by a fake through the judge's attribution hook, so each case says
 * exactly what the judge was given and what it must find. The judge fails
 * closed: whatever cannot be placed or was not looked at whole is a finding.
 */
#include "attrib/attrib.h"
#include "dns/dns.h"
#include "policy/judge.h"
#include "policy/policy.h"
#include "lib/testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TODAY "2026-11-24"

/* ---- fake attribution: a table from address text to what it says ---- */

struct fake {
	const char *addr;
	const char *country;
	const char *provider;
	const char *region;
	enum attr_scope scope;
	enum attr_source source;
	const char *special, *special_rfc; /* source special */
	bool region_unmapped;
};

struct fakes {
	const struct fake *v;
	size_t n;
	size_t calls;
};

/* Fills out as attrib_lookup() does: every field, unknown when not in the table. */
static void fake_attribute(void *ctx, const struct addr *a, struct attribution *out)
{
	struct fakes *fk = ctx;
	char text[ADDR_STRLEN];

	fk->calls++;
	memset(out, 0, sizeof(*out));
	out->addr = *a;
	addr_format(a, text, sizeof(text));
	for (size_t i = 0; i < fk->n; i++) {
		const struct fake *f = &fk->v[i];
		if (strcmp(f->addr, text) != 0)
			continue;
		snprintf(out->country, sizeof(out->country), "%s", f->country ? f->country : "");
		snprintf(out->provider, sizeof(out->provider), "%s",
			 f->provider ? f->provider : "");
		snprintf(out->region, sizeof(out->region), "%s", f->region ? f->region : "");
		snprintf(out->special, sizeof(out->special), "%s", f->special ? f->special : "");
		snprintf(out->special_rfc, sizeof(out->special_rfc), "%s",
			 f->special_rfc ? f->special_rfc : "");
		out->scope = f->scope;
		out->source = f->source;
		out->region_unmapped = f->region_unmapped;
		if (f->provider)
			snprintf(out->prefix, sizeof(out->prefix), "%s/24", text);
		return;
	}
}

/* ---- policies in memory ---- */

/* Adds the code at the start of list ("DE FR": DE), as policy.c's sets hold it. */
static void cc_add(struct ccset *s, const char *list)
{
	char cc[3] = {list[0], list[1], '\0'};
	int i = (cc[0] - 'A') * 26 + (cc[1] - 'A');
	s->bits[i / 8] |= (uint8_t)(1u << (i % 8));
	ck_assert(ccset_has(s, cc));
}

/* A policy named name with the given allow and deny lists ("DE FR", NULL: none). */
static void policy_init(struct policy *p, const char *name, const char *allow, const char *deny)
{
	memset(p, 0, sizeof(*p));
	p->name = (char *)name;
	if (allow) {
		p->has_allow = true;
		for (const char *c = allow; *c; c += c[2] ? 3 : 2)
			cc_add(&p->allow, c);
	}
	if (deny)
		for (const char *c = deny; *c; c += c[2] ? 3 : 2)
			cc_add(&p->deny, c);
}

static struct service svc_named(const char *name)
{
	struct service s;
	memset(&s, 0, sizeof(s));
	s.name = (char *)name;
	s.policy = (char *)"p";
	return s;
}

/* ---- paths in memory ---- */

#define MAXE 16

struct tpath {
	struct path p;
	struct path_elem e[MAXE];
};

/* A path whose root name has the given status. */
static void tp_init(struct tpath *t, const char *root, enum dns_status st)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->p.root, sizeof(t->p.root), "%s", root);
	t->p.elems = t->e;
	t->p.cap = MAXE;
	t->e[0] = (struct path_elem){PATH_NAME, root, {0}, st, -1, "", -1};
	t->p.n = 1;
	t->p.status = st;
}

static int tp_add(struct tpath *t, enum path_kind kind, const char *name, enum dns_status st,
		  int parent, const char *zone)
{
	ck_assert_uint_lt(t->p.n, MAXE);
	struct path_elem *e = &t->e[t->p.n];
	*e = (struct path_elem){kind, name, {0}, st, parent, zone ? zone : "", -1};
	if (st != DNS_OK && t->p.status == DNS_OK)
		t->p.status = st;
	return (int)t->p.n++;
}

static int tp_addr(struct tpath *t, const char *text, int parent)
{
	int i = tp_add(t, PATH_ADDRESS, t->e[parent].name, DNS_OK, parent, NULL);
	ck_assert(addr_parse(text, &t->e[i].addr));
	return i;
}

/* One endpoint with one address. */
static void tp_simple(struct tpath *t, const char *root, const char *addr)
{
	tp_init(t, root, DNS_OK);
	tp_addr(t, addr, 0);
}

/* Judges one service's paths (is_mail may be NULL) into j. */
static void judge(const struct service *s, const struct policy *pol, struct tpath *tps,
		  const bool *is_mail, size_t n, struct fakes *fk, const char *today,
		  struct judgement *j)
{
	struct path paths[8];
	struct rerr err;

	ck_assert_uint_le(n, 8);
	for (size_t i = 0; i < n; i++)
		paths[i] = tps[i].p;
	rerr_clear(&err);
	ck_assert_int_eq(
	    judge_service(s, pol, paths, is_mail, n, fake_attribute, fk, today, j, &err), R_OK);
}

static const struct fake world[] = {
    {"198.51.100.1", "DE", "aws", "eu-central-1", ATTR_SCOPE_REGIONAL, ATTR_SRC_PROVIDER, NULL,
     NULL, false},
    {"198.51.100.2", "FR", "gcp", "europe-west9", ATTR_SCOPE_REGIONAL, ATTR_SRC_PROVIDER, NULL,
     NULL, false},
    {"198.51.100.3", "CN", "aliyun", "cn-beijing", ATTR_SCOPE_REGIONAL, ATTR_SRC_PROVIDER, NULL,
     NULL, false},
    {"198.51.100.4", "US", NULL, NULL, ATTR_SCOPE_NONE, ATTR_SRC_GEOIP, NULL, NULL, false},
    {"2001:db8::5", "CN", NULL, NULL, ATTR_SCOPE_NONE, ATTR_SRC_GEOIP, NULL, NULL, false},
    /* anycast: a provider's GLOBAL range, no country */
    {"198.51.100.6", "", "cloudflare", NULL, ATTR_SCOPE_GLOBAL, ATTR_SRC_PROVIDER, NULL, NULL,
     false},
    /* a provider region the region table does not know, and GeoIP has nothing */
    {"198.51.100.7", "", "aws", "xx-new-1", ATTR_SCOPE_REGIONAL, ATTR_SRC_PROVIDER, NULL, NULL,
     true},
    /* special-purpose: private use, and a globally reachable block (AS112) */
    {"10.1.2.3", "", NULL, NULL, ATTR_SCOPE_NONE, ATTR_SRC_SPECIAL, "Private-Use", "RFC 1918",
     false},
    {"192.31.196.1", "", NULL, NULL, ATTR_SCOPE_GLOBAL, ATTR_SRC_SPECIAL, "AS112-v4", "RFC 7535",
     false},
    /* 198.51.100.99 and anything else: in no table at all (unknown) */
};

static struct fakes world_fakes(void)
{
	struct fakes f = {world, sizeof(world) / sizeof(world[0]), 0};
	return f;
}

/* The one finding of j for element, or fails. */
static const struct finding *only(const struct judgement *j, const char *element)
{
	const struct finding *hit = NULL;
	for (size_t i = 0; i < j->n; i++)
		if (strcmp(j->v[i].element, element) == 0) {
			ck_assert_msg(hit == NULL, "two findings for %s", element);
			hit = &j->v[i];
		}
	ck_assert_msg(hit != NULL, "no finding for %s", element);
	return hit;
}

/* ---- cases ---- */

START_TEST(allowed_country_is_no_finding)
{
	struct policy pol;
	struct service s = svc_named("shop");
	struct tpath tp[3];
	struct judgement j = {0};
	struct fakes fk = world_fakes();

	policy_init(&pol, "eu-only", "DE FR", NULL);
	tp_simple(&tp[0], "shop.example.com.", "198.51.100.1");
	tp_simple(&tp[1], "api.example.com.", "198.51.100.2");
	tp_init(&tp[2], "both.example.com.", DNS_OK);
	tp_addr(&tp[2], "198.51.100.1", 0);
	tp_addr(&tp[2], "198.51.100.2", 0);
	judge(&s, &pol, tp, NULL, 3, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 0);
	ck_assert_uint_eq(j.nwaived, 0);
	ck_assert_uint_eq(fk.calls, 4); /* every address was asked about */
	judgement_free(&j);

	/* A deny list alone: a country not on it passes. */
	policy_init(&pol, "not-cn", NULL, "CN RU");
	judge(&s, &pol, tp, NULL, 3, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 0);
	judgement_free(&j);
	judgement_free(&j); /* safe on a zeroed judgement */
}
END_TEST

START_TEST(denied_and_not_allowed_countries_and_providers)
{
	struct policy pol;
	struct service s = svc_named("shop");
	struct tpath tp[2];
	struct judgement j = {0};
	struct fakes fk = world_fakes();
	const struct finding *f;

	tp_init(&tp[0], "shop.example.com.", DNS_OK);
	tp_addr(&tp[0], "198.51.100.1", 0);		     /* DE */
	tp_addr(&tp[0], "198.51.100.3", 0);		     /* CN */
	tp_simple(&tp[1], "v6.example.com.", "2001:db8::5"); /* CN by GeoIP */

	policy_init(&pol, "not-cn", NULL, "CN");
	judge(&s, &pol, tp, NULL, 2, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 2);
	f = only(&j, "198.51.100.3");
	ck_assert_int_eq(f->reason, REASON_DENIED_COUNTRY);
	ck_assert_int_eq(f->kind, PATH_ADDRESS);
	ck_assert_str_eq(f->service, "shop");
	ck_assert_str_eq(f->policy, "not-cn");
	ck_assert_str_eq(f->endpoint, "shop.example.com.");
	ck_assert_str_eq(f->at.country, "CN");
	ck_assert_str_eq(f->at.provider, "aliyun");
	ck_assert_str_eq(f->detail, "CN is denied by policy not-cn");
	ck_assert_ptr_null(f->waiver);
	ck_assert_ptr_null(f->expired);
	ck_assert_uint_eq(f->nmore, 0);
	/* the path: endpoint first, element last */
	ck_assert_uint_eq(f->npath, 2);
	ck_assert_int_eq(f->path[0].kind, PATH_NAME);
	ck_assert_str_eq(f->path[0].text, "shop.example.com.");
	ck_assert_int_eq(f->path[1].kind, PATH_ADDRESS);
	ck_assert_str_eq(f->path[1].text, "198.51.100.3");
	f = only(&j, "2001:db8::5");
	ck_assert_int_eq(f->reason, REASON_DENIED_COUNTRY);
	ck_assert_str_eq(f->endpoint, "v6.example.com.");
	judgement_free(&j);

	/* Denied wins over allowed: a country on both lists is denied. */
	policy_init(&pol, "odd", "DE CN", "CN");
	judge(&s, &pol, tp, NULL, 1, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 1);
	ck_assert_int_eq(only(&j, "198.51.100.3")->reason, REASON_DENIED_COUNTRY);
	judgement_free(&j);

	/* An allow list: what is not on it is a finding of its own reason. */
	policy_init(&pol, "de-only", "DE", NULL);
	judge(&s, &pol, tp, NULL, 2, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 2);
	f = only(&j, "198.51.100.3");
	ck_assert_int_eq(f->reason, REASON_COUNTRY_NOT_ALLOWED);
	ck_assert_str_eq(f->detail, "CN is not among the countries policy de-only allows");
	ck_assert_int_eq(only(&j, "2001:db8::5")->reason, REASON_COUNTRY_NOT_ALLOWED);
	judgement_free(&j);

	/* An empty allow list allows no country at all. */
	policy_init(&pol, "nothing", "", NULL);
	ck_assert(pol.has_allow);
	judge(&s, &pol, tp, NULL, 1, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 2);
	ck_assert_int_eq(only(&j, "198.51.100.1")->reason, REASON_COUNTRY_NOT_ALLOWED);
	judgement_free(&j);

	/* allow_providers: another provider, and an address in no provider's ranges. */
	char *provs[] = {(char *)"aws"};
	policy_init(&pol, "aws-only", NULL, NULL);
	pol.providers = provs;
	pol.nproviders = 1;
	tp_init(&tp[0], "shop.example.com.", DNS_OK);
	tp_addr(&tp[0], "198.51.100.1", 0); /* aws */
	tp_addr(&tp[0], "198.51.100.2", 0); /* gcp */
	tp_addr(&tp[0], "198.51.100.4", 0); /* no provider */
	judge(&s, &pol, tp, NULL, 1, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 2);
	f = only(&j, "198.51.100.2");
	ck_assert_int_eq(f->reason, REASON_PROVIDER_NOT_ALLOWED);
	ck_assert_str_eq(f->detail,
			 "provider gcp is not among the providers policy aws-only allows");
	f = only(&j, "198.51.100.4");
	ck_assert_int_eq(f->reason, REASON_PROVIDER_NOT_ALLOWED);
	ck_assert_ptr_nonnull(strstr(f->detail, "none (in no provider's ranges)"));
	judgement_free(&j);
}
END_TEST

START_TEST(unknown_attribution_fails_closed)
{
	struct policy pol;
	struct service s = svc_named("shop");
	struct tpath tp[1];
	struct judgement j = {0};
	struct fakes fk = world_fakes();
	const struct finding *f;

	tp_init(&tp[0], "shop.example.com.", DNS_OK);
	tp_addr(&tp[0], "198.51.100.99", 0); /* no source places it */
	tp_addr(&tp[0], "198.51.100.7", 0);  /* a region with no country */

	/* Under every shape of policy: no list, a deny list, an allow list. */
	const char *allows[] = {NULL, NULL, "DE US CN"};
	const char *denies[] = {NULL, "CN", NULL};
	for (int k = 0; k < 3; k++) {
		policy_init(&pol, "p", allows[k], denies[k]);
		judge(&s, &pol, tp, NULL, 1, &fk, TODAY, &j);
		ck_assert_uint_eq(j.n, 2);
		f = only(&j, "198.51.100.99");
		ck_assert_int_eq(f->reason, REASON_UNKNOWN);
		ck_assert_str_eq(f->detail, "no source places this address");
		ck_assert_int_eq(f->at.source, ATTR_SRC_NONE);
		f = only(&j, "198.51.100.7");
		ck_assert_int_eq(f->reason, REASON_UNKNOWN);
		ck_assert_ptr_nonnull(strstr(f->detail, "region xx-new-1 of aws"));
		judgement_free(&j);
	}

	/* Unknown under allow_providers is still a finding (the provider check). */
	char *provs[] = {(char *)"aws", (char *)"gcp"};
	policy_init(&pol, "p", NULL, NULL);
	pol.providers = provs;
	pol.nproviders = 2;
	judge(&s, &pol, tp, NULL, 1, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 2);
	ck_assert_int_eq(only(&j, "198.51.100.99")->reason, REASON_PROVIDER_NOT_ALLOWED);
	ck_assert_int_eq(only(&j, "198.51.100.7")->reason, REASON_UNKNOWN);
	judgement_free(&j);

	/* Only "unknown": "allow" lets an unplaced address pass. */
	policy_init(&pol, "p", "DE", NULL);
	pol.unknown_allow = true;
	judge(&s, &pol, tp, NULL, 1, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 0);
	judgement_free(&j);
}
END_TEST

START_TEST(anycast_is_indeterminate)
{
	struct policy pol;
	struct service s = svc_named("cdn");
	struct tpath tp[1];
	struct judgement j = {0};
	struct fakes fk = world_fakes();
	const struct finding *f;

	tp_simple(&tp[0], "cdn.example.com.", "198.51.100.6");
	/* Neither an allow list nor a deny list nor "unknown": "allow" covers it. */
	const char *allows[] = {NULL, "DE", NULL};
	const char *denies[] = {"CN", NULL, NULL};
	for (int k = 0; k < 3; k++) {
		policy_init(&pol, "p", allows[k], denies[k]);
		pol.unknown_allow = k == 2;
		judge(&s, &pol, tp, NULL, 1, &fk, TODAY, &j);
		ck_assert_uint_eq(j.n, 1);
		f = only(&j, "198.51.100.6");
		ck_assert_int_eq(f->reason, REASON_INDETERMINATE);
		ck_assert_int_eq(f->at.scope, ATTR_SCOPE_GLOBAL);
		ck_assert_ptr_nonnull(strstr(f->detail, "anycast/global range"));
		ck_assert_ptr_nonnull(strstr(f->detail, "cloudflare"));
		judgement_free(&j);
	}
	/* "global": "allow" does. */
	policy_init(&pol, "p", "DE", NULL);
	pol.global_allow = true;
	judge(&s, &pol, tp, NULL, 1, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 0);
	judgement_free(&j);
	/* ... but not a provider the policy does not allow. */
	char *provs[] = {(char *)"aws"};
	pol.providers = provs;
	pol.nproviders = 1;
	judge(&s, &pol, tp, NULL, 1, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 1);
	ck_assert_int_eq(only(&j, "198.51.100.6")->reason, REASON_PROVIDER_NOT_ALLOWED);
	judgement_free(&j);
}
END_TEST

/* A path judged in part is a finding even under "unknown": "allow". */
START_TEST(incomplete_paths_are_findings_even_when_unknown_is_allowed)
{
	struct policy pol;
	struct service s = svc_named("shop");
	struct tpath tp[5];
	struct judgement j = {0};
	struct fakes fk = world_fakes();
	const struct finding *f;

	/* a host with one of A and AAAA unanswered, its address allowed */
	tp_init(&tp[0], "half.example.com.", DNS_INCOMPLETE);
	tp_addr(&tp[0], "198.51.100.1", 0);
	/* a path cut at PATH_MAX_ELEMS */
	tp_init(&tp[1], "big.example.com.", DNS_TOOBIG);
	tp_addr(&tp[1], "198.51.100.1", 0);
	/* a CNAME chain longer than residency follows */
	tp_init(&tp[2], "long.example.com.", DNS_OK);
	tp_add(&tp[2], PATH_NAME, "hop.example.net.", DNS_TOOLONG, 0, NULL);
	/* a name whose zone (so whose name servers) could not be found */
	tp_simple(&tp[3], "nozone.example.com.", "198.51.100.1");
	tp_add(&tp[3], PATH_NS, "nozone.example.com.", DNS_TIMEOUT, 0, "");
	/* a zone whose SOA answer was too big to keep */
	tp_simple(&tp[4], "hugesoa.example.com.", "198.51.100.1");
	tp_add(&tp[4], PATH_NS, "hugesoa.example.com.", DNS_TOOBIG, 0, "");

	policy_init(&pol, "p", "DE", NULL);
	for (int allow = 0; allow < 2; allow++) {
		pol.unknown_allow = allow;
		judge(&s, &pol, tp, NULL, 5, &fk, TODAY, &j);
		ck_assert_uint_eq(j.n, 5);
		for (size_t i = 0; i < j.n; i++)
			ck_assert_msg(j.v[i].reason == REASON_INCOMPLETE, "%s: %s", j.v[i].element,
				      finding_reason_name(j.v[i].reason));
		f = only(&j, "half.example.com.");
		ck_assert_int_eq(f->kind, PATH_NAME);
		ck_assert_ptr_nonnull(
		    strstr(f->detail, "one of its A and AAAA answers is missing"));
		f = only(&j, "big.example.com.");
		ck_assert_ptr_nonnull(strstr(f->detail, "outgrew residency's bounds"));
		f = only(&j, "hop.example.net.");
		ck_assert_str_eq(f->endpoint, "long.example.com.");
		ck_assert_ptr_nonnull(strstr(f->detail, "CNAME chain is longer"));
		ck_assert_uint_eq(f->npath, 2);
		f = only(&j, "nozone.example.com.");
		ck_assert_int_eq(f->kind, PATH_NS);
		ck_assert_ptr_nonnull(strstr(f->detail, "its name servers are unknown"));
		ck_assert_ptr_nonnull(strstr(f->detail, "timeout"));
		f = only(&j, "hugesoa.example.com.");
		ck_assert_int_eq(f->kind, PATH_NS);
		ck_assert_ptr_nonnull(strstr(f->detail, "its SOA answer was larger"));
		judgement_free(&j);
	}
}
END_TEST

/* Names that could not be resolved: findings unless "unknown": "allow". */
START_TEST(unresolvable_names)
{
	struct policy pol;
	struct service s = svc_named("shop");
	struct tpath tp[5];
	bool mail[5] = {false, false, false, true, true};
	struct judgement j = {0};
	struct fakes fk = world_fakes();
	const struct finding *f;

	tp_init(&tp[0], "gone.example.com.", DNS_NXDOMAIN);
	tp_init(&tp[1], "noaddr.example.com.", DNS_NODATA);
	tp_init(&tp[2], "*.pay.example.com", DNS_NOZONE);
	/* a mail domain needs no address of its own: only its MX hosts count */
	tp_init(&tp[3], "example.org.", DNS_NODATA);
	tp_add(&tp[3], PATH_MX, "mx.example.org.", DNS_OK, 0, NULL);
	tp_addr(&tp[3], "198.51.100.1", 1);
	/* a mail domain with no MX at all */
	tp_init(&tp[4], "nomx.example.org.", DNS_NODATA);
	tp_add(&tp[4], PATH_MX, "nomx.example.org.", DNS_NODATA, 0, NULL);

	policy_init(&pol, "p", "DE", NULL);
	judge(&s, &pol, tp, mail, 5, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 4);
	for (size_t i = 0; i < j.n; i++)
		ck_assert_int_eq(j.v[i].reason, REASON_UNRESOLVABLE);
	ck_assert_str_eq(only(&j, "gone.example.com.")->detail, "gone.example.com.: nxdomain");
	ck_assert_ptr_nonnull(strstr(only(&j, "noaddr.example.com.")->detail,
				     "has no A or AAAA record: nowhere to judge, so not a pass"));
	ck_assert_ptr_nonnull(strstr(only(&j, "*.pay.example.com")->detail, "matched no name"));
	f = only(&j, "nomx.example.org.");
	ck_assert_int_eq(f->kind, PATH_MX);
	ck_assert_str_eq(f->detail, "mail host nomx.example.org.: nodata");
	judgement_free(&j);

	/* The same mail domain judged as an endpoint is a finding. */
	judge(&s, &pol, &tp[3], NULL, 1, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 1);
	ck_assert_int_eq(only(&j, "example.org.")->reason, REASON_UNRESOLVABLE);
	judgement_free(&j);

	pol.unknown_allow = true;
	judge(&s, &pol, tp, mail, 5, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 0);
	judgement_free(&j);
}
END_TEST

START_TEST(special_purpose_addresses)
{
	struct policy pol;
	struct service s = svc_named("intranet");
	struct tpath tp[2];
	struct judgement j = {0};
	struct fakes fk = world_fakes();
	const struct finding *f;

	tp_simple(&tp[0], "intra.example.com.", "10.1.2.3");
	tp_simple(&tp[1], "as112.example.com.", "192.31.196.1");

	/* "unknown" (the default): a finding, even under "unknown": "allow" and
	 * whatever the country lists say. */
	for (int allow = 0; allow < 2; allow++) {
		policy_init(&pol, "p", allow ? NULL : "DE", NULL);
		pol.unknown_allow = allow;
		ck_assert_int_eq(pol.special, SPECIAL_UNKNOWN);
		judge(&s, &pol, tp, NULL, 1, &fk, TODAY, &j);
		ck_assert_uint_eq(j.n, 1);
		f = only(&j, "10.1.2.3");
		ck_assert_int_eq(f->reason, REASON_UNKNOWN);
		ck_assert_int_eq(f->at.source, ATTR_SRC_SPECIAL);
		ck_assert_str_eq(f->detail,
				 "10.1.2.3 is a special-purpose address (Private-Use, RFC "
				 "1918): no country, no provider; policy p says special: "
				 "unknown");
		judgement_free(&j);
	}

	/* "deny": a finding of its own reason. */
	policy_init(&pol, "p", NULL, NULL);
	pol.special = SPECIAL_DENY;
	judge(&s, &pol, tp, NULL, 1, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 1);
	f = only(&j, "10.1.2.3");
	ck_assert_int_eq(f->reason, REASON_SPECIAL);
	ck_assert_str_eq(finding_reason_name(f->reason), "special_address");
	ck_assert_ptr_nonnull(strstr(f->detail, "says special: deny"));
	judgement_free(&j);

	/* "allow": none, and never judged by the country or provider checks. */
	char *provs[] = {(char *)"aws"};
	policy_init(&pol, "p", "DE", "CN");
	pol.providers = provs;
	pol.nproviders = 1;
	pol.special = SPECIAL_ALLOW;
	judge(&s, &pol, tp, NULL, 1, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 0);
	judgement_free(&j);

	/* A globally reachable special block is judged as anycast is, whatever
	 * "special" says. */
	for (int sp = SPECIAL_UNKNOWN; sp <= SPECIAL_DENY; sp++) {
		policy_init(&pol, "p", NULL, NULL);
		pol.special = (enum special_policy)sp;
		judge(&s, &pol, &tp[1], NULL, 1, &fk, TODAY, &j);
		ck_assert_uint_eq(j.n, 1);
		f = only(&j, "192.31.196.1");
		ck_assert_int_eq(f->reason, REASON_INDETERMINATE);
		ck_assert_ptr_nonnull(strstr(f->detail, "globally reachable special-purpose"));
		ck_assert_ptr_nonnull(strstr(f->detail, "AS112-v4"));
		judgement_free(&j);
		pol.global_allow = true;
		judge(&s, &pol, &tp[1], NULL, 1, &fk, TODAY, &j);
		ck_assert_uint_eq(j.n, 0);
		judgement_free(&j);
	}
}
END_TEST

/* An address that embeds a special IPv4 one (6to4 of 10.1.2.3) names how. */
static void embedded_attribute(void *ctx, const struct addr *a, struct attribution *out)
{
	(void)ctx;
	memset(out, 0, sizeof(*out));
	out->addr = *a;
	out->source = ATTR_SRC_SPECIAL;
	snprintf(out->special, sizeof(out->special), "Private-Use");
	snprintf(out->special_rfc, sizeof(out->special_rfc), "RFC 1918");
	ck_assert(addr_parse("10.1.2.3", &out->embedded));
	snprintf(out->embedded_via, sizeof(out->embedded_via), "6to4");
}

START_TEST(special_embedded_address_names_how)
{
	struct policy pol;
	struct service s = svc_named("intranet");
	struct tpath tp;
	struct judgement j = {0};
	struct rerr err;

	tp_simple(&tp, "six.example.com.", "2002:a01:203::1");
	policy_init(&pol, "p", NULL, NULL);
	rerr_clear(&err);
	ck_assert_int_eq(
	    judge_service(&s, &pol, &tp.p, NULL, 1, embedded_attribute, NULL, TODAY, &j, &err),
	    R_OK);
	ck_assert_uint_eq(j.n, 1);
	ck_assert_int_eq(j.v[0].reason, REASON_UNKNOWN);
	ck_assert_ptr_nonnull(
	    strstr(j.v[0].detail, "2002:a01:203::1 (6to4 of 10.1.2.3) is a special-purpose"));
	judgement_free(&j);
}
END_TEST

START_TEST(waivers_before_and_after_expiry)
{
	struct policy pol;
	struct service s = svc_named("shop");
	struct tpath tp[2];
	struct judgement j = {0};
	struct fakes fk = world_fakes();
	const struct finding *f;
	/* policy.c keeps waiver elements lower case without a trailing dot */
	struct waiver w[2] = {{(char *)"198.51.100.3", (char *)"migration", "2026-11-24", 7},
			      {(char *)"db.example.com", (char *)"ticket 42", "2026-11-24", 12}};

	tp_simple(&tp[0], "shop.example.com.", "198.51.100.3");
	tp_init(&tp[1], "db.example.com.", DNS_OK);
	tp_add(&tp[1], PATH_NAME, "db.cn.example.net.", DNS_OK, 0, NULL);
	tp_addr(&tp[1], "198.51.100.4", 1); /* US */
	policy_init(&pol, "p", NULL, "CN US");
	pol.waivers = w;
	pol.nwaivers = 2;

	/* Valid through the expiry day: an element waiver, and an endpoint waiver
	 * that covers every element of the endpoint's path. */
	const char *valid_days[] = {"2026-01-01", "2026-11-23", "2026-11-24"};
	for (int d = 0; d < 3; d++) {
		judge(&s, &pol, tp, NULL, 2, &fk, valid_days[d], &j);
		ck_assert_uint_eq(j.n, 2);
		ck_assert_uint_eq(j.nwaived, 2);
		f = only(&j, "198.51.100.3");
		ck_assert_ptr_eq(f->waiver, &w[0]);
		ck_assert_ptr_null(f->expired);
		f = only(&j, "198.51.100.4");
		ck_assert_ptr_eq(f->waiver, &w[1]);
		ck_assert_str_eq(f->endpoint, "db.example.com.");
		ck_assert_uint_eq(f->npath, 3);
		judgement_free(&j);
	}
	/* The day after: the findings stand, with the waiver that expired. */
	const char *late_days[] = {"2026-11-25", "2027-01-01"};
	for (int d = 0; d < 2; d++) {
		judge(&s, &pol, tp, NULL, 2, &fk, late_days[d], &j);
		ck_assert_uint_eq(j.n, 2);
		ck_assert_uint_eq(j.nwaived, 0);
		f = only(&j, "198.51.100.3");
		ck_assert_ptr_null(f->waiver);
		ck_assert_ptr_eq(f->expired, &w[0]);
		ck_assert_int_eq(f->reason, REASON_DENIED_COUNTRY);
		ck_assert_ptr_eq(only(&j, "198.51.100.4")->expired, &w[1]);
		judgement_free(&j);
	}
	/* An expired waiver and a valid one for the same element: the valid one. */
	struct waiver two[2] = {{(char *)"198.51.100.3", (char *)"old", "2025-01-01", 3},
				{(char *)"198.51.100.3", (char *)"renewed", "2027-01-01", 9}};
	pol.waivers = two;
	judge(&s, &pol, tp, NULL, 1, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 1);
	ck_assert_uint_eq(j.nwaived, 1);
	ck_assert_ptr_eq(j.v[0].waiver, &two[1]);
	judgement_free(&j);
	/* A waiver of another element waives nothing. */
	struct waiver other = {(char *)"198.51.100.33", (char *)"typo", "2027-01-01", 3};
	pol.waivers = &other;
	pol.nwaivers = 1;
	judge(&s, &pol, tp, NULL, 1, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 1);
	ck_assert_uint_eq(j.nwaived, 0);
	ck_assert_ptr_null(j.v[0].waiver);
	ck_assert_ptr_null(j.v[0].expired);
	judgement_free(&j);
}
END_TEST

/* Name servers and mail hosts are part of the path: judged as any element. */
START_TEST(name_servers_and_mail_hosts_are_judged)
{
	struct policy pol;
	struct service s = svc_named("mail");
	struct tpath tp[2];
	bool mail[2] = {false, true};
	struct judgement j = {0};
	struct fakes fk = world_fakes();
	const struct finding *f;

	/* shop -> DE; its zone's name servers: ns1 in CN, ns2 timed out */
	tp_simple(&tp[0], "shop.example.com.", "198.51.100.1");
	int ns1 = tp_add(&tp[0], PATH_NS, "ns1.example.net.", DNS_OK, 0, "example.com.");
	tp_addr(&tp[0], "198.51.100.3", ns1);
	tp_add(&tp[0], PATH_NS, "ns2.example.net.", DNS_TIMEOUT, 0, "example.com.");
	/* mail domain example.org: MX in CN, another MX that does not exist */
	tp_init(&tp[1], "example.org.", DNS_NODATA);
	int mx = tp_add(&tp[1], PATH_MX, "mx1.example.org.", DNS_OK, 0, NULL);
	tp_addr(&tp[1], "2001:db8::5", mx);
	tp_add(&tp[1], PATH_MX, "mx2.example.org.", DNS_NXDOMAIN, 0, NULL);
	/* the MX host's zone's name server, in the US */
	int mxns = tp_add(&tp[1], PATH_NS, "ns.example.org.", DNS_OK, mx, "example.org.");
	tp_addr(&tp[1], "198.51.100.4", mxns);

	policy_init(&pol, "eu", "DE FR", NULL);
	judge(&s, &pol, tp, mail, 2, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 5);
	f = only(&j, "198.51.100.3");
	ck_assert_int_eq(f->reason, REASON_COUNTRY_NOT_ALLOWED);
	ck_assert_uint_eq(f->npath, 3);
	ck_assert_int_eq(f->path[0].kind, PATH_NAME);
	ck_assert_int_eq(f->path[1].kind, PATH_NS);
	ck_assert_str_eq(f->path[1].text, "ns1.example.net.");
	ck_assert_str_eq(f->path[1].zone, "example.com.");
	ck_assert_int_eq(f->path[2].kind, PATH_ADDRESS);
	f = only(&j, "ns2.example.net.");
	ck_assert_int_eq(f->kind, PATH_NS);
	ck_assert_int_eq(f->reason, REASON_UNRESOLVABLE);
	ck_assert_str_eq(f->detail, "name server ns2.example.net. of zone example.com.: timeout");
	f = only(&j, "2001:db8::5");
	ck_assert_int_eq(f->reason, REASON_COUNTRY_NOT_ALLOWED);
	ck_assert_str_eq(f->endpoint, "example.org.");
	ck_assert_uint_eq(f->npath, 3);
	ck_assert_int_eq(f->path[1].kind, PATH_MX);
	ck_assert_str_eq(f->path[1].text, "mx1.example.org.");
	f = only(&j, "mx2.example.org.");
	ck_assert_int_eq(f->kind, PATH_MX);
	ck_assert_int_eq(f->reason, REASON_UNRESOLVABLE);
	ck_assert_str_eq(f->detail, "mail host mx2.example.org.: nxdomain");
	f = only(&j, "198.51.100.4");
	ck_assert_uint_eq(f->npath, 4); /* mail domain -> MX -> NS -> address */
	ck_assert_int_eq(f->path[1].kind, PATH_MX);
	ck_assert_int_eq(f->path[2].kind, PATH_NS);
	ck_assert_str_eq(f->path[2].zone, "example.org.");
	judgement_free(&j);
}
END_TEST

/* One finding per (element, reason) in a service, listing every endpoint. */
START_TEST(findings_are_aggregated_per_element_and_reason)
{
	struct policy pol;
	struct service s = svc_named("shop"), t = svc_named("blog");
	struct tpath tp[4];
	struct judgement j = {0};
	struct fakes fk = world_fakes();
	const struct finding *f;
	const char *roots[] = {"c.example.com.", "a.example.com.", "b.example.com.",
			       "a.example.com."};

	/* four paths (one endpoint twice), each reaching the shared name server
	 * in CN; the endpoint c also reaches it twice in its own path */
	for (int i = 0; i < 4; i++) {
		tp_simple(&tp[i], roots[i], "198.51.100.1");
		int ns = tp_add(&tp[i], PATH_NS, "ns.example.cn.", DNS_OK, 0, "example.com.");
		tp_addr(&tp[i], "198.51.100.3", ns);
	}
	int again = tp_add(&tp[0], PATH_NAME, "www.example.com.", DNS_OK, 0, NULL);
	tp_addr(&tp[0], "198.51.100.3", again);
	policy_init(&pol, "p", NULL, "CN");
	judge(&s, &pol, tp, NULL, 4, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 1);
	f = &j.v[0];
	ck_assert_str_eq(f->element, "198.51.100.3");
	ck_assert_int_eq(f->reason, REASON_DENIED_COUNTRY);
	/* the least endpoint shows, with its own path; the others sorted, once each */
	ck_assert_str_eq(f->endpoint, "a.example.com.");
	ck_assert_str_eq(f->path[0].text, "a.example.com.");
	ck_assert_uint_eq(f->nmore, 2);
	ck_assert_str_eq(f->more_endpoints[0], "b.example.com.");
	ck_assert_str_eq(f->more_endpoints[1], "c.example.com.");

	/* Another service judged into the same judgement keeps its own finding. */
	judge(&t, &pol, &tp[2], NULL, 1, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 2);
	ck_assert_str_eq(j.v[1].service, "blog");
	ck_assert_str_eq(j.v[1].endpoint, "b.example.com.");
	ck_assert_uint_eq(j.v[1].nmore, 0);
	ck_assert_uint_eq(j.v[0].nmore, 2);
	judgement_free(&j);

	/* The same paths in another order read the same. */
	struct tpath rev[4] = {tp[3], tp[2], tp[1], tp[0]};
	for (int i = 0; i < 4; i++)
		rev[i].p.elems = rev[i].e;
	judge(&s, &pol, rev, NULL, 4, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 1);
	ck_assert_str_eq(j.v[0].endpoint, "a.example.com.");
	ck_assert_uint_eq(j.v[0].nmore, 2);
	ck_assert_str_eq(j.v[0].more_endpoints[0], "b.example.com.");
	ck_assert_str_eq(j.v[0].more_endpoints[1], "c.example.com.");
	judgement_free(&j);

	/* A waiver that holds for one endpoint keeps its finding apart. */
	struct waiver w = {(char *)"b.example.com", (char *)"ticket 7", "2027-01-01", 4};
	pol.waivers = &w;
	pol.nwaivers = 1;
	judge(&s, &pol, tp, NULL, 4, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 2);
	ck_assert_uint_eq(j.nwaived, 1);
	for (size_t i = 0; i < j.n; i++) {
		f = &j.v[i];
		if (f->waiver) {
			ck_assert_str_eq(f->endpoint, "b.example.com.");
			ck_assert_uint_eq(f->nmore, 0);
		} else {
			ck_assert_str_eq(f->endpoint, "a.example.com.");
			ck_assert_uint_eq(f->nmore, 1);
			ck_assert_str_eq(f->more_endpoints[0], "c.example.com.");
		}
	}
	judgement_free(&j);

	/* Different reasons for one element are different findings. */
	pol.waivers = NULL;
	pol.nwaivers = 0;
	tp_init(&tp[0], "x.example.com.", DNS_OK);
	tp_add(&tp[0], PATH_NS, "ns.example.cn.", DNS_TIMEOUT, 0, "example.com.");
	tp_init(&tp[1], "y.example.com.", DNS_OK);
	tp_add(&tp[1], PATH_NS, "ns.example.cn.", DNS_TOOBIG, 0, "example.com.");
	judge(&s, &pol, tp, NULL, 2, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 2);
	ck_assert_int_ne(j.v[0].reason, j.v[1].reason);
	judgement_free(&j);
}
END_TEST

/*
 * A path that says it is not whole while none of its elements says where (the
 * element that failed could not be kept: dns/path.c drops it when memory runs
 * out interning its name), and a path with no element at all, are never a
 * pass: nothing of what is missing was checked.
 */
START_TEST(a_path_not_whole_without_a_failed_element_is_a_finding)
{
	struct policy pol;
	struct service s = svc_named("shop");
	struct tpath tp[3];
	struct judgement j = {0};
	struct fakes fk = world_fakes();
	const struct finding *f;

	/* root with no element: its own name could not be kept */
	tp_init(&tp[0], "empty.example.com.", DNS_OK);
	tp[0].p.n = 0;
	tp[0].p.status = DNS_ERROR;
	/* a CNAME target dropped: the root looks resolved, its address allowed */
	tp_simple(&tp[1], "cut.example.com.", "198.51.100.1");
	tp[1].p.status = DNS_ERROR;
	/* a whole path next to them stays clean */
	tp_simple(&tp[2], "fine.example.com.", "198.51.100.1");

	policy_init(&pol, "p", "DE", NULL);
	for (int allow = 0; allow < 2; allow++) {
		pol.unknown_allow = allow;
		judge(&s, &pol, tp, NULL, 3, &fk, TODAY, &j);
		ck_assert_uint_eq(j.n, 2);
		f = only(&j, "empty.example.com.");
		ck_assert_int_eq(f->reason, REASON_INCOMPLETE);
		ck_assert_str_eq(f->endpoint, "empty.example.com.");
		ck_assert_uint_eq(f->npath, 1);
		ck_assert_str_eq(f->path[0].text, "empty.example.com.");
		ck_assert_ptr_nonnull(strstr(f->detail, "not a pass"));
		f = only(&j, "cut.example.com.");
		ck_assert_int_eq(f->reason, REASON_INCOMPLETE);
		ck_assert_ptr_nonnull(strstr(f->detail, "error"));
		judgement_free(&j);
	}
	/* A path whose failure an element carries is judged by that element alone. */
	tp_init(&tp[0], "gone.example.com.", DNS_NXDOMAIN);
	pol.unknown_allow = true;
	judge(&s, &pol, tp, NULL, 1, &fk, TODAY, &j);
	ck_assert_uint_eq(j.n, 0);
	judgement_free(&j);
}
END_TEST

START_TEST(reason_names)
{
	ck_assert_str_eq(finding_reason_name(REASON_DENIED_COUNTRY), "denied_country");
	ck_assert_str_eq(finding_reason_name(REASON_COUNTRY_NOT_ALLOWED), "country_not_allowed");
	ck_assert_str_eq(finding_reason_name(REASON_PROVIDER_NOT_ALLOWED), "provider_not_allowed");
	ck_assert_str_eq(finding_reason_name(REASON_INDETERMINATE), "indeterminate");
	ck_assert_str_eq(finding_reason_name(REASON_UNKNOWN), "unknown");
	ck_assert_str_eq(finding_reason_name(REASON_UNRESOLVABLE), "unresolvable");
	ck_assert_str_eq(finding_reason_name(REASON_INCOMPLETE), "incomplete");
	ck_assert_str_eq(finding_reason_name(REASON_SPECIAL), "special_address");
}
END_TEST

static Suite *judge_suite(void)
{
	Suite *s = suite_create("judge");
	TCase *tc = tcase_create("judge");

	tcase_add_test(tc, allowed_country_is_no_finding);
	tcase_add_test(tc, denied_and_not_allowed_countries_and_providers);
	tcase_add_test(tc, unknown_attribution_fails_closed);
	tcase_add_test(tc, anycast_is_indeterminate);
	tcase_add_test(tc, incomplete_paths_are_findings_even_when_unknown_is_allowed);
	tcase_add_test(tc, unresolvable_names);
	tcase_add_test(tc, special_purpose_addresses);
	tcase_add_test(tc, special_embedded_address_names_how);
	tcase_add_test(tc, waivers_before_and_after_expiry);
	tcase_add_test(tc, name_servers_and_mail_hosts_are_judged);
	tcase_add_test(tc, findings_are_aggregated_per_element_and_reason);
	tcase_add_test(tc, a_path_not_whole_without_a_failed_element_is_a_finding);
	tcase_add_test(tc, reason_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(judge_suite());
}
