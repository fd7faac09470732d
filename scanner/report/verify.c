/*
 * verify: an evidence bundle checked offline (no database), and a bundle's
 * records compared with the records of its scan as they are now. See verify.h
 * and bundle.h.
 */
#include "report/verify.h"
#include "core/buf.h"
#include "ranges/snapshot.h"
#include "report/bundle.h"
#include "report/chain.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

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
		bundle_list_files(dir, rel, names);
		size_t n = json_array_size(names);
		const char **v = calloc(n ? n : 1, sizeof(*v));
		struct buf *bodies = calloc(n ? n : 1, sizeof(*bodies));
		const struct buf **bp = calloc(n ? n : 1, sizeof(*bp));
		for (size_t i = 0; v && i < n; i++)
			v[i] = json_string_value(json_array_get(names, i));
		if (v && n > 1)
			qsort(v, n, sizeof(*v), bundle_cmp_snapshot);
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
			problems_add(pr, "%s: no source %s in the records", rel, e->d_name);
		else if (!ok || strcmp(got, want) != 0)
			problems_add(
			    pr, "%s: the range files do not give the source's SHA-256 (%.16s...)",
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
		problems_add(&pr, "manifest.json:%d: not JSON (%s)", je.line, je.text);
		goto done;
	}
	/* The manifest exactly as export writes it: no byte of it can change unseen. */
	char *again = json_dumps(m, BUNDLE_MANIFEST_FLAGS);
	if (again == NULL || strcmp(again, text) != 0)
		problems_add(&pr, "manifest.json: not as export wrote it (a byte was changed)");
	free(again);
	if (!json_is_string(json_object_get(m, "format")) ||
	    strcmp(json_string_value(json_object_get(m, "format")), BUNDLE_FORMAT) != 0) {
		problems_add(&pr, "manifest.json: not a %s bundle", BUNDLE_FORMAT);
		goto done;
	}
	json_t *files = json_object_get(m, "files");
	const char *mdigest = json_string_value(json_object_get(m, "digest"));
	const char *mlink = json_string_value(json_object_get(m, "link"));
	json_int_t mscan = json_integer_value(json_object_get(m, "scan"));
	json_t *chain = json_object_get(m, "chain");
	if (!json_is_object(files) || mdigest == NULL || mlink == NULL || !json_is_array(chain)) {
		problems_add(&pr, "manifest.json: files, digest, link or chain missing");
		goto done;
	}
	/* Every file present is listed, every listed file is present, with its SHA-256. */
	all = json_array();
	bundle_list_files(dir, "", all);
	for (size_t i = 0; i < json_array_size(all); i++) {
		const char *rel = json_string_value(json_array_get(all, i));
		if (strcmp(rel, "manifest.json") == 0)
			continue;
		const char *want = json_string_value(json_object_get(files, rel));
		char full[8192], got[DIGEST_HEXLEN];
		struct rerr e;
		snprintf(full, sizeof(full), "%s/%s", dir, rel);
		if (want == NULL)
			problems_add(&pr, "%s: a file the manifest does not list (added?)", rel);
		else if (digest_file_sha256_hex(full, got, &e) != R_OK)
			problems_add(&pr, "%s: %s", rel, e.msg);
		else if (strcmp(got, want) != 0)
			problems_add(&pr,
				     "%s: its SHA-256 is not the manifest's (the file was changed)",
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
			problems_add(&pr, "%s: listed in the manifest, missing from the bundle",
				     key);
	}
	/* The records: the digest, and every derived file again. */
	snprintf(path, sizeof(path), "%s/records.jsonl", dir);
	FILE *rf = fopen(path, "rb");
	if (rf == NULL) {
		problems_add(&pr, "records.jsonl: cannot open");
		goto done;
	}
	b.dg = digest_new();
	for (size_t t = 0; t < RECORDS_NTYPES; t++) {
		b.sinks[t].md = EVP_MD_CTX_new();
		EVP_DigestInit_ex(b.sinks[t].md, EVP_sha256(), NULL);
		snprintf(b.sinks[t].name, sizeof(b.sinks[t].name), "%s.jsonl",
			 record_types[t].type);
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
			problems_add(&pr, "records.jsonl:%ld: not a record", lineno);
			bad_records = true;
		} else if (bundle_take(&b, json_string_value(json_array_get(a, 0)), n - 1, f, NULL,
				       &e) != R_OK) {
			problems_add(&pr, "records.jsonl:%ld: %s", lineno, e.msg);
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
			problems_add(
			    &pr,
			    "records.jsonl: the records give digest %.16s..., the manifest says "
			    "%.16s...",
			    hex, mdigest);
		if (b.scan_id != mscan)
			problems_add(
			    &pr, "records.jsonl: the scan record is scan %lld, the manifest's %lld",
			    b.scan_id, (long long)mscan);
		for (size_t t = 0; t < RECORDS_NTYPES; t++) {
			char got[DIGEST_HEXLEN];
			const char *want =
			    json_string_value(json_object_get(files, b.sinks[t].name));
			bundle_sink_hex(&b.sinks[t], got);
			/* A bundle made before a record type existed (format 1 has no
			 * part.jsonl) lists no file for it, and holds no such record. */
			if (want == NULL && b.sinks[t].n == 0)
				continue;
			if (want == NULL || strcmp(got, want) != 0)
				problems_add(&pr, "%s: not what the records give", b.sinks[t].name);
		}
		json_object_foreach(b.docs, key, val)
		{
			const char *want = json_string_value(json_object_get(files, key));
			if (want == NULL || strcmp(want, json_string_value(val)) != 0)
				problems_add(&pr, "%s: not the document the records hold", key);
		}
		json_object_foreach(files, key, val)
		{
			if (strncmp(key, "documents/", 10) == 0 &&
			    json_object_get(b.docs, key) == NULL)
				problems_add(&pr, "%s: a document the records do not hold", key);
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
		if (dg == NULL || pl == NULL || lk == NULL || !chain_link_hex(pl, dg, again_link) ||
		    strcmp(again_link, lk) != 0)
			problems_add(
			    &pr,
			    "chain: the link of scan %lld is not SHA-256 of its previous link "
			    "and digest",
			    (long long)scan);
		if (prev && pl && strcmp(prev, pl) != 0)
			problems_add(
			    &pr,
			    "chain: the link of scan %lld does not follow the one before it (a "
			    "scan in between is missing)",
			    (long long)scan);
		prev = lk;
		if (i + 1 == nchain) {
			if (scan != mscan || (lk && strcmp(lk, mlink) != 0) ||
			    (dg && strcmp(dg, mdigest) != 0))
				problems_add(&pr, "chain: its last link is not this scan's");
		}
	}
	if (nchain == 0)
		problems_add(&pr, "chain: empty");
	/* The signature of the scan's link. */
	const char *sig = json_string_value(json_object_get(m, "signature"));
	char *pub = NULL;
	if (trusted_key) {
		struct rerr e;
		if (digest_public_pem(trusted_key, &pub, &e) != R_OK)
			problems_add(&pr, "%s: %s", trusted_key, e.msg);
		else if (sig == NULL)
			problems_add(&pr,
				     "the bundle is not signed, and --key asks for a signature");
	} else if (sig) {
		snprintf(path, sizeof(path), "%s/public_key.pem", dir);
		struct rerr e;
		pub = read_text(path, &e);
	}
	if (sig && pub)
		chain_check_signature(&pr, "signature", mlink, sig, pub);
	else if (sig)
		problems_add(&pr,
			     "signed, but the bundle has no public_key.pem and no --key was given");
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
	for (size_t t = 0; t < RECORDS_NTYPES; t++)
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
	const struct record_type *t = records_type(type);

	(void)err;
	c->n++;
	record_name(type, n, f, name, sizeof(name));
	if ((len = getline(&c->line, &c->cap, c->rf)) <= 0) {
		problems_add(
		    c->pr,
		    "record %ld (%s) is in the database, not in the bundle (a row was added)", c->n,
		    name);
		return R_OK;
	}
	json_t *a = json_loadb(c->line, (size_t)len, 0, NULL);
	const char *btype = json_string_value(json_array_get(a, 0));
	if (btype == NULL || strcmp(btype, type) != 0 || json_array_size(a) != n + 1) {
		problems_add(
		    c->pr,
		    "record %ld: the database has %s, the bundle a %s record (a row was added "
		    "or removed before it)",
		    c->n, name, btype ? btype : "broken");
	} else {
		for (size_t i = 0; i < n; i++) {
			const char *bv = json_string_value(json_array_get(a, i + 1));
			if ((bv == NULL) != (f[i] == NULL) || (bv && strcmp(bv, f[i]) != 0)) {
				problems_add(c->pr,
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

enum rstatus evidence_compare(const char *dir, evidence_source_fn src, void *sctx, FILE *out,
			      struct rerr *err)
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
	rc = src(sctx, id, compare_record, &cmp, err);
	if (rc == R_OK && getline(&cmp.line, &cmp.cap, cmp.rf) > 0)
		problems_add(
		    &pr,
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
