/*
 * problems: one verification problem written out and counted. See problems.h.
 */
#include "report/problems.h"

#include <stdarg.h>

void problems_add(struct problems *pr, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pr->out)
		fprintf(pr->out, "MISMATCH: %s\n", msg);
	if (pr->n++ == 0)
		rerr_set(pr->err, R_EINPUT, NULL, 0, "%s", msg);
}
