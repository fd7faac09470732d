/*
 * evidence_store: the SQL of evidence (see evidence_store.h). One statement
 * per record type; their columns are report/records.c's, in that order, as
 * text. Text columns sort with COLLATE "C" so that no server locale changes
 * the order of the records, and so their digest.
 */
#include "store/evidence_store.h"
#include "store/internal.h"

#include <stdlib.h>
#include <string.h>

struct record_sql {
	const char *type;
	const char *sql; /* $1: the scan id; every column as text */
};

static const struct record_sql record_sql[] = {
    {"scan",
     "SELECT id::text, status, started_at::text, finished_at::text, estate, config_path, "
     "zone_files::text, config_sha256, policy_sha256, geoip_build_epoch::text, counts::text, "
     "verdict, error, record_format::text FROM scans WHERE id = $1"},
    {"document", "SELECT kind, name, sha256, body FROM scan_documents WHERE scan_id = $1 "
		 "ORDER BY kind COLLATE \"C\", name COLLATE \"C\""},
    {"source", "SELECT seq::text, name, kind, origin, files::text, sha256, version, records::text "
	       "FROM scan_sources WHERE scan_id = $1 ORDER BY seq"},
    {"service",
     "SELECT service, owner, policy, verdict, findings::text, waived::text FROM scan_services "
     "WHERE scan_id = $1 ORDER BY service COLLATE \"C\""},
    {"element",
     "SELECT service, endpoint, mail::text, idx::text, kind, name, address::text, status, "
     "parent::text, zone, part FROM scan_elements WHERE scan_id = $1 ORDER BY service COLLATE "
     "\"C\", "
     "endpoint COLLATE \"C\", mail, idx, kind COLLATE \"C\", name COLLATE \"C\", address, "
     "status COLLATE \"C\", parent, zone COLLATE \"C\", part COLLATE \"C\""},
    {"part", "SELECT part, idx::text, kind, name, address::text, status, parent::text, zone "
	     "FROM scan_parts WHERE scan_id = $1 ORDER BY part COLLATE \"C\", idx"},
    {"attribution",
     "SELECT address::text, provider, region, border_group, services, scope, country, source, "
     "prefix::text, geoip_country, region_unmapped::text, disagreement::text "
     "FROM scan_attributions WHERE scan_id = $1 ORDER BY address"},
    {"finding",
     "SELECT seq::text, service, endpoint, element, element_kind, country, provider, region, "
     "border_group, source, policy, reason, detail, path::text, waived::text, waiver_reason, "
     "waiver_expires::text, waiver_expired::text, endpoints::text FROM scan_findings "
     "WHERE scan_id = $1 ORDER BY seq"},
    {"answer", "SELECT seq::text, name, type, rcode, data, ttl::text, resolver, answered_at::text "
	       "FROM scan_answers WHERE scan_id = $1 ORDER BY seq"},
};

static const char *sql_of(const char *type)
{
	for (size_t i = 0; i < sizeof(record_sql) / sizeof(record_sql[0]); i++)
		if (strcmp(record_sql[i].type, type) == 0)
			return record_sql[i].sql;
	return NULL;
}

static enum rstatus session_settings(struct store *st, struct rerr *err)
{
	PGresult *r =
	    PQexec(store_pg(st), "SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'; "
				 "SET IntervalStyle TO 'postgres'; SET extra_float_digits TO 3");
	enum rstatus rc = PQresultStatus(r) == PGRES_COMMAND_OK
			      ? R_OK
			      : store_error(st, err, "setting the session for canonical text");
	PQclear(r);
	return rc;
}

enum rstatus store_evidence_records(struct store *st, long long id, evidence_record_fn fn,
				    void *ctx, struct rerr *err)
{
	PGconn *c = store_pg(st);
	char idtext[32];
	const char *p[1] = {idtext};
	enum rstatus rc;

	snprintf(idtext, sizeof(idtext), "%lld", id);
	if ((rc = session_settings(st, err)) != R_OK)
		return rc;
	for (size_t t = 0; t < RECORDS_NTYPES && rc == R_OK; t++) {
		const struct record_type *type = &record_types[t];
		const char *sql = sql_of(type->type);
		size_t rows = 0;
		if (sql == NULL)
			return rerr_set(err, R_EINTERNAL, NULL, 0, "no statement for %s records",
					type->type);
		if (!PQsendQueryParams(c, sql, 1, NULL, p, NULL, NULL, 0) || !PQsetSingleRowMode(c))
			return store_error(st, err, "reading the scan");
		PGresult *r;
		while ((r = PQgetResult(c)) != NULL) {
			ExecStatusType s = PQresultStatus(r);
			if (s == PGRES_SINGLE_TUPLE && rc == R_OK) {
				const char *f[RECORDS_MAXCOLS];
				int nf = PQnfields(r);
				if (nf > RECORDS_MAXCOLS)
					nf = RECORDS_MAXCOLS;
				for (int k = 0; k < nf; k++)
					f[k] = PQgetisnull(r, 0, k) ? NULL : PQgetvalue(r, 0, k);
				rc = fn(ctx, type->type, records_nfields(type, (size_t)nf, f), f,
					err);
				rows++;
			} else if (s != PGRES_TUPLES_OK && s != PGRES_SINGLE_TUPLE && rc == R_OK) {
				rc = store_error(st, err, "reading the scan");
			}
			PQclear(r);
		}
		if (rc == R_OK && t == 0 && rows != 1)
			rc = rerr_set(err, R_EINPUT, NULL, 0, "no scan %lld in the database", id);
	}
	return rc;
}

enum rstatus store_evidence_source(void *src, long long id, evidence_record_fn fn, void *ctx,
				   struct rerr *err)
{
	return store_evidence_records(src, id, fn, ctx, err);
}

enum rstatus store_evidence_digest(struct store *st, long long id, char hex[DIGEST_HEXLEN],
				   struct rerr *err)
{
	return records_digest(store_evidence_source, st, id, hex, err);
}

static char *dup_or_null(PGresult *r, int row, int col, bool *oom)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	char *s = strdup(PQgetvalue(r, row, col));
	if (s == NULL)
		*oom = true;
	return s;
}

/* Rows of (seq, scan_id, digest, prev_link, link, signature, public_key) as links. */
static enum rstatus links_of(struct store *st, PGresult *r, struct chain_link **links, size_t *n,
			     struct rerr *err)
{
	int rows = PQntuples(r);
	bool oom = false;
	struct chain_link *v = calloc(rows > 0 ? (size_t)rows : 1, sizeof(*v));

	(void)st;
	*links = NULL;
	*n = 0;
	if (v == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	for (int i = 0; i < rows; i++) {
		v[i].seq = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		v[i].scan = strtoll(PQgetvalue(r, i, 1), NULL, 10);
		v[i].digest = dup_or_null(r, i, 2, &oom);
		v[i].prev_link = dup_or_null(r, i, 3, &oom);
		v[i].link = dup_or_null(r, i, 4, &oom);
		v[i].signature = dup_or_null(r, i, 5, &oom);
		v[i].public_key = dup_or_null(r, i, 6, &oom);
		if (!v[i].digest || !v[i].prev_link || !v[i].link)
			oom = true; /* NOT NULL columns: only strdup fails here */
	}
	if (oom) {
		chain_links_free(v, (size_t)rows);
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	}
	*links = v;
	*n = (size_t)rows;
	return R_OK;
}

enum rstatus store_evidence_link(struct store *st, long long id, const char *key_pem,
				 struct rerr *err)
{
	PGconn *c = store_pg(st);
	char dg[DIGEST_HEXLEN], link[DIGEST_HEXLEN], seq[32], idtext[32], sighex[CHAIN_SIGHEXLEN];
	const char *prev = chain_zero_link;
	char *pub = NULL;
	enum rstatus rc;
	long long last = 0;

	PGresult *r = PQexec(c, "LOCK TABLE scan_links IN EXCLUSIVE MODE");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		PQclear(r);
		return store_error(st, err, "locking the chain");
	}
	PQclear(r);
	if ((rc = store_evidence_digest(st, id, dg, err)) != R_OK)
		return rc;
	r = PQexec(c, "SELECT seq, link FROM scan_links ORDER BY seq DESC LIMIT 1");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return store_error(st, err, "reading the chain");
	}
	char prevbuf[DIGEST_HEXLEN] = "";
	if (PQntuples(r) == 1) {
		last = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		snprintf(prevbuf, sizeof(prevbuf), "%s", PQgetvalue(r, 0, 1));
		prev = prevbuf;
	}
	PQclear(r);
	if (!chain_link_hex(prev, dg, link))
		return rerr_set(err, R_EINPUT, "scan_links", 0,
				"the last link of the chain (seq %lld) is not a SHA-256", last);
	const char *sig = NULL;
	if (key_pem) {
		if ((rc = chain_sign(key_pem, link, sighex, &pub, err)) != R_OK) {
			free(pub);
			return rc;
		}
		sig = sighex;
	}
	snprintf(seq, sizeof(seq), "%lld", last + 1);
	snprintf(idtext, sizeof(idtext), "%lld", id);
	const char *p[7] = {seq, idtext, dg, prev, link, sig, pub};
	r = PQexecParams(
	    c,
	    "INSERT INTO scan_links (seq, scan_id, digest, prev_link, link, signature, "
	    "public_key) VALUES ($1, $2, $3, $4, $5, $6, $7)",
	    7, NULL, p, NULL, NULL, 0);
	rc = PQresultStatus(r) == PGRES_COMMAND_OK ? R_OK : store_error(st, err, "adding the link");
	PQclear(r);
	free(pub);
	return rc;
}

enum rstatus store_evidence_chain(struct store *st, struct chain_link **links, size_t *n,
				  struct rerr *err)
{
	PGresult *r = PQexec(store_pg(st), "SELECT seq, scan_id, digest, prev_link, link, "
					   "signature, public_key FROM scan_links ORDER BY seq");
	enum rstatus rc;

	*links = NULL;
	*n = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = store_error(st, err, "reading the chain");
	else
		rc = links_of(st, r, links, n, err);
	PQclear(r);
	return rc;
}

enum rstatus store_evidence_chain_range(struct store *st, long long since, long long upto,
					struct chain_link **links, size_t *n, struct rerr *err)
{
	char idtext[32], sinceid[32];
	const char *p[2] = {idtext, sinceid};
	enum rstatus rc;

	*links = NULL;
	*n = 0;
	snprintf(idtext, sizeof(idtext), "%lld", upto);
	snprintf(sinceid, sizeof(sinceid), "%lld", since);
	PGresult *r = PQexecParams(
	    store_pg(st),
	    "SELECT l.seq, l.scan_id, l.digest, l.prev_link, l.link, l.signature, l.public_key "
	    "FROM scan_links l WHERE l.seq BETWEEN (SELECT seq FROM scan_links WHERE scan_id = $2) "
	    "AND (SELECT seq FROM scan_links WHERE scan_id = $1) ORDER BY l.seq",
	    2, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = store_error(st, err, "reading the chain");
	else
		rc = links_of(st, r, links, n, err);
	PQclear(r);
	return rc;
}

enum rstatus store_evidence_unlinked(struct store *st, long long **ids, size_t *n, struct rerr *err)
{
	PGresult *r =
	    PQexec(store_pg(st), "SELECT id FROM scans WHERE status = 'complete' AND id NOT IN "
				 "(SELECT scan_id FROM scan_links) ORDER BY id");
	enum rstatus rc = R_OK;

	*ids = NULL;
	*n = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = store_error(st, err, "reading the complete scans");
	} else if (PQntuples(r) > 0) {
		if ((*ids = calloc((size_t)PQntuples(r), sizeof(**ids))) == NULL) {
			rc = rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
		} else {
			for (int i = 0; i < PQntuples(r); i++)
				(*ids)[i] = strtoll(PQgetvalue(r, i, 0), NULL, 10);
			*n = (size_t)PQntuples(r);
		}
	}
	PQclear(r);
	return rc;
}

enum rstatus store_evidence_sources(struct store *st, long long id, struct export_source **out,
				    size_t *n, struct rerr *err)
{
	char idtext[32];
	const char *p[1] = {idtext};
	struct export_source *v = NULL;
	size_t nv = 0;
	bool oom = false;

	*out = NULL;
	*n = 0;
	snprintf(idtext, sizeof(idtext), "%lld", id);
	PGresult *r = PQexecParams(store_pg(st),
				   "SELECT seq::text, name, sha256, unnest(files), "
				   "generate_subscripts(files, 1) FROM scan_sources "
				   "WHERE scan_id = $1 AND kind <> 'geoip' ORDER BY seq, 5",
				   1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return store_error(st, err, "reading the sources");
	}
	int rows = PQntuples(r);
	if (rows > 0 && (v = calloc((size_t)rows, sizeof(*v))) == NULL)
		oom = true;
	for (int i = 0; i < rows && !oom; i++) {
		const char *seq = PQgetvalue(r, i, 0);
		if (nv == 0 || strcmp(v[nv - 1].seq, seq) != 0) {
			struct export_source *s = &v[nv++];
			s->seq = strdup(seq);
			s->name = strdup(PQgetvalue(r, i, 1));
			s->sha256 = strdup(PQgetvalue(r, i, 2));
			s->files = calloc((size_t)rows, sizeof(*s->files));
			if (!s->seq || !s->name || !s->sha256 || !s->files) {
				oom = true;
				break;
			}
		}
		struct export_source *s = &v[nv - 1];
		if ((s->files[s->nfiles] = strdup(PQgetvalue(r, i, 3))) == NULL)
			oom = true;
		else
			s->nfiles++;
	}
	PQclear(r);
	if (oom) {
		export_sources_free(v, nv);
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	}
	*out = v;
	*n = nv;
	return R_OK;
}
