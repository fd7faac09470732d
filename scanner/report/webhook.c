/*
 * webhook: a libcurl easy handle, one POST at a time with its own retry loop
 * (the shape of ranges/fetch.c, whose GETs it does not share: a POST is never
 * conditional, never followed through redirects, and its answer is not kept).
 */
#include "report/webhook.h"
#include "core/log.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The receiver's answer is not kept (the try's timeout bounds how long it is read). */
static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	const volatile sig_atomic_t *stop = ctx;
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return stop && *stop ? 1 : 0; /* non-zero aborts the transfer */
}

static bool retryable(CURLcode cc, long status)
{
	switch (cc) {
	case CURLE_OK:
		return status >= 500 || status == 429 || status == 408;
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
		return true;
	default:
		return false;
	}
}

/* Sleeps ms, or less when a signal sets *stop (nanosleep ends with EINTR). */
static void nap(long ms, const volatile sig_atomic_t *stop)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L}, rem;

	while (!(stop && *stop) && nanosleep(&ts, &rem) != 0 && errno == EINTR)
		ts = rem;
}

/* What logs show of the URL: scheme, host and port. A webhook's path often
 * holds its secret token (Slack, Teams), and user:password@ is a secret: both
 * stay out of logs. */
static void display(const char *url, char *out, size_t len)
{
	const char *sep = strstr(url, "://");
	const char *host = sep ? sep + 3 : url;
	size_t hl = strcspn(host, "/?#");
	const char *at = memchr(host, '@', hl);

	if (at) {
		hl -= (size_t)(at + 1 - host);
		host = at + 1;
	}
	snprintf(out, len, "%.*s%.*s%s", sep ? (int)(sep + 3 - url) : 0, url, (int)hl, host,
		 host[hl] ? "/..." : "");
}

enum rstatus webhook_post(const char *url, const char *body, const struct webhook_opts *opts,
			  struct webhook_result *res, struct rerr *err)
{
	char shown[512];
	struct webhook_opts o = *opts;
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE];
	CURLcode cc = CURLE_OK;
	long status = 0, start = now_ms();
	static bool inited;

	memset(res, 0, sizeof(*res));
	display(url, shown, sizeof(shown));
	if (o.connect_timeout_ms <= 0)
		o.connect_timeout_ms = 5000;
	if (o.try_timeout_ms <= 0)
		o.try_timeout_ms = 10000;
	if (o.total_ms <= 0)
		o.total_ms = 30000;
	if (o.max_tries <= 0)
		o.max_tries = 4;
	if (o.backoff_ms <= 0)
		o.backoff_ms = 500;
	if (!inited) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		inited = true;
	}
	CURL *h = curl_easy_init();
	if (h == NULL)
		return rerr_set(err, R_ENOMEM, shown, 0, "cannot start libcurl");
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	hdrs = curl_slist_append(hdrs, "Expect:"); /* no 100-continue round trip */

	long wait = o.backoff_ms;
	for (int attempt = 1;; attempt++) {
		long left = o.total_ms - (now_ms() - start);
		if (left <= 0)
			break;
		curl_easy_reset(h);
		errbuf[0] = '\0';
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o.connect_timeout_ms);
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
				 o.try_timeout_ms < left ? o.try_timeout_ms : left);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)o.stop);
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(h, CURLOPT_USERAGENT, "residency/0.1 (drift alerts)");
		cc = curl_easy_perform(h);
		status = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		res->tries = attempt;
		res->http_status = status;
		if (cc == CURLE_OK && status >= 200 && status < 300)
			break;
		if (o.stop && *o.stop)
			break;
		if (!retryable(cc, status) || attempt >= o.max_tries)
			break;
		/* Exponential backoff with jitter: wait * [0.5, 1.5), within the budget. */
		long ms = wait / 2 + (long)(rand() % (wait > 0 ? wait : 1));
		left = o.total_ms - (now_ms() - start);
		if (ms >= left)
			break;
		char why[CURL_ERROR_SIZE + 32];
		if (cc != CURLE_OK)
			snprintf(why, sizeof(why), "%s",
				 errbuf[0] ? errbuf : curl_easy_strerror(cc));
		else
			snprintf(why, sizeof(why), "HTTP status %ld", status);
		log_info("webhook %s: %s; retrying in %ld ms (try %d of %d)", shown, why, ms,
			 attempt + 1, o.max_tries);
		nap(ms, o.stop);
		wait *= 2;
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	res->elapsed_ms = now_ms() - start;

	const char *tries = res->tries == 1 ? "y" : "ies";
	if (cc == CURLE_OK && status >= 200 && status < 300)
		return R_OK;
	if (o.stop && *o.stop)
		return rerr_set(err, R_ESTOPPED, shown, 0,
				"stopped before it was delivered (%d tr%s)", res->tries, tries);
	if (res->tries == 0)
		return rerr_set(err, R_ENET, shown, 0, "no time left to send it");
	if (cc != CURLE_OK)
		return rerr_set(err, R_ENET, shown, 0, "%s (after %d tr%s in %ld ms)",
				errbuf[0] ? errbuf : curl_easy_strerror(cc), res->tries, tries,
				res->elapsed_ms);
	return rerr_set(err, retryable(cc, status) ? R_ENET : R_EINPUT, shown, 0,
			"HTTP status %ld (after %d tr%s in %ld ms)", status, res->tries, tries,
			res->elapsed_ms);
}
