/*
 * scans: the small statements `residency serve` needs around a scan, beside
 * scan_write and scan_jobs (which store a run): the advisory lock that lets one scan
 * run at a time across processes, the last complete scan, and the rows of
 * scans that ended before anything of them was stored (stopped by a signal,
 * or failed) so that history says so. Never writes a scan's observations and
 * never touches a complete scan (the triggers of schema/003 forbid it anyway).
 */
#ifndef RESIDENCY_SCANS_H
#define RESIDENCY_SCANS_H

#include "store/store.h"

#include <stdbool.h>
#include <time.h>

/* One statement's round trip: R_OK when the connection works now. */
enum rstatus store_ping(struct store *st, struct rerr *err);

/*
 * Tries the session-level advisory lock held while a scan runs (a fixed key
 * shared by every residency process). *got is false when another session
 * holds it. The lock goes with the session: a lost connection releases it.
 */
enum rstatus store_scan_lock(struct store *st, bool *got, struct rerr *err);
/* Releases it; errors are ignored (a dead session holds nothing). */
void store_scan_unlock(struct store *st);

/*
 * The newest complete scan with an id below `below` (0: any): its id and
 * start time, both 0 when there is none.
 */
enum rstatus store_last_complete(struct store *st, long long below, long long *id, time_t *started,
				 struct rerr *err);

/* A scan that ended before anything of it was stored. */
struct scan_stub {
	const char *status; /* "interrupted" or "failed" */
	const char *estate;
	const char *config_path;
	const char *const *zones;
	size_t nzones;
	const char *config_sha256; /* may be NULL */
	time_t started;
	const char *error; /* why, for the reader of the history */
};

/* Records one such scan as a row of its own, with no observations. */
enum rstatus store_scan_stub(struct store *st, const struct scan_stub *s, long long *id,
			     struct rerr *err);

/*
 * Marks scan id `status` ("interrupted" or "failed") with `why` when it is
 * still `running`. *changed says whether it was.
 */
enum rstatus store_scan_end(struct store *st, long long id, const char *status, const char *why,
			    bool *changed, struct rerr *err);
/*
 * Marks scan id failed with `why` when it is still `running` (a scan whose
 * storing was cut off with its connection). *changed says whether it was.
 */
enum rstatus store_scan_abandon(struct store *st, long long id, const char *why, bool *changed,
				struct rerr *err);

#endif
