/*
 * store/scan_jobs: claiming a job and storing its rows (see scan_jobs.h).
 */
#include "store/scan_jobs.h"
#include "store/copy.h"
#include "store/internal.h"
#include "store/parts.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int addr_sort(const void *a, const void *b)
{
	return addr_cmp(a, b);
}

static char *path_json(const struct finding *f)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < f->npath; i++) {
		const struct finding_hop *h = &f->path[i];
		json_t *o = json_pack("{s:s, s:s, s:s}", "kind", path_kind_name(h->kind),
				      h->kind == PATH_ADDRESS ? "address" : "name", h->text,
				      "status", dns_status_name(h->status));
		if (h->kind == PATH_NS)
			json_object_set_new(o, "zone", json_string(h->zone));
		json_array_append_new(arr, o);
	}
	char *s = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(arr);
	return s;
}

/* Every endpoint of a finding as a JSON array; NULL when it has just one
 * (schema 008), or when out of memory. Caller frees. */
static char *endpoints_json(const struct finding *f)
{
	if (f->nmore == 0)
		return NULL;
	json_t *arr = json_array();
	json_array_append_new(arr, json_string(f->endpoint));
	for (size_t i = 0; i < f->nmore; i++)
		json_array_append_new(arr, json_string(f->more_endpoints[i]));
	char *s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return s;
}

static const char *nz(const char *s)
{
	return s && *s ? s : NULL;
}

enum rstatus store_scan_claim(struct store *st, long long id, struct scan_job *job, size_t *undone,
			      struct rerr *err)
{
	char idtext[32];
	const char *p[1] = {idtext};
	enum rstatus rc;
	PGresult *res;

	memset(job, 0, sizeof(*job));
	*undone = 0;
	snprintf(idtext, sizeof(idtext), "%lld", id);
	if ((rc = store_exec(st, "BEGIN", err)) != R_OK)
		return rc;
	if ((res = store_query(st, "SELECT status FROM scans WHERE id = $1", 1, p,
			       "reading the scan", &rc, err)) == NULL)
		goto fail;
	if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "complete") == 0) {
		PQclear(res); /* completed by another worker: nothing left */
		return store_exec(st, "ROLLBACK", err);
	}
	if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "running") != 0) {
		rc = rerr_set(err, R_ESTOPPED, NULL, 0,
			      "scan %lld is no longer running (%s): another worker ended it", id,
			      PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "gone");
		PQclear(res);
		goto fail;
	}
	PQclear(res);
	/* The row lock is the claim: it lasts until this transaction ends, and
	 * goes with the connection if the worker dies. */
	if ((res = store_query(
		 st,
		 "SELECT job, first_service, end_service FROM scan_jobs WHERE scan_id = "
		 "$1 AND done_at IS NULL ORDER BY job LIMIT 1 FOR UPDATE SKIP LOCKED",
		 1, p, "claiming a job", &rc, err)) == NULL)
		goto fail;
	if (PQntuples(res) == 1) {
		job->job = strtol(PQgetvalue(res, 0, 0), NULL, 10);
		job->from = strtoul(PQgetvalue(res, 0, 1), NULL, 10);
		job->to = strtoul(PQgetvalue(res, 0, 2), NULL, 10);
		job->held = true;
		PQclear(res);
		return R_OK; /* the transaction stays open */
	}
	PQclear(res);
	if ((res = store_query(
		 st, "SELECT count(*) FROM scan_jobs WHERE scan_id = $1 AND done_at IS NULL", 1, p,
		 "counting the jobs left", &rc, err)) == NULL)
		goto fail;
	*undone = strtoul(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return store_exec(st, "ROLLBACK", err);
fail:
	store_scan_rollback(st);
	return rc;
}

void store_scan_rollback(struct store *st)
{
	store_rollback(st);
}

/* The next free seq of a table keyed (scan_id, seq); the scans row is locked. */
/*
 * The first finding and answer numbers of the job, taken by adding its counts
 * to the scan row's next numbers (schema 013): one statement, which also locks
 * the scan row until the job commits, so that jobs of one scan number their
 * rows one at a time.
 */
static enum rstatus next_seqs(struct store *st, const char *idtext, size_t nfindings,
			      size_t nanswers, long long *fseq, long long *aseq, struct rerr *err)
{
	char f[32], a[32];
	const char *p[3] = {idtext, f, a};
	enum rstatus rc = R_OK;

	snprintf(f, sizeof(f), "%zu", nfindings);
	snprintf(a, sizeof(a), "%zu", nanswers);
	PGresult *res = store_query(
	    st,
	    "UPDATE scans SET next_finding = coalesce(next_finding, (SELECT coalesce(max(seq) + "
	    "1, 0) FROM scan_findings WHERE scan_id = $1)) + $2::bigint, next_answer = "
	    "coalesce(next_answer, (SELECT coalesce(max(seq) + 1, 0) FROM scan_answers WHERE "
	    "scan_id = $1)) + $3::bigint WHERE id = $1 RETURNING next_finding - $2::bigint, "
	    "next_answer - $3::bigint",
	    3, p, "numbering the job's rows", &rc, err);
	if (res == NULL)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return rerr_set(err, R_EDB, NULL, 0, "scan %s is gone", idtext);
	}
	*fseq = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*aseq = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	return R_OK;
}

static enum rstatus job_services(struct copy *c, struct store *st, const struct scan_job_rows *rows,
				 struct rerr *err)
{
	enum rstatus rc;

	if ((rc = copy_begin(c, st,
			     "COPY scan_services (scan_id, service, owner, policy, verdict, "
			     "findings, waived, idx) FROM STDIN",
			     8, err)) != R_OK)
		return rc;
	for (size_t k = 0; k < rows->nservices; k++) {
		const struct service *s = rows->services[k].service;
		const struct judgement *j = rows->services[k].judged;
		copy_int(c, rows->scan_id);
		copy_str(c, s->name);
		copy_str(c, s->owner);
		copy_str(c, s->policy);
		copy_str(c, j->n > j->nwaived ? "violation" : "compliant");
		copy_int(c, (long long)(j->n - j->nwaived));
		copy_int(c, (long long)j->nwaived);
		copy_int(c, (long long)rows->services[k].idx);
	}
	return copy_end(c, NULL);
}

/* A path part met in the job: where it is, and its key. */
struct part_ref {
	char key[PARTS_KEYLEN];
	const struct path *path;
	size_t from, n;
};

struct job_parts {
	struct part_ref *v;
	size_t n, cap;
};

static int part_ref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct part_ref *)a)->key, ((const struct part_ref *)b)->key);
}

static bool add_addr(struct addr **addrs, size_t *naddrs, size_t *cap, const struct addr *a)
{
	if (*naddrs == *cap) {
		struct addr *v = realloc(*addrs, 2 * *cap * sizeof(*v));
		if (v == NULL)
			return false;
		*addrs = v;
		*cap *= 2;
	}
	(*addrs)[(*naddrs)++] = *a;
	return true;
}

/* One scan_elements row: an element of the path (part NULL) or a row that
 * refers to the part beginning at element e (schema 012). */
static void element_row(struct copy *c, const struct scan_job_rows *rows,
			const struct scan_job_service *rs, size_t k, size_t e, const char *part)
{
	const struct path *p = &rs->paths[k];
	const struct path_elem *pe = &p->elems[e];
	char a[ADDR_STRLEN];

	copy_int(c, rows->scan_id);
	copy_str(c, rs->service->name);
	copy_str(c, p->root);
	copy_bool(c, rs->is_mail[k]);
	copy_int(c, (long long)e);
	if (part) {
		/* The row names the zone whose name servers the part holds. */
		copy_str(c, "part");
		copy_str(c, pe->zone && *pe->zone ? pe->zone : pe->name);
		copy_str(c, NULL);
	} else {
		copy_str(c, path_kind_name(pe->kind));
		copy_str(c, pe->name);
		copy_str(c, pe->kind == PATH_ADDRESS ? addr_format(&pe->addr, a, sizeof(a)) : NULL);
	}
	copy_str(c, dns_status_name(pe->status));
	copy_int(c, pe->parent);
	copy_str(c, nz(pe->zone));
	copy_str(c, part);
}

/*
 * Every path of the job's services: its own elements as rows, and each zone
 * block (store/parts.h) as one row that refers to it, the block kept in
 * *parts to be stored once; the addresses seen anywhere, sorted.
 */
static enum rstatus job_elements(struct copy *c, struct store *st, const struct scan_job_rows *rows,
				 struct addr **addrs, size_t *naddrs, struct job_parts *parts,
				 struct rerr *err)
{
	enum rstatus rc;
	size_t cap = 1024;

	*naddrs = 0;
	if ((*addrs = malloc(cap * sizeof(**addrs))) == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	if ((rc = copy_begin(c, st,
			     "COPY scan_elements (scan_id, service, endpoint, mail, idx, kind, "
			     "name, address, status, parent, zone, part) FROM STDIN",
			     12, err)) != R_OK)
		return rc;
	for (size_t i = 0; i < rows->nservices; i++) {
		const struct scan_job_service *rs = &rows->services[i];
		for (size_t k = 0; k < rs->npaths; k++) {
			const struct path *p = &rs->paths[k];
			for (size_t e = 0; e < p->n;) {
				size_t n = parts_span(p, e);
				struct part_ref *ref = NULL;
				if (n > 0 && parts->n == parts->cap) {
					size_t ncap = parts->cap ? 2 * parts->cap : 256;
					struct part_ref *v = realloc(parts->v, ncap * sizeof(*v));
					if (v != NULL) {
						parts->v = v;
						parts->cap = ncap;
					}
				}
				/* Out of memory for a part: its elements are stored
				 * as rows of their own, which reads the same. */
				if (n > 0 && parts->n < parts->cap) {
					ref = &parts->v[parts->n];
					if (parts_key(p, e, n, ref->key)) {
						ref->path = p;
						ref->from = e;
						ref->n = n;
						parts->n++;
					} else {
						ref = NULL;
					}
				}
				if (ref == NULL)
					n = 1;
				element_row(c, rows, rs, k, e, ref ? ref->key : NULL);
				for (size_t x = e; x < e + n; x++) {
					if (p->elems[x].kind == PATH_ADDRESS &&
					    !add_addr(addrs, naddrs, &cap, &p->elems[x].addr)) {
						rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
						return copy_abort(c, R_ENOMEM);
					}
				}
				e += n;
			}
		}
	}
	if ((rc = copy_end(c, NULL)) == R_OK)
		qsort(*addrs, *naddrs, sizeof(**addrs), addr_sort);
	return rc;
}

/*
 * The parts the job's paths refer to, each once per scan: loaded into a
 * temporary table and added where the scan has not got them yet, in key order
 * (as attributions are, so that two jobs committing at once never deadlock).
 */
static enum rstatus job_parts(struct copy *c, struct store *st, const struct scan_job_rows *rows,
			      struct job_parts *parts, struct rerr *err)
{
	enum rstatus rc;
	char a[ADDR_STRLEN];

	if (parts->n == 0)
		return R_OK;
	qsort(parts->v, parts->n, sizeof(*parts->v), part_ref_cmp);
	if ((rc = store_exec(st, "CREATE TEMP TABLE job_parts (LIKE scan_parts) ON COMMIT DROP",
			     err)) != R_OK ||
	    (rc = copy_begin(c, st,
			     "COPY job_parts (scan_id, part, idx, kind, name, address, status, "
			     "parent, zone) FROM STDIN",
			     9, err)) != R_OK)
		return rc;
	for (size_t i = 0; i < parts->n; i++) {
		const struct part_ref *r = &parts->v[i];
		if (i && strcmp(parts->v[i - 1].key, r->key) == 0)
			continue;
		for (size_t k = 0; k < r->n; k++) {
			const struct path_elem *pe = &r->path->elems[r->from + k];
			copy_int(c, rows->scan_id);
			copy_str(c, r->key);
			copy_int(c, (long long)k);
			copy_str(c, path_kind_name(pe->kind));
			copy_str(c, pe->name);
			copy_str(c, pe->kind == PATH_ADDRESS ? addr_format(&pe->addr, a, sizeof(a))
							     : NULL);
			copy_str(c, dns_status_name(pe->status));
			copy_int(c, parts_rel_parent(r->path, r->from, k));
			copy_str(c, nz(pe->zone));
		}
	}
	if ((rc = copy_end(c, NULL)) != R_OK)
		return rc;
	return store_exec(st,
			  "INSERT INTO scan_parts SELECT * FROM job_parts ORDER BY part, idx ON "
			  "CONFLICT DO NOTHING",
			  err);
}

/*
 * One attribution per distinct address per scan. Jobs of one scan share
 * addresses: each job loads its own into a temporary table and adds those the
 * scan has not got yet (the same sources give the same attribution), in
 * address order, so two jobs committing at once wait for each other instead of
 * deadlocking.
 */
static enum rstatus job_attributions(struct copy *c, struct store *st,
				     const struct scan_job_rows *rows, const struct addr *addrs,
				     size_t naddrs, struct rerr *err)
{
	enum rstatus rc;
	char a[ADDR_STRLEN];

	if ((rc = store_exec(st,
			     "CREATE TEMP TABLE job_attributions (LIKE scan_attributions) ON "
			     "COMMIT DROP",
			     err)) != R_OK ||
	    (rc = copy_begin(c, st,
			     "COPY job_attributions (scan_id, address, provider, region, "
			     "border_group, services, scope, country, source, prefix, "
			     "geoip_country, region_unmapped, disagreement) FROM STDIN",
			     13, err)) != R_OK)
		return rc;
	for (size_t i = 0; i < naddrs; i++) {
		struct attribution at;
		if (i && addr_cmp(&addrs[i - 1], &addrs[i]) == 0)
			continue;
		attrib_lookup(rows->attrib, &addrs[i], &at);
		/* A special-purpose address has no region and no services: those
		 * columns hold the registry's name and RFC (docs/SCHEMA.md), so the
		 * row, and the evidence digest over it, keep their columns. */
		bool sp = at.source == ATTR_SRC_SPECIAL;
		copy_int(c, rows->scan_id);
		copy_str(c, addr_format(&addrs[i], a, sizeof(a)));
		copy_str(c, nz(at.provider));
		copy_str(c, nz(sp ? at.special : at.region));
		copy_str(c, nz(at.border_group));
		copy_str(c, nz(sp ? at.special_rfc : at.services));
		copy_str(c, attr_scope_name(at.scope));
		copy_str(c, nz(at.country));
		copy_str(c, attr_source_name(at.source));
		copy_str(c, nz(at.prefix));
		copy_str(c, nz(at.geoip_country));
		copy_bool(c, at.region_unmapped);
		copy_bool(c, at.disagreement);
	}
	if ((rc = copy_end(c, NULL)) != R_OK)
		return rc;
	return store_exec(st,
			  "INSERT INTO scan_attributions SELECT * FROM job_attributions ORDER BY "
			  "address ON CONFLICT DO NOTHING",
			  err);
}

/* Findings, waived ones included and marked, numbered from seq. */
static enum rstatus job_findings(struct copy *c, struct store *st, const struct scan_job_rows *rows,
				 long long seq, struct rerr *err)
{
	enum rstatus rc;

	if ((rc = copy_begin(c, st,
			     "COPY scan_findings (scan_id, seq, service, endpoint, element, "
			     "element_kind, country, provider, region, border_group, source, "
			     "policy, reason, detail, path, waived, waiver_reason, "
			     "waiver_expires, waiver_expired, endpoints) FROM STDIN",
			     20, err)) != R_OK)
		return rc;
	for (size_t i = 0; i < rows->nservices; i++) {
		const struct judgement *j = rows->services[i].judged;
		for (size_t k = 0; k < j->n; k++) {
			const struct finding *f = &j->v[k];
			char *pj = path_json(f), *ej = endpoints_json(f);
			if ((pj == NULL || (f->nmore && ej == NULL)) && c->rc == R_OK)
				/* Never a finding stored without its path or endpoints. */
				c->rc = rerr_set(err, R_ENOMEM, f->service, 0, "out of memory");
			copy_int(c, rows->scan_id);
			copy_int(c, seq++);
			copy_str(c, f->service);
			copy_str(c, f->endpoint);
			copy_str(c, f->element);
			copy_str(c, path_kind_name(f->kind));
			copy_str(c, nz(f->at.country));
			copy_str(c, nz(f->at.provider));
			/* special: the registry's name in region, as in scan_attributions */
			copy_str(c, nz(f->kind == PATH_ADDRESS && f->at.source == ATTR_SRC_SPECIAL
					   ? f->at.special
					   : f->at.region));
			copy_str(c, nz(f->at.border_group));
			copy_str(c,
				 f->kind == PATH_ADDRESS ? attr_source_name(f->at.source) : "dns");
			copy_str(c, f->policy);
			copy_str(c, finding_reason_name(f->reason));
			copy_str(c, f->detail);
			copy_str(c, pj);
			copy_bool(c, f->waiver != NULL);
			/* The waiver that applied, or the expired one that no longer does. */
			const struct waiver *w = f->waiver ? f->waiver : f->expired;
			copy_str(c, w ? w->reason : NULL);
			copy_str(c, w ? w->expires : NULL);
			copy_bool(c, f->expired != NULL);
			copy_str(c, ej);
			free(ej);
			free(pj);
			if ((rc = copy_status(c)) == R_ELIMIT || rc == R_ENOMEM) {
				char why[sizeof(err->where) + sizeof(err->msg) + 2];
				snprintf(why, sizeof(why), "%s: %s", err->where, err->msg);
				rerr_set(err, rc, f->endpoint, 0,
					 "the finding of service %s on %s (a path of %zu elements) "
					 "cannot be stored whole: %s",
					 f->service, f->element, f->npath, why);
				return copy_end(c, NULL);
			}
		}
	}
	return copy_end(c, NULL);
}

/* The DNS answers the worker logged since its last stored job, numbered from seq. */
static enum rstatus job_answers(struct copy *c, struct store *st, const struct scan_job_rows *rows,
				long long seq, struct rerr *err)
{
	const struct dns_answer *ans = rows->answers;
	enum rstatus rc;

	if ((rc = copy_begin(c, st,
			     "COPY scan_answers (scan_id, seq, name, type, rcode, data, ttl, "
			     "resolver, answered_at) FROM STDIN",
			     9, err)) != R_OK)
		return rc;
	for (size_t i = 0; i < rows->nanswers; i++) {
		char when[64];
		struct tm tm;
		gmtime_r(&ans[i].when.tv_sec, &tm);
		size_t w = strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(when + w, sizeof(when) - w, ".%06ld+00", ans[i].when.tv_nsec / 1000);
		copy_int(c, rows->scan_id);
		copy_int(c, seq++);
		copy_str(c, ans[i].name);
		copy_str(c, ans[i].type);
		copy_str(c, dns_status_name(ans[i].rcode));
		copy_str(c, ans[i].data);
		copy_int(c, (long long)ans[i].ttl);
		copy_str(c, ans[i].resolver);
		copy_str(c, when);
		if ((rc = copy_status(c)) == R_ELIMIT || rc == R_ENOMEM) {
			/* The whole answer or none of it: name what could not be stored. */
			char why[sizeof(err->where) + sizeof(err->msg) + 2];
			snprintf(why, sizeof(why), "%s: %s", err->where, err->msg);
			rerr_set(err, rc, ans[i].name, 0,
				 "the %s answer (%zu bytes of records) cannot be stored whole: %s",
				 ans[i].type, strlen(ans[i].data), why);
			break;
		}
	}
	return copy_end(c, NULL);
}

enum rstatus store_scan_job(struct store *st, const struct scan_job_rows *rows, struct rerr *err)
{
	struct copy c;
	struct addr *addrs = NULL;
	struct job_parts parts = {NULL, 0, 0};
	size_t naddrs = 0, paths = 0, nfindings = 0;
	long long fseq = 0, aseq = 0;
	char idtext[32], jobtext[32], pathtext[32];
	enum rstatus rc;

	snprintf(idtext, sizeof(idtext), "%lld", rows->scan_id);
	snprintf(jobtext, sizeof(jobtext), "%ld", rows->job->job);
	for (size_t i = 0; i < rows->nservices; i++) {
		paths += rows->services[i].npaths;
		nfindings += rows->services[i].judged->n;
	}
	snprintf(pathtext, sizeof(pathtext), "%zu", paths);
	const char *p[4] = {idtext, jobtext, rows->worker, pathtext};
	if ((rc = job_services(&c, st, rows, err)) == R_OK &&
	    (rc = job_elements(&c, st, rows, &addrs, &naddrs, &parts, err)) == R_OK &&
	    (rc = job_parts(&c, st, rows, &parts, err)) == R_OK &&
	    (rc = job_attributions(&c, st, rows, addrs, naddrs, err)) == R_OK &&
	    /* Numbering: jobs of one scan take turns from here to their commit. */
	    (rc = next_seqs(st, idtext, nfindings, rows->nanswers, &fseq, &aseq, err)) == R_OK &&
	    (rc = job_findings(&c, st, rows, fseq, err)) == R_OK &&
	    (rc = job_answers(&c, st, rows, aseq, err)) == R_OK &&
	    (rc = store_command(
		 st,
		 "UPDATE scan_jobs SET done_at = now(), worker = $3, paths = $4 WHERE "
		 "scan_id = $1 AND job = $2",
		 4, p, "marking the job done", err)) == R_OK)
		rc = store_exec(st, "COMMIT", err);
	free(addrs);
	free(parts.v);
	if (rc != R_OK)
		store_rollback(st);
	return rc;
}
