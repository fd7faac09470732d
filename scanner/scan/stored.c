/*
 * stored: a stored scan judged again (see stored.h).
 */
#include "scan/stored.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum rstatus stored_load(struct store *st, long long id, const char *policies_dir,
			 struct stored_scan **out, struct rerr *err)
{
	struct stored_scan *s = calloc(1, sizeof(*s));
	enum rstatus rc;

	*out = NULL;
	if (s == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	if ((rc = store_scan_read(st, id, policies_dir, &s->read, err)) != R_OK)
		goto fail;
	struct scan_read *r = s->read;
	if ((s->services = calloc(r->estate->n + 1, sizeof(*s->services))) == NULL) {
		rc = rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < r->estate->n; i++) { /* the paths move here */
		s->services[i].paths = r->services[i].paths;
		s->services[i].is_mail = r->services[i].is_mail;
		s->services[i].npaths = r->services[i].npaths;
		memset(&r->services[i], 0, sizeof(r->services[i]));
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

enum rstatus stored_judge(struct stored_scan *s, const char *today, struct rerr *err)
{
	enum rstatus rc = R_OK;

	for (size_t i = 0; i < s->estate->n && rc == R_OK; i++) {
		const struct service *svc = &s->estate->v[i];
		struct run_service *rs = &s->services[i];
		judgement_free(&rs->judged); /* judged again from nothing */
		rc = judge_service(svc, estate_policy(s->estate, svc->policy), rs->paths,
				   rs->is_mail, rs->npaths, store_scan_attribution, s->read, today,
				   &rs->judged, err);
	}
	return rc;
}

void stored_free(struct stored_scan *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; s->services && s->estate && i < s->estate->n; i++) {
		struct run_service *rs = &s->services[i];
		for (size_t k = 0; k < rs->npaths; k++)
			path_clear(&rs->paths[k]);
		free(rs->paths);
		free(rs->is_mail);
		judgement_free(&rs->judged);
	}
	free(s->services);
	store_scan_read_free(s->read); /* the estate and zone files with it */
	free(s);
}
