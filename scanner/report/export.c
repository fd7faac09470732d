/*
 * export: an evidence bundle written from records and chain links given to
 * it. See export.h and bundle.h.
 */
#include "report/export.h"
#include "core/buf.h"
#include "ranges/snapshot.h"
#include "report/bundle.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void export_sources_free(struct export_source *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].seq);
		free(v[i].name);
		free(v[i].sha256);
		for (size_t k = 0; k < v[i].nfiles; k++)
			free(v[i].files[k]);
		free(v[i].files);
	}
	free(v);
}

struct export_ctx {
	struct bundle *b;
	struct bundle_sink records;
};

static enum rstatus export_record(void *ctx, const char *type, size_t n, const char *const *f,
				  struct rerr *err)
{
	struct export_ctx *x = ctx;
	return bundle_take(x->b, type, n, f, &x->records, err);
}

/* Copies the local range files of each source into snapshots/SEQ/ when their
 * bytes still give the source's SHA-256. */
static enum rstatus copy_snapshots(const struct evidence_export *opt,
				   const struct export_source *sources, size_t nsources,
				   json_t *notes, struct rerr *err)
{
	enum rstatus rc = R_OK;

	for (size_t i = 0; i < nsources && rc == R_OK; i++) {
		const struct export_source *s = &sources[i];
		size_t nfiles = s->nfiles;
		struct buf bodies[64];
		const struct buf *bp[64];
		bool ok = nfiles > 0 && nfiles <= 64;
		size_t k;
		for (k = 0; ok && k < nfiles; k++) {
			struct rerr e;
			buf_init(&bodies[k], (size_t)1 << 30);
			bp[k] = &bodies[k];
			if (buf_read_file(&bodies[k], s->files[k], &e) != R_OK)
				ok = false;
		}
		char got[DIGEST_HEXLEN] = "";
		if (ok)
			snapshot_sha256(bp, nfiles, got);
		if (ok && strcmp(got, s->sha256) == 0) {
			for (size_t j = 0; j < nfiles && rc == R_OK; j++) {
				char dir[4096], file[8192];
				const char *src = s->files[j], *base = strrchr(src, '/');
				snprintf(dir, sizeof(dir), "%s/snapshots/%s", opt->dir, s->seq);
				snprintf(file, sizeof(file), "%s/%zu-%s", dir, j,
					 base ? base + 1 : src);
				FILE *f = bundle_mkdirs(dir) ? fopen(file, "wbx") : NULL;
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
			    s->seq, s->name);
			json_array_append_new(notes, json_string(note));
		}
		for (size_t j = 0; j < k; j++)
			buf_free(&bodies[j]);
	}
	return rc;
}

enum rstatus evidence_export(const struct evidence_export *opt, const struct chain_link *chain,
			     size_t nchain, evidence_source_fn src, void *sctx,
			     const struct export_source *sources, size_t nsources, struct rerr *err)
{
	struct bundle b;
	struct export_ctx x;
	char path[4096], hex[DIGEST_HEXLEN];
	uint8_t md[DIGEST_LEN];
	enum rstatus rc = R_OK;
	json_t *manifest = NULL, *files = NULL, *links = NULL, *notes = NULL;
	char *sig = NULL, *pub = NULL;

	memset(&b, 0, sizeof(b));
	memset(&x, 0, sizeof(x));
	b.dir = opt->dir;
	x.b = &b;
	/* Only a scan in the chain is exported. */
	if (nchain == 0 || chain[nchain - 1].scan != opt->scan)
		return rerr_set(
		    err, R_EINPUT, NULL, 0,
		    "scan %lld is not in the chain (only complete scans are; or --since "
		    "names a scan that comes after it or is not complete)",
		    opt->scan);
	notes = json_array();
	links = json_array();
	for (size_t i = 0; i < nchain; i++)
		json_array_append_new(
		    links, json_pack("{s:I, s:I, s:s, s:s, s:s}", "seq", (json_int_t)chain[i].seq,
				     "scan", (json_int_t)chain[i].scan, "digest", chain[i].digest,
				     "prev_link", chain[i].prev_link, "link", chain[i].link));
	char stored[DIGEST_HEXLEN], link[DIGEST_HEXLEN];
	const struct chain_link *last = &chain[nchain - 1];
	snprintf(stored, sizeof(stored), "%s", last->digest);
	snprintf(link, sizeof(link), "%s", last->link);
	if ((last->signature && (sig = strdup(last->signature)) == NULL) ||
	    (last->public_key && (pub = strdup(last->public_key)) == NULL)) {
		rc = rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
		goto out;
	}

	/* The folder: new, or empty. */
	if (!bundle_mkdirs(opt->dir)) {
		rc = rerr_set(err, R_EIO, opt->dir, 0, "cannot make the folder: %s",
			      strerror(errno));
		goto out;
	}
	json_t *existing = json_array();
	bundle_list_files(opt->dir, "", existing);
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
	for (size_t t = 0; t < RECORDS_NTYPES; t++) {
		char sp[4096];
		snprintf(b.sinks[t].name, sizeof(b.sinks[t].name), "%s.jsonl",
			 record_types[t].type);
		snprintf(sp, sizeof(sp), "%s/%s", opt->dir, b.sinks[t].name);
		if ((b.sinks[t].f = fopen(sp, "wbx")) == NULL)
			rc = rerr_set(err, R_EIO, sp, 0, "cannot write: %s", strerror(errno));
	}
	if (b.dg == NULL || x.records.f == NULL) {
		rc = rerr_set(err, R_EIO, path, 0, "cannot write");
		goto out;
	}
	if (rc == R_OK)
		rc = src(sctx, opt->scan, export_record, &x, err);
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
	for (size_t t = 0; t < RECORDS_NTYPES; t++) {
		if (b.sinks[t].f && fclose(b.sinks[t].f) != 0 && rc == R_OK)
			rc = rerr_set(err, R_EIO, b.sinks[t].name, 0, "cannot write");
		b.sinks[t].f = NULL;
	}
	if (rc == R_OK && opt->full_snapshots)
		rc = copy_snapshots(opt, sources, nsources, notes, err);
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
	bundle_list_files(opt->dir, "", names);
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
	manifest =
	    json_pack("{s:s, s:I, s:s, s:s, s:O, s:O, s:s, s:b, s:O}", "format", BUNDLE_FORMAT,
		      "scan", (json_int_t)opt->scan, "digest", hex, "link", link, "chain", links,
		      "files", files, "generator", "residency evidence export",
		      "snapshots_included", opt->full_snapshots, "notes", notes);
	json_object_set_new(manifest, "signature", sig ? json_string(sig) : json_null());
	snprintf(path, sizeof(path), "%s/manifest.json", opt->dir);
	if (manifest == NULL || json_dump_file(manifest, path, BUNDLE_MANIFEST_FLAGS) != 0)
		rc = rerr_set(err, R_EIO, path, 0, "cannot write");
out:
	if (x.records.f)
		fclose(x.records.f);
	for (size_t t = 0; t < RECORDS_NTYPES; t++)
		if (b.sinks[t].f)
			fclose(b.sinks[t].f);
	digest_free(b.dg);
	json_decref(manifest);
	json_decref(files);
	json_decref(links);
	json_decref(notes);
	free(sig);
	free(pub);
	return rc;
}
