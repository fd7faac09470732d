/*
 * persist: a scan in PostgreSQL, job by job (schema/007).
 *
 * persist_begin() creates the scans row (running) with the texts and data
 * sources it is judged with and its jobs, all in one transaction; or takes an
 * interrupted or failed scan of the same configuration up again. A worker then
 * claims a job (persist_claim(): the job's row stays locked in an open
 * transaction), resolves and judges the job's services, and persist_job()
 * stores every observation of them and marks the job done in that same
 * transaction: a job is stored whole or not at all, and one claimed by a worker
 * that dies goes back to the others. persist_complete() marks the scan complete
 * (counts, verdict, its link in the evidence chain) once every job is done.
 */
#ifndef RESIDENCY_PERSIST_H
#define RESIDENCY_PERSIST_H

#include "core/config.h"
#include "scan/run.h"
#include "store/store.h"

#include <stdbool.h>

struct scan_counts {
	size_t services, paths, elements, attributions, findings, waived, answers;
};

struct scan_job {
	long job;
	size_t from, to; /* services [from, to) of the estate */
	bool held;	 /* claimed: its transaction is open */
};

/*
 * *id 0: a new scan, its services cut into jobs of at least job_endpoints
 * endpoints (and mail domains) each. *id > 0: that scan again, when it ended
 * interrupted or failed and the configuration file has the SHA-256 it recorded
 * (R_EINPUT otherwise); its estate, policies and data sources must be the ones
 * it began with (same SHA-256), and only its undone jobs are left to do.
 */
enum rstatus persist_begin(struct store *st, const struct config *cfg, const struct run *r,
			   size_t job_endpoints, long long *id, struct rerr *err);
/*
 * Whether this process may work on scan id: it is running, has jobs, and this
 * process judges with the same estate, policies and data (R_EINPUT naming
 * what differs).
 */
enum rstatus persist_join(struct store *st, const struct run *r, long long id, struct rerr *err);
/*
 * Claims the first undone job nobody holds (job->held), leaving its transaction
 * open; or, with none to claim, says how many jobs are undone (held by other
 * workers; none when another worker has completed the scan). R_ESTOPPED when
 * the scan is interrupted or failed.
 */
enum rstatus persist_claim(struct store *st, long long id, struct scan_job *job, size_t *undone,
			   struct rerr *err);
/*
 * Stores the claimed job's services, path elements, attributions, findings and
 * the DNS answers this worker logged from *answers_from on, marks the job done
 * by `worker`, and commits; *answers_from moves past the answers stored. On
 * error everything of the job is rolled back.
 */
enum rstatus persist_job(struct store *st, const struct run *r, long long id,
			 const struct scan_job *job, const char *worker, size_t *answers_from,
			 struct rerr *err);
/* Ends the transaction in hand, whatever it holds. */
void persist_rollback(struct store *st);
/*
 * When every job of scan id is done: marks it complete (once, whichever
 * worker gets there first) and sets *complete, with the counts of what it
 * stored. *complete is false while jobs are undone.
 */
enum rstatus persist_complete(struct store *st, const struct config *cfg, long long id,
			      bool *complete, struct scan_counts *n, struct rerr *err);

#endif
