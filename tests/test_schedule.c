/*
 * test_schedule: durations, interval + jitter, cron expressions (UTC).
 */
#include "core/schedule.h"

#include "lib/testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2026-03-03T10:17:00Z, a Tuesday. */
static const time_t T0 = 1772533020;

static time_t utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return timegm(&tm);
}

START_TEST(durations)
{
	long long s;

	ck_assert(duration_parse("90s", &s));
	ck_assert_int_eq(s, 90);
	ck_assert(duration_parse("1h30m", &s));
	ck_assert_int_eq(s, 5400);
	ck_assert(duration_parse("7d", &s));
	ck_assert_int_eq(s, 604800);
	ck_assert(!duration_parse("", &s));
	ck_assert(!duration_parse("10", &s));
	ck_assert(!duration_parse("h", &s));
	ck_assert(!duration_parse("-5m", &s));
	ck_assert(!duration_parse("0s", &s));
	ck_assert(!duration_parse("5x", &s));
	ck_assert(!duration_parse("99999999999999d", &s));
}
END_TEST

START_TEST(interval_with_jitter)
{
	struct schedule s;
	struct rerr err;

	ck_assert_int_eq(utc(2026, 3, 3, 10, 17), T0);
	ck_assert_int_eq(schedule_interval(&s, "6h", "10m", "cfg.json", &err), R_OK);
	ck_assert_int_eq(schedule_next(&s, T0, 0.0), T0 + 6 * 3600);
	ck_assert_int_eq(schedule_next(&s, T0, 0.5), T0 + 6 * 3600 + 300);
	ck_assert_int_lt(schedule_next(&s, T0, 0.999999), T0 + 6 * 3600 + 600);
	ck_assert_int_eq(schedule_interval(&s, "10m", "1h", "cfg.json", &err), R_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "shorter than the interval"));
	ck_assert_int_eq(schedule_interval(&s, "often", NULL, "cfg.json", &err), R_EINPUT);
	ck_assert_str_eq(err.where, "cfg.json");
}
END_TEST

START_TEST(cron_next)
{
	struct schedule s;
	struct rerr err;

	ck_assert_int_eq(schedule_cron(&s, "*/15 * * * *", "c", &err), R_OK);
	ck_assert_int_eq(schedule_next(&s, T0, 0), utc(2026, 3, 3, 10, 30));
	ck_assert_int_eq(schedule_cron(&s, "0 3 * * *", "c", &err), R_OK);
	ck_assert_int_eq(schedule_next(&s, T0, 0), utc(2026, 3, 4, 3, 0));
	/* Mondays at 06:30 (2026-03-09 is a Monday); 7 is Sunday as well. */
	ck_assert_int_eq(schedule_cron(&s, "30 6 * * 1", "c", &err), R_OK);
	ck_assert_int_eq(schedule_next(&s, T0, 0), utc(2026, 3, 9, 6, 30));
	ck_assert_int_eq(schedule_cron(&s, "0 0 * * 7", "c", &err), R_OK);
	ck_assert_int_eq(schedule_next(&s, T0, 0), utc(2026, 3, 8, 0, 0));
	/* Day of month and day of week both restricted: either matches. */
	ck_assert_int_eq(schedule_cron(&s, "0 12 1 * 3", "c", &err), R_OK);
	ck_assert_int_eq(schedule_next(&s, T0, 0), utc(2026, 3, 4, 12, 0));
	/* Strictly after: at the exact minute, the next one. */
	ck_assert_int_eq(schedule_cron(&s, "17 10 * * *", "c", &err), R_OK);
	ck_assert_int_eq(schedule_next(&s, T0, 0), utc(2026, 3, 4, 10, 17));
	/* Leap day: the next 29 February is in 2028. */
	ck_assert_int_eq(schedule_cron(&s, "0 0 29 2 *", "c", &err), R_OK);
	ck_assert_int_eq(schedule_next(&s, T0, 0), utc(2028, 2, 29, 0, 0));
	/* Never fires. */
	ck_assert_int_eq(schedule_cron(&s, "0 0 31 2 *", "c", &err), R_OK);
	ck_assert_int_eq(schedule_next(&s, T0, 0), (time_t)-1);
	/* Lists and ranges with steps. */
	ck_assert_int_eq(schedule_cron(&s, "5,35 8-18/5 * 1-6 1-5", "c", &err), R_OK);
	ck_assert_int_eq(schedule_next(&s, T0, 0), utc(2026, 3, 3, 13, 5));
}
END_TEST

START_TEST(cron_errors_name_the_field)
{
	struct schedule s;
	struct rerr err;

	ck_assert_int_eq(schedule_cron(&s, "* * *", "serve.json", &err), R_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "needs 5"));
	ck_assert_int_eq(schedule_cron(&s, "60 * * * *", "serve.json", &err), R_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "minute"));
	ck_assert_int_eq(schedule_cron(&s, "* 24 * * *", "serve.json", &err), R_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "hour"));
	ck_assert_int_eq(schedule_cron(&s, "* * 0 * *", "serve.json", &err), R_EINPUT);
	ck_assert_int_eq(schedule_cron(&s, "* * * 13 *", "serve.json", &err), R_EINPUT);
	ck_assert_int_eq(schedule_cron(&s, "* * * * 8", "serve.json", &err), R_EINPUT);
	ck_assert_int_eq(schedule_cron(&s, "*/0 * * * *", "serve.json", &err), R_EINPUT);
	ck_assert_int_eq(schedule_cron(&s, "5-1 * * * *", "serve.json", &err), R_EINPUT);
	ck_assert_int_eq(schedule_cron(&s, "a * * * *", "serve.json", &err), R_EINPUT);
	ck_assert_int_eq(schedule_cron(&s, "* * * * * *", "serve.json", &err), R_EINPUT);
	ck_assert_int_eq(schedule_cron(&s, "1,,2 * * * *", "serve.json", &err), R_EINPUT);
	ck_assert_str_eq(err.where, "serve.json");
}
END_TEST

int main(void)
{
	Suite *su = suite_create("schedule");
	TCase *tc = tcase_create("schedule");

	tcase_add_test(tc, durations);
	tcase_add_test(tc, interval_with_jitter);
	tcase_add_test(tc, cron_next);
	tcase_add_test(tc, cron_errors_name_the_field);
	suite_add_tcase(su, tc);
	return tu_run_suite(su);
}
