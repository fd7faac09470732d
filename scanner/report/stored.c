/*
 * stored: text, JSON and CSV reports of a stored scan from plain structs. See
 * stored.h. The JSON is written a finding at a time, byte for byte as jansson
 * writes the whole document with JSON_INDENT(2) | JSON_PRESERVE_ORDER.
 */
#include "report/stored.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)

/* What the report showed for NULL where it read libpq's text of it. */
static const char *text(const char *s)
{
	return s ? s : "";
}

void stored_csv_field(FILE *f, const char *s, bool last)
{
	if (s == NULL)
		s = "";
	if (strpbrk(s, ",\"\n\r")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

struct pass {
	FILE *f;
	size_t open;
	size_t n; /* elements written in the current JSON array */
};

/* ---- text ---- */

static enum rstatus text_service(void *ctx, const struct stored_service *s, struct rerr *err)
{
	struct pass *p = ctx;
	(void)err;
	fprintf(p->f, "%-24s %-20s %-10s %lld", s->name, s->policy, s->verdict, s->findings);
	if (s->waived)
		fprintf(p->f, " + waived %lld", s->waived);
	fputc('\n', p->f);
	return R_OK;
}

static enum rstatus text_finding(void *ctx, const struct stored_finding *x, struct rerr *err)
{
	struct pass *p = ctx;
	(void)err;
	p->open += !x->waived;
	fprintf(p->f, "  %s%s  %s  %s  %s %s %s\n    %s\n", x->waived ? "waived " : "", x->reason,
		x->service, x->element, x->country ? x->country : "--",
		x->provider ? x->provider : "",
		x->border_group ? x->border_group : (x->region ? x->region : ""), x->detail);
	json_t *eps = json_loads(text(x->endpoints), 0, NULL);
	if (json_array_size(eps) > 1) {
		fprintf(p->f, "    reached from %zu endpoints:", json_array_size(eps));
		for (size_t k = 0; k < json_array_size(eps); k++)
			fprintf(p->f, " %s", json_string_value(json_array_get(eps, k)));
		fputc('\n', p->f);
	}
	json_decref(eps);
	return R_OK;
}

static enum rstatus write_text(FILE *f, const struct stored_scan *s,
			       const struct stored_source *src, struct pass *p, struct rerr *err)
{
	enum rstatus rc;

	fprintf(f, "scan %lld (%s, started %s): %s\n", s->id, text(s->status), text(s->started_at),
		s->verdict ? s->verdict : "no verdict");
	if (*text(s->error))
		fprintf(f, "  error: %s\n", s->error);
	fprintf(f, "%-24s %-20s %-10s %s\n", "SERVICE", "POLICY", "VERDICT", "FINDINGS");
	if ((rc = src->services(src->src, text_service, p, err)) != R_OK)
		return rc;
	return src->findings(src->src, STORED_ALL, text_finding, p, err);
}

/* ---- CSV ---- */

static enum rstatus csv_finding(void *ctx, const struct stored_finding *x, struct rerr *err)
{
	struct pass *p = ctx;
	const char *v[14] = {
	    x->service, x->endpoint,	      x->element, x->element_kind, x->country, x->provider,
	    x->region,	x->border_group,      x->source,  x->policy,	   x->reason,  x->detail,
	    x->path,	x->waived ? "t" : "f"};
	(void)err;
	p->open += !x->waived;
	for (size_t k = 0; k < 14; k++)
		stored_csv_field(p->f, v[k], false);
	stored_csv_field(p->f, x->endpoints, true);
	return R_OK;
}

/* ---- JSON ---- */

/* One element of an array two levels down: dumped alone, then indented by 4. */
static enum rstatus json_element(struct pass *p, json_t *v, struct rerr *err)
{
	char *s = json_dumps(v, JSON_FLAGS);
	if (s == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory writing the JSON report");
	fputs(p->n++ ? ",\n    " : "\n    ", p->f);
	for (const char *c = s; *c; c++) {
		fputc(*c, p->f);
		if (*c == '\n')
			fputs("    ", p->f);
	}
	free(s);
	return R_OK;
}

static void json_array_open(struct pass *p, const char *key)
{
	fprintf(p->f, ",\n  \"%s\": [", key);
	p->n = 0;
}

static void json_array_close(struct pass *p)
{
	fputs(p->n ? "\n  ]" : "]", p->f);
}

static enum rstatus json_service(void *ctx, const struct stored_service *s, struct rerr *err)
{
	json_t *o = json_pack("{s:s, s:s?, s:s, s:s, s:I, s:I}", "name", s->name, "owner", s->owner,
			      "policy", s->policy, "verdict", s->verdict, "findings",
			      (json_int_t)s->findings, "waived", (json_int_t)s->waived);
	/* A service json_pack refuses (a NULL name, policy or verdict) was left out. */
	if (o == NULL)
		return R_OK;
	enum rstatus rc = json_element(ctx, o, err);
	json_decref(o);
	return rc;
}

static enum rstatus json_finding(void *ctx, const struct stored_finding *x, struct rerr *err)
{
	struct pass *p = ctx;
	const char *names[] = {"service", "endpoint", "element", "element_kind",
			       "country", "provider", "region",	 "border_group",
			       "source",  "policy",   "reason",	 "detail"};
	const char *vals[] = {x->service, x->endpoint, x->element, x->element_kind,
			      x->country, x->provider, x->region,  x->border_group,
			      x->source,  x->policy,   x->reason,  x->detail};
	json_t *f = json_object();

	p->open += !x->waived;
	for (int k = 0; k < 12; k++)
		json_object_set_new(f, names[k], vals[k] ? json_string(vals[k]) : json_null());
	json_object_set_new(f, "endpoints", json_loads(text(x->endpoints), 0, NULL));
	json_object_set_new(f, "scope", json_string(text(x->scope)));
	json_object_set_new(f, "prefix", x->prefix ? json_string(x->prefix) : json_null());
	json_object_set_new(f, "geoip_country",
			    x->geoip_country ? json_string(x->geoip_country) : json_null());
	json_object_set_new(f, "disagreement", json_boolean(x->disagreement));
	/* persist keeps a special-purpose address's registry name in region
	 * (docs/SCHEMA.md): said as check says it */
	if (x->source && strcmp(x->source, "special") == 0) {
		json_object_set(f, "special", json_object_get(f, "region"));
		json_object_set_new(f, "region", json_null());
		/* and its RFC in the attribution's services */
		if (x->services)
			json_object_set_new(f, "special_rfc", json_string(x->services));
	}
	json_object_set_new(f, "path", json_loads(text(x->path), 0, NULL));
	/* As `check` prints them: a waiver that applied, or one that matched but
	 * had expired and was ignored. */
	if (x->waiver_reason && !x->waiver_expired)
		json_object_set_new(f, "waiver",
				    json_pack("{s:s, s:s?}", "reason", x->waiver_reason, "expires",
					      x->waiver_expires));
	else if (x->waiver_expired)
		json_object_set_new(f, "expired_waiver",
				    json_pack("{s:s?, s:s?, s:s}", "reason", x->waiver_reason,
					      "expires", x->waiver_expires, "note",
					      "this waiver has expired and was ignored"));
	enum rstatus rc = json_element(p, f, err);
	json_decref(f);
	return rc;
}

static enum rstatus write_json(FILE *f, const struct stored_scan *s,
			       const struct stored_source *src, struct pass *p, struct rerr *err)
{
	enum rstatus rc;
	json_t *o = json_object();

	json_object_set_new(o, "scan", json_integer(s->id));
	json_object_set_new(o, "status", json_string(text(s->status)));
	json_object_set_new(o, "started_at", json_string(text(s->started_at)));
	json_object_set_new(o, "verdict", s->verdict ? json_string(s->verdict) : json_null());
	json_object_set_new(o, "estate", json_string(text(s->estate)));
	json_object_set_new(o, "config_sha256", json_string(text(s->config_sha256)));
	json_object_set_new(o, "policy_sha256", json_string(text(s->policy_sha256)));
	char *head = json_dumps(o, JSON_FLAGS);
	json_decref(o);
	size_t len = head ? strlen(head) : 0;
	if (len < 2 || strcmp(head + len - 2, "\n}") != 0) {
		free(head);
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory writing the JSON report");
	}
	/* The scan's fields, the object left open for the arrays. */
	fwrite(head, 1, len - 2, f);
	free(head);
	json_array_open(p, "services");
	if ((rc = src->services(src->src, json_service, p, err)) != R_OK)
		return rc;
	json_array_close(p);
	json_array_open(p, "findings");
	if ((rc = src->findings(src->src, STORED_OPEN, json_finding, p, err)) != R_OK)
		return rc;
	json_array_close(p);
	json_array_open(p, "waived");
	if ((rc = src->findings(src->src, STORED_WAIVED, json_finding, p, err)) != R_OK)
		return rc;
	json_array_close(p);
	fputs("\n}\n", f);
	return R_OK;
}

enum rstatus stored_write(FILE *f, enum stored_format fmt, const struct stored_scan *scan,
			  const struct stored_source *src, size_t *open, struct rerr *err)
{
	struct pass p = {f, 0, 0};
	enum rstatus rc;

	switch (fmt) {
	case STORED_JSON:
		rc = write_json(f, scan, src, &p, err);
		break;
	case STORED_CSV:
		fputs("service,endpoint,element,element_kind,country,provider,region,border_group,"
		      "source,policy,reason,detail,path,waived,endpoints\n",
		      f);
		rc = src->findings(src->src, STORED_ALL, csv_finding, &p, err);
		break;
	default:
		rc = write_text(f, scan, src, &p, err);
	}
	*open = p.open;
	if (rc == R_OK && ferror(f))
		rc = rerr_set(err, R_EIO, NULL, 0, "writing the report failed");
	return rc;
}
