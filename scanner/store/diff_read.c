/*
 * diff_read: the SQL of `residency diff` (see diff_read.h). The two scans'
 * facts are joined in the database, so the client holds one row at a time.
 */
#include "store/diff_read.h"
#include "store/internal.h"

#include <stdlib.h>
#include <string.h>

enum rstatus store_diff_status(struct store *st, long long id, char **status, struct rerr *err)
{
	char idtext[32];
	const char *p[1] = {idtext};
	enum rstatus rc = R_OK;

	*status = NULL;
	snprintf(idtext, sizeof(idtext), "%lld", id);
	PGresult *r = PQexecParams(store_pg(st), "SELECT status FROM scans WHERE id = $1", 1, NULL,
				   p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = store_error(st, err, "reading the scan");
	else if (PQntuples(r) != 1)
		rc = rerr_set(err, R_EINPUT, NULL, 0, "no scan %lld in the database", id);
	else if ((*status = strdup(PQgetvalue(r, 0, 0))) == NULL)
		rc = rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	PQclear(r);
	return rc;
}

/*
 * (service, what, value) of scan $N, each once. A NULL is the empty string.
 * The addresses each service reaches come from scan_service_addresses (schema
 * 012: the path parts a service refers to included), each joined once.
 */
#define FACTS(N)                                                                                   \
	"WITH sa AS MATERIALIZED (SELECT e.service, e.address, a.country, a.provider, "            \
	"a.region, a.border_group FROM scan_service_addresses e LEFT JOIN scan_attributions a "    \
	"ON a.scan_id = e.scan_id AND a.address = e.address WHERE e.scan_id = " N ") "             \
	"SELECT DISTINCT coalesce(service, '') AS service, what, coalesce(value, '') AS value "    \
	"FROM ("                                                                                   \
	" SELECT service, 'country' AS what, country AS value FROM sa WHERE country IS NOT NULL"   \
	" UNION ALL SELECT service, 'provider', provider FROM sa WHERE provider IS NOT NULL"       \
	" UNION ALL SELECT service, 'region', provider || ':' || "                                 \
	"  coalesce(nullif(border_group, ''), region) FROM sa WHERE region IS NOT NULL"            \
	" UNION ALL SELECT service, 'address', host(address) FROM sa"                              \
	" UNION ALL SELECT service, 'verdict', verdict FROM scan_services WHERE scan_id = " N      \
	") f"

static const char facts_sql[] = "WITH a AS (" FACTS("$1") "), b AS (" FACTS(
    "$2") ") "
	  "SELECT service, what, value, a.service IS NOT NULL, b.service IS NOT NULL "
	  "FROM a FULL JOIN b USING (service, what, value) "
	  "ORDER BY service COLLATE \"C\", what COLLATE \"C\", value COLLATE \"C\"";

enum rstatus store_diff_facts(struct store *st, long long from, long long to, diff_fact_fn fn,
			      void *ctx, struct rerr *err)
{
	PGconn *c = store_pg(st);
	char a[32], b[32];
	const char *p[2] = {a, b};
	enum rstatus rc = R_OK;
	PGresult *r;

	snprintf(a, sizeof(a), "%lld", from);
	snprintf(b, sizeof(b), "%lld", to);
	if (!PQsendQueryParams(c, facts_sql, 2, NULL, p, NULL, NULL, 0) || !PQsetSingleRowMode(c))
		return store_error(st, err, "reading the scans to diff");
	while ((r = PQgetResult(c)) != NULL) {
		ExecStatusType s = PQresultStatus(r);
		if (s == PGRES_SINGLE_TUPLE && rc == R_OK) {
			struct diff_fact x = {PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1),
					      PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3)[0] == 't',
					      PQgetvalue(r, 0, 4)[0] == 't'};
			rc = fn(ctx, &x, err);
		} else if (s != PGRES_TUPLES_OK && s != PGRES_SINGLE_TUPLE && rc == R_OK) {
			rc = store_error(st, err, "reading the scans to diff");
		}
		PQclear(r);
	}
	return rc;
}
