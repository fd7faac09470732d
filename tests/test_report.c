/*
 * test_report: report/ alone, with no database: the HTML report of a scan built
 * in memory (escaping, structure, an incomplete scan never a pass), the JSON,
 * CSV and text writers, the diff writer, and evidence: a bundle exported from
 * in-memory records verifies and a changed byte does not, and a chain of links
 * given as structs verifies and a broken one is named. Nothing here starts or
 * needs PostgreSQL.
 */
#include "lib/testutil.h"
#include "report/diff.h"
#include "report/evidence.h"
#include "report/html.h"
#include "report/stored.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a scan in memory ---- */

static const struct stored_service SERVICES[] = {
    {"accounts", "id-team", "eu-only", "violation", 1, 0},
    {"<b>sync</b>", NULL, "eu-only", "compliant", 0, 1},
};

static const struct stored_finding FINDINGS[] = {
    {.service = "accounts",
     .endpoint = "login.example",
     .element = "<script>alert(1)</script>",
     .element_kind = "address",
     .country = "CN",
     .provider = "aws",
     .region = "cn-north-1",
     .border_group = "cn-north-1",
     .source = "ranges",
     .policy = "eu-only",
     .reason = "denied-country",
     .detail = "resolves to \"Beijing\", CN",
     .path = "[{\"kind\":\"name\",\"name\":\"login.example\",\"status\":\"ok\"},"
	     "{\"kind\":\"address\",\"address\":\"52.80.0.1\",\"status\":\"ok\"}]",
     .waived = false,
     .endpoints = "[\"login.example\",\"api.example\"]",
     .scope = "region",
     .prefix = "52.80.0.0/16",
     .disagreement = false},
    {.service = "<b>sync</b>",
     .endpoint = "sync.example",
     .element = "203.0.113.9",
     .element_kind = "address",
     .country = NULL,
     .source = "special",
     .region = "documentation",
     .policy = "eu-only",
     .reason = "special-address",
     .detail = "a,b\nc",
     .path = "not json",
     .waived = true,
     .waiver_reason = "lab & test",
     .waiver_expires = "2099-01-01",
     .endpoints = "[\"sync.example\"]",
     .scope = "none",
     .services = "RFC 5737"},
};
#define NFINDINGS (sizeof(FINDINGS) / sizeof(FINDINGS[0]))

static bool wanted(enum stored_which w, const struct stored_finding *f)
{
	switch (w) {
	case STORED_OPEN:
		return !f->waived;
	case STORED_WAIVED:
		return f->waived;
	case STORED_WAIVERS:
		return f->waived || f->waiver_expired;
	default:
		return true;
	}
}

static enum rstatus mem_services(void *src, stored_service_fn fn, void *ctx, struct rerr *err)
{
	enum rstatus rc = R_OK;
	(void)src;
	for (size_t i = 0; i < 2 && rc == R_OK; i++)
		rc = fn(ctx, &SERVICES[i], err);
	return rc;
}

static enum rstatus mem_findings(void *src, enum stored_which which, stored_finding_fn fn,
				 void *ctx, struct rerr *err)
{
	enum rstatus rc = R_OK;
	(void)src;
	for (size_t i = 0; i < NFINDINGS && rc == R_OK; i++)
		if (wanted(which, &FINDINGS[i]))
			rc = fn(ctx, &FINDINGS[i], err);
	return rc;
}

static const struct stored_source SOURCE = {NULL, mem_services, mem_findings};

static const struct stored_scan SCAN = {
    7, "complete", "2026-01-02T03:04:05Z", "violation", "estate.json", "aa", "bb", NULL};

/* Runs a writer into memory; the caller frees the text. */
#define CAPTURE(text, ...)                                                                         \
	do {                                                                                       \
		size_t len_ = 0;                                                                   \
		FILE *f_ = open_memstream(&(text), &len_);                                         \
		ck_assert_ptr_nonnull(f_);                                                         \
		FILE *f = f_;                                                                      \
		__VA_ARGS__;                                                                       \
		fclose(f_);                                                                        \
	} while (0)

static struct html_scan html_scan(const char *status, const char *verdict, long long open)
{
	static const struct html_country countries[] = {
	    {"CN", 3, 4, 1, true}, {"~anycast", 1, 1, 1, false}, {"DE", 2, 2, 2, false}};
	static const struct html_country_service cs[] = {
	    {"CN", "accounts"}, {"DE", "<b>sync</b>"}, {"DE", "accounts"}};
	static const struct html_unresolved unres[] = {{"nxdomain", 2}};
	static const struct html_source sources[] = {
	    {"aws", "ranges", "file://x", "1", "100", "ab12", "[\"/data/aws.json\"]", NULL, NULL},
	    {"geo", "geoip", "file://g", "2", NULL, "cd34", "[]", "5", "2026-01-01"}};
	struct html_scan s = {.id = "7",
			      .status = status,
			      .started = "2026-01-02 03:04:05 UTC",
			      .verdict = verdict,
			      .estate = "estate<1>.json",
			      .zone_files = "[\"a.zone\",\"b&c.zone\"]",
			      .geoip_epoch = "1700000000",
			      .geoip_built = "2023-11-14 22:13:20 UTC",
			      .error = status && strcmp(status, "complete") ? "cut off" : NULL,
			      .open = open,
			      .waived = 1,
			      .nservices = 2,
			      .violating = 1,
			      .addresses = 6,
			      .elements = 9,
			      .countries = countries,
			      .ncountries = 3,
			      .country_services = cs,
			      .ncountry_services = 3,
			      .unresolved = unres,
			      .nunresolved = 1,
			      .sources = sources,
			      .nsources = 2};
	return s;
}

/* ---- HTML ---- */

START_TEST(html_of_a_scan_in_memory_escapes_every_string_and_parses)
{
	char *html = NULL, *dir = tu_tmpdir(), file[4096], cmd[8192], *err = NULL;
	struct html_scan s = html_scan("complete", "violation", 1);
	struct rerr e = {0};

	CAPTURE(html, ck_assert_int_eq(html_write(f, &s, &SOURCE, &e), R_OK));
	ck_assert_ptr_nonnull(strstr(html, "class=\"verdict v-violation\""));
	ck_assert_ptr_nonnull(strstr(html, "1 open finding in 1 of 2 services; 1 more waived"));
	/* Hostile text is text. */
	ck_assert_ptr_null(strstr(html, "<script>"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert_ptr_null(strstr(html, "<b>sync</b>"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;b&gt;sync&lt;/b&gt;"));
	ck_assert_ptr_nonnull(strstr(html, "estate&lt;1&gt;.json"));
	ck_assert_ptr_nonnull(strstr(html, "b&amp;c.zone"));
	ck_assert_ptr_nonnull(strstr(html, "lab &amp; test"));
	ck_assert_ptr_nonnull(strstr(html, "resolves to &quot;Beijing&quot;, CN"));
	/* Structure: every section, the open finding under its service, the waived apart. */
	const char *order[] = {"id=\"verdict\"",  "id=\"scan\"",     "id=\"countries\"",
			       "id=\"services\"", "id=\"findings\"", "<h3>Service accounts</h3>",
			       "id=\"waivers\"",  "Waived findings", "id=\"sources\"",
			       "</html>"};
	const char *at = html;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *p = strstr(at, order[i]);
		ck_assert_msg(p != NULL, "%s missing or out of order", order[i]);
		at = p;
	}
	ck_assert_ptr_nonnull(strstr(html, "endpoints <code>login.example</code>, "
					   "<code>api.example</code>"));
	ck_assert_ptr_nonnull(strstr(html, "<p class=\"mono\">not json</p>"));
	ck_assert_ptr_nonnull(strstr(html, "anycast (no country)"));
	ck_assert_ptr_nonnull(strstr(html, "2 path elements got no address"));
	ck_assert_ptr_nonnull(strstr(html, "stored snapshot 5 fetched 2026-01-01"));
	/* Well-formed XML. */
	snprintf(file, sizeof(file), "%s/r.html", dir);
	ck_assert_int_eq(tu_write(file, html, strlen(html)), 0);
	snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", file);
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 0);
	free(err);
	free(html);
	free(dir);
}
END_TEST

START_TEST(html_never_shows_an_incomplete_scan_as_a_pass)
{
	char *html = NULL;
	struct rerr e = {0};
	struct html_scan s = html_scan("running", NULL, 0);

	CAPTURE(html, ck_assert_int_eq(html_write(f, &s, &SOURCE, &e), R_OK));
	ck_assert_ptr_nonnull(strstr(html, "v-incomplete"));
	ck_assert_ptr_null(strstr(html, "COMPLIANT"));
	ck_assert_ptr_null(strstr(html, "p-ok\">compliant"));
	ck_assert_ptr_nonnull(strstr(html, "Error: cut off"));
	free(html);
	/* A complete scan whose verdict says compliant but holds an open finding is a violation. */
	s = html_scan("complete", "compliant", 1);
	CAPTURE(html, ck_assert_int_eq(html_write(f, &s, &SOURCE, &e), R_OK));
	ck_assert_ptr_nonnull(strstr(html, "v-violation"));
	free(html);
}
END_TEST

static enum rstatus failing_findings(void *src, enum stored_which which, stored_finding_fn fn,
				     void *ctx, struct rerr *err)
{
	(void)src, (void)which, (void)fn, (void)ctx;
	return rerr_set(err, R_EDB, NULL, 0, "the database went away");
}

START_TEST(a_source_that_fails_fails_the_report)
{
	char *out = NULL;
	struct rerr e = {0};
	struct html_scan s = html_scan("complete", "compliant", 0);
	struct stored_source bad = {NULL, mem_services, failing_findings};
	size_t open;

	CAPTURE(out, ck_assert_int_eq(html_write(f, &s, &bad, &e), R_EDB));
	free(out);
	CAPTURE(out, ck_assert_int_eq(stored_write(f, STORED_JSON, &SCAN, &bad, &open, &e), R_EDB));
	free(out);
}
END_TEST

/* ---- JSON, CSV, text ---- */

START_TEST(json_report_streams_the_document_jansson_would_write)
{
	char *out = NULL;
	struct rerr e = {0};
	size_t open = 99;

	CAPTURE(out,
		ck_assert_int_eq(stored_write(f, STORED_JSON, &SCAN, &SOURCE, &open, &e), R_OK));
	ck_assert_uint_eq(open, 1);
	json_error_t je;
	json_t *o = json_loads(out, 0, &je);
	ck_assert_msg(o != NULL, "%s: %s", je.text, out);
	/* Byte for byte what jansson writes of the parsed document. */
	char *again = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	size_t n = strlen(out);
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(out[n - 1], '\n');
	out[n - 1] = '\0';
	ck_assert_str_eq(out, again);
	free(again);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "scan")), 7);
	ck_assert_uint_eq(json_array_size(json_object_get(o, "services")), 2);
	json_t *fa = json_object_get(o, "findings"), *wa = json_object_get(o, "waived");
	ck_assert_uint_eq(json_array_size(fa), 1);
	ck_assert_uint_eq(json_array_size(wa), 1);
	json_t *f0 = json_array_get(fa, 0);
	ck_assert_str_eq(json_string_value(json_object_get(f0, "element")),
			 "<script>alert(1)</script>");
	ck_assert_str_eq(json_string_value(json_object_get(f0, "country")), "CN");
	ck_assert_uint_eq(json_array_size(json_object_get(f0, "endpoints")), 2);
	json_t *w0 = json_array_get(wa, 0);
	ck_assert(json_is_null(json_object_get(w0, "country")));
	ck_assert_str_eq(json_string_value(json_object_get(w0, "special")), "documentation");
	ck_assert(json_is_null(json_object_get(w0, "region")));
	ck_assert_str_eq(json_string_value(json_object_get(w0, "special_rfc")), "RFC 5737");
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_object_get(w0, "waiver"), "reason")),
	    "lab & test");
	json_decref(o);
	free(out);
}
END_TEST

static enum rstatus no_services(void *src, stored_service_fn fn, void *ctx, struct rerr *err)
{
	(void)src, (void)fn, (void)ctx, (void)err;
	return R_OK;
}

static enum rstatus no_findings(void *src, enum stored_which which, stored_finding_fn fn, void *ctx,
				struct rerr *err)
{
	(void)src, (void)which, (void)fn, (void)ctx, (void)err;
	return R_OK;
}

START_TEST(json_of_an_empty_scan_has_empty_arrays)
{
	char *out = NULL;
	struct rerr e = {0};
	size_t open = 9;
	struct stored_source none = {NULL, no_services, no_findings};

	CAPTURE(out, ck_assert_int_eq(stored_write(f, STORED_JSON, &SCAN, &none, &open, &e), R_OK));
	ck_assert_uint_eq(open, 0);
	ck_assert_ptr_nonnull(
	    strstr(out, "\"services\": [],\n  \"findings\": [],\n  \"waived\": []\n}\n"));
	json_t *o = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(o);
	json_decref(o);
	free(out);
}
END_TEST

START_TEST(csv_quotes_what_needs_it_and_text_lists_every_finding)
{
	char *out = NULL;
	struct rerr e = {0};
	size_t open = 0;

	CAPTURE(out,
		ck_assert_int_eq(stored_write(f, STORED_CSV, &SCAN, &SOURCE, &open, &e), R_OK));
	ck_assert_uint_eq(open, 1);
	ck_assert(strncmp(out, "service,endpoint,element,", 25) == 0);
	ck_assert_ptr_nonnull(strstr(out, ",\"resolves to \"\"Beijing\"\", CN\","));
	ck_assert_ptr_nonnull(strstr(out, ",\"a,b\nc\",not json,t,"));
	ck_assert_ptr_nonnull(strstr(out, ",f,\"[\"\"login.example\"\",\"\"api.example\"\"]\"\n"));
	free(out);
	CAPTURE(out,
		ck_assert_int_eq(stored_write(f, STORED_TEXT, &SCAN, &SOURCE, &open, &e), R_OK));
	ck_assert(
	    strncmp(out, "scan 7 (complete, started 2026-01-02T03:04:05Z): violation\n", 57) == 0);
	ck_assert_ptr_nonnull(strstr(out,
				     "<b>sync</b>              eu-only              compliant  "
				     "0 + waived 1\n"));
	ck_assert_ptr_nonnull(strstr(out, "reached from 2 endpoints: login.example api.example\n"));
	ck_assert_ptr_nonnull(
	    strstr(out, "  waived special-address  <b>sync</b>  203.0.113.9  -- "));
	free(out);
}
END_TEST

/* ---- diff ---- */

START_TEST(diff_writes_each_changed_group_with_both_sides)
{
	static const struct diff_fact facts[] = {
	    {"accounts", "address", "1.1.1.1", true, true},
	    {"accounts", "address", "2.2.2.2", true, false},
	    {"accounts", "address", "3.3.3.3", false, true},
	    {"accounts", "country", "CN", true, false},
	    {"accounts", "country", "SG", false, true},
	    {"accounts", "country", "US", true, true},
	    {"accounts", "verdict", "violation", true, true},
	    {"mail", "country", "DE", true, true},
	};
	char *out = NULL;
	struct rerr e = {0};
	struct diff_writer w;

	CAPTURE(out, {
		diff_begin(&w, f);
		for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
			ck_assert_int_eq(diff_add(&w, &facts[i], &e), R_OK);
		ck_assert_uint_eq(w.changes, 4);
		ck_assert_int_eq(diff_end(&w, &e), R_OK);
	});
	ck_assert_str_eq(out, "accounts:\n"
			      "  address: 1.1.1.1, 2.2.2.2 -> 1.1.1.1, 3.3.3.3\n"
			      "    - 2.2.2.2\n"
			      "    + 3.3.3.3\n"
			      "  country: CN, US -> SG, US\n"
			      "    - CN\n"
			      "    + SG\n");
	free(out);
	CAPTURE(out, {
		diff_begin(&w, f);
		ck_assert_int_eq(diff_add(&w, &facts[7], &e), R_OK);
		ck_assert_int_eq(diff_end(&w, &e), R_OK);
	});
	ck_assert_str_eq(out, "no change\n");
	free(out);
}
END_TEST

START_TEST(diff_of_a_large_group_holds_only_its_first_lines)
{
	char *out = NULL, value[32];
	struct rerr e = {0};
	struct diff_writer w;
	size_t held = 0;

	CAPTURE(out, {
		diff_begin(&w, f);
		for (int i = 0; i < 100000; i++) {
			snprintf(value, sizeof(value), "10.%d.%d.%d", i >> 16, (i >> 8) & 255,
				 i & 255);
			struct diff_fact x = {"big", "address", value, i % 2 == 0, i % 2 == 1};
			ck_assert_int_eq(diff_add(&w, &x, &e), R_OK);
			if (w.pending.len > held)
				held = w.pending.len;
		}
		ck_assert_int_eq(diff_end(&w, &e), R_OK);
	});
	ck_assert_uint_lt(held, 16384);
	ck_assert_ptr_nonnull(strstr(out, "    + 10.1.134.159\n"));
	ck_assert_ptr_nonnull(strstr(out, "    - 10.0.0.0\n"));
	free(out);
}
END_TEST

/* A service new in the second scan: its group has no "from" value ever, so
 * every "+" line waits for the group's end. 300,000 of them (about 5 MB; a
 * million made the bound of before an error) are written whole, in order,
 * with at most half a MiB of them in memory. */
START_TEST(diff_of_a_new_service_with_many_addresses_is_whole)
{
	char *out = NULL, value[32];
	struct rerr e = {0};
	struct diff_writer w;
	size_t held = 0, n = 300000;

	CAPTURE(out, {
		diff_begin(&w, f);
		for (size_t i = 0; i < n; i++) {
			snprintf(value, sizeof(value), "10.%zu.%zu.%zu", i >> 16, (i >> 8) & 255,
				 i & 255);
			struct diff_fact x = {"new", "address", value, false, true};
			ck_assert_int_eq(diff_add(&w, &x, &e), R_OK);
			if (w.pending.len > held)
				held = w.pending.len;
		}
		ck_assert_int_eq(diff_end(&w, &e), R_OK);
	});
	ck_assert_uint_le(held, (size_t)1 << 19);
	ck_assert_ptr_nonnull(strstr(out, "new:\n  address: (none) -> 10.0.0.0, 10.0.0.1"));
	/* Counted by hand: the sanitizers' strstr measures the whole rest of the
	 * text at each call. */
	size_t lines = 0;
	const char *prev = NULL;
	for (const char *p = out; *p; p++)
		if (p[0] == '+' && p > out + 4 && p[-1] == ' ' && p[-5] == '\n') {
			lines++;
			prev = p - 4;
		}
	ck_assert_uint_eq(lines, n);
	ck_assert_ptr_nonnull(strstr(out, "    + 10.0.0.0\n    + 10.0.0.1\n"));
	ck_assert_ptr_nonnull(prev);
	ck_assert_str_eq(prev, "    + 10.4.147.223\n");
	free(out);
}
END_TEST

/* ---- evidence ---- */

struct record {
	const char *type;
	size_t n;
	const char *f[19];
};

/* A small scan's records, in the canonical order. */
static const struct record RECORDS[] = {
    {"scan",
     13,
     {"42", "complete", "2026-01-02 03:04:05+00", "2026-01-02 03:05:00+00", "estate.json",
      "config.json", "{a.zone}", "aa", "bb", "1700000000", "{}", "violation", NULL}},
    {"document", 4, {"policy", "policies/eu.json", "cc", "{\"deny\": [\"CN\"]}"}},
    {"source", 8, {"1", "aws", "ranges", "file://x", "{/nonexistent/aws.json}", "dd", "1", "10"}},
    {"service", 6, {"accounts", "team", "eu", "violation", "1", "0"}},
    {"element",
     10,
     {"accounts", "login.example", "false", "0", "address", NULL, "52.80.0.1", "ok", NULL, NULL}},
    {"attribution",
     12,
     {"52.80.0.1", "aws", "cn-north-1", NULL, "EC2", "region", "CN", "ranges", "52.80.0.0/16", "CN",
      "false", "false"}},
    {"finding",
     18, /* an older scan: no endpoints column */
     {"1", "accounts", "login.example", "52.80.0.1", "address", "CN", "aws", "cn-north-1", NULL,
      "ranges", "eu", "denied-country", "in CN", "[]", "false", NULL, NULL, "false"}},
    {"answer",
     8,
     {"1", "login.example", "A", "NOERROR", "52.80.0.1", "60", "local", "2026-01-02 03:04:06+00"}},
};

static enum rstatus mem_records(void *src, long long scan, evidence_record_fn fn, void *ctx,
				struct rerr *err)
{
	enum rstatus rc = R_OK;
	const struct record *v = src;
	if (scan != 42)
		return rerr_set(err, R_EINPUT, NULL, 0, "no scan %lld", scan);
	for (size_t i = 0; i < sizeof(RECORDS) / sizeof(RECORDS[0]) && rc == R_OK; i++)
		rc = fn(ctx, v[i].type, v[i].n, v[i].f, err);
	return rc;
}

static void one_link(struct chain_link *l, const char *prev)
{
	char dg[DIGEST_HEXLEN], link[DIGEST_HEXLEN];
	struct rerr e = {0};
	ck_assert_int_eq(records_digest(mem_records, (void *)RECORDS, 42, dg, &e), R_OK);
	ck_assert(chain_link_hex(prev, dg, link));
	l->seq = 1;
	l->scan = 42;
	l->digest = strdup(dg);
	l->prev_link = strdup(prev);
	l->link = strdup(link);
	l->signature = l->public_key = NULL;
}

START_TEST(a_bundle_of_records_in_memory_verifies_and_a_changed_byte_does_not)
{
	char *dir = tu_tmpdir(), bundle[4096], path[8192], *text;
	struct chain_link *l = calloc(1, sizeof(*l));
	struct evidence_export opt = {42, 0, false, bundle};
	struct rerr e = {0};
	size_t len;

	snprintf(bundle, sizeof(bundle), "%s/bundle", dir);
	one_link(l, chain_zero_link);
	ck_assert_int_eq(evidence_export(&opt, l, 1, mem_records, (void *)RECORDS, NULL, 0, &e),
			 R_OK);
	ck_assert_int_eq(evidence_verify_bundle(bundle, NULL, NULL, &e), R_OK);
	/* The same records compare equal; a bundle is not exported twice into one folder. */
	ck_assert_int_eq(evidence_compare(bundle, mem_records, (void *)RECORDS, NULL, &e), R_OK);
	ck_assert_int_eq(evidence_export(&opt, l, 1, mem_records, (void *)RECORDS, NULL, 0, &e),
			 R_EUSAGE);
	/* One byte of the records changed: the digest no longer matches. */
	snprintf(path, sizeof(path), "%s/records.jsonl", bundle);
	ck_assert_ptr_nonnull(text = tu_slurp(path, &len));
	char *p = strstr(text, "denied-country");
	ck_assert_ptr_nonnull(p);
	p[0] = 'D';
	ck_assert_int_eq(tu_write(path, text, len), 0);
	ck_assert_int_eq(evidence_verify_bundle(bundle, NULL, NULL, &e), R_EINPUT);
	p[0] = 'd';
	ck_assert_int_eq(tu_write(path, text, len), 0);
	ck_assert_int_eq(evidence_verify_bundle(bundle, NULL, NULL, &e), R_OK);
	free(text);
	/* A derived file changed. */
	snprintf(path, sizeof(path), "%s/finding.jsonl", bundle);
	ck_assert_ptr_nonnull(text = tu_slurp(path, &len));
	text[len / 2] ^= 1;
	ck_assert_int_eq(tu_write(path, text, len), 0);
	ck_assert_int_eq(evidence_verify_bundle(bundle, NULL, NULL, &e), R_EINPUT);
	free(text);
	/* Records that no longer give the link's digest are not exported. */
	free(l->digest);
	l->digest = strdup("00000000000000000000000000000000000000000000000000000000000000ff");
	snprintf(bundle, sizeof(bundle), "%s/second", dir);
	ck_assert_int_eq(evidence_export(&opt, l, 1, mem_records, (void *)RECORDS, NULL, 0, &e),
			 R_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "not exported"));
	/* Only a scan in the chain is exported. */
	snprintf(bundle, sizeof(bundle), "%s/third", dir);
	ck_assert_int_eq(evidence_export(&opt, l, 0, mem_records, (void *)RECORDS, NULL, 0, &e),
			 R_EINPUT);
	chain_links_free(l, 1);
	free(dir);
}
END_TEST

START_TEST(a_chain_of_links_in_memory_verifies_and_a_broken_one_is_named)
{
	struct chain_link *l = calloc(2, sizeof(*l));
	long long unlinked[] = {43};
	char *out = NULL;
	struct rerr e = {0};

	one_link(&l[0], chain_zero_link);
	one_link(&l[1], l[0].link);
	l[1].seq = 2;
	CAPTURE(out, ck_assert_int_eq(
			 chain_verify(l, 2, NULL, 0, 0, true, mem_records, (void *)RECORDS, f, &e),
			 R_OK));
	ck_assert_str_eq(out, "verified: 2 links in order, 2 scan digests recomputed from rows\n");
	free(out);
	/* A link taken out between them, and a complete scan with no link. */
	l[1].seq = 3;
	CAPTURE(out, ck_assert_int_eq(chain_verify(l, 2, unlinked, 1, 0, false, mem_records,
						   (void *)RECORDS, f, &e),
				      R_EINPUT));
	ck_assert_ptr_nonnull(strstr(out, "the chain jumps from link 1 (scan 42) to link 3"));
	ck_assert_ptr_nonnull(strstr(out, "scan 43 is complete but has no link"));
	free(out);
	/* A rewritten link. */
	l[1].seq = 2;
	l[1].link[0] = l[1].link[0] == 'a' ? 'b' : 'a';
	CAPTURE(out, ck_assert_int_eq(
			 chain_verify(l, 2, NULL, 0, 0, false, mem_records, (void *)RECORDS, f, &e),
			 R_EINPUT));
	ck_assert_ptr_nonnull(strstr(out, "is not SHA-256 of its previous link and digest"));
	free(out);
	chain_links_free(l, 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("writers");

	tcase_add_test(tc, html_of_a_scan_in_memory_escapes_every_string_and_parses);
	tcase_add_test(tc, html_never_shows_an_incomplete_scan_as_a_pass);
	tcase_add_test(tc, a_source_that_fails_fails_the_report);
	tcase_add_test(tc, json_report_streams_the_document_jansson_would_write);
	tcase_add_test(tc, json_of_an_empty_scan_has_empty_arrays);
	tcase_add_test(tc, csv_quotes_what_needs_it_and_text_lists_every_finding);
	tcase_add_test(tc, diff_writes_each_changed_group_with_both_sides);
	tcase_add_test(tc, diff_of_a_large_group_holds_only_its_first_lines);
	tcase_add_test(tc, diff_of_a_new_service_with_many_addresses_is_whole);
	tcase_add_test(tc, a_bundle_of_records_in_memory_verifies_and_a_changed_byte_does_not);
	tcase_add_test(tc, a_chain_of_links_in_memory_verifies_and_a_broken_one_is_named);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
