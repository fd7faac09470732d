/*
 * report_read: the SQL of `residency report` (see report_read.h). Each
 * stream is one statement in single-row mode; the structs it fills point into
 * the current row, valid during the callback only.
 */
#include "store/report_read.h"
#include "store/internal.h"

#include <stdlib.h>
#include <string.h>

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

/* Runs one statement with the scan id as $1; NULL (err filled) on failure. */
static PGresult *query(struct store *st, const char *sql, long long id, const char *what,
		       struct rerr *err)
{
	char idtext[32];
	const char *p[1] = {idtext};
	snprintf(idtext, sizeof(idtext), "%lld", id);
	PGresult *res = PQexecParams(store_pg(st), sql, 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		store_error(st, err, what);
		return NULL;
	}
	return res;
}

typedef enum rstatus (*row_fn)(void *ctx, PGresult *r, struct rerr *err);

/* Runs one statement with the scan id as $1, calling fn for each row as it comes. */
static enum rstatus stream(struct store *st, const char *sql, long long id, row_fn fn, void *ctx,
			   struct rerr *err)
{
	PGconn *c = store_pg(st);
	char idtext[32];
	const char *p[1] = {idtext};
	enum rstatus rc = R_OK;
	PGresult *r;

	snprintf(idtext, sizeof(idtext), "%lld", id);
	if (!PQsendQueryParams(c, sql, 1, NULL, p, NULL, NULL, 0) || !PQsetSingleRowMode(c))
		return store_error(st, err, "reading the scan for the report");
	/* Every result is taken, also after a failure, so the connection stays usable. */
	while ((r = PQgetResult(c)) != NULL) {
		ExecStatusType s = PQresultStatus(r);
		if (s == PGRES_SINGLE_TUPLE && rc == R_OK)
			rc = fn(ctx, r, err);
		else if (s != PGRES_TUPLES_OK && s != PGRES_SINGLE_TUPLE && rc == R_OK)
			rc = store_error(st, err, "reading the scan for the report");
		PQclear(r);
	}
	return rc;
}

enum rstatus store_report_begin(struct store *st, struct rerr *err)
{
	return store_exec(st, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err);
}

void store_report_end(struct store *st)
{
	PQclear(PQexec(store_pg(st), "ROLLBACK"));
}

/* ---- the scan row ---- */

struct scan_row {
	struct stored_scan s; /* first: the pointer handed out */
	PGresult *r;
};

enum rstatus store_report_scan(struct store *st, long long id, struct stored_scan **out,
			       struct rerr *err)
{
	struct scan_row *x;
	PGresult *r = query(st,
			    "SELECT id, status, to_char(started_at AT TIME ZONE 'UTC', "
			    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), verdict, estate, config_sha256, "
			    "policy_sha256, error FROM scans WHERE id = $1",
			    id, "reading the scan", err);

	*out = NULL;
	if (r == NULL)
		return R_EDB;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return rerr_set(err, R_EINPUT, NULL, 0, "no scan %lld in the database", id);
	}
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		PQclear(r);
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	}
	x->r = r;
	x->s.id = id;
	x->s.status = val(r, 0, 1);
	x->s.started_at = val(r, 0, 2);
	x->s.verdict = val(r, 0, 3);
	x->s.estate = val(r, 0, 4);
	x->s.config_sha256 = val(r, 0, 5);
	x->s.policy_sha256 = val(r, 0, 6);
	x->s.error = val(r, 0, 7);
	*out = &x->s;
	return R_OK;
}

void store_report_scan_free(struct stored_scan *s)
{
	struct scan_row *x = (struct scan_row *)s;
	if (x == NULL)
		return;
	PQclear(x->r);
	free(x);
}

/* ---- the HTML report's view ---- */

/* Path elements: the scan's own count, made when it completed (schema 012
 * parts included); a scan without one has them counted. */
#define HTML_SCAN_SQL                                                                              \
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
	"coalesce(s.counts->>'elements', (SELECT count(*) FROM scan_path_elements WHERE "          \
	"scan_id = s.id)::text) "                                                                  \
	"FROM scans s WHERE id = $1"

/* Countries: distinct addresses, elements and services, and whether an open
 * finding names the country. */
#define COUNTRY_KEY                                                                                \
	"coalesce(a.country, CASE WHEN a.scope = 'global' THEN '~anycast' ELSE '~unknown' END)"
/* Address elements of the scan's paths with how many times each stands:
 * a path's own once each, a part's as many times as the (part, service)
 * rows that refer to it (schema 012), without spelling every path out. */
#define ADDRESS_ELEMENTS_SQL                                                                       \
	"WITH x AS (SELECT address, service, 1::bigint AS n FROM scan_elements WHERE scan_id = "   \
	"$1 "                                                                                      \
	"AND part IS NULL AND kind = 'address' UNION ALL SELECT p.address, r.service, r.c FROM "   \
	"(SELECT part, service, count(*) AS c FROM scan_elements WHERE scan_id = $1 AND part IS "  \
	"NOT NULL GROUP BY part, service) r JOIN scan_parts p ON p.scan_id = $1 AND p.part = "     \
	"r.part AND p.kind = 'address') "
#define COUNTRIES_SQL                                                                              \
	ADDRESS_ELEMENTS_SQL                                                                       \
	"SELECT " COUNTRY_KEY ", count(DISTINCT a.address)::text, sum(x.n)::text, "                \
	"count(DISTINCT x.service)::text, "                                                        \
	"EXISTS (SELECT 1 FROM scan_findings f WHERE f.scan_id = $1 AND NOT f.waived "             \
	"AND f.country = min(a.country)) "                                                         \
	"FROM x JOIN scan_attributions a ON a.scan_id = $1 AND a.address = x.address "             \
	"GROUP BY 1 ORDER BY count(DISTINCT a.address) DESC, 1"
#define COUNTRY_SERVICES_SQL                                                                       \
	"SELECT DISTINCT " COUNTRY_KEY ", e.service FROM scan_service_addresses e JOIN "           \
	"scan_attributions a ON a.scan_id = e.scan_id AND a.address = e.address "                  \
	"WHERE e.scan_id = $1 ORDER BY 1, 2"
#define UNRESOLVED_SQL                                                                             \
	"SELECT status, count(*)::text FROM scan_path_elements "                                   \
	"WHERE scan_id = $1 AND status <> 'ok' GROUP BY status ORDER BY status"
/* Data sources, and the stored snapshot of the same bytes. */
#define SOURCES_SQL                                                                                \
	"SELECT s.name, s.kind, s.origin, s.version, s.records::text, s.sha256, "                  \
	"array_to_json(s.files)::text, r.id::text, "                                               \
	"to_char(r.fetched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"') "                  \
	"FROM scan_sources s LEFT JOIN range_snapshots r ON r.provider = s.name AND r.sha256 = "   \
	"s.sha256 WHERE s.scan_id = $1 ORDER BY s.seq"

struct html_view {
	struct html_scan s; /* first: the pointer handed out */
	PGresult *scan, *ctry, *csvc, *unres, *srcs;
	struct html_country *countries;
	struct html_country_service *country_services;
	struct html_unresolved *unresolved;
	struct html_source *sources;
};

void store_report_html_free(struct html_scan *s)
{
	struct html_view *v = (struct html_view *)s;
	if (v == NULL)
		return;
	PQclear(v->scan);
	PQclear(v->ctry);
	PQclear(v->csvc);
	PQclear(v->unres);
	PQclear(v->srcs);
	free(v->countries);
	free(v->country_services);
	free(v->unresolved);
	free(v->sources);
	free(v);
}

/* calloc of n (at least one) elements. */
static void *array(int n, size_t size)
{
	return calloc(n > 0 ? (size_t)n : 1, size);
}

enum rstatus store_report_html(struct store *st, long long id, struct html_scan **out,
			       struct rerr *err)
{
	const char *what = "reading the scan for the HTML report";
	struct html_view *v = calloc(1, sizeof(*v));
	enum rstatus rc = R_OK;

	*out = NULL;
	if (v == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	if ((v->scan = query(st, HTML_SCAN_SQL, id, what, err)) == NULL ||
	    (v->ctry = query(st, COUNTRIES_SQL, id, what, err)) == NULL ||
	    (v->csvc = query(st, COUNTRY_SERVICES_SQL, id, what, err)) == NULL ||
	    (v->unres = query(st, UNRESOLVED_SQL, id, what, err)) == NULL ||
	    (v->srcs = query(st, SOURCES_SQL, id, what, err)) == NULL) {
		rc = R_EDB;
		goto out;
	}
	if (PQntuples(v->scan) != 1) {
		rc = rerr_set(err, R_EINPUT, NULL, 0, "no scan %lld in the database", id);
		goto out;
	}
	PGresult *r = v->scan;
	struct html_scan *s = &v->s;
	s->id = val(r, 0, 0);
	s->status = val(r, 0, 1);
	s->started = val(r, 0, 2);
	s->finished = val(r, 0, 3);
	s->verdict = val(r, 0, 4);
	s->estate = val(r, 0, 5);
	s->config_path = val(r, 0, 6);
	s->zone_files = val(r, 0, 7);
	s->config_sha256 = val(r, 0, 8);
	s->policy_sha256 = val(r, 0, 9);
	s->geoip_epoch = val(r, 0, 10);
	s->geoip_built = val(r, 0, 11);
	s->error = val(r, 0, 12);
	s->open = num(r, 0, 13);
	s->waived = num(r, 0, 14);
	s->nservices = num(r, 0, 15);
	s->violating = num(r, 0, 16);
	s->addresses = num(r, 0, 17);
	s->elements = num(r, 0, 18);

	int nc = PQntuples(v->ctry), ncs = PQntuples(v->csvc), nu = PQntuples(v->unres),
	    ns = PQntuples(v->srcs);
	if ((v->countries = array(nc, sizeof(*v->countries))) == NULL ||
	    (v->country_services = array(ncs, sizeof(*v->country_services))) == NULL ||
	    (v->unresolved = array(nu, sizeof(*v->unresolved))) == NULL ||
	    (v->sources = array(ns, sizeof(*v->sources))) == NULL) {
		rc = rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
		goto out;
	}
	for (int i = 0; i < nc; i++)
		v->countries[i] = (struct html_country){val(v->ctry, i, 0), num(v->ctry, i, 1),
							num(v->ctry, i, 2), num(v->ctry, i, 3),
							is_true(v->ctry, i, 4)};
	for (int i = 0; i < ncs; i++)
		v->country_services[i] =
		    (struct html_country_service){val(v->csvc, i, 0), val(v->csvc, i, 1)};
	for (int i = 0; i < nu; i++)
		v->unresolved[i] =
		    (struct html_unresolved){val(v->unres, i, 0), num(v->unres, i, 1)};
	for (int i = 0; i < ns; i++)
		v->sources[i] = (struct html_source){
		    val(v->srcs, i, 0), val(v->srcs, i, 1), val(v->srcs, i, 2),
		    val(v->srcs, i, 3), val(v->srcs, i, 4), val(v->srcs, i, 5),
		    val(v->srcs, i, 6), val(v->srcs, i, 7), val(v->srcs, i, 8)};
	s->countries = v->countries;
	s->ncountries = (size_t)nc;
	s->country_services = v->country_services;
	s->ncountry_services = (size_t)ncs;
	s->unresolved = v->unresolved;
	s->nunresolved = (size_t)nu;
	s->sources = v->sources;
	s->nsources = (size_t)ns;
out:
	if (rc != R_OK) {
		store_report_html_free(&v->s);
		return rc;
	}
	*out = &v->s;
	return R_OK;
}

/* ---- services and findings, streamed ---- */

struct service_pass {
	stored_service_fn fn;
	void *ctx;
};

static enum rstatus service_row(void *ctx, PGresult *r, struct rerr *err)
{
	struct service_pass *p = ctx;
	struct stored_service s = {val(r, 0, 0), val(r, 0, 1), val(r, 0, 2),
				   val(r, 0, 3), num(r, 0, 4), num(r, 0, 5)};
	return p->fn(p->ctx, &s, err);
}

static enum rstatus services(void *src, stored_service_fn fn, void *ctx, struct rerr *err)
{
	struct store_report_source *x = src;
	struct service_pass p = {fn, ctx};
	return stream(x->st,
		      "SELECT service, owner, policy, verdict, findings, waived FROM scan_services "
		      "WHERE scan_id = $1 ORDER BY service",
		      x->id, service_row, &p, err);
}

/* A finding as `check --format json` writes it: its endpoints (schema 008;
 * [endpoint] before) and, for an address, what its attribution said. */
#define FINDING_COLS                                                                               \
	"f.service, f.endpoint, f.element, f.element_kind, f.country, f.provider, f.region, "      \
	"f.border_group, f.source, f.policy, f.reason, f.detail, f.path::text, f.waived, "         \
	"f.waiver_reason, f.waiver_expires::text, f.waiver_expired, "                              \
	"coalesce(f.endpoints, jsonb_build_array(f.endpoint))::text, coalesce(a.scope, 'none'), "  \
	"a.prefix::text, a.geoip_country, coalesce(a.disagreement, false), a.services"
#define FINDING_FROM                                                                               \
	" FROM scan_findings f LEFT JOIN scan_attributions a ON a.scan_id = f.scan_id AND "        \
	"f.element_kind = 'address' AND a.address = (CASE WHEN f.element_kind = 'address' "        \
	"THEN f.element END)::inet WHERE f.scan_id = $1"
#define FINDING_ORDER " ORDER BY f.seq"

struct finding_pass {
	stored_finding_fn fn;
	void *ctx;
};

static enum rstatus finding_row(void *ctx, PGresult *r, struct rerr *err)
{
	struct finding_pass *p = ctx;
	struct stored_finding f = {
	    .service = val(r, 0, 0),
	    .endpoint = val(r, 0, 1),
	    .element = val(r, 0, 2),
	    .element_kind = val(r, 0, 3),
	    .country = val(r, 0, 4),
	    .provider = val(r, 0, 5),
	    .region = val(r, 0, 6),
	    .border_group = val(r, 0, 7),
	    .source = val(r, 0, 8),
	    .policy = val(r, 0, 9),
	    .reason = val(r, 0, 10),
	    .detail = val(r, 0, 11),
	    .path = val(r, 0, 12),
	    .waived = is_true(r, 0, 13),
	    .waiver_reason = val(r, 0, 14),
	    .waiver_expires = val(r, 0, 15),
	    .waiver_expired = is_true(r, 0, 16),
	    .endpoints = val(r, 0, 17),
	    .scope = val(r, 0, 18),
	    .prefix = val(r, 0, 19),
	    .geoip_country = val(r, 0, 20),
	    .disagreement = is_true(r, 0, 21),
	    .services = val(r, 0, 22),
	};
	return p->fn(p->ctx, &f, err);
}

static enum rstatus findings(void *src, enum stored_which which, stored_finding_fn fn, void *ctx,
			     struct rerr *err)
{
	static const char *const sql[] = {
	    [STORED_ALL] = "SELECT " FINDING_COLS FINDING_FROM FINDING_ORDER,
	    [STORED_OPEN] = "SELECT " FINDING_COLS FINDING_FROM " AND NOT f.waived" FINDING_ORDER,
	    [STORED_WAIVED] = "SELECT " FINDING_COLS FINDING_FROM " AND f.waived" FINDING_ORDER,
	    [STORED_WAIVERS] = "SELECT " FINDING_COLS FINDING_FROM
			       " AND (f.waived OR f.waiver_expired)" FINDING_ORDER,
	};
	struct store_report_source *x = src;
	struct finding_pass p = {fn, ctx};
	if ((size_t)which >= sizeof(sql) / sizeof(sql[0]))
		return rerr_set(err, R_EINTERNAL, NULL, 0, "no such pass over the findings");
	return stream(x->st, sql[which], x->id, finding_row, &p, err);
}

struct stored_source store_report_source(struct store_report_source *src)
{
	struct stored_source s = {src, services, findings};
	return s;
}
