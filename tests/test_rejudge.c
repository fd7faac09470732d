/*
 * test_rejudge: `check --scan ID --policies DIR` against the real private
 * PostgreSQL. A stored scan re-judged under a policy gives exactly the findings
 * (and waived findings, and service verdicts) that a fresh check of the same
 * estate and zones gives under that policy: the story's before and after
 * states under their own and a stricter policy, the judgement pair of
 * tests/fixtures/judge (waivers, expired waivers, unresolvable names, patterns,
 * MX, anycast), and endpoints judged twice. Stored rows out of heap order are
 * judged the same; a partial scan, a missing scan or policy, and rows that do
 * not form paths are refused with the contract's exit codes.
 */
#include "lib/testutil.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *DB;

static void setup(void)
{
	DB = tu_migrated_db();
	ck_assert_ptr_nonnull(DB);
}

static void teardown(void)
{
	free(DB);
}

static void sql(const char *statements)
{
	char cmd[16384], *err = NULL;
	snprintf(cmd, sizeof(cmd), "psql -X -q -v ON_ERROR_STOP=1 -d '%s' -c \"%s\"", DB,
		 statements);
	ck_assert_msg(tu_run(cmd, NULL, &err) == 0, "psql: %s", err);
	free(err);
}

/* Runs `residency ARGS`, expects exit want and JSON on stdout. */
static json_t *json_of(const char *args, int want)
{
	char *out = NULL, *err = NULL;
	json_error_t je;
	int got = tu_cli(args, &out, &err);
	ck_assert_msg(got == want, "%s: exit %d, wanted %d: %s", args, got, want, err);
	json_t *doc = json_loads(out, 0, &je);
	ck_assert_msg(doc != NULL, "%s: not JSON: %s", args, je.text);
	free(out);
	free(err);
	return doc;
}

/* The parts of check's JSON that must not depend on where the paths came from. */
static const char *const SAME[] = {"verdict", "date", "services", "findings", "waived"};

/*
 * `check --scan ID --policies DIR EXTRA` against a fresh `check FRESH --policies
 * DIR EXTRA`: both exit want, with the same findings, waived findings and
 * service verdicts. Returns how many findings there were.
 */
static size_t same_as_fresh(long long id, const char *fresh, const char *dir, const char *extra,
			    int want)
{
	char a[8192], b[8192];

	snprintf(a, sizeof(a), "check --scan %lld --db '%s' --policies '%s' %s --format json", id,
		 DB, dir, extra);
	snprintf(b, sizeof(b), "check %s --policies '%s' %s --format json", fresh, dir, extra);
	json_t *re = json_of(a, want), *fr = json_of(b, want);
	for (size_t i = 0; i < sizeof(SAME) / sizeof(SAME[0]); i++) {
		json_t *x = json_object_get(re, SAME[i]), *y = json_object_get(fr, SAME[i]);
		ck_assert_msg(x != NULL, "scan %lld: no \"%s\"", id, SAME[i]);
		if (json_equal(x, y))
			continue;
		/* The first entry that differs, short enough for Check's message. */
		size_t k = 0;
		while (json_is_array(x) && json_equal(json_array_get(x, k), json_array_get(y, k)))
			k++;
		char *xs = json_dumps(json_is_array(x) ? json_array_get(x, k) : x,
				      JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY),
		     *ys = json_dumps(json_is_array(y) ? json_array_get(y, k) : y,
				      JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
		ck_abort_msg(
		    "scan %lld under %s: \"%s\" differs at %zu\nre-judged: %.1500s\nfresh: "
		    "%.1500s",
		    id, dir, SAME[i], k, xs ? xs : "(none)", ys ? ys : "(none)");
	}
	/* The header says what it is; a fresh check says nothing of the kind. */
	ck_assert_int_eq(json_integer_value(json_object_get(re, "rejudged_scan")), id);
	ck_assert_ptr_null(json_object_get(fr, "rejudged_scan"));
	size_t n = json_array_size(json_object_get(re, "findings"));
	json_decref(re);
	json_decref(fr);
	return n;
}

/* A policy folder holding one file; caller frees the folder's path. */
static char *policy_dir(const char *file, const char *json)
{
	char *dir = tu_tmpdir(), path[4096];
	ck_assert_ptr_nonnull(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	ck_assert_int_eq(tu_write(path, json, strlen(json)), 0);
	return dir;
}

/* The story's estate in one state, offline. */
#define STORY(state) "--estate examples/estate.json --offline --zone examples/" state "/" ZONE
#define ZONE "phonemaker.example.zone"

START_TEST(story_rejudged_under_its_own_and_a_stricter_policy)
{
	char args[4096], *out = NULL;

	snprintf(args, sizeof(args), "scan -c examples/before.json --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	free(out);
	snprintf(args, sizeof(args), "scan -c examples/after.json --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 0);
	free(out);
	/* Stricter: Singapore only, the United States denied too, AWS only, and a
	 * waiver for one endpoint. */
	char *strict = policy_dir(
	    "personal-data.json",
	    "{\"name\": \"personal-data\", \"allow_countries\": [\"SG\"], \"deny_countries\": "
	    "[\"CN\", \"US\"], \"allow_providers\": [\"aws\"], \"waivers\": [{\"element\": "
	    "\"sync.phonemaker.example\", \"reason\": \"moving to Singapore\", \"expires\": "
	    "\"2099-12-31\"}]}");

	ck_assert_uint_eq(same_as_fresh(1, STORY("before"), "examples/policies", "", 1), 12);
	ck_assert_uint_gt(same_as_fresh(1, STORY("before"), strict, "", 1), 0);
	ck_assert_uint_eq(same_as_fresh(2, STORY("after"), "examples/policies", "", 0), 0);
	/* The compliant "after" scan is not compliant under the stricter policy. */
	ck_assert_uint_gt(same_as_fresh(2, STORY("after"), strict, "", 1), 0);

	/* Waivers are judged as of the day the scan ran, unless --date says otherwise. */
	snprintf(args, sizeof(args), "check --scan 2 --db '%s' --policies '%s' --format json", DB,
		 strict);
	json_t *doc = json_of(args, 1);
	char cmd[4096], *day = NULL;
	snprintf(cmd, sizeof(cmd),
		 "psql -X -At -d '%s' -c \"SELECT to_char(started_at AT TIME ZONE 'UTC', "
		 "'YYYY-MM-DD') FROM scans WHERE id = 2\"",
		 DB);
	ck_assert_int_eq(tu_run(cmd, &day, NULL), 0);
	day[strcspn(day, "\n")] = '\0';
	ck_assert_str_eq(json_string_value(json_object_get(doc, "date")), day);
	ck_assert_uint_gt(json_array_size(json_object_get(doc, "waived")), 0);
	free(day);
	json_decref(doc);
	snprintf(args, sizeof(args),
		 "check --scan 2 --db '%s' --policies '%s' --today 2100-01-01 --format json", DB,
		 strict);
	doc = json_of(args, 1);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "waived")), 0);
	json_decref(doc);

	/* Text and JUnit say it too; the JUnit stays valid. */
	snprintf(args, sizeof(args), "check --scan 1 --db '%s' --policies '%s'", DB, strict);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	ck_assert_msg(strncmp(out, "Re-judgement of scan 1 (", 24) == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "nothing resolved or attributed again"));
	free(out);
	char *dir = tu_tmpdir(), *err = NULL;
	snprintf(args, sizeof(args),
		 "check --scan 1 --db '%s' --policies '%s' --format junit --output '%s/j.xml'", DB,
		 strict, dir);
	ck_assert_int_eq(tu_cli(args, NULL, NULL), 1);
	snprintf(cmd, sizeof(cmd), "xmllint --noout --schema '%s' '%s/j.xml'",
		 tu_path("tests/fixtures/junit/junit.xsd"), dir);
	ck_assert_msg(tu_run(cmd, NULL, &err) == 0, "xmllint: %s", err);
	free(err);
	snprintf(cmd, sizeof(cmd), "%s/j.xml", dir);
	char *xml = tu_slurp(cmd, NULL);
	ck_assert_ptr_nonnull(strstr(xml, "name=\"residency: re-judgement of scan 1\""));
	free(xml);
	free(dir);
	free(strict);
}
END_TEST

#define JUDGE                                                                                      \
	"--estate tests/fixtures/judge/estate.json --zone tests/fixtures/judge/cases.test.zone "   \
	"--zone tests/fixtures/judge/nsdenied.test.zone --offline"

START_TEST(judgement_pair_and_endpoints_judged_twice)
{
	char args[4096], *out = NULL;

	snprintf(args, sizeof(args),
		 "scan -c tests/fixtures/scan/judge.json --date 2026-11-24 --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	free(out);
	/* Every case of the pair, its waiver and its expired waiver included. */
	ck_assert_uint_eq(
	    same_as_fresh(1, JUDGE, "tests/fixtures/judge/policies", "--date 2026-11-24", 1), 13);
	/* Stricter: "lenient" no longer allows anycast, unknown or the US. */
	char *strict =
	    policy_dir("lenient.json", "{\"name\": \"lenient\", \"allow_countries\": [\"SG\"]}");
	char path[4096],
	    *sg = tu_slurp(tu_path("tests/fixtures/judge/policies/sg-only.json"), NULL);
	ck_assert_ptr_nonnull(sg);
	snprintf(path, sizeof(path), "%s/sg-only.json", strict);
	ck_assert_int_eq(tu_write(path, sg, strlen(sg)), 0);
	free(sg);
	ck_assert_uint_gt(same_as_fresh(1, JUDGE, strict, "--date 2026-11-24", 1), 13);
	ck_assert_uint_gt(same_as_fresh(1, JUDGE, strict, "--date 2019-01-01", 1), 13);
	free(strict);

	/* Listed twice, listed and matched by a pattern, endpoint and mail domain. */
	snprintf(args, sizeof(args), "scan -c tests/fixtures/scan/twice.json --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	free(out);
	same_as_fresh(2,
		      "--estate tests/fixtures/scan/twice-estate.json --zone "
		      "examples/before/phonemaker.example.zone --offline",
		      "examples/policies", "", 1);
}
END_TEST

/*
 * Issue 13: a special-purpose attribution round-trips. The stored scan keeps
 * source "special" with the registry's name (in region) and RFC (in services)
 * and the registry prefix; re-judged under each "special" setting it gives
 * what a fresh check gives, the 6to4 address still judged by what it embeds;
 * `report --format json` names the registry entry.
 */
START_TEST(special_addresses_round_trip)
{
	char args[4096], *out = NULL;
	const char *fresh = "--estate tests/fixtures/special/estate-both.json --zone "
			    "tests/fixtures/special/special.test.zone --offline";

	snprintf(args, sizeof(args), "scan -c tests/fixtures/scan/special.json --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	free(out);
	char *row = tu_sql(DB, "SELECT source, region, services, prefix::text, country, "
			       "geoip_country, provider FROM scan_attributions WHERE address = "
			       "'192.168.2.1'");
	ck_assert_ptr_nonnull(row);
	ck_assert_str_eq(row, "special|Private-Use|RFC 1918|192.168.0.0/16|||");
	free(row);
	row = tu_sql(DB, "SELECT source, country FROM scan_attributions WHERE address = "
			 "'2002:2f5c:a::1'");
	ck_assert_str_eq(row, "geoip|CN");
	free(row);
	ck_assert_uint_eq(same_as_fresh(1, fresh, "tests/fixtures/special/policies-unknown", "", 1),
			  2);
	ck_assert_uint_eq(same_as_fresh(1, fresh, "tests/fixtures/special/policies-deny", "", 1),
			  2);
	ck_assert_uint_eq(same_as_fresh(1, fresh, "tests/fixtures/special/policies-allow", "", 1),
			  1);

	snprintf(args, sizeof(args), "report --scan 1 --db '%s' --format json", DB);
	json_t *doc = json_of(args, 1);
	json_t *fs = json_object_get(doc, "findings");
	size_t i;
	json_t *f;
	int seen = 0;
	json_array_foreach(fs, i, f)
	{
		const char *el = json_string_value(json_object_get(f, "element"));
		if (strcmp(el, "192.168.2.1") != 0)
			continue;
		seen++;
		ck_assert_str_eq(json_string_value(json_object_get(f, "source")), "special");
		ck_assert_str_eq(json_string_value(json_object_get(f, "special")), "Private-Use");
		ck_assert_str_eq(json_string_value(json_object_get(f, "special_rfc")), "RFC 1918");
		ck_assert(json_is_null(json_object_get(f, "region")));
		ck_assert(json_is_null(json_object_get(f, "country")));
	}
	ck_assert_int_eq(seen, 1);
	json_decref(doc);
}
END_TEST

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The findings of a check's JSON as sorted lines of their texts, to compare as sets. */
static char *finding_set(json_t *doc)
{
	json_t *f, *list = json_object_get(doc, "findings");
	size_t i, n = json_array_size(list), len = 0;
	char **v = calloc(n + 1, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	json_array_foreach(list, i, f)
	{
		v[i] = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
		len += strlen(v[i]) + 1;
	}
	qsort(v, n, sizeof(*v), str_cmp);
	char *s = calloc(len + 1, 1);
	ck_assert_ptr_nonnull(s);
	for (i = 0, len = 0; i < n; i++) {
		size_t k = strlen(v[i]);
		memcpy(s + len, v[i], k);
		s[len + k] = '\n';
		len += k + 1;
		free(v[i]);
	}
	free(v);
	return s;
}

/* Scan 2 as a copy of scan 1 whose rows lie in the heap in reverse order. */
#define COPY_REVERSED(attributions)                                                                \
	"INSERT INTO scans (status, estate, zone_files, geoip_build_epoch) SELECT 'running', "     \
	"estate, zone_files, geoip_build_epoch FROM scans WHERE id = 1; "                          \
	"INSERT INTO scan_services SELECT 2, service, owner, policy, verdict, findings, waived "   \
	"FROM scan_services WHERE scan_id = 1 ORDER BY ctid DESC; "                                \
	"INSERT INTO scan_elements SELECT 2, service, endpoint, mail, idx, kind, name, address, "  \
	"status, parent, zone, part FROM scan_elements WHERE scan_id = 1 ORDER BY ctid DESC; "     \
	"INSERT INTO scan_parts SELECT 2, part, idx, kind, name, address, status, parent, zone "   \
	"FROM scan_parts WHERE scan_id = 1 ORDER BY ctid DESC; "                                   \
	"INSERT INTO scan_attributions SELECT 2, address, provider, region, border_group, "        \
	"services, scope, country, source, prefix, geoip_country, region_unmapped, disagreement "  \
	"FROM scan_attributions WHERE scan_id = 1 " attributions "; "                              \
	"UPDATE scans SET status = 'complete' WHERE id = 2"

START_TEST(rows_out_of_heap_order_are_judged_the_same)
{
	char args[4096], *out = NULL;

	snprintf(args, sizeof(args), "scan -c tests/fixtures/scan/twice.json --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	free(out);
	sql(COPY_REVERSED(""));
	snprintf(args, sizeof(args),
		 "check --scan 1 --db '%s' --policies examples/policies --format json", DB);
	json_t *a = json_of(args, 1);
	snprintf(args, sizeof(args),
		 "check --scan 2 --db '%s' --policies examples/policies --format json", DB);
	json_t *b = json_of(args, 1);
	char *sa = finding_set(a), *sb = finding_set(b);
	ck_assert_str_eq(sa, sb);
	free(sa);
	free(sb);
	json_decref(a);
	json_decref(b);
}
END_TEST

START_TEST(partial_missing_and_broken_scans_are_refused)
{
	char args[4096], *out = NULL, *err = NULL;

	snprintf(args, sizeof(args), "scan -c examples/before.json --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	free(out);

	/* No such scan: exit 2. */
	snprintf(args, sizeof(args), "check --scan 99 --db '%s' --policies examples/policies", DB);
	ck_assert_int_eq(tu_cli(args, &out, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "scan 99: no such scan"));
	ck_assert_str_eq(out, "");
	free(out);
	free(err);

	/* A policy the folder lacks: exit 2, naming the service and the policy. */
	char *other =
	    policy_dir("other.json", "{\"name\": \"other\", \"allow_countries\": [\"SG\"]}");
	snprintf(args, sizeof(args), "check --scan 1 --db '%s' --policies '%s'", DB, other);
	ck_assert_int_eq(tu_cli(args, &out, &err), 2);
	ck_assert_msg(strstr(err, "service \"accounts\"") &&
			  strstr(err, "policy \"personal-data\""),
		      "%s", err);
	ck_assert_str_eq(out, "");
	free(out);
	free(err);
	free(other);

	/* Interrupted, failed or still running: exit 3, never a verdict. */
	sql("INSERT INTO scans (status, error) VALUES ('interrupted', 'worker stopped'); "
	    "INSERT INTO scans (status) VALUES ('running'); "
	    "INSERT INTO scans (status, error) VALUES ('failed', 'disk full')");
	static const char *const partial[] = {"2 interrupted", "3 running", "4 failed"};
	for (size_t i = 0; i < 3; i++) {
		char want[64];
		snprintf(args, sizeof(args),
			 "check --scan %c --db '%s' --policies examples/policies", partial[i][0],
			 DB);
		ck_assert_int_eq(tu_cli(args, &out, &err), 3);
		snprintf(want, sizeof(want), "the scan is %s", partial[i] + 2);
		ck_assert_msg(strstr(err, want) && strstr(err, "only a complete scan"), "%s", err);
		ck_assert_str_eq(out, "");
		free(out);
		free(err);
	}

	/* Usage: --scan with an estate's inputs, without --policies, not a number. */
	snprintf(args, sizeof(args),
		 "check --scan 1 --db '%s' --policies examples/policies --zone x.zone", DB);
	ck_assert_int_eq(tu_cli(args, NULL, NULL), 2);
	snprintf(args, sizeof(args), "check --scan 1 --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, NULL, NULL), 2);
	ck_assert_int_eq(tu_cli("check --scan one --policies examples/policies", NULL, NULL), 2);
	/* A database that cannot be reached: exit 3. */
	ck_assert_int_eq(
	    tu_cli("check --scan 1 --policies examples/policies --db 'host=/nonexistent "
		   "dbname=x'",
		   NULL, NULL),
	    3);
}
END_TEST

START_TEST(rows_that_do_not_form_paths_are_refused)
{
	char args[4096], *out = NULL, *err = NULL;

	snprintf(args, sizeof(args), "scan -c examples/before.json --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	free(out);
	/* Scan 2: scan 1 without the attribution of one address. */
	sql(COPY_REVERSED("AND address <> '52.80.10.20'"));
	snprintf(args, sizeof(args), "check --scan 2 --db '%s' --policies examples/policies", DB);
	ck_assert_int_eq(tu_cli(args, &out, &err), 3);
	ck_assert_msg(strstr(err, "\"52.80.10.20\" has no stored attribution"), "%s", err);
	ck_assert_str_eq(out, "");
	free(out);
	free(err);
}
END_TEST

/*
 * Scan `to` as a copy of scan 1 whose elements and parts are those the WHERE
 * clauses keep (service: the column as copied, to rename a service).
 */
static void copy_scan(long long to, const char *service, const char *elements, const char *parts)
{
	char q[8192];
	snprintf(
	    q, sizeof(q),
	    "INSERT INTO scans (status, estate, zone_files, geoip_build_epoch) SELECT "
	    "'running', estate, zone_files, geoip_build_epoch FROM scans WHERE id = 1; "
	    "INSERT INTO scan_services SELECT %lld, service, owner, policy, verdict, findings, "
	    "waived FROM scan_services WHERE scan_id = 1; "
	    "INSERT INTO scan_elements SELECT %lld, %s, endpoint, mail, idx, kind, name, "
	    "address, status, parent, zone, part FROM scan_elements WHERE scan_id = 1 AND %s; "
	    "INSERT INTO scan_parts SELECT %lld, part, idx, kind, name, address, status, parent, "
	    "zone FROM scan_parts WHERE scan_id = 1 AND %s; "
	    "INSERT INTO scan_attributions SELECT %lld, address, provider, region, "
	    "border_group, services, scope, country, source, prefix, geoip_country, "
	    "region_unmapped, disagreement FROM scan_attributions WHERE scan_id = 1; "
	    "UPDATE scans SET status = 'complete' WHERE id = %lld",
	    to, to, service, elements, to, parts, to, to);
	sql(q);
}

/* Scan `id` is refused with exit 3 and a message that holds want. */
static void refused(long long id, const char *want)
{
	char args[4096], *out = NULL, *err = NULL;
	snprintf(args, sizeof(args), "check --scan %lld --db '%s' --policies examples/policies", id,
		 DB);
	ck_assert_int_eq(tu_cli(args, &out, &err), 3);
	ck_assert_msg(strstr(err, want) != NULL, "scan %lld: %s", id, err);
	ck_assert_str_eq(out, "");
	free(out);
	free(err);
}

/*
 * Paths are rebuilt from element rows and the scan's parts (schema 012): a
 * path that refers to a part the scan does not hold, a part or a path with an
 * element missing, and elements of a service the scan does not list are
 * refused, never judged short.
 */
START_TEST(broken_parts_and_paths_are_refused)
{
	char args[4096], *out = NULL;

	snprintf(args, sizeof(args), "scan -c examples/before.json --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	free(out);
	char *n = tu_sql(DB, "SELECT count(*) FROM scan_parts WHERE scan_id = 1");
	ck_assert_msg(n && strcmp(n, "0") != 0, "the story's scan has no parts");
	free(n);

	copy_scan(2, "service", "true", "false");
	refused(2, "which the scan does not hold");
	copy_scan(3, "service", "true", "idx <> 1");
	refused(3, "element 1 is missing");
	/* login's path: its name, the zone's part (elements 1 to 4), then its CNAME target. */
	copy_scan(4, "service", "NOT (endpoint = 'login.phonemaker.example.' AND idx = 5)", "true");
	refused(4, "endpoint login.phonemaker.example.: the stored path breaks at element 6");
	copy_scan(5, "CASE WHEN service = 'cloud-sync' THEN 'ghost' ELSE service END", "true",
		  "true");
	refused(5, "elements of service \"ghost\", which the scan does not list");
	/* The copy itself is judged as the scan was. */
	copy_scan(6, "service", "true", "true");
	char *a = NULL, *b = NULL;
	snprintf(args, sizeof(args),
		 "check --scan 1 --db '%s' --policies examples/policies --format json", DB);
	ck_assert_int_eq(tu_cli(args, &a, NULL), 1);
	snprintf(args, sizeof(args),
		 "check --scan 6 --db '%s' --policies examples/policies --format json", DB);
	ck_assert_int_eq(tu_cli(args, &b, NULL), 1);
	json_error_t je;
	json_t *ja = json_loads(a, 0, &je), *jb = json_loads(b, 0, &je);
	ck_assert(json_equal(json_object_get(ja, "findings"), json_object_get(jb, "findings")));
	ck_assert(json_equal(json_object_get(ja, "services"), json_object_get(jb, "services")));
	json_decref(ja);
	json_decref(jb);
	free(a);
	free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rejudge");
	TCase *tc = tcase_create("rejudge");

	tcase_set_timeout(tc, 180);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, story_rejudged_under_its_own_and_a_stricter_policy);
	tcase_add_test(tc, judgement_pair_and_endpoints_judged_twice);
	tcase_add_test(tc, rows_out_of_heap_order_are_judged_the_same);
	tcase_add_test(tc, partial_missing_and_broken_scans_are_refused);
	tcase_add_test(tc, rows_that_do_not_form_paths_are_refused);
	tcase_add_test(tc, special_addresses_round_trip);
	tcase_add_test(tc, broken_parts_and_paths_are_refused);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
