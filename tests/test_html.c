/*
 * test_html: `residency report --format html` against the real private
 * PostgreSQL: the story's "before" scan shows its verdict and every service,
 * a host name that is an HTML tag shows as text and never as markup, waivers
 * show their expiry and state, an incomplete scan is never shown as a pass,
 * and the page parses (xmllint). Plus the escaping function alone.
 */
#include "lib/testutil.h"
#include "report/html.h"

#include <check.h>
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

static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	html_escape(f, s);
	fclose(f);
	return buf;
}

START_TEST(escape_turns_every_markup_character_into_text)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
	    {"a & b", "a &amp; b"},
	    {"\"double\" 'single'", "&quot;double&quot; &#39;single&#39;"},
	    {"&amp;", "&amp;amp;"}, /* escaped once more, never trusted as an entity */
	    {"x\" onmouseover=\"alert(1)", "x&quot; onmouseover=&quot;alert(1)"},
	    {"tab\tnew\nline", "tab\tnew\nline"},
	    {"bell\a esc\x1b del\x7f", "bell&#x2407; esc&#x241B; del&#x2421;"},
	    {"Z\xc3\xbcrich \xe5\x8c\x97\xe4\xba\xac", "Z\xc3\xbcrich \xe5\x8c\x97\xe4\xba\xac"},
	    {"", ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = escaped(cases[i].in);
		ck_assert_str_eq(got, cases[i].want);
		free(got);
	}
	char *none = escaped(NULL);
	ck_assert_str_eq(none, "");
	free(none);
}
END_TEST

/* The page is well-formed XML, and the HTML parser finds nothing wrong but the
 * HTML5 and SVG element names that libxml2's HTML 4 parser does not know. */
static void assert_parses(const char *html)
{
	char *dir = tu_tmpdir(), file[4096], cmd[8192], *out = NULL, *err = NULL;

	snprintf(file, sizeof(file), "%s/report.html", dir);
	free(dir);
	ck_assert_int_eq(tu_write(file, html, strlen(html)), 0);
	snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", file);
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 0);
	ck_assert_msg(err == NULL || *err == '\0', "xmllint: %s", err);
	free(err);
	snprintf(cmd, sizeof(cmd),
		 "xmllint --html --noout '%s' 2>&1 | grep 'error' | grep -Ev 'Tag "
		 "(header|section|article|figure|figcaption|footer|svg|rect|text|title) invalid'",
		 file);
	tu_run(cmd, &out, NULL);
	ck_assert_msg(out == NULL || *out == '\0', "HTML parser: %s", out);
	free(out);
}

START_TEST(story_before_shows_the_verdict_and_every_service)
{
	char args[4096], *out = NULL, *json = NULL;

	snprintf(args, sizeof(args), "scan -c examples/before.json --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, NULL, NULL), 1);
	snprintf(args, sizeof(args), "scan -c examples/after.json --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, NULL, NULL), 0);

	/* Same exit code as the other formats. */
	snprintf(args, sizeof(args), "report --scan 1 --db '%s' --format json", DB);
	ck_assert_int_eq(tu_cli(args, &json, NULL), 1);
	free(json);
	snprintf(args, sizeof(args), "report --scan 1 --db '%s' --format html", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "<!DOCTYPE html>"));
	ck_assert_ptr_nonnull(strstr(out, "class=\"verdict v-violation\""));
	ck_assert_ptr_nonnull(strstr(out, "VIOLATION</strong>"));
	ck_assert_ptr_null(strstr(out, "COMPLIANT"));
	static const char *const services[] = {"accounts", "messaging", "cloud-sync"};
	for (size_t i = 0; i < 3; i++) {
		char row[128];
		snprintf(row, sizeof(row), "<tr><td><b>%s</b></td>", services[i]);
		ck_assert_msg(strstr(out, row) != NULL, "no row for service %s", services[i]);
	}
	/* Findings in the order judged: each service's under one heading. */
	char *acc = strstr(out, "<h3>Service accounts</h3>");
	ck_assert_ptr_nonnull(acc);
	ck_assert_ptr_null(strstr(acc + 1, "<h3>Service accounts</h3>"));
	/* Country summary, a finding's full path, the scan's hashes and sources. */
	ck_assert_ptr_nonnull(strstr(out, "<svg"));
	ck_assert_ptr_nonnull(strstr(out, "<td><b>CN</b></td>"));
	ck_assert_ptr_nonnull(strstr(out, "<code>login.phonemaker.example.</code>"));
	ck_assert_ptr_nonnull(strstr(out, "Policy SHA-256"));
	ck_assert_ptr_nonnull(strstr(out, "data/ranges/aws/"));
	ck_assert_ptr_nonnull(strstr(out, "geo-whois-asn-country"));
	/* Self-contained: nothing to fetch, nothing to run. */
	ck_assert_ptr_null(strstr(out, "<script"));
	ck_assert_ptr_null(strstr(out, "<link"));
	ck_assert_ptr_null(strstr(out, "src="));
	ck_assert_ptr_null(strstr(out, "url("));
	assert_parses(out);
	free(out);

	snprintf(args, sizeof(args), "report --scan 2 --db '%s' --format html", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "COMPLIANT</strong>"));
	ck_assert_ptr_nonnull(strstr(out, "<td><b>SG</b></td>"));
	ck_assert_ptr_nonnull(strstr(out, "<td><b>US</b></td>"));
	free(out);
}
END_TEST

START_TEST(a_host_name_that_is_a_tag_shows_as_text)
{
	char args[4096], *out = NULL;

	snprintf(args, sizeof(args), "scan -c tests/fixtures/scan/html.json --db '%s'", DB);
	ck_assert_int_eq(tu_cli(args, NULL, NULL), 1);
	snprintf(args, sizeof(args), "report --scan 1 --db '%s' --format html", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 1);
	/* The endpoint as written, and the zone's name on the CNAME chain. */
	ck_assert_ptr_nonnull(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt;.html.test."));
	ck_assert_ptr_nonnull(strstr(out, "&lt;script&gt;alert\\(1\\)&lt;/script&gt;.html.test."));
	ck_assert_ptr_null(strstr(out, "<script"));
	ck_assert_ptr_null(strstr(out, "</script"));
	/* A service name and an owner with markup and quotes. */
	ck_assert_ptr_nonnull(strstr(out, "portal &lt;b&gt;bold&lt;/b&gt; &amp; &quot;co&quot;"));
	ck_assert_ptr_null(strstr(out, "<b>bold</b>"));
	ck_assert_ptr_nonnull(strstr(out, "o&#39;brien@example.com"));
	/* Waivers: the one in force and the expired one, with their dates. */
	char *w = strstr(out, "id=\"waivers\"");
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(strstr(w, "migration ticket MIG-7"));
	ck_assert_ptr_nonnull(strstr(w, "2099-12-31"));
	ck_assert_ptr_nonnull(strstr(w, "in force"));
	ck_assert_ptr_nonnull(strstr(w, "old exception MIG-3"));
	ck_assert_ptr_nonnull(strstr(w, "2020-01-31"));
	ck_assert_ptr_nonnull(strstr(w, "expired: ignored"));
	assert_parses(out);
	free(out);
}
END_TEST

START_TEST(an_incomplete_scan_is_never_shown_as_a_pass)
{
	char cmd[4096], args[4096], *out = NULL;

	/* A scan that never finished: no observations, no verdict. */
	snprintf(cmd, sizeof(cmd),
		 "psql -X -q -v ON_ERROR_STOP=1 -d '%s' -c \"INSERT INTO scans "
		 "(estate) VALUES ('examples/estate.json')\"",
		 DB);
	ck_assert_int_eq(tu_run(cmd, NULL, NULL), 0);
	snprintf(args, sizeof(args), "report --scan 1 --db '%s' --format html", DB);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 3);
	ck_assert_ptr_nonnull(strstr(out, "class=\"verdict v-incomplete\""));
	ck_assert_ptr_nonnull(strstr(out, "INCOMPLETE</strong>"));
	ck_assert_ptr_nonnull(strstr(out, "<b>running</b>"));
	ck_assert_ptr_null(strstr(out, "COMPLIANT"));
	ck_assert_ptr_null(strstr(out, "class=\"pill p-ok\""));
	assert_parses(out);
	free(out);
	snprintf(args, sizeof(args), "report --scan 7 --db '%s' --format html", DB);
	ck_assert_int_eq(tu_cli(args, NULL, NULL), 2);
	snprintf(args, sizeof(args), "report --scan 1 --db '%s' --format pdf", DB);
	ck_assert_int_eq(tu_cli(args, NULL, NULL), 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("html");
	TCase *unit = tcase_create("escape");
	TCase *tc = tcase_create("report");

	tcase_add_test(unit, escape_turns_every_markup_character_into_text);
	suite_add_tcase(s, unit);
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, story_before_shows_the_verdict_and_every_service);
	tcase_add_test(tc, a_host_name_that_is_a_tag_shows_as_text);
	tcase_add_test(tc, an_incomplete_scan_is_never_shown_as_a_pass);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
