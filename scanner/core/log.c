/*
 * log: diagnostics to stderr, as text or JSON lines. Depends on nothing but libc,
 * so any module that logs can be unit-tested alone.
 */
#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { LVL_WARN, LVL_INFO, LVL_DEBUG };

static enum log_format log_fmt = LOG_TEXT;
static int log_verbose;

void log_init(enum log_format format, int verbosity)
{
	log_fmt = format;
	log_verbose = verbosity;
}

int log_verbosity(void)
{
	return log_verbose;
}

static void json_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

static void emit(int level, const char *msg)
{
	static const char *names[] = {"warning", "info", "debug"};

	if (log_fmt == LOG_JSON) {
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(stderr, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"", ts, names[level]);
		json_escape(stderr, msg);
		fputs("\"}\n", stderr);
	} else {
		fprintf(stderr, "residency: %s\n", msg);
	}
}

void vlog(int level, const char *fmt, va_list ap)
{
	char buf[4096];

	if (level == LVL_INFO && log_verbose < 0)
		return;
	if (level == LVL_DEBUG && log_verbose < 1)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	emit(level, buf);
}

void log_warn(const char *fmt, ...)
{
	int saved = errno;
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	size_t n = strlen(buf);
	snprintf(buf + n, sizeof(buf) - n, ": %s", strerror(saved));
	emit(LVL_WARN, buf);
	errno = saved;
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LVL_WARN, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LVL_INFO, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LVL_DEBUG, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	int saved = errno;
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	size_t n = strlen(buf);
	snprintf(buf + n, sizeof(buf) - n, ": %s", strerror(saved));
	emit(LVL_WARN, buf);
	exit(3);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LVL_WARN, fmt, ap);
	va_end(ap);
	exit(3);
}
