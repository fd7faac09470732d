/*
 * buf: a growing byte buffer with a cap set when it is created (curl's
 * curlx_dyn_init(s, toobig)): going over the cap is an error, never a silent
 * realloc. Also reads whole files under such a cap.
 */
#ifndef RESIDENCY_BUF_H
#define RESIDENCY_BUF_H

#include "core/rerr.h"

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* always NUL-terminated when not NULL */
	size_t len;
	size_t cap;   /* allocated */
	size_t limit; /* most bytes it may hold */
};

void buf_init(struct buf *b, size_t limit);
/* Frees the data; the buf can be used again after buf_init. Safe on a zeroed buf. */
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
/* Returns R_ELIMIT when the limit would be passed, R_ENOMEM on allocation failure. */
enum rstatus buf_add(struct buf *b, const void *data, size_t len);
enum rstatus buf_addstr(struct buf *b, const char *s);
enum rstatus buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
enum rstatus buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Hands the data to the caller (who frees it with free()) and empties b. */
char *buf_steal(struct buf *b, size_t *len);

/*
 * Reads a whole file ("-" is stdin) into out, which must be initialised with
 * its limit. A file over the limit is an error naming the file.
 */
enum rstatus buf_read_file(struct buf *out, const char *path, struct rerr *err);

#endif
