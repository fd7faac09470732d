/*
 * store/scan_write: a scan's row from its beginning to its completion (see
 * scan_write.h).
 */
#include "store/scan_write.h"
#include "core/buf.h"
#include "core/digest.h"
#include "store/evidence_store.h"
#include "store/copy.h"
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Caps of the text[] literals written here. Both hold any legal input: a
 * source has at most ATTRIB_MAX_FILES names of under 1024 bytes (6 KiB once
 * escaped); a configuration at most CONFIG_MAX_LIST zone files, each a path
 * that opened (under PATH_MAX, 4096), so about 2.1 MiB escaped.
 */
#define SOURCE_FILES_MAX ((size_t)64 << 10)
#define ZONE_FILES_MAX ((size_t)4 << 20)

/*
 * A PostgreSQL text[] literal of n strings, each stride bytes apart (0: an
 * array of pointers); R_OK, or the buf's first error (the literal is then
 * unusable: callers must not store it).
 */
static enum rstatus text_array(struct buf *b, const void *v, size_t n, size_t stride)
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
	return buf_error(b);
}

/* The configuration's zone files as a text[] literal in zones (initialised
 * here; the caller frees it with buf_free() in any case). */
static enum rstatus zone_files(struct buf *zones, const struct config *cfg, struct rerr *err)
{
	enum rstatus rc;

	buf_init(zones, ZONE_FILES_MAX);
	if ((rc = text_array(zones, (const char *const *)cfg->zones, cfg->nzones, 0)) != R_OK)
		return rerr_set(
		    err, rc, cfg->file, 0,
		    rc == R_ELIMIT ? "its %zu zone file names are over %zu bytes in all: not stored"
				   : "out of memory listing its %zu zone files (limit %zu)",
		    cfg->nzones, ZONE_FILES_MAX);
	return R_OK;
}

/* One text the scan was judged with, kept whole for evidence. */
static enum rstatus document(struct store *st, const char *id, const char *kind, const char *name,
			     const char *body, struct rerr *err)
{
	char sha[DIGEST_HEXLEN];
	digest_sha256_hex(body, strlen(body), sha);
	const char *p[5] = {id, kind, name, sha, body};
	PGresult *res =
	    PQexecParams(store_pg(st),
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
			      const struct estate *estate, const struct attrib *attrib,
			      struct rerr *err)
{
	char idtext[32];
	struct buf b;
	enum rstatus rc = R_OK;

	snprintf(idtext, sizeof(idtext), "%lld", id);
	buf_init(&b, 64u * 1024 * 1024);
	const char *files[2] = {cfg->file, estate->file};
	const char *texts[2] = {cfg->text, estate->text};
	const char *kinds[2] = {"config", "estate"};
	for (int i = 0; i < 2 && rc == R_OK; i++) {
		buf_reset(&b);
		if (texts[i]) /* as read when the scan started */
			rc = document(st, idtext, kinds[i], files[i], texts[i], err);
		else if ((rc = buf_read_file(&b, files[i], err)) == R_OK)
			rc = document(st, idtext, kinds[i], files[i], b.data ? b.data : "", err);
	}
	buf_free(&b);
	for (size_t i = 0; i < estate->npolicies && rc == R_OK; i++)
		rc = document(st, idtext, "policy", estate->policies[i].file,
			      estate->policies[i].text ? estate->policies[i].text : "", err);
	/* The special-purpose table decides what has no country (schema 010). */
	const char *table = attrib_special_table(attrib);
	if (rc == R_OK && table)
		rc = document(st, idtext, "table", "policies/special-purpose.csv", table, err);
	return rc;
}

/* SHA-256 of the configuration as it was read and checked (the file may have
 * changed since: serve keeps the old one when a reload is refused). */
static void config_sha256(const struct config *cfg, char out[DIGEST_HEXLEN])
{
	struct rerr unread;

	if (cfg->text)
		digest_sha256_hex(cfg->text, strlen(cfg->text), out);
	else if (digest_file_sha256_hex(cfg->file, out, &unread) != R_OK)
		snprintf(out, DIGEST_HEXLEN, "unreadable");
}

/* One hash over every policy file's name and text. */
static void policy_sha256(const struct estate *estate, char out[DIGEST_HEXLEN])
{
	uint8_t md[DIGEST_LEN];
	struct digest *dg = digest_new();

	if (dg == NULL) {
		snprintf(out, DIGEST_HEXLEN, "unavailable");
		return;
	}
	for (size_t i = 0; i < estate->npolicies; i++) {
		const char *f[2] = {estate->policies[i].file, estate->policies[i].text};
		digest_record(dg, "policy", 2, f);
	}
	digest_final(dg, md);
	digest_hex(md, out);
	digest_free(dg);
}

static enum rstatus schema_current(struct store *st, struct rerr *err)
{
	int have = 0;
	enum rstatus rc = store_schema_version(st, &have, err);

	if (rc == R_OK && have != store_known_version())
		rc = rerr_set(err, R_EDB, "postgresql", 0,
			      "the database schema is at version %d, this binary needs %d: run "
			      "'residency db migrate'",
			      have, store_known_version());
	return rc;
}

/* The data judged against: range sets and the GeoIP database, with hashes. */
static enum rstatus source_hashes(const struct attrib *attrib,
				  const struct attrib_source_info **src, size_t *nsrc,
				  char (**sha)[65], struct rerr *err)
{
	enum rstatus rc;

	*nsrc = attrib_sources(attrib, src);
	if ((*sha = calloc(*nsrc + 1, sizeof(**sha))) == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	for (size_t i = 0; i < *nsrc; i++)
		if ((rc = attrib_source_sha256(&(*src)[i], (*sha)[i], err)) != R_OK) {
			free(*sha);
			*sha = NULL;
			return rc;
		}
	return R_OK;
}

static enum rstatus sources(struct store *st, long long id, const struct attrib *attrib,
			    struct rerr *err)
{
	const struct attrib_source_info *src;
	size_t nsrc;
	char(*sha)[65];
	struct copy c;
	enum rstatus rc;

	/* Hashed first: COPY cannot be left halfway through a row. */
	if ((rc = source_hashes(attrib, &src, &nsrc, &sha, err)) != R_OK)
		return rc;
	if ((rc = copy_begin(&c, st,
			     "COPY scan_sources (scan_id, seq, name, kind, origin, files, sha256, "
			     "version, records) FROM STDIN",
			     9, err)) != R_OK) {
		free(sha);
		return rc;
	}
	for (size_t i = 0; i < nsrc; i++) {
		struct buf files;
		buf_init(&files, SOURCE_FILES_MAX);
		if ((rc = text_array(&files, src[i].files, src[i].nfiles,
				     sizeof(src[i].files[0]))) != R_OK) {
			buf_free(&files);
			free(sha);
			rerr_set(err, rc, src[i].name, 0,
				 rc == R_ELIMIT ? "its list of files is over %zu bytes: not stored"
						: "out of memory listing its files (limit %zu)",
				 (size_t)SOURCE_FILES_MAX);
			return copy_abort(&c, rc);
		}
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
	return copy_end(&c, NULL);
}

/* The services cut into jobs of consecutive services holding at least
 * job_endpoints endpoints and mail domains each (the last one: the rest). */
static enum rstatus plan_jobs(struct store *st, long long id, const struct estate *estate,
			      size_t job_endpoints, struct rerr *err)
{
	struct copy c;
	enum rstatus rc;
	size_t first = 0, held = 0, job = 0;

	if ((rc = copy_begin(&c, st,
			     "COPY scan_jobs (scan_id, job, first_service, end_service) FROM STDIN",
			     4, err)) != R_OK)
		return rc;
	for (size_t i = 0; i < estate->n; i++) {
		held += estate->v[i].nendpoints + estate->v[i].nmail;
		if (held < job_endpoints && i + 1 < estate->n)
			continue;
		copy_int(&c, id);
		copy_int(&c, (long long)job++);
		copy_int(&c, (long long)first);
		copy_int(&c, (long long)(i + 1));
		first = i + 1;
		held = 0;
	}
	return copy_end(&c, NULL);
}

static int str_sort(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Whether this process would judge scan id as it was begun: the same estate
 * text, the same policy texts and the same range sets and GeoIP database (by
 * SHA-256). Paths may differ (another machine); the bytes may not.
 */
static enum rstatus same_as_begun(struct store *st, long long id, const struct estate *estate,
				  const struct attrib *attrib, struct rerr *err)
{
	char idtext[32], esha[DIGEST_HEXLEN];
	const char *p[1] = {idtext};
	enum rstatus rc = R_OK;
	PGresult *res;

	snprintf(idtext, sizeof(idtext), "%lld", id);
	if (estate->text)
		digest_sha256_hex(estate->text, strlen(estate->text), esha);
	else if ((rc = digest_file_sha256_hex(estate->file, esha, err)) != R_OK)
		return rc;
	if ((res = store_query(
		 st, "SELECT sha256 FROM scan_documents WHERE scan_id = $1 AND kind = 'estate'", 1,
		 p, "reading the scan's estate", &rc, err)) == NULL)
		return rc;
	bool same = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), esha) == 0;
	PQclear(res);
	if (!same)
		return rerr_set(
		    err, R_EINPUT, estate->file, 0,
		    "this estate (SHA-256 %.16s...) is not the one scan %lld began with: "
		    "every part of a scan is judged from the same estate",
		    esha, id);

	/* The policies, as a set of texts. */
	size_t np = estate->npolicies;
	char(*mine)[DIGEST_HEXLEN] = calloc(np + 1, sizeof(*mine));
	const char **order = calloc(np + 1, sizeof(*order));
	if (mine == NULL || order == NULL) {
		free(mine);
		free(order);
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	}
	for (size_t i = 0; i < np; i++) {
		const char *t = estate->policies[i].text ? estate->policies[i].text : "";
		digest_sha256_hex(t, strlen(t), mine[i]);
		order[i] = mine[i];
	}
	qsort(order, np, sizeof(*order), str_sort);
	if ((res = store_query(
		 st,
		 "SELECT sha256 FROM scan_documents WHERE scan_id = $1 AND kind = 'policy' "
		 "ORDER BY sha256 COLLATE \"C\"",
		 1, p, "reading the scan's policies", &rc, err)) != NULL) {
		same = (size_t)PQntuples(res) == np;
		for (size_t i = 0; same && i < np; i++)
			same = strcmp(PQgetvalue(res, (int)i, 0), order[i]) == 0;
		if (!same)
			rc = rerr_set(err, R_EINPUT, NULL, 0,
				      "the policies here (%zu) are not those scan %lld began with "
				      "(%d): every part of a scan is judged by the same policies",
				      np, id, PQntuples(res));
		PQclear(res);
	}
	free(mine);
	free(order);
	if (rc != R_OK)
		return rc;

	/* The data judged against, source by source. */
	const struct attrib_source_info *src;
	size_t nsrc;
	char(*sha)[65];
	if ((rc = source_hashes(attrib, &src, &nsrc, &sha, err)) != R_OK)
		return rc;
	if ((res = store_query(
		 st, "SELECT name, sha256 FROM scan_sources WHERE scan_id = $1 ORDER BY seq", 1, p,
		 "reading the scan's sources", &rc, err)) != NULL) {
		if ((size_t)PQntuples(res) != nsrc)
			rc =
			    rerr_set(err, R_EINPUT, NULL, 0,
				     "scan %lld was begun with %d range sets and GeoIP databases, "
				     "this process has %zu: every part of a scan is judged against "
				     "the same data",
				     id, PQntuples(res), nsrc);
		for (size_t i = 0; rc == R_OK && i < nsrc; i++)
			if (strcmp(PQgetvalue(res, (int)i, 0), src[i].name) != 0 ||
			    strcmp(PQgetvalue(res, (int)i, 1), sha[i]) != 0)
				rc = rerr_set(
				    err, R_EINPUT, NULL, 0,
				    "the %s data here (SHA-256 %.16s...) is not what scan %lld "
				    "began with (%s, %.16s...): every part of a scan is judged "
				    "against the same data",
				    src[i].name, sha[i], id, PQgetvalue(res, (int)i, 0),
				    PQgetvalue(res, (int)i, 1));
		PQclear(res);
	}
	free(sha);
	return rc;
}

/* A new scans row (running), with the texts and sources it is judged with and its jobs. */
static enum rstatus begin_new(struct store *st, const struct config *cfg,
			      const struct estate *estate, const struct attrib *attrib,
			      size_t job_endpoints, long long *id, struct rerr *err)
{
	char csha[DIGEST_HEXLEN], psha[DIGEST_HEXLEN], epoch[32];
	struct buf zones;
	enum rstatus rc = R_OK;

	config_sha256(cfg, csha);
	policy_sha256(estate, psha);
	snprintf(epoch, sizeof(epoch), "%llu", attrib_geoip_epoch(attrib));
	if ((rc = zone_files(&zones, cfg, err)) != R_OK) {
		buf_free(&zones);
		return rc;
	}
	const char *p[6] = {estate->file, cfg->file, zones.data, csha, psha, epoch};
	PGresult *res =
	    store_query(st,
			"INSERT INTO scans (estate, config_path, zone_files, config_sha256, "
			"policy_sha256, geoip_build_epoch) VALUES ($1, $2, $3, $4, $5, $6) "
			"RETURNING id",
			6, p, "creating the scan", &rc, err);
	buf_free(&zones);
	if (res == NULL)
		return rc;
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if ((rc = documents(st, *id, cfg, estate, attrib, err)) == R_OK &&
	    (rc = sources(st, *id, attrib, err)) == R_OK)
		rc = plan_jobs(st, *id, estate, job_endpoints, err);
	return rc;
}

/*
 * Scan id again, when it ended interrupted or failed, with this same
 * configuration: its undone jobs are worked again (a scan that ended before any
 * job existed, a stub, gets its texts, sources and jobs now).
 */
static enum rstatus begin_again(struct store *st, const struct config *cfg,
				const struct estate *estate, const struct attrib *attrib,
				size_t job_endpoints, long long id, struct rerr *err)
{
	char csha[DIGEST_HEXLEN], psha[DIGEST_HEXLEN], epoch[32], idtext[32];
	enum rstatus rc = R_OK;
	const char *p[1] = {idtext};

	config_sha256(cfg, csha);
	snprintf(idtext, sizeof(idtext), "%lld", id);
	PGresult *res = store_query(
	    st,
	    "SELECT status, coalesce(config_sha256, ''), (SELECT count(*) FROM scan_jobs "
	    "WHERE scan_id = $1), EXISTS (SELECT 1 FROM scan_elements WHERE scan_id = $1) "
	    "FROM scans WHERE id = $1 FOR NO KEY UPDATE",
	    1, p, "reading the scan to resume", &rc, err);
	if (res == NULL)
		return rc;
	bool ok = PQntuples(res) == 1 &&
		  (strcmp(PQgetvalue(res, 0, 0), "interrupted") == 0 ||
		   strcmp(PQgetvalue(res, 0, 0), "failed") == 0) &&
		  (PQgetvalue(res, 0, 1)[0] == '\0' || strcmp(PQgetvalue(res, 0, 1), csha) == 0);
	bool has_jobs = ok && strcmp(PQgetvalue(res, 0, 2), "0") != 0;
	bool stub = ok && !has_jobs && strcmp(PQgetvalue(res, 0, 3), "f") == 0;
	PQclear(res);
	if (!has_jobs && !stub)
		return rerr_set(err, R_EINPUT, NULL, 0,
				"scan %lld cannot be resumed: only an interrupted or failed "
				"scan of this same configuration file (same SHA-256) is",
				id);
	if (has_jobs) {
		if ((rc = same_as_begun(st, id, estate, attrib, err)) != R_OK)
			return rc;
		return store_command(
		    st,
		    "UPDATE scans SET status = 'running', finished_at = NULL, error = "
		    "NULL WHERE id = $1",
		    1, p, "resuming the scan", err);
	}
	struct buf zones;
	policy_sha256(estate, psha);
	snprintf(epoch, sizeof(epoch), "%llu", attrib_geoip_epoch(attrib));
	if ((rc = zone_files(&zones, cfg, err)) != R_OK) {
		buf_free(&zones);
		return rc;
	}
	const char *q[7] = {estate->file, cfg->file, zones.data, csha, psha, epoch, idtext};
	rc = store_command(st,
			   "UPDATE scans SET status = 'running', finished_at = NULL, error = NULL, "
			   "estate = $1, config_path = $2, zone_files = $3, config_sha256 = $4, "
			   "policy_sha256 = $5, geoip_build_epoch = $6 WHERE id = $7",
			   7, q, "resuming the scan", err);
	buf_free(&zones);
	if (rc == R_OK && (rc = documents(st, id, cfg, estate, attrib, err)) == R_OK &&
	    (rc = sources(st, id, attrib, err)) == R_OK)
		rc = plan_jobs(st, id, estate, job_endpoints, err);
	return rc;
}

enum rstatus store_scan_begin(struct store *st, const struct config *cfg,
			      const struct estate *estate, const struct attrib *attrib,
			      size_t job_endpoints, long long *id, struct rerr *err)
{
	enum rstatus rc;

	if ((rc = schema_current(st, err)) != R_OK || (rc = store_exec(st, "BEGIN", err)) != R_OK)
		return rc;
	if (*id > 0)
		rc = begin_again(st, cfg, estate, attrib, job_endpoints ? job_endpoints : 1, *id,
				 err);
	else
		rc = begin_new(st, cfg, estate, attrib, job_endpoints ? job_endpoints : 1, id, err);
	if (rc == R_OK)
		rc = store_exec(st, "COMMIT", err);
	if (rc != R_OK)
		store_rollback(st);
	return rc;
}

enum rstatus store_scan_join(struct store *st, const struct estate *estate,
			     const struct attrib *attrib, long long id, struct rerr *err)
{
	char idtext[32];
	const char *p[1] = {idtext};
	enum rstatus rc;

	if ((rc = schema_current(st, err)) != R_OK)
		return rc;
	snprintf(idtext, sizeof(idtext), "%lld", id);
	PGresult *res =
	    store_query(st,
			"SELECT status, (SELECT count(*) FROM scan_jobs WHERE scan_id = $1) "
			"FROM scans WHERE id = $1",
			1, p, "reading the scan to join", &rc, err);
	if (res == NULL)
		return rc;
	if (PQntuples(res) != 1)
		rc = rerr_set(err, R_EINPUT, NULL, 0, "there is no scan %lld to join", id);
	else if (strcmp(PQgetvalue(res, 0, 0), "running") != 0)
		rc = rerr_set(err, R_EINPUT, NULL, 0,
			      "scan %lld is %s: only a running scan can be joined", id,
			      PQgetvalue(res, 0, 0));
	else if (strcmp(PQgetvalue(res, 0, 1), "0") == 0)
		rc = rerr_set(err, R_EINPUT, NULL, 0,
			      "scan %lld has no jobs to share (it was begun by an older "
			      "residency)",
			      id);
	PQclear(res);
	return rc == R_OK ? same_as_begun(st, id, estate, attrib, err) : rc;
}

enum rstatus store_scan_complete(struct store *st, const struct config *cfg, long long id,
				 bool *complete, struct scan_counts *n, struct rerr *err)
{
	char idtext[32], cj[512];
	const char *p[1] = {idtext};
	enum rstatus rc;
	PGresult *res;

	*complete = false;
	memset(n, 0, sizeof(*n));
	snprintf(idtext, sizeof(idtext), "%lld", id);
	if ((rc = store_exec(st, "BEGIN", err)) != R_OK)
		return rc;
	if ((res = store_query(
		 st,
		 /* Path elements: rows of their own, and each part once per row that
		  * refers to it. Both sides are grouped by part first (a few thousand
		  * groups), so no plan joins row by row, whatever the statistics of
		  * tables just loaded say. */
		 "WITH r AS MATERIALIZED (SELECT part, count(*) AS c FROM scan_elements WHERE "
		 "scan_id = $1 GROUP BY part), l AS MATERIALIZED (SELECT part, count(*) AS n FROM "
		 "scan_parts WHERE scan_id = $1 GROUP BY part) "
		 "SELECT status, (SELECT count(*) FROM scan_services WHERE scan_id = $1), "
		 "(SELECT coalesce(sum(paths), 0) FROM scan_jobs WHERE scan_id = $1), "
		 "(SELECT coalesce(sum(CASE WHEN r.part IS NULL THEN r.c ELSE r.c * l.n END), 0) "
		 "FROM r LEFT JOIN l USING (part)), "
		 "(SELECT count(*) FROM scan_attributions WHERE scan_id = $1), "
		 "(SELECT count(*) FILTER (WHERE NOT waived) FROM scan_findings WHERE "
		 "scan_id = $1), "
		 "(SELECT count(*) FILTER (WHERE waived) FROM scan_findings WHERE scan_id "
		 "= $1), "
		 "(SELECT count(*) FROM scan_answers WHERE scan_id = $1), "
		 "(SELECT count(*) FROM scan_jobs WHERE scan_id = $1 AND done_at IS NULL), "
		 "(SELECT coalesce(sum(c), 0) FROM r), (SELECT coalesce(sum(n), 0) FROM l), "
		 "(SELECT count(*) FROM r LEFT JOIN l USING (part) WHERE r.part IS NOT NULL AND "
		 "l.part IS NULL) "
		 "FROM scans WHERE id = $1 FOR NO KEY UPDATE",
		 1, p, "counting the scan's rows", &rc, err)) == NULL)
		goto fail;
	if (PQntuples(res) != 1) {
		PQclear(res);
		rc = rerr_set(err, R_EINTERNAL, NULL, 0, "scan %lld is gone", id);
		goto fail;
	}
	char status[32];
	snprintf(status, sizeof(status), "%s", PQgetvalue(res, 0, 0));
	size_t *v[7] = {&n->services, &n->paths,  &n->elements, &n->attributions,
			&n->findings, &n->waived, &n->answers};
	for (int i = 0; i < 7; i++)
		*v[i] = strtoull(PQgetvalue(res, 0, i + 1), NULL, 10);
	bool undone = strcmp(PQgetvalue(res, 0, 8), "0") != 0;
	n->element_rows = strtoull(PQgetvalue(res, 0, 9), NULL, 10);
	n->part_elements = strtoull(PQgetvalue(res, 0, 10), NULL, 10);
	bool parts_missing = strcmp(PQgetvalue(res, 0, 11), "0") != 0;
	PQclear(res);
	if (parts_missing) {
		/* Never counted short: a path that refers to a part the scan does
		 * not hold is not whole (the writer stores both in one transaction,
		 * so only a changed database gets here). */
		rc = rerr_set(err, R_EDB, "scan_parts", 0,
			      "scan %lld: paths refer to parts the scan does not hold", id);
		goto fail;
	}
	if (undone || strcmp(status, "complete") == 0) { /* not yet, or done by another worker */
		*complete = !undone;
		store_rollback(st);
		return R_OK;
	}
	if (strcmp(status, "running") != 0) {
		rc = rerr_set(err, R_ESTOPPED, NULL, 0,
			      "scan %lld is no longer running (%s): another worker ended it", id,
			      status);
		goto fail;
	}
	snprintf(cj, sizeof(cj),
		 "{\"services\": %zu, \"paths\": %zu, \"elements\": %zu, \"attributions\": "
		 "%zu, \"findings\": %zu, \"waived\": %zu, \"answers\": %zu, "
		 "\"element_rows\": %zu, \"part_elements\": %zu}",
		 n->services, n->paths, n->elements, n->attributions, n->findings, n->waived,
		 n->answers, n->element_rows, n->part_elements);
	const char *q[3] = {idtext, cj, n->findings ? "violation" : "compliant"};
	if ((rc = store_command(
		 st,
		 "UPDATE scans SET status = 'complete', finished_at = now(), counts = "
		 "$2::jsonb, verdict = $3 WHERE id = $1",
		 3, q, "completing the scan", err)) != R_OK)
		goto fail;
	/* Its digest joins the chain in the same transaction: a complete scan
	 * always has its link. */
	if ((rc = store_evidence_link(st, id, cfg->signing_key, err)) != R_OK ||
	    (rc = store_exec(st, "COMMIT", err)) != R_OK)
		goto fail;
	*complete = true;
	/* The tables were just bulk-loaded and their statistics still describe
	 * them as they were before: the report, diff and re-judge that often
	 * follow at once would be planned on that (an HTML report of 100,000
	 * endpoints took 19 s instead of 1.2). ANALYZE samples a fixed number of
	 * rows, whatever the size of the scan. After the commit and best effort:
	 * a lock it cannot get within 2 s (a VACUUM running) leaves it to
	 * autovacuum, never the scan's outcome to it. */
	struct rerr ignored;
	if (store_exec(
		st,
		"BEGIN; SET LOCAL lock_timeout = '2s'; ANALYZE scan_services, scan_elements, "
		"scan_parts, scan_attributions, scan_findings, scan_answers; COMMIT",
		&ignored) != R_OK)
		store_rollback(st);
	return R_OK;
fail:
	store_rollback(st);
	return rc;
}
