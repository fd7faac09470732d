/*
 * copy: COPY text-format writer with escaping and chunked sends.
 */
#include "store/copy.h"

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
	buf_init(&c->rows, 4u * COPY_CHUNK);
	PGresult *res = PQexec(store_conn(st), sql);
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
	    PQputCopyData(store_conn(c->st), c->rows.data, (int)c->rows.len) != 1)
		fail(c, "COPY");
	buf_reset(&c->rows);
}

static void end_field(struct copy *c)
{
	if (++c->field == c->nfields) {
		c->field = 0;
		c->nrows++;
		buf_add(&c->rows, "\n", 1);
		if (c->rows.len >= COPY_CHUNK)
			flush(c);
	} else {
		buf_add(&c->rows, "\t", 1);
	}
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

enum rstatus copy_end(struct copy *c, size_t *rows)
{
	PGconn *conn = store_conn(c->st);

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
