/*
 * store/drift_read: what two stored scans say of each service, in the terms
 * of a drift alert: its verdict (and owner), and each country its data paths
 * reach (addresses attributed to a country, as `residency diff` counts them).
 * scan/drift.c compares them. Reads the store; writes nothing.
 */
#ifndef RESIDENCY_DRIFT_READ_H
#define RESIDENCY_DRIFT_READ_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>

/* One thing scan `from` or scan `to` says of one service. */
struct drift_fact {
	const char *service;
	bool after;   /* said by `to`, else by `from` */
	bool verdict; /* value is the service's verdict, else a country it reaches */
	const char *value;
	const char *owner; /* with a verdict; NULL when the service has none */
};

struct drift_facts {
	char finished[32]; /* when `to` finished (now, if it has not), UTC; "" when no scan `to` */
	/* Grouped by service (in byte order); within one, its countries in order, then
	 * its verdicts; `from` before `to` for the same value. */
	struct drift_fact *v;
	size_t n;
	struct pg_result *res; /* private: the strings point into it */
};

/* Reads the facts of scans from and to. Caller frees with store_drift_facts_free(). */
enum rstatus store_drift_facts(struct store *st, long long from, long long to,
			       struct drift_facts *out, struct rerr *err);
/* Safe to call with one zeroed or freed already. */
void store_drift_facts_free(struct drift_facts *f);

#endif
