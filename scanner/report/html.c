/*
 * html: a stored scan as one HTML document (see html.h). Each section is one
 * writer over the structs it is given. Strings from the database reach the page only through
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

/* Scan: the verdict banner and the facts. */
static void verdict_and_facts(FILE *f, const struct html_scan *s, const char *ov)
{
	long long open = s->open, waived = s->waived, nsvc = s->nservices, bad = s->violating;

	fputs("<header>\n<h1>Data residency report</h1>\n<p class=\"sub\">Scan ", f);
	esc(f, s->id);
	fputs(" \xc2\xb7 started ", f);
	esc_or_dash(f, s->started);
	fputs(" \xc2\xb7 estate <code>", f);
	esc_or_dash(f, s->estate);
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
		esc_or_dash(f, s->status);
		fputs("</b>: what it holds is partial and is not a pass.", f);
		if (s->error && *s->error) {
			fputs(" Error: ", f);
			esc(f, s->error);
		}
		fputs("</span>\n", f);
	}
	fputs("</section>\n", f);

	fputs("<section id=\"scan\">\n<h2>Scan</h2>\n<dl class=\"facts\">\n", f);
	fact(f, "Scan id", s->id, false);
	fact(f, "Status", s->status, false);
	fact(f, "Started", s->started, false);
	fact(f, "Finished", s->finished, false);
	fact(f, "Stored verdict", s->verdict, false);
	fact(f, "Estate", s->estate, true);
	fact(f, "Configuration", s->config_path, true);
	fputs("<dt>Zone files</dt><dd>", f);
	json_t *zones = s->zone_files ? json_loads(s->zone_files, 0, NULL) : NULL;
	if (json_array_size(zones) == 0)
		esc_or_dash(f, NULL);
	for (size_t i = 0; i < json_array_size(zones); i++) {
		if (i)
			fputs("<br/>", f);
		cell(f, "<code>", json_string_value(json_array_get(zones, i)), "</code>");
	}
	json_decref(zones);
	fputs("</dd>\n", f);
	fact(f, "Configuration SHA-256", s->config_sha256, true);
	fact(f, "Policy SHA-256", s->policy_sha256, true);
	fputs("<dt>GeoIP build epoch</dt><dd>", f);
	esc_or_dash(f, s->geoip_epoch);
	if (s->geoip_built && s->geoip_epoch && strtoll(s->geoip_epoch, NULL, 10) > 0) {
		fputs(" (", f);
		esc(f, s->geoip_built);
		fputs(")", f);
	}
	fputs("</dd>\n", f);
	fprintf(f,
		"<dt>Observed</dt><dd>%lld service%s, %lld path element%s, %lld distinct "
		"address%s</dd>\n",
		nsvc, nsvc == 1 ? "" : "s", s->elements, s->elements == 1 ? "" : "s", s->addresses,
		s->addresses == 1 ? "" : "es");
	if (s->error && *s->error)
		fact(f, "Error", s->error, false);
	fputs("</dl>\n</section>\n", f);
}

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
static const char *country_class(const struct html_country *c)
{
	if (c->in_open_findings)
		return "bad";
	if (c->key && c->key[0] == '~')
		return "warn";
	return "";
}

static void number_cell(FILE *f, const char *open, long long n, const char *close)
{
	fputs(open, f);
	fprintf(f, "%lld", n);
	fputs(close, f);
}

/* Countries: an SVG bar chart of distinct addresses and a table. */
static void countries(FILE *f, const struct html_scan *s)
{
	size_t n = s->ncountries;
	long long max = 1;
	const int row = 30, left = 170, barmax = 430, width = 1000;

	fputs("<section id=\"countries\">\n<h2>Where the data goes: countries</h2>\n", f);
	if (n == 0) {
		fputs("<p class=\"note\">No address was observed.</p>\n", f);
	} else {
		for (size_t i = 0; i < n; i++)
			if (s->countries[i].addresses > max)
				max = s->countries[i].addresses;
		int h = (int)n * row + 10;
		fputs("<figure>\n", f);
		fprintf(f,
			"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
			"aria-labelledby=\"chart-title\" viewBox=\"0 0 %d %d\" width=\"100%%\" "
			"style=\"max-width:%dpx\">\n<title id=\"chart-title\">Distinct addresses "
			"per country</title>\n",
			width, h, width);
		for (size_t i = 0; i < n; i++) {
			const struct html_country *c = &s->countries[i];
			const char *cls = country_class(c);
			const char *fill = *cls == 'b'	 ? "#b71c1c"
					   : *cls == 'w' ? "#c77800"
							 : "#5c6b7a";
			long long a = c->addresses;
			int w = (int)((double)barmax * (double)a / (double)max);
			int y = 5 + (int)i * row;
			if (w < 3)
				w = 3;
			fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 10,
				y + 17);
			country_label(f, c->key);
			fputs("</text>\n", f);
			fprintf(f,
				"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" rx=\"2\" "
				"fill=\"%s\"/>\n",
				left, y + 3, w, fill);
			fprintf(f,
				"<text x=\"%d\" y=\"%d\">%lld address%s \xc2\xb7 %lld element%s "
				"\xc2\xb7 %lld service%s%s</text>\n",
				left + w + 8, y + 17, a, a == 1 ? "" : "es", c->elements,
				c->elements == 1 ? "" : "s", c->services,
				c->services == 1 ? "" : "s",
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
		for (size_t i = 0; i < n; i++) {
			const struct html_country *c = &s->countries[i];
			const char *cls = country_class(c);
			fputs("<tr><td><b>", f);
			country_label(f, c->key);
			fputs("</b></td>", f);
			number_cell(f, "<td class=\"n\">", c->addresses, "</td>");
			number_cell(f, "<td class=\"n\">", c->elements, "</td>");
			number_cell(f, "<td class=\"n\">", c->services, "</td>");
			fputs("<td>", f);
			int k = 0;
			for (size_t j = 0; j < s->ncountry_services; j++) {
				const struct html_country_service *cs = &s->country_services[j];
				if (strcmp(cs->key ? cs->key : "", c->key ? c->key : "") != 0)
					continue;
				if (k++)
					fputs(", ", f);
				esc(f, cs->service);
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
	if (s->nunresolved > 0) {
		long long total = 0;
		for (size_t i = 0; i < s->nunresolved; i++)
			total += s->unresolved[i].count;
		fprintf(f,
			"<p class=\"note\">%lld path element%s got no address from DNS and so "
			"%s no country (",
			total, total == 1 ? "" : "s", total == 1 ? "has" : "have");
		for (size_t i = 0; i < s->nunresolved; i++) {
			if (i)
				fputs(", ", f);
			esc(f, s->unresolved[i].status);
			fprintf(f, " %lld", s->unresolved[i].count);
		}
		fputs("); those that a policy counts against its service are findings below.</p>\n",
		      f);
	}
	fputs("</section>\n", f);
}

/* Services and their verdicts. */
struct services_pass {
	FILE *f;
	bool complete;
	size_t n;
};

static enum rstatus service_row(void *ctx, const struct stored_service *s, struct rerr *err)
{
	struct services_pass *p = ctx;
	FILE *f = p->f;
	bool ok = s->verdict && strcmp(s->verdict, "compliant") == 0;

	(void)err;
	p->n++;
	cell(f, "<tr><td><b>", s->name, "</b></td>");
	cell(f, "<td>", s->owner, "</td>");
	cell(f, "<td>", s->policy, "</td>");
	/* A service of an incomplete scan is not shown as passing either. */
	if (!p->complete)
		fputs("<td><span class=\"pill p-warn\">incomplete</span></td>", f);
	else
		cell(f, ok ? "<td><span class=\"pill p-ok\">" : "<td><span class=\"pill p-bad\">",
		     s->verdict, "</span></td>");
	number_cell(f, "<td class=\"n\">", s->findings, "</td>");
	number_cell(f, "<td class=\"n\">", s->waived, "</td></tr>\n");
	return R_OK;
}

static enum rstatus services(FILE *f, const struct stored_source *src, bool complete,
			     struct rerr *err)
{
	struct services_pass p = {f, complete, 0};
	enum rstatus rc;

	fputs("<section id=\"services\">\n<h2>Services</h2>\n<table>\n<thead><tr><th>Service</th>"
	      "<th>Owner</th><th>Policy</th><th>Verdict</th><th class=\"n\">Open findings</th>"
	      "<th class=\"n\">Waived</th></tr></thead>\n<tbody>\n",
	      f);
	if ((rc = src->services(src->src, service_row, &p, err)) != R_OK)
		return rc;
	if (p.n == 0)
		fputs("<tr><td colspan=\"6\">No service was stored.</td></tr>\n", f);
	fputs("</tbody>\n</table>\n</section>\n", f);
	return R_OK;
}

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

static void finding(FILE *f, const struct stored_finding *x)
{
	bool waived = x->waived, expired = x->waiver_expired;

	fputs(waived ? "<article class=\"finding waived\">\n<h4>"
		     : "<article class=\"finding\">\n<h4>",
	      f);
	cell(f, waived ? "<span class=\"pill p-ok\">waived: " : "<span class=\"pill p-bad\">",
	     x->reason, "</span> ");
	cell(f, "<code>", x->element, "</code>");
	fputs(" <span class=\"where\">", f);
	esc_or_dash(f, x->country);
	/* provider, region, and the border group when it says more than the region */
	const char *more[3] = {x->provider, x->region, x->border_group};
	for (int k = 0; k < 3; k++)
		if (more[k] && *more[k] &&
		    !(k == 2 && x->region && strcmp(x->region, x->border_group) == 0)) {
			fputs(" \xc2\xb7 ", f);
			esc(f, more[k]);
		}
	fputs("</span></h4>\n", f);
	cell(f, "<p class=\"why\">", x->detail, "</p>\n");
	/* Every endpoint that reaches the element (schema 008); the path is the first's. */
	json_t *eps = json_loads(x->endpoints ? x->endpoints : "", 0, NULL);
	if (json_array_size(eps) > 1) {
		fputs("<p class=\"meta\">endpoints ", f);
		for (size_t k = 0; k < json_array_size(eps); k++)
			cell(f, k ? ", <code>" : "<code>",
			     json_string_value(json_array_get(eps, k)), "</code>");
	} else {
		fputs("<p class=\"meta\">endpoint ", f);
		cell(f, "<code>", x->endpoint, "</code>");
	}
	json_decref(eps);
	cell(f, " \xc2\xb7 element ", x->element_kind, "");
	cell(f, " \xc2\xb7 source ", x->source, "");
	cell(f, " \xc2\xb7 policy ", x->policy, "");
	fputs("</p>\n", f);
	if (waived || expired) {
		fputs(expired ? "<p class=\"meta\">expired waiver: " : "<p class=\"meta\">waiver: ",
		      f);
		esc_or_dash(f, x->waiver_reason);
		fputs(expired ? " (expired " : " (until ", f);
		esc_or_dash(f, x->waiver_expires);
		fputs(expired ? "; ignored)</p>\n" : ")</p>\n", f);
	}
	path(f, x->path);
	fputs("</article>\n", f);
}

/* Open findings, under a heading per service. */
struct findings_pass {
	FILE *f;
	char *service; /* of the last heading */
	size_t n;
};

static enum rstatus open_finding(void *ctx, const struct stored_finding *x, struct rerr *err)
{
	struct findings_pass *p = ctx;
	const char *svc = x->service ? x->service : "";

	if (p->n++ == 0 || strcmp(p->service, svc) != 0) {
		free(p->service);
		if ((p->service = strdup(svc)) == NULL)
			return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
		cell(p->f, "<h3>Service ", svc, "</h3>\n");
	}
	finding(p->f, x);
	return R_OK;
}

static enum rstatus findings(FILE *f, const struct stored_source *src, struct rerr *err)
{
	struct findings_pass p = {f, NULL, 0};
	enum rstatus rc;

	fputs("<section id=\"findings\">\n<h2>Findings</h2>\n", f);
	rc = src->findings(src->src, STORED_OPEN, open_finding, &p, err);
	free(p.service);
	if (rc != R_OK)
		return rc;
	if (p.n == 0)
		fputs("<p>No open finding.</p>\n", f);
	fputs("</section>\n", f);
	return R_OK;
}

/* The waivers table: every finding a waiver matched, in force or expired. */
static enum rstatus waiver_row(void *ctx, const struct stored_finding *x, struct rerr *err)
{
	struct findings_pass *p = ctx;
	FILE *f = p->f;

	(void)err;
	if (p->n++ == 0)
		fputs("<table>\n<thead><tr><th>Service</th><th>Element</th><th>Reason</th>"
		      "<th>Expires</th><th>State</th></tr></thead>\n<tbody>\n",
		      f);
	cell(f, "<tr><td>", x->service, "</td>");
	cell(f, "<td><code>", x->element, "</code></td>");
	cell(f, "<td>", x->waiver_reason, "</td>");
	cell(f, "<td>", x->waiver_expires, "</td>");
	fputs(x->waiver_expired
		  ? "<td><span class=\"pill p-bad\">expired: ignored, the finding "
		    "is open</span></td></tr>\n"
		  : "<td><span class=\"pill p-ok\">in force: finding waived</span></td>"
		    "</tr>\n",
	      f);
	return R_OK;
}

static enum rstatus waived_finding(void *ctx, const struct stored_finding *x, struct rerr *err)
{
	struct findings_pass *p = ctx;

	(void)err;
	if (p->n++ == 0)
		fputs("<h3>Waived findings</h3>\n", p->f);
	finding(p->f, x);
	return R_OK;
}

static enum rstatus waivers(FILE *f, const struct stored_source *src, struct rerr *err)
{
	struct findings_pass p = {f, NULL, 0};
	enum rstatus rc;

	fputs("<section id=\"waivers\">\n<h2>Waivers</h2>\n", f);
	if ((rc = src->findings(src->src, STORED_WAIVERS, waiver_row, &p, err)) != R_OK)
		return rc;
	if (p.n == 0) {
		fputs("<p>No waiver matched any element of this scan.</p>\n</section>\n", f);
		return R_OK;
	}
	fputs("</tbody>\n</table>\n", f);
	p.n = 0;
	if ((rc = src->findings(src->src, STORED_WAIVED, waived_finding, &p, err)) != R_OK)
		return rc;
	fputs("</section>\n", f);
	return R_OK;
}

/* Data sources: what the scan was judged against, and the stored snapshot of the same bytes. */
static void sources(FILE *f, const struct html_scan *s)
{
	fputs("<section id=\"sources\">\n<h2>Data sources and versions</h2>\n", f);
	if (s->nsources == 0) {
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
	for (size_t i = 0; i < s->nsources; i++) {
		const struct html_source *r = &s->sources[i];
		cell(f, "<tr><td><b>", r->name, "</b></td>");
		fputs("<td>", f);
		esc_or_dash(f, r->kind);
		fputs(", ", f);
		esc_or_dash(f, r->origin);
		if (r->snapshot_id) {
			fputs("; stored snapshot ", f);
			esc(f, r->snapshot_id);
			fputs(" fetched ", f);
			esc_or_dash(f, r->snapshot_fetched);
		}
		fputs("</td>", f);
		cell(f, "<td>", r->version, "</td>");
		if (r->kind && strcmp(r->kind, "geoip") == 0)
			fputs("<td class=\"n\">\xe2\x80\x94</td>", f);
		else
			cell(f, "<td class=\"n\">", r->records, "</td>");
		fputs("<td>", f);
		json_t *files = r->files ? json_loads(r->files, 0, NULL) : NULL;
		for (size_t k = 0; k < json_array_size(files); k++) {
			if (k)
				fputs("<br/>", f);
			cell(f, "<code>", json_string_value(json_array_get(files, k)), "</code>");
		}
		json_decref(files);
		fputs("</td>", f);
		cell(f, "<td><code>", r->sha256, "</code></td></tr>\n");
	}
	fputs("</tbody>\n</table>\n</section>\n", f);
}

enum rstatus html_write(FILE *f, const struct html_scan *s, const struct stored_source *src,
			struct rerr *err)
{
	enum rstatus rc;
	const char *ov = overall(s->status, s->verdict, s->open);

	head(f, s->id, ov);
	verdict_and_facts(f, s, ov);
	countries(f, s);
	if ((rc = services(f, src, strcmp(ov, "incomplete") != 0, err)) != R_OK ||
	    (rc = findings(f, src, err)) != R_OK || (rc = waivers(f, src, err)) != R_OK)
		return rc;
	sources(f, s);
	fputs("<footer>Written by <code>residency report --format html</code> from the stored "
	      "scan alone; nothing was resolved or judged again. Exit codes and the JSON report "
	      "carry the same verdict.</footer>\n</body>\n</html>\n",
	      f);
	if (fflush(f) != 0 || ferror(f))
		return rerr_set(err, R_EIO, NULL, 0, "writing the HTML report failed");
	return R_OK;
}
