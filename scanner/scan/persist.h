/*
 * persist: a finished run stored as one scan in PostgreSQL, all of it or
 * nothing: the scan row is created first (status running), every observation
 * goes in by COPY in one transaction that also marks the scan complete; on any
 * failure the transaction rolls back and the scan is marked failed with why.
 */
#ifndef RESIDENCY_PERSIST_H
#define RESIDENCY_PERSIST_H

#include "core/config.h"
#include "scan/run.h"
#include "store/store.h"

struct scan_counts {
	size_t services, elements, attributions, findings, waived, answers;
};

enum rstatus persist_scan(struct store *st, const struct config *cfg, const struct run *r,
			  long long *scan_id, struct scan_counts *counts, struct rerr *err);
/*
 * The same, into scan *scan_id (not 0) that ended interrupted or failed: a
 * scan stores all of it or nothing, so such a scan holds no observations, and
 * its run is stored under its own id. Refused (R_EINPUT) for any other scan,
 * or when the configuration file's SHA-256 is not the one the scan recorded.
 */
enum rstatus persist_resume(struct store *st, const struct config *cfg, const struct run *r,
			    long long *scan_id, struct scan_counts *counts, struct rerr *err);

#endif
