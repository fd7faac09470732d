/*
 * test_evidence: tamper-evident scans in the real private PostgreSQL. Export
 * then verify succeeds; one changed byte anywhere in the bundle, or one changed
 * row of the scan in the database, is found and named; the chain links scans in
 * order and a scan deleted from the middle is found; a signed link verifies
 * against the key given, and not against another.
 */
#include "lib/testutil.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static int sql(const char *statement)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "psql -X -q -v ON_ERROR_STOP=1 -d '%s' -c \"%s\"", DB,
		 statement);
	return tu_run(cmd, NULL, NULL);
}

static void scan(const char *config, int want)
{
	char args[4096];
	snprintf(args, sizeof(args), "scan -c %s --db '%s'", config, DB);
	ck_assert_int_eq(tu_cli(args, NULL, NULL), want);
}

/* Exports scan id into a new folder under the test's temporary folder; caller frees. */
static char *export_scan(long long id, const char *extra)
{
	char *dir = tu_tmpdir(), args[8192], *err = NULL;
	char *out = malloc(strlen(dir) + 32);
	snprintf(out, strlen(dir) + 32, "%s/bundle%lld", dir, id);
	free(dir);
	snprintf(args, sizeof(args), "evidence export --scan %lld --out '%s' --db '%s' %s", id, out,
		 DB, extra);
	ck_assert_msg(tu_cli(args, NULL, &err) == 0, "export failed: %s", err);
	free(err);
	return out;
}

static int verify(const char *bundle, const char *extra, char **out)
{
	char args[20000];
	snprintf(args, sizeof(args), "evidence verify '%s' %s", bundle, extra);
	return tu_cli(args, out, NULL);
}

static void list(const char *dir, const char *rel, char (*v)[512], size_t *n, size_t max)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s%s%s", dir, *rel ? "/" : "", rel);
	DIR *d = opendir(path);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		char sub[512], full[8192];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		snprintf(full, sizeof(full), "%s/%s", dir, sub);
		if (stat(full, &st) == 0 && S_ISDIR(st.st_mode))
			list(dir, sub, v, n, max);
		else if (*n < max)
			snprintf(v[(*n)++], 512, "%s", sub);
	}
	if (d)
		closedir(d);
}

START_TEST(export_verifies_and_any_changed_byte_is_named)
{
	scan("examples/before.json", 1);
	char *b = export_scan(1, "");
	char *out = NULL;
	ck_assert_int_eq(verify(b, "", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "verified: scan 1"));
	free(out);

	/* Every file of the bundle, one byte flipped at its start, middle and end. */
	char files[64][512];
	size_t n = 0, tried = 0;
	list(b, "", files, &n, 64);
	ck_assert_uint_ge(n, 10);
	for (size_t i = 0; i < n; i++) {
		char path[8192];
		size_t len;
		snprintf(path, sizeof(path), "%s/%s", b, files[i]);
		char *data = tu_slurp(path, &len);
		ck_assert_ptr_nonnull(data);
		size_t at[3] = {0, len / 2, len ? len - 1 : 0};
		for (int k = 0; k < 3 && len > 0; k++) {
			data[at[k]] ^= 0x01;
			ck_assert_int_eq(tu_write(path, data, len), 0);
			char *msg = NULL;
			ck_assert_msg(verify(b, "", &msg) == 1,
				      "a byte changed in %s at %zu passed", files[i], at[k]);
			ck_assert_msg(strstr(msg, "MISMATCH") != NULL, "%s", msg);
			free(msg);
			data[at[k]] ^= 0x01;
			ck_assert_int_eq(tu_write(path, data, len), 0);
			tried++;
		}
		free(data);
	}
	ck_assert_uint_ge(tried, 30);
	ck_assert_int_eq(verify(b, "", NULL), 0); /* all restored */

	/* A file added to the bundle, or one taken away. */
	char extra[8192];
	snprintf(extra, sizeof(extra), "%s/documents/policy/new.json", b);
	ck_assert_int_eq(tu_write(extra, "{}", 2), 0);
	ck_assert_int_eq(verify(b, "", &out), 1);
	ck_assert_ptr_nonnull(
	    strstr(out, "documents/policy/new.json: a file the manifest does not list"));
	free(out);
	remove(extra);
	snprintf(extra, sizeof(extra), "%s/answer.jsonl", b);
	remove(extra);
	ck_assert_int_eq(verify(b, "", &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "answer.jsonl: listed in the manifest, missing"));
	free(out);
	free(b);
}
END_TEST

START_TEST(a_changed_row_in_the_database_is_named)
{
	char *out = NULL, *err = NULL;

	scan("examples/before.json", 1);
	char args[4096];
	snprintf(args, sizeof(args), "evidence verify --db-chain --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "verified: 1 links in order"));
	free(out);
	char *b = export_scan(1, "");
	/* Triggers keep complete scans frozen; someone with the rights to turn them off: */
	ck_assert_int_eq(sql("SET session_replication_role = replica; UPDATE scan_answers SET "
			     "data = data || ' ' WHERE scan_id = 1 AND seq = 3"),
			 0);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "scan 1: its rows no longer give the digest"));
	free(out);
	/* The bundle taken before names the row and the column that changed. */
	char against[8192];
	snprintf(against, sizeof(against), "--against-db --db '%s'", DB);
	ck_assert_int_eq(verify(b, against, &out), 1);
	ck_assert_msg(strstr(out, "answer 3: data is") != NULL, "%s", out);
	free(out);
	free(b);
	/* And a tampered scan is not exported as if it were sound. */
	char *dir = tu_tmpdir();
	snprintf(args, sizeof(args), "evidence export --scan 1 --out '%s/b' --db '%s'", dir, DB);
	ck_assert_int_eq(tu_cli(args, NULL, &err), 1);
	ck_assert_ptr_nonnull(strstr(err, "the database was changed; not exported"));
	free(err);
	free(dir);
}
END_TEST

START_TEST(the_chain_links_scans_in_order_and_a_deleted_scan_is_found)
{
	char args[4096], *out = NULL;

	scan("examples/before.json", 1);
	scan("examples/after.json", 0);
	scan("examples/before.json", 1);
	/* A bundle of scan 3 with the chain from scan 1 verifies. */
	char *b = export_scan(3, "--since 1");
	ck_assert_int_eq(verify(b, "", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "chain of 3 links"));
	free(out);
	free(b);
	snprintf(args, sizeof(args), "evidence verify --db-chain --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "verified: 3 links in order, 3 scan digests"));
	free(out);
	/* Links are never rewritten or removed while the triggers stand. */
	ck_assert_int_ne(sql("DELETE FROM scan_links WHERE scan_id = 2"), 0);
	/* Scan 2 removed, link and rows, with the triggers off. */
	ck_assert_int_eq(
	    sql("SET session_replication_role = replica; "
		"DELETE FROM scan_links WHERE scan_id = 2; DELETE FROM scan_answers WHERE scan_id "
		"= 2; "
		"DELETE FROM scan_findings WHERE scan_id = 2; "
		"DELETE FROM scan_attributions WHERE scan_id = 2; "
		"DELETE FROM scan_elements WHERE scan_id = 2; "
		"DELETE FROM scan_services WHERE scan_id = 2; "
		"DELETE FROM scan_sources WHERE scan_id = 2; "
		"DELETE FROM scan_documents WHERE scan_id = 2; DELETE FROM scans WHERE id = 2"),
	    0);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	ck_assert_ptr_nonnull(
	    strstr(out, "the chain jumps from link 1 (scan 1) to link 3 (scan 3)"));
	free(out);
	/* Renumbering the links does not hide it: link 3 no longer follows link 1. */
	ck_assert_int_eq(sql("SET session_replication_role = replica; "
			     "UPDATE scan_links SET seq = 2 WHERE scan_id = 3"),
			 0);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "does not follow the link before it"));
	free(out);
}
END_TEST

START_TEST(a_signed_link_verifies_with_its_key_and_not_another)
{
	char *dir = tu_tmpdir(), cmd[16384], cfg[8192], *out = NULL;
	static char text[20000];

	snprintf(cmd, sizeof(cmd),
		 "openssl genpkey -algorithm ed25519 -out '%s/key.pem' && openssl genpkey "
		 "-algorithm ed25519 -out '%s/other.pem'",
		 dir, dir);
	ck_assert_int_eq(tu_run(cmd, NULL, NULL), 0);
	/* The story's configuration with a signing key. */
	snprintf(cfg, sizeof(cfg), "%s/signed.json", dir);
	/* tu_path() answers in one static buffer: the folder once, the rest relative to it. */
	snprintf(text, sizeof(text),
		 "{\"estate\": \"%s/examples/estate.json\", \"policies\": "
		 "\"%s/examples/policies\", \"zones\": "
		 "[\"%s/examples/before/phonemaker.example.zone\"], \"offline\": true, "
		 "\"signing_key\": \"%s/key.pem\"}",
		 tu_path(""), tu_path(""), tu_path(""), dir);
	ck_assert_int_eq(tu_write(cfg, text, strlen(text)), 0);
	scan(cfg, 1);
	char *b = export_scan(1, "");
	ck_assert_int_eq(verify(b, "", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "valid for the bundle's key"));
	free(out);
	snprintf(cmd, sizeof(cmd), "--key '%s/key.pem'", dir);
	ck_assert_int_eq(verify(b, cmd, &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "valid for the key given"));
	free(out);
	snprintf(cmd, sizeof(cmd), "--key '%s/other.pem'", dir);
	ck_assert_int_eq(verify(b, cmd, &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "the signature does not match"));
	free(out);
	snprintf(cmd, sizeof(cmd), "evidence verify --db-chain --db '%s'", DB);
	ck_assert_int_eq(tu_cli(cmd, NULL, NULL), 0);
	free(b);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("evidence");
	TCase *tc = tcase_create("bundle");

	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, export_verifies_and_any_changed_byte_is_named);
	tcase_add_test(tc, a_changed_row_in_the_database_is_named);
	tcase_add_test(tc, the_chain_links_scans_in_order_and_a_deleted_scan_is_found);
	tcase_add_test(tc, a_signed_link_verifies_with_its_key_and_not_another);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
