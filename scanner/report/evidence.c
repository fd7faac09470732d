/*
 * evidence: canonical records of a stored scan, the chain of scan digests, and
 * the export bundle with its offline verification. See evidence.h.
 *
 * Bundle layout (a folder):
 *   manifest.json     format, scan, digest, link, chain, signature, every file's SHA-256
 *   records.jsonl     the canonical records, one JSON array per line: [type, field...]
 *   TYPE.jsonl        the same records as objects with column names, one file per type
 *                     (scan, document, source, service, element, attribution, finding, answer)
 *   documents/KIND/NAME  the configuration, estate and policy texts as they were
 *   snapshots/SEQ/N-NAME the range files of each source (with --snapshots full, when local)
 *   public_key.pem    when the link is signed
 * Every file but records.jsonl and the snapshots is derived from the records, and
 * verify derives it again and compares.
 */
#include "report/evidence.h"
#include "core/buf.h"
#include "core/log.h"
#include "ranges/snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FORMAT "residency-evidence-1"

struct table {
	const char *type;
	const char *sql; /* $1: the scan id; every column as text */
	const char *cols[20];
	/* The last column is added later (a schema migration): a record carries it
	 * only when it is not NULL, so records of older scans, and their digests,
	 * stay as they were. */
	bool last_optional;
};

/* The canonical order: these tables, these columns, these orders. Text
 * columns sort with COLLATE "C" so that no server locale changes the order. */
static const struct table tables[] = {
    {"scan",
     "SELECT id::text, status, started_at::text, finished_at::text, estate, config_path, "
     "zone_files::text, config_sha256, policy_sha256, geoip_build_epoch::text, counts::text, "
     "verdict, error FROM scans WHERE id = $1",
     {"id", "status", "started_at", "finished_at", "estate", "config_path", "zone_files",
      "config_sha256", "policy_sha256", "geoip_build_epoch", "counts", "verdict", "error"},
     false},
    {"document",
     "SELECT kind, name, sha256, body FROM scan_documents WHERE scan_id = $1 "
     "ORDER BY kind COLLATE \"C\", name COLLATE \"C\"",
     {"kind", "name", "sha256", "body"},
     false},
    {"source",
     "SELECT seq::text, name, kind, origin, files::text, sha256, version, records::text "
     "FROM scan_sources WHERE scan_id = $1 ORDER BY seq",
     {"seq", "name", "kind", "origin", "files", "sha256", "version", "records"},
     false},
    {"service",
     "SELECT service, owner, policy, verdict, findings::text, waived::text FROM scan_services "
     "WHERE scan_id = $1 ORDER BY service COLLATE \"C\"",
     {"service", "owner", "policy", "verdict", "findings", "waived"},
     false},
    {"element",
     "SELECT service, endpoint, mail::text, idx::text, kind, name, address::text, status, "
     "parent::text, zone FROM scan_elements WHERE scan_id = $1 ORDER BY service COLLATE \"C\", "
     "endpoint COLLATE \"C\", mail, idx, kind COLLATE \"C\", name COLLATE \"C\", address, "
     "status COLLATE \"C\", parent, zone COLLATE \"C\"",
     {"service", "endpoint", "mail", "idx", "kind", "name", "address", "status", "parent", "zone"},
     false},
    {"attribution",
     "SELECT address::text, provider, region, border_group, services, scope, country, source, "
     "prefix::text, geoip_country, region_unmapped::text, disagreement::text "
     "FROM scan_attributions WHERE scan_id = $1 ORDER BY address",
     {"address", "provider", "region", "border_group", "services", "scope", "country", "source",
      "prefix", "geoip_country", "region_unmapped", "disagreement"},
     false},
    {"finding",
     "SELECT seq::text, service, endpoint, element, element_kind, country, provider, region, "
     "border_group, source, policy, reason, detail, path::text, waived::text, waiver_reason, "
     "waiver_expires::text, waiver_expired::text, endpoints::text FROM scan_findings "
     "WHERE scan_id = $1 ORDER BY seq",
     {"seq", "service", "endpoint", "element", "element_kind", "country", "provider", "region",
      "border_group", "source", "policy", "reason", "detail", "path", "waived", "waiver_reason",
      "waiver_expires", "waiver_expired", "endpoints"},
     true},
    {"answer",
     "SELECT seq::text, name, type, rcode, data, ttl::text, resolver, answered_at::text "
     "FROM scan_answers WHERE scan_id = $1 ORDER BY seq",
     {"seq", "name", "type", "rcode", "data", "ttl", "resolver", "answered_at"},
     false},
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

static const struct table *table_of(const char *type)
{
	for (size_t i = 0; i < NTABLES; i++)
		if (strcmp(tables[i].type, type) == 0)
			return &tables[i];
	return NULL;
}

static size_t ncols(const struct table *t)
{
	size_t n = 0;
	while (n < sizeof(t->cols) / sizeof(t->cols[0]) && t->cols[n])
		n++;
	return n;
}

static enum rstatus pg_fail(PGconn *c, struct rerr *err, const char *what)
{
	return rerr_set(err, R_EDB, "postgresql", 0, "%s: %s", what, PQerrorMessage(c));
}

static enum rstatus session_settings(PGconn *c, struct rerr *err)
{
	PGresult *r = PQexec(c, "SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'; "
				"SET IntervalStyle TO 'postgres'; SET extra_float_digits TO 3");
	enum rstatus rc = PQresultStatus(r) == PGRES_COMMAND_OK
			      ? R_OK
			      : pg_fail(c, err, "setting the session for canonical text");
	PQclear(r);
	return rc;
}

enum rstatus evidence_records(PGconn *c, long long id, evidence_record_fn fn, void *ctx,
			      struct rerr *err)
{
	char idtext[32];
	const char *p[1] = {idtext};
	enum rstatus rc;

	snprintf(idtext, sizeof(idtext), "%lld", id);
	if ((rc = session_settings(c, err)) != R_OK)
		return rc;
	for (size_t t = 0; t < NTABLES && rc == R_OK; t++) {
		size_t rows = 0;
		if (!PQsendQueryParams(c, tables[t].sql, 1, NULL, p, NULL, NULL, 0) ||
		    !PQsetSingleRowMode(c))
			return pg_fail(c, err, "reading the scan");
		PGresult *r;
		while ((r = PQgetResult(c)) != NULL) {
			ExecStatusType st = PQresultStatus(r);
			if (st == PGRES_SINGLE_TUPLE && rc == R_OK) {
				const char *f[20];
				int nf = PQnfields(r);
				for (int k = 0; k < nf && k < 20; k++)
					f[k] = PQgetisnull(r, 0, k) ? NULL : PQgetvalue(r, 0, k);
				if (tables[t].last_optional && nf > 0 && nf <= 20 &&
				    f[nf - 1] == NULL)
					nf--;
				rc = fn(ctx, tables[t].type, (size_t)(nf < 20 ? nf : 20), f, err);
				rows++;
			} else if (st != PGRES_TUPLES_OK && st != PGRES_SINGLE_TUPLE &&
				   rc == R_OK) {
				rc = pg_fail(c, err, "reading the scan");
			}
			PQclear(r);
		}
		if (rc == R_OK && t == 0 && rows != 1)
			rc = rerr_set(err, R_EINPUT, NULL, 0, "no scan %lld in the database", id);
	}
	return rc;
}

static enum rstatus to_digest(void *ctx, const char *type, size_t n, const char *const *f,
			      struct rerr *err)
{
	(void)err;
	digest_record(ctx, type, n, f);
	return R_OK;
}

enum rstatus evidence_scan_digest(PGconn *c, long long id, char hex[DIGEST_HEXLEN],
				  struct rerr *err)
{
	struct digest *d = digest_new();
	uint8_t md[DIGEST_LEN];
	enum rstatus rc;

	if (d == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	rc = evidence_records(c, id, to_digest, d, err);
	digest_final(d, md);
	digest_free(d);
	if (rc == R_OK)
		digest_hex(md, hex);
	return rc;
}

/* digest_hex/digest_unhex for other lengths (signatures). */
static void hex_of(const uint8_t *in, size_t n, char *out)
{
	static const char h[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = h[in[i] >> 4];
		out[2 * i + 1] = h[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static bool unhex(const char *s, uint8_t *out, size_t n)
{
	if (s == NULL || strlen(s) != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return false;
		out[i] = (uint8_t)v;
	}
	return true;
}

/* link = chain(prev, digest), both hex; false when either is not 64 hex digits. */
static bool link_of(const char *prev_hex, const char *scan_hex, char out[DIGEST_HEXLEN])
{
	uint8_t prev[DIGEST_LEN], dg[DIGEST_LEN], l[DIGEST_LEN];
	if (!digest_unhex(prev_hex, prev) || !digest_unhex(scan_hex, dg))
		return false;
	digest_chain(prev, dg, l);
	digest_hex(l, out);
	return true;
}

static const char zero_link[] = "0000000000000000000000000000000000000000000000000000000000000000";

enum rstatus evidence_link(PGconn *c, long long id, const char *key_pem, struct rerr *err)
{
	char dg[DIGEST_HEXLEN], link[DIGEST_HEXLEN], seq[32], idtext[32], sighex[2 * SIG_LEN + 1];
	const char *prev = zero_link;
	char *pub = NULL;
	enum rstatus rc;
	long long last = 0;

	PGresult *r = PQexec(c, "LOCK TABLE scan_links IN EXCLUSIVE MODE");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		PQclear(r);
		return pg_fail(c, err, "locking the chain");
	}
	PQclear(r);
	if ((rc = evidence_scan_digest(c, id, dg, err)) != R_OK)
		return rc;
	r = PQexec(c, "SELECT seq, link FROM scan_links ORDER BY seq DESC LIMIT 1");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return pg_fail(c, err, "reading the chain");
	}
	char prevbuf[DIGEST_HEXLEN] = "";
	if (PQntuples(r) == 1) {
		last = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		snprintf(prevbuf, sizeof(prevbuf), "%s", PQgetvalue(r, 0, 1));
		prev = prevbuf;
	}
	PQclear(r);
	if (!link_of(prev, dg, link))
		return rerr_set(err, R_EINPUT, "scan_links", 0,
				"the last link of the chain (seq %lld) is not a SHA-256", last);
	const char *sig = NULL;
	if (key_pem) {
		uint8_t lb[DIGEST_LEN], s[SIG_LEN];
		digest_unhex(link, lb);
		if ((rc = digest_sign(key_pem, lb, DIGEST_LEN, s, err)) != R_OK ||
		    (rc = digest_public_pem(key_pem, &pub, err)) != R_OK)
			return rc;
		hex_of(s, SIG_LEN, sighex);
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
	rc = PQresultStatus(r) == PGRES_COMMAND_OK ? R_OK : pg_fail(c, err, "adding the link");
	PQclear(r);
	free(pub);
	return rc;
}

/* One problem found by a verification: logged to out; the first kept in err. */
struct problems {
	FILE *out;
	struct rerr *err;
	size_t n;
};

static void problem(struct problems *pr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void problem(struct problems *pr, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pr->out)
		fprintf(pr->out, "MISMATCH: %s\n", msg);
	if (pr->n++ == 0)
		rerr_set(pr->err, R_EINPUT, NULL, 0, "%s", msg);
}

static bool check_signature(struct problems *pr, const char *what, const char *link,
			    const char *sighex, const char *pub)
{
	uint8_t lb[DIGEST_LEN], sig[SIG_LEN];
	struct rerr e;

	if (!digest_unhex(link, lb) || !unhex(sighex, sig, SIG_LEN)) {
		problem(pr, "%s: the signature is not %d hex bytes", what, SIG_LEN);
		return false;
	}
	if (pub == NULL) {
		problem(pr, "%s: signed, but no public key to check the signature with", what);
		return false;
	}
	if (digest_verify_text(pub, lb, DIGEST_LEN, sig, &e) != R_OK) {
		problem(pr, "%s: the signature does not match its link (%s)", what, e.msg);
		return false;
	}
	return true;
}

enum rstatus evidence_verify_db(PGconn *c, long long upto, bool every_digest, FILE *out,
				struct rerr *err)
{
	struct problems pr = {out, err, 0};
	const char *prev = zero_link;
	char prevbuf[DIGEST_HEXLEN];
	long long want_seq = 1, prev_scan = 0;
	bool reached = upto == 0;
	size_t checked = 0;

	rerr_clear(err);
	PGresult *r = PQexec(c, "SELECT seq, scan_id, digest, prev_link, link, signature, "
				"public_key FROM scan_links ORDER BY seq");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return pg_fail(c, err, "reading the chain");
	}
	for (int i = 0; i < PQntuples(r); i++) {
		long long seq = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		long long scan = strtoll(PQgetvalue(r, i, 1), NULL, 10);
		const char *dg = PQgetvalue(r, i, 2), *pl = PQgetvalue(r, i, 3),
			   *link = PQgetvalue(r, i, 4);
		char again[DIGEST_HEXLEN];
		if (seq != want_seq)
			problem(
			    &pr,
			    "the chain jumps from link %lld (scan %lld) to link %lld (scan %lld): "
			    "a link and its scan were removed",
			    want_seq - 1, prev_scan, seq, scan);
		if (strcmp(pl, prev) != 0)
			problem(
			    &pr,
			    "link %lld (scan %lld) does not follow the link before it (scan %lld): "
			    "the chain was cut or rewritten there",
			    seq, scan, prev_scan);
		if (!link_of(pl, dg, again) || strcmp(again, link) != 0)
			problem(&pr,
				"link %lld (scan %lld) is not SHA-256 of its previous link and "
				"digest",
				seq, scan);
		if (!PQgetisnull(r, i, 5))
			check_signature(&pr, "the database chain", link, PQgetvalue(r, i, 5),
					PQgetisnull(r, i, 6) ? NULL : PQgetvalue(r, i, 6));
		if (every_digest || scan == upto) {
			char now[DIGEST_HEXLEN];
			struct rerr e;
			if (evidence_scan_digest(c, scan, now, &e) != R_OK)
				problem(&pr, "scan %lld of link %lld: %s", scan, seq, e.msg);
			else if (strcmp(now, dg) != 0)
				problem(
				    &pr,
				    "scan %lld: its rows no longer give the digest its link %lld "
				    "recorded (%.16s..., now %.16s...): a stored row was changed, "
				    "added or removed",
				    scan, seq, dg, now);
			checked++;
		}
		snprintf(prevbuf, sizeof(prevbuf), "%s", link);
		prev = prevbuf;
		prev_scan = scan;
		want_seq = seq + 1;
		if (scan == upto) {
			reached = true;
			break;
		}
	}
	PQclear(r);
	if (!reached)
		problem(&pr,
			"scan %lld is not in the chain (not complete, or its link was removed)",
			upto);
	/* A complete scan with no link: taken out of the chain. */
	r = PQexec(c, "SELECT id FROM scans WHERE status = 'complete' AND id NOT IN "
		      "(SELECT scan_id FROM scan_links) ORDER BY id");
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		for (int i = 0; i < PQntuples(r); i++)
			problem(&pr, "scan %s is complete but has no link in the chain",
				PQgetvalue(r, i, 0));
	PQclear(r);
	if (out && pr.n == 0)
		fprintf(out,
			"verified: %lld links in order, %zu scan digest%s recomputed from rows\n",
			want_seq - 1, checked, checked == 1 ? "" : "s");
	return pr.n ? R_EINPUT : R_OK;
}

/* ---- bundles ---- */

/* Where derived output goes: a file (export) and/or a running SHA-256 (verify). */
struct sink {
	FILE *f;
	EVP_MD_CTX *md;
	char name[64];
};

struct bundle {
	const char *dir;
	struct sink sinks[NTABLES];
	struct digest *dg;
	bool verify;  /* derive into hashes only */
	json_t *docs; /* verify: {path: sha256} of derived documents */
	size_t records;
	long long scan_id;
	struct problems *pr;
};

static void sink_write(struct sink *s, const char *data, size_t n)
{
	if (s->f)
		fwrite(data, 1, n, s->f);
	if (s->md)
		EVP_DigestUpdate(s->md, data, n);
}

static void sink_hex(struct sink *s, char out[DIGEST_HEXLEN])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	EVP_DigestFinal_ex(s->md, md, &n);
	digest_hex(md, out); /* SHA-256: DIGEST_LEN bytes */
}

static bool mkdirs(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
				return false;
			*p = '/';
		}
	return mkdir(tmp, 0755) == 0 || errno == EEXIST;
}

/* A document's file name in the bundle: documents/KIND/BASENAME, kept to safe characters. */
static void doc_path(const char *kind, const char *name, char *out, size_t size)
{
	const char *base = strrchr(name, '/');
	char safe[256];
	size_t k = 0;
	base = base ? base + 1 : name;
	for (const char *p = base; *p && k < sizeof(safe) - 1; p++)
		safe[k++] = (strchr("/\\", *p) || (unsigned char)*p < 32) ? '_' : *p;
	safe[k] = '\0';
	if (k == 0 || strcmp(safe, ".") == 0 || strcmp(safe, "..") == 0)
		snprintf(safe, sizeof(safe), "unnamed");
	snprintf(out, size, "documents/%s/%s", kind, safe);
}

/* One record into the bundle: the digest, records.jsonl, TYPE.jsonl, documents. */
static enum rstatus take(struct bundle *b, const char *type, size_t n, const char *const *f,
			 struct sink *records, struct rerr *err)
{
	const struct table *t = table_of(type);
	if (t == NULL || (n != ncols(t) && !(t->last_optional && n + 1 == ncols(t))))
		return rerr_set(err, R_EINPUT, "records.jsonl", (long)b->records + 1,
				"a record of unknown type \"%s\" or with %zu fields", type, n);
	b->records++;
	digest_record(b->dg, type, n, f);
	if (strcmp(type, "scan") == 0) {
		if (b->records != 1)
			return rerr_set(err, R_EINPUT, "records.jsonl", (long)b->records,
					"a second scan record");
		b->scan_id = f[0] ? strtoll(f[0], NULL, 10) : -1;
	}
	if (records) {
		json_t *a = json_array();
		json_array_append_new(a, json_string(type));
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, f[i] ? json_string(f[i]) : json_null());
		char *line = json_dumps(a, JSON_COMPACT);
		json_decref(a);
		if (line == NULL)
			return rerr_set(err, R_EINPUT, NULL, 0, "a %s record is not valid UTF-8",
					type);
		sink_write(records, line, strlen(line));
		sink_write(records, "\n", 1);
		free(line);
	}
	struct sink *s = &b->sinks[t - tables];
	json_t *o = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, t->cols[i], f[i] ? json_string(f[i]) : json_null());
	char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (line) {
		sink_write(s, line, strlen(line));
		sink_write(s, "\n", 1);
		free(line);
	}
	if (strcmp(type, "document") == 0 && f[0] && f[1] && f[3]) {
		char rel[512], full[4096];
		doc_path(f[0], f[1], rel, sizeof(rel));
		if (b->verify) {
			char hex[DIGEST_HEXLEN];
			digest_sha256_hex(f[3], strlen(f[3]), hex);
			json_object_set_new(b->docs, rel, json_string(hex));
		} else {
			snprintf(full, sizeof(full), "%s/%s", b->dir, rel);
			char *slash = strrchr(full, '/');
			*slash = '\0';
			FILE *df = mkdirs(full) ? (*slash = '/', fopen(full, "wbx")) : NULL;
			if (df == NULL)
				return rerr_set(err, R_EIO, full, 0, "cannot write: %s",
						errno == EEXIST ? "two documents of one name"
								: strerror(errno));
			fwrite(f[3], 1, strlen(f[3]), df);
			if (fclose(df) != 0)
				return rerr_set(err, R_EIO, full, 0, "cannot write");
		}
	}
	return R_OK;
}

struct export_ctx {
	struct bundle *b;
	struct sink records;
};

static enum rstatus export_record(void *ctx, const char *type, size_t n, const char *const *f,
				  struct rerr *err)
{
	struct export_ctx *x = ctx;
	return take(x->b, type, n, f, &x->records, err);
}

/* Every regular file under dir (relative paths), recursively. */
static void list_files(const char *dir, const char *rel, json_t *out)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s%s%s", dir, *rel ? "/" : "", rel);
	DIR *d = opendir(path);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char sub[4096], full[8192];
		struct stat st;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		snprintf(full, sizeof(full), "%s/%s", dir, sub);
		if (lstat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			list_files(dir, sub, out);
		else
			json_array_append_new(out, json_string(sub));
	}
	closedir(d);
}

/* snapshots/SEQ/N-NAME in the order of N. */
static int cmp_snapshot(const void *a, const void *b)
{
	const char *x = strrchr(*(const char *const *)a, '/'),
		   *y = strrchr(*(const char *const *)b, '/');
	long nx = x ? strtol(x + 1, NULL, 10) : 0, ny = y ? strtol(y + 1, NULL, 10) : 0;
	return nx < ny ? -1 : nx > ny;
}

#define MANIFEST_FLAGS (JSON_INDENT(2) | JSON_SORT_KEYS)

/* Copies the local range files of each source into snapshots/SEQ/ when their
 * bytes still give the source's SHA-256. */
static enum rstatus copy_snapshots(PGconn *c, const struct evidence_export *opt, json_t *notes,
				   struct rerr *err)
{
	char idtext[32];
	const char *p[1] = {idtext};
	snprintf(idtext, sizeof(idtext), "%lld", opt->scan);
	PGresult *r = PQexecParams(c,
				   "SELECT seq, name, origin, sha256, array_length(files, 1), "
				   "unnest(files), generate_subscripts(files, 1) FROM scan_sources "
				   "WHERE scan_id = $1 AND kind <> 'geoip' ORDER BY seq, 7",
				   1, NULL, p, NULL, NULL, 0);
	enum rstatus rc = R_OK;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return pg_fail(c, err, "reading the sources");
	}
	for (int i = 0; i < PQntuples(r) && rc == R_OK;) {
		const char *seq = PQgetvalue(r, i, 0), *name = PQgetvalue(r, i, 1),
			   *sha = PQgetvalue(r, i, 3);
		int nfiles = atoi(PQgetvalue(r, i, 4));
		struct buf bodies[64];
		const struct buf *bp[64];
		bool ok = nfiles > 0 && nfiles <= 64 && i + nfiles <= PQntuples(r);
		int k;
		for (k = 0; ok && k < nfiles; k++) {
			struct rerr e;
			buf_init(&bodies[k], (size_t)1 << 30);
			bp[k] = &bodies[k];
			if (buf_read_file(&bodies[k], PQgetvalue(r, i + k, 5), &e) != R_OK)
				ok = false;
		}
		char got[DIGEST_HEXLEN] = "";
		if (ok)
			snapshot_sha256(bp, (size_t)nfiles, got);
		if (ok && strcmp(got, sha) == 0) {
			for (int j = 0; j < nfiles && rc == R_OK; j++) {
				char dir[4096], file[8192];
				const char *src = PQgetvalue(r, i + j, 5),
					   *base = strrchr(src, '/');
				snprintf(dir, sizeof(dir), "%s/snapshots/%s", opt->dir, seq);
				snprintf(file, sizeof(file), "%s/%d-%s", dir, j,
					 base ? base + 1 : src);
				FILE *f = mkdirs(dir) ? fopen(file, "wbx") : NULL;
				if (f == NULL || fwrite(bodies[j].data ? bodies[j].data : "", 1,
							bodies[j].len, f) != bodies[j].len) {
					rc = rerr_set(err, R_EIO, file, 0, "cannot write");
				}
				if (f && fclose(f) != 0 && rc == R_OK)
					rc = rerr_set(err, R_EIO, file, 0, "cannot write");
			}
		} else {
			char note[512];
			snprintf(
			    note, sizeof(note),
			    "source %s (%s): files not here or changed since the scan; only its "
			    "SHA-256 is in the bundle",
			    seq, name);
			json_array_append_new(notes, json_string(note));
		}
		for (int j = 0; j < k; j++)
			buf_free(&bodies[j]);
		i += nfiles > 0 ? nfiles : 1;
	}
	PQclear(r);
	return rc;
}

enum rstatus evidence_export(PGconn *c, const struct evidence_export *opt, struct rerr *err)
{
	struct bundle b;
	struct export_ctx x;
	char path[4096], hex[DIGEST_HEXLEN], idtext[32], sinceid[32];
	uint8_t md[DIGEST_LEN];
	enum rstatus rc = R_OK;
	json_t *manifest = NULL, *files = NULL, *chain = NULL, *notes = json_array();

	memset(&b, 0, sizeof(b));
	memset(&x, 0, sizeof(x));
	b.dir = opt->dir;
	x.b = &b;
	/* The scan's link first: only a scan in the chain is exported. */
	snprintf(idtext, sizeof(idtext), "%lld", opt->scan);
	snprintf(sinceid, sizeof(sinceid), "%lld", opt->since ? opt->since : opt->scan);
	const char *p[2] = {idtext, sinceid};
	PGresult *r = PQexecParams(
	    c,
	    "SELECT l.seq, l.scan_id, l.digest, l.prev_link, l.link, l.signature, l.public_key "
	    "FROM scan_links l WHERE l.seq BETWEEN (SELECT seq FROM scan_links WHERE scan_id = $2) "
	    "AND (SELECT seq FROM scan_links WHERE scan_id = $1) ORDER BY l.seq",
	    2, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		json_decref(notes);
		return pg_fail(c, err, "reading the chain");
	}
	int nl = PQntuples(r);
	if (nl == 0 || strtoll(PQgetvalue(r, nl - 1, 1), NULL, 10) != opt->scan) {
		PQclear(r);
		json_decref(notes);
		return rerr_set(
		    err, R_EINPUT, NULL, 0,
		    "scan %lld is not in the chain (only complete scans are; or --since "
		    "names a scan that comes after it or is not complete)",
		    opt->scan);
	}
	chain = json_array();
	for (int i = 0; i < nl; i++)
		json_array_append_new(
		    chain, json_pack("{s:I, s:I, s:s, s:s, s:s}", "seq",
				     (json_int_t)strtoll(PQgetvalue(r, i, 0), NULL, 10), "scan",
				     (json_int_t)strtoll(PQgetvalue(r, i, 1), NULL, 10), "digest",
				     PQgetvalue(r, i, 2), "prev_link", PQgetvalue(r, i, 3), "link",
				     PQgetvalue(r, i, 4)));
	char stored[DIGEST_HEXLEN], link[DIGEST_HEXLEN];
	snprintf(stored, sizeof(stored), "%s", PQgetvalue(r, nl - 1, 2));
	snprintf(link, sizeof(link), "%s", PQgetvalue(r, nl - 1, 4));
	char *sig = PQgetisnull(r, nl - 1, 5) ? NULL : strdup(PQgetvalue(r, nl - 1, 5));
	char *pub = PQgetisnull(r, nl - 1, 6) ? NULL : strdup(PQgetvalue(r, nl - 1, 6));
	PQclear(r);

	/* The folder: new, or empty. */
	if (!mkdirs(opt->dir)) {
		rc = rerr_set(err, R_EIO, opt->dir, 0, "cannot make the folder: %s",
			      strerror(errno));
		goto out;
	}
	json_t *existing = json_array();
	list_files(opt->dir, "", existing);
	size_t nexisting = json_array_size(existing);
	json_decref(existing);
	if (nexisting > 0) {
		rc = rerr_set(err, R_EUSAGE, opt->dir, 0,
			      "the folder is not empty: give a new one for the bundle");
		goto out;
	}
	b.dg = digest_new();
	snprintf(path, sizeof(path), "%s/records.jsonl", opt->dir);
	x.records.f = fopen(path, "wbx");
	for (size_t t = 0; t < NTABLES; t++) {
		char sp[4096];
		snprintf(b.sinks[t].name, sizeof(b.sinks[t].name), "%s.jsonl", tables[t].type);
		snprintf(sp, sizeof(sp), "%s/%s", opt->dir, b.sinks[t].name);
		if ((b.sinks[t].f = fopen(sp, "wbx")) == NULL)
			rc = rerr_set(err, R_EIO, sp, 0, "cannot write: %s", strerror(errno));
	}
	if (b.dg == NULL || x.records.f == NULL) {
		rc = rerr_set(err, R_EIO, path, 0, "cannot write");
		goto out;
	}
	if (rc == R_OK)
		rc = evidence_records(c, opt->scan, export_record, &x, err);
	digest_final(b.dg, md);
	digest_hex(md, hex);
	if (rc == R_OK && strcmp(hex, stored) != 0)
		rc = rerr_set(err, R_EINPUT, NULL, 0,
			      "scan %lld: its rows no longer give the digest its link recorded "
			      "(%.16s..., now %.16s...): the database was changed; not exported",
			      opt->scan, stored, hex);
	if (fclose(x.records.f) != 0 && rc == R_OK)
		rc = rerr_set(err, R_EIO, path, 0, "cannot write");
	x.records.f = NULL;
	for (size_t t = 0; t < NTABLES; t++) {
		if (b.sinks[t].f && fclose(b.sinks[t].f) != 0 && rc == R_OK)
			rc = rerr_set(err, R_EIO, b.sinks[t].name, 0, "cannot write");
		b.sinks[t].f = NULL;
	}
	if (rc == R_OK && opt->full_snapshots)
		rc = copy_snapshots(c, opt, notes, err);
	if (rc == R_OK && pub) {
		snprintf(path, sizeof(path), "%s/public_key.pem", opt->dir);
		FILE *f = fopen(path, "wbx");
		if (f == NULL || fputs(pub, f) < 0 || fclose(f) != 0)
			rc = rerr_set(err, R_EIO, path, 0, "cannot write");
	}
	if (rc != R_OK)
		goto out;
	/* Every file with its SHA-256, then the manifest. */
	json_t *names = json_array();
	list_files(opt->dir, "", names);
	files = json_object();
	for (size_t i = 0; i < json_array_size(names) && rc == R_OK; i++) {
		const char *rel = json_string_value(json_array_get(names, i));
		char full[8192], fh[DIGEST_HEXLEN];
		snprintf(full, sizeof(full), "%s/%s", opt->dir, rel);
		if ((rc = digest_file_sha256_hex(full, fh, err)) == R_OK)
			json_object_set_new(files, rel, json_string(fh));
	}
	json_decref(names);
	if (rc != R_OK)
		goto out;
	manifest = json_pack("{s:s, s:I, s:s, s:s, s:O, s:O, s:s, s:b, s:O}", "format", FORMAT,
			     "scan", (json_int_t)opt->scan, "digest", hex, "link", link, "chain",
			     chain, "files", files, "generator", "residency evidence export",
			     "snapshots_included", opt->full_snapshots, "notes", notes);
	json_object_set_new(manifest, "signature", sig ? json_string(sig) : json_null());
	snprintf(path, sizeof(path), "%s/manifest.json", opt->dir);
	if (manifest == NULL || json_dump_file(manifest, path, MANIFEST_FLAGS) != 0)
		rc = rerr_set(err, R_EIO, path, 0, "cannot write");
out:
	if (x.records.f)
		fclose(x.records.f);
	for (size_t t = 0; t < NTABLES; t++)
		if (b.sinks[t].f)
			fclose(b.sinks[t].f);
	digest_free(b.dg);
	json_decref(manifest);
	json_decref(files);
	json_decref(chain);
	json_decref(notes);
	free(sig);
	free(pub);
	return rc;
}

static char *read_text(const char *path, struct rerr *err)
{
	struct buf b;
	buf_init(&b, (size_t)1 << 30);
	if (buf_read_file(&b, path, err) != R_OK) {
		buf_free(&b);
		return NULL;
	}
	if (b.data == NULL)
		return strdup("");
	return b.data; /* handed over */
}

/* The files of snapshots/SEQ/ in their order (N-NAME), and their combined SHA-256. */
static void check_snapshots(const char *dir, json_t *sources, struct problems *pr)
{
	char sdir[4096];
	snprintf(sdir, sizeof(sdir), "%s/snapshots", dir);
	DIR *d = opendir(sdir);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		json_t *names = json_array();
		char rel[512];
		snprintf(rel, sizeof(rel), "snapshots/%s", e->d_name);
		list_files(dir, rel, names);
		size_t n = json_array_size(names);
		const char **v = calloc(n ? n : 1, sizeof(*v));
		struct buf *bodies = calloc(n ? n : 1, sizeof(*bodies));
		const struct buf **bp = calloc(n ? n : 1, sizeof(*bp));
		for (size_t i = 0; v && i < n; i++)
			v[i] = json_string_value(json_array_get(names, i));
		if (v && n > 1)
			qsort(v, n, sizeof(*v), cmp_snapshot);
		bool ok = v && bodies && bp;
		for (size_t i = 0; ok && i < n; i++) {
			char full[8192];
			struct rerr ignore;
			snprintf(full, sizeof(full), "%s/%s", dir, v[i]);
			buf_init(&bodies[i], (size_t)1 << 30);
			bp[i] = &bodies[i];
			ok = buf_read_file(&bodies[i], full, &ignore) == R_OK;
		}
		char got[DIGEST_HEXLEN] = "";
		if (ok)
			snapshot_sha256(bp, n, got);
		const char *want = json_string_value(json_object_get(sources, e->d_name));
		if (want == NULL)
			problem(pr, "%s: no source %s in the records", rel, e->d_name);
		else if (!ok || strcmp(got, want) != 0)
			problem(pr,
				"%s: the range files do not give the source's SHA-256 (%.16s...)",
				rel, want);
		for (size_t i = 0; bodies && i < n; i++)
			buf_free(&bodies[i]);
		free(v);
		free(bodies);
		free(bp);
		json_decref(names);
	}
	closedir(d);
}

enum rstatus evidence_verify_bundle(const char *dir, const char *trusted_key, FILE *out,
				    struct rerr *err)
{
	struct problems pr = {out, err, 0};
	char path[4096];
	struct bundle b;
	json_error_t je;
	json_t *m = NULL, *all = NULL, *sources = json_object();
	char *text = NULL;

	rerr_clear(err);
	memset(&b, 0, sizeof(b));
	b.dir = dir;
	b.verify = true;
	b.docs = json_object();
	b.pr = &pr;
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	if ((text = read_text(path, err)) == NULL)
		goto done;
	if ((m = json_loads(text, 0, &je)) == NULL) {
		problem(&pr, "manifest.json:%d: not JSON (%s)", je.line, je.text);
		goto done;
	}
	/* The manifest exactly as export writes it: no byte of it can change unseen. */
	char *again = json_dumps(m, MANIFEST_FLAGS);
	if (again == NULL || strcmp(again, text) != 0)
		problem(&pr, "manifest.json: not as export wrote it (a byte was changed)");
	free(again);
	if (!json_is_string(json_object_get(m, "format")) ||
	    strcmp(json_string_value(json_object_get(m, "format")), FORMAT) != 0) {
		problem(&pr, "manifest.json: not a %s bundle", FORMAT);
		goto done;
	}
	json_t *files = json_object_get(m, "files");
	const char *mdigest = json_string_value(json_object_get(m, "digest"));
	const char *mlink = json_string_value(json_object_get(m, "link"));
	json_int_t mscan = json_integer_value(json_object_get(m, "scan"));
	json_t *chain = json_object_get(m, "chain");
	if (!json_is_object(files) || mdigest == NULL || mlink == NULL || !json_is_array(chain)) {
		problem(&pr, "manifest.json: files, digest, link or chain missing");
		goto done;
	}
	/* Every file present is listed, every listed file is present, with its SHA-256. */
	all = json_array();
	list_files(dir, "", all);
	for (size_t i = 0; i < json_array_size(all); i++) {
		const char *rel = json_string_value(json_array_get(all, i));
		if (strcmp(rel, "manifest.json") == 0)
			continue;
		const char *want = json_string_value(json_object_get(files, rel));
		char full[8192], got[DIGEST_HEXLEN];
		struct rerr e;
		snprintf(full, sizeof(full), "%s/%s", dir, rel);
		if (want == NULL)
			problem(&pr, "%s: a file the manifest does not list (added?)", rel);
		else if (digest_file_sha256_hex(full, got, &e) != R_OK)
			problem(&pr, "%s: %s", rel, e.msg);
		else if (strcmp(got, want) != 0)
			problem(&pr, "%s: its SHA-256 is not the manifest's (the file was changed)",
				rel);
	}
	const char *key;
	json_t *val;
	json_object_foreach(files, key, val)
	{
		bool found = false;
		for (size_t i = 0; i < json_array_size(all) && !found; i++)
			found = strcmp(json_string_value(json_array_get(all, i)), key) == 0;
		if (!found)
			problem(&pr, "%s: listed in the manifest, missing from the bundle", key);
	}
	/* The records: the digest, and every derived file again. */
	snprintf(path, sizeof(path), "%s/records.jsonl", dir);
	FILE *rf = fopen(path, "rb");
	if (rf == NULL) {
		problem(&pr, "records.jsonl: cannot open");
		goto done;
	}
	b.dg = digest_new();
	for (size_t t = 0; t < NTABLES; t++) {
		b.sinks[t].md = EVP_MD_CTX_new();
		EVP_DigestInit_ex(b.sinks[t].md, EVP_sha256(), NULL);
		snprintf(b.sinks[t].name, sizeof(b.sinks[t].name), "%s.jsonl", tables[t].type);
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	bool bad_records = false;
	while (!bad_records && (len = getline(&line, &cap, rf)) > 0) {
		lineno++;
		json_t *a = json_loadb(line, (size_t)len, 0, &je);
		size_t n = json_array_size(a);
		const char *f[20];
		bool ok = a && n >= 2 && n <= 21 && json_is_string(json_array_get(a, 0));
		for (size_t i = 1; ok && i < n; i++) {
			json_t *v = json_array_get(a, i);
			ok = json_is_string(v) || json_is_null(v);
			f[i - 1] = json_string_value(v);
		}
		struct rerr e;
		if (!ok) {
			problem(&pr, "records.jsonl:%ld: not a record", lineno);
			bad_records = true;
		} else if (take(&b, json_string_value(json_array_get(a, 0)), n - 1, f, NULL, &e) !=
			   R_OK) {
			problem(&pr, "records.jsonl:%ld: %s", lineno, e.msg);
			bad_records = true;
		} else if (strcmp(json_string_value(json_array_get(a, 0)), "source") == 0 && f[0] &&
			   f[5]) {
			json_object_set_new(sources, f[0], json_string(f[5]));
		}
		json_decref(a);
	}
	free(line);
	fclose(rf);
	uint8_t md[DIGEST_LEN];
	char hex[DIGEST_HEXLEN];
	digest_final(b.dg, md);
	digest_hex(md, hex);
	if (!bad_records) {
		if (strcmp(hex, mdigest) != 0)
			problem(
			    &pr,
			    "records.jsonl: the records give digest %.16s..., the manifest says "
			    "%.16s...",
			    hex, mdigest);
		if (b.scan_id != mscan)
			problem(&pr,
				"records.jsonl: the scan record is scan %lld, the manifest's %lld",
				b.scan_id, (long long)mscan);
		for (size_t t = 0; t < NTABLES; t++) {
			char got[DIGEST_HEXLEN];
			const char *want =
			    json_string_value(json_object_get(files, b.sinks[t].name));
			sink_hex(&b.sinks[t], got);
			if (want == NULL || strcmp(got, want) != 0)
				problem(&pr, "%s: not what the records give", b.sinks[t].name);
		}
		json_object_foreach(b.docs, key, val)
		{
			const char *want = json_string_value(json_object_get(files, key));
			if (want == NULL || strcmp(want, json_string_value(val)) != 0)
				problem(&pr, "%s: not the document the records hold", key);
		}
		json_object_foreach(files, key, val)
		{
			if (strncmp(key, "documents/", 10) == 0 &&
			    json_object_get(b.docs, key) == NULL)
				problem(&pr, "%s: a document the records do not hold", key);
		}
	}
	check_snapshots(dir, sources, &pr);
	/* The chain: each link from its previous one and its digest, ending at this scan. */
	const char *prev = NULL;
	size_t nchain = json_array_size(chain);
	for (size_t i = 0; i < nchain; i++) {
		json_t *l = json_array_get(chain, i);
		const char *dg = json_string_value(json_object_get(l, "digest")),
			   *pl = json_string_value(json_object_get(l, "prev_link")),
			   *lk = json_string_value(json_object_get(l, "link"));
		json_int_t scan = json_integer_value(json_object_get(l, "scan"));
		char again_link[DIGEST_HEXLEN];
		if (dg == NULL || pl == NULL || lk == NULL || !link_of(pl, dg, again_link) ||
		    strcmp(again_link, lk) != 0)
			problem(&pr,
				"chain: the link of scan %lld is not SHA-256 of its previous link "
				"and digest",
				(long long)scan);
		if (prev && pl && strcmp(prev, pl) != 0)
			problem(&pr,
				"chain: the link of scan %lld does not follow the one before it (a "
				"scan in between is missing)",
				(long long)scan);
		prev = lk;
		if (i + 1 == nchain) {
			if (scan != mscan || (lk && strcmp(lk, mlink) != 0) ||
			    (dg && strcmp(dg, mdigest) != 0))
				problem(&pr, "chain: its last link is not this scan's");
		}
	}
	if (nchain == 0)
		problem(&pr, "chain: empty");
	/* The signature of the scan's link. */
	const char *sig = json_string_value(json_object_get(m, "signature"));
	char *pub = NULL;
	if (trusted_key) {
		struct rerr e;
		if (digest_public_pem(trusted_key, &pub, &e) != R_OK)
			problem(&pr, "%s: %s", trusted_key, e.msg);
		else if (sig == NULL)
			problem(&pr, "the bundle is not signed, and --key asks for a signature");
	} else if (sig) {
		snprintf(path, sizeof(path), "%s/public_key.pem", dir);
		struct rerr e;
		pub = read_text(path, &e);
	}
	if (sig && pub)
		check_signature(&pr, "signature", mlink, sig, pub);
	else if (sig)
		problem(&pr, "signed, but the bundle has no public_key.pem and no --key was given");
	free(pub);
	if (out && pr.n == 0)
		fprintf(
		    out,
		    "verified: scan %lld, %zu records, digest %s\n  chain of %zu link%s ending in "
		    "%s\n  signature: %s\n",
		    (long long)mscan, b.records, hex, nchain, nchain == 1 ? "" : "s", mlink,
		    sig ? (trusted_key ? "valid for the key given"
				       : "valid for the bundle's key "
					 "(give --key to use one you trust)")
			: "none (no signing key was configured)");
done:
	for (size_t t = 0; t < NTABLES; t++)
		EVP_MD_CTX_free(b.sinks[t].md);
	digest_free(b.dg);
	json_decref(b.docs);
	json_decref(m);
	json_decref(all);
	json_decref(sources);
	free(text);
	if (pr.n == 0 && err->msg[0])
		return R_EIO; /* could not even read the manifest */
	return pr.n ? R_EINPUT : R_OK;
}

/* ---- a bundle against the database ---- */

struct compare {
	FILE *rf;
	char *line;
	size_t cap;
	long n;
	struct problems *pr;
};

/* What names a record to a reader: its type and first field or two. */
static void record_name(const char *type, size_t n, const char *const *f, char *out, size_t size)
{
	if (strcmp(type, "element") == 0 && n > 5)
		snprintf(out, size, "element %s of %s (%s)", f[3] ? f[3] : "?", f[1] ? f[1] : "?",
			 f[5] ? f[5] : "?");
	else
		snprintf(out, size, "%s %s", type, n && f[0] ? f[0] : "?");
}

static enum rstatus compare_record(void *ctx, const char *type, size_t n, const char *const *f,
				   struct rerr *err)
{
	struct compare *c = ctx;
	char name[512];
	ssize_t len;
	const struct table *t = table_of(type);

	(void)err;
	c->n++;
	record_name(type, n, f, name, sizeof(name));
	if ((len = getline(&c->line, &c->cap, c->rf)) <= 0) {
		problem(c->pr,
			"record %ld (%s) is in the database, not in the bundle (a row was added)",
			c->n, name);
		return R_OK;
	}
	json_t *a = json_loadb(c->line, (size_t)len, 0, NULL);
	const char *btype = json_string_value(json_array_get(a, 0));
	if (btype == NULL || strcmp(btype, type) != 0 || json_array_size(a) != n + 1) {
		problem(c->pr,
			"record %ld: the database has %s, the bundle a %s record (a row was added "
			"or removed before it)",
			c->n, name, btype ? btype : "broken");
	} else {
		for (size_t i = 0; i < n; i++) {
			const char *bv = json_string_value(json_array_get(a, i + 1));
			if ((bv == NULL) != (f[i] == NULL) || (bv && strcmp(bv, f[i]) != 0)) {
				problem(c->pr,
					"record %ld, %s: %s is \"%.200s\" in the bundle, "
					"\"%.200s\" in the database",
					c->n, name, t ? t->cols[i] : "?", bv ? bv : "NULL",
					f[i] ? f[i] : "NULL");
				break;
			}
		}
	}
	json_decref(a);
	return R_OK;
}

enum rstatus evidence_compare_db(PGconn *c, const char *dir, FILE *out, struct rerr *err)
{
	struct problems pr = {out, err, 0};
	struct compare cmp = {NULL, NULL, 0, 0, &pr};
	char path[4096];
	json_t *m;
	enum rstatus rc;

	rerr_clear(err);
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	if ((m = json_load_file(path, 0, NULL)) == NULL)
		return rerr_set(err, R_EIO, path, 0, "cannot read the manifest");
	long long id = (long long)json_integer_value(json_object_get(m, "scan"));
	json_decref(m);
	snprintf(path, sizeof(path), "%s/records.jsonl", dir);
	if ((cmp.rf = fopen(path, "rb")) == NULL)
		return rerr_set(err, R_EIO, path, 0, "cannot open");
	rc = evidence_records(c, id, compare_record, &cmp, err);
	if (rc == R_OK && getline(&cmp.line, &cmp.cap, cmp.rf) > 0)
		problem(&pr,
			"record %ld and after are in the bundle, not in the database (rows were "
			"removed)",
			cmp.n + 1);
	free(cmp.line);
	fclose(cmp.rf);
	if (rc != R_OK)
		return rc;
	if (out && pr.n == 0)
		fprintf(out,
			"the database holds scan %lld exactly as the bundle does (%ld records)\n",
			id, cmp.n);
	return pr.n ? R_EINPUT : R_OK;
}
