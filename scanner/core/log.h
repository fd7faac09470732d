/*
 * log: the one place where residency writes diagnostics (always to stderr).
 *
 * Shape of OpenBSD's log.c: log_warn() appends strerror(errno) and keeps errno,
 * log_warnx() does not; log_info() is hidden by --quiet, log_debug() shown only
 * with --verbose. fatal()/fatalx() exit 3 and belong in main paths only, never
 * inside a library module. Output is text, or one JSON object per line.
 */
#ifndef RESIDENCY_LOG_H
#define RESIDENCY_LOG_H

#include <stdarg.h>

enum log_format { LOG_TEXT, LOG_JSON };

/* verbosity: -1 quiet (warnings only), 0 normal, 1+ verbose (debug). */
void log_init(enum log_format format, int verbosity);
int log_verbosity(void);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vlog(int level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
