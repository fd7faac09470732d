/*
 * export: writes the evidence bundle of one complete scan (bundle.h) from its
 * records, its chain links and, with full snapshots, the range files of its
 * sources. The data comes in as structs and an evidence_source_fn (store/ reads
 * it from the database); this module writes files and never queries.
 */
#ifndef RESIDENCY_EXPORT_H
#define RESIDENCY_EXPORT_H

#include "core/rerr.h"
#include "report/chain.h"
#include "report/records.h"

#include <stdbool.h>
#include <stddef.h>

/* Export options. */
struct evidence_export {
	long long scan;	     /* the scan to export */
	long long since;     /* the chain from this scan's link (0: the scan's own link only) */
	bool full_snapshots; /* copy the range files (when local and matching), not only hashes */
	const char *dir;     /* the bundle folder; must not exist or be empty */
};

/* A range source of the scan and the paths of its files, in their order. */
struct export_source {
	char *seq;
	char *name;
	char *sha256;
	char **files;
	size_t nfiles;
};

/* Frees n sources and the array; safe to call with NULL. */
void export_sources_free(struct export_source *v, size_t n);

/*
 * Writes the bundle of opt->scan into opt->dir. chain: the links from
 * opt->since's (or the scan's own) up to the scan's, in order; the last one
 * must be the scan's (R_EINPUT otherwise: only a scan in the chain is
 * exported). src gives the records; they must give the digest of the scan's
 * link (R_EINPUT otherwise: the database was changed). sources: the range
 * sources (not GeoIP), used with opt->full_snapshots. R_EUSAGE when the
 * folder is not empty, R_EIO when it cannot be written.
 */
enum rstatus evidence_export(const struct evidence_export *opt, const struct chain_link *chain,
			     size_t nchain, evidence_source_fn src, void *sctx,
			     const struct export_source *sources, size_t nsources,
			     struct rerr *err);

#endif
