/*
 * rerr: the project-wide status enum and the error record shown to users.
 *
 * Functions that can fail return an enum rstatus and fill a struct rerr naming
 * what was being worked on (a file and line, a URL, a host, a record). Library
 * status codes (CURLcode, ares status, MMDB, PGresult) are translated into ours
 * inside the module that wraps that library, never outside it.
 */
#ifndef RESIDENCY_RERR_H
#define RESIDENCY_RERR_H

#include <stddef.h>
/*
 * <unistd.h> defines R_OK (4, for access(2)). A file including both would
 * compare our statuses with 4 without a word from the compiler. Take unistd.h
 * here, once, and drop its macro: in residency R_OK is always "success". Use
 * F_OK or a literal mode with access(2).
 */
#include <unistd.h>
#undef R_OK

enum rstatus {
	R_OK = 0,
	R_EUSAGE,    /* bad command line                       -> exit 2 */
	R_EINPUT,    /* bad input file or record               -> exit 2 */
	R_ENOMEM,    /* allocation failed                      -> exit 3 */
	R_EIO,	     /* file system                            -> exit 3 */
	R_ENET,	     /* network, HTTP                          -> exit 3 */
	R_EDNS,	     /* DNS could not be asked                 -> exit 3 */
	R_EDB,	     /* PostgreSQL                             -> exit 3 */
	R_ELIMIT,    /* an outside input went over its bound   -> exit 2 */
	R_ESTALE,    /* data older than allowed                -> exit 4 */
	R_EINTERNAL, /* a bug                                  -> exit 3 */
	R_ESTOPPED,  /* stopped on request (a signal) midway   -> exit 3 */
};

/* Exit codes of the contract in PRODUCT.md. */
enum {
	EXIT_COMPLIANT = 0,
	EXIT_VIOLATION = 1,
	EXIT_BADINPUT = 2,
	EXIT_INCOMPLETE = 3,
	EXIT_STALE = 4,
};

struct rerr {
	enum rstatus code;
	char where[512]; /* file, URL, host or record; may be empty */
	long line;	 /* line or record number; 0 when not applicable */
	char msg[1024];
};

/* Clears err; safe to call with NULL. */
void rerr_clear(struct rerr *err);

/*
 * Fills err (when not NULL) and returns code, so callers can write
 * `return rerr_set(err, R_EINPUT, path, line, "unknown key \"%s\"", k);`.
 * where may be NULL; line 0 means no line.
 */
enum rstatus rerr_set(struct rerr *err, enum rstatus code, const char *where, long line,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Prefixes err->msg with more context: "ctx: old message". */
void rerr_prefix(struct rerr *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Formats "where:line: msg" (or the parts that exist) into buf. */
const char *rerr_format(const struct rerr *err, char *buf, size_t len);

/* Logs the error once with log_warnx. */
void rerr_log(const struct rerr *err);

const char *rstatus_name(enum rstatus code);
int rstatus_exit(enum rstatus code);

#endif
