/*
 * store/internal.h: what the files of store/ share and nothing outside store/
 * may include. libpq is used here and nowhere else in residency: every query
 * of the product is a store_* function over plain structs (issue 16).
 */
#ifndef RESIDENCY_STORE_INTERNAL_H
#define RESIDENCY_STORE_INTERNAL_H

#include "store/store.h"

#include <libpq-fe.h>

/* The connection of an open store; only for the files of store/. */
PGconn *store_pg(struct store *st);

/*
 * One statement with n text parameters that returns rows or none; NULL on
 * error, with *rc and err set ("what: PostgreSQL's message"). Caller frees
 * the result with PQclear().
 */
PGresult *store_query(struct store *st, const char *sql, int n, const char *const *p,
		      const char *what, enum rstatus *rc, struct rerr *err);
/* store_query() for a statement whose rows, if any, are not wanted. */
enum rstatus store_command(struct store *st, const char *sql, int n, const char *const *p,
			   const char *what, struct rerr *err);
/* Ends the transaction in hand, whatever it holds; errors are ignored (a
 * transaction that failed or a lost connection holds nothing). */
void store_rollback(struct store *st);

#endif
