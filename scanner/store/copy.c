/*
 * copy: COPY text-format writer with escaping and chunked sends. Complete rows
 * only are sent (see copy.h); a row that does not fit fails the COPY.
 */
#include "store/copy.h"
#include "store/internal.h"

#include <stdio.h>
#include <string.h>

#define COPY_CHUNK (512u * 1024)

static enum rstatus fail(struct copy *c, const char *what)
{
	if (c->rc == R_OK)
		c->rc = store_error(c->st, c->err, what);
	return c->rc;
}

enum rstatus copy_begin(struct copy *c, struct store *st, const char *sql, size_t nfields,
			struct rerr *err)
{
	memset(c, 0, sizeof(*c));
	c->st = st;
	c->err = err;
	c->nfields = nfields;
	c->row_max = COPY_ROW_MAX;
	/* Complete rows under COPY_CHUNK wait to be sent, then the current row. */
	buf_init(&c->rows, COPY_CHUNK + COPY_ROW_MAX);
	const char *t = strncmp(sql, "COPY ", 5) == 0 ? sql + 5 : "COPY";
	size_t tl = strcspn(t, " (");
	snprintf(c->table, sizeof(c->table), "%.*s",
		 (int)(tl < sizeof(c->table) ? tl : sizeof(c->table) - 1), t);
	PGresult *res = PQexec(store_pg(st), sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		PQclear(res);
		return fail(c, sql);
	}
	PQclear(res);
	return R_OK;
}

static void flush(struct copy *c)
{
	if (c->rc == R_OK && c->rows.len &&
	    PQputCopyData(store_pg(c->st), c->rows.data, (int)c->rows.len) != 1)
		fail(c, "COPY");
	buf_reset(&c->rows);
}

/*
 * Whether the row being written is whole so far and within its cap; if not,
 * the COPY fails here, before any of the row can be sent.
 */
static bool row_fits(struct copy *c)
{
	enum rstatus rc = buf_error(&c->rows);
	size_t have = c->rows.len - c->row_start;

	if (rc == R_OK && have <= c->row_max)
		return true;
	buf_reset(&c->rows); /* nothing of this COPY is sent any more */
	if (rc == R_ENOMEM)
		c->rc = rerr_set(c->err, R_ENOMEM, c->table, 0, "out of memory writing row %zu",
				 c->nrows + 1);
	else
		c->rc = rerr_set(c->err, R_ELIMIT, c->table, 0,
				 "row %zu is larger than the %zu bytes a stored row may hold: "
				 "nothing of this COPY is stored",
				 c->nrows + 1, c->row_max);
	return false;
}

static void end_field(struct copy *c)
{
	bool last = ++c->field == c->nfields;

	buf_add(&c->rows, last ? "\n" : "\t", 1);
	if (!row_fits(c) || !last)
		return;
	c->field = 0;
	c->nrows++;
	if (c->rows.len >= COPY_CHUNK)
		flush(c);
	c->row_start = c->rows.len;
}

void copy_str(struct copy *c, const char *s)
{
	if (c->rc != R_OK)
		return;
	if (s == NULL) {
		buf_add(&c->rows, "\\N", 2);
	} else {
		const char *run = s;
		for (; *s; s++) {
			const char *esc = *s == '\\'   ? "\\\\"
					  : *s == '\t' ? "\\t"
					  : *s == '\n' ? "\\n"
					  : *s == '\r' ? "\\r"
						       : NULL;
			if (esc == NULL)
				continue;
			buf_add(&c->rows, run, (size_t)(s - run));
			buf_add(&c->rows, esc, 2);
			run = s + 1;
		}
		buf_add(&c->rows, run, (size_t)(s - run));
	}
	end_field(c);
}

void copy_int(struct copy *c, long long v)
{
	char n[32];
	snprintf(n, sizeof(n), "%lld", v);
	copy_str(c, n);
}

void copy_bool(struct copy *c, bool v)
{
	copy_str(c, v ? "t" : "f");
}

enum rstatus copy_status(const struct copy *c)
{
	return c->rc;
}

enum rstatus copy_abort(struct copy *c, enum rstatus rc)
{
	if (c->rc == R_OK)
		c->rc = rc;
	return copy_end(c, NULL);
}

enum rstatus copy_end(struct copy *c, size_t *rows)
{
	PGconn *conn = store_pg(c->st);

	if (c->rc == R_OK && c->field != 0) /* a caller's bug: never send half a row */
		c->rc = rerr_set(c->err, R_EINTERNAL, c->table, 0,
				 "row %zu ended after %zu of its %zu fields", c->nrows + 1,
				 c->field, c->nfields);
	flush(c);
	buf_free(&c->rows);
	if (rows)
		*rows = c->nrows;
	if (PQputCopyEnd(conn, c->rc == R_OK ? NULL : "residency: aborted") != 1)
		fail(c, "COPY");
	PGresult *res;
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			fail(c, "COPY");
		PQclear(res);
	}
	return c->rc;
}
