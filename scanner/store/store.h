/*
 * store: PostgreSQL through libpq. Connections and schema migrations here;
 * the COPY writer (copy.h), a scan written (scan_write.h, scan_jobs.h) and
 * read back (scan_read.h, drift_read.h), serve's statements (scans.h), range
 * snapshots (ranges_store.h). Knows nothing of scan/ or cli/; PGresult codes
 * are turned into struct rerr here and nowhere else.
 */
#ifndef RESIDENCY_STORE_H
#define RESIDENCY_STORE_H

#include "core/rerr.h"

#include <stdbool.h>

struct store;

/*
 * Connects with a libpq connection string; NULL or "" uses the PG* environment
 * variables alone. Caller frees with store_close().
 */
enum rstatus store_open(const char *conninfo, struct store **out, struct rerr *err);
/* Safe to call with NULL. */
void store_close(struct store *st);
/* Whether the connection is up (false for NULL): after an R_EDB, whether it
 * was the statement or the connection that failed. */
bool store_connected(const struct store *st);

/*
 * Asks the server to probe this connection when idle: after at most 60 s, 10 s
 * apart, 6 times (tighter values of the server or the role are kept). A claim
 * is a row lock held by a worker's open transaction; a worker whose host
 * vanishes (power, network) closes nothing, and with Linux's defaults the
 * server kept its lock, so its job, for 2 h 11 min; now about 2 minutes
 * (tests/test_scaleout.c, docs/SCALE.md). A unix socket ignores these settings.
 */
enum rstatus store_keepalives(struct store *st, struct rerr *err);

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
