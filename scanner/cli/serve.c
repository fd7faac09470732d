/*
 * cli/serve: `residency serve -c FILE [--once]`: the scheduler daemon. The loop
 * itself is scan/scheduler; here the flags and the exit code.
 */
#include "cli/cli.h"
#include "core/log.h"
#include "scan/scheduler.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: residency serve -c FILE [--db CONNINFO] [--once]\n\n"
	    "Runs scans on the configuration's \"schedule\" and stores each in PostgreSQL,\n"
	    "exactly as 'residency scan -c FILE' does, logging one line per scan (id,\n"
	    "verdict, counts, duration) on stderr. Runs in the foreground until SIGTERM or\n"
	    "SIGINT.\n\n"
	    "  -c, --config FILE   the configuration (see 'residency config check')\n"
	    "  --db CONNINFO       overrides the configuration's \"database\"\n"
	    "  --once              one turn now (no waiting for the schedule), then exit\n\n"
	    "Schedule: {\"every\": \"6h\", \"jitter\": \"10m\"} counts from the start of the last\n"
	    "complete scan in the database (the first scan of an empty database runs at\n"
	    "once), or {\"cron\": \"0 3 * * *\"} in UTC. \"ranges_refresh\": {\"every\": \"1d\"}\n"
	    "refreshes the configuration's http(s) range sources (conditional requests; the\n"
	    "last good snapshot is kept) between scans.\n\n"
	    "One scan at a time per database: a scan holds a PostgreSQL advisory lock; a\n"
	    "serve that finds it taken, or finds that another serve already completed this\n"
	    "turn's scan, logs it and skips the turn.\n\n"
	    "Drift: after each scan, every service whose verdict or set of countries changed\n"
	    "since the previous complete scan is logged and, with a \"webhook\" URL, POSTed as\n"
	    "one JSON body (retried with backoff on failures and 5xx for at most 30 s; a\n"
	    "failed alert is logged and never fails the stored scan).\n\n"
	    "Signals: SIGTERM or SIGINT stops it; a scan in progress ends its current step\n"
	    "and is recorded with status \"interrupted\" (its observations are committed\n"
	    "together at its end, so none are; a scan being stored is stored first). SIGHUP\n"
	    "reloads the configuration with the checks of 'config check'; a bad one is\n"
	    "refused (file:line logged) and the old one kept. PostgreSQL going away is\n"
	    "waited out with backoff (1 s doubling to 1 min); a scan whose storing was cut\n"
	    "off is marked failed and stored again.\n\n"
	    "Exit: 0 stopped by a signal, or with --once: the scan stored compliant, the turn\n"
	    "skipped, or the scan interrupted; 1 with --once: stored with violations; 2 bad\n"
	    "usage or configuration (also: no \"schedule\" without --once); 3 with --once: the\n"
	    "scan could not complete (DNS, database unreachable after 3 tries, ...).\n");
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"db", required_argument, NULL, 'd'},
	    {"once", no_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct scheduler_opts o;
	struct scheduler_result res;
	struct rerr err;
	enum rstatus rc;
	int ch;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.config = optarg;
			break;
		case 'd':
			o.db = optarg;
			break;
		case 'o':
			o.once = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_COMPLIANT;
		default:
			return cli_usage_error("serve", "bad option");
		}
	}
	if (o.config == NULL || optind != argc)
		return cli_usage_error("serve", "-c FILE is required, and nothing else");
	rerr_clear(&err);
	if ((rc = scheduler_run(&o, &res, &err)) != R_OK) {
		rerr_log(&err);
		return rstatus_exit(rc);
	}
	if (res.signal || !o.once)
		return EXIT_COMPLIANT;
	if (res.last != R_OK)
		return rstatus_exit(res.last);
	return res.violations && res.scans > 0 ? EXIT_VIOLATION : EXIT_COMPLIANT;
}
