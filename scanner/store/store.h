/*
 * store: PostgreSQL through libpq. Connections, schema migrations, and (in
 * later files of this folder) the COPY writers and queries. Knows nothing of
 * cli/; PGresult codes are turned into struct rerr here and nowhere else.
 */
#ifndef RESIDENCY_STORE_H
#define RESIDENCY_STORE_H

#include "core/rerr.h"

#include <libpq-fe.h>

struct store;

/*
 * Connects with a libpq connection string; NULL or "" uses the PG* environment
 * variables alone. Caller frees with store_close().
 */
enum rstatus store_open(const char *conninfo, struct store **out, struct rerr *err);
/* Safe to call with NULL. */
void store_close(struct store *st);
PGconn *store_conn(struct store *st);

/* The connection's last error as a struct rerr: "what: message". Returns R_EDB. */
enum rstatus store_error(struct store *st, struct rerr *err, const char *what);

/* Runs one statement with no result rows; for DDL and simple updates. */
enum rstatus store_exec(struct store *st, const char *sql, struct rerr *err);

/* Highest schema version this binary knows. */
int store_known_version(void);
/* Version recorded in the database (0 when never migrated). */
enum rstatus store_schema_version(struct store *st, int *version, struct rerr *err);
/*
 * Applies the missing migrations in order, each in its own transaction, under
 * an advisory lock so that two processes never migrate at once. Refuses a
 * database whose schema is newer than this binary knows. *applied counts the
 * migrations applied now (0 on a second run).
 */
enum rstatus store_migrate(struct store *st, int *applied, struct rerr *err);

#endif
