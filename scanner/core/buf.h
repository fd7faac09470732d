/*
 * buf: a growing byte buffer with a cap set when it is created (curl's
 * curlx_dyn_init(s, toobig)): going over the cap is an error, never a silent
 * realloc. Also reads whole files under such a cap.
 *
 * Errors are sticky (curl's dynbuf): the first failed append is kept in the
 * buf, every later append fails with it and adds nothing, so a caller may
 * append a whole record unchecked and ask buf_error() once at the end. The
 * bytes of a failed append are never partly added, but a buf in error holds
 * only what came before its first error: never use its data as if whole.
 */
#ifndef RESIDENCY_BUF_H
#define RESIDENCY_BUF_H

#include "core/rerr.h"

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* always NUL-terminated when not NULL */
	size_t len;
	size_t cap;	  /* allocated */
	size_t limit;	  /* most bytes it may hold */
	enum rstatus err; /* the first failed append's status, until reset */
};

void buf_init(struct buf *b, size_t limit);
/* Frees the data; the buf can be used again after buf_init. Safe on a zeroed buf. */
void buf_free(struct buf *b);
/* Empties b and clears its error. */
void buf_reset(struct buf *b);
/*
 * Returns R_ELIMIT when the limit would be passed, R_ENOMEM on allocation
 * failure, and once b is in error that first error, adding nothing.
 */
enum rstatus buf_add(struct buf *b, const void *data, size_t len);
enum rstatus buf_addstr(struct buf *b, const char *s);
enum rstatus buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
enum rstatus buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* R_OK, or the first error of an append since buf_init or buf_reset. */
enum rstatus buf_error(const struct buf *b);
/*
 * Hands the data to the caller (who frees it with free()) and empties b; NULL
 * when memory runs out, or when b is in error (its partial data stays in b,
 * for buf_free).
 */
char *buf_steal(struct buf *b, size_t *len);

/*
 * Reads a whole file ("-" is stdin) into out, which must be initialised with
 * its limit. A file over the limit is an error naming the file.
 */
enum rstatus buf_read_file(struct buf *out, const char *path, struct rerr *err);

#endif
