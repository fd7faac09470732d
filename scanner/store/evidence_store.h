/*
 * evidence_store: the evidence of issue 7 in PostgreSQL. Reads a scan's rows
 * as the canonical records of report/records.h, appends a completed scan's
 * link to the chain (scan_links, schema/005), and reads the chain and a scan's
 * range sources into the plain structs of report/chain.h and report/export.h.
 * What the records, links and bundles are is report/'s; the SQL is here.
 */
#ifndef RESIDENCY_EVIDENCE_STORE_H
#define RESIDENCY_EVIDENCE_STORE_H

#include "report/chain.h"
#include "report/export.h"
#include "report/records.h"
#include "store/store.h"

/*
 * Streams the canonical records of scan id from the database, in order (one
 * row at a time). Sets the session's TimeZone and DateStyle so that the text
 * of every value is the same on every server. R_EINPUT when there is no scan.
 */
enum rstatus store_evidence_records(struct store *st, long long id, evidence_record_fn fn,
				    void *ctx, struct rerr *err);
/* store_evidence_records as an evidence_source_fn: src is the struct store. */
enum rstatus store_evidence_source(void *src, long long id, evidence_record_fn fn, void *ctx,
				   struct rerr *err);

/* The digest of scan id as its rows are now (hex). */
enum rstatus store_evidence_digest(struct store *st, long long id, char hex[DIGEST_HEXLEN],
				   struct rerr *err);

/*
 * Appends scan id (just completed, in the caller's open transaction) to the
 * chain, signing the link with key_pem when not NULL. Takes a lock on the
 * chain so that concurrent completions are ordered.
 */
enum rstatus store_evidence_link(struct store *st, long long id, const char *key_pem,
				 struct rerr *err);

/* Every link of the chain in seq order; free with chain_links_free(). */
enum rstatus store_evidence_chain(struct store *st, struct chain_link **links, size_t *n,
				  struct rerr *err);
/*
 * The links from scan since's up to scan upto's, in order (none when either
 * has no link or since's comes after upto's); free with chain_links_free().
 */
enum rstatus store_evidence_chain_range(struct store *st, long long since, long long upto,
					struct chain_link **links, size_t *n, struct rerr *err);
/* The complete scans with no link, by id; the caller frees *ids. */
enum rstatus store_evidence_unlinked(struct store *st, long long **ids, size_t *n,
				     struct rerr *err);
/*
 * The range sources (not GeoIP) of scan id that name files, in seq order,
 * each with its files in their order; free with export_sources_free().
 */
enum rstatus store_evidence_sources(struct store *st, long long id, struct export_source **out,
				    size_t *n, struct rerr *err);

#endif
