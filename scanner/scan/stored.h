/*
 * stored: a complete stored scan judged again under other policies (`check
 * --scan`). store/scan_read.h reads its paths and attributions; the judge and
 * the report writers are the ones a fresh run uses, so the findings are those
 * a fresh run over the same observations would give.
 *
 * Each service is judged as soon as its paths are read, and its paths are
 * dropped: only the judgements are kept, so memory does not grow with the
 * scan's paths.
 *
 * Must never resolve, attribute or write anything: a stored scan is evidence
 * and stays as it was.
 */
#ifndef RESIDENCY_STORED_H
#define RESIDENCY_STORED_H

#include "policy/judge.h"
#include "store/scan_read.h"

struct stored_scan {
	long long id;
	char started[32];	  /* when the scan ran, "YYYY-MM-DDTHH:MM:SSZ" */
	char day[11];		  /* its day (UTC), YYYY-MM-DD */
	struct estate *estate;	  /* its services, in the order it judged them, with the
				     policies of the folder given */
	struct judgement *judged; /* estate->n */
	size_t endpoints;	  /* paths judged */
	unsigned long long geoip_epoch;
	const char **zone_files; /* as the scan recorded them */
	size_t nzone_files;

	/* Private: what was read; owns the estate and the zone files. */
	struct scan_read *read;
	size_t njudged; /* judged[] allocated */
};

/*
 * Reads scan id with the policies in policies_dir and judges every service;
 * today is YYYY-MM-DD, the day waivers are judged against, or NULL for the day
 * the scan ran. Errors: see store_scan_read(), and the judge's. Caller frees
 * with stored_free().
 */
enum rstatus stored_judge(struct store *st, long long id, const char *policies_dir,
			  const char *today, struct stored_scan **out, struct rerr *err);
/* Safe to call with NULL. */
void stored_free(struct stored_scan *s);

#endif
