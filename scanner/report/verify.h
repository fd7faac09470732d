/*
 * verify: what a regulator runs on an evidence bundle (bundle.h), with no
 * database: every file with its SHA-256, the manifest, the digest from the
 * records, the derived files, the chain links, the snapshots and the
 * signature. And a bundle compared, record by record, with the records of its
 * scan from an evidence_source_fn (store/ gives those of the database).
 */
#ifndef RESIDENCY_VERIFY_H
#define RESIDENCY_VERIFY_H

#include "core/rerr.h"
#include "report/records.h"

#include <stdio.h>

/*
 * Verifies a bundle offline: every file listed with its SHA-256 and none else,
 * the manifest in canonical form, the digest recomputed from records.jsonl,
 * the derived files (findings, answers, documents, sources) regenerated from
 * the records byte for byte, the chain links recomputed, the snapshots' bytes
 * when included, and the signature (with trusted_key when given). R_EINPUT
 * with the first thing that does not match.
 */
enum rstatus evidence_verify_bundle(const char *dir, const char *trusted_key, FILE *out,
				    struct rerr *err);

/*
 * Compares the records of a bundle with those src gives for its scan, record
 * by record, naming each difference (the table, the row, the column and both
 * values). R_EINPUT when they differ.
 */
enum rstatus evidence_compare(const char *dir, evidence_source_fn src, void *sctx, FILE *out,
			      struct rerr *err);

#endif
