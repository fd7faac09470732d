/*
 * bundle: the layout of an evidence bundle, shared by export (which writes it)
 * and verify (which derives it again and compares). A bundle is a folder:
 *   manifest.json     format, scan, digest, link, chain, signature, every file's SHA-256
 *   records.jsonl     the canonical records, one JSON array per line: [type, field...]
 *   TYPE.jsonl        the same records as objects with column names, one file per type
 *                     (scan, document, source, service, element, attribution, finding, answer)
 *   documents/KIND/NAME  the configuration, estate and policy texts as they were
 *   snapshots/SEQ/N-NAME the range files of each source (with --snapshots full, when local)
 *   public_key.pem    when the link is signed
 * Every file but records.jsonl and the snapshots is derived from the records.
 * The bytes of every one of them are the format: existing bundles must verify.
 */
#ifndef RESIDENCY_BUNDLE_H
#define RESIDENCY_BUNDLE_H

#include "core/rerr.h"
#include "report/problems.h"
#include "report/records.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>

#define BUNDLE_FORMAT "residency-evidence-1"
#define BUNDLE_MANIFEST_FLAGS (JSON_INDENT(2) | JSON_SORT_KEYS)

/* Where derived output goes: a file (export) and/or a running SHA-256 (verify). */
struct bundle_sink {
	FILE *f;
	EVP_MD_CTX *md;
	char name[64];
	size_t n; /* records written to it */
};

struct bundle {
	const char *dir;
	struct bundle_sink sinks[RECORDS_NTYPES]; /* TYPE.jsonl, in record_types order */
	struct digest *dg;
	bool verify;  /* derive into hashes only */
	json_t *docs; /* verify: {path: sha256} of derived documents */
	size_t records;
	long long scan_id;
	struct problems *pr;
};

void bundle_sink_write(struct bundle_sink *s, const char *data, size_t n);
/* Finishes the sink's SHA-256 (hex). */
void bundle_sink_hex(struct bundle_sink *s, char out[DIGEST_HEXLEN]);

/* mkdir -p; false when a part cannot be made. */
bool bundle_mkdirs(const char *path);

/*
 * One record into the bundle: the digest, records.jsonl (when records is not
 * NULL), TYPE.jsonl, and the document files (written on export, hashed on
 * verify). R_EINPUT for a record of unknown type or field count.
 */
enum rstatus bundle_take(struct bundle *b, const char *type, size_t n, const char *const *f,
			 struct bundle_sink *records, struct rerr *err);

/* Every regular file under dir/rel (relative to dir), recursively, appended to out. */
void bundle_list_files(const char *dir, const char *rel, json_t *out);

/* qsort order of snapshots/SEQ/N-NAME paths: by N. */
int bundle_cmp_snapshot(const void *a, const void *b);

#endif
