/*
 * scans: lock, last complete scan and unfinished-scan rows (see scans.h).
 */
#include "store/scans.h"
#include "store/internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An arbitrary constant, shared by every residency process; the migrate lock
 * (store.c) uses another. */
#define SCAN_LOCK_KEY 7213540002LL

enum rstatus store_ping(struct store *st, struct rerr *err)
{
	return store_exec(st, "SELECT 1", err);
}

enum rstatus store_scan_lock(struct store *st, bool *got, struct rerr *err)
{
	char sql[96];

	*got = false;
	snprintf(sql, sizeof(sql), "SELECT pg_try_advisory_lock(%lld)", SCAN_LOCK_KEY);
	PGresult *res = PQexec(store_pg(st), sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		PQclear(res);
		return store_error(st, err, "taking the scan lock");
	}
	*got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return R_OK;
}

void store_scan_unlock(struct store *st)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "SELECT pg_advisory_unlock(%lld)", SCAN_LOCK_KEY);
	PQclear(PQexec(store_pg(st), sql));
}

enum rstatus store_last_complete(struct store *st, long long below, long long *id, time_t *started,
				 struct rerr *err)
{
	char b[32];
	const char *p[1] = {b};

	*id = 0;
	*started = 0;
	snprintf(b, sizeof(b), "%lld", below > 0 ? below : (long long)9223372036854775807LL);
	PGresult *res = PQexecParams(store_pg(st),
				     "SELECT id, floor(extract(epoch FROM started_at))::bigint "
				     "FROM scans WHERE status = 'complete' AND id < $1 "
				     "ORDER BY id DESC LIMIT 1",
				     1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return store_error(st, err, "reading the last complete scan");
	}
	if (PQntuples(res) == 1) {
		*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		*started = (time_t)strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	}
	PQclear(res);
	return R_OK;
}

enum rstatus store_scan_stub(struct store *st, const struct scan_stub *s, long long *id,
			     struct rerr *err)
{
	char started[32];
	json_t *zones = json_array();
	char *zj;

	*id = 0;
	for (size_t i = 0; zones && i < s->nzones; i++)
		json_array_append_new(zones, json_string(s->zones[i]));
	zj = zones ? json_dumps(zones, JSON_COMPACT) : NULL;
	json_decref(zones);
	if (zj == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	snprintf(started, sizeof(started), "%lld", (long long)s->started);
	const char *p[7] = {s->status,	      s->estate, s->config_path, zj,
			    s->config_sha256, started,	 s->error};
	/* Zone paths go as a JSON array, so no text[] literal is ever built here. */
	PGresult *res = PQexecParams(
	    store_pg(st),
	    "INSERT INTO scans (status, estate, config_path, zone_files, config_sha256, "
	    "started_at, finished_at, error) VALUES ($1, $2, $3, "
	    "ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), $5, to_timestamp($6), now(), "
	    "$7) RETURNING id",
	    7, NULL, p, NULL, NULL, 0);
	free(zj);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return store_error(st, err, "recording the scan");
	}
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return R_OK;
}

enum rstatus store_scan_end(struct store *st, long long id, const char *status, const char *why,
			    bool *changed, struct rerr *err)
{
	char b[32];
	const char *p[3] = {b, why, status};

	*changed = false;
	snprintf(b, sizeof(b), "%lld", id);
	PGresult *res = PQexecParams(store_pg(st),
				     "UPDATE scans SET status = $3, finished_at = now(), "
				     "error = $2 WHERE id = $1 AND status = 'running'",
				     3, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		PQclear(res);
		return store_error(st, err, "marking the scan ended");
	}
	*changed = strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	return R_OK;
}

enum rstatus store_scan_abandon(struct store *st, long long id, const char *why, bool *changed,
				struct rerr *err)
{
	return store_scan_end(st, id, "failed", why, changed, err);
}
