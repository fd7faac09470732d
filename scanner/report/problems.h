/*
 * problems: what a verification found (chain, bundle, bundle against the
 * database). Each problem is one "MISMATCH: ..." line on the verifier's
 * output; the first is kept in the caller's struct rerr as R_EINPUT.
 */
#ifndef RESIDENCY_PROBLEMS_H
#define RESIDENCY_PROBLEMS_H

#include "core/rerr.h"

#include <stddef.h>
#include <stdio.h>

struct problems {
	FILE *out; /* may be NULL: count only */
	struct rerr *err;
	size_t n;
};

void problems_add(struct problems *pr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
