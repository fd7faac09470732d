/*
 * setup: from a deployment's configuration to what one scan needs, shared by
 * `residency scan`, `residency serve` and `residency config check`, so that a
 * scan run by the daemon is exactly the scan `residency scan -c FILE` runs,
 * and a configuration reloaded on SIGHUP passes exactly the checks of
 * `config check`. Resolves nothing and connects to nothing.
 */
#ifndef RESIDENCY_SETUP_H
#define RESIDENCY_SETUP_H

#include "core/config.h"
#include "scan/run.h"

/*
 * Fills in (estate, policies, zones, resolvers, offline, ranges, GeoIP) from
 * cfg. src must hold CONFIG_MAX_LIST entries; in and src point into cfg and
 * live no longer than it. in->today and in->stop are left as they were.
 */
void setup_input(const struct config *cfg, struct run_input *in, struct attrib_source *src);

struct setup_summary {
	size_t services, policies, zones;
};

/*
 * Loads a configuration and validates what it names: the estate, the policy
 * files and the zone files (loaded, nothing resolved). Errors name file:line.
 * Caller frees *out with config_free(); sum may be NULL.
 */
enum rstatus setup_config_check(const char *file, struct config **out, struct setup_summary *sum,
				struct rerr *err);

#endif
