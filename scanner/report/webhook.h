/*
 * webhook: one JSON body POSTed to a URL with libcurl (Content-Type
 * application/json), the way drift alerts leave `residency serve`. Retried
 * with exponential backoff and jitter on connection failures, timeouts, 429
 * and 5xx (never on other 4xx), within a bounded total time; TLS verified; no
 * redirects followed (a POST is not replayed elsewhere). CURLcode and HTTP
 * statuses become struct rerr here only, naming the URL's scheme, host and
 * port (its path and user:password may be secrets and never reach a log). It sends alerts about
 * scans already committed: a failure is the caller's to log, never the scan's.
 *
 * In report/ because it delivers a document about a scan (the drift alert),
 * as the other writers of this folder do to a file; it knows nothing of
 * scans, the store or the scheduler that calls it.
 */
#ifndef RESIDENCY_WEBHOOK_H
#define RESIDENCY_WEBHOOK_H

#include "core/rerr.h"

#include <signal.h>

struct webhook_opts {
	long connect_timeout_ms; /* 0: 5 s */
	long try_timeout_ms;	 /* one request; 0: 10 s */
	long total_ms;		 /* every try and wait together; 0: 30 s */
	int max_tries;		 /* 0: 4 */
	long backoff_ms;	 /* first wait, doubled each time, +- jitter; 0: 500 */
	/* Set by a signal handler: the request in hand is abandoned and no more
	 * are made. NULL: never. */
	const volatile sig_atomic_t *stop;
};

struct webhook_result {
	int tries;	  /* requests made */
	long http_status; /* of the last response; 0 when none came */
	long elapsed_ms;  /* from the first request to the end */
};

/* POSTs body to url. R_OK on a 2xx answer; otherwise R_ENET (or R_EINPUT on a
 * 4xx refusal, R_ESTOPPED when stopped) with why in err. */
enum rstatus webhook_post(const char *url, const char *body, const struct webhook_opts *opts,
			  struct webhook_result *res, struct rerr *err);

#endif
