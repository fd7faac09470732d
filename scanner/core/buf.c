/*
 * buf: bounded growing buffers and bounded whole-file reads.
 */
#include "core/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

void buf_init(struct buf *b, size_t limit)
{
	memset(b, 0, sizeof(*b));
	b->limit = limit;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->err = R_OK;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = R_OK;
	if (b->data)
		b->data[0] = '\0';
}

static enum rstatus grow(struct buf *b, size_t need)
{
	if (need > b->limit)
		return R_ELIMIT;
	if (need + 1 <= b->cap)
		return R_OK;
	size_t ncap = b->cap ? b->cap : 256;
	while (ncap < need + 1)
		ncap *= 2;
	if (ncap > b->limit + 1)
		ncap = b->limit + 1;
	char *p = realloc(b->data, ncap);
	if (p == NULL)
		return R_ENOMEM;
	b->data = p;
	b->cap = ncap;
	return R_OK;
}

/* Keeps the first error: later appends fail with it. */
static enum rstatus fail(struct buf *b, enum rstatus rc)
{
	if (b->err == R_OK)
		b->err = rc;
	return b->err;
}

enum rstatus buf_error(const struct buf *b)
{
	return b->err;
}

enum rstatus buf_add(struct buf *b, const void *data, size_t len)
{
	enum rstatus rc;

	if (b->err != R_OK)
		return b->err;
	if (len > b->limit || b->len > b->limit - len)
		return fail(b, R_ELIMIT);
	if ((rc = grow(b, b->len + len)) != R_OK)
		return fail(b, rc);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return R_OK;
}

enum rstatus buf_addstr(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

enum rstatus buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	enum rstatus rc;

	if (b->err != R_OK)
		return b->err;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return fail(b, R_EINTERNAL);
	if ((size_t)n > b->limit || b->len > b->limit - (size_t)n)
		return fail(b, R_ELIMIT);
	if ((rc = grow(b, b->len + (size_t)n)) != R_OK)
		return fail(b, rc);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return R_OK;
}

enum rstatus buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	enum rstatus rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *buf_steal(struct buf *b, size_t *len)
{
	char *p = b->data;

	if (b->err != R_OK)
		return NULL;
	if (p == NULL) {
		p = calloc(1, 1);
		if (p == NULL)
			return NULL;
	}
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

enum rstatus buf_read_file(struct buf *out, const char *path, struct rerr *err)
{
	FILE *f;
	char chunk[65536];
	size_t n;
	enum rstatus rc = R_OK;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "rb")) == NULL)
		return rerr_set(err, R_EIO, path, 0, "cannot open: %s", strerror(errno));
	/* A regular file's size is known: room for it at once, so that a large
	 * file is not copied from half its size by the last doubling. */
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size <= out->limit && out->len == 0)
		(void)grow(out, (size_t)st.st_size); /* a failure here fails in buf_add */

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if ((rc = buf_add(out, chunk, n)) != R_OK) {
			if (rc == R_ELIMIT)
				rerr_set(err, rc, path, 0,
					 "file is larger than the limit of %zu bytes", out->limit);
			else
				rerr_set(err, rc, path, 0, "out of memory reading file");
			goto out;
		}
	}
	if (ferror(f))
		rc = rerr_set(err, R_EIO, path, 0, "read error: %s", strerror(errno));
	else if (out->data == NULL && (rc = buf_add(out, "", 0)) != R_OK)
		rerr_set(err, rc, path, 0, "out of memory reading file");
out:
	if (f != stdin)
		fclose(f);
	return rc;
}
