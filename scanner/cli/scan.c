/*
 * cli/scan: `residency scan -c FILE`: one scan of the configured estate, stored
 * in PostgreSQL with everything it observed and judged.
 */
#include "cli/cli.h"
#include "core/config.h"
#include "core/digest.h"
#include "core/log.h"
#include "scan/run.h"
#include "scan/setup.h"
#include "scan/work.h"
#include "store/scan_write.h"
#include "store/scans.h"

#include <signal.h>
#include <unistd.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: residency scan -c FILE [--db CONNINFO] [--date YYYY-MM-DD]\n"
		"                      [--job-endpoints N] [--resume ID | --join ID]\n\n"
		"Runs one scan of the estate the configuration file names (zones, policies,\n"
		"ranges, GeoIP) and stores it in PostgreSQL: every path element, every\n"
		"attribution with what each source said, every finding with its path, every\n"
		"DNS answer, and the texts and data sources it was judged with. Prints the\n"
		"scan's id and counts when it is complete.\n\n"
		"  -c, --config FILE    the configuration (see 'residency config check')\n"
		"  --db CONNINFO        overrides the configuration's \"database\"\n"
		"  --date YYYY-MM-DD    the day waivers are judged against (default today, UTC)\n"
		"  --job-endpoints N    services are cut into jobs of at least N endpoints\n"
		"                       (and mail domains) each; default 1000\n"
		"  --resume ID          take up scan ID, interrupted or failed, again\n"
		"  --join ID            work on running scan ID beside its other workers\n\n"
		"A scan is stored job by job: each job's observations are committed together\n"
		"with the job marked done, so a job is stored whole or not at all, and the\n"
		"scan is marked complete (with its link in the evidence chain) when every job\n"
		"is done. Any number of processes, on any machines reaching the same\n"
		"database, can work on one scan with --join: each claims jobs nobody holds\n"
		"(FOR UPDATE SKIP LOCKED), so no endpoint is done twice or missed, and a job\n"
		"whose worker dies goes back to the others. A joining worker must judge with\n"
		"the same estate, policies, range sets and GeoIP database (their SHA-256 are\n"
		"checked); it prints the whole scan's counts when the scan is complete.\n\n"
		"Names no zone covers are asked of the configuration's \"resolvers\" (the\n"
		"system's when none), unless it says \"offline\": true. 'residency serve' runs\n"
		"this same scan on a schedule.\n\n"
		"SIGTERM or SIGINT: the job in hand is finished and stored, and the scan is\n"
		"marked interrupted; a job still not done %d s later (RESIDENCY_STOP_GRACE in\n"
		"the environment), or at a second signal, is rolled back instead. --resume ID does "
		"only the jobs left, with the same\n"
		"configuration file (its SHA-256 is checked); a failed scan is resumed the\n"
		"same way. A joined worker that is stopped only leaves. On a terminal, a line\n"
		"on stderr shows services and endpoints done and the rate. A database that\n"
		"cannot be reached at the start is an error (exit 3); one lost while the scan\n"
		"runs is waited for, up to 5 minutes, and the job in hand is done again.\n\n"
		"Exit: 0 complete and compliant; 1 complete with findings; 2 bad\n"
		"configuration or input, or a scan that cannot be resumed or joined; 3 could\n"
		"not complete (database, ranges, DNS, interrupted).\n",
		WORK_STOP_GRACE);
}

/* The first signal: stop after the job in hand; a second, or WORK_STOP_GRACE
 * seconds later (SIGALRM): abandon it. */
static volatile sig_atomic_t stop_signal, abandon_signal;
static unsigned stop_grace;

static void on_stop(int sig)
{
	if (sig == SIGALRM) {
		abandon_signal = stop_signal ? stop_signal : SIGTERM;
		return;
	}
	if (stop_signal)
		abandon_signal = sig;
	else if (stop_grace)
		alarm(stop_grace);
	else
		abandon_signal = sig;
	stop_signal = sig;
}

static void catch_stop(void)
{
	struct sigaction sa;
	stop_grace = work_stop_grace();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
}

/* A scan stopped before it began is history too: recorded interrupted, with
 * nothing stored (a resumed one stays as it was). */
static void interrupted(const struct config *cfg, const char *db, long long resume, time_t started,
			struct rerr *err)
{
	struct store *st = NULL;
	struct rerr e;
	long long id = resume;
	char sha[DIGEST_HEXLEN] = "", why[128];

	snprintf(why, sizeof(why), "interrupted by %s before anything of this run was stored",
		 stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
	if (cfg->text)
		digest_sha256_hex(cfg->text, strlen(cfg->text), sha);
	rerr_clear(&e);
	if (store_open(db ? db : cfg->database, &st, &e) == R_OK && resume == 0) {
		struct scan_stub stub = {
		    "interrupted", cfg->estate,		cfg->file, (const char *const *)cfg->zones,
		    cfg->nzones,   sha[0] ? sha : NULL, started,   why};
		if (store_scan_stub(st, &stub, &id, &e) != R_OK)
			id = 0;
	}
	store_close(st);
	if (id > 0)
		rerr_set(err, R_ESTOPPED, NULL, 0,
			 "scan %lld %s; resume it with: residency scan -c %s --resume %lld", id,
			 why, cfg->file, id);
	else
		rerr_set(err, R_ESTOPPED, NULL, 0, "the scan was %s (and could not be recorded)",
			 why);
}

#define STORE_PATIENCE 300 /* seconds PostgreSQL may be away in a row */

/* A scan id or a job size: a positive number. */
static bool positive(const char *s, long long *v)
{
	char *end;
	*v = strtoll(s, &end, 10);
	return *s && !*end && *v > 0;
}

int cmd_scan(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"db", required_argument, NULL, 'd'},
	    {"date", required_argument, NULL, 'D'},
	    {"resume", required_argument, NULL, 'R'},
	    {"join", required_argument, NULL, 'J'},
	    {"job-endpoints", required_argument, NULL, 'E'},
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
	long long resume = 0, join = 0, job_endpoints = 0;

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
		case 'R':
			if (!positive(optarg, &resume))
				return cli_usage_error("scan", "--resume takes a scan id");
			break;
		case 'J':
			if (!positive(optarg, &join))
				return cli_usage_error("scan", "--join takes a scan id");
			break;
		case 'E':
			if (!positive(optarg, &job_endpoints) || job_endpoints > 100000000)
				return cli_usage_error("scan",
						       "--job-endpoints takes a number from 1 on");
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
	if (resume && join)
		return cli_usage_error("scan", "--resume and --join do not go together");
	if ((rc = config_load(file, &cfg, &err)) != R_OK)
		goto out;
	/* The database first: one that cannot be reached fails now, not after
	 * loading everything (one lost later is waited for: see scan/work.h). */
	if ((rc = store_open(db ? db : cfg->database, &st, &err)) != R_OK)
		goto out;
	setup_input(cfg, &in, src);
	in.stop = &abandon_signal;
	catch_stop();
	struct scan_work w = {
	    .stop = &stop_signal,
	    .cfg = cfg,
	    .conninfo = db ? db : cfg->database,
	    .in = &in,
	    .id = join ? join : resume,
	    .join = join > 0,
	    .job_endpoints = (size_t)job_endpoints,
	    .patience = STORE_PATIENCE,
	};
	if ((rc = run_open(&in, &r, &err)) == R_OK)
		rc = scan_work(&w, r, &st, &err);
	if (rc == R_ESTOPPED && !w.begun && !join) {
		interrupted(cfg, db, resume, now, &err);
		goto out;
	}
	if (rc != R_OK)
		goto out;
	const struct scan_counts *n = &w.counts;
	printf("scan %lld: complete, %s: %zu finding%s (+%zu waived) in %zu services, %zu paths; "
	       "stored %zu path elements (in %zu rows and %zu shared), %zu attributions, %zu DNS "
	       "answers; %zu job%s by this worker\n",
	       w.id, n->findings ? "violation" : "compliant", n->findings,
	       n->findings == 1 ? "" : "s", n->waived, n->services, n->paths, n->elements,
	       n->element_rows, n->part_elements, n->attributions, n->answers, w.jobs,
	       w.jobs == 1 ? "" : "s");
	status = n->findings ? EXIT_VIOLATION : EXIT_COMPLIANT;
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
