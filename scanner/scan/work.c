/*
 * work: a worker's loop over a scan's jobs (see work.h).
 */
#include "scan/work.h"
#include "core/log.h"
#include "store/scans.h"

#include <limits.h>
#include <pthread.h>
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

/* The log's size at which it is emptied: RESIDENCY_FORGET_ANSWERS from the
 * environment (1 to WORK_FORGET_ANSWERS; tests set it low), else the default. */
static size_t forget_answers(void)
{
	const char *v = getenv("RESIDENCY_FORGET_ANSWERS");
	char *end;
	long n = v && *v ? strtol(v, &end, 10) : -1;

	return n >= 1 && n <= WORK_FORGET_ANSWERS && *end == '\0' ? (size_t)n : WORK_FORGET_ANSWERS;
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
 * The writer: a thread that stores job N, on the connection that claimed it,
 * while the worker resolves and judges job N+1 on another (issue 16: a
 * pipeline, not a sequence). It holds one job at a time. What it reads stays
 * unchanged until the worker takes its outcome: the job's services (their
 * paths and judgements are dropped only then), the run's attribution data
 * (read only), and a copy of the slice of the DNS answer log the job stores
 * (the log itself grows, and moves, as job N+1 resolves). The thread blocks
 * every signal: a signal reaches the worker, which lets the job in the
 * writer's hands commit or fail whole before it ends the scan.
 */
struct writer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running; /* the thread exists */
	bool has_job; /* a job was given and its outcome not yet taken */
	bool done;    /* the job's outcome is in rc and err */
	bool quit;
	struct store *st;
	struct scan_job job;
	struct scan_job_service *svc;
	struct dns_answer *answers;
	size_t answers_end; /* the log's count once this job's answers are stored */
	struct scan_job_rows rows;
	enum rstatus rc;
	struct rerr err;
};

static void *writer_main(void *arg)
{
	struct writer *wr = arg;

	pthread_mutex_lock(&wr->mu);
	for (;;) {
		while (!wr->quit && !(wr->has_job && !wr->done))
			pthread_cond_wait(&wr->cv, &wr->mu);
		if (wr->quit)
			break;
		pthread_mutex_unlock(&wr->mu);
		struct rerr e;
		rerr_clear(&e);
		enum rstatus rc = store_scan_job(wr->st, &wr->rows, &e);
		pthread_mutex_lock(&wr->mu);
		wr->rc = rc;
		wr->err = e;
		wr->done = true;
		pthread_cond_broadcast(&wr->cv);
	}
	pthread_mutex_unlock(&wr->mu);
	return NULL;
}

static enum rstatus writer_start(struct writer *wr, struct rerr *err)
{
	sigset_t block, old;
	int e;

	memset(wr, 0, sizeof(*wr));
	pthread_mutex_init(&wr->mu, NULL);
	pthread_cond_init(&wr->cv, NULL);
	/* Every signal goes to the worker (SIGTERM, SIGINT, the grace timer's
	 * SIGALRM, serve's SIGHUP), so that its waits end when they should. */
	sigfillset(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old); /* the thread inherits it */
	e = pthread_create(&wr->thread, NULL, writer_main, wr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		pthread_cond_destroy(&wr->cv);
		pthread_mutex_destroy(&wr->mu);
		return rerr_set(err, R_ENOMEM, NULL, 0, "cannot start the writer thread: %s",
				strerror(e));
	}
	wr->running = true;
	return R_OK;
}

/* Frees what the job in hand was given; its outcome must have been taken. */
static void writer_clear(struct writer *wr)
{
	/* The flags under the lock: the thread must never see a half-cleared
	 * job as a new one and store freed services again. */
	pthread_mutex_lock(&wr->mu);
	wr->has_job = false;
	wr->done = false;
	pthread_mutex_unlock(&wr->mu);
	free(wr->svc);
	free(wr->answers);
	wr->svc = NULL;
	wr->answers = NULL;
}

static void writer_stop(struct writer *wr)
{
	if (!wr->running)
		return;
	pthread_mutex_lock(&wr->mu);
	while (wr->has_job && !wr->done)
		pthread_cond_wait(&wr->cv, &wr->mu);
	wr->quit = true;
	pthread_cond_broadcast(&wr->cv);
	pthread_mutex_unlock(&wr->mu);
	pthread_join(wr->thread, NULL);
	writer_clear(wr);
	pthread_cond_destroy(&wr->cv);
	pthread_mutex_destroy(&wr->mu);
	wr->running = false;
}

/*
 * Gives the writer the claimed job on st: its services [job->from, job->to)
 * of the run and the DNS answers logged from *handed on, which moves past
 * them. The writer must have no job. On error nothing was given.
 */
static enum rstatus writer_give(struct writer *wr, struct store *st, const struct run *r,
				long long id, const struct scan_job *job, const char *worker,
				size_t *handed, struct rerr *err)
{
	const struct dns_answer *ans;
	size_t nans = dns_answers(r->dns, &ans), n = job->to - job->from;
	size_t nnew = nans > *handed ? nans - *handed : 0;

	wr->svc = calloc(n + 1, sizeof(*wr->svc));
	wr->answers = malloc((nnew + 1) * sizeof(*wr->answers));
	if (wr->svc == NULL || wr->answers == NULL) {
		writer_clear(wr);
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		const struct run_service *rs = &r->services[job->from + i];
		wr->svc[i].service = &r->estate->v[job->from + i];
		wr->svc[i].idx = job->from + i;
		wr->svc[i].paths = rs->paths;
		wr->svc[i].is_mail = rs->is_mail;
		wr->svc[i].npaths = rs->npaths;
		wr->svc[i].judged = &rs->judged;
	}
	if (nnew)
		memcpy(wr->answers, ans + *handed, nnew * sizeof(*ans));
	wr->st = st;
	wr->job = *job;
	wr->answers_end = nans;
	wr->rows = (struct scan_job_rows){
	    .scan_id = id,
	    .job = &wr->job,
	    .services = wr->svc,
	    .nservices = n,
	    .attrib = r->attrib,
	    /* None new (or a log that restarted): none stored, as before. */
	    .answers = nnew ? wr->answers : NULL,
	    .nanswers = nnew,
	    .worker = worker,
	};
	*handed = nans;
	pthread_mutex_lock(&wr->mu);
	wr->has_job = true;
	wr->done = false;
	pthread_cond_broadcast(&wr->cv);
	pthread_mutex_unlock(&wr->mu);
	return R_OK;
}

/*
 * Waits for the job the writer has, if any, and takes its outcome: its
 * services are dropped either way. Stored: it counts as this worker's and
 * *answers_from moves past its answers. Failed (rolled back; it is done again
 * by whoever claims it): the writer's error in err, *failed its connection,
 * and *handed goes back to *answers_from, so that the answers not stored yet
 * go with the next job.
 */
static enum rstatus writer_take(struct writer *wr, struct scan_work *w, struct run *r,
				size_t *answers_from, size_t *handed, struct store **failed,
				struct rerr *err)
{
	enum rstatus rc;

	if (!wr->has_job)
		return R_OK;
	pthread_mutex_lock(&wr->mu);
	while (!wr->done)
		pthread_cond_wait(&wr->cv, &wr->mu);
	pthread_mutex_unlock(&wr->mu);
	run_drop_services(r, wr->job.from, wr->job.to);
	if ((rc = wr->rc) == R_OK) {
		*answers_from = wr->answers_end;
		w->jobs++;
	} else {
		*err = wr->err;
		*failed = wr->st;
		*handed = *answers_from;
	}
	writer_clear(wr);
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

/*
 * Whatever ends the loop: the writer's job taken (stored or failed: err keeps
 * the first error), the writer stopped, and the writer's connection closed
 * unless it holds serve's scan lock, in which case it becomes *st.
 */
static void work_end(struct writer *wr, struct scan_work *w, struct run *r, struct store **st,
		     struct store **wconn, struct store **lockconn, size_t *answers_from,
		     size_t *handed)
{
	struct rerr e;
	struct store *failed = NULL;

	rerr_clear(&e);
	(void)writer_take(wr, w, r, answers_from, handed, &failed, &e);
	writer_stop(wr);
	/* *st is kept: the one that works, and of two that work the one that
	 * holds serve's lock (serve unlocks it and goes on with it). */
	bool st_ok = *st && store_connected(*st);
	bool w_ok = *wconn && store_connected(*wconn);
	if (w_ok && (!st_ok || *lockconn == *wconn)) {
		struct store *t = *st;
		*st = *wconn;
		*wconn = t;
	}
	store_close(*wconn);
	*wconn = NULL;
}

enum rstatus scan_work(struct scan_work *w, struct run *r, struct store **st, struct rerr *err)
{
	char worker[300], msg[2048];
	size_t answers_from = 0, handed = 0;
	unsigned waited = 0, delay = 1;
	bool fresh = true; /* a connection this loop has not tuned yet */
	struct writer wr;
	/* The writer's connection: in its hands while it has a job, else a
	 * spare for the next claim. serve's scan lock is held on one of the two. */
	struct store *wconn = NULL, *lockconn = *st && w->locked && *w->locked ? *st : NULL;
	enum rstatus rc;

	size_t forget = forget_answers();

	worker_name(worker, sizeof(worker));
	w->begun = false;
	w->jobs = 0;
	if ((rc = writer_start(&wr, err)) != R_OK)
		return rc;
	for (;;) {
		struct scan_job job;
		struct store *failed = NULL;
		size_t undone = 0;
		bool complete = false;

		if (*st == NULL && wconn != NULL && !wr.has_job) {
			*st = wconn; /* the spare */
			wconn = NULL;
		}
		if (*st == NULL) {
			fresh = true;
			if ((rc = store_open(w->conninfo, st, err)) != R_OK)
				goto trouble;
			if (w->locked && lockconn == NULL) {
				if ((rc = store_scan_lock(*st, w->locked, err)) != R_OK)
					goto trouble;
				if (*w->locked)
					lockconn = *st;
			}
		}
		if (fresh) {
			if ((rc = store_keepalives(*st, err)) != R_OK)
				goto trouble;
			fresh = false;
		}
		if (!w->begun) {
			if (stopping(w)) {
				work_end(&wr, w, r, st, &wconn, &lockconn, &answers_from, &handed);
				return rerr_set(err, R_ESTOPPED, NULL, 0,
						"stopped by %s before the scan began", signame(w));
			}
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
			/* The jobs in hand are stored: the scan ends here, complete when
			 * nothing else was left to do. */
			if ((rc = writer_take(&wr, w, r, &answers_from, &handed, &failed, err)) !=
			    R_OK)
				goto trouble;
			run_progress_end();
			work_end(&wr, w, r, st, &wconn, &lockconn, &answers_from, &handed);
			if (store_scan_complete(*st, w->cfg, w->id, &complete, &w->counts, err) ==
				R_OK &&
			    complete)
				return R_OK;
			return end_scan(w, *st, "interrupted", R_ESTOPPED, err);
		}
		if (dns_answers(r->dns, NULL) >= forget) {
			/* Flat memory: once the writer has stored every answer logged
			 * so far and no path is held, the log and its strings go.
			 * Answers used again later are logged (and stored) again. */
			if ((rc = writer_take(&wr, w, r, &answers_from, &handed, &failed, err)) !=
			    R_OK)
				goto trouble;
			if (answers_from == dns_answers(r->dns, NULL)) {
				dns_forget_answers(r->dns);
				answers_from = handed = 0;
			}
		}
		if ((rc = store_scan_claim(*st, w->id, &job, &undone, err)) != R_OK)
			goto trouble;
		if (job.held && wr.has_job && job.job == wr.job.job) {
			/* The writer's transaction for this job ended (it failed: the
			 * server lets go of the row before the writer hears of it).
			 * Never two of this worker's hands on one job's services. */
			store_scan_rollback(*st);
			if ((rc = writer_take(&wr, w, r, &answers_from, &handed, &failed, err)) !=
			    R_OK)
				goto trouble;
			continue;
		}
		if (job.held) {
			/* The writer stores the job before while this one resolves. */
			if ((rc = run_services(r, w->in, job.from, job.to, err)) != R_OK) {
				store_scan_rollback(*st);
				run_drop_services(r, job.from, job.to);
				run_progress_end();
				work_end(&wr, w, r, st, &wconn, &lockconn, &answers_from, &handed);
				return end_scan(w, *st, rc == R_ESTOPPED ? "interrupted" : "failed",
						rc, err);
			}
			if ((rc = writer_take(&wr, w, r, &answers_from, &handed, &failed, err)) !=
			    R_OK) {
				/* The job before failed: this one goes back too, and the
				 * answers of both go with whichever job is stored next. */
				store_scan_rollback(*st);
				run_drop_services(r, job.from, job.to);
				goto trouble;
			}
			if ((rc = writer_give(&wr, *st, r, w->id, &job, worker, &handed, err)) !=
			    R_OK) {
				store_scan_rollback(*st);
				run_drop_services(r, job.from, job.to);
				goto trouble;
			}
			struct store *spare = wconn;
			wconn = *st;
			*st = spare; /* NULL: a new one is opened for the next claim */
			waited = 0;
			delay = 1;
			continue;
		}
		/* Nothing left to claim: the job in the writer's hands first. */
		if ((rc = writer_take(&wr, w, r, &answers_from, &handed, &failed, err)) != R_OK)
			goto trouble;
		if (undone > 0) { /* held by other workers: theirs, or back to us if they die */
			pause_ms(200);
			continue;
		}
		if ((rc = store_scan_complete(*st, w->cfg, w->id, &complete, &w->counts, err)) !=
		    R_OK)
			goto trouble;
		if (complete) {
			run_progress_end();
			work_end(&wr, w, r, st, &wconn, &lockconn, &answers_from, &handed);
			return R_OK;
		}
		continue;
	trouble:
		/* Whatever the writer has is taken first: nothing is in flight below. */
		if (wr.has_job) {
			struct rerr e2;
			struct store *f2 = NULL;
			if (writer_take(&wr, w, r, &answers_from, &handed, &f2, &e2) != R_OK &&
			    failed == NULL)
				handed = answers_from;
		}
		if (*st)
			store_scan_rollback(*st);
		if (wconn)
			store_scan_rollback(wconn);
		{
			/* The connection whose failure this is decides what comes next. */
			struct store *bad = failed ? failed : *st;
			if (rc != R_EDB || store_connected(bad) || waited >= w->patience ||
			    stopping(w)) {
				run_progress_end();
				/* the end is marked on a connection that works */
				work_end(&wr, w, r, st, &wconn, &lockconn, &answers_from, &handed);
				if (w->begun && rc != R_ESTOPPED)
					return end_scan(w, *st, "failed", rc, err);
				return rc;
			}
		}
		run_progress_end();
		log_warnx("PostgreSQL is unreachable (%s): trying again in %u s; %s",
			  rerr_format(err, msg, sizeof(msg)), delay,
			  w->begun ? "the jobs stored are kept, the ones in hand are done again"
				   : "the scan has not begun");
		/* Both connections go: serve's lock is taken again on the next. */
		store_close(*st);
		store_close(wconn);
		*st = wconn = lockconn = NULL;
		sleep(delay);
		waited += delay;
		delay = delay < 16 ? delay * 2 : 30;
	}
}
