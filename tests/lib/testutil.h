/*
 * testutil: helpers shared by the Check suites. The harness (scripts/test.sh)
 * starts a private PostgreSQL and exports PG*, RESIDENCY_TOP, RESIDENCY_BIN and
 * RESIDENCY_RUN (a scratch folder removed afterwards).
 */
#ifndef RESIDENCY_TESTUTIL_H
#define RESIDENCY_TESTUTIL_H

#include <stddef.h>

/* Path under the checkout; returns a static buffer overwritten by the next call. */
const char *tu_path(const char *rel);
/* The residency binary under test. */
const char *tu_bin(void);
/* A fresh empty folder under the run folder; caller frees. */
char *tu_tmpdir(void);
/*
 * Runs cmd with /bin/sh; stdout and stderr are captured into malloc'd strings
 * (either pointer may be NULL to discard). Returns the exit status, or -1 when
 * the command died of a signal.
 */
int tu_run(const char *cmd, char **out, char **err);
/* Creates a fresh empty database and returns its libpq conninfo; caller frees. */
char *tu_createdb(void);
/* A fresh database with residency's schema applied; its conninfo, caller frees; NULL on failure. */
char *tu_migrated_db(void);
/* Runs `residency ARGS` from the checkout's top folder (as tu_run). */
int tu_cli(const char *args, char **out, char **err);
/* The first line of a query's text result in database db (malloc'd); NULL on failure. */
char *tu_sql(const char *db, const char *sql);

/* Reads a whole file into a malloc'd NUL-terminated string; NULL on failure. */
char *tu_slurp(const char *path, size_t *len);
/* Writes data to path; returns 0 on success. */
int tu_write(const char *path, const char *data, size_t len);

/* Runs a Check suite (its summary line printed) and returns the exit status. */
struct Suite;
int tu_run_suite(struct Suite *s);

#endif
