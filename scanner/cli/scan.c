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
#include "report/digest.h"
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
	fprintf(
	    f, "usage: residency scan -c FILE [--db CONNINFO] [--date YYYY-MM-DD] [--resume ID]\n\n"
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
	       "SIGTERM or SIGINT stops the scan at the step in hand; it is recorded as\n"
	       "interrupted (nothing of it was stored: a scan is stored all at once) and\n"
	       "--resume ID runs it again under its own id, with the same configuration\n"
	       "file (its SHA-256 is checked). A failed scan can be resumed the same way.\n"
	       "On a terminal, a line on stderr shows services and endpoints done and the rate.\n"
	       "A database that cannot be reached at the start is an error (exit 3); one\n"
	       "lost while the scan runs is waited for, up to 5 minutes, with the run kept\n"
	       "in memory, and the scan is stored when it is back.\n\n"
	       "Not in this build: splitting one scan between workers.\n\n"
	       "Exit: 0 stored and compliant; 1 stored with findings; 2 bad configuration or\n"
	       "input, or a scan that cannot be resumed; 3 could not complete (database,\n"
	       "ranges, interrupted).\n");
}

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void catch_stop(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* A stopped scan is history too: recorded interrupted, with nothing stored. */
static void interrupted(const struct config *cfg, const char *db, long long resume, time_t started,
			struct rerr *err)
{
	struct store *st = NULL;
	struct rerr e;
	long long id = resume;
	char sha[DIGEST_HEXLEN] = "", why[128];

	snprintf(why, sizeof(why), "interrupted by %s before anything was stored",
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

#define STORE_PATIENCE 300 /* seconds PostgreSQL may be away while the run waits */

/*
 * Stores the run, whole or not at all. When PostgreSQL is unreachable (stopped,
 * restarting), the run stays in memory and storing starts again with backoff;
 * a scan row left running by a lost connection is marked failed and stored
 * into again under its own id, so nothing is duplicated. A signal meanwhile
 * waits for the commit, or ends the waiting.
 */
static enum rstatus store_with_retries(const struct config *cfg, const char *db,
				       const struct run *r, struct store **st, long long *id,
				       struct scan_counts *n, struct rerr *err)
{
	sigset_t block, old;
	enum rstatus rc;
	unsigned waited = 0, delay = 1;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	for (;;) {
		if (*st != NULL || (rc = store_open(db ? db : cfg->database, st, err)) == R_OK) {
			bool changed;
			struct rerr ignore;
			if (*id > 0) /* left running when the connection went */
				store_scan_abandon(*st, *id,
						   "the connection to PostgreSQL was lost",
						   &changed, &ignore);
			sigprocmask(SIG_BLOCK, &block, &old);
			rc = persist_resume(*st, cfg, r, id, n, err);
			sigprocmask(SIG_SETMASK, &old, NULL);
			if (rc == R_OK)
				return R_OK;
		}
		bool gone = *st == NULL || PQstatus(store_conn(*st)) != CONNECTION_OK;
		if (rc != R_EDB || !gone || waited >= STORE_PATIENCE || stop_signal)
			return rc;
		char msg[1024];
		log_warnx("PostgreSQL is unreachable (%s): storing again in %u s; the scan's "
			  "observations are kept in memory",
			  rerr_format(err, msg, sizeof(msg)), delay);
		store_close(*st);
		*st = NULL;
		sleep(delay);
		waited += delay;
		delay = delay < 16 ? delay * 2 : 30;
	}
}

int cmd_scan(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
	    {"date", required_argument, NULL, 'D'},   {"resume", required_argument, NULL, 'R'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0},
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
	long long resume = 0;

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
		case 'R': {
			char *end;
			resume = strtoll(optarg, &end, 10);
			if (*end || resume <= 0)
				return cli_usage_error("scan", "--resume takes a scan id");
			break;
		}
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
	/* The database first: one that cannot be reached fails now, not after the
	 * whole run (one lost later is waited for: see store_with_retries). */
	if ((rc = store_open(db ? db : cfg->database, &st, &err)) != R_OK)
		goto out;
	setup_input(cfg, &in, src);
	in.stop = &stop_signal;
	catch_stop();
	if ((rc = run_estate(&in, &r, &err)) == R_ESTOPPED) {
		interrupted(cfg, db, resume, now, &err);
		goto out;
	}
	if (rc != R_OK)
		goto out;
	long long id = resume;
	struct scan_counts n;
	if ((rc = store_with_retries(cfg, db, r, &st, &id, &n, &err)) != R_OK)
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
