/*
 * schedule: interval + jitter and five-field cron expressions, in UTC.
 */
#include "core/schedule.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool duration_parse(const char *s, long long *seconds)
{
	long long total = 0;
	bool any = false;

	if (s == NULL || *s == '\0')
		return false;
	while (*s) {
		char *end;
		if (!isdigit((unsigned char)*s))
			return false;
		errno = 0;
		long long n = strtoll(s, &end, 10);
		if (errno != 0 || n < 0)
			return false;
		long long unit;
		switch (*end) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		case 'w':
			unit = 7 * 86400;
			break;
		default:
			return false;
		}
		if (n > (365LL * 86400 * 100) / unit)
			return false; /* over a century: certainly a typo */
		total += n * unit;
		any = true;
		s = end + 1;
	}
	if (!any || total <= 0)
		return false;
	*seconds = total;
	return true;
}

enum rstatus schedule_interval(struct schedule *s, const char *every, const char *jitter,
			       const char *where, struct rerr *err)
{
	memset(s, 0, sizeof(*s));
	if (!duration_parse(every, &s->interval))
		return rerr_set(err, R_EINPUT, where, 0,
				"interval \"%s\" is not a duration such as 90s, 15m, 6h, 1d",
				every ? every : "");
	if (jitter && *jitter && strcmp(jitter, "0") != 0) {
		if (!duration_parse(jitter, &s->jitter))
			return rerr_set(err, R_EINPUT, where, 0,
					"jitter \"%s\" is not a duration such as 30s or 10m",
					jitter);
		if (s->jitter >= s->interval)
			return rerr_set(err, R_EINPUT, where, 0,
					"jitter %s must be shorter than the interval %s", jitter,
					every);
	}
	return R_OK;
}

/* Parses one cron field into a bit set over [lo, hi]. */
static bool cron_field(const char *f, size_t flen, int lo, int hi, uint64_t *bits, bool *star)
{
	char buf[128];

	if (flen == 0 || flen >= sizeof(buf))
		return false;
	memcpy(buf, f, flen);
	buf[flen] = '\0';
	*bits = 0;
	*star = strcmp(buf, "*") == 0;

	char *item = buf;
	while (item) {
		char *next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		int a, b, step = 1;
		char *slash = strchr(item, '/'), *end;
		if (slash) {
			*slash = '\0';
			if (!isdigit((unsigned char)slash[1]))
				return false;
			long v = strtol(slash + 1, &end, 10);
			if (*end || v < 1 || v > hi)
				return false;
			step = (int)v;
		}
		if (strcmp(item, "*") == 0) {
			a = lo;
			b = hi;
		} else {
			if (!isdigit((unsigned char)*item))
				return false;
			long v = strtol(item, &end, 10);
			a = (int)v;
			if (*end == '-') {
				if (!isdigit((unsigned char)end[1]))
					return false;
				long w = strtol(end + 1, &end, 10);
				b = (int)w;
			} else {
				b = slash ? hi : a;
			}
			if (*end || v < lo || a > hi || b < a || b > hi)
				return false;
		}
		for (int v = a; v <= b; v += step)
			*bits |= 1ULL << v;
		item = next;
	}
	return *bits != 0;
}

enum rstatus schedule_cron(struct schedule *s, const char *expr, const char *where,
			   struct rerr *err)
{
	static const char *names[] = {"minute", "hour", "day of month", "month", "day of week"};
	static const int lo[] = {0, 0, 1, 1, 0}, hi[] = {59, 23, 31, 12, 7};
	uint64_t bits[5];
	bool star[5];
	const char *p = expr ? expr : "";
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < 5; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			return rerr_set(err, R_EINPUT, where, 0,
					"cron expression \"%s\" has %d fields; it needs 5 (minute "
					"hour day-of-month month day-of-week)",
					expr ? expr : "", i);
		const char *start = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (!cron_field(start, (size_t)(p - start), lo[i], hi[i], &bits[i], &star[i]))
			return rerr_set(err, R_EINPUT, where, 0,
					"cron expression \"%s\": bad %s field \"%.*s\" (allowed "
					"%d-%d, *, lists, ranges, /steps)",
					expr, names[i], (int)(p - start), start, lo[i], hi[i]);
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p)
		return rerr_set(err, R_EINPUT, where, 0,
				"cron expression \"%s\" has more than 5 fields", expr);
	s->is_cron = true;
	s->minute = bits[0];
	s->hour = (uint32_t)bits[1];
	s->dom = (uint32_t)bits[2];
	s->month = (uint16_t)bits[3];
	s->dow = (uint8_t)((bits[4] & 0x7f) | ((bits[4] >> 7) & 1)); /* 7 is Sunday too */
	s->dom_star = star[2];
	s->dow_star = star[4];
	return R_OK;
}

static bool day_matches(const struct schedule *s, const struct tm *tm)
{
	bool dom = (s->dom >> tm->tm_mday) & 1, dow = (s->dow >> tm->tm_wday) & 1;

	/* Vixie cron: when both are restricted, either may match. */
	if (!s->dom_star && !s->dow_star)
		return dom || dow;
	return dom && dow;
}

time_t schedule_next(const struct schedule *s, time_t after, double rnd)
{
	if (!s->is_cron) {
		long long j = s->jitter > 0 ? (long long)(rnd * (double)s->jitter) : 0;
		return after + (time_t)(s->interval + j);
	}
	/* Walk forward, skipping whole days and hours that cannot match; bounded
	 * by five years, enough for any expression that fires at all (Feb 29). */
	time_t t = after - after % 60 + 60;
	time_t limit = after + 5 * 366 * 86400LL;
	while (t <= limit) {
		struct tm tm;
		gmtime_r(&t, &tm);
		if (!((s->month >> (tm.tm_mon + 1)) & 1) || !day_matches(s, &tm)) {
			t += 86400 - (tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
			continue;
		}
		if (!((s->hour >> tm.tm_hour) & 1)) {
			t += 3600 - (tm.tm_min * 60 + tm.tm_sec);
			continue;
		}
		if (!((s->minute >> tm.tm_min) & 1)) {
			t += 60 - tm.tm_sec;
			continue;
		}
		return t;
	}
	return (time_t)-1;
}
