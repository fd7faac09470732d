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

#endif
