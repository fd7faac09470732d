/*
 * cli/config: `residency config check FILE` validates a configuration and
 * everything it names (estate, policies, zones) without resolving anything.
 */
#include "cli/cli.h"
#include "core/config.h"
#include "scan/setup.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: residency config check FILE\n\n"
		"Validates a configuration file (JSON) and what it names: the estate, the\n"
		"policy files, the zone files, the schedules. Errors name file:line.\n\n"
		"Keys: database, estate (required), policies, zones, resolvers ([\"ADDR[:PORT]\",\n"
		"...]; none: the system's), offline, ranges\n"
		"({\"PROVIDER\": \"URL\"}, or a list of URLs for a provider of several files),\n"
		"geoip, cache, max_age (a fetched range snapshot last confirmed longer ago\n"
		"is stale: scans exit 4; default 7d), schedule ({\"every\": \"6h\",\n"
		"\"jitter\": \"10m\"} or {\"cron\": \"0 3 * * *\"}), ranges_refresh ({\"every\": "
		"\"1d\"}),\n"
		"webhook, description. Paths are relative to the file's folder.\n\n"
		"Exit: 0 valid; 2 not valid.\n");
}

int cmd_config(int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct config *cfg = NULL;
	struct setup_summary sum;
	struct rerr err;
	enum rstatus rc;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return EXIT_COMPLIANT;
		}
		return cli_usage_error("config", "bad option");
	}
	if (optind + 2 != argc || strcmp(argv[optind], "check") != 0)
		return cli_usage_error("config", "expected: config check FILE");
	rerr_clear(&err);
	const char *file = argv[optind + 1];
	if ((rc = setup_config_check(file, &cfg, &sum, &err)) != R_OK) {
		rerr_log(&err);
		return rstatus_exit(rc);
	}
	printf("%s: valid (%zu services, %zu policies, %zu zone files%s)\n", file, sum.services,
	       sum.policies, sum.zones, cfg->offline ? ", offline" : "");
	config_free(cfg);
	return EXIT_COMPLIANT;
}
