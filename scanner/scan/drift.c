/*
 * drift: per-service verdict and countries of two scans, compared (see drift.h).
 */
#include "scan/drift.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* (scan_id, service, what, value, owner) of both scans, grouped by service. */
static const char facts_sql[] =
    "SELECT scan_id, service, 'verdict' AS what, verdict AS value, owner FROM scan_services"
    " WHERE scan_id IN ($1, $2)"
    " UNION ALL SELECT DISTINCT e.scan_id, e.service, 'country', a.country, NULL"
    " FROM scan_elements e JOIN scan_attributions a ON a.scan_id = e.scan_id"
    "  AND a.address = e.address"
    " WHERE e.scan_id IN ($1, $2) AND e.kind = 'address' AND a.country IS NOT NULL"
    " ORDER BY 2, 3, 4, 1";

struct side {
	const char *verdict; /* NULL: the service is not in this scan */
	const char *owner;
	json_t *countries;
};

static bool has(json_t *arr, const char *v)
{
	size_t i;
	json_t *x;

	json_array_foreach(arr, i, x)
	{
		if (strcmp(json_string_value(x), v) == 0)
			return true;
	}
	return false;
}

/* Elements of a not in b, in a's order; a new reference. */
static json_t *minus(json_t *a, json_t *b)
{
	json_t *out = json_array();
	size_t i;
	json_t *x;

	json_array_foreach(a, i, x)
	{
		if (!has(b, json_string_value(x)))
			json_array_append(out, x);
	}
	return out;
}

/* "CN, SG" or "(none)", as `residency diff` writes a set. */
static void joined(json_t *arr, char *out, size_t len)
{
	size_t i, n = 0;
	json_t *x;

	out[0] = '\0';
	json_array_foreach(arr, i, x)
	{
		int w = snprintf(out + n, len - n, "%s%s", i ? ", " : "", json_string_value(x));
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
	if (n == 0)
		snprintf(out, len, "(none)");
}

/* The alert of one service whose state differs, or NULL when nothing did. */
static json_t *compare(const char *service, struct side *b, struct side *a)
{
	json_t *added = minus(a->countries, b->countries);
	json_t *removed = minus(b->countries, a->countries);
	bool verdict_same = b->verdict && a->verdict && strcmp(b->verdict, a->verdict) == 0;
	bool countries_same = json_array_size(added) == 0 && json_array_size(removed) == 0;

	if (verdict_same && countries_same && b->verdict && a->verdict) {
		json_decref(added);
		json_decref(removed);
		return NULL;
	}
	char before[1024], after[1024], story[3072];
	joined(b->countries, before, sizeof(before));
	joined(a->countries, after, sizeof(after));
	if (b->verdict == NULL)
		snprintf(story, sizeof(story), "%s: new service, %s, countries %s", service,
			 a->verdict, after);
	else if (a->verdict == NULL)
		snprintf(story, sizeof(story), "%s: no longer in the estate (was %s, countries %s)",
			 service, b->verdict, before);
	else if (countries_same)
		snprintf(story, sizeof(story), "%s: verdict %s -> %s (countries unchanged: %s)",
			 service, b->verdict, a->verdict, after);
	else if (verdict_same)
		snprintf(story, sizeof(story), "%s: %s -> %s (still %s)", service, before, after,
			 a->verdict);
	else
		snprintf(story, sizeof(story), "%s: %s -> %s; verdict %s -> %s", service, before,
			 after, b->verdict, a->verdict);
	const char *owner = a->owner ? a->owner : b->owner;
	return json_pack("{s:s, s:s?, s:{s:s?, s:s?}, s:{s:O, s:O, s:o, s:o}, s:s}", "service",
			 service, "owner", owner, "verdict", "before", b->verdict, "after",
			 a->verdict, "countries", "before", b->countries, "after", a->countries,
			 "added", added, "removed", removed, "story", story);
}

static void side_reset(struct side *s)
{
	json_decref(s->countries);
	s->countries = json_array();
	s->verdict = s->owner = NULL;
}

enum rstatus drift_between(struct store *st, long long from, long long to, json_t **out,
			   size_t *nchanged, struct rerr *err)
{
	char f[32], t[32], when[64] = "";
	const char *p[2] = {f, t};
	PGconn *c = store_conn(st);
	size_t services = 0;

	*out = NULL;
	*nchanged = 0;
	snprintf(f, sizeof(f), "%lld", from);
	snprintf(t, sizeof(t), "%lld", to);
	PGresult *res =
	    PQexecParams(c,
			 "SELECT to_char(coalesce(finished_at, now()) AT TIME ZONE 'UTC', "
			 "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM scans WHERE id = $1",
			 1, NULL, p + 1, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return store_error(st, err, "reading the scan");
	}
	if (PQntuples(res) == 1)
		snprintf(when, sizeof(when), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	res = PQexecParams(c, facts_sql, 2, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return store_error(st, err, "reading the scans' services and countries");
	}

	json_t *changed = json_array();
	struct side b = {NULL, NULL, NULL}, a = {NULL, NULL, NULL};
	side_reset(&b);
	side_reset(&a);
	int rows = PQntuples(res);
	for (int i = 0; i < rows; i++) {
		const char *svc = PQgetvalue(res, i, 1), *what = PQgetvalue(res, i, 2);
		struct side *s = strcmp(PQgetvalue(res, i, 0), t) == 0 ? &a : &b;
		if (strcmp(what, "verdict") == 0) {
			s->verdict = PQgetvalue(res, i, 3);
			s->owner = PQgetisnull(res, i, 4) ? NULL : PQgetvalue(res, i, 4);
		} else {
			json_array_append_new(s->countries, json_string(PQgetvalue(res, i, 3)));
		}
		if (i + 1 < rows && strcmp(PQgetvalue(res, i + 1, 1), svc) == 0)
			continue;
		/* The last row of this service. */
		if (a.verdict)
			services++;
		json_t *one = compare(svc, &b, &a);
		if (one)
			json_array_append_new(changed, one);
		side_reset(&b);
		side_reset(&a);
	}
	json_decref(b.countries);
	json_decref(a.countries);
	PQclear(res);

	char summary[256];
	*nchanged = json_array_size(changed);
	snprintf(summary, sizeof(summary),
		 "%zu of %zu service%s changed between scan %lld and scan %lld", *nchanged,
		 services, services == 1 ? "" : "s", from, to);
	*out = json_pack("{s:s, s:I, s:I, s:s, s:I, s:o, s:s}", "event", "drift", "from_scan",
			 (json_int_t)from, "to_scan", (json_int_t)to, "time", when, "services",
			 (json_int_t)services, "changed", changed, "summary", summary);
	if (*out == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	return R_OK;
}
