/*
 * html: a stored scan as one HTML document (see html.h). Each section is one
 * query and one writer. Strings from the database reach the page only through
 * esc() (html_escape); the format strings of fputs/fprintf here are literals
 * and their arguments numbers, never database text.
 */
#include "report/html.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void html_escape(FILE *f, const char *s)
{
	if (s == NULL)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		case '\t':
		case '\n':
		case '\r':
			fputc(*p, f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "&#x%X;", 0x2400u + *p); /* ␀ ␁ ... ␟ */
			else if (*p == 0x7f)
				fputs("&#x2421;", f); /* ␡ */
			else
				fputc(*p, f);
		}
	}
}

static void esc(FILE *f, const char *s)
{
	html_escape(f, s);
}

/* A value, or a dash when the database holds NULL or "". */
static void esc_or_dash(FILE *f, const char *s)
{
	if (s == NULL || *s == '\0')
		fputs("\xe2\x80\x94", f); /* — */
	else
		esc(f, s);
}

/* One element with escaped text: <open>text</close>. */
static void cell(FILE *f, const char *open, const char *s, const char *close)
{
	fputs(open, f);
	esc_or_dash(f, s);
	fputs(close, f);
}

static const char *val(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static bool is_true(PGresult *r, int row, int col)
{
	return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

static long long num(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* Runs one query with the scan id as $1. NULL (err filled) on failure. */
static PGresult *query(struct store *st, const char *sql, const char *id, struct rerr *err)
{
	const char *p[1] = {id};
	PGresult *res = PQexecParams(store_conn(st), sql, 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		store_error(st, err, "reading the scan for the HTML report");
		return NULL;
	}
	return res;
}

static const char CSS[] =
    ":root{--ok:#1b5e20;--ok-bg:#e8f5e9;--bad:#b71c1c;--bad-bg:#fdecea;--warn:#8a5300;"
    "--warn-bg:#fff4e0;--line:#d0d4d9;--muted:#59636e;--bar:#5c6b7a}\n"
    "*{box-sizing:border-box}\n"
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;"
    "color:#1d2125;background:#fff;margin:0 auto;max-width:1180px;padding:24px 32px}\n"
    "h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 10px;padding-bottom:4px;"
    "border-bottom:2px solid var(--line)}h3{font-size:16px;margin:18px 0 8px}\n"
    "code,.mono{font:13px/1.4 ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;"
    "overflow-wrap:anywhere}\n"
    ".sub{color:var(--muted);margin:0 0 16px}\n"
    ".verdict{border:2px solid;border-left-width:10px;border-radius:6px;padding:12px 18px;"
    "margin:12px 0 20px}\n"
    ".verdict strong{font-size:22px;letter-spacing:.04em;display:block}\n"
    ".v-compliant{border-color:var(--ok);background:var(--ok-bg);color:var(--ok)}\n"
    ".v-violation{border-color:var(--bad);background:var(--bad-bg);color:var(--bad)}\n"
    ".v-incomplete{border-color:var(--warn);background:var(--warn-bg);color:var(--warn)}\n"
    ".verdict span{color:#1d2125}\n"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 18px;margin:0}\n"
    "dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}\n"
    "table{border-collapse:collapse;width:100%;margin:6px 0 10px}\n"
    "th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid "
    "var(--line)}\n"
    "th{font-size:13px;color:var(--muted);font-weight:600;border-bottom:2px solid "
    "var(--line)}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".pill{display:inline-block;padding:0 8px;border-radius:10px;font-size:12.5px;"
    "font-weight:600;border:1px solid}\n"
    ".p-ok{color:var(--ok);background:var(--ok-bg)}.p-bad{color:var(--bad);"
    "background:var(--bad-bg)}.p-warn{color:var(--warn);background:var(--warn-bg)}\n"
    "figure{margin:6px 0 4px}figcaption{font-size:13px;color:var(--muted)}\n"
    "svg text{font:13px system-ui,sans-serif;fill:#1d2125}\n"
    ".finding{border:1px solid var(--line);border-left:4px solid var(--bad);border-radius:4px;"
    "padding:8px 12px;margin:0 0 10px}\n"
    ".finding.waived{border-left-color:var(--ok)}\n"
    ".finding h4{margin:0 0 6px;font-size:14.5px;font-weight:600}\n"
    ".finding .where{color:var(--muted);font-weight:400}\n"
    ".finding p{margin:2px 0}.finding .meta{font-size:13px;color:var(--muted)}\n"
    ".finding .meta code{color:#1d2125}\n"
    "ol.path{list-style:none;margin:6px 0 0;padding:0;display:flex;flex-wrap:wrap;"
    "gap:4px 0;font-size:13px}\n"
    "ol.path li{display:flex;align-items:center}\n"
    "ol.path li+li::before{content:'\\2192';color:var(--muted);margin:0 6px}\n"
    ".hop{border:1px solid var(--line);border-radius:4px;padding:1px 6px;background:#f6f8fa}\n"
    ".hop .k{color:var(--muted);font-size:11.5px;text-transform:uppercase;margin-right:4px}\n"
    ".hop.end{border-color:var(--bad)}.hop .st{color:var(--bad);font-weight:600;"
    "margin-left:4px}\n"
    ".note{color:var(--muted);font-size:13.5px}\n"
    "footer{margin-top:28px;color:var(--muted);font-size:12.5px;border-top:1px solid "
    "var(--line);padding-top:8px}\n"
    "@media print{body{font-size:9.5pt;max-width:none;padding:0}\n"
    " h2{font-size:13pt;margin:14px 0 6px}h3{font-size:11pt;margin:10px 0 4px}\n"
    " .finding{padding:3px 8px;margin:0 0 5px}ol.path{font-size:8.5pt}\n"
    " code,.mono{font-size:8.5pt}\n"
    " .verdict,.pill,.hop,.finding{background:#fff !important}\n"
    " h2,h3,h4{break-after:avoid;page-break-after:avoid}\n"
    " .finding,tr,figure,.verdict,dl.facts{break-inside:avoid;page-break-inside:avoid}\n"
    " thead{display:table-header-group}\n"
    " @page{margin:14mm}}\n";

/* The overall verdict: never a pass unless the scan completed without open findings. */
static const char *overall(const char *status, const char *verdict, long long open)
{
	if (status == NULL || strcmp(status, "complete") != 0 || verdict == NULL)
		return "incomplete";
	if (open > 0 || strcmp(verdict, "compliant") != 0)
		return "violation";
	return "compliant";
}

static void head(FILE *f, const char *id, const char *ov)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
	      "<meta name=\"generator\" content=\"residency report --format html\"/>\n<title>",
	      f);
	fputs("Data residency report \xe2\x80\x94 scan ", f);
	esc(f, id);
	fputs(" \xe2\x80\x94 ", f);
	esc(f, ov);
	fputs("</title>\n<style>\n", f);
	fputs(CSS, f);
	fputs("</style>\n</head>\n<body>\n", f);
}

/* Scan: the verdict banner and the facts. */
#define SCAN_SQL                                                                                   \
	"SELECT id::text, status, "                                                                \
	"to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"'), "                \
	"to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"'), verdict, "      \
	"estate, config_path, array_to_json(zone_files)::text, config_sha256, policy_sha256, "     \
	"geoip_build_epoch::text, "                                                                \
	"to_char(to_timestamp(geoip_build_epoch) AT TIME ZONE 'UTC', "                             \
	"'YYYY-MM-DD HH24:MI:SS \"UTC\"'), error, "                                                \
	"(SELECT count(*) FROM scan_findings WHERE scan_id = s.id AND NOT waived)::text, "         \
	"(SELECT count(*) FROM scan_findings WHERE scan_id = s.id AND waived)::text, "             \
	"(SELECT count(*) FROM scan_services WHERE scan_id = s.id)::text, "                        \
	"(SELECT count(*) FROM scan_services WHERE scan_id = s.id AND verdict = "                  \
	"'violation')::text, "                                                                     \
	"(SELECT count(DISTINCT address) FROM scan_attributions WHERE scan_id = s.id)::text, "     \
	"(SELECT count(*) FROM scan_elements WHERE scan_id = s.id)::text "                         \
	"FROM scans s WHERE id = $1"

static void fact(FILE *f, const char *label, const char *value, bool mono)
{
	fputs("<dt>", f);
	fputs(label, f);
	fputs("</dt><dd>", f);
	if (mono && value && *value)
		cell(f, "<code>", value, "</code>");
	else
		esc_or_dash(f, value);
	fputs("</dd>\n", f);
}

static void verdict_and_facts(FILE *f, PGresult *s, const char *ov)
{
	long long open = num(s, 0, 13), waived = num(s, 0, 14), nsvc = num(s, 0, 15),
		  bad = num(s, 0, 16);

	fputs("<header>\n<h1>Data residency report</h1>\n<p class=\"sub\">Scan ", f);
	esc(f, val(s, 0, 0));
	fputs(" \xc2\xb7 started ", f);
	esc_or_dash(f, val(s, 0, 2));
	fputs(" \xc2\xb7 estate <code>", f);
	esc_or_dash(f, val(s, 0, 5));
	fputs("</code></p>\n</header>\n", f);

	fprintf(f, "<section class=\"verdict v-%s\" id=\"verdict\">\n<strong>", ov);
	if (strcmp(ov, "compliant") == 0) {
		fputs("COMPLIANT</strong>\n<span>Every element of every data path was resolved, "
		      "attributed and allowed by its policy",
		      f);
		if (waived)
			fprintf(f, " (%lld finding%s waived, see below)", waived,
				waived == 1 ? "" : "s");
		fputs(".</span>\n", f);
	} else if (strcmp(ov, "violation") == 0) {
		fprintf(f,
			"VIOLATION</strong>\n<span>%lld open finding%s in %lld of %lld "
			"service%s",
			open, open == 1 ? "" : "s", bad, nsvc, nsvc == 1 ? "" : "s");
		if (waived)
			fprintf(f, "; %lld more waived", waived);
		fputs(".</span>\n", f);
	} else {
		fputs("INCOMPLETE</strong>\n<span>This scan is <b>", f);
		esc_or_dash(f, val(s, 0, 1));
		fputs("</b>: what it holds is partial and is not a pass.", f);
		if (val(s, 0, 12) && *val(s, 0, 12)) {
			fputs(" Error: ", f);
			esc(f, val(s, 0, 12));
		}
		fputs("</span>\n", f);
	}
	fputs("</section>\n", f);

	fputs("<section id=\"scan\">\n<h2>Scan</h2>\n<dl class=\"facts\">\n", f);
	fact(f, "Scan id", val(s, 0, 0), false);
	fact(f, "Status", val(s, 0, 1), false);
	fact(f, "Started", val(s, 0, 2), false);
	fact(f, "Finished", val(s, 0, 3), false);
	fact(f, "Stored verdict", val(s, 0, 4), false);
	fact(f, "Estate", val(s, 0, 5), true);
	fact(f, "Configuration", val(s, 0, 6), true);
	fputs("<dt>Zone files</dt><dd>", f);
	json_t *zones = val(s, 0, 7) ? json_loads(val(s, 0, 7), 0, NULL) : NULL;
	if (json_array_size(zones) == 0)
		esc_or_dash(f, NULL);
	for (size_t i = 0; i < json_array_size(zones); i++) {
		if (i)
			fputs("<br/>", f);
		cell(f, "<code>", json_string_value(json_array_get(zones, i)), "</code>");
	}
	json_decref(zones);
	fputs("</dd>\n", f);
	fact(f, "Configuration SHA-256", val(s, 0, 8), true);
	fact(f, "Policy SHA-256", val(s, 0, 9), true);
	fputs("<dt>GeoIP build epoch</dt><dd>", f);
	esc_or_dash(f, val(s, 0, 10));
	if (val(s, 0, 11) && num(s, 0, 10) > 0) {
		fputs(" (", f);
		esc(f, val(s, 0, 11));
		fputs(")", f);
	}
	fputs("</dd>\n", f);
	fprintf(f,
		"<dt>Observed</dt><dd>%lld service%s, %lld path element%s, %lld distinct "
		"address%s</dd>\n",
		nsvc, nsvc == 1 ? "" : "s", num(s, 0, 18), num(s, 0, 18) == 1 ? "" : "s",
		num(s, 0, 17), num(s, 0, 17) == 1 ? "" : "es");
	if (val(s, 0, 12) && *val(s, 0, 12))
		fact(f, "Error", val(s, 0, 12), false);
	fputs("</dl>\n</section>\n", f);
}

/* Countries: an SVG bar chart of distinct addresses and a table. */
#define COUNTRY_KEY                                                                                \
	"coalesce(a.country, CASE WHEN a.scope = 'global' THEN '~anycast' ELSE '~unknown' END)"
#define COUNTRIES_SQL                                                                              \
	"SELECT " COUNTRY_KEY ", count(DISTINCT a.address)::text, count(*)::text, "                \
	"count(DISTINCT e.service)::text, "                                                        \
	"EXISTS (SELECT 1 FROM scan_findings x WHERE x.scan_id = e.scan_id AND NOT x.waived "      \
	"AND x.country = min(a.country)) "                                                         \
	"FROM scan_elements e JOIN scan_attributions a ON a.scan_id = e.scan_id AND a.address = "  \
	"e.address WHERE e.scan_id = $1 AND e.kind = 'address' GROUP BY 1, e.scan_id "             \
	"ORDER BY count(DISTINCT a.address) DESC, 1"
#define COUNTRY_SERVICES_SQL                                                                       \
	"SELECT DISTINCT " COUNTRY_KEY ", e.service FROM scan_elements e JOIN scan_attributions "  \
	"a ON a.scan_id = e.scan_id AND a.address = e.address WHERE e.scan_id = $1 AND e.kind = "  \
	"'address' ORDER BY 1, 2"
#define UNRESOLVED_SQL                                                                             \
	"SELECT status, count(*)::text FROM scan_elements WHERE scan_id = $1 AND status <> 'ok' "  \
	"GROUP BY status ORDER BY status"

static void country_label(FILE *f, const char *key)
{
	if (key && strcmp(key, "~anycast") == 0)
		fputs("anycast (no country)", f);
	else if (key && strcmp(key, "~unknown") == 0)
		fputs("unknown", f);
	else
		esc_or_dash(f, key);
}

/* "bad": in an open finding; "warn": no country known; "" otherwise. */
static const char *country_class(PGresult *c, int i)
{
	if (is_true(c, i, 4))
		return "bad";
	if (val(c, i, 0) && val(c, i, 0)[0] == '~')
		return "warn";
	return "";
}

static void countries(FILE *f, PGresult *c, PGresult *svc, PGresult *unres)
{
	int n = PQntuples(c);
	long long max = 1;
	const int row = 30, left = 170, barmax = 430, width = 1000;

	fputs("<section id=\"countries\">\n<h2>Where the data goes: countries</h2>\n", f);
	if (n == 0) {
		fputs("<p class=\"note\">No address was observed.</p>\n", f);
	} else {
		for (int i = 0; i < n; i++)
			if (num(c, i, 1) > max)
				max = num(c, i, 1);
		int h = n * row + 10;
		fputs("<figure>\n", f);
		fprintf(f,
			"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
			"aria-labelledby=\"chart-title\" viewBox=\"0 0 %d %d\" width=\"100%%\" "
			"style=\"max-width:%dpx\">\n<title id=\"chart-title\">Distinct addresses "
			"per country</title>\n",
			width, h, width);
		for (int i = 0; i < n; i++) {
			const char *cls = country_class(c, i);
			const char *fill = *cls == 'b'	 ? "#b71c1c"
					   : *cls == 'w' ? "#c77800"
							 : "#5c6b7a";
			long long a = num(c, i, 1);
			int w = (int)((double)barmax * (double)a / (double)max);
			int y = 5 + i * row;
			if (w < 3)
				w = 3;
			fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 10,
				y + 17);
			country_label(f, val(c, i, 0));
			fputs("</text>\n", f);
			fprintf(f,
				"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" rx=\"2\" "
				"fill=\"%s\"/>\n",
				left, y + 3, w, fill);
			fprintf(f,
				"<text x=\"%d\" y=\"%d\">%lld address%s \xc2\xb7 %lld element%s "
				"\xc2\xb7 %lld service%s%s</text>\n",
				left + w + 8, y + 17, a, a == 1 ? "" : "es", num(c, i, 2),
				num(c, i, 2) == 1 ? "" : "s", num(c, i, 3),
				num(c, i, 3) == 1 ? "" : "s",
				*cls == 'b' ? " \xc2\xb7 in findings" : "");
		}
		fputs("</svg>\n<figcaption>Distinct addresses on the services' data paths, by the "
		      "country they are attributed to. Red: a country in an open finding; amber: "
		      "no country could be attributed (anycast or unknown).</figcaption>\n"
		      "</figure>\n",
		      f);
		fputs("<table>\n<thead><tr><th>Country</th><th class=\"n\">Addresses</th>"
		      "<th class=\"n\">Path elements</th><th class=\"n\">Services</th>"
		      "<th>Services</th><th>In open findings</th></tr></thead>\n<tbody>\n",
		      f);
		for (int i = 0; i < n; i++) {
			const char *cls = country_class(c, i);
			fputs("<tr><td><b>", f);
			country_label(f, val(c, i, 0));
			fputs("</b></td>", f);
			cell(f, "<td class=\"n\">", val(c, i, 1), "</td>");
			cell(f, "<td class=\"n\">", val(c, i, 2), "</td>");
			cell(f, "<td class=\"n\">", val(c, i, 3), "</td>");
			fputs("<td>", f);
			int k = 0;
			for (int j = 0; j < PQntuples(svc); j++) {
				if (strcmp(PQgetvalue(svc, j, 0), PQgetvalue(c, i, 0)) != 0)
					continue;
				if (k++)
					fputs(", ", f);
				esc(f, val(svc, j, 1));
			}
			fputs("</td><td>", f);
			fputs(*cls == 'b'   ? "<span class=\"pill p-bad\">yes</span>"
			      : *cls == 'w' ? "<span class=\"pill p-warn\">no country</span>"
					    : "no",
			      f);
			fputs("</td></tr>\n", f);
		}
		fputs("</tbody>\n</table>\n", f);
	}
	if (PQntuples(unres) > 0) {
		long long total = 0;
		for (int i = 0; i < PQntuples(unres); i++)
			total += num(unres, i, 1);
		fprintf(f,
			"<p class=\"note\">%lld path element%s got no address from DNS and so "
			"%s no country (",
			total, total == 1 ? "" : "s", total == 1 ? "has" : "have");
		for (int i = 0; i < PQntuples(unres); i++) {
			if (i)
				fputs(", ", f);
			esc(f, val(unres, i, 0));
			fputs(" ", f);
			esc(f, val(unres, i, 1));
		}
		fputs("); those that a policy counts against its service are findings below.</p>\n",
		      f);
	}
	fputs("</section>\n", f);
}

/* Services and their verdicts. */
#define SERVICES_SQL                                                                               \
	"SELECT service, owner, policy, verdict, findings::text, waived::text FROM scan_services " \
	"WHERE scan_id = $1 ORDER BY service"

static void services(FILE *f, PGresult *s, bool complete)
{
	fputs("<section id=\"services\">\n<h2>Services</h2>\n<table>\n<thead><tr><th>Service</th>"
	      "<th>Owner</th><th>Policy</th><th>Verdict</th><th class=\"n\">Open findings</th>"
	      "<th class=\"n\">Waived</th></tr></thead>\n<tbody>\n",
	      f);
	for (int i = 0; i < PQntuples(s); i++) {
		const char *v = val(s, i, 3);
		bool ok = v && strcmp(v, "compliant") == 0;
		cell(f, "<tr><td><b>", val(s, i, 0), "</b></td>");
		cell(f, "<td>", val(s, i, 1), "</td>");
		cell(f, "<td>", val(s, i, 2), "</td>");
		/* A service of an incomplete scan is not shown as passing either. */
		if (!complete)
			fputs("<td><span class=\"pill p-warn\">incomplete</span></td>", f);
		else
			cell(f,
			     ok ? "<td><span class=\"pill p-ok\">"
				: "<td><span class=\"pill p-bad\">",
			     v, "</span></td>");
		cell(f, "<td class=\"n\">", val(s, i, 4), "</td>");
		cell(f, "<td class=\"n\">", val(s, i, 5), "</td></tr>\n");
	}
	if (PQntuples(s) == 0)
		fputs("<tr><td colspan=\"6\">No service was stored.</td></tr>\n", f);
	fputs("</tbody>\n</table>\n</section>\n", f);
}

/* Findings, each with its path. */
#define FINDINGS_SQL                                                                               \
	"SELECT seq::text, service, endpoint, element, element_kind, country, provider, region, "  \
	"border_group, source, policy, reason, detail, path::text, waived, waiver_reason, "        \
	"waiver_expires::text, waiver_expired, "                                                   \
	"coalesce(endpoints, jsonb_build_array(endpoint))::text FROM scan_findings "               \
	"WHERE scan_id = $1 "                                                                      \
	"ORDER BY scan_findings.seq" /* the column: the text output "seq" would sort 10 < 2 */

/* The path as a chain of hops: name -> ... -> the element that crossed. */
static void path(FILE *f, const char *text)
{
	json_error_t jerr;
	json_t *a = text ? json_loads(text, 0, &jerr) : NULL;

	if (!json_is_array(a)) {
		/* Not what persist writes: show it as it is stored. */
		cell(f, "<p class=\"mono\">", text, "</p>\n");
		json_decref(a);
		return;
	}
	fputs("<ol class=\"path\">\n", f);
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *h = json_array_get(a, i);
		const char *kind = json_string_value(json_object_get(h, "kind"));
		const char *what = json_string_value(json_object_get(h, "name"));
		const char *st = json_string_value(json_object_get(h, "status"));
		const char *zone = json_string_value(json_object_get(h, "zone"));
		if (what == NULL)
			what = json_string_value(json_object_get(h, "address"));
		bool last = i + 1 == json_array_size(a);
		fputs(last ? "<li><span class=\"hop end\">" : "<li><span class=\"hop\">", f);
		cell(f, "<span class=\"k\">", kind && strcmp(kind, "ns") == 0 ? "NS" : kind,
		     "</span>");
		cell(f, "<code>", what, "</code>");
		if (zone) {
			fputs(" <span class=\"k\">of zone</span>", f);
			cell(f, "<code>", zone, "</code>");
		}
		if (st && strcmp(st, "ok") != 0)
			cell(f, "<span class=\"st\">", st, "</span>");
		fputs("</span></li>\n", f);
	}
	fputs("</ol>\n", f);
	json_decref(a);
}

static void finding(FILE *f, PGresult *r, int i)
{
	bool waived = is_true(r, i, 14), expired = is_true(r, i, 17);

	fputs(waived ? "<article class=\"finding waived\">\n<h4>"
		     : "<article class=\"finding\">\n<h4>",
	      f);
	cell(f, waived ? "<span class=\"pill p-ok\">waived: " : "<span class=\"pill p-bad\">",
	     val(r, i, 11), "</span> ");
	cell(f, "<code>", val(r, i, 3), "</code>");
	fputs(" <span class=\"where\">", f);
	esc_or_dash(f, val(r, i, 5));
	/* provider, region, and the border group when it says more than the region */
	for (int k = 6; k <= 8; k++)
		if (val(r, i, k) && *val(r, i, k) &&
		    !(k == 8 && val(r, i, 7) && strcmp(val(r, i, 7), val(r, i, 8)) == 0)) {
			fputs(" \xc2\xb7 ", f);
			esc(f, val(r, i, k));
		}
	fputs("</span></h4>\n", f);
	cell(f, "<p class=\"why\">", val(r, i, 12), "</p>\n");
	/* Every endpoint that reaches the element (schema 008); the path is the first's. */
	json_t *eps = json_loads(val(r, i, 18) ? val(r, i, 18) : "", 0, NULL);
	if (json_array_size(eps) > 1) {
		fputs("<p class=\"meta\">endpoints ", f);
		for (size_t k = 0; k < json_array_size(eps); k++)
			cell(f, k ? ", <code>" : "<code>",
			     json_string_value(json_array_get(eps, k)), "</code>");
	} else {
		fputs("<p class=\"meta\">endpoint ", f);
		cell(f, "<code>", val(r, i, 2), "</code>");
	}
	json_decref(eps);
	cell(f, " \xc2\xb7 element ", val(r, i, 4), "");
	cell(f, " \xc2\xb7 source ", val(r, i, 9), "");
	cell(f, " \xc2\xb7 policy ", val(r, i, 10), "");
	fputs("</p>\n", f);
	if (waived || expired) {
		fputs(expired ? "<p class=\"meta\">expired waiver: " : "<p class=\"meta\">waiver: ",
		      f);
		esc_or_dash(f, val(r, i, 15));
		fputs(expired ? " (expired " : " (until ", f);
		esc_or_dash(f, val(r, i, 16));
		fputs(expired ? "; ignored)</p>\n" : ")</p>\n", f);
	}
	path(f, val(r, i, 13));
	fputs("</article>\n", f);
}

static void findings(FILE *f, PGresult *r)
{
	int open = 0;
	const char *svc = NULL;

	fputs("<section id=\"findings\">\n<h2>Findings</h2>\n", f);
	for (int i = 0; i < PQntuples(r); i++) {
		if (is_true(r, i, 14))
			continue;
		if (svc == NULL || strcmp(svc, PQgetvalue(r, i, 1)) != 0) {
			svc = PQgetvalue(r, i, 1);
			cell(f, "<h3>Service ", svc, "</h3>\n");
		}
		finding(f, r, i);
		open++;
	}
	if (open == 0)
		fputs("<p>No open finding.</p>\n", f);
	fputs("</section>\n", f);
}

static void waivers(FILE *f, PGresult *r)
{
	int n = 0;

	fputs("<section id=\"waivers\">\n<h2>Waivers</h2>\n", f);
	for (int i = 0; i < PQntuples(r); i++)
		n += is_true(r, i, 14) || is_true(r, i, 17);
	if (n == 0) {
		fputs("<p>No waiver matched any element of this scan.</p>\n</section>\n", f);
		return;
	}
	fputs("<table>\n<thead><tr><th>Service</th><th>Element</th><th>Reason</th><th>Expires</th>"
	      "<th>State</th></tr></thead>\n<tbody>\n",
	      f);
	for (int i = 0; i < PQntuples(r); i++) {
		bool waived = is_true(r, i, 14), expired = is_true(r, i, 17);
		if (!waived && !expired)
			continue;
		cell(f, "<tr><td>", val(r, i, 1), "</td>");
		cell(f, "<td><code>", val(r, i, 3), "</code></td>");
		cell(f, "<td>", val(r, i, 15), "</td>");
		cell(f, "<td>", val(r, i, 16), "</td>");
		fputs(expired ? "<td><span class=\"pill p-bad\">expired: ignored, the finding is "
				"open</span></td></tr>\n"
			      : "<td><span class=\"pill p-ok\">in force: finding waived</span></td>"
				"</tr>\n",
		      f);
	}
	fputs("</tbody>\n</table>\n", f);
	for (int i = 0; i < PQntuples(r); i++)
		if (is_true(r, i, 14)) {
			fputs("<h3>Waived findings</h3>\n", f);
			break;
		}
	for (int i = 0; i < PQntuples(r); i++)
		if (is_true(r, i, 14))
			finding(f, r, i);
	fputs("</section>\n", f);
}

/* Data sources: what the scan was judged against, and the stored snapshot of the same bytes. */
#define SOURCES_SQL                                                                                \
	"SELECT s.name, s.kind, s.origin, s.version, s.records::text, s.sha256, "                  \
	"array_to_json(s.files)::text, r.id::text, "                                               \
	"to_char(r.fetched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"') "                  \
	"FROM scan_sources s LEFT JOIN range_snapshots r ON r.provider = s.name AND r.sha256 = "   \
	"s.sha256 WHERE s.scan_id = $1 ORDER BY s.seq"

static void sources(FILE *f, PGresult *r)
{
	fputs("<section id=\"sources\">\n<h2>Data sources and versions</h2>\n", f);
	if (PQntuples(r) == 0) {
		fputs("<p class=\"note\">This scan holds no record of its data sources (it was "
		      "stored before residency recorded them).</p>\n</section>\n",
		      f);
		return;
	}
	fputs("<p class=\"note\">Every attribution of this scan was made against exactly these "
	      "bytes; the SHA-256 is that of the file (or, for several files, of their digest "
	      "records), as <code>ranges fetch --db</code> stores it.</p>\n",
	      f);
	fputs("<table>\n<thead><tr><th>Source</th><th>Kind</th><th>Version</th>"
	      "<th class=\"n\">Prefixes</th><th>Files</th><th>SHA-256</th></tr></thead>\n<tbody>\n",
	      f);
	for (int i = 0; i < PQntuples(r); i++) {
		cell(f, "<tr><td><b>", val(r, i, 0), "</b></td>");
		fputs("<td>", f);
		esc_or_dash(f, val(r, i, 1));
		fputs(", ", f);
		esc_or_dash(f, val(r, i, 2));
		if (val(r, i, 7)) {
			fputs("; stored snapshot ", f);
			esc(f, val(r, i, 7));
			fputs(" fetched ", f);
			esc_or_dash(f, val(r, i, 8));
		}
		fputs("</td>", f);
		cell(f, "<td>", val(r, i, 3), "</td>");
		if (strcmp(PQgetvalue(r, i, 1), "geoip") == 0)
			fputs("<td class=\"n\">\xe2\x80\x94</td>", f);
		else
			cell(f, "<td class=\"n\">", val(r, i, 4), "</td>");
		fputs("<td>", f);
		json_t *files = val(r, i, 6) ? json_loads(val(r, i, 6), 0, NULL) : NULL;
		for (size_t k = 0; k < json_array_size(files); k++) {
			if (k)
				fputs("<br/>", f);
			cell(f, "<code>", json_string_value(json_array_get(files, k)), "</code>");
		}
		json_decref(files);
		fputs("</td>", f);
		cell(f, "<td><code>", val(r, i, 5), "</code></td></tr>\n");
	}
	fputs("</tbody>\n</table>\n</section>\n", f);
}

enum rstatus html_report_scan(FILE *f, struct store *st, const char *scan_id, struct rerr *err)
{
	PGresult *scan = NULL, *svcs = NULL, *ctry = NULL, *csvc = NULL, *unres = NULL,
		 *finds = NULL, *srcs = NULL;
	enum rstatus rc = R_OK;

	/* One consistent view of the scan, even while it is still being written. */
	if ((rc = store_exec(st, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err)) != R_OK)
		return rc;
	if ((scan = query(st, SCAN_SQL, scan_id, err)) == NULL ||
	    (svcs = query(st, SERVICES_SQL, scan_id, err)) == NULL ||
	    (ctry = query(st, COUNTRIES_SQL, scan_id, err)) == NULL ||
	    (csvc = query(st, COUNTRY_SERVICES_SQL, scan_id, err)) == NULL ||
	    (unres = query(st, UNRESOLVED_SQL, scan_id, err)) == NULL ||
	    (finds = query(st, FINDINGS_SQL, scan_id, err)) == NULL ||
	    (srcs = query(st, SOURCES_SQL, scan_id, err)) == NULL) {
		rc = R_EDB;
		goto out;
	}
	if (PQntuples(scan) != 1) {
		rc = rerr_set(err, R_EINPUT, NULL, 0, "no scan %s in the database", scan_id);
		goto out;
	}
	const char *status = val(scan, 0, 1);
	const char *ov = overall(status, val(scan, 0, 4), num(scan, 0, 13));

	head(f, val(scan, 0, 0), ov);
	verdict_and_facts(f, scan, ov);
	countries(f, ctry, csvc, unres);
	services(f, svcs, strcmp(ov, "incomplete") != 0);
	findings(f, finds);
	waivers(f, finds);
	sources(f, srcs);
	fputs("<footer>Written by <code>residency report --format html</code> from the stored "
	      "scan alone; nothing was resolved or judged again. Exit codes and the JSON report "
	      "carry the same verdict.</footer>\n</body>\n</html>\n",
	      f);
	if (fflush(f) != 0 || ferror(f))
		rc = rerr_set(err, R_EIO, NULL, 0, "writing the HTML report failed");
out:
	PQclear(scan);
	PQclear(svcs);
	PQclear(ctry);
	PQclear(csvc);
	PQclear(unres);
	PQclear(finds);
	PQclear(srcs);
	struct rerr ignore;
	store_exec(st, "ROLLBACK", &ignore);
	return rc;
}
