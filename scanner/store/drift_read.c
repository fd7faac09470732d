/*
 * store/drift_read: per-service verdict and countries of two scans (see
 * drift_read.h).
 */
#include "store/drift_read.h"
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* (scan_id, service, what, value, owner) of both scans, grouped by service. */
static const char facts_sql[] =
    "SELECT scan_id, service, 'verdict' AS what, verdict AS value, owner FROM scan_services"
    " WHERE scan_id IN ($1, $2)"
    " UNION ALL SELECT DISTINCT e.scan_id, e.service, 'country', a.country, NULL"
    " FROM scan_service_addresses e JOIN scan_attributions a ON a.scan_id = e.scan_id"
    "  AND a.address = e.address"
    " WHERE e.scan_id IN ($1, $2) AND a.country IS NOT NULL"
    " ORDER BY 2, 3, 4, 1";

enum rstatus store_drift_facts(struct store *st, long long from, long long to,
			       struct drift_facts *out, struct rerr *err)
{
	char f[32], t[32];
	const char *p[2] = {f, t};
	enum rstatus rc = R_OK;
	PGresult *res;

	memset(out, 0, sizeof(*out));
	snprintf(f, sizeof(f), "%lld", from);
	snprintf(t, sizeof(t), "%lld", to);
	if ((res = store_query(st,
			       "SELECT to_char(coalesce(finished_at, now()) AT TIME ZONE 'UTC', "
			       "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM scans WHERE id = $1",
			       1, p + 1, "reading the scan", &rc, err)) == NULL)
		return rc;
	if (PQntuples(res) == 1)
		snprintf(out->finished, sizeof(out->finished), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	if ((out->res = store_query(st, facts_sql, 2, p,
				    "reading the scans' services and countries", &rc, err)) == NULL)
		return rc;
	size_t rows = (size_t)PQntuples(out->res);
	if ((out->v = calloc(rows + 1, sizeof(*out->v))) == NULL) {
		store_drift_facts_free(out);
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	}
	for (size_t i = 0; i < rows; i++) {
		struct drift_fact *x = &out->v[i];
		int r = (int)i;
		x->service = PQgetvalue(out->res, r, 1);
		x->after = strcmp(PQgetvalue(out->res, r, 0), t) == 0;
		x->verdict = strcmp(PQgetvalue(out->res, r, 2), "verdict") == 0;
		x->value = PQgetvalue(out->res, r, 3);
		x->owner = PQgetisnull(out->res, r, 4) ? NULL : PQgetvalue(out->res, r, 4);
	}
	out->n = rows;
	return R_OK;
}

void store_drift_facts_free(struct drift_facts *f)
{
	free(f->v);
	PQclear(f->res);
	f->v = NULL;
	f->res = NULL;
	f->n = 0;
}
