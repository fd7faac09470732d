/*
 * ranges_store: snapshots and prefixes in PostgreSQL.
 */
#include "store/ranges_store.h"
#include "core/buf.h"
#include "store/copy.h"
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A text[] literal for parameters: {"a","b"} with quotes and backslashes
 * escaped. R_OK, or the buf's first error: the literal is then unusable. The
 * callers' 64 KiB hold any snapshot (SNAPSHOT_MAX_FILES fields of under 1024
 * bytes each, at most doubled), so an error here is memory running out.
 */
static enum rstatus array_literal(struct buf *b, const struct snapshot_meta *m, int which)
{
	buf_addstr(b, "{");
	for (size_t i = 0; i < m->nfiles; i++) {
		const char *v = which == 0   ? m->files[i].url
				: which == 1 ? m->files[i].etag
					     : m->files[i].last_modified;
		buf_addstr(b, i ? ",\"" : "\"");
		for (; *v; v++) {
			if (*v == '"' || *v == '\\')
				buf_add(b, "\\", 1);
			buf_add(b, v, 1);
		}
		buf_addstr(b, "\"");
	}
	buf_addstr(b, "}");
	return buf_error(b);
}

enum rstatus store_range_snapshot(struct store *st, const struct snapshot_meta *m,
				  const struct range_set *set, long long *id, bool *inserted,
				  struct rerr *err)
{
	PGconn *c = store_pg(st);
	struct buf urls, etags, lms;
	char fetched[32], count[32], invalid[32];
	enum rstatus rc = R_OK;
	PGresult *res;

	*inserted = false;
	buf_init(&urls, 1 << 16);
	buf_init(&etags, 1 << 16);
	buf_init(&lms, 1 << 16);
	if ((rc = array_literal(&urls, m, 0)) != R_OK ||
	    (rc = array_literal(&etags, m, 1)) != R_OK ||
	    (rc = array_literal(&lms, m, 2)) != R_OK) {
		rerr_set(err, rc, m->provider, 0, "cannot list the snapshot's files (%s)",
			 rc == R_ELIMIT ? "over 64 KiB" : "out of memory");
		goto out;
	}
	snprintf(fetched, sizeof(fetched), "%lld", (long long)m->fetched_at);
	snprintf(count, sizeof(count), "%zu", set->n);
	snprintf(invalid, sizeof(invalid), "%zu", m->invalid);
	const char *p[9] = {m->provider, urls.data,  fetched, etags.data, lms.data,
			    m->sha256,	 m->version, count,   invalid};
	if ((rc = store_exec(st, "BEGIN", err)) != R_OK)
		goto out;
	res = PQexecParams(c,
			   "INSERT INTO range_snapshots (provider, urls, fetched_at, etags, "
			   "last_modified, sha256, provider_version, prefix_count, invalid_rows) "
			   "VALUES ($1, $2, to_timestamp($3::bigint), $4, $5, $6, $7, $8, $9) ON "
			   "CONFLICT (provider, sha256) DO NOTHING RETURNING id",
			   9, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		rc = store_error(st, err, "storing the snapshot");
		goto rollback;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		const char *q[2] = {m->provider, m->sha256};
		res = PQexecParams(
		    c, "SELECT id FROM range_snapshots WHERE provider = $1 AND sha256 = $2", 2,
		    NULL, q, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
			PQclear(res);
			rc = store_error(st, err, "finding the stored snapshot");
			goto rollback;
		}
		*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
		rc = store_exec(st, "COMMIT", err);
		goto out;
	}
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	struct copy cp;
	if ((rc = copy_begin(&cp, st,
			     "COPY range_prefixes (snapshot_id, prefix, region, border_group, "
			     "service, country, global) FROM STDIN",
			     7, err)) != R_OK)
		goto rollback;
	char pfx[64];
	for (size_t i = 0; i < set->n; i++) {
		const struct range_entry *e = &set->v[i];
		copy_int(&cp, *id);
		copy_str(&cp, prefix_format(&e->prefix, pfx, sizeof(pfx)));
		copy_str(&cp, e->region);
		copy_str(&cp, e->border_group);
		copy_str(&cp, e->service);
		copy_str(&cp, e->country);
		copy_bool(&cp, e->global);
	}
	if ((rc = copy_end(&cp, NULL)) != R_OK)
		goto rollback;
	if ((rc = store_exec(st, "COMMIT", err)) == R_OK)
		*inserted = true;
	goto out;
rollback:
	PQclear(PQexec(c, "ROLLBACK"));
out:
	buf_free(&urls);
	buf_free(&etags);
	buf_free(&lms);
	return rc;
}

enum rstatus store_range_load(struct store *st, long long id, struct range_set *set,
			      struct rerr *err)
{
	char idtext[32];
	const char *p[1] = {idtext};
	PGresult *res;

	snprintf(idtext, sizeof(idtext), "%lld", id);
	res = PQexecParams(store_pg(st), "SELECT provider FROM range_snapshots WHERE id = $1", 1,
			   NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return store_error(st, err, "reading snapshot");
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		return rerr_set(err, R_EINPUT, "postgresql", 0, "no stored snapshot with id %lld",
				id);
	}
	range_set_init(set, PQgetvalue(res, 0, 0));
	PQclear(res);
	res = PQexecParams(store_pg(st),
			   "SELECT prefix, region, border_group, service, country, global FROM "
			   "range_prefixes WHERE snapshot_id = $1",
			   1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return store_error(st, err, "reading prefixes");
	}
	enum rstatus rc = R_OK;
	for (int i = 0; i < PQntuples(res) && rc == R_OK; i++)
		rc = ranges_add(set, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
				PQgetvalue(res, i, 2), PQgetvalue(res, i, 3), PQgetvalue(res, i, 4),
				PQgetvalue(res, i, 5)[0] == 't', "postgresql", "row", err);
	PQclear(res);
	return rc;
}

enum rstatus store_range_list(struct store *st, FILE *out, struct rerr *err)
{
	PGresult *res = PQexec(
	    store_pg(st), "SELECT id, provider, to_char(fetched_at AT TIME ZONE 'UTC', "
			  "'YYYY-MM-DD HH24:MI'), prefix_count, invalid_rows, sha256, "
			  "provider_version FROM range_snapshots ORDER BY provider, fetched_at "
			  "DESC, id DESC");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return store_error(st, err, "listing snapshots");
	}
	fprintf(out, "%-6s %-13s %-17s %8s %7s %-16s %s\n", "ID", "PROVIDER", "FETCHED (UTC)",
		"PREFIXES", "INVALID", "SHA-256", "PROVIDER VERSION");
	for (int i = 0; i < PQntuples(res); i++)
		fprintf(out, "%-6s %-13s %-17s %8s %7s %.16s %s\n", PQgetvalue(res, i, 0),
			PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
			PQgetvalue(res, i, 4), PQgetvalue(res, i, 5), PQgetvalue(res, i, 6));
	PQclear(res);
	return R_OK;
}
