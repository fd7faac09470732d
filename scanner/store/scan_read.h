/*
 * store/scan_read: a complete stored scan read back as the judge's input, so
 * that it can be judged again under other policies (`check --scan`): each
 * service's data paths from scan_elements and scan_parts, every address's
 * attribution from scan_attributions, each service's owner and policy from
 * scan_services. scan/stored.c judges what this reads with the judge a fresh
 * run uses.
 *
 * Flat in memory: the attributions are held compactly (an address and an
 * index into interned tuples each) and the parts once, but the paths are
 * streamed, one service at a time; a service's paths are handed to the caller
 * and freed before the next service is read. So memory follows the largest
 * service, not the scan.
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

struct scan_read_attrs;
struct scan_read_parts;

struct scan_read {
	long long id;
	char started[32];      /* when the scan ran, "YYYY-MM-DDTHH:MM:SSZ" */
	char day[11];	       /* its day (UTC), YYYY-MM-DD */
	struct estate *estate; /* its services, in the order it judged them, with
				  the policies of the folder given */
	size_t endpoints;      /* paths */
	unsigned long long geoip_epoch;
	const char **zone_files; /* as the scan recorded them */
	size_t nzone_files;

	/* Private: zone files point into these results. */
	struct pg_result *scan_row, *zones;
	struct scan_read_attrs *attrs;
	struct scan_read_parts *parts;
};

/*
 * One service's data paths as the scan stored them: estate->v[service]'s
 * endpoints (patterns expanded) then mail domains, in the order the scan judged
 * them. They, and the names they point to, are valid until fn returns: what fn
 * keeps, it copies. An error fn returns stops the read and is returned.
 */
typedef enum rstatus (*scan_read_service_fn)(void *ctx, struct scan_read *s, size_t service,
					     const struct path *paths, const bool *is_mail,
					     size_t npaths, struct rerr *err);

/*
 * Reads scan id with the policies in policies_dir and hands each service's
 * paths to fn, once for every service of the estate (with none for a service
 * that has no paths), in no particular order of services; estate, day and the
 * attributions (store_scan_attribution()) are read before the first call.
 * Errors: no such scan and a service whose policy the folder lacks (R_EINPUT,
 * exit 2, naming the service and the policy); a scan that is not complete, or
 * stored rows that do not form paths (R_EDB, exit 3); then *out is NULL.
 * Caller frees *out with store_scan_read_free().
 */
enum rstatus store_scan_read(struct store *st, long long id, const char *policies_dir,
			     scan_read_service_fn fn, void *ctx, struct scan_read **out,
			     struct rerr *err);
/*
 * The attribution the scan stored for address a, as attrib_lookup() gave it
 * when the scan ran; all unknown for an address it has none for. A
 * judge_attribute_fn (policy/judge.h) with ctx a struct scan_read.
 */
void store_scan_attribution(void *ctx, const struct addr *a, struct attribution *out);
/* Safe to call with NULL. */
void store_scan_read_free(struct scan_read *s);

#endif
