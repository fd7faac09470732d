/*
 * test_dns: data paths answered from zone files (--offline): chains across
 * zones, loops, a 20-hop chain, NXDOMAIN and NODATA, wildcards, AAAA-only,
 * name servers in another zone, MX, names no zone covers, bad zone files.
 */
#include "dns/dns.h"
#include "dns/rrtext.h"
#include "dns/zone.h"
#include "lib/testutil.h"

#include <check.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct dns *D;

/* Options for the two test zones, offline; zones holds their paths. */
static void offline_options(struct dns_options *opt, char zones[2][4096], const char *files[2])
{
	snprintf(zones[0], 4096, "%s", tu_path("tests/fixtures/zones/example.test.zone"));
	snprintf(zones[1], 4096, "%s", tu_path("tests/fixtures/zones/other.test.zone"));
	files[0] = zones[0];
	files[1] = zones[1];
	memset(opt, 0, sizeof(*opt));
	opt->zone_files = files;
	opt->nzone_files = 2;
	opt->offline = true;
}

static void setup(void)
{
	static char zones[2][4096];
	static const char *files[2];
	struct dns_options opt;
	struct rerr err;

	offline_options(&opt, zones, files);
	ck_assert_msg(dns_new(&opt, &D, &err) == R_OK, "%s", err.msg);
}

static void teardown(void)
{
	dns_free(D);
}

static void resolve(const char *name, bool mx, struct path *p)
{
	struct rerr err;
	const char *names[1] = {name};
	bool want[1] = {mx};

	ck_assert_int_eq(dns_resolve_paths(D, names, want, 1, p, &err), R_OK);
}

static size_t count(const struct path *p, enum path_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += p->elems[i].kind == k;
	return n;
}

static const struct path_elem *find_addr(const struct path *p, const char *text)
{
	char a[ADDR_STRLEN];
	for (size_t i = 0; i < p->n; i++)
		if (p->elems[i].kind == PATH_ADDRESS &&
		    strcmp(addr_format(&p->elems[i].addr, a, sizeof(a)), text) == 0)
			return &p->elems[i];
	return NULL;
}

START_TEST(addresses_and_name_servers)
{
	struct path p;

	resolve("App.Example.Test", false, &p); /* case and the final dot do not matter */
	ck_assert_int_eq(p.status, DNS_OK);
	ck_assert_str_eq(p.root, "app.example.test.");
	ck_assert_ptr_nonnull(find_addr(&p, "15.220.120.77"));
	ck_assert_ptr_nonnull(find_addr(&p, "2600:1f18::1"));
	ck_assert_uint_eq(count(&p, PATH_NS), 2);
	/* The name server in another zone, with its address (in China). */
	const struct path_elem *ns = find_addr(&p, "161.189.0.10");
	ck_assert_ptr_nonnull(ns);
	ck_assert_str_eq(p.elems[ns->parent].name, "ns.other.test.");
	ck_assert_str_eq(p.elems[ns->parent].zone, "example.test.");
	path_clear(&p);
}
END_TEST

START_TEST(chain_across_zones)
{
	struct path p;

	resolve("www.example.test", false, &p);
	ck_assert_int_eq(p.status, DNS_OK);
	ck_assert_uint_eq(count(&p, PATH_NAME), 3); /* www -> cdn.other.test -> edge.other.test */
	const struct path_elem *a = find_addr(&p, "104.16.0.1");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(p.elems[a->parent].name, "edge.other.test.");
	ck_assert_str_eq(p.elems[p.elems[a->parent].parent].name, "cdn.other.test.");
	/* Both zones on the chain have their name servers listed. */
	bool ex = false, ot = false;
	for (size_t i = 0; i < p.n; i++)
		if (p.elems[i].kind == PATH_NS) {
			ex |= strcmp(p.elems[i].zone, "example.test.") == 0;
			ot |= strcmp(p.elems[i].zone, "other.test.") == 0;
		}
	ck_assert(ex && ot);
	path_clear(&p);
}
END_TEST

START_TEST(loop_and_long_chain_end_with_their_reason)
{
	struct path p;

	resolve("loop1.example.test", false, &p);
	ck_assert_int_eq(p.status, DNS_LOOP);
	ck_assert_uint_eq(count(&p, PATH_ADDRESS), 2); /* only the two name servers' */
	path_clear(&p);
	resolve("h1.example.test", false, &p);
	ck_assert_int_eq(p.status, DNS_TOOLONG);
	ck_assert_uint_le(count(&p, PATH_NAME), 18);
	path_clear(&p);
	resolve("h5.example.test", false, &p); /* 15 hops: fine */
	ck_assert_int_eq(p.status, DNS_OK);
	ck_assert_ptr_nonnull(find_addr(&p, "3.5.140.12"));
	path_clear(&p);
}
END_TEST

START_TEST(nxdomain_nodata_wildcard_aaaa_mapped)
{
	struct path p;

	resolve("nope.example.test", false, &p);
	ck_assert_int_eq(p.status, DNS_NXDOMAIN);
	path_clear(&p);
	resolve("sub.example.test", false, &p); /* an empty non-terminal: exists, no data */
	ck_assert_int_eq(p.status, DNS_NODATA);
	path_clear(&p);
	resolve("anything.wild.example.test", false, &p);
	ck_assert_int_eq(p.status, DNS_OK);
	ck_assert_ptr_nonnull(find_addr(&p, "52.95.110.1"));
	path_clear(&p);
	resolve("wild.example.test", false, &p); /* the encloser itself: TXT only */
	ck_assert_int_eq(p.status, DNS_NODATA);
	path_clear(&p);
	resolve("v6only.example.test", false, &p);
	ck_assert_int_eq(p.status, DNS_OK);
	ck_assert_ptr_nonnull(find_addr(&p, "2600:1f14::5"));
	path_clear(&p);
	resolve("mapped.example.test", false, &p);
	const struct path_elem *m = find_addr(&p, "3.5.140.1");
	ck_assert_ptr_nonnull(m);
	ck_assert(m->addr.mapped);
	path_clear(&p);
	resolve("nowhere.invalid", false, &p);
	ck_assert_int_eq(p.status, DNS_NOZONE);
	path_clear(&p);
}
END_TEST

START_TEST(mail_hosts)
{
	struct path p;

	resolve("mail.example.test", true, &p);
	ck_assert_int_eq(p.status, DNS_OK);
	ck_assert_uint_eq(count(&p, PATH_MX), 2);
	ck_assert_ptr_nonnull(find_addr(&p, "24.144.64.1"));
	ck_assert_ptr_nonnull(find_addr(&p, "34.32.0.1"));
	path_clear(&p);
	resolve("app.example.test", true, &p); /* asked for mail, has none: not a pass */
	ck_assert_int_eq(p.status, DNS_NODATA);
	path_clear(&p);
}
END_TEST

START_TEST(answers_are_kept)
{
	const struct dns_answer *a;
	struct path p;
	bool seen = false;

	resolve("app.example.test", false, &p);
	path_clear(&p);
	size_t n = dns_answers(D, &a);

	ck_assert_uint_gt(n, 0);
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].name, "app.example.test.") == 0 && strcmp(a[i].type, "A") == 0) {
			ck_assert_ptr_nonnull(strstr(a[i].data, "15.220.120.77"));
			ck_assert_ptr_nonnull(strstr(a[i].resolver, "example.test.zone"));
			ck_assert_uint_eq(a[i].ttl, 300);
			seen = true;
		}
	ck_assert(seen);
}
END_TEST

/* Element by element, with the answers they name, across two dns objects. */
static void same_paths(struct dns *da, const struct path *a, struct dns *db, const struct path *b)
{
	const struct dns_answer *aa, *ab;
	size_t na = dns_answers(da, &aa), nb = dns_answers(db, &ab);

	ck_assert_uint_eq(a->n, b->n);
	ck_assert_int_eq(a->status, b->status);
	for (size_t i = 0; i < a->n; i++) {
		const struct path_elem *x = &a->elems[i], *y = &b->elems[i];
		ck_assert_int_eq(x->kind, y->kind);
		ck_assert_str_eq(x->name, y->name);
		ck_assert_str_eq(x->zone, y->zone);
		ck_assert_int_eq(x->status, y->status);
		ck_assert_int_eq(x->parent, y->parent);
		if (x->kind == PATH_ADDRESS)
			ck_assert_int_eq(addr_cmp(&x->addr, &y->addr), 0);
		ck_assert_int_eq(x->answer < 0, y->answer < 0);
		if (x->answer < 0)
			continue;
		ck_assert_int_lt(x->answer, (int)na);
		ck_assert_int_lt(y->answer, (int)nb);
		ck_assert_str_eq(aa[x->answer].name, ab[y->answer].name);
		ck_assert_str_eq(aa[x->answer].type, ab[y->answer].type);
		ck_assert_str_eq(aa[x->answer].data, ab[y->answer].data);
	}
}

/*
 * The name server part of a zone is built once and copied into the next
 * paths of that zone: a path built after others of its zone (and after the
 * answer log was emptied) is the one a fresh dns object builds for it alone.
 */
START_TEST(name_server_part_is_the_same_when_copied)
{
	static const char *names[] = {"h1.example.test", "app.example.test", "www.example.test",
				      "mail.example.test"};
	struct dns_options opt;
	struct rerr err;
	struct path p[4], alone;

	char zones[2][4096];
	const char *files[2];

	offline_options(&opt, zones, files);
	for (int forget = 0; forget < 2; forget++) {
		struct dns *shared;
		bool mx[4] = {false, false, true, true};
		ck_assert_msg(dns_new(&opt, &shared, &err) == R_OK, "%s", err.msg);
		ck_assert_int_eq(dns_resolve_paths(shared, names, mx, 4, p, &err), R_OK);
		if (forget) {
			for (int i = 0; i < 4; i++)
				path_clear(&p[i]);
			dns_forget_answers(shared);
			ck_assert_int_eq(dns_resolve_paths(shared, names, mx, 4, p, &err), R_OK);
		}
		for (int i = 0; i < 4; i++) {
			struct dns *fresh;
			ck_assert_msg(dns_new(&opt, &fresh, &err) == R_OK, "%s", err.msg);
			ck_assert_int_eq(
			    dns_resolve_paths(fresh, &names[i], &mx[i], 1, &alone, &err), R_OK);
			same_paths(shared, &p[i], fresh, &alone);
			path_clear(&alone);
			path_clear(&p[i]);
			dns_free(fresh);
		}
		dns_free(shared);
	}
}
END_TEST

START_TEST(zone_names_patterns)
{
	char **names;
	size_t n;
	struct rerr err;

	ck_assert_int_eq(dns_zone_names(D, "*.wild.example.test", &names, &n, &err), R_OK);
	ck_assert_uint_eq(n, 0); /* the wildcard owner is not a name */
	dns_names_free(names, n);
	ck_assert_int_eq(dns_zone_names(D, "*.other.test", &names, &n, &err), R_OK);
	ck_assert_uint_eq(n, 4); /* cdn edge mx1 ns */
	ck_assert_str_eq(names[0], "cdn.other.test.");
	dns_names_free(names, n);
	ck_assert_int_eq(dns_zone_names(D, "app.example.test", &names, &n, &err), R_OK);
	ck_assert_uint_eq(n, 1);
	dns_names_free(names, n);
	ck_assert_int_eq(dns_zone_names(D, "a*b.test", &names, &n, &err), R_EINPUT);
}
END_TEST

START_TEST(bad_zone_files_name_file_and_line)
{
	char cmd[8192], *err = NULL;

	snprintf(cmd, sizeof(cmd), "'%s' resolve --offline --zone '%s' x.bad.test", tu_bin(),
		 tu_path("tests/fixtures/zones/bad-syntax.zone"));
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "bad-syntax.zone:6:"));
	free(err);
	snprintf(cmd, sizeof(cmd), "'%s' resolve --offline --zone '%s' x", tu_bin(),
		 tu_path("tests/fixtures/zones/no-soa.zone"));
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "no SOA record"));
	free(err);
	/* A second SOA is refused at its line (ldns would read freed memory at a third). */
	snprintf(cmd, sizeof(cmd), "'%s' resolve --offline --zone '%s' ns1.three.test", tu_bin(),
		 tu_path("tests/fixtures/zones/three-soa.zone"));
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 2);
	ck_assert_msg(strstr(err, "three-soa.zone:9: a second SOA record") != NULL, "%s", err);
	free(err);
	/* Standard input is read as well as a file (the zone is read twice, from memory). */
	char other[4096];
	snprintf(other, sizeof(other), "%s", tu_path("tests/fixtures/zones/other.test.zone"));
	snprintf(cmd, sizeof(cmd),
		 "'%s' resolve --offline --zone /dev/stdin --zone '%s' app.example.test < '%s'",
		 tu_bin(), other, tu_path("tests/fixtures/zones/example.test.zone"));
	ck_assert_int_eq(tu_run(cmd, NULL, NULL), 0);
	/* A transfer spec without a host is bad usage; --offline excludes --axfr. */
	snprintf(cmd, sizeof(cmd), "'%s' resolve --axfr example.test example.test", tu_bin());
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "--axfr takes ZONE@HOST[:PORT]"));
	free(err);
	snprintf(cmd, sizeof(cmd), "'%s' resolve --offline --axfr example.test@127.0.0.1 x",
		 tu_bin());
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "cannot go with --axfr"));
	free(err);
	char *out = NULL, z1[4096];
	snprintf(z1, sizeof(z1), "%s", tu_path("tests/fixtures/zones/example.test.zone"));
	snprintf(cmd, sizeof(cmd),
		 "'%s' resolve --offline --format json --zone '%s' --zone '%s' www.example.test",
		 tu_bin(), z1, tu_path("tests/fixtures/zones/other.test.zone"));
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"addresses\":[\"104.16.0.1\"]"));
	free(out);
}
END_TEST

/*
 * Issue 13, item 6: a CNAME target of 263 characters as text (a 63-byte label
 * of \000 escapes) is refused; the error quoted the record's text after
 * freeing it (a use after free that ASan reports in this test).
 */
START_TEST(long_cname_target_is_refused_naming_the_record)
{
	struct zonedb *db = zonedb_new();
	struct rerr err;
	char msg[2048], cmd[8192], zone[4096], *out = NULL;

	snprintf(zone, sizeof(zone), "%s", tu_path("tests/fixtures/zones/long-cname-target.zone"));

	ck_assert_ptr_nonnull(db);
	rerr_clear(&err);
	ck_assert_int_eq(zonedb_load(db, zone, &err), R_EINPUT);
	rerr_format(&err, msg, sizeof(msg));
	ck_assert_msg(strstr(msg, "long-cname-target.zone: cannot read record (a name longer "
				  "than 253 characters as text): www.long.test.") != NULL,
		      "%s", msg);
	ck_assert_msg(strstr(msg, "CNAME\t\\000\\000") != NULL, "%s", msg);
	/* Nothing of the file stays, and the db is still usable. */
	ck_assert_uint_eq(zonedb_records(db), 0);
	ck_assert_int_eq(zonedb_load(db, tu_path("tests/fixtures/zones/example.test.zone"), &err),
			 R_OK);
	ck_assert_int_eq(zonedb_seal(db, &err), R_OK);
	zonedb_free(db);
	/* Through the binary: bad input, exit 2. */
	snprintf(cmd, sizeof(cmd), "'%s' resolve --offline --zone '%s' www.long.test", tu_bin(),
		 zone);
	int rc = tu_run(cmd, NULL, &out);
	ck_assert_msg(rc == 2, "exit %d: %s", rc, out);
	ck_assert_msg(strstr(out, "cannot read record (a name longer than 253") != NULL, "%s", out);
	free(out);
}
END_TEST

/* rrtext: the same text as ldns for names and records. */
static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

/* A random valid wire name of at most 255 bytes into w; its length. */
static size_t random_wire_name(uint8_t *w, bool every_byte, unsigned *byte)
{
	size_t n = 0, labels = 1 + next_rand() % 5;
	for (size_t k = 0; k < labels; k++) {
		size_t len = 1 + next_rand() % 20;
		if (n + 1 + len + 1 > 255)
			break;
		w[n++] = (uint8_t)len;
		for (size_t i = 0; i < len; i++)
			w[n++] = every_byte ? (uint8_t)((*byte)++ & 0xff) : (uint8_t)next_rand();
	}
	w[n++] = 0;
	return n;
}

static void same_name(const uint8_t *w, size_t n)
{
	ldns_rdf *rdf = ldns_dname_new_frm_data((uint16_t)n, w);
	ck_assert_ptr_nonnull(rdf);
	char *want = ldns_rdf2str(rdf), got[RRTEXT_NAME_MAX];
	ck_assert(rrtext_name(w, n, got, sizeof(got)));
	ck_assert_str_eq(got, want);
	free(want);
	ldns_rdf_deep_free(rdf);
}

START_TEST(rrtext_names_match_ldns)
{
	uint8_t w[256];
	unsigned byte = 0;
	char out[RRTEXT_NAME_MAX];

	same_name((const uint8_t *)"\0", 1);
	for (int i = 0; i < 300; i++) /* every byte value, in labels of every shape */
		same_name(w, random_wire_name(w, true, &byte));
	for (int i = 0; i < 5000; i++)
		same_name(w, random_wire_name(w, false, &byte));
	/* Malformed: no root label, a label past the end, bytes after the root. */
	ck_assert(!rrtext_name((const uint8_t *)"\3abc", 4, out, sizeof(out)));
	ck_assert(!rrtext_name((const uint8_t *)"\5abc\0", 5, out, sizeof(out)));
	ck_assert(!rrtext_name((const uint8_t *)"\1a\0\0", 4, out, sizeof(out)));
	ck_assert(!rrtext_name((const uint8_t *)"", 0, out, sizeof(out)));
	ck_assert(!rrtext_name((const uint8_t *)"\1a\0", 3, out, 3)); /* does not fit */
}
END_TEST

static ldns_rdf *random_name_rdf(void)
{
	uint8_t w[256];
	unsigned byte = 0;
	size_t n = random_wire_name(w, false, &byte);
	return ldns_dname_new_frm_data((uint16_t)n, w);
}

START_TEST(rrtext_records_match_ldns)
{
	static const ldns_rr_type types[] = {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_CNAME,
					     LDNS_RR_TYPE_NS, LDNS_RR_TYPE_MX};
	for (int i = 0; i < 5000; i++) {
		ldns_rr_type t = types[next_rand() % 5];
		ldns_rr *rr = ldns_rr_new_frm_type(t);
		uint8_t a[16];
		for (int k = 0; k < 16; k++)
			a[k] = (uint8_t)(next_rand() % 4 ? 0 : next_rand());
		if (i % 7 == 0) /* an IPv4-mapped IPv6 address */
			memcpy(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff\x0a\x01\x02\x03", 16);
		ldns_rr_set_owner(rr, random_name_rdf());
		ldns_rr_set_ttl(rr, next_rand() * 257u);
		if (t == LDNS_RR_TYPE_A)
			ldns_rr_set_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4, a), 0);
		else if (t == LDNS_RR_TYPE_AAAA)
			ldns_rr_set_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA, 16, a), 0);
		else if (t == LDNS_RR_TYPE_MX) {
			ldns_rr_set_rdf(
			    rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, (uint16_t)next_rand()),
			    0);
			ldns_rr_set_rdf(rr, random_name_rdf(), 1);
		} else
			ldns_rr_set_rdf(rr, random_name_rdf(), 0);
		char *want = ldns_rr2str(rr), got[2 * RRTEXT_NAME_MAX + 64];
		size_t n = 0;
		ck_assert(rrtext_record(rr, got, sizeof(got), &n));
		ck_assert_uint_eq(n, strlen(got));
		ck_assert_uint_eq(strlen(want), n + 1); /* ldns ends it with a newline */
		ck_assert_mem_eq(got, want, n);
		free(want);
		/* Another class, or a type it does not write: left to ldns. */
		ldns_rr_set_class(rr, LDNS_RR_CLASS_CH);
		ck_assert(!rrtext_record(rr, got, sizeof(got), &n));
		ldns_rr_free(rr);
	}
	ldns_rr *txt = NULL;
	ck_assert_int_eq(ldns_rr_new_frm_str(&txt, "a.test. 60 IN TXT \"x\"", 0, NULL, NULL),
			 LDNS_STATUS_OK);
	char got[600];
	size_t n;
	ck_assert(!rrtext_record(txt, got, sizeof(got), &n));
	ldns_rr_free(txt);
}
END_TEST

/*
 * The bounds of issue 13, lowered so a test reaches them: past the answer
 * log's bound an answer is not used (too_big, never its records without their
 * evidence); past the zone records' bound a file is refused, naming it.
 */
START_TEST(answer_log_and_zone_record_bounds)
{
	static char zones[2][4096];
	static const char *files[2];
	struct dns_options opt;
	struct dns *d = NULL;
	struct rerr err;
	struct path p[1];
	const char *names[1] = {"app.example.test"};

	offline_options(&opt, zones, files);
	opt.max_answers = 2; /* the A and AAAA of app, then nothing more is logged */
	ck_assert_msg(dns_new(&opt, &d, &err) == R_OK, "%s", err.msg);
	ck_assert_int_eq(dns_resolve_paths(d, names, NULL, 1, p, &err), R_OK);
	ck_assert_int_eq(p[0].status, DNS_TOOBIG);
	ck_assert_int_eq(p[0].elems[0].status, DNS_OK); /* its own answers were logged */
	bool cut = false;
	for (size_t i = 0; i < p[0].n; i++)
		cut |= p[0].elems[i].kind == PATH_NS && p[0].elems[i].status == DNS_TOOBIG;
	ck_assert_msg(cut, "the name-server part is not marked too_big");
	const struct dns_answer *ans;
	ck_assert_uint_eq(dns_answers(d, &ans), 2);
	path_clear(&p[0]);
	dns_free(d);

	offline_options(&opt, zones, files);
	opt.max_zone_records = 10;
	ck_assert_int_eq(dns_new(&opt, &d, &err), R_ELIMIT);
	ck_assert_ptr_nonnull(strstr(err.msg, "more than 10 records in all zones"));
	ck_assert_ptr_nonnull(strstr(err.where, "example.test.zone"));
}
END_TEST

int main(void)
{
	Suite *su = suite_create("dns");
	TCase *tc = tcase_create("dns");

	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, addresses_and_name_servers);
	tcase_add_test(tc, chain_across_zones);
	tcase_add_test(tc, loop_and_long_chain_end_with_their_reason);
	tcase_add_test(tc, nxdomain_nodata_wildcard_aaaa_mapped);
	tcase_add_test(tc, mail_hosts);
	tcase_add_test(tc, answers_are_kept);
	tcase_add_test(tc, name_server_part_is_the_same_when_copied);
	tcase_add_test(tc, zone_names_patterns);
	tcase_add_test(tc, bad_zone_files_name_file_and_line);
	tcase_add_test(tc, long_cname_target_is_refused_naming_the_record);
	suite_add_tcase(su, tc);
	TCase *tt = tcase_create("rrtext");
	tcase_add_test(tt, rrtext_names_match_ldns);
	tcase_add_test(tt, rrtext_records_match_ldns);
	tcase_add_test(tc, answer_log_and_zone_record_bounds);
	suite_add_tcase(su, tt);
	return tu_run_suite(su);
}
