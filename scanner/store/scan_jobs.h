/*
 * store/scan_jobs: the jobs of a scan in PostgreSQL (schema/007). A worker
 * claims a job (store_scan_claim(): the job's row stays locked in an open
 * transaction), resolves and judges the job's services, and store_scan_job()
 * stores every observation of them and marks the job done in that same
 * transaction: a job is stored whole or not at all, and one claimed by a
 * worker that dies goes back to the others.
 *
 * store_scan_job() reads only the struct it is given (paths, judgements, the
 * attribution data through attrib_lookup(), which only reads, and DNS
 * answers), never a run's state: it can store job N on a connection of its
 * own while job N+1 resolves, as long as what it is given stays unchanged
 * until it returns.
 */
#ifndef RESIDENCY_SCAN_JOBS_H
#define RESIDENCY_SCAN_JOBS_H

#include "attrib/attrib.h"
#include "dns/dns.h"
#include "policy/judge.h"
#include "policy/policy.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>

struct scan_job {
	long job;
	size_t from, to; /* services [from, to) of the estate */
	bool held;	 /* claimed: its transaction is open */
};

/*
 * Claims the first undone job nobody holds (job->held), leaving its transaction
 * open; or, with none to claim, says how many jobs are undone (held by other
 * workers; none when another worker has completed the scan). R_ESTOPPED when
 * the scan is interrupted or failed.
 */
enum rstatus store_scan_claim(struct store *st, long long id, struct scan_job *job, size_t *undone,
			      struct rerr *err);
/* Ends the transaction in hand (a claim, a job half stored), whatever it holds. */
void store_scan_rollback(struct store *st);

/* One service of a job, resolved and judged. */
struct scan_job_service {
	const struct service *service; /* name, owner, policy */
	size_t idx;		       /* its position in the estate */
	const struct path *paths;      /* endpoints (patterns expanded), then mail domains */
	const bool *is_mail;
	size_t npaths;
	const struct judgement *judged;
};

/* Everything a job's rows are made of. */
struct scan_job_rows {
	long long scan_id;
	const struct scan_job *job; /* claimed, held */
	const struct scan_job_service *services;
	size_t nservices;
	const struct attrib *attrib; /* each distinct address is attributed with it */
	/* The DNS answers the worker logged since its last stored job. */
	const struct dns_answer *answers;
	size_t nanswers;
	const char *worker; /* "host:pid", who stored the job */
};

/*
 * Stores the claimed job's services, path elements, attributions, findings
 * and answers, marks the job done by rows->worker, and commits. On error
 * everything of the job is rolled back.
 */
enum rstatus store_scan_job(struct store *st, const struct scan_job_rows *rows, struct rerr *err);

#endif
