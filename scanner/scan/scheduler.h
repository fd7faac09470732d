/*
 * scheduler: the loop of `residency serve`. Waits for the next scan time (an
 * interval with jitter counted from the last complete scan in the database, or
 * a cron expression), takes the database's scan lock, runs the scan exactly as
 * `residency scan` does (scan/setup, scan/run, scan/work), logs one line,
 * then compares it with the previous complete scan and POSTs the drift to the
 * configured webhook. Refreshes remote range sources on their own cadence.
 *
 * Signals: SIGTERM/SIGINT stop it (a scan in progress ends its current step
 * and is recorded as interrupted); SIGHUP reloads the configuration through
 * the checks of `config check`, keeping the old one when the new one fails.
 * They are delivered only where the loop waits, resolves or sends, never in
 * the middle of storing. PostgreSQL going away is waited out with backoff.
 */
#ifndef RESIDENCY_SCHEDULER_H
#define RESIDENCY_SCHEDULER_H

#include "core/rerr.h"

#include <stdbool.h>

struct scheduler_opts {
	const char *config; /* the configuration file */
	const char *db;	    /* overrides its "database"; NULL: it does not */
	bool once;	    /* one turn now, then return */
};

struct scheduler_result {
	int scans;	   /* scans stored complete */
	int skipped;	   /* turns left to another serve */
	bool interrupted;  /* a scan was stopped by a signal */
	bool violations;   /* the last scan stored found violations */
	enum rstatus last; /* R_OK, or why the last turn could not complete */
	int signal;	   /* the signal that stopped it; 0 when none */
};

/*
 * Runs until SIGTERM or SIGINT, or for one turn when o->once. Installs its own
 * handlers for SIGTERM, SIGINT and SIGHUP and restores them before returning.
 * Returns an error only when it cannot start (a configuration that does not
 * pass, R_EINPUT with file:line in err); how turns went is in *res.
 */
enum rstatus scheduler_run(const struct scheduler_opts *o, struct scheduler_result *res,
			   struct rerr *err);

#endif
