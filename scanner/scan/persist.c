/*
 * persist: storing a run (see persist.h).
 */
#include "scan/persist.h"
#include "core/buf.h"
#include "report/digest.h"
#include "report/evidence.h"
#include "store/copy.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int addr_sort(const void *a, const void *b)
{
	return addr_cmp(a, b);
}

/* A PostgreSQL text[] literal of n strings, each stride bytes apart (0: an array of pointers). */
static void text_array(struct buf *b, const void *v, size_t n, size_t stride)
{
	buf_addstr(b, "{");
	for (size_t i = 0; i < n; i++) {
		const char *s = stride ? (const char *)v + i * stride : ((const char *const *)v)[i];
		buf_addstr(b, i ? ",\"" : "\"");
		for (const char *p = s; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_add(b, "\\", 1);
			buf_add(b, p, 1);
		}
		buf_addstr(b, "\"");
	}
	buf_addstr(b, "}");
}

/*
 * The scans row: a new one (*id == 0), or scan *id again when it ended
 * interrupted or failed with nothing stored and the same configuration (resume).
 */
static enum rstatus begin_scan(struct store *st, const struct config *cfg, const struct run *r,
			       long long *id, struct rerr *err)
{
	char csha[DIGEST_HEXLEN], psha[DIGEST_HEXLEN], epoch[32];
	struct rerr unread;
	struct buf zones;
	uint8_t md[DIGEST_LEN];
	struct digest *dg = digest_new();

	/* The configuration as it was read and checked (the file may have changed
	 * since: serve keeps the old one when a reload is refused). */
	if (cfg->text)
		digest_sha256_hex(cfg->text, strlen(cfg->text), csha);
	else if (digest_file_sha256_hex(cfg->file, csha, &unread) != R_OK)
		snprintf(csha, sizeof(csha), "unreadable");
	for (size_t i = 0; dg && i < r->estate->npolicies; i++) {
		const char *f[2] = {r->estate->policies[i].file, r->estate->policies[i].text};
		digest_record(dg, "policy", 2, f);
	}
	if (dg) {
		digest_final(dg, md);
		digest_hex(md, psha);
		digest_free(dg);
	} else {
		snprintf(psha, sizeof(psha), "unavailable");
	}
	snprintf(epoch, sizeof(epoch), "%llu", attrib_geoip_epoch(r->attrib));
	buf_init(&zones, 1 << 20);
	text_array(&zones, (const char *const *)cfg->zones, cfg->nzones, 0);
	char idtext[32];
	snprintf(idtext, sizeof(idtext), "%lld", *id);
	const char *p[7] = {r->estate->file, cfg->file, zones.data, csha, psha, epoch, idtext};
	PGresult *res;
	if (*id > 0) {
		res = PQexecParams(
		    store_conn(st),
		    "UPDATE scans SET status = 'running', finished_at = NULL, error = NULL, "
		    "estate = $1, config_path = $2, zone_files = $3, policy_sha256 = $5, "
		    "geoip_build_epoch = $6 WHERE id = $7 AND status IN ('interrupted', 'failed') "
		    "AND coalesce(config_sha256, $4) = $4 AND NOT EXISTS (SELECT 1 FROM "
		    "scan_elements WHERE scan_id = $7) RETURNING id",
		    7, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 0) {
			PQclear(res);
			buf_free(&zones);
			return rerr_set(
			    err, R_EINPUT, NULL, 0,
			    "scan %lld cannot be resumed: only an interrupted or failed "
			    "scan of this same configuration file (same SHA-256) is",
			    *id);
		}
	} else {
		res = PQexecParams(
		    store_conn(st),
		    "INSERT INTO scans (estate, config_path, zone_files, config_sha256, "
		    "policy_sha256, geoip_build_epoch) VALUES ($1, $2, $3, $4, $5, $6) "
		    "RETURNING id",
		    6, NULL, p, NULL, NULL, 0);
	}
	buf_free(&zones);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return store_error(st, err, "creating the scan");
	}
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return R_OK;
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

static const char *nz(const char *s)
{
	return s && *s ? s : NULL;
}

/* One text the scan was judged with, kept whole for evidence. */
static enum rstatus document(struct store *st, const char *id, const char *kind, const char *name,
			     const char *body, struct rerr *err)
{
	char sha[DIGEST_HEXLEN];
	digest_sha256_hex(body, strlen(body), sha);
	const char *p[5] = {id, kind, name, sha, body};
	PGresult *res =
	    PQexecParams(store_conn(st),
			 "INSERT INTO scan_documents (scan_id, kind, name, sha256, body) "
			 "VALUES ($1, $2, $3, $4, $5)",
			 5, NULL, p, NULL, NULL, 0);
	enum rstatus rc = PQresultStatus(res) == PGRES_COMMAND_OK
			      ? R_OK
			      : store_error(st, err, "storing the documents of the scan");
	PQclear(res);
	return rc;
}

/* The configuration, estate and policy texts. */
static enum rstatus documents(struct store *st, long long id, const struct config *cfg,
			      const struct run *r, struct rerr *err)
{
	char idtext[32];
	struct buf b;
	enum rstatus rc = R_OK;

	snprintf(idtext, sizeof(idtext), "%lld", id);
	buf_init(&b, 64u * 1024 * 1024);
	const char *files[2] = {cfg->file, r->estate->file};
	const char *texts[2] = {cfg->text, r->estate->text};
	const char *kinds[2] = {"config", "estate"};
	for (int i = 0; i < 2 && rc == R_OK; i++) {
		buf_reset(&b);
		if (texts[i]) /* as read when the scan started */
			rc = document(st, idtext, kinds[i], files[i], texts[i], err);
		else if ((rc = buf_read_file(&b, files[i], err)) == R_OK)
			rc = document(st, idtext, kinds[i], files[i], b.data ? b.data : "", err);
	}
	buf_free(&b);
	for (size_t i = 0; i < r->estate->npolicies && rc == R_OK; i++)
		rc = document(st, idtext, "policy", r->estate->policies[i].file,
			      r->estate->policies[i].text ? r->estate->policies[i].text : "", err);
	return rc;
}

static enum rstatus observations(struct store *st, long long id, const struct run *r,
				 struct scan_counts *n, struct rerr *err)
{
	struct copy c;
	enum rstatus rc;
	char a[ADDR_STRLEN];

	/* The data judged against: range sets and the GeoIP database, with hashes
	 * (computed first: COPY cannot be left halfway through a row). */
	const struct attrib_source_info *src;
	size_t nsrc = attrib_sources(r->attrib, &src);
	char(*sha)[65] = calloc(nsrc + 1, sizeof(*sha));
	if (sha == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	for (size_t i = 0; i < nsrc; i++)
		if ((rc = attrib_source_sha256(&src[i], sha[i], err)) != R_OK) {
			free(sha);
			return rc;
		}
	if ((rc = copy_begin(&c, st,
			     "COPY scan_sources (scan_id, seq, name, kind, origin, files, sha256, "
			     "version, records) FROM STDIN",
			     9, err)) != R_OK) {
		free(sha);
		return rc;
	}
	for (size_t i = 0; i < nsrc; i++) {
		struct buf files;
		buf_init(&files, 1 << 16);
		text_array(&files, src[i].files, src[i].nfiles, sizeof(src[i].files[0]));
		copy_int(&c, id);
		copy_int(&c, (long long)i);
		copy_str(&c, src[i].name);
		copy_str(&c, src[i].kind);
		copy_str(&c, src[i].origin);
		copy_str(&c, files.data);
		copy_str(&c, sha[i]);
		copy_str(&c, src[i].version);
		copy_int(&c, (long long)src[i].records);
		buf_free(&files);
	}
	free(sha);
	if ((rc = copy_end(&c, NULL)) != R_OK)
		return rc;

	/* Services. */
	if ((rc = copy_begin(
		 &c, st,
		 "COPY scan_services (scan_id, service, owner, policy, verdict, findings, "
		 "waived) FROM STDIN",
		 7, err)) != R_OK)
		return rc;
	for (size_t i = 0; i < r->estate->n; i++) {
		const struct service *s = &r->estate->v[i];
		const struct judgement *j = &r->services[i].judged;
		copy_int(&c, id);
		copy_str(&c, s->name);
		copy_str(&c, s->owner);
		copy_str(&c, s->policy);
		copy_str(&c, j->n > j->nwaived ? "violation" : "compliant");
		copy_int(&c, (long long)(j->n - j->nwaived));
		copy_int(&c, (long long)j->nwaived);
	}
	if ((rc = copy_end(&c, &n->services)) != R_OK)
		return rc;

	/* Every element of every path; and the set of addresses seen. */
	size_t naddrs = 0, cap = 1024;
	struct addr *addrs = malloc(cap * sizeof(*addrs));
	if (addrs == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	if ((rc = copy_begin(
		 &c, st,
		 "COPY scan_elements (scan_id, service, endpoint, mail, idx, kind, name, "
		 "address, status, parent, zone) FROM STDIN",
		 11, err)) != R_OK) {
		free(addrs);
		return rc;
	}
	for (size_t i = 0; i < r->estate->n; i++) {
		const struct run_service *rs = &r->services[i];
		for (size_t k = 0; k < rs->npaths; k++) {
			const struct path *p = &rs->paths[k];
			for (size_t e = 0; e < p->n; e++) {
				const struct path_elem *pe = &p->elems[e];
				copy_int(&c, id);
				copy_str(&c, r->estate->v[i].name);
				copy_str(&c, p->root);
				copy_bool(&c, rs->is_mail[k]);
				copy_int(&c, (long long)e);
				copy_str(&c, path_kind_name(pe->kind));
				copy_str(&c, pe->name);
				copy_str(&c, pe->kind == PATH_ADDRESS
						 ? addr_format(&pe->addr, a, sizeof(a))
						 : NULL);
				copy_str(&c, dns_status_name(pe->status));
				copy_int(&c, pe->parent);
				copy_str(&c, nz(pe->zone));
				if (pe->kind != PATH_ADDRESS)
					continue;
				if (naddrs == cap) {
					struct addr *v = realloc(addrs, 2 * cap * sizeof(*v));
					if (v == NULL)
						break;
					addrs = v;
					cap *= 2;
				}
				addrs[naddrs++] = pe->addr;
			}
		}
	}
	if ((rc = copy_end(&c, &n->elements)) != R_OK) {
		free(addrs);
		return rc;
	}

	/* One attribution per distinct address. */
	qsort(addrs, naddrs, sizeof(*addrs), addr_sort);
	if ((rc = copy_begin(
		 &c, st,
		 "COPY scan_attributions (scan_id, address, provider, region, "
		 "border_group, services, scope, country, source, prefix, geoip_country, "
		 "region_unmapped, disagreement) FROM STDIN",
		 13, err)) != R_OK) {
		free(addrs);
		return rc;
	}
	for (size_t i = 0; i < naddrs; i++) {
		struct attribution at;
		if (i && addr_cmp(&addrs[i - 1], &addrs[i]) == 0)
			continue;
		attrib_lookup(r->attrib, &addrs[i], &at);
		copy_int(&c, id);
		copy_str(&c, addr_format(&addrs[i], a, sizeof(a)));
		copy_str(&c, nz(at.provider));
		copy_str(&c, nz(at.region));
		copy_str(&c, nz(at.border_group));
		copy_str(&c, nz(at.services));
		copy_str(&c, attr_scope_name(at.scope));
		copy_str(&c, nz(at.country));
		copy_str(&c, attr_source_name(at.source));
		copy_str(&c, nz(at.prefix));
		copy_str(&c, nz(at.geoip_country));
		copy_bool(&c, at.region_unmapped);
		copy_bool(&c, at.disagreement);
	}
	free(addrs);
	if ((rc = copy_end(&c, &n->attributions)) != R_OK)
		return rc;

	/* Findings, waived ones included and marked. */
	if ((rc = copy_begin(
		 &c, st,
		 "COPY scan_findings (scan_id, seq, service, endpoint, element, "
		 "element_kind, country, provider, region, border_group, source, policy, "
		 "reason, detail, path, waived, waiver_reason, waiver_expires, "
		 "waiver_expired) FROM STDIN",
		 19, err)) != R_OK)
		return rc;
	long long seq = 0;
	for (size_t i = 0; i < r->estate->n; i++) {
		const struct judgement *j = &r->services[i].judged;
		for (size_t k = 0; k < j->n; k++) {
			const struct finding *f = &j->v[k];
			char *pj = path_json(f);
			copy_int(&c, id);
			copy_int(&c, seq++);
			copy_str(&c, f->service);
			copy_str(&c, f->endpoint);
			copy_str(&c, f->element);
			copy_str(&c, path_kind_name(f->kind));
			copy_str(&c, nz(f->at.country));
			copy_str(&c, nz(f->at.provider));
			copy_str(&c, nz(f->at.region));
			copy_str(&c, nz(f->at.border_group));
			copy_str(&c,
				 f->kind == PATH_ADDRESS ? attr_source_name(f->at.source) : "dns");
			copy_str(&c, f->policy);
			copy_str(&c, finding_reason_name(f->reason));
			copy_str(&c, f->detail);
			copy_str(&c, pj ? pj : "[]");
			copy_bool(&c, f->waiver != NULL);
			/* The waiver that applied, or the expired one that no longer does. */
			const struct waiver *w = f->waiver ? f->waiver : f->expired;
			copy_str(&c, w ? w->reason : NULL);
			copy_str(&c, w ? w->expires : NULL);
			copy_bool(&c, f->expired != NULL);
			free(pj);
			if (f->waiver)
				n->waived++;
			else
				n->findings++;
		}
	}
	if ((rc = copy_end(&c, NULL)) != R_OK)
		return rc;

	/* Every DNS answer used. */
	const struct dns_answer *ans;
	size_t na = dns_answers(r->dns, &ans);
	if ((rc = copy_begin(
		 &c, st,
		 "COPY scan_answers (scan_id, seq, name, type, rcode, data, ttl, resolver, "
		 "answered_at) FROM STDIN",
		 9, err)) != R_OK)
		return rc;
	for (size_t i = 0; i < na; i++) {
		char when[64];
		struct tm tm;
		gmtime_r(&ans[i].when.tv_sec, &tm);
		size_t w = strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(when + w, sizeof(when) - w, ".%06ld+00", ans[i].when.tv_nsec / 1000);
		copy_int(&c, id);
		copy_int(&c, (long long)i);
		copy_str(&c, ans[i].name);
		copy_str(&c, ans[i].type);
		copy_str(&c, dns_status_name(ans[i].rcode));
		copy_str(&c, ans[i].data);
		copy_int(&c, (long long)ans[i].ttl);
		copy_str(&c, ans[i].resolver);
		copy_str(&c, when);
	}
	return copy_end(&c, &n->answers);
}

enum rstatus persist_scan(struct store *st, const struct config *cfg, const struct run *r,
			  long long *scan_id, struct scan_counts *counts, struct rerr *err)
{
	*scan_id = 0;
	return persist_resume(st, cfg, r, scan_id, counts, err);
}

enum rstatus persist_resume(struct store *st, const struct config *cfg, const struct run *r,
			    long long *scan_id, struct scan_counts *counts, struct rerr *err)
{
	enum rstatus rc;
	int have = 0;
	char idtext[32], cj[512];

	memset(counts, 0, sizeof(*counts));
	if ((rc = store_schema_version(st, &have, err)) != R_OK)
		return rc;
	if (have != store_known_version())
		return rerr_set(err, R_EDB, "postgresql", 0,
				"the database schema is at version %d, this binary needs %d: run "
				"'residency db migrate'",
				have, store_known_version());
	if ((rc = begin_scan(st, cfg, r, scan_id, err)) != R_OK)
		return rc;
	snprintf(idtext, sizeof(idtext), "%lld", *scan_id);
	if ((rc = store_exec(st, "BEGIN", err)) == R_OK &&
	    (rc = documents(st, *scan_id, cfg, r, err)) == R_OK &&
	    (rc = observations(st, *scan_id, r, counts, err)) == R_OK) {
		snprintf(cj, sizeof(cj),
			 "{\"services\": %zu, \"paths\": %zu, \"elements\": %zu, \"attributions\": "
			 "%zu, \"findings\": %zu, \"waived\": %zu, \"answers\": %zu}",
			 counts->services, r->endpoints, counts->elements, counts->attributions,
			 counts->findings, counts->waived, counts->answers);
		const char *p[3] = {idtext, cj, counts->findings ? "violation" : "compliant"};
		PGresult *res =
		    PQexecParams(store_conn(st),
				 "UPDATE scans SET status = 'complete', finished_at = now(), "
				 "counts = $2::jsonb, verdict = $3 WHERE id = $1",
				 3, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = store_error(st, err, "completing the scan");
		PQclear(res);
		/* Its digest joins the chain in the same transaction: a complete scan
		 * always has its link. */
		if (rc == R_OK)
			rc = evidence_link(store_conn(st), *scan_id, cfg->signing_key, err);
	}
	if (rc == R_OK)
		rc = store_exec(st, "COMMIT", err);
	if (rc != R_OK) {
		struct rerr ignore;
		char msg[2048];
		PQclear(PQexec(store_conn(st), "ROLLBACK"));
		const char *p[2] = {idtext, rerr_format(err, msg, sizeof(msg))};
		PQclear(PQexecParams(
		    store_conn(st),
		    "UPDATE scans SET status = 'failed', finished_at = now(), error = $2 "
		    "WHERE id = $1",
		    2, NULL, p, NULL, NULL, 0));
		(void)ignore;
	}
	return rc;
}
