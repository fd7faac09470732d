/*
 * drift: what changed for each service between two stored scans, in the terms
 * of an alert: its verdict and the set of countries its data paths reach
 * (addresses attributed to a country, as `residency diff` counts them). The
 * result is the JSON body of a drift alert (see docs/SERVE.md). Reads the
 * store; writes nothing.
 */
#ifndef RESIDENCY_DRIFT_H
#define RESIDENCY_DRIFT_H

#include "store/store.h"

#include <jansson.h>
#include <stddef.h>

/*
 * The drift from scan `from` to scan `to`: {"event": "drift", "from_scan",
 * "to_scan", "time" (when `to` finished, UTC), "services" (how many `to` has),
 * "changed": [{"service", "owner", "verdict": {"before", "after"},
 * "countries": {"before", "after", "added", "removed"}, "story"}], "summary"}.
 * A service in one scan only has null for the other side. *nchanged counts
 * "changed". Caller frees *out with json_decref().
 */
enum rstatus drift_between(struct store *st, long long from, long long to, json_t **out,
			   size_t *nchanged, struct rerr *err);

#endif
