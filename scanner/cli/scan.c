/*
 * cli/scan: `residency scan -c FILE`: one scan of the configured estate, stored
 * in PostgreSQL with everything it observed and judged.
 */
#include "cli/cli.h"
#include "core/config.h"
#include "core/log.h"
#include "scan/persist.h"
#include "scan/run.h"
#include "scan/setup.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: residency scan -c FILE [--db CONNINFO] [--date YYYY-MM-DD]\n\n"
		"Runs one scan of the estate the configuration file names (zones, policies,\n"
		"ranges, GeoIP) and stores it in PostgreSQL: every path element, every\n"
		"attribution with what each source said, every finding with its path, every\n"
		"DNS answer, and the hashes of the configuration and the policies. All of it\n"
		"is committed at once with the scan marked complete; a scan that fails is\n"
		"marked failed with the reason. Prints the scan id.\n\n"
		"  -c, --config FILE   the configuration (see 'residency config check')\n"
		"  --db CONNINFO       overrides the configuration's \"database\"\n"
		"  --date YYYY-MM-DD   the day waivers are judged against (default today, UTC)\n\n"
		"Names no zone covers are asked of the configuration's \"resolvers\" (the\n"
		"system's when none), unless it says \"offline\": true. 'residency serve' runs\n"
		"this same scan on a schedule.\n\n"
		"Not in this build: resuming an interrupted scan, splitting one scan between\n"
		"workers.\n\n"
		"Exit: 0 stored and compliant; 1 stored with findings; 2 bad configuration or\n"
		"input; 3 could not complete (database, ranges).\n");
}

int cmd_scan(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"db", required_argument, NULL, 'd'},
	    {"date", required_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *file = NULL, *db = NULL;
	struct config *cfg = NULL;
	struct run *r = NULL;
	struct store *st = NULL;
	struct rerr err;
	enum rstatus rc;
	struct run_input in;
	struct attrib_source src[CONFIG_MAX_LIST];
	int ch, status = EXIT_INCOMPLETE;
	time_t now = time(NULL);
	struct tm tm;

	memset(&in, 0, sizeof(in));
	gmtime_r(&now, &tm);
	strftime(in.today, sizeof(in.today), "%Y-%m-%d", &tm);
	rerr_clear(&err);
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'D':
			if (strlen(optarg) != 10 || optarg[4] != '-' || optarg[7] != '-')
				return cli_usage_error("scan", "--date takes YYYY-MM-DD");
			memcpy(in.today, optarg, 11);
			break;
		case 'h':
			usage(stdout);
			return EXIT_COMPLIANT;
		default:
			return cli_usage_error("scan", "bad option");
		}
	}
	if (file == NULL || optind != argc)
		return cli_usage_error("scan", "-c FILE is required, and nothing else");
	if ((rc = config_load(file, &cfg, &err)) != R_OK)
		goto out;
	setup_input(cfg, &in, src);
	if ((rc = run_estate(&in, &r, &err)) != R_OK)
		goto out;
	if ((rc = store_open(db ? db : cfg->database, &st, &err)) != R_OK)
		goto out;
	long long id;
	struct scan_counts n;
	if ((rc = persist_scan(st, cfg, r, &id, &n, &err)) != R_OK)
		goto out;
	printf("scan %lld: complete, %s: %zu finding%s (+%zu waived) in %zu services, %zu paths; "
	       "stored %zu path elements, %zu attributions, %zu DNS answers\n",
	       id, n.findings ? "violation" : "compliant", n.findings, n.findings == 1 ? "" : "s",
	       n.waived, n.services, r->endpoints, n.elements, n.attributions, n.answers);
	status = n.findings ? EXIT_VIOLATION : EXIT_COMPLIANT;
out:
	if (rc != R_OK) {
		rerr_log(&err);
		status = rstatus_exit(rc);
	}
	store_close(st);
	run_free(r);
	config_free(cfg);
	return status;
}
