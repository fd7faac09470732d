/*
 * test_scan: scans stored in the real private PostgreSQL: counts in the
 * database match the JSON report of the same run, report and diff of the
 * story's before/after scans, complete scans are never rewritten, hostile
 * values are stored and reported exactly, and configuration errors name
 * file:line.
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

static long long sql_int(const char *sql)
{
	char *out = tu_sql(DB, sql);
	ck_assert_ptr_nonnull(out);
	long long v = strtoll(out, NULL, 10);
	free(out);
	return v;
}

/* The first line of a query's text result; caller frees. */
static char *sql_text(const char *sql)
{
	char *out = tu_sql(DB, sql);
	ck_assert_ptr_nonnull(out);
	return out;
}

START_TEST(scan_counts_match_the_json_report_and_diff_names_the_move)
{
	char args[4096], *out = NULL, *err = NULL;

	snprintf(args, sizeof(args), "scan -c examples/before.json --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "scan 1: complete, violation: 12 findings"));
	free(out);
	snprintf(args, sizeof(args), "scan -c examples/after.json --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "scan 2: complete, compliant"));
	free(out);

	/* The same run printed by check: the database holds exactly its findings. */
	ck_assert_int_eq(
	    tu_cli("check --estate examples/estate.json --policies examples/policies "
		   "--zone examples/before/phonemaker.example.zone --offline --format json",
		   &out, NULL),
	    1);
	json_t *doc = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	size_t nfind = json_array_size(json_object_get(doc, "findings"));
	free(out);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scan_findings WHERE scan_id = 1"),
			 (long long)nfind);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scan_services WHERE scan_id = 1"),
			 (long long)json_array_size(json_object_get(doc, "services")));
	ck_assert_int_eq(sql_int("SELECT (counts->>'findings')::int FROM scans WHERE id = 1"),
			 (long long)nfind);
	/* Every address of every path is attributed, and every answer kept. */
	ck_assert_int_eq(
	    sql_int("SELECT count(DISTINCT address) FROM scan_path_elements WHERE scan_id = 1 "
		    "AND kind = 'address'"),
	    sql_int("SELECT count(*) FROM scan_attributions WHERE scan_id = 1"));
	ck_assert_int_gt(sql_int("SELECT count(*) FROM scan_answers WHERE scan_id = 1"), 0);
	json_decref(doc);

	/* The data it was judged against: every provider's ranges and the GeoIP
	 * database, each with the SHA-256 that sha256sum gives its file. */
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scan_sources WHERE scan_id = 1"), 13);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scan_sources WHERE scan_id = 1 AND "
				 "kind = 'geoip' AND version LIKE '%built 20%'"),
			 1);
	static const char *const which[] = {"aws", "geoip"};
	for (size_t i = 0; i < 2; i++) {
		char q[512], cmd[4096], *file, *sha, *sum = NULL;
		snprintf(q, sizeof(q),
			 "SELECT files[1] FROM scan_sources WHERE scan_id = 1 AND name = '%s'",
			 which[i]);
		file = sql_text(q);
		snprintf(q, sizeof(q),
			 "SELECT sha256 FROM scan_sources WHERE scan_id = 1 AND name = '%s'",
			 which[i]);
		sha = sql_text(q);
		snprintf(cmd, sizeof(cmd), "cd '%s' && sha256sum '%s'", tu_path(""), file);
		ck_assert_int_eq(tu_run(cmd, &sum, NULL), 0);
		ck_assert_msg(strncmp(sum, sha, 64) == 0, "%s: stored %s, file %s", which[i], sha,
			      sum);
		free(file);
		free(sha);
		free(sum);
	}

	/* report: JSON from the database alone, same findings. */
	snprintf(args, sizeof(args), "report --scan 1 --db '%s' --format json", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	doc = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "findings")), nfind);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "verdict")), "violation");
	json_t *f0 = json_array_get(json_object_get(doc, "findings"), 0);
	static const char *fields[] = {"service", "endpoint", "element", "country", "provider",
				       "region",  "source",   "policy",	 "reason",  "path"};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		ck_assert_msg(json_object_get(f0, fields[i]) != NULL, "report: no %s", fields[i]);
	json_decref(doc);
	free(out);
	snprintf(args, sizeof(args), "report --scan 2 --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 0);
	free(out);
	snprintf(args, sizeof(args), "report --scan 99 --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "no scan 99"));
	free(err);

	/* diff names the move. */
	snprintf(args, sizeof(args), "diff --from 1 --to 2 --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	char *acc = strstr(out, "accounts:");
	ck_assert_ptr_nonnull(acc);
	ck_assert_ptr_nonnull(strstr(acc, "country: CN -> SG, US"));
	ck_assert_ptr_nonnull(strstr(acc, "verdict: violation -> compliant"));
	ck_assert_ptr_nonnull(strstr(out, "- 52.80.10.20"));
	free(out);
	snprintf(args, sizeof(args), "diff --from 2 --to 2 --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "no change"));
	free(out);

	/* A complete scan is never rewritten. */
	char cmd[4096];
	snprintf(cmd, sizeof(cmd),
		 "psql -X -v ON_ERROR_STOP=1 -d '%s' -c \"UPDATE scans SET status "
		 "= 'failed' WHERE id = 1\"",
		 DB);
	ck_assert_int_ne(tu_run(cmd, NULL, &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "never rewritten"));
	free(err);
	snprintf(
	    cmd, sizeof(cmd),
	    "psql -X -v ON_ERROR_STOP=1 -d '%s' -c \"INSERT INTO scan_services VALUES (1, 'x', "
	    "NULL, 'p', 'compliant', 0, 0)\"",
	    DB);
	ck_assert_int_ne(tu_run(cmd, NULL, &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "can no longer be written"));
	free(err);
	/* Nor is any of its observations changed or removed (schema/006). */
	static const char *edits[] = {
	    "UPDATE scan_attributions SET country = 'SG' WHERE scan_id = 1",
	    "DELETE FROM scan_answers WHERE scan_id = 1",
	    "UPDATE scan_findings SET waived = true WHERE scan_id = 1",
	    "DELETE FROM scan_documents WHERE scan_id = 1",
	};
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		snprintf(cmd, sizeof(cmd), "psql -X -v ON_ERROR_STOP=1 -d '%s' -c \"%s\"", DB,
			 edits[i]);
		ck_assert_int_ne(tu_run(cmd, NULL, &err), 0);
		ck_assert_msg(strstr(err, "never rewritten") != NULL, "%s: %s", edits[i], err);
		free(err);
	}
}
END_TEST

START_TEST(hostile_values_are_stored_and_reported_exactly)
{
	char args[4096], *out = NULL;
	const char *name = "pay'); DROP TABLE scans;--\t\"quoted\" back\\slash\nnew line";

	snprintf(args, sizeof(args), "scan -c tests/fixtures/scan/hostile.json --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	free(out);
	snprintf(args, sizeof(args), "report --scan 1 --db '%s' --format json", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	json_t *doc = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	json_t *s0 = json_array_get(json_object_get(doc, "services"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(s0, "name")), name);
	ck_assert_str_eq(json_string_value(json_object_get(s0, "owner")), "o'brien@example.com");
	json_t *f0 = json_array_get(json_object_get(doc, "findings"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(f0, "service")), name);
	json_decref(doc);
	free(out);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scans"), 1); /* still there */
	/* CSV quotes what needs quoting. */
	snprintf(args, sizeof(args), "report --scan 1 --db '%s' --format csv", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	ck_assert_ptr_nonnull(
	    strstr(out, "\"pay'); DROP TABLE scans;--\t\"\"quoted\"\" back\\slash\nnew line\""));
	free(out);
}
END_TEST

/*
 * Issue 13, item 5: one name with 70,000 A records (a zone file may give a
 * name any number). Its answer text is ~2.8 MB: the COPY writer used to drop
 * the bytes past its 2 MiB buffer and PostgreSQL refused the garbled row
 * ("extra data after last expected column"). Now the row goes whole, and the
 * stored answer holds every record.
 */
START_TEST(an_answer_of_70000_records_is_stored_whole)
{
	enum { NREC = 70000 };
	char *dir = tu_tmpdir(), path[4200], args[8192], *out = NULL, *err = NULL;

	ck_assert_ptr_nonnull(dir);
	snprintf(path, sizeof(path), "%s/bulk.test.zone", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"; Generated by test_scan: one name with %d A records (AWS us-east-1, US).\n"
		"$ORIGIN bulk.test.\n$TTL 300\n"
		"@ IN SOA ns1 hostmaster 1 3600 900 604800 300\n"
		"  IN NS ns1\nns1 IN A 3.95.255.53\n",
		NREC);
	for (int i = 0; i < NREC; i++)
		fprintf(f, "many-addresses IN A 3.%d.%d.%d\n", 80 + (i >> 16), (i >> 8) & 255,
			i & 255);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(path, sizeof(path), "%s/estate.json", dir);
	const char *estate =
	    "{\"services\": [{\"name\": \"bulk\", \"policy\": \"lenient\", \"endpoints\": "
	    "[\"many-addresses.bulk.test\"]}]}\n";
	ck_assert_int_eq(tu_write(path, estate, strlen(estate)), 0);
	char config[5000];
	int n = snprintf(config, sizeof(config),
			 "{\"estate\": \"estate.json\", \"policies\": \"%s\", \"zones\": "
			 "[\"bulk.test.zone\"], \"offline\": true}\n",
			 tu_path("tests/fixtures/judge/policies"));
	snprintf(path, sizeof(path), "%s/bulk.json", dir);
	ck_assert_int_eq(tu_write(path, config, (size_t)n), 0);

	snprintf(args, sizeof(args), "scan -c '%s' --db '%s'", path, DB);
	int rc = tu_cli(args, &out, &err);
	/* 70,000 addresses pass a path's bound: a violation (too_big), never a pass. */
	ck_assert_msg(rc == 1, "scan exited %d: %s", rc, err);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scan_findings WHERE reason = 'incomplete' "
				 "AND element = 'many-addresses.bulk.test.'"),
			 1);
	ck_assert_msg(strstr(err, "COPY") == NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "scan 1: complete"));
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scans WHERE status = 'complete'"), 1);
	/* One stored A answer for the name, every record in it, none cut. */
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scan_answers WHERE name = "
				 "'many-addresses.bulk.test.' AND type = 'A'"),
			 1);
	ck_assert_int_eq(sql_int("SELECT cardinality(string_to_array(data, E'\\n')) FROM "
				 "scan_answers WHERE name = 'many-addresses.bulk.test.' AND type = "
				 "'A'"),
			 NREC);
	ck_assert_int_eq(
	    sql_int("SELECT count(DISTINCT r) FROM scan_answers, "
		    "unnest(string_to_array(data, E'\\n')) AS r WHERE name = "
		    "'many-addresses.bulk.test.' AND type = 'A' AND r ~ "
		    "'^many-addresses\\.bulk\\.test\\.\\s+300\\s+IN\\s+A\\s+3\\.8[01]\\.'"),
	    NREC);
	free(out);
	free(err);
	free(dir);
}
END_TEST

START_TEST(config_errors_name_file_and_line)
{
	char *err = NULL, *out = NULL;

	ck_assert_int_eq(tu_cli("config check examples/before.json", &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "valid (3 services"));
	free(out);
	ck_assert_int_eq(tu_cli("config check tests/fixtures/scan/bad-key.json", NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "bad-key.json:4: unknown key \"shedule\""));
	free(err);
	ck_assert_int_eq(tu_cli("config check tests/fixtures/scan/bad-cron.json", NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "bad-cron.json:3:"));
	ck_assert_ptr_nonnull(strstr(err, "minute"));
	free(err);
	ck_assert_int_eq(tu_cli("scan -c tests/fixtures/scan/bad-key.json", NULL, &err), 2);
	free(err);
	/* A database that cannot be reached: exit 3, nothing claimed. */
	ck_assert_int_eq(
	    tu_cli("scan -c examples/before.json --db 'host=/nonexistent dbname=x'", NULL, &err),
	    3);
	free(err);
}
END_TEST

/*
 * Issue 13, case 8: one zone's name server in China reached from seven
 * endpoints of a service was seven findings; it is one that lists them (sorted;
 * the path shown is the first's). `report --format json` of the stored scan
 * carries every field `check --format json` gives (scope, prefix,
 * geoip_country and disagreement were missing), with the same values.
 */
/*
 * Issue 16: a scan cut into one job per endpoint (the writer thread stores job
 * N while job N+1 resolves) and with its DNS answer log emptied between jobs
 * (RESIDENCY_FORGET_ANSWERS=1: flat memory) stores what a plain scan stores:
 * the same services, paths and findings, every job once; the answers used
 * again after the log was emptied are stored again, never fewer.
 */
START_TEST(a_pipelined_scan_that_forgets_its_answers_stores_the_same)
{
	char cmd[8192], *out = NULL, *err = NULL;

	snprintf(cmd, sizeof(cmd), "scan -c examples/before.json --db '%s'", DB);
	ck_assert_int_eq(tu_cli(cmd, &out, NULL), 1);
	free(out);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && RESIDENCY_FORGET_ANSWERS=1 '%s' scan -c examples/before.json "
		 "--job-endpoints 1 --db '%s'",
		 tu_path("."), tu_bin(), DB);
	ck_assert_int_eq(tu_run(cmd, &out, &err), 1);
	ck_assert_msg(strstr(out, "jobs by this worker") != NULL, "%s%s", out, err);
	free(out);
	free(err);
	ck_assert_int_gt(sql_int("SELECT count(*) FROM scan_jobs WHERE scan_id = 2"), 2);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scan_jobs WHERE scan_id = 2 AND done_at IS "
				 "NULL"),
			 0);
	char *a = sql_text("SELECT counts - 'answers' FROM scans WHERE id = 1");
	char *b = sql_text("SELECT counts - 'answers' FROM scans WHERE id = 2");
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	ck_assert_int_ge(sql_int("SELECT (counts->>'answers')::int FROM scans WHERE id = 2"),
			 sql_int("SELECT (counts->>'answers')::int FROM scans WHERE id = 1"));
	/* Every distinct answer of the plain scan is among the other's. */
	ck_assert_int_eq(sql_int("SELECT count(*) FROM (SELECT name, type, rcode, data FROM "
				 "scan_answers WHERE scan_id = 1 EXCEPT SELECT name, type, rcode, "
				 "data FROM scan_answers WHERE scan_id = 2) x"),
			 0);
	/* The same paths, element for element, and the same findings. */
	ck_assert_int_eq(
	    sql_int("SELECT count(*) FROM ((SELECT service, endpoint, mail, idx, kind, "
		    "name, address, status, parent, zone FROM scan_path_elements "
		    "WHERE scan_id = 1 EXCEPT ALL SELECT service, endpoint, mail, idx, "
		    "kind, name, address, status, parent, zone FROM scan_path_elements "
		    "WHERE scan_id = 2) UNION ALL (SELECT service, endpoint, mail, idx, "
		    "kind, name, address, status, parent, zone FROM scan_path_elements "
		    "WHERE scan_id = 2 EXCEPT ALL SELECT service, endpoint, mail, idx, "
		    "kind, name, address, status, parent, zone FROM scan_path_elements "
		    "WHERE scan_id = 1)) x"),
	    0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM (SELECT service, element, reason, detail "
				 "FROM scan_findings WHERE scan_id = 1 EXCEPT ALL SELECT service, "
				 "element, reason, detail FROM scan_findings WHERE scan_id = 2) x"),
			 0);
	snprintf(cmd, sizeof(cmd), "evidence verify --db-chain --db '%s'", DB);
	ck_assert_int_eq(tu_cli(cmd, &out, NULL), 0);
	free(out);
}
END_TEST

START_TEST(one_finding_lists_its_endpoints_and_report_matches_check)
{
	char args[4096], *out = NULL;

	ck_assert_int_eq(tu_cli("check --estate tests/fixtures/noise/estate.json --policies "
				"tests/fixtures/noise/policies --zone "
				"tests/fixtures/noise/many.test.zone --offline --format json",
				&out, NULL),
			 1);
	json_t *doc = json_loads(out, 0, NULL);
	free(out);
	ck_assert_ptr_nonnull(doc);
	json_t *fs = json_object_get(doc, "findings");
	ck_assert_uint_eq(json_array_size(fs), 1);
	json_t *f = json_array_get(fs, 0);
	ck_assert_str_eq(json_string_value(json_object_get(f, "element")), "52.80.0.53");
	ck_assert_str_eq(json_string_value(json_object_get(f, "endpoint")), "a1.many.test.");
	char *eps = json_dumps(json_object_get(f, "endpoints"), JSON_COMPACT);
	ck_assert_str_eq(eps, "[\"a1.many.test.\",\"a2.many.test.\",\"a3.many.test.\","
			      "\"a4.many.test.\",\"a5.many.test.\",\"a6.many.test.\","
			      "\"a7.many.test.\"]");
	free(eps);
	ck_assert_str_eq(json_string_value(json_object_get(
			     json_array_get(json_object_get(f, "path"), 0), "name")),
			 "a1.many.test.");

	snprintf(args, sizeof(args), "scan -c tests/fixtures/noise/scan.json --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "violation: 1 finding"));
	free(out);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scan_findings"), 1);
	ck_assert_int_eq(sql_int("SELECT jsonb_array_length(endpoints) FROM scan_findings"), 7);
	ck_assert_int_eq(sql_int("SELECT findings FROM scan_services"), 1);
	/* The special-purpose table it was judged with is among its documents. */
	char *table = tu_slurp(tu_path("policies/special-purpose.csv"), NULL);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scan_documents WHERE kind = 'table' AND "
				 "name = 'policies/special-purpose.csv'"),
			 1);
	ck_assert_int_eq(sql_int("SELECT length(body) FROM scan_documents WHERE kind = 'table'"),
			 (long long)strlen(table));
	free(table);
	char *sid = sql_text("SELECT max(id) FROM scans");
	snprintf(args, sizeof(args), "report --scan %s --db '%s' --format json", sid, DB);
	free(sid);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	json_t *rep = json_loads(out, 0, NULL);
	free(out);
	ck_assert_ptr_nonnull(rep);
	json_t *r = json_array_get(json_object_get(rep, "findings"), 0);
	ck_assert_ptr_nonnull(r);
	const char *key;
	json_t *val;
	json_object_foreach(f, key, val)
	{
		json_t *rv = json_object_get(r, key);
		ck_assert_msg(rv != NULL, "report has no \"%s\"", key);
		ck_assert_msg(json_equal(val, rv), "\"%s\" differs between check and report", key);
	}
	json_decref(rep);
	json_decref(doc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scan");
	TCase *tc = tcase_create("scan");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, scan_counts_match_the_json_report_and_diff_names_the_move);
	tcase_add_test(tc, hostile_values_are_stored_and_reported_exactly);
	tcase_add_test(tc, config_errors_name_file_and_line);
	tcase_add_test(tc, one_finding_lists_its_endpoints_and_report_matches_check);
	tcase_add_test(tc, an_answer_of_70000_records_is_stored_whole);
	tcase_add_test(tc, a_pipelined_scan_that_forgets_its_answers_stores_the_same);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
