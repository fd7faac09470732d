/*
 * rerr: status codes, their exit codes, and the user-facing error record.
 */
#include "core/rerr.h"
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void rerr_clear(struct rerr *err)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof(*err));
}

enum rstatus rerr_set(struct rerr *err, enum rstatus code, const char *where, long line,
		      const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	err->line = line;
	snprintf(err->where, sizeof(err->where), "%s", where ? where : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void rerr_prefix(struct rerr *err, const char *fmt, ...)
{
	char pre[512], old[sizeof(err->msg)];
	va_list ap;
	size_t plen, olen;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	plen = strlen(pre);
	olen = strlen(old);
	if (plen + olen + 3 > sizeof(err->msg))
		olen = sizeof(err->msg) - plen - 3;
	memcpy(err->msg, pre, plen);
	memcpy(err->msg + plen, ": ", 2);
	memcpy(err->msg + plen + 2, old, olen);
	err->msg[plen + 2 + olen] = '\0';
}

const char *rerr_format(const struct rerr *err, char *buf, size_t len)
{
	if (err->where[0] && err->line > 0)
		snprintf(buf, len, "%s:%ld: %s", err->where, err->line, err->msg);
	else if (err->where[0])
		snprintf(buf, len, "%s: %s", err->where, err->msg);
	else
		snprintf(buf, len, "%s", err->msg[0] ? err->msg : rstatus_name(err->code));
	return buf;
}

void rerr_log(const struct rerr *err)
{
	char buf[2048];

	log_warnx("%s", rerr_format(err, buf, sizeof(buf)));
}

const char *rstatus_name(enum rstatus code)
{
	switch (code) {
	case R_OK:
		return "ok";
	case R_EUSAGE:
		return "bad usage";
	case R_EINPUT:
		return "bad input";
	case R_ENOMEM:
		return "out of memory";
	case R_EIO:
		return "I/O error";
	case R_ENET:
		return "network error";
	case R_EDNS:
		return "DNS error";
	case R_EDB:
		return "database error";
	case R_ELIMIT:
		return "input over its limit";
	case R_ESTALE:
		return "stale data";
	case R_EINTERNAL:
		return "internal error";
	case R_ESTOPPED:
		return "stopped";
	}
	return "unknown status";
}

int rstatus_exit(enum rstatus code)
{
	switch (code) {
	case R_OK:
		return EXIT_COMPLIANT;
	case R_EUSAGE:
	case R_EINPUT:
	case R_ELIMIT:
		return EXIT_BADINPUT;
	case R_ESTALE:
		return EXIT_STALE;
	case R_ENOMEM:
	case R_EIO:
	case R_ENET:
	case R_EDNS:
	case R_EDB:
	case R_EINTERNAL:
	case R_ESTOPPED:
		return EXIT_INCOMPLETE;
	}
	return EXIT_INCOMPLETE;
}
