/*
 * records: the canonical records of a stored scan (issue 7), defined here and
 * nowhere else: which record types, in which order, with which fields. A
 * scan's digest is SHA-256 (digest.h) over these records in this order; the
 * same records, written as JSON lines, are the heart of an export bundle.
 *
 * Pipeline: store/ reads the rows that become records (store/evidence_store.c
 * holds the SQL, one statement per type, in this order) and hands each one to
 * an evidence_record_fn; report/ digests, exports and verifies them. This
 * module knows nothing of PostgreSQL.
 */
#ifndef RESIDENCY_RECORDS_H
#define RESIDENCY_RECORDS_H

#include "core/rerr.h"
#include "report/digest.h"

#include <stdbool.h>
#include <stddef.h>

#define RECORDS_MAXCOLS 20

struct record_type {
	const char *type;
	const char *cols[RECORDS_MAXCOLS];
	/* The last column was added later (a schema migration): a record carries it
	 * only when it is not NULL, so records of older scans, and their digests,
	 * stay as they were. */
	bool last_optional;
};

/* The canonical order: scan, document, source, service, element, part,
 * attribution, finding, answer. Record format 2 (schema 012) added the scan's
 * record_format, the element's part and the part records; a scan stored before
 * has none of them, so its records and digest are those of format 1. */
#define RECORDS_NTYPES 9
extern const struct record_type record_types[RECORDS_NTYPES];

/* The type of that name; NULL when there is none. */
const struct record_type *records_type(const char *type);
/* Its number of columns. */
size_t records_ncols(const struct record_type *t);
/*
 * How many of the nf fields of a row of type t its record carries: nf, less
 * an optional last field that is NULL.
 */
size_t records_nfields(const struct record_type *t, size_t nf, const char *const *f);

/* One canonical record: type and fields (NULL entries are SQL NULLs). */
typedef enum rstatus (*evidence_record_fn)(void *ctx, const char *type, size_t n,
					   const char *const *fields, struct rerr *err);

/*
 * Where records come from: calls fn with every record of scan `scan`, in the
 * canonical order. R_EINPUT when there is no such scan. store_evidence_source()
 * is the one that reads the database; tests give records from memory.
 */
typedef enum rstatus (*evidence_source_fn)(void *src, long long scan, evidence_record_fn fn,
					   void *ctx, struct rerr *err);

/* The digest (hex) of the records src gives for scan. */
enum rstatus records_digest(evidence_source_fn src, void *sctx, long long scan,
			    char hex[DIGEST_HEXLEN], struct rerr *err);

#endif
