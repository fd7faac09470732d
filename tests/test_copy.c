/*
 * test_copy: store/copy.c, the COPY writer every bulk write goes through,
 * against the private PostgreSQL that scripts/test.sh starts: values come back
 * exactly as given (tab, newline, carriage return, backslash, "\N" and the
 * empty string are text; NULL is NULL), the first error sticks and names what
 * failed, and a row over its cap, COPY_ROW_MAX itself included, fails the
 * whole COPY: none of its rows are stored, even those already sent.
 */
#include "store/copy.h"
#include "store/store.h"
#include "lib/testutil.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A fresh database with table t (a bigint, b text, c boolean), open in *st. */
static char *fresh(struct store **st)
{
	char *conninfo = tu_createdb();
	struct rerr err;

	ck_assert_ptr_nonnull(conninfo);
	rerr_clear(&err);
	ck_assert_int_eq(store_open(conninfo, st, &err), R_OK);
	ck_assert_int_eq(store_exec(*st, "CREATE TABLE t (a bigint, b text, c boolean)", &err),
			 R_OK);
	return conninfo;
}

/* The one-line answer of sql in db, compared with want. */
static void sql_is(const char *db, const char *sql, const char *want)
{
	char *got = tu_sql(db, sql);

	ck_assert_msg(got != NULL, "no answer to %s", sql);
	ck_assert_msg(strcmp(got, want) == 0, "%s: got \"%s\", want \"%s\"", sql, got, want);
	free(got);
}

START_TEST(values_come_back_exactly)
{
	struct store *st = NULL;
	char *db = fresh(&st);
	struct rerr err;
	struct copy c;
	size_t rows = 0;
	static const char *const text[] = {
	    "tab\there",
	    "line\nbreak",
	    "carriage\rreturn",
	    "back\\slash",
	    "\\N", /* the text \N, not NULL */
	    "\\n", /* a backslash then n, not a newline */
	    "",	   /* empty, not NULL */
	    "\t\n\\\r",
	    "caf\xc3\xa9 \xe2\x9c\x93",
	};
	size_t n = sizeof(text) / sizeof(text[0]);
	char sql[512];

	rerr_clear(&err);
	ck_assert_int_eq(copy_begin(&c, st, "COPY t (a, b, c) FROM STDIN", 3, &err), R_OK);
	for (size_t i = 0; i < n; i++) {
		copy_int(&c, (long long)i);
		copy_str(&c, text[i]);
		copy_bool(&c, i % 2 == 0);
	}
	copy_int(&c, LLONG_MIN); /* a row of NULLs but its key */
	copy_str(&c, NULL);
	copy_str(&c, NULL);
	copy_int(&c, LLONG_MAX);
	copy_str(&c, "last");
	copy_bool(&c, false);
	ck_assert_int_eq(copy_status(&c), R_OK);
	ck_assert_int_eq(copy_end(&c, &rows), R_OK);
	ck_assert_uint_eq(rows, n + 2);

	for (size_t i = 0; i < n; i++) {
		/* Compared as bytes in hex: no quoting between here and psql. */
		char hex[128] = "";
		for (const char *p = text[i]; *p; p++)
			snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex), "%02x",
				 (unsigned char)*p);
		snprintf(sql, sizeof(sql),
			 "SELECT (b = convert_from(decode('%s', 'hex'), 'UTF8') AND b IS NOT NULL "
			 "AND c = %s)::text FROM t WHERE a = %zu",
			 hex, i % 2 == 0 ? "true" : "false", i);
		sql_is(db, sql, "true");
	}
	snprintf(sql, sizeof(sql), "SELECT (b IS NULL AND c IS NULL)::text FROM t WHERE a = %lld",
		 LLONG_MIN);
	sql_is(db, sql, "true");
	snprintf(sql, sizeof(sql), "SELECT b || c::text FROM t WHERE a = %lld", LLONG_MAX);
	sql_is(db, sql, "lastfalse");
	sql_is(db, "SELECT count(*) FROM t WHERE b IS NULL", "1");
	store_close(st);
	free(db);
}
END_TEST

START_TEST(the_first_error_sticks)
{
	struct store *st = NULL;
	char *db = fresh(&st);
	struct rerr err;
	struct copy c;
	char big[100];

	/* A row over the cap: later fields and rows, and copy_abort's own
	 * reason, leave the first error as it was. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rerr_clear(&err);
	ck_assert_int_eq(copy_begin(&c, st, "COPY t (a, b, c) FROM STDIN", 3, &err), R_OK);
	c.row_max = 32;
	copy_int(&c, 1);
	copy_str(&c, big);
	ck_assert_int_eq(copy_status(&c), R_ELIMIT);
	char first[sizeof(err.msg)];
	snprintf(first, sizeof(first), "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(first, "row 1 is larger than the 32 bytes"));
	ck_assert_str_eq(err.where, "t");
	copy_bool(&c, true);
	copy_int(&c, 2);
	copy_str(&c, "fine");
	copy_str(&c, NULL);
	ck_assert_int_eq(copy_status(&c), R_ELIMIT);
	ck_assert_int_eq(copy_abort(&c, R_EINPUT), R_ELIMIT);
	ck_assert_str_eq(err.msg, first);
	sql_is(db, "SELECT count(*) FROM t", "0");

	/* A COPY that cannot begin (no such table) refuses every row and ends
	 * with that error; the connection works afterwards. */
	rerr_clear(&err);
	ck_assert_int_eq(copy_begin(&c, st, "COPY nosuch (a) FROM STDIN", 1, &err), R_EDB);
	ck_assert_ptr_nonnull(strstr(err.msg, "nosuch"));
	snprintf(first, sizeof(first), "%s", err.msg);
	copy_int(&c, 3);
	copy_int(&c, 4);
	ck_assert_int_eq(copy_end(&c, NULL), R_EDB);
	ck_assert_str_eq(err.msg, first);
	rerr_clear(&err);
	ck_assert_int_eq(store_exec(st, "INSERT INTO t VALUES (5, 'after', true)", &err), R_OK);

	/* A value PostgreSQL refuses fails the COPY at its end, as R_EDB, and
	 * stores none of its rows. */
	ck_assert_int_eq(copy_begin(&c, st, "COPY t (a, b, c) FROM STDIN", 3, &err), R_OK);
	copy_int(&c, 6);
	copy_str(&c, "good");
	copy_bool(&c, true);
	copy_str(&c, "not a number");
	copy_str(&c, "bad");
	copy_bool(&c, false);
	ck_assert_int_eq(copy_status(&c), R_OK);
	ck_assert_int_eq(copy_end(&c, NULL), R_EDB);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a number"));
	sql_is(db, "SELECT string_agg(a::text, ',' ORDER BY a) FROM t", "5");

	/* copy_abort with no error of its own ends with the caller's. */
	ck_assert_int_eq(copy_begin(&c, st, "COPY t (a, b, c) FROM STDIN", 3, &err), R_OK);
	copy_int(&c, 7);
	copy_str(&c, "x");
	copy_bool(&c, true);
	ck_assert_int_eq(copy_abort(&c, R_ENOMEM), R_ENOMEM);
	sql_is(db, "SELECT count(*) FROM t", "1");
	store_close(st);
	free(db);
}
END_TEST

/*
 * The cap is on the row as sent, escapes included; a row exactly at it is
 * stored; one over it fails the COPY, and rows of it already sent to the
 * server (a chunk goes every 512 KiB) are not stored either.
 */
START_TEST(a_row_over_the_cap_fails_the_whole_copy)
{
	struct store *st = NULL;
	char *db = fresh(&st);
	struct rerr err;
	struct copy c;
	char fits[64], tabs[40];
	size_t rows = 0;

	/* "1\t" + 59 bytes + "\tt\n" = 64 bytes. */
	memset(fits, 'y', 59);
	fits[59] = '\0';
	rerr_clear(&err);
	ck_assert_int_eq(copy_begin(&c, st, "COPY t (a, b, c) FROM STDIN", 3, &err), R_OK);
	c.row_max = 64;
	copy_int(&c, 1);
	copy_str(&c, fits);
	copy_bool(&c, true);
	ck_assert_int_eq(copy_end(&c, &rows), R_OK);
	ck_assert_uint_eq(rows, 1);

	/* 30 tabs are 30 bytes of text but 60 escaped: "2\t" + 60 + "\tt\n" = 65. */
	memset(tabs, '\t', 30);
	tabs[30] = '\0';
	ck_assert_int_eq(copy_begin(&c, st, "COPY t (a, b, c) FROM STDIN", 3, &err), R_OK);
	c.row_max = 64;
	copy_int(&c, 2);
	copy_str(&c, tabs);
	copy_bool(&c, true);
	ck_assert_int_eq(copy_end(&c, NULL), R_ELIMIT);
	ck_assert_ptr_nonnull(strstr(err.msg, "row 1 is larger than the 64 bytes"));

	/* 20,000 good rows of 67 bytes (over 1 MiB: chunks are sent), then one
	 * of 100 bytes over a cap of 80. */
	char big[101];
	memset(big, 'x', 100);
	big[100] = '\0';
	ck_assert_int_eq(copy_begin(&c, st, "COPY t (a, b, c) FROM STDIN", 3, &err), R_OK);
	c.row_max = 80;
	for (int i = 0; i < 20000; i++) {
		copy_int(&c, 1000 + i);
		copy_str(&c, fits);
		copy_bool(&c, false);
	}
	ck_assert_int_eq(copy_status(&c), R_OK);
	copy_int(&c, 99);
	copy_str(&c, big);
	ck_assert_int_eq(copy_status(&c), R_ELIMIT);
	copy_bool(&c, false);
	ck_assert_int_eq(copy_end(&c, &rows), R_ELIMIT);
	ck_assert_ptr_nonnull(strstr(err.msg, "row 20001 is larger than the 80 bytes"));
	sql_is(db, "SELECT string_agg(a::text, ',') FROM t", "1");
	store_close(st);
	free(db);
}
END_TEST

/* COPY_ROW_MAX itself, not a lowered cap: one byte over it is refused. */
START_TEST(copy_row_max_is_enforced)
{
	struct store *st = NULL;
	char *db = fresh(&st);
	struct rerr err;
	struct copy c;
	/* "1\t" + value + "\n" is COPY_ROW_MAX + 1 bytes. */
	size_t len = COPY_ROW_MAX - 2;
	char *v = malloc(len + 1);

	ck_assert_ptr_nonnull(v);
	memset(v, 'z', len);
	v[len] = '\0';
	rerr_clear(&err);
	ck_assert_int_eq(copy_begin(&c, st, "COPY t (a, b) FROM STDIN", 2, &err), R_OK);
	ck_assert_uint_eq(c.row_max, COPY_ROW_MAX);
	copy_int(&c, 1);
	copy_str(&c, v);
	ck_assert_int_eq(copy_end(&c, NULL), R_ELIMIT);
	ck_assert_ptr_nonnull(strstr(err.msg, "row 1 is larger than the 268435456 bytes"));
	sql_is(db, "SELECT count(*) FROM t", "0");
	free(v);
	store_close(st);
	free(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("copy");
	TCase *tc = tcase_create("copy");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, values_come_back_exactly);
	tcase_add_test(tc, the_first_error_sticks);
	tcase_add_test(tc, a_row_over_the_cap_fails_the_whole_copy);
	tcase_add_test(tc, copy_row_max_is_enforced);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
