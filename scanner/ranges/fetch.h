/*
 * fetch: one URL (https://, http://, file://) with libcurl, bounded and
 * polite: conditional requests (If-None-Match / If-Modified-Since; a 304 is
 * "unchanged"), connect and total timeouts, a size cap that is an error and
 * never a truncation, retries with exponential backoff and jitter on 5xx,
 * timeouts and connection failures (never on 4xx), TLS verification on, and a
 * progress line on stderr when it is a terminal and the download is slow.
 * CURLcode and HTTP statuses become struct rerr naming the URL here only.
 */
#ifndef RESIDENCY_FETCH_H
#define RESIDENCY_FETCH_H

#include "core/buf.h"
#include "core/rerr.h"

#include <stdbool.h>

struct fetch_opts {
	long connect_timeout_ms; /* 0: 10 s */
	long total_timeout_ms;	 /* 0: 120 s */
	size_t max_bytes;	 /* 0: 64 MiB */
	int retries;		 /* further tries after the first; <0: 3 */
	long backoff_ms; /* first wait between tries, doubled each time, +- jitter; 0: 500 */
};

struct fetch_result {
	bool not_modified; /* 304: the cached copy is current */
	long http_status;  /* 0 for file:// */
	struct buf body;   /* the bytes (empty on 304); caller frees with buf_free() */
	char etag[256];
	char last_modified[128];
	int tries; /* how many requests were made */
};

/*
 * Fetches url. etag and last_modified (may be NULL or "") make the request
 * conditional. On error the result holds nothing to keep.
 */
enum rstatus fetch_url(const struct fetch_opts *opts, const char *url, const char *etag,
		       const char *last_modified, struct fetch_result *out, struct rerr *err);

#endif
