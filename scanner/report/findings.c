/*
 * findings: writers for a judged estate. JSON through jansson; XML escaped
 * here; nothing from the input is written unescaped.
 */
#include "report/findings.h"
#include "report/html.h"

#include <jansson.h>
#include <string.h>

size_t findings_count(const struct findings_report *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->estate->n; i++)
		n += r->per_service[i].n - r->per_service[i].nwaived;
	return n;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *finding_json(const struct finding *f)
{
	json_t *o = json_object(), *path = json_array();

	json_object_set_new(o, "service", json_string(f->service));
	json_object_set_new(o, "endpoint", json_string(f->endpoint));
	json_t *eps = json_array();
	json_array_append_new(eps, json_string(f->endpoint));
	for (size_t i = 0; i < f->nmore; i++)
		json_array_append_new(eps, json_string(f->more_endpoints[i]));
	json_object_set_new(o, "endpoints", eps);
	json_object_set_new(o, "element", json_string(f->element));
	json_object_set_new(o, "element_kind", json_string(path_kind_name(f->kind)));
	json_object_set_new(o, "country", str_or_null(f->at.country));
	json_object_set_new(o, "provider", str_or_null(f->at.provider));
	json_object_set_new(o, "region", str_or_null(f->at.region));
	json_object_set_new(o, "border_group", str_or_null(f->at.border_group));
	json_object_set_new(
	    o, "source",
	    json_string(f->kind == PATH_ADDRESS ? attr_source_name(f->at.source) : "dns"));
	json_object_set_new(o, "scope", json_string(attr_scope_name(f->at.scope)));
	json_object_set_new(o, "prefix", str_or_null(f->at.prefix));
	json_object_set_new(o, "geoip_country", str_or_null(f->at.geoip_country));
	json_object_set_new(o, "disagreement", json_boolean(f->at.disagreement));
	if (f->kind == PATH_ADDRESS && f->at.source == ATTR_SRC_SPECIAL) {
		json_object_set_new(o, "special", json_string(f->at.special));
		json_object_set_new(o, "special_rfc", json_string(f->at.special_rfc));
	}
	if (f->kind == PATH_ADDRESS && f->at.embedded_via[0] && !f->at.addr.mapped) {
		char v4[ADDR_STRLEN];
		json_object_set_new(o, "embedded",
				    json_string(addr_format(&f->at.embedded, v4, sizeof(v4))));
		json_object_set_new(o, "embedded_via", json_string(f->at.embedded_via));
	}
	json_object_set_new(o, "policy", json_string(f->policy));
	json_object_set_new(o, "reason", json_string(finding_reason_name(f->reason)));
	json_object_set_new(o, "detail", json_string(f->detail));
	for (size_t i = 0; i < f->npath; i++) {
		const struct finding_hop *h = &f->path[i];
		json_t *hop = json_object();
		json_object_set_new(hop, "kind", json_string(path_kind_name(h->kind)));
		json_object_set_new(hop, h->kind == PATH_ADDRESS ? "address" : "name",
				    json_string(h->text));
		if (h->kind == PATH_NS)
			json_object_set_new(hop, "zone", json_string(h->zone));
		json_object_set_new(hop, "status", json_string(dns_status_name(h->status)));
		json_array_append_new(path, hop);
	}
	json_object_set_new(o, "path", path);
	if (f->waiver)
		json_object_set_new(o, "waiver",
				    json_pack("{s:s, s:s}", "reason", f->waiver->reason, "expires",
					      f->waiver->expires));
	if (f->expired)
		json_object_set_new(o, "expired_waiver",
				    json_pack("{s:s, s:s, s:s}", "reason", f->expired->reason,
					      "expires", f->expired->expires, "note",
					      "this waiver has expired and was ignored"));
	return o;
}

int findings_write_json(FILE *f, const struct findings_report *r)
{
	json_t *o = json_object(), *services = json_array(), *findings = json_array(),
	       *waived = json_array(), *zones = json_array();
	size_t total = findings_count(r);

	json_object_set_new(o, "verdict", json_string(total ? "violation" : "compliant"));
	json_object_set_new(o, "date", json_string(r->today));
	json_object_set_new(o, "estate", json_string(r->estate->file));
	if (r->rejudged_scan > 0) {
		json_object_set_new(o, "rejudged_scan", json_integer((json_int_t)r->rejudged_scan));
		json_object_set_new(o, "scan_started_at", str_or_null(r->scan_started));
	}
	for (size_t i = 0; i < r->estate->n; i++) {
		const struct service *s = &r->estate->v[i];
		const struct judgement *j = &r->per_service[i];
		size_t open = j->n - j->nwaived;
		json_array_append_new(
		    services, json_pack("{s:s, s:o, s:s, s:s, s:I, s:I}", "name", s->name, "owner",
					str_or_null(s->owner), "policy", s->policy, "verdict",
					open ? "violation" : "compliant", "findings",
					(json_int_t)open, "waived", (json_int_t)j->nwaived));
		for (size_t k = 0; k < j->n; k++)
			json_array_append_new(j->v[k].waiver ? waived : findings,
					      finding_json(&j->v[k]));
	}
	for (size_t i = 0; i < r->nzone_files; i++)
		json_array_append_new(zones, json_string(r->zone_files[i]));
	json_object_set_new(o, "services", services);
	json_object_set_new(o, "findings", findings);
	json_object_set_new(o, "waived", waived);
	char stored[96];
	snprintf(stored, sizeof(stored), "as attributed by scan %lld (report --scan %lld)",
		 r->rejudged_scan, r->rejudged_scan);
	json_object_set_new(
	    o, "sources",
	    json_pack("{s:I, s:o, s:s}", "geoip_build_epoch", (json_int_t)r->geoip_epoch,
		      "zone_files", zones, "ranges",
		      r->rejudged_scan > 0 ? stored : "bundled snapshots unless --ranges"));
	int rc = json_dumpf(o, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(o);
	return rc == 0 && !ferror(f) ? 0 : -1;
}

static void path_text(FILE *f, const struct finding *fd)
{
	for (size_t i = 0; i < fd->npath; i++) {
		const struct finding_hop *h = &fd->path[i];
		if (i)
			fputs(" -> ", f);
		switch (h->kind) {
		case PATH_NAME:
			fputs(i ? "CNAME " : "", f);
			break;
		case PATH_NS:
			fputs("NS ", f);
			break;
		case PATH_MX:
			fputs("MX ", f);
			break;
		case PATH_ADDRESS:
			break;
		}
		fputs(h->text, f);
		if (h->status != DNS_OK)
			fprintf(f, " [%s]", dns_status_name(h->status));
	}
}

int findings_write_text(FILE *f, const struct findings_report *r, bool colour)
{
	const char *red = colour ? "\033[31m" : "", *green = colour ? "\033[32m" : "",
		   *yellow = colour ? "\033[33m" : "", *off = colour ? "\033[0m" : "";
	size_t total = findings_count(r);

	if (r->rejudged_scan > 0)
		fprintf(f,
			"Re-judgement of scan %lld (%s) under the policies given: its stored paths "
			"and attributions, nothing resolved or attributed again; waivers as of "
			"%s.\n\n",
			r->rejudged_scan, r->scan_started ? r->scan_started : "?", r->today);
	fprintf(f, "%-24s %-20s %-10s %s\n", "SERVICE", "POLICY", "VERDICT", "FINDINGS");
	for (size_t i = 0; i < r->estate->n; i++) {
		const struct service *s = &r->estate->v[i];
		const struct judgement *j = &r->per_service[i];
		size_t open = j->n - j->nwaived;
		fprintf(f, "%-24s %-20s %s%-10s%s %zu%s\n", s->name, s->policy, open ? red : green,
			open ? "violation" : "compliant", off, open,
			j->nwaived ? " (+ waived, listed below)" : "");
	}
	for (int pass = 0; pass < 2; pass++) {
		bool header = false;
		for (size_t i = 0; i < r->estate->n; i++) {
			const struct judgement *j = &r->per_service[i];
			for (size_t k = 0; k < j->n; k++) {
				const struct finding *fd = &j->v[k];
				if ((fd->waiver != NULL) != (pass == 1))
					continue;
				if (!header) {
					fprintf(f, "\n%s\n",
						pass ? "Waived (not counted, never hidden):"
						     : "Findings:");
					header = true;
				}
				fprintf(f, "  %s%s%s  %s  %s  %s%s%s", pass ? yellow : red,
					finding_reason_name(fd->reason), off, fd->service,
					fd->element, fd->at.country[0] ? fd->at.country : "--",
					fd->at.provider[0] ? " " : "", fd->at.provider);
				if (fd->at.border_group[0] || fd->at.region[0])
					fprintf(f, " %s",
						fd->at.border_group[0] ? fd->at.border_group
								       : fd->at.region);
				if (fd->kind == PATH_ADDRESS)
					fprintf(f, " (source %s%s%s)",
						attr_source_name(fd->at.source),
						fd->at.disagreement ? ", GeoIP says " : "",
						fd->at.disagreement ? fd->at.geoip_country : "");
				fprintf(f, "\n    %s\n    path: ", fd->detail);
				path_text(f, fd);
				fputc('\n', f);
				if (fd->nmore) {
					fprintf(f, "    also reached from %zu more endpoint%s:",
						fd->nmore, fd->nmore == 1 ? "" : "s");
					for (size_t m = 0; m < fd->nmore; m++)
						fprintf(f, " %s", fd->more_endpoints[m]);
					fputc('\n', f);
				}
				if (fd->waiver)
					fprintf(f, "    waiver: %s (until %s)\n",
						fd->waiver->reason, fd->waiver->expires);
				if (fd->expired)
					fprintf(
					    f, "    %swaiver expired on %s and was ignored:%s %s\n",
					    yellow, fd->expired->expires, off, fd->expired->reason);
			}
		}
	}
	fprintf(f, "\n%s%s%s: %zu finding%s in %zu service%s (%zu paths judged)\n",
		total ? red : green, total ? "VIOLATION" : "COMPLIANT", off, total,
		total == 1 ? "" : "s", r->estate->n, r->estate->n == 1 ? "" : "s", r->endpoints);
	return ferror(f) ? -1 : 0;
}

/* XML text and attribute values: the HTML report's escaper (it writes only
 * characters XML 1.0 allows: controls become their visible pictures). */
static void xml(FILE *f, const char *s)
{
	html_escape(f, s);
}

int findings_write_junit(FILE *f, const struct findings_report *r)
{
	size_t failures = 0;

	for (size_t i = 0; i < r->estate->n; i++)
		failures += r->per_service[i].n > r->per_service[i].nwaived;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
	if (r->rejudged_scan > 0)
		fprintf(f, "  <testsuite name=\"residency: re-judgement of scan %lld\"",
			r->rejudged_scan);
	else
		fputs("  <testsuite name=\"residency\"", f);
	fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n", r->estate->n, failures);
	for (size_t i = 0; i < r->estate->n; i++) {
		const struct service *s = &r->estate->v[i];
		const struct judgement *j = &r->per_service[i];
		fputs("    <testcase classname=\"residency.", f);
		xml(f, s->policy);
		fputs("\" name=\"", f);
		xml(f, s->name);
		fputs("\"", f);
		if (j->n == j->nwaived) {
			fputs("/>\n", f);
			continue;
		}
		fputs(">\n", f);
		/* One failure per test case (JUnit readers expect that): the message
		 * names the first finding and its path, the body lists them all. */
		const struct finding *first = NULL;
		for (size_t k = 0; k < j->n && first == NULL; k++)
			if (!j->v[k].waiver)
				first = &j->v[k];
		char msg[4096];
		size_t used = (size_t)snprintf(
		    msg, sizeof(msg), "%zu finding%s; first: %s %s %s: ", j->n - j->nwaived,
		    j->n - j->nwaived == 1 ? "" : "s", finding_reason_name(first->reason),
		    first->element, first->at.country[0] ? first->at.country : "--");
		for (size_t h = 0; h < first->npath && used < sizeof(msg); h++)
			used += (size_t)snprintf(msg + used, sizeof(msg) - used, "%s%s",
						 h ? " -> " : "", first->path[h].text);
		fputs("      <failure type=\"", f);
		xml(f, finding_reason_name(first->reason));
		fputs("\" message=\"", f);
		xml(f, msg);
		fputs("\">", f);
		for (size_t k = 0; k < j->n; k++) {
			const struct finding *fd = &j->v[k];
			if (fd->waiver)
				continue;
			xml(f, finding_reason_name(fd->reason));
			fputs(" ", f);
			xml(f, fd->element);
			fputs(": ", f);
			xml(f, fd->detail);
			fputs("\n  path: ", f);
			for (size_t h = 0; h < fd->npath; h++) {
				if (h)
					fputs(" -> ", f);
				xml(f, fd->path[h].text);
			}
			if (fd->nmore)
				fputs("\n  also from:", f);
			for (size_t m = 0; m < fd->nmore; m++) {
				fputs(" ", f);
				xml(f, fd->more_endpoints[m]);
			}
			fputs("\n", f);
		}
		fputs("</failure>\n", f);
		fputs("    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}
