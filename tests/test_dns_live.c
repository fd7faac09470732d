/*
 * test_dns_live: the data path against a real NSD on loopback (started here,
 * always stopped): every case of the test zones with its rcode, the same paths
 * as --zone --offline gives for the same zones, REFUSED for a zone not served,
 * and a resolver that never answers giving "timeout" (never NXDOMAIN, never a
 * pass).
 */
#include "dns/dns.h"
#include "lib/dnsproxy.h"
#include "lib/nsd.h"
#include "lib/testutil.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static int port, hole;
static char z1[4096], z2[4096], z3[4200], z4[4200];

static void setup(void)
{
	char a[4200], b[4200];

	snprintf(z1, sizeof(z1), "%s", tu_path("tests/fixtures/zones/example.test.zone"));
	snprintf(z2, sizeof(z2), "%s", tu_path("tests/fixtures/zones/other.test.zone"));
	snprintf(a, sizeof(a), "example.test=%s,xfr", z1); /* AXFR allowed; other.test refuses it */
	snprintf(b, sizeof(b), "other.test=%s", z2);
	snprintf(z3, sizeof(z3), "incomplete.test=%s",
		 tu_path("tests/fixtures/zones/incomplete.test.zone"));
	snprintf(z4, sizeof(z4), "soa.test=%s", tu_path("tests/fixtures/zones/soa.test.zone"));
	const char *zones[4] = {a, b, z3, z4};
	port = nsd_start(zones, 4);
	ck_assert_msg(port > 0, "nsd did not start");
	hole = nsd_black_hole();
	ck_assert_int_gt(hole, 0);
}

static void teardown(void)
{
	dnsproxy_stop();
	nsd_stop();
}

/* One JSON object per name, from `residency resolve`. */
static json_t *resolve(const char *how, const char *names, int *status)
{
	char cmd[16384], *out = NULL;

	snprintf(cmd, sizeof(cmd), "'%s' resolve --format json --mx %s %s", tu_bin(), how, names);
	*status = tu_run(cmd, &out, NULL);
	json_t *arr = json_array();
	for (char *p = out; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		json_t *o = json_loads(p, 0, NULL);
		ck_assert_msg(o != NULL, "not JSON: %s", p);
		json_array_append_new(arr, o);
		p = nl ? nl + 1 : NULL;
	}
	free(out);
	return arr;
}

static const char *status_of(json_t *arr, size_t i)
{
	return json_string_value(json_object_get(json_array_get(arr, i), "status"));
}

#define NAMES                                                                                      \
	"app.example.test www.example.test nope.example.test loop1.example.test h1.example.test "  \
	"x.wild.example.test v6only.example.test mapped.example.test sub.example.test "            \
	"mail.example.test"

START_TEST(server_paths_equal_offline_paths)
{
	char live[256], offline[9000];
	int st1, st2;

	snprintf(live, sizeof(live), "--resolver 127.0.0.1:%d", port);
	snprintf(offline, sizeof(offline), "--offline --zone '%s' --zone '%s'", z1, z2);
	json_t *a = resolve(live, NAMES, &st1), *b = resolve(offline, NAMES, &st2);
	ck_assert_uint_eq(json_array_size(a), 10);
	ck_assert_int_eq(st1, st2);
	ck_assert_int_eq(st1, 3); /* some names are not fully resolved: nothing passes silently */
	static const char *want[] = {"nodata", "nodata", "nxdomain", "cname_loop", "chain_too_long",
				     "nodata", "nodata", "nodata",   "nodata",	   "ok"};
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *ea = json_object_get(json_array_get(a, i), "elements"),
		       *eb = json_object_get(json_array_get(b, i), "elements");
		char *sa = json_dumps(ea, JSON_COMPACT), *sb = json_dumps(eb, JSON_COMPACT);
		ck_assert_msg(strcmp(sa, sb) == 0, "name %zu differs:\nserver:  %s\noffline: %s", i,
			      sa, sb);
		ck_assert_msg(strcmp(status_of(a, i), want[i]) == 0, "name %zu: %s, want %s", i,
			      status_of(a, i), want[i]);
		free(sa);
		free(sb);
	}
	/* --mx on names without MX: nodata for those, but their addresses are there. */
	json_t *app = json_array_get(a, 0);
	char *s = json_dumps(json_object_get(app, "addresses"), JSON_COMPACT);
	ck_assert_str_eq(s, "[\"15.220.120.77\",\"2600:1f18::1\"]");
	free(s);
	s = json_dumps(json_object_get(app, "name_servers"), JSON_COMPACT);
	ck_assert_ptr_nonnull(strstr(s, "\"ns.other.test.\""));
	ck_assert_ptr_nonnull(strstr(s, "161.189.0.10"));
	free(s);
	s = json_dumps(json_object_get(json_array_get(a, 1), "addresses"), JSON_COMPACT);
	ck_assert_str_eq(s, "[\"104.16.0.1\"]"); /* www -> cdn.other.test -> edge.other.test */
	free(s);
	json_decref(a);
	json_decref(b);
}
END_TEST

START_TEST(refused_and_timeout_are_their_own_answers)
{
	char how[256];
	int st;

	snprintf(how, sizeof(how), "--resolver 127.0.0.1:%d", port);
	json_t *a = resolve(how, "www.elsewhere.test", &st);
	ck_assert_int_eq(st, 3);
	ck_assert_str_eq(status_of(a, 0), "refused");
	json_decref(a);
	snprintf(how, sizeof(how), "--resolver 127.0.0.1:%d --timeout 300 --tries 1", hole);
	a = resolve(how, "app.example.test", &st);
	ck_assert_int_eq(st, 3);
	ck_assert_str_eq(status_of(a, 0), "timeout");
	json_decref(a);
	/* The release gate on a resolver that never answers: could not run, exit 3. */
	char cmd[8192], *err = NULL;
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && '%s' check --estate examples/estate.json --policies examples/policies "
		 "--resolver 127.0.0.1:%d --format json",
		 tu_path(""), tu_bin(), hole);
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 3);
	ck_assert_ptr_nonnull(strstr(err, "no resolver answered"));
	free(err);
	/* A resolver that answers for some names: the rest are findings, never a pass. */
	char *out = NULL;
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && '%s' check --estate examples/estate.json --policies examples/policies "
		 "--resolver 127.0.0.1:%d --format json",
		 tu_path(""), tu_bin(), port);
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "refused"));
	free(out);
}
END_TEST

/* A loopback UDP port nothing listens on (bound, then closed). */
static int closed_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/*
 * A resolver port that is closed answers with ICMP: the error reaches c-ares
 * through the batched sockets, the name is "timeout" (nothing answered), and
 * with a second resolver that works the paths are the ones it alone gives.
 */
START_TEST(closed_port_is_timeout_and_the_next_resolver_answers)
{
	char how[256];
	int st, dead = closed_port();

	snprintf(how, sizeof(how), "--resolver 127.0.0.1:%d --timeout 300 --tries 2", dead);
	json_t *a = resolve(how, "app.example.test www.example.test", &st);
	ck_assert_int_eq(st, 3);
	ck_assert_str_eq(status_of(a, 0), "timeout");
	ck_assert_str_eq(status_of(a, 1), "timeout");
	json_decref(a);
	snprintf(how, sizeof(how),
		 "--resolver 127.0.0.1:%d --resolver 127.0.0.1:%d --timeout 300 --tries 3", dead,
		 port);
	a = resolve(how, NAMES, &st);
	snprintf(how, sizeof(how), "--resolver 127.0.0.1:%d", port);
	json_t *b = resolve(how, NAMES, &st);
	ck_assert_uint_eq(json_array_size(a), 10);
	ck_assert_msg(json_equal(a, b), "paths differ when the first resolver is closed");
	json_decref(a);
	json_decref(b);
}
END_TEST

START_TEST(axfr_pulls_a_zone_and_a_refused_one_is_an_error)
{
	char how[9000], *err = NULL;
	int st1, st2;

	snprintf(how, sizeof(how), "--axfr example.test@127.0.0.1:%d --resolver 127.0.0.1:%d", port,
		 port);
	json_t *a = resolve(how, "app.example.test nope.example.test x.wild.example.test", &st1);
	snprintf(how, sizeof(how), "--offline --zone '%s' --zone '%s'", z1, z2);
	json_t *b = resolve(how, "app.example.test nope.example.test x.wild.example.test", &st2);
	ck_assert_uint_eq(json_array_size(a), 3);
	for (size_t i = 0; i < 3; i++) {
		char *sa =
		    json_dumps(json_object_get(json_array_get(a, i), "elements"), JSON_COMPACT);
		char *sb =
		    json_dumps(json_object_get(json_array_get(b, i), "elements"), JSON_COMPACT);
		ck_assert_msg(strcmp(sa, sb) == 0, "name %zu differs:\naxfr:    %s\noffline: %s", i,
			      sa, sb);
		free(sa);
		free(sb);
	}
	json_decref(a);
	json_decref(b);
	char cmd[9000];
	snprintf(cmd, sizeof(cmd),
		 "'%s' resolve --axfr other.test@127.0.0.1:%d --resolver 127.0.0.1:%d "
		 "ns.other.test",
		 tu_bin(), port, port);
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 3);
	ck_assert_ptr_nonnull(strstr(err, "zone transfer of other.test from 127.0.0.1"));
	ck_assert_ptr_nonnull(strstr(err, "refused"));
	free(err);
}
END_TEST

/* `residency check` of tests/fixtures/incomplete/ESTATE through resolver port rport. */
static int check_estate(const char *estate, int rport, char **out)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && '%s' check --estate tests/fixtures/incomplete/%s --policies "
		 "tests/fixtures/incomplete/policies --resolver 127.0.0.1:%d --format json",
		 tu_path(""), tu_bin(), estate, rport);
	return tu_run(cmd, out, NULL);
}

static int check_incomplete(int rport, char **out)
{
	return check_estate("estate.json", rport, out);
}

/* The reasons of a check's findings, sorted and joined: "country_not_allowed incomplete". */
static void reasons(const char *out, char *buf, size_t len)
{
	json_t *doc = json_loads(out, 0, NULL), *f;
	size_t i;
	ck_assert_ptr_nonnull(doc);
	buf[0] = '\0';
	json_array_foreach(json_object_get(doc, "findings"), i, f)
	{
		char one[300];
		snprintf(one, sizeof(one), "%s%s:%s", i ? " " : "",
			 json_string_value(json_object_get(f, "reason")),
			 json_string_value(json_object_get(f, "element")));
		strncat(buf, one, len - strlen(buf) - 1);
	}
	json_decref(doc);
}

/*
 * Issue 13, case 2: app.incomplete.test has an address in DE (A) and one in CN
 * (AAAA). With its AAAA question timing out, the path was "ok" with the A
 * alone, and check said COMPLIANT, exit 0. A path is whole only when every
 * question it needed was answered: the host is "incomplete", a finding.
 */
START_TEST(a_failed_question_makes_the_path_incomplete)
{
	char how[256], got[2048], *out = NULL;
	int st;

	/* Straight from NSD: the CN address is there and is the finding. */
	ck_assert_int_eq(check_incomplete(port, &out), 1);
	reasons(out, got, sizeof(got));
	ck_assert_str_eq(got, "country_not_allowed:2404:c2c0::10");
	free(out);

	/* AAAA never answered: the path is incomplete, never ok. */
	int proxy = dnsproxy_start(port, "app.incomplete.test", 28, DNSPROXY_DROP);
	ck_assert_int_gt(proxy, 0);
	snprintf(how, sizeof(how), "--resolver 127.0.0.1:%d --timeout 200 --tries 1", proxy);
	json_t *a = resolve(how, "app.incomplete.test", &st);
	ck_assert_str_eq(status_of(a, 0), "incomplete");
	ck_assert_int_ne(st, 0);
	char *s = json_dumps(json_object_get(json_array_get(a, 0), "addresses"), JSON_COMPACT);
	ck_assert_str_eq(s, "[\"3.120.0.10\"]"); /* what did answer is kept and judged */
	free(s);
	json_decref(a);
	ck_assert_int_eq(check_incomplete(proxy, &out), 1);
	reasons(out, got, sizeof(got));
	ck_assert_str_eq(got, "incomplete:app.incomplete.test.");
	free(out);
	dnsproxy_stop();

	/* A SERVFAIL for A while AAAA answers: the same, and the CN address is judged. */
	proxy = dnsproxy_start(port, "app.incomplete.test", 1, DNSPROXY_SERVFAIL);
	ck_assert_int_gt(proxy, 0);
	ck_assert_int_eq(check_incomplete(proxy, &out), 1);
	reasons(out, got, sizeof(got));
	ck_assert_str_eq(got, "incomplete:app.incomplete.test. country_not_allowed:2404:c2c0::10");
	free(out);
	dnsproxy_stop();

	/* "unknown": "allow" covers what could not be resolved at all, never a
	 * host resolved in part (found by the review: it passed, exit 0). */
	proxy = dnsproxy_start(port, "app.incomplete.test", 28, DNSPROXY_SERVFAIL);
	ck_assert_int_gt(proxy, 0);
	ck_assert_int_eq(check_estate("estate-lenient.json", proxy, &out), 1);
	reasons(out, got, sizeof(got));
	ck_assert_str_eq(got, "incomplete:app.incomplete.test.");
	free(out);
	dnsproxy_stop();
}
END_TEST

/*
 * Found by the bounds audit of issue 13: alias.soa.test is a CNAME into
 * another zone, and its own zone's name server is in China. When the SOA
 * question that finds its zone failed, the name-server part of the path was
 * dropped and check said COMPLIANT, exit 0. Now an NS element with no zone
 * says the name servers are unknown: a finding.
 */
START_TEST(a_zone_that_cannot_be_found_is_a_finding)
{
	char got[2048], *out = NULL;

	ck_assert_int_eq(check_estate("estate-soa.json", port, &out), 1);
	reasons(out, got, sizeof(got));
	ck_assert_str_eq(got, "country_not_allowed:52.80.0.54");
	free(out);
	int proxy = dnsproxy_start(port, "alias.soa.test", 6, DNSPROXY_SERVFAIL);
	ck_assert_int_gt(proxy, 0);
	ck_assert_int_eq(check_estate("estate-soa.json", proxy, &out), 1);
	reasons(out, got, sizeof(got));
	ck_assert_str_eq(got, "incomplete:alias.soa.test.");
	ck_assert_ptr_nonnull(strstr(out, "its name servers are unknown"));
	free(out);
	dnsproxy_stop();
}
END_TEST

/* The live cache's bound on records (20,000,000; lowered here): an answer past
 * it is too_big, never the records that fit. */
START_TEST(live_records_past_the_bound_are_too_big)
{
	char res[64];
	const char *resolvers[1] = {res};
	struct dns_options opt;
	struct dns *d = NULL;
	struct rerr err;
	struct path p[1];
	const char *names[1] = {"app.incomplete.test"};

	snprintf(res, sizeof(res), "127.0.0.1:%d", port);
	memset(&opt, 0, sizeof(opt));
	opt.resolvers = resolvers;
	opt.nresolvers = 1;
	opt.max_live_records = 1;
	ck_assert_msg(dns_new(&opt, &d, &err) == R_OK, "%s", err.msg);
	ck_assert_int_eq(dns_resolve_paths(d, names, NULL, 1, p, &err), R_OK);
	ck_assert_int_eq(p[0].status, DNS_TOOBIG);
	path_clear(&p[0]);
	dns_free(d);
}
END_TEST

/* Resolves each of NAMES (with MX) in its own call, twice over, with the live
 * cache bounded to max answers (0: the default); the paths as text, one line
 * per element, and the cache's counters. */
static char *paths_with_cache(size_t max, size_t *evicted, size_t *reasked)
{
	char res[64], names_buf[] = NAMES, *out = NULL;
	const char *resolvers[1] = {res}, *names[32];
	struct dns_options opt;
	struct dns *d = NULL;
	struct rerr err;
	size_t n = 0, len = 0, cached;
	FILE *f = open_memstream(&out, &len);

	for (char *t = names_buf; t && *t && n < 32;) {
		names[n++] = t;
		if ((t = strchr(t, ' ')) != NULL)
			*t++ = '\0';
	}
	snprintf(res, sizeof(res), "127.0.0.1:%d", port);
	memset(&opt, 0, sizeof(opt));
	opt.resolvers = resolvers;
	opt.nresolvers = 1;
	opt.max_live_answers = max;
	ck_assert_msg(dns_new(&opt, &d, &err) == R_OK, "%s", err.msg);
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < n; i++) {
			struct path p;
			bool mx = true;
			ck_assert_int_eq(dns_resolve_paths(d, &names[i], &mx, 1, &p, &err), R_OK);
			fprintf(f, "%s %s\n", p.root, dns_status_name(p.status));
			for (size_t k = 0; k < p.n; k++) {
				char a[64] = "";
				if (p.elems[k].kind == PATH_ADDRESS)
					addr_format(&p.elems[k].addr, a, sizeof(a));
				fprintf(f, "  %d %s %s %s %s %s\n", p.elems[k].parent,
					path_kind_name(p.elems[k].kind), p.elems[k].name, a,
					p.elems[k].zone, dns_status_name(p.elems[k].status));
			}
			path_clear(&p);
		}
	/* Every answer logged stays readable: the log keeps its own copies. */
	const struct dns_answer *ans;
	size_t na = dns_answers(d, &ans);
	ck_assert_uint_gt(na, 0);
	for (size_t i = 0; i < na; i++)
		fprintf(f, "answer %s %s %s\n", ans[i].name, ans[i].type,
			dns_status_name(ans[i].rcode));
	dns_live_cache(d, &cached, evicted, reasked);
	if (max)
		ck_assert_uint_le(cached, max);
	dns_free(d);
	fclose(f);
	return out;
}

/* The live cache bounded (issue 16): the least recently used answers go, one
 * needed again is asked again and counted, and the paths are the same as with
 * every answer kept. */
START_TEST(a_bounded_cache_gives_the_same_paths)
{
	size_t evicted, reasked, evicted2, reasked2;
	char *whole = paths_with_cache(0, &evicted, &reasked);
	ck_assert_uint_eq(evicted, 0);
	ck_assert_uint_eq(reasked, 0);
	char *tiny = paths_with_cache(2, &evicted2, &reasked2);
	ck_assert_uint_gt(evicted2, 0);
	ck_assert_uint_gt(reasked2, 0);
	/* The paths are equal; the log has an answer asked again once more. */
	char *wa = strstr(whole, "answer "), *ta = strstr(tiny, "answer ");
	ck_assert_ptr_nonnull(wa);
	ck_assert_ptr_nonnull(ta);
	*wa = *ta = '\0';
	ck_assert_str_eq(tiny, whole);
	*wa = *ta = 'a';
	ck_assert_uint_gt(strlen(ta), strlen(wa));
	free(whole);
	free(tiny);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dns_live");
	TCase *tc = tcase_create("nsd");

	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, server_paths_equal_offline_paths);
	tcase_add_test(tc, refused_and_timeout_are_their_own_answers);
	tcase_add_test(tc, closed_port_is_timeout_and_the_next_resolver_answers);
	tcase_add_test(tc, axfr_pulls_a_zone_and_a_refused_one_is_an_error);
	tcase_add_test(tc, a_failed_question_makes_the_path_incomplete);
	tcase_add_test(tc, a_zone_that_cannot_be_found_is_a_finding);
	tcase_add_test(tc, live_records_past_the_bound_are_too_big);
	tcase_add_test(tc, a_bounded_cache_gives_the_same_paths);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
