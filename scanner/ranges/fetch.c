/*
 * fetch: libcurl easy handles, one URL at a time with its own retry loop.
 * (Range sources are a dozen files fetched on a schedule; the multi interface
 * would add concurrency that nothing here needs yet.)
 */
#include "ranges/fetch.h"
#include "core/log.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct ctx {
	struct fetch_result *res;
	size_t max;
	bool over;
	const char *url;
	time_t started;
	bool progress_shown;
};

static size_t on_body(char *p, size_t size, size_t n, void *vctx)
{
	struct ctx *c = vctx;
	size_t len = size * n;

	if (c->res->body.len + len > c->max) {
		c->over = true;
		return 0; /* aborts the transfer: over the cap is an error, never a truncation */
	}
	return buf_add(&c->res->body, p, len) == R_OK ? len : 0;
}

static void header_value(const char *line, size_t len, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);

	if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	const char *v = line + nl + 1, *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	/* A validator longer than we keep is not kept at all: a cut one would be
	 * stored as evidence; without one the next fetch is unconditional. */
	if ((size_t)(end - v) >= outlen)
		out[0] = '\0';
	else
		snprintf(out, outlen, "%.*s", (int)(end - v), v);
}

static size_t on_header(char *p, size_t size, size_t n, void *vctx)
{
	struct ctx *c = vctx;
	size_t len = size * n;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) { /* a new response (after a redirect) */
		c->res->etag[0] = '\0';
		c->res->last_modified[0] = '\0';
	}
	header_value(p, len, "ETag", c->res->etag, sizeof(c->res->etag));
	header_value(p, len, "Last-Modified", c->res->last_modified, sizeof(c->res->last_modified));
	return len;
}

static int on_progress(void *vctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ut,
		       curl_off_t un)
{
	struct ctx *c = vctx;
	(void)ut;
	(void)un;
	if (time(NULL) - c->started < 2 || !isatty(STDERR_FILENO))
		return 0;
	if (dltotal > 0)
		fprintf(stderr, "\r%s: %lld of %lld KiB", c->url, (long long)dlnow / 1024,
			(long long)dltotal / 1024);
	else
		fprintf(stderr, "\r%s: %lld KiB", c->url, (long long)dlnow / 1024);
	c->progress_shown = true;
	return 0;
}

static bool retryable(CURLcode cc, long status)
{
	switch (cc) {
	case CURLE_OK:
		return status >= 500;
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return true;
	default:
		return false;
	}
}

enum rstatus fetch_url(const struct fetch_opts *opts, const char *url, const char *etag,
		       const char *last_modified, struct fetch_result *out, struct rerr *err)
{
	struct fetch_opts o = *opts;
	CURL *h;
	CURLcode cc = CURLE_OK;
	long status = 0;
	enum rstatus rc = R_OK;
	char errbuf[CURL_ERROR_SIZE];
	static bool inited;

	if (!inited) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		inited = true;
	}
	if (o.connect_timeout_ms <= 0)
		o.connect_timeout_ms = 10000;
	if (o.total_timeout_ms <= 0)
		o.total_timeout_ms = 120000;
	if (o.max_bytes == 0)
		o.max_bytes = 64u * 1024 * 1024;
	if (o.retries < 0)
		o.retries = 3;
	if (o.backoff_ms <= 0)
		o.backoff_ms = 500;
	memset(out, 0, sizeof(*out));
	buf_init(&out->body, o.max_bytes);
	if ((h = curl_easy_init()) == NULL)
		return rerr_set(err, R_ENOMEM, url, 0, "cannot start libcurl");

	long wait = o.backoff_ms;
	for (int attempt = 0; attempt <= o.retries; attempt++) {
		struct ctx c = {out, o.max_bytes, false, url, time(NULL), false};
		struct curl_slist *hdrs = NULL;
		char line[512];

		buf_reset(&out->body);
		out->body.len = 0;
		out->etag[0] = out->last_modified[0] = '\0';
		curl_easy_reset(h);
		errbuf[0] = '\0';
		if (etag && *etag) {
			snprintf(line, sizeof(line), "If-None-Match: %s", etag);
			hdrs = curl_slist_append(hdrs, line);
		}
		if (last_modified && *last_modified) {
			snprintf(line, sizeof(line), "If-Modified-Since: %s", last_modified);
			hdrs = curl_slist_append(hdrs, line);
		}
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,file");
		curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o.connect_timeout_ms);
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o.total_timeout_ms);
		curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o.max_bytes);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &c);
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, &c);
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, &c);
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(h, CURLOPT_USERAGENT, "residency/0.1 (range snapshots)");
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
		cc = curl_easy_perform(h);
		curl_slist_free_all(hdrs);
		if (c.progress_shown)
			fputc('\n', stderr);
		status = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		out->tries = attempt + 1;
		out->http_status = status;
		if (c.over || cc == CURLE_FILESIZE_EXCEEDED) {
			rc = rerr_set(err, R_ELIMIT, url, 0,
				      "the file is larger than the limit of %zu bytes; refused, "
				      "not truncated",
				      o.max_bytes);
			goto out;
		}
		if (cc == CURLE_OK && (status == 200 || status == 0)) {
			rc = R_OK;
			goto out;
		}
		if (cc == CURLE_OK && status == 304) {
			out->not_modified = true;
			rc = R_OK;
			goto out;
		}
		if (!retryable(cc, status) || attempt == o.retries)
			break;
		/* Exponential backoff with jitter: wait * [0.5, 1.5). */
		long ms = wait / 2 + (long)(rand() % (wait > 0 ? wait : 1));
		log_info("%s: %s; retrying in %ld ms (try %d of %d)", url,
			 cc != CURLE_OK ? (errbuf[0] ? errbuf : curl_easy_strerror(cc))
					: "server error",
			 ms, attempt + 2, o.retries + 1);
		struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		wait *= 2;
	}
	if (cc != CURLE_OK)
		rc = rerr_set(err, R_ENET, url, 0, "%s (after %d tr%s)",
			      errbuf[0] ? errbuf : curl_easy_strerror(cc), out->tries,
			      out->tries == 1 ? "y" : "ies");
	else
		rc = rerr_set(err, status >= 500 ? R_ENET : R_EINPUT, url, 0,
			      "HTTP status %ld (after %d tr%s)", status, out->tries,
			      out->tries == 1 ? "y" : "ies");
out:
	curl_easy_cleanup(h);
	if (rc != R_OK)
		buf_free(&out->body);
	return rc;
}
