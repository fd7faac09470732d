/*
 * run: the pipeline over an estate, once (see run.h).
 */
#include "scan/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void attribute(void *ctx, const struct addr *a, struct attribution *out)
{
	attrib_lookup(ctx, a, out);
}

/* The names a service's endpoints stand for; patterns expand over the zones. */
static enum rstatus service_paths(struct dns *d, const struct service *s, struct path **paths,
				  bool **is_mail, size_t *n, struct rerr *err)
{
	char **names = NULL;
	bool *mail = NULL;
	size_t cap = 0, k = 0;
	enum rstatus rc = R_OK;
	size_t synthetic_from = 0;
	char **unmatched = NULL;
	size_t nunmatched = 0;

	*paths = NULL;
	*is_mail = NULL;
	*n = 0;
	for (size_t i = 0; i < s->nendpoints + s->nmail && rc == R_OK; i++) {
		bool m = i >= s->nendpoints;
		const char *ep = m ? s->mail_domains[i - s->nendpoints] : s->endpoints[i];
		char **expanded = NULL;
		size_t ne = 0;
		if (!m && strncmp(ep, "*.", 2) == 0) {
			if ((rc = dns_zone_names(d, ep, &expanded, &ne, err)) != R_OK)
				break;
			if (ne == 0) {
				char **v = realloc(unmatched, (nunmatched + 1) * sizeof(*v));
				if (v == NULL) {
					rc = rerr_set(err, R_ENOMEM, s->name, 0, "out of memory");
					break;
				}
				unmatched = v;
				unmatched[nunmatched++] = (char *)ep;
			}
		}
		bool pattern = !m && strncmp(ep, "*.", 2) == 0;
		for (size_t x = 0; x < (pattern ? ne : 1); x++) {
			if (k == cap) {
				cap = cap ? cap * 2 : 16;
				char **nv = realloc(names, cap * sizeof(*nv));
				bool *mv = realloc(mail, cap * sizeof(*mv));
				names = nv ? nv : names;
				mail = mv ? mv : mail;
				if (nv == NULL || mv == NULL) {
					rc = rerr_set(err, R_ENOMEM, s->name, 0, "out of memory");
					break;
				}
			}
			names[k] = strdup(pattern ? expanded[x] : ep);
			mail[k++] = m;
		}
		dns_names_free(expanded, ne);
	}
	synthetic_from = k;
	if (rc == R_OK && (*paths = calloc(k + nunmatched + 1, sizeof(**paths))) != NULL &&
	    (*is_mail = calloc(k + nunmatched + 1, sizeof(**is_mail))) != NULL) {
		rc = dns_resolve_paths(d, (const char *const *)names, mail, k, *paths, err);
		if (k)
			memcpy(*is_mail, mail, k * sizeof(*mail));
		/* A pattern that matched nothing: a path of its own, unresolvable. */
		for (size_t u = 0; u < nunmatched; u++) {
			struct path *p = &(*paths)[synthetic_from + u];
			snprintf(p->root, sizeof(p->root), "%s", unmatched[u]);
			p->status = DNS_NXDOMAIN;
			if ((p->elems = calloc(1, sizeof(*p->elems))) != NULL) {
				p->n = 1;
				p->elems[0].kind = PATH_NAME;
				p->elems[0].name = dns_intern(d, unmatched[u]);
				p->elems[0].zone = "";
				if (p->elems[0].name == NULL)
					p->elems[0].name =
					    "?"; /* out of memory: no_zone all the same */
				p->elems[0].status = DNS_NXDOMAIN;
				p->elems[0].parent = -1;
				p->elems[0].answer = -1;
			}
		}
		*n = k + nunmatched;
	} else if (rc == R_OK) {
		rc = rerr_set(err, R_ENOMEM, s->name, 0, "out of memory");
	}
	for (size_t i = 0; i < k; i++)
		free(names[i]);
	free(names);
	free(mail);
	free(unmatched);
	return rc;
}

static bool stopping(const struct run_input *in)
{
	return in->stop && *in->stop;
}

static enum rstatus stopped(const char *when, struct rerr *err)
{
	return rerr_set(err, R_ESTOPPED, NULL, 0, "stopped %s", when);
}

static bool progress_shown;

/* On a terminal, one line that says how far a long run is: services and
 * endpoints done, and the rate (after the first second, at most 4 times a second). */
static void progress(const struct run *r, size_t done, const struct timespec *t0)
{
	static struct timespec last;
	struct timespec now;

	if (!isatty(STDERR_FILENO))
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double secs = (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
	double since =
	    (double)(now.tv_sec - last.tv_sec) + (double)(now.tv_nsec - last.tv_nsec) / 1e9;
	if ((secs < 1 || since < 0.25) && done < r->estate->n)
		return;
	if (secs < 1 && !progress_shown)
		return; /* short runs print nothing */
	last = now;
	progress_shown = true;
	fprintf(stderr,
		"\rresidency: %zu/%zu services, %zu endpoints resolved and judged, %.0f/s   ", done,
		r->estate->n, r->endpoints, secs > 0 ? (double)r->endpoints / secs : 0.0);
}

enum rstatus run_open(const struct run_input *in, struct run **out, struct rerr *err)
{
	struct run *r = calloc(1, sizeof(*r));
	struct dns_options dopt = in->dns;
	enum rstatus rc;

	*out = NULL;
	if (r == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	dopt.stop = in->stop;
	if ((rc = estate_load(in->estate_file, in->policies, &r->estate, err)) != R_OK ||
	    (rc = dns_new(&dopt, &r->dns, err)) != R_OK ||
	    (rc = attrib_open(in->sources, in->nsources, in->geoip, &r->attrib, err)) != R_OK)
		goto fail;
	if (stopping(in)) {
		rc = stopped("while loading the estate, zones and ranges", err);
		goto fail;
	}
	if ((r->services = calloc(r->estate->n + 1, sizeof(*r->services))) == NULL) {
		rc = rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
		goto fail;
	}
	clock_gettime(CLOCK_MONOTONIC, &r->started);
	progress_shown = false;
	*out = r;
	return R_OK;
fail:
	run_free(r);
	return rc;
}

enum rstatus run_services(struct run *r, const struct run_input *in, size_t from, size_t to,
			  struct rerr *err)
{
	enum rstatus rc;

	for (size_t i = from; i < to && i < r->estate->n; i++) {
		struct run_service *s = &r->services[i];
		const struct service *svc = &r->estate->v[i];
		if ((rc = service_paths(r->dns, svc, &s->paths, &s->is_mail, &s->npaths, err)) !=
		    R_OK)
			return rc;
		if (stopping(in)) { /* its paths may have been cut short: judge nothing */
			char when[512];
			snprintf(when, sizeof(when), "while resolving service %zu of %zu (%s)",
				 i + 1, r->estate->n, svc->name);
			return stopped(when, err);
		}
		if ((rc = judge_service(svc, estate_policy(r->estate, svc->policy), s->paths,
					s->is_mail, s->npaths, attribute, r->attrib, in->today,
					&s->judged, err)) != R_OK)
			return rc;
		r->endpoints += s->npaths;
		r->done++;
		progress(r, r->done, &r->started);
	}
	size_t asked, answered;
	dns_live_counts(r->dns, &asked, &answered);
	if (asked > 0 && answered == 0)
		return rerr_set(
		    err, R_EDNS, NULL, 0,
		    "no resolver answered any of %zu questions: nothing could be checked", asked);
	return R_OK;
}

void run_progress_end(void)
{
	if (progress_shown)
		fputc('\n', stderr);
	progress_shown = false;
}

void run_drop_services(struct run *r, size_t from, size_t to)
{
	for (size_t i = from; i < to && i < r->estate->n; i++) {
		struct run_service *s = &r->services[i];
		for (size_t k = 0; k < s->npaths; k++)
			path_clear(&s->paths[k]);
		free(s->paths);
		free(s->is_mail);
		judgement_free(&s->judged);
		memset(s, 0, sizeof(*s));
	}
}

enum rstatus run_estate(const struct run_input *in, struct run **out, struct rerr *err)
{
	struct run *r;
	enum rstatus rc;

	*out = NULL;
	if ((rc = run_open(in, &r, err)) != R_OK)
		return rc;
	rc = run_services(r, in, 0, r->estate->n, err);
	run_progress_end();
	if (rc != R_OK) {
		run_free(r);
		return rc;
	}
	*out = r;
	return R_OK;
}

void run_free(struct run *r)
{
	if (r == NULL)
		return;
	if (r->services && r->estate)
		run_drop_services(r, 0, r->estate->n);
	free(r->services);
	attrib_free(r->attrib);
	dns_free(r->dns);
	estate_free(r->estate);
	free(r);
}
