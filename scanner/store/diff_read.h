/*
 * diff_read: the reads of `residency diff`: a scan's status, and the facts of
 * two scans (per service: countries, providers, regions, addresses, verdict)
 * merged by PostgreSQL and streamed one row at a time, in the order
 * report/diff.h writes them.
 */
#ifndef RESIDENCY_DIFF_READ_H
#define RESIDENCY_DIFF_READ_H

#include "report/diff.h"
#include "store/store.h"

/* The status of scan id (malloc'd; the caller frees it); R_EINPUT when there is none. */
enum rstatus store_diff_status(struct store *st, long long id, char **status, struct rerr *err);

typedef enum rstatus (*diff_fact_fn)(void *ctx, const struct diff_fact *x, struct rerr *err);

/*
 * Calls fn with every fact of scan from or scan to, sorted by service, what
 * and value (bytewise), each once, saying in which of the two it holds.
 */
enum rstatus store_diff_facts(struct store *st, long long from, long long to, diff_fact_fn fn,
			      void *ctx, struct rerr *err);

#endif
