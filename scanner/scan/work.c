/*
 * work: a worker's loop over a scan's jobs (see work.h).
 */
#include "scan/work.h"
#include "core/log.h"
#include "store/scans.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

unsigned work_stop_grace(void)
{
	const char *v = getenv("RESIDENCY_STOP_GRACE");
	char *end;
	long n = v && *v ? strtol(v, &end, 10) : -1;

	return n >= 0 && n <= 3600 && *end == '\0' ? (unsigned)n : WORK_STOP_GRACE;
}

static bool stopping(const struct scan_work *w)
{
	return (w->stop && *w->stop) || (w->in->stop && *w->in->stop);
}

static const char *signame(const struct scan_work *w)
{
	return w->stop && *w->stop == SIGINT ? "SIGINT" : "SIGTERM";
}

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL); /* a signal ends it early: the loop looks again */
}

/* "host:pid", as scan_jobs.worker records who stored a job. */
static void worker_name(char *out, size_t n)
{
	char host[256];
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "?");
	host[sizeof(host) - 1] = '\0';
	snprintf(out, n, "%s:%ld", host, (long)getpid());
}

/*
 * Stores the claimed job: its services [job->from, job->to) of the run, and
 * the DNS answers logged from *answers_from on, which moves past them once
 * they are stored. On error the job is rolled back.
 */
static enum rstatus save_job(struct store *st, const struct run *r, long long id,
			     const struct scan_job *job, const char *worker, size_t *answers_from,
			     struct rerr *err)
{
	const struct dns_answer *ans;
	size_t nans = dns_answers(r->dns, &ans), n = job->to - job->from;
	struct scan_job_service *v = calloc(n + 1, sizeof(*v));
	enum rstatus rc;

	if (v == NULL) {
		store_scan_rollback(st);
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		const struct run_service *rs = &r->services[job->from + i];
		v[i].service = &r->estate->v[job->from + i];
		v[i].idx = job->from + i;
		v[i].paths = rs->paths;
		v[i].is_mail = rs->is_mail;
		v[i].npaths = rs->npaths;
		v[i].judged = &rs->judged;
	}
	struct scan_job_rows rows = {
	    .scan_id = id,
	    .job = job,
	    .services = v,
	    .nservices = n,
	    .attrib = r->attrib,
	    /* None new (or a log that restarted): none stored, as before. */
	    .answers = nans > *answers_from ? ans + *answers_from : NULL,
	    .nanswers = nans > *answers_from ? nans - *answers_from : 0,
	    .worker = worker,
	};
	if ((rc = store_scan_job(st, &rows, err)) == R_OK)
		*answers_from = nans;
	free(v);
	return rc;
}

/* The end of the scan, when this worker owns it (see work.h). */
static enum rstatus end_scan(struct scan_work *w, struct store *st, const char *status,
			     enum rstatus rc, struct rerr *err)
{
	char why[2048], msg[1800];
	bool changed = false;
	struct rerr e2;

	if (rc == R_ESTOPPED && strcmp(status, "interrupted") == 0)
		snprintf(why, sizeof(why),
			 "interrupted by %s; %zu job%s stored by this worker %s kept%s", signame(w),
			 w->jobs, w->jobs == 1 ? "" : "s", w->jobs == 1 ? "is" : "are",
			 w->in->stop && *w->in->stop ? ", the one in hand was rolled back" : "");
	else
		snprintf(why, sizeof(why), "%s", rerr_format(err, msg, sizeof(msg)));
	if (!w->join && store_connected(st))
		(void)store_scan_end(st, w->id, status, why, &changed, &e2);
	if (rc == R_ESTOPPED && strcmp(status, "interrupted") == 0) {
		if (w->join)
			return rerr_set(err, R_ESTOPPED, NULL, 0,
					"stopped by %s: this worker left scan %lld after storing "
					"%zu job%s; its job in hand goes back to the others",
					signame(w), w->id, w->jobs, w->jobs == 1 ? "" : "s");
		return rerr_set(
		    err, R_ESTOPPED, NULL, 0,
		    "scan %lld %s%s; resume it with: residency scan -c %s --resume %lld", w->id,
		    why, changed ? "" : " (it could not be marked so)", w->cfg->file, w->id);
	}
	return rc;
}

enum rstatus scan_work(struct scan_work *w, struct run *r, struct store **st, struct rerr *err)
{
	char worker[300], msg[2048];
	size_t answers_from = 0;
	unsigned waited = 0, delay = 1;
	bool fresh = true; /* a connection this loop has not tuned yet */
	enum rstatus rc;
	sigset_t block, old;

	worker_name(worker, sizeof(worker));
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	w->begun = false;
	w->jobs = 0;
	for (;;) {
		struct scan_job job;
		size_t undone = 0;
		bool complete = false;

		if (*st == NULL) {
			fresh = true;
			if ((rc = store_open(w->conninfo, st, err)) != R_OK)
				goto trouble;
			if (w->locked && (rc = store_scan_lock(*st, w->locked, err)) != R_OK)
				goto trouble;
		}
		if (fresh) {
			if ((rc = store_keepalives(*st, err)) != R_OK)
				goto trouble;
			fresh = false;
		}
		if (!w->begun) {
			if (stopping(w))
				return rerr_set(err, R_ESTOPPED, NULL, 0,
						"stopped by %s before the scan began", signame(w));
			rc = w->join ? store_scan_join(*st, r->estate, r->attrib, w->id, err)
				     : store_scan_begin(*st, w->cfg, r->estate, r->attrib,
							w->job_endpoints ? w->job_endpoints
									 : WORK_JOB_ENDPOINTS,
							&w->id, err);
			if (rc != R_OK)
				goto trouble;
			w->begun = true;
		}
		if (stopping(w)) {
			/* The job in hand is stored: the scan ends here, complete when
			 * nothing else was left to do. */
			run_progress_end();
			if (store_scan_complete(*st, w->cfg, w->id, &complete, &w->counts, err) ==
				R_OK &&
			    complete)
				return R_OK;
			return end_scan(w, *st, "interrupted", R_ESTOPPED, err);
		}
		if ((rc = store_scan_claim(*st, w->id, &job, &undone, err)) != R_OK)
			goto trouble;
		if (job.held) {
			if ((rc = run_services(r, w->in, job.from, job.to, err)) != R_OK) {
				store_scan_rollback(*st);
				run_drop_services(r, job.from, job.to);
				run_progress_end();
				return end_scan(w, *st, rc == R_ESTOPPED ? "interrupted" : "failed",
						rc, err);
			}
			/* A signal now waits for the commit: the job is whole or absent. */
			sigprocmask(SIG_BLOCK, &block, &old);
			rc = save_job(*st, r, w->id, &job, worker, &answers_from, err);
			sigprocmask(SIG_SETMASK, &old, NULL);
			run_drop_services(r, job.from, job.to);
			if (rc != R_OK)
				goto trouble;
			w->jobs++;
			waited = 0;
			delay = 1;
			continue;
		}
		if (undone > 0) { /* held by other workers: theirs, or back to us if they die */
			pause_ms(200);
			continue;
		}
		if ((rc = store_scan_complete(*st, w->cfg, w->id, &complete, &w->counts, err)) !=
		    R_OK)
			goto trouble;
		if (complete) {
			run_progress_end();
			return R_OK;
		}
		continue;
	trouble:
		if (rc != R_EDB || store_connected(*st) || waited >= w->patience || stopping(w)) {
			run_progress_end();
			if (w->begun && rc != R_ESTOPPED)
				return end_scan(w, *st, "failed", rc, err);
			return rc;
		}
		run_progress_end();
		log_warnx("PostgreSQL is unreachable (%s): trying again in %u s; %s",
			  rerr_format(err, msg, sizeof(msg)), delay,
			  w->begun ? "the jobs stored are kept, the one in hand is done again"
				   : "the scan has not begun");
		store_close(*st);
		*st = NULL;
		sleep(delay);
		waited += delay;
		delay = delay < 16 ? delay * 2 : 30;
	}
}
