/*
 * store/scan_read: a complete stored scan read back as the judge's input, so
 * that it can be judged again under other policies (`check --scan`): each
 * service's data paths from scan_elements, every address's attribution from
 * scan_attributions, each service's owner and policy from scan_services.
 * scan/stored.c judges what this reads with the judge a fresh run uses.
 *
 * Must never write anything: a stored scan is evidence and stays as it was.
 * Only a complete scan is read; a partial one is never judged (its verdict
 * could only be a false pass).
 */
#ifndef RESIDENCY_SCAN_READ_H
#define RESIDENCY_SCAN_READ_H

#include "attrib/attrib.h"
#include "dns/dns.h"
#include "policy/policy.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>

struct scan_read_attr;

/* One service's data paths as the scan stored them. */
struct scan_read_paths {
	struct path *paths; /* endpoints (patterns expanded) then mail domains */
	bool *is_mail;
	size_t npaths;
};

struct scan_read {
	long long id;
	char started[32];		  /* when the scan ran, "YYYY-MM-DDTHH:MM:SSZ" */
	char day[11];			  /* its day (UTC), YYYY-MM-DD */
	struct estate *estate;		  /* its services, in the order it judged them, with
					     the policies of the folder given */
	struct scan_read_paths *services; /* estate->n */
	size_t endpoints;		  /* paths */
	unsigned long long geoip_epoch;
	const char **zone_files; /* as the scan recorded them */
	size_t nzone_files;

	/* Private: element names and zones point into these results. */
	struct pg_result *scan_row, *zones, *attributions, *elements;
	struct scan_read_attr *attrs; /* sorted by address */
	size_t nattrs;
};

/*
 * Reads scan id with the policies in policies_dir. Errors: no such scan and a
 * service whose policy the folder lacks (R_EINPUT, exit 2, naming the service
 * and the policy); a scan that is not complete, or stored rows that do not
 * form paths (R_EDB, exit 3). Caller frees with store_scan_read_free(); the
 * names in the paths live as long as *out.
 */
enum rstatus store_scan_read(struct store *st, long long id, const char *policies_dir,
			     struct scan_read **out, struct rerr *err);
/*
 * The attribution the scan stored for address a, as attrib_lookup() gave it
 * when the scan ran; all unknown for an address it has none for. A
 * judge_attribute_fn (policy/judge.h) with ctx a struct scan_read.
 */
void store_scan_attribution(void *ctx, const struct addr *a, struct attribution *out);
/* Safe to call with NULL. */
void store_scan_read_free(struct scan_read *s);

#endif
