/*
 * stored: a complete stored scan judged again under other policies (`check
 * --scan`). store/scan_read.h reads its paths and attributions; the judge and
 * the report writers are the ones a fresh run uses, so the findings are those
 * a fresh run over the same observations would give.
 *
 * Must never resolve, attribute or write anything: a stored scan is evidence
 * and stays as it was.
 */
#ifndef RESIDENCY_STORED_H
#define RESIDENCY_STORED_H

#include "scan/run.h"
#include "store/scan_read.h"

struct stored_scan {
	long long id;
	char started[32];	      /* when the scan ran, "YYYY-MM-DDTHH:MM:SSZ" */
	char day[11];		      /* its day (UTC), YYYY-MM-DD */
	struct estate *estate;	      /* its services, in the order it judged them, with the
					 policies of the folder given */
	struct run_service *services; /* estate->n: paths, then judged by stored_judge() */
	size_t endpoints;	      /* paths */
	unsigned long long geoip_epoch;
	const char **zone_files; /* as the scan recorded them */
	size_t nzone_files;

	/* Private: what was read; owns the estate, the zone files and the names
	 * the paths point to. */
	struct scan_read *read;
};

/*
 * Reads scan id with the policies in policies_dir (errors: see
 * store_scan_read()). Caller frees with stored_free().
 */
enum rstatus stored_load(struct store *st, long long id, const char *policies_dir,
			 struct stored_scan **out, struct rerr *err);
/* Judges every service; today is YYYY-MM-DD, the day waivers are judged against. */
enum rstatus stored_judge(struct stored_scan *s, const char *today, struct rerr *err);
/* Safe to call with NULL. */
void stored_free(struct stored_scan *s);

#endif
