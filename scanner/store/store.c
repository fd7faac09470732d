/*
 * store: connections and migrations.
 */
#include "store/internal.h"
#include "store/migrations.h"
#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An arbitrary constant, shared by every residency process, for the migrate lock. */
#define MIGRATE_LOCK_KEY 7213540001LL

struct store {
	PGconn *conn;
};

static enum rstatus pg_error(struct rerr *err, PGconn *conn, const char *what)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", PQerrorMessage(conn));
	size_t n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	/* libpq's messages run over lines ("...failed: ...\n\tIs the server running");
	 * a log line is one line. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return rerr_set(err, R_EDB, "postgresql", 0, "%s: %s", what, msg);
}

enum rstatus store_error(struct store *st, struct rerr *err, const char *what)
{
	return pg_error(err, st->conn, what);
}

enum rstatus store_open(const char *conninfo, struct store **out, struct rerr *err)
{
	struct store *st;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	st->conn = PQconnectdb(conninfo ? conninfo : "");
	if (st->conn == NULL) {
		free(st);
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	}
	if (PQstatus(st->conn) != CONNECTION_OK) {
		enum rstatus rc = pg_error(err, st->conn, "cannot connect");
		store_close(st);
		return rc;
	}
	/* Quiet NOTICEs such as "relation already exists, skipping". */
	PQclear(PQexec(st->conn, "SET client_min_messages = warning"));
	*out = st;
	return R_OK;
}

void store_close(struct store *st)
{
	if (st == NULL)
		return;
	PQfinish(st->conn);
	free(st);
}

PGconn *store_pg(struct store *st)
{
	return st->conn;
}

bool store_connected(const struct store *st)
{
	return st != NULL && PQstatus(st->conn) == CONNECTION_OK;
}

PGresult *store_query(struct store *st, const char *sql, int n, const char *const *p,
		      const char *what, enum rstatus *rc, struct rerr *err)
{
	PGresult *res = PQexecParams(st->conn, sql, n, NULL, p, NULL, NULL, 0);
	ExecStatusType s = PQresultStatus(res);

	if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK)
		return res;
	PQclear(res);
	*rc = pg_error(err, st->conn, what);
	return NULL;
}

enum rstatus store_command(struct store *st, const char *sql, int n, const char *const *p,
			   const char *what, struct rerr *err)
{
	enum rstatus rc = R_OK;

	PQclear(store_query(st, sql, n, p, what, &rc, err));
	return rc;
}

void store_rollback(struct store *st)
{
	PQclear(PQexec(st->conn, "ROLLBACK"));
}

enum rstatus store_exec(struct store *st, const char *sql, struct rerr *err)
{
	PGresult *res = PQexec(st->conn, sql);
	ExecStatusType s = PQresultStatus(res);
	enum rstatus rc = R_OK;

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		rc = pg_error(err, st->conn, "statement failed");
	PQclear(res);
	return rc;
}

int store_known_version(void)
{
	int v = 0;

	for (const struct migration *m = store_migrations; m->version; m++)
		v = m->version;
	return v;
}

static const char create_table[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
				   " version integer PRIMARY KEY,"
				   " name text NOT NULL,"
				   " applied_at timestamptz NOT NULL DEFAULT now())";

enum rstatus store_schema_version(struct store *st, int *version, struct rerr *err)
{
	PGresult *res;
	enum rstatus rc = R_OK;

	*version = 0;
	res = PQexec(st->conn, "SELECT to_regclass('schema_migrations') IS NOT NULL");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pg_error(err, st->conn, "reading schema version");
		goto out;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		goto out;
	PQclear(res);
	res = PQexec(st->conn, "SELECT coalesce(max(version), 0) FROM schema_migrations");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pg_error(err, st->conn, "reading schema version");
		goto out;
	}
	*version = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
out:
	PQclear(res);
	return rc;
}

static enum rstatus apply_one(struct store *st, const struct migration *m, struct rerr *err)
{
	enum rstatus rc;
	char ver[16];
	const char *params[2] = {ver, m->name};

	if ((rc = store_exec(st, "BEGIN", err)) != R_OK)
		return rc;
	PGresult *res = PQexec(st->conn, m->sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pg_error(err, st->conn, m->name);
		PQclear(res);
		goto fail;
	}
	PQclear(res);
	snprintf(ver, sizeof(ver), "%d", m->version);
	res =
	    PQexecParams(st->conn, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
			 2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = pg_error(err, st->conn, m->name);
		PQclear(res);
		goto fail;
	}
	PQclear(res);
	return store_exec(st, "COMMIT", err);
fail:
	PQclear(PQexec(st->conn, "ROLLBACK"));
	return rc;
}

enum rstatus store_migrate(struct store *st, int *applied, struct rerr *err)
{
	enum rstatus rc;
	int have = 0, known = store_known_version();
	char lock[96];

	*applied = 0;
	snprintf(lock, sizeof(lock), "SELECT pg_advisory_lock(%lld)", MIGRATE_LOCK_KEY);
	if ((rc = store_exec(st, lock, err)) != R_OK)
		return rc;
	if ((rc = store_exec(st, create_table, err)) != R_OK)
		goto out;
	if ((rc = store_schema_version(st, &have, err)) != R_OK)
		goto out;
	if (have > known) {
		rc =
		    rerr_set(err, R_EDB, "postgresql", 0,
			     "database schema is at version %d, newer than this binary knows (%d); "
			     "refusing to touch it: upgrade residency",
			     have, known);
		goto out;
	}
	for (const struct migration *m = store_migrations; m->version; m++) {
		if (m->version <= have)
			continue;
		log_info("applying migration %s", m->name);
		if ((rc = apply_one(st, m, err)) != R_OK)
			goto out;
		(*applied)++;
	}
out:
	snprintf(lock, sizeof(lock), "SELECT pg_advisory_unlock(%lld)", MIGRATE_LOCK_KEY);
	PQclear(PQexec(st->conn, lock));
	return rc;
}

enum rstatus store_keepalives(struct store *st, struct rerr *err)
{
	return store_exec(
	    st,
	    "SELECT set_config('tcp_keepalives_idle', least(nullif(current_setting("
	    "'tcp_keepalives_idle')::int, 0), 60)::text, false), set_config("
	    "'tcp_keepalives_interval', least(nullif(current_setting('tcp_keepalives_interval')"
	    "::int, 0), 10)::text, false), set_config('tcp_keepalives_count', least(nullif("
	    "current_setting('tcp_keepalives_count')::int, 0), 6)::text, false)",
	    err);
}
