/*
 * copy: bulk loading through COPY ... FROM STDIN (text format), the only way
 * residency writes many rows (PERFORMANCE-NOTES: ~10x multi-row INSERT). Values
 * are escaped here; NULL is written as \N. Rows are buffered and sent in chunks.
 */
#ifndef RESIDENCY_COPY_H
#define RESIDENCY_COPY_H

#include "core/buf.h"
#include "store/store.h"

#include <stdbool.h>

struct copy {
	struct store *st;
	struct buf rows;
	size_t nrows;
	size_t nfields, field; /* fields per row, and the next one */
	enum rstatus rc;       /* the first error; later calls do nothing */
	struct rerr *err;
};

/* Starts `COPY table (columns) FROM STDIN`; nfields columns per row. */
enum rstatus copy_begin(struct copy *c, struct store *st, const char *sql, size_t nfields,
			struct rerr *err);
/* Adds the next field of the current row; NULL is SQL NULL. */
void copy_str(struct copy *c, const char *s);
void copy_int(struct copy *c, long long v);
void copy_bool(struct copy *c, bool v);
/* Ends COPY; returns the first error of the whole COPY. *rows counts rows sent. */
enum rstatus copy_end(struct copy *c, size_t *rows);

#endif
