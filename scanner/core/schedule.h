/*
 * schedule: when `residency serve` runs the next scan or range refresh. Either
 * an interval with random jitter ("6h" +- "10m") or a cron-style expression of
 * five fields (minute hour day-of-month month day-of-week), evaluated in UTC.
 * Pure computation: no clock reads, no sleeping; the caller passes "now".
 */
#ifndef RESIDENCY_SCHEDULE_H
#define RESIDENCY_SCHEDULE_H

#include "core/rerr.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/*
 * Parses a duration such as "90s", "15m", "6h", "7d" or "1h30m" into seconds.
 * Returns false on anything else (empty, no unit, overflow, zero parts only).
 */
bool duration_parse(const char *s, long long *seconds);

struct schedule {
	bool is_cron;
	long long interval; /* seconds, when !is_cron */
	long long jitter;   /* seconds, at most this much added at random */
	/* cron: bit sets of allowed values */
	uint64_t minute; /* 0-59 */
	uint32_t hour;	 /* 0-23 */
	uint32_t dom;	 /* 1-31 */
	uint16_t month;	 /* 1-12 */
	uint8_t dow;	 /* 0-6, Sunday = 0 */
	bool dom_star, dow_star;
};

/* An interval schedule; jitter may be 0. */
enum rstatus schedule_interval(struct schedule *s, const char *every, const char *jitter,
			       const char *where, struct rerr *err);
/* A five-field cron expression; errors name `where` and the field. */
enum rstatus schedule_cron(struct schedule *s, const char *expr, const char *where,
			   struct rerr *err);
/*
 * The first run time strictly after `after` (UTC). rnd is a random value in
 * [0, 1) used for jitter, so tests can pin it. Returns (time_t)-1 when a cron
 * expression never fires (such as "0 0 31 2 *").
 */
time_t schedule_next(const struct schedule *s, time_t after, double rnd);

#endif
