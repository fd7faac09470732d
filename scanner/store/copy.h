/*
 * copy: bulk loading through COPY ... FROM STDIN (text format), the only way
 * residency writes many rows (PERFORMANCE-NOTES: ~10x multi-row INSERT). Values
 * are escaped here; NULL is written as \N. Rows are buffered and sent in chunks.
 *
 * A row is sent whole or not at all: one over COPY_ROW_MAX (or one that memory
 * cannot hold) makes the whole COPY fail with an error naming the table and
 * the row, and copy_end aborts it, so PostgreSQL stores none of its rows and
 * the caller's transaction rolls back. Never a shortened or garbled row.
 */
#ifndef RESIDENCY_COPY_H
#define RESIDENCY_COPY_H

#include "core/buf.h"
#include "store/store.h"

#include <stdbool.h>

/*
 * The most bytes one row may take once escaped. The largest field residency
 * writes is a DNS answer's text, at most 64 MiB (dns/path.c) and at most twice
 * that escaped (every byte a backslash); 256 MiB holds it with room to spare
 * and stays far below PostgreSQL's 1 GB per row. Memory is taken as rows need
 * it, not up front.
 */
#define COPY_ROW_MAX ((size_t)256 << 20)

struct copy {
	struct store *st;
	struct buf rows;
	size_t nrows;
	size_t nfields, field; /* fields per row, and the next one */
	size_t row_start;      /* where the row being written begins in rows */
	size_t row_max;	       /* COPY_ROW_MAX; tests set a smaller one after copy_begin */
	enum rstatus rc;       /* the first error; later calls do nothing */
	struct rerr *err;
	char table[64]; /* from the statement, for messages */
};

/* Starts `COPY table (columns) FROM STDIN`; nfields columns per row. */
enum rstatus copy_begin(struct copy *c, struct store *st, const char *sql, size_t nfields,
			struct rerr *err);
/* Adds the next field of the current row; NULL is SQL NULL. */
void copy_str(struct copy *c, const char *s);
void copy_int(struct copy *c, long long v);
void copy_bool(struct copy *c, bool v);
/* R_OK, or the first error so far (err is filled then); callers check it
 * after a row to name what was being stored. */
enum rstatus copy_status(const struct copy *c);
/* Ends COPY storing none of it, for an error the caller found (and wrote in
 * err); returns the COPY's first error, or rc when it had none. */
enum rstatus copy_abort(struct copy *c, enum rstatus rc);
/* Ends COPY; returns the first error of the whole COPY, after which nothing of
 * it is stored. *rows counts rows written. */
enum rstatus copy_end(struct copy *c, size_t *rows);

#endif
