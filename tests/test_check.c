/*
 * test_check: `residency check` end to end. A judgement file pair in the style
 * of pgbouncer's hba_test (tests/fixtures/judge/estate.json + zones + policies
 * against cases.expected, compared exactly), the story of PRODUCT.md, malformed
 * inputs naming file:line, and JUnit output read by a real schema validator.
 */
#include "lib/testutil.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check(const char *args, char **out, char **err)
{
	char cmd[16384];

	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' check %s", tu_path(""), tu_bin(), args);
	return tu_run(cmd, out, err);
}

#define JUDGE                                                                                      \
	"--estate tests/fixtures/judge/estate.json --policies tests/fixtures/judge/policies "      \
	"--zone tests/fixtures/judge/cases.test.zone --zone "                                      \
	"tests/fixtures/judge/nsdenied.test.zone "                                                 \
	"--offline --date 2026-11-24"

static void line_of(json_t *f, const char *list, char *buf, size_t len)
{
#define S(k)                                                                                       \
	(json_is_string(json_object_get(f, k)) ? json_string_value(json_object_get(f, k)) : "-")
	snprintf(buf, len, "%s %s %s %s %s %s %s\n", list, S("service"), S("reason"), S("element"),
		 S("country"), S("geoip_country"),
		 json_object_get(f, "expired_waiver") ? "expired_waiver" : "-");
#undef S
}

START_TEST(judgement_pairs)
{
	char *out = NULL,
	     *expected = tu_slurp(tu_path("tests/fixtures/judge/cases.expected"), NULL);
	json_error_t je;

	ck_assert_ptr_nonnull(expected);
	ck_assert_int_eq(check(JUDGE " --format json", &out, NULL), 1);
	json_t *doc = json_loads(out, 0, &je);
	ck_assert_msg(doc != NULL, "not JSON: %s", je.text);
	char got[65536] = "";
	static const char *lists[] = {"findings", "waived"};
	for (int l = 0; l < 2; l++) {
		size_t i;
		json_t *f;
		json_array_foreach(json_object_get(doc, lists[l]), i, f)
		{
			char line[1024];
			line_of(f, lists[l], line, sizeof(line));
			strncat(got, line, sizeof(got) - strlen(got) - 1);
			/* The contract's fields, on every finding. */
			static const char *fields[] = {"service",  "endpoint", "element", "country",
						       "provider", "region",   "source",  "policy",
						       "reason",   "path"};
			for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
				ck_assert_msg(json_object_get(f, fields[k]) != NULL, "missing %s",
					      fields[k]);
		}
	}
	/* Compare with the expected file, comments dropped. */
	char want[65536] = "";
	for (char *p = expected; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
		size_t used = strlen(want);
		if (*p != '#' && used + n < sizeof(want)) {
			memcpy(want + used, p, n);
			want[used + n] = '\0';
		}
		p = nl ? nl + 1 : NULL;
	}
	ck_assert_str_eq(got, want);

	/* Provider wins over GeoIP and both are shown; the path leads to the element. */
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(doc, "findings"), i, f)
	{
		const char *svc = json_string_value(json_object_get(f, "service"));
		if (strcmp(svc, "geoip-disagrees") == 0) {
			ck_assert_str_eq(json_string_value(json_object_get(f, "source")),
					 "provider");
			ck_assert(json_is_true(json_object_get(f, "disagreement")));
		}
		if (strcmp(svc, "ns-denied") == 0) {
			json_t *path = json_object_get(f, "path");
			ck_assert_int_eq(json_array_size(path), 3);
			ck_assert_str_eq(
			    json_string_value(json_object_get(json_array_get(path, 1), "kind")),
			    "ns");
		}
		if (strcmp(svc, "local-zone") == 0) {
			ck_assert_str_eq(json_string_value(json_object_get(f, "region")),
					 "us-east-1");
			ck_assert_str_eq(json_string_value(json_object_get(f, "border_group")),
					 "us-east-1-bue-1");
		}
	}
	/* Services judged compliant are compliant in the per-service verdicts. */
	json_array_foreach(json_object_get(doc, "services"), i, f)
	{
		const char *svc = json_string_value(json_object_get(f, "name"));
		const char *v = json_string_value(json_object_get(f, "verdict"));
		if (strcmp(svc, "fine") == 0 || strcmp(svc, "global-allowed") == 0)
			ck_assert_str_eq(v, "compliant");
		else
			ck_assert_str_eq(v, "violation");
	}
	ck_assert_str_eq(json_string_value(json_object_get(doc, "verdict")), "violation");
	json_decref(doc);
	free(out);
	free(expected);
}
END_TEST

START_TEST(waiver_expiry_depends_on_the_date)
{
	char *out = NULL;

	/* On 2020-01-15 the old waiver still holds: the expired case is waived too. */
	ck_assert_int_eq(
	    check("--estate tests/fixtures/judge/estate.json --policies "
		  "tests/fixtures/judge/policies --zone tests/fixtures/judge/cases.test.zone "
		  "--zone tests/fixtures/judge/nsdenied.test.zone --offline --date 2020-01-15 "
		  "--format text",
		  &out, NULL),
	    1);
	ck_assert_ptr_nonnull(strstr(out, "Waived (not counted, never hidden):"));
	ck_assert_ptr_nonnull(strstr(out, "old exception MIG-3"));
	ck_assert_ptr_null(strstr(out, "waiver expired"));
	free(out);
	ck_assert_int_eq(check(JUDGE " --format text", &out, NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "waiver expired on 2020-01-31 and was ignored"));
	free(out);
}
END_TEST

#define STORY(when)                                                                                \
	"--estate examples/estate.json --policies examples/policies --zone examples/" when         \
	"/phonemaker.example.zone --offline"

START_TEST(the_story_before_and_after)
{
	char *out = NULL;

	ck_assert_int_eq(check(STORY("before") " --format json", &out, NULL), 1);
	static const char *china[] = {"52.80.10.20", "47.92.0.10",  "39.156.66.10",
				      "52.83.4.5",   "52.80.10.53", "47.92.0.25"};
	for (size_t i = 0; i < sizeof(china) / sizeof(china[0]); i++)
		ck_assert_msg(strstr(out, china[i]) != NULL, "before: %s not named", china[i]);
	ck_assert_ptr_nonnull(strstr(out, "\"country\": \"CN\""));
	free(out);
	ck_assert_int_eq(check(STORY("after"), &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "COMPLIANT: 0 findings in 3 services"));
	free(out);
}
END_TEST

static void bad_input(const char *args, const char *where)
{
	char *err = NULL;

	ck_assert_int_eq(check(args, NULL, &err), 2);
	ck_assert_msg(strstr(err, where) != NULL, "\"%s\" not in: %s", where, err);
	free(err);
}

#define SPECIAL(dir)                                                                               \
	"--offline --date 2026-12-02 --estate tests/fixtures/special/estate.json --zone "          \
	"tests/fixtures/special/special.test.zone --policies tests/fixtures/special/" dir

/*
 * Issue 13: an endpoint on 192.168.2.1, which the bundled GeoIP database places
 * in AU, under a policy that allows AU. It was a pass (exit 0); a private
 * address has no country, so by default (special: unknown) it is a finding of
 * source special naming the registry entry, under "deny" one of its own reason,
 * and only "special": "allow" lets it pass.
 */
START_TEST(special_addresses_through_check)
{
	char *out = NULL;
	json_error_t je;
	static const struct {
		const char *dir, *reason, *said;
	} cases[] = {{"policies-unknown", "unknown", "unknown"},
		     {"policies-deny", "special_address", "deny"}};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char args[1024];
		snprintf(args, sizeof(args), SPECIAL("%s") " --format json", cases[i].dir);
		ck_assert_int_eq(check(args, &out, NULL), 1);
		json_t *doc = json_loads(out, 0, &je);
		ck_assert_msg(doc != NULL, "not JSON: %s", je.text);
		json_t *fs = json_object_get(doc, "findings");
		ck_assert_uint_eq(json_array_size(fs), 1);
		json_t *f = json_array_get(fs, 0);
#define S(k) json_string_value(json_object_get(f, k))
		ck_assert_str_eq(S("element"), "192.168.2.1");
		ck_assert_str_eq(S("source"), "special");
		ck_assert_str_eq(S("special"), "Private-Use");
		ck_assert_str_eq(S("special_rfc"), "RFC 1918");
		ck_assert_str_eq(S("reason"), cases[i].reason);
		ck_assert_str_eq(S("prefix"), "192.168.0.0/16");
		ck_assert(json_is_null(json_object_get(f, "country")));
		ck_assert(json_is_null(json_object_get(f, "provider")));
		ck_assert(json_is_null(json_object_get(f, "geoip_country")));
		char want[512];
		snprintf(want, sizeof(want),
			 "192.168.2.1 is a special-purpose address (Private-Use, RFC 1918): no "
			 "country, no provider; policy au-only says special: %s",
			 cases[i].said);
		ck_assert_str_eq(S("detail"), want);
#undef S
		json_decref(doc);
		free(out);
	}
	ck_assert_int_eq(check(SPECIAL("policies-allow"), &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "COMPLIANT"));
	free(out);
	/* A globally reachable block (AMT) is a service anywhere: "special":
	 * "allow" does not cover it (found by the review); judged as anycast. */
	ck_assert_int_eq(
	    check("--offline --estate tests/fixtures/special/estate-global.json --zone "
		  "tests/fixtures/special/special.test.zone --policies "
		  "tests/fixtures/special/policies-allow",
		  &out, NULL),
	    1);
	ck_assert_ptr_nonnull(strstr(out, "indeterminate  amt  192.52.193.1"));
	ck_assert_ptr_nonnull(strstr(out, "globally reachable special-purpose address (AMT"));
	free(out);
}
END_TEST

START_TEST(malformed_inputs_name_file_and_line)
{
#define BAD "tests/fixtures/policy-bad/"
	bad_input("--offline --estate " BAD "estate-duplicate.json --policies " BAD "policies",
		  BAD "estate-duplicate.json:5: duplicate service \"accounts\" (first at line 3)");
	bad_input("--offline --estate " BAD "estate-unknown-key.json --policies " BAD "policies",
		  BAD "estate-unknown-key.json:4: unknown key \"endpoint\"");
	bad_input("--offline --estate " BAD "estate-unknown-policy.json --policies " BAD "policies",
		  BAD "estate-unknown-policy.json:5: service \"billing\" names policy \"eu-only\"");
	bad_input("--offline --estate " BAD "estate-bad-json.json --policies " BAD "policies",
		  BAD "estate-bad-json.json:3:");
	bad_input("--offline --estate " BAD "estate-ok.json --policies " BAD "policies-badcountry",
		  "p.json:5: unknown country code \"UK\" (did you mean \"GB\"?)");
	bad_input("--offline --estate " BAD "estate-ok.json --policies " BAD "policies-badgroup",
		  "p.json:4: unknown country group \"BRICS\"");
	bad_input("--offline --estate " BAD "estate-ok.json --policies " BAD "policies-unknownkey",
		  "p.json:4: unknown key \"deny\"");
	bad_input("--offline --estate " BAD "estate-ok.json --policies " BAD "policies-badjson",
		  "p.json:4:");
	bad_input("--offline --estate " BAD "estate-ok.json --policies " BAD "policies-badspecial",
		  "p.json:4: \"special\" must be \"unknown\" (the default), \"allow\" or \"deny\", "
		  "not \"ignore\"");
	/* found by fuzz_policy: a NUL byte made the line scanner stand still */
	bad_input("--offline --estate " BAD "estate-ok.json --policies " BAD "policies-nul",
		  "p.json:2: a NUL byte: not JSON text");
	bad_input("--offline --estate /nonexistent/estate.json --policies " BAD "policies",
		  "/nonexistent/estate.json");
	bad_input("--offline", "--estate FILE is required");
	bad_input("--estate examples/estate.json --policies examples/policies --axfr "
		  "phonemaker.example",
		  "--axfr takes ZONE@HOST[:PORT]");
	bad_input("--estate examples/estate.json --policies examples/policies --offline --resolver "
		  "127.0.0.1",
		  "cannot go with --resolver");
#undef BAD
}
END_TEST

START_TEST(junit_is_valid_and_escaped)
{
	char *dir = tu_tmpdir(), args[8192], cmd[16384], *err = NULL;

	snprintf(args, sizeof(args), STORY("before") " --format junit --output '%s/junit.xml'",
		 dir);
	ck_assert_int_eq(check(args, NULL, NULL), 1);
	snprintf(cmd, sizeof(cmd), "xmllint --noout --schema '%s' '%s/junit.xml'",
		 tu_path("tests/fixtures/junit/junit.xsd"), dir);
	ck_assert_msg(tu_run(cmd, NULL, &err) == 0, "xmllint: %s", err);
	ck_assert_ptr_nonnull(strstr(err, "validates"));
	free(err);
	snprintf(cmd, sizeof(cmd), "%s/junit.xml", dir);
	char *xml = tu_slurp(cmd, NULL);
	ck_assert_ptr_nonnull(strstr(xml, "tests=\"3\" failures=\"3\""));
	ck_assert_ptr_nonnull(strstr(xml, "52.80.10.20"));
	free(xml);
	/* The compliant estate: test cases without failures, still valid. */
	snprintf(args, sizeof(args), STORY("after") " --format junit --output '%s/ok.xml'", dir);
	ck_assert_int_eq(check(args, NULL, NULL), 0);
	snprintf(cmd, sizeof(cmd), "xmllint --noout --schema '%s' '%s/ok.xml'",
		 tu_path("tests/fixtures/junit/junit.xsd"), dir);
	ck_assert_int_eq(tu_run(cmd, NULL, NULL), 0);
	free(dir);
}
END_TEST

/* A zone with big.bounds.test holding n addresses in AWS eu-central-1 (DE) and,
 * when china, one more in AWS cn-north-1 (CN) at the end. */
static void big_zone(const char *path, unsigned n, int china)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "$ORIGIN bounds.test.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 900 604800 300\n"
		   "  IN NS ns1\nns1 IN A 3.120.255.254\n");
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "big IN A 3.%u.%u.%u\n", 120 + i / 65536, i / 256 % 256, i % 256);
	if (china)
		fprintf(f, "big IN A 52.80.0.1\n");
	ck_assert_int_eq(fclose(f), 0);
}

#define BOUNDS                                                                                     \
	"--estate tests/fixtures/bounds/estate.json --policies tests/fixtures/bounds/policies "

/* Issue 13, case 1: 4,200 allowed addresses and one in China was COMPLIANT,
 * exit 0 (the path kept its first 4,096 elements). Past the bound of a path,
 * the path is too_big: a finding even under "unknown": "allow". */
START_TEST(paths_are_never_cut)
{
	char *dir = tu_tmpdir(), zone[4096], args[8192], *out = NULL;

	snprintf(zone, sizeof(zone), "%s/bounds.test.zone", dir);
	snprintf(args, sizeof(args), BOUNDS "--zone '%s' --offline --format json", zone);
	big_zone(zone, 4200, 0);
	ck_assert_int_eq(check(args, &out, NULL), 0); /* the control: all in DE */
	free(out);
	big_zone(zone, 4200, 1);
	ck_assert_int_eq(check(args, &out, NULL), 1);
	json_t *doc = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	size_t i, cn = 0;
	json_t *f;
	json_array_foreach(json_object_get(doc, "findings"), i, f)
	{
		ck_assert_str_eq(json_string_value(json_object_get(f, "element")), "52.80.0.1");
		ck_assert_str_eq(json_string_value(json_object_get(f, "country")), "CN");
		cn++;
	}
	ck_assert_uint_eq(cn, 2); /* one per service */
	json_decref(doc);
	free(out);

	/* Over the bound (65,536 elements a path): too_big, named, never a pass. */
	big_zone(zone, 70000, 0);
	ck_assert_int_eq(check(args, &out, NULL), 1);
	doc = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	size_t cut = 0;
	json_array_foreach(json_object_get(doc, "findings"), i, f)
	{
		ck_assert_str_eq(json_string_value(json_object_get(f, "reason")), "incomplete");
		ck_assert_str_eq(json_string_value(json_object_get(f, "element")),
				 "big.bounds.test.");
		ck_assert_ptr_nonnull(
		    strstr(json_string_value(json_object_get(f, "detail")), "65536 elements"));
		cut++;
	}
	ck_assert_uint_eq(cut, 2); /* de-lenient allows unknowns, not a cut path */
	json_decref(doc);
	free(out);
	snprintf(args, sizeof(args), BOUNDS "--zone '%s' --offline", zone);
	ck_assert_int_eq(check(args, &out, NULL), 1);
	ck_assert_ptr_null(strstr(out, "COMPLIANT"));
	free(out);
	free(dir);

	/* A CNAME chain past PATH_MAX_HOPS (16) is residency's bound too: a finding
	 * even under "unknown": "allow" (it was allowed as chain_too_long). */
	ck_assert_int_eq(check("--estate tests/fixtures/bounds/estate-chain.json --policies "
			       "tests/fixtures/bounds/policies --zone "
			       "tests/fixtures/zones/example.test.zone --offline",
			       &out, NULL),
			 1);
	ck_assert_ptr_nonnull(strstr(out, "incomplete  long-chain  h18.example.test."));
	ck_assert_ptr_nonnull(strstr(out, "longer than residency follows (16 hops)"));
	free(out);
}
END_TEST

/*
 * Found by the review of issue 13: an MX host without an address lost its
 * zone's name servers (in China here), and an MX host that is a CNAME counted
 * as "no address", which "unknown": "allow" passes: COMPLIANT, exit 0.
 */
START_TEST(mail_hosts_keep_their_name_servers)
{
	char *out = NULL;

	ck_assert_int_eq(check("--estate tests/fixtures/bounds/estate-mail.json --policies "
			       "tests/fixtures/bounds/policies --zone "
			       "tests/fixtures/zones/mailzone.test.zone --zone "
			       "tests/fixtures/zones/mxzone.test.zone --offline",
			       &out, NULL),
			 1);
	ck_assert_ptr_nonnull(strstr(out, "country_not_allowed  mx-no-address  52.80.0.55  CN"));
	ck_assert_ptr_nonnull(strstr(out, "incomplete  mx-cname  alias.mxzone.test."));
	ck_assert_ptr_nonnull(strstr(out, "country_not_allowed  mx-cname  52.80.0.55  CN"));
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("check");
	TCase *tc = tcase_create("check");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, judgement_pairs);
	tcase_add_test(tc, waiver_expiry_depends_on_the_date);
	tcase_add_test(tc, the_story_before_and_after);
	tcase_add_test(tc, special_addresses_through_check);
	tcase_add_test(tc, malformed_inputs_name_file_and_line);
	tcase_add_test(tc, junit_is_valid_and_escaped);
	tcase_add_test(tc, paths_are_never_cut);
	tcase_add_test(tc, mail_hosts_keep_their_name_servers);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
