/*
 * test_oldscan: scans stored before schema 011/012 (tests/fixtures/oldscan,
 * made by the binary of commit 674c201 at schema version 10) are restored into
 * a fresh database, migrated by this binary, and must still report, diff,
 * re-judge and verify exactly as they did (issue 16, "Done when" 4): the paths
 * of new scans are stored as parts, old ones are not, and both read the same.
 */
#include "lib/testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *db;

static void restore(void)
{
	char cmd[4096];

	db = tu_createdb();
	ck_assert_ptr_nonnull(db);
	snprintf(cmd, sizeof(cmd), "psql -q -X -v ON_ERROR_STOP=1 -d '%s' -f '%s' >/dev/null", db,
		 tu_path("tests/fixtures/oldscan/dump.sql"));
	ck_assert_int_eq(tu_run(cmd, NULL, NULL), 0);
	snprintf(cmd, sizeof(cmd), "db migrate --db '%s'", db);
	ck_assert_int_eq(tu_cli(cmd, NULL, NULL), 0);
}

/* `residency ARGS --db DB` prints exactly the fixture and exits with want. */
static void same_as_before(const char *args, const char *fixture, int want)
{
	char cmd[4096], *out = NULL, *err = NULL;
	char *expected;

	snprintf(cmd, sizeof(cmd), "%s --db '%s'", args, db);
	ck_assert_int_eq(tu_cli(cmd, &out, &err), want);
	expected = tu_slurp(tu_path(fixture), NULL);
	ck_assert_ptr_nonnull(expected);
	if (strcmp(out, expected) != 0)
		fprintf(stderr, "%s: differs from %s\n--- got:\n%s\n--- stderr:\n%s\n", args,
			fixture, out, err);
	ck_assert_str_eq(out, expected);
	free(expected);
	free(out);
	free(err);
}

START_TEST(old_scans_read_as_they_did)
{
	restore();
	char *v = tu_sql(db, "SELECT max(version) FROM schema_migrations");
	ck_assert_ptr_nonnull(v);
	ck_assert_int_ge(atoi(v), 12);
	free(v);
	/* Nothing of theirs was rewritten into the new layout. */
	v = tu_sql(db, "SELECT count(*) FROM scan_parts");
	ck_assert_str_eq(v, "0");
	free(v);
	v = tu_sql(db, "SELECT count(*) FROM scans WHERE record_format IS NOT NULL");
	ck_assert_str_eq(v, "0");
	free(v);
	same_as_before("report --scan 1", "tests/fixtures/oldscan/report-1.txt", 1);
	same_as_before("report --scan 1 --format csv", "tests/fixtures/oldscan/report-1.csv", 1);
	same_as_before("report --scan 1 --format html", "tests/fixtures/oldscan/report-1.html", 1);
	same_as_before("report --scan 2 --format json", "tests/fixtures/oldscan/report-2.json", 0);
	same_as_before("diff --from 1 --to 2", "tests/fixtures/oldscan/diff-1-2.txt", 1);
	same_as_before("check --scan 1 --policies examples/policies --format json",
		       "tests/fixtures/oldscan/check-scan-1.json", 1);
	same_as_before("check --scan 2 --policies examples/policies",
		       "tests/fixtures/oldscan/check-scan-2.txt", 0);
	free(db);
}
END_TEST

START_TEST(old_scans_and_their_bundles_still_verify)
{
	char cmd[4096], *out = NULL, *dir;

	restore();
	snprintf(cmd, sizeof(cmd), "evidence verify --db-chain --db '%s'", db);
	ck_assert_int_eq(tu_cli(cmd, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "verified: 2 links in order"));
	free(out);
	/* The bundle the old binary exported (no part.jsonl). */
	ck_assert_int_eq(tu_cli("evidence verify tests/fixtures/oldscan/bundle-2", &out, NULL), 0);
	free(out);
	/* Exported again by this binary: the same records, so the same digest. */
	dir = tu_tmpdir();
	snprintf(cmd, sizeof(cmd), "evidence export --scan 2 --out '%s/b' --db '%s'", dir, db);
	ck_assert_int_eq(tu_cli(cmd, NULL, NULL), 0);
	snprintf(cmd, sizeof(cmd), "evidence verify '%s/b'", dir);
	ck_assert_int_eq(tu_cli(cmd, &out, NULL), 0);
	free(out);
	char *a = tu_slurp(tu_path("tests/fixtures/oldscan/bundle-2/records.jsonl"), NULL);
	snprintf(cmd, sizeof(cmd), "%s/b/records.jsonl", dir);
	char *b = tu_slurp(cmd, NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	free(dir);
	free(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("oldscan");
	TCase *tc = tcase_create("oldscan");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, old_scans_read_as_they_did);
	tcase_add_test(tc, old_scans_and_their_bundles_still_verify);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
