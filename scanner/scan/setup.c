/*
 * setup: configuration to scan input, and the checks of `config check`.
 */
#include "scan/setup.h"

#include <string.h>

void setup_input(const struct config *cfg, struct run_input *in, struct attrib_source *src)
{
	in->estate_file = cfg->estate;
	in->policies = cfg->policies;
	memset(&in->dns, 0, sizeof(in->dns));
	in->dns.zone_files = (const char **)cfg->zones;
	in->dns.nzone_files = cfg->nzones;
	in->dns.resolvers = (const char **)cfg->resolvers;
	in->dns.nresolvers = cfg->nresolvers;
	in->dns.offline = cfg->offline;
	for (size_t i = 0; i < cfg->nranges; i++) {
		src[i].provider = cfg->range_providers[i];
		src[i].url = cfg->range_urls[i];
		src[i].max_age = cfg->max_age;
	}
	in->sources = src;
	in->nsources = cfg->nranges;
	in->geoip = cfg->geoip;
}

enum rstatus setup_config_check(const char *file, struct config **out, struct setup_summary *sum,
				struct rerr *err)
{
	struct config *cfg = NULL;
	struct estate *e = NULL;
	struct dns *d = NULL;
	enum rstatus rc;

	*out = NULL;
	if ((rc = config_load(file, &cfg, err)) == R_OK &&
	    (rc = estate_load(cfg->estate, cfg->policies, &e, err)) == R_OK) {
		struct dns_options o;
		memset(&o, 0, sizeof(o));
		o.zone_files = (const char **)cfg->zones;
		o.nzone_files = cfg->nzones;
		o.offline = true; /* loading only: nothing is resolved here */
		rc = dns_new(&o, &d, err);
	}
	if (rc == R_OK && sum) {
		sum->services = e->n;
		sum->policies = e->npolicies;
		sum->zones = cfg->nzones;
	}
	dns_free(d);
	estate_free(e);
	if (rc != R_OK)
		config_free(cfg);
	else
		*out = cfg;
	return rc;
}
