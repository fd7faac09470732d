/*
 * store/scan_write: a scan's own row in PostgreSQL (schema/007), from its
 * beginning to its completion; the jobs in between are scan_jobs.h.
 *
 * store_scan_begin() creates the scans row (running) with the texts and data
 * sources it is judged with and its jobs, all in one transaction; or takes an
 * interrupted or failed scan of the same configuration up again.
 * store_scan_join() lets another worker share a running scan.
 * store_scan_complete() marks the scan complete (counts, verdict, its link in
 * the evidence chain) once every job is done.
 *
 * Takes the estate, the attribution data and the configuration as the lower
 * stages made them; knows nothing of scan/ or cli/.
 */
#ifndef RESIDENCY_SCAN_WRITE_H
#define RESIDENCY_SCAN_WRITE_H

#include "attrib/attrib.h"
#include "core/config.h"
#include "policy/policy.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>

struct scan_counts {
	/* elements: of the paths, whole; element_rows and part_elements: the rows
	 * that hold them (schema 012: each distinct path part stored once). */
	size_t services, paths, elements, attributions, findings, waived, answers;
	size_t element_rows, part_elements;
};

/*
 * *id 0: a new scan, its services cut into jobs of at least job_endpoints
 * endpoints (and mail domains) each. *id > 0: that scan again, when it ended
 * interrupted or failed and the configuration file has the SHA-256 it recorded
 * (R_EINPUT otherwise); its estate, policies and data sources (attrib's range
 * sets and GeoIP database) must be the ones it began with (same SHA-256), and
 * only its undone jobs are left to do.
 */
enum rstatus store_scan_begin(struct store *st, const struct config *cfg,
			      const struct estate *estate, const struct attrib *attrib,
			      size_t job_endpoints, long long *id, struct rerr *err);
/*
 * Whether this process may work on scan id: it is running, has jobs, and this
 * process judges with the same estate, policies and data (R_EINPUT naming
 * what differs).
 */
enum rstatus store_scan_join(struct store *st, const struct estate *estate,
			     const struct attrib *attrib, long long id, struct rerr *err);
/*
 * When every job of scan id is done: marks it complete (once, whichever
 * worker gets there first; signed with cfg->signing_key when set) and sets
 * *complete, with the counts of what it stored. *complete is false while jobs
 * are undone.
 */
enum rstatus store_scan_complete(struct store *st, const struct config *cfg, long long id,
				 bool *complete, struct scan_counts *n, struct rerr *err);

#endif
