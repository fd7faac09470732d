/*
 * work: one worker's part of a scan stored job by job (store/scan_jobs.h), with
 * what a long scan meets on the way: PostgreSQL going away and coming back
 * (reconnect with backoff; the job in hand is done again, nothing is stored
 * twice), a signal (*stop: the job in hand is finished and stored, then the
 * scan is marked interrupted; in->stop, a second signal: the job in hand is
 * abandoned and rolled back), other workers (jobs they hold are waited
 * for, and taken over when their worker dies).
 *
 * The worker that begins (or resumes) a scan owns its ending: a signal marks
 * it interrupted, an error failed. A worker that joins a running scan only
 * leaves on either; its job goes back to the others.
 */
#ifndef RESIDENCY_WORK_H
#define RESIDENCY_WORK_H

#include "core/config.h"
#include "scan/run.h"
#include "store/scan_jobs.h"
#include "store/scan_write.h"

#include <signal.h>
#include <stdbool.h>

#define WORK_JOB_ENDPOINTS 1000 /* default size of a job, in endpoints */
/* DNS answers a worker's log holds before, all stored, it is emptied between
 * two jobs (the answers and their strings, about 20 MiB). */
#define WORK_FORGET_ANSWERS 65536
/* Seconds the job in hand gets to finish after a first SIGTERM/SIGINT:
 * RESIDENCY_STOP_GRACE from the environment (0 to 3600), else this. */
#define WORK_STOP_GRACE 5
unsigned work_stop_grace(void);

struct scan_work {
	const struct config *cfg;
	const char *conninfo;	    /* the database */
	const struct run_input *in; /* in->stop (a signal number): abandon the job in hand */
	/* A signal number: stop after the job in hand is stored. NULL: never. */
	const volatile sig_atomic_t *stop;
	long long id;	      /* 0: a new scan; else the one to resume or join.
				 Out: the scan's id */
	bool join;	      /* join running scan id instead of resuming it */
	size_t job_endpoints; /* a new scan's job size; 0: WORK_JOB_ENDPOINTS */
	unsigned patience;    /* seconds PostgreSQL may be away in a row */
	bool *locked;	      /* serve: the scan lock is taken again after a
				 reconnect, and this says whether it was; or NULL */
	/* Out. */
	bool begun;		   /* the scan exists (id is set) */
	size_t jobs;		   /* jobs this worker stored */
	struct scan_counts counts; /* when complete */
};

/*
 * Begins, resumes or joins the scan, works jobs until none is left, waits for
 * those other workers hold, and completes the scan. R_OK: complete, with its
 * counts. R_ESTOPPED: stopped by a signal (err says what became of the scan).
 * *st is the connection (opened when NULL, replaced when lost).
 */
enum rstatus scan_work(struct scan_work *w, struct run *r, struct store **st, struct rerr *err);

#endif
