/*
 * stored: a stored scan judged again (see stored.h).
 */
#include "scan/stored.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct judging {
	struct stored_scan *s;
	const char *today; /* NULL: the scan's day */
};

/* A scan_read_service_fn: one service's paths judged as they are read. */
static enum rstatus judge_one(void *ctx, struct scan_read *r, size_t i, const struct path *paths,
			      const bool *is_mail, size_t npaths, struct rerr *err)
{
	struct judging *j = ctx;
	struct stored_scan *s = j->s;
	const struct service *svc = &r->estate->v[i];

	if (s->judged == NULL) {
		if ((s->judged = calloc(r->estate->n + 1, sizeof(*s->judged))) == NULL)
			return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
		s->njudged = r->estate->n;
	}
	struct judgement *out = &s->judged[i];
	judgement_free(out); /* judged once; from nothing all the same */
	enum rstatus rc =
	    judge_service(svc, estate_policy(r->estate, svc->policy), paths, is_mail, npaths,
			  store_scan_attribution, r, j->today ? j->today : r->day, out, err);
	/* Kept until the report is written: without the room it grew by (up to half). */
	if (rc == R_OK && out->n && out->n < out->cap) {
		struct finding *v = realloc(out->v, out->n * sizeof(*v));
		if (v) {
			out->v = v;
			out->cap = out->n;
		}
	}
	return rc;
}

enum rstatus stored_judge(struct store *st, long long id, const char *policies_dir,
			  const char *today, struct stored_scan **out, struct rerr *err)
{
	struct stored_scan *s = calloc(1, sizeof(*s));
	struct judging j = {s, today};
	enum rstatus rc;

	*out = NULL;
	if (s == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	if ((rc = store_scan_read(st, id, policies_dir, judge_one, &j, &s->read, err)) != R_OK)
		goto fail;
	struct scan_read *r = s->read;
	if (s->judged == NULL && (s->judged = calloc(1, sizeof(*s->judged))) == NULL) {
		rc = rerr_set(err, R_ENOMEM, NULL, 0, "out of memory"); /* no services */
		goto fail;
	}
	s->id = r->id;
	snprintf(s->started, sizeof(s->started), "%s", r->started);
	snprintf(s->day, sizeof(s->day), "%s", r->day);
	s->estate = r->estate;
	s->endpoints = r->endpoints;
	s->geoip_epoch = r->geoip_epoch;
	s->zone_files = r->zone_files;
	s->nzone_files = r->nzone_files;
	*out = s;
	return R_OK;
fail:
	stored_free(s);
	return rc;
}

void stored_free(struct stored_scan *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->njudged; i++)
		judgement_free(&s->judged[i]);
	free(s->judged);
	store_scan_read_free(s->read); /* the estate and zone files with it */
	free(s);
}
