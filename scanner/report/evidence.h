/*
 * evidence: what a regulator can verify (issue 7).
 *
 * A complete scan's digest is SHA-256 (digest.h) over the canonical records of
 * everything the scan stored: the scan row, the documents it was judged with
 * (configuration, estate, policy texts), its data sources (range snapshots'
 * SHA-256, the GeoIP build), services, path elements, attributions, findings
 * and DNS answers, each table in a fixed order. The same records, written as
 * JSON lines, are the heart of an export bundle; `verify` recomputes the digest
 * from them offline, or from the rows in the database.
 *
 * Every complete scan gets a link in the chain (scan_links, schema/005):
 * link = SHA-256("residency-chain-v1" || previous link || digest), Ed25519-
 * signed when a signing key is configured.
 */
#ifndef RESIDENCY_EVIDENCE_H
#define RESIDENCY_EVIDENCE_H

#include "core/rerr.h"
#include "report/digest.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>

/* One canonical record: type and fields (NULL entries are SQL NULLs). */
typedef enum rstatus (*evidence_record_fn)(void *ctx, const char *type, size_t n,
					   const char *const *fields, struct rerr *err);

/*
 * Streams the canonical records of scan id from the database, in order. Sets
 * the session's TimeZone and DateStyle so that the text of every value is the
 * same on every server.
 */
enum rstatus evidence_records(PGconn *c, long long id, evidence_record_fn fn, void *ctx,
			      struct rerr *err);

/* The digest of scan id as its rows are now (hex). */
enum rstatus evidence_scan_digest(PGconn *c, long long id, char hex[DIGEST_HEXLEN],
				  struct rerr *err);

/*
 * Appends scan id (just completed, in the caller's open transaction) to the
 * chain, signing the link with key_pem when not NULL. Takes a lock on the
 * chain so that concurrent completions are ordered.
 */
enum rstatus evidence_link(PGconn *c, long long id, const char *key_pem, struct rerr *err);

/*
 * Checks the chain in the database from its start up to scan upto (0: to its
 * end), and the digest of every scan on the way against its rows (all of them
 * when every_digest, else only upto's). Writes one line per problem to out;
 * returns R_OK when all holds, R_EINPUT (with the first problem) when not.
 */
enum rstatus evidence_verify_db(PGconn *c, long long upto, bool every_digest, FILE *out,
				struct rerr *err);

/* Export options. */
struct evidence_export {
	long long scan;	     /* the scan to export */
	long long since;     /* the chain from this scan's link (0: the scan's own link only) */
	bool full_snapshots; /* copy the range files (when local and matching), not only hashes */
	const char *dir;     /* the bundle folder; must not exist or be empty */
};

enum rstatus evidence_export(PGconn *c, const struct evidence_export *opt, struct rerr *err);

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
 * Compares the records of a bundle with the rows of its scan in the database,
 * record by record, naming each difference (the table, the row, the column and
 * both values). R_EINPUT when they differ.
 */
enum rstatus evidence_compare_db(PGconn *c, const char *dir, FILE *out, struct rerr *err);

#endif
