/*
 * stored: a complete stored scan read back as the judge's input, so that it can
 * be judged again under other policies (`check --scan`): each service's data
 * paths from scan_elements, every address's attribution from
 * scan_attributions, each service's owner and policy from scan_services. The
 * judge and the report writers are the ones a fresh run uses, so the findings
 * are those a fresh run over the same observations would give.
 *
 * Must never resolve, attribute or write anything: a stored scan is evidence
 * and stays as it was. Only a complete scan is read; a partial one is never
 * judged (its verdict could only be a false pass).
 */
#ifndef RESIDENCY_STORED_H
#define RESIDENCY_STORED_H

#include "scan/run.h"
#include "store/store.h"

struct stored_attr;

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

	/* Private: element names and zones point into these results. */
	struct pg_result *scan_row, *zones, *attributions, *elements;
	struct stored_attr *attrs; /* sorted by address */
	size_t nattrs;
};

/*
 * Reads scan id with the policies in policies_dir. Errors: no such scan and a
 * service whose policy the folder lacks (R_EINPUT, exit 2, naming the service
 * and the policy); a scan that is not complete, or stored rows that do not
 * form paths (R_EDB, exit 3). Caller frees with stored_free().
 */
enum rstatus stored_load(struct store *st, long long id, const char *policies_dir,
			 struct stored_scan **out, struct rerr *err);
/* Judges every service; today is YYYY-MM-DD, the day waivers are judged against. */
enum rstatus stored_judge(struct stored_scan *s, const char *today, struct rerr *err);
/* Safe to call with NULL. */
void stored_free(struct stored_scan *s);

#endif
