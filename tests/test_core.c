/*
 * test_core: addresses, prefixes, bounded buffers, error records.
 */
#include "core/addr.h"
#include "core/buf.h"
#include "core/rerr.h"
#include "lib/testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(addr_v4_v6_mapped)
{
	struct addr a;
	char s[ADDR_STRLEN];

	ck_assert(addr_parse("52.95.110.1", &a));
	ck_assert_int_eq(a.family, 4);
	ck_assert_str_eq(addr_format(&a, s, sizeof(s)), "52.95.110.1");
	ck_assert(addr_parse("2600:1f00::1", &a));
	ck_assert_int_eq(a.family, 6);
	ck_assert_str_eq(addr_format(&a, s, sizeof(s)), "2600:1f00::1");
	ck_assert(addr_parse("::ffff:52.95.110.1", &a));
	ck_assert_int_eq(a.family, 4);
	ck_assert(a.mapped);
	ck_assert_str_eq(addr_format(&a, s, sizeof(s)), "52.95.110.1");
	ck_assert(!addr_parse("52.95.110", &a));
	ck_assert(!addr_parse("", &a));
	ck_assert(!addr_parse("1.2.3.4 ", &a));
}
END_TEST

START_TEST(prefix_parse_and_contains)
{
	struct prefix p;
	struct addr a;
	bool host;
	char s[64];

	ck_assert(prefix_parse("10.1.2.3/8", &p, &host));
	ck_assert(host);
	ck_assert_str_eq(prefix_format(&p, s, sizeof(s)), "10.0.0.0/8");
	ck_assert(addr_parse("10.255.0.1", &a));
	ck_assert(prefix_contains(&p, &a));
	ck_assert(addr_parse("11.0.0.1", &a));
	ck_assert(!prefix_contains(&p, &a));
	ck_assert(prefix_parse("2600:1f00::/40", &p, &host));
	ck_assert(!host);
	ck_assert_int_eq(p.len, 40);
	ck_assert(prefix_parse("::ffff:10.0.0.0/104", &p, NULL));
	ck_assert_int_eq(p.addr.family, 4);
	ck_assert_int_eq(p.len, 8);
	ck_assert(prefix_parse("0.0.0.0/0", &p, NULL));
	ck_assert_int_eq(p.len, 0);
	ck_assert(!prefix_parse("10.0.0.0/33", &p, NULL));
	ck_assert(!prefix_parse("10.0.0.0/", &p, NULL));
	ck_assert(!prefix_parse("10.0.0.0/-1", &p, NULL));
	ck_assert(!prefix_parse("10.0.0.0/8x", &p, NULL));
	ck_assert(!prefix_parse("::/129", &p, NULL));
	ck_assert(!prefix_parse("/8", &p, NULL));
}
END_TEST

START_TEST(buf_limit_is_an_error)
{
	struct buf b;

	buf_init(&b, 8);
	ck_assert_int_eq(buf_addstr(&b, "1234"), R_OK);
	ck_assert_int_eq(buf_printf(&b, "%d", 5678), R_OK);
	ck_assert_str_eq(b.data, "12345678");
	ck_assert_int_eq(buf_addstr(&b, "9"), R_ELIMIT);
	ck_assert_uint_eq(b.len, 8);
	buf_free(&b);
}
END_TEST

/* curl's dynbuf: the first error stays, every later append fails with it and
 * adds nothing, and the caller asks once at the end. */
START_TEST(buf_errors_are_sticky)
{
	struct buf b;

	buf_init(&b, 8);
	ck_assert_int_eq(buf_error(&b), R_OK);
	ck_assert_int_eq(buf_addstr(&b, "12345"), R_OK);
	ck_assert_int_eq(buf_addstr(&b, "6789"), R_ELIMIT); /* past the cap */
	ck_assert_str_eq(b.data, "12345");		    /* nothing of it added */
	/* Later appends that would fit fail too: no record with a hole in it. */
	ck_assert_int_eq(buf_addstr(&b, "6"), R_ELIMIT);
	ck_assert_int_eq(buf_add(&b, "7", 1), R_ELIMIT);
	ck_assert_int_eq(buf_printf(&b, "%d", 8), R_ELIMIT);
	ck_assert_int_eq(buf_add(&b, "", 0), R_ELIMIT);
	ck_assert_str_eq(b.data, "12345");
	ck_assert_uint_eq(b.len, 5);
	/* Seen once, at the end, and the partial data is not handed out. */
	ck_assert_int_eq(buf_error(&b), R_ELIMIT);
	ck_assert_ptr_null(buf_steal(&b, NULL));
	ck_assert_str_eq(b.data, "12345");
	/* Reset clears the error: the buf takes appends again. */
	buf_reset(&b);
	ck_assert_int_eq(buf_error(&b), R_OK);
	ck_assert_int_eq(buf_printf(&b, "%s", "abcdefgh"), R_OK);
	ck_assert_str_eq(b.data, "abcdefgh");
	ck_assert_int_eq(buf_printf(&b, "%d", 9), R_ELIMIT); /* printf past the cap */
	ck_assert_int_eq(buf_addstr(&b, ""), R_ELIMIT);
	ck_assert_int_eq(buf_error(&b), R_ELIMIT);
	buf_free(&b);
	/* buf_free leaves a clean buf too. */
	ck_assert_int_eq(buf_error(&b), R_OK);
	buf_init(&b, 4);
	ck_assert_int_eq(buf_addstr(&b, "abcd"), R_OK);
	char *p = buf_steal(&b, NULL);
	ck_assert_str_eq(p, "abcd");
	free(p);
	buf_free(&b);
}
END_TEST

START_TEST(buf_read_file_names_the_file)
{
	struct buf b;
	struct rerr err;
	char *dir = tu_tmpdir(), path[4200], msg[2048];

	ck_assert_ptr_nonnull(dir);
	snprintf(path, sizeof(path), "%s/big", dir);
	ck_assert_int_eq(tu_write(path, "0123456789", 10), 0);
	buf_init(&b, 5);
	rerr_clear(&err);
	ck_assert_int_eq(buf_read_file(&b, path, &err), R_ELIMIT);
	ck_assert_ptr_nonnull(strstr(rerr_format(&err, msg, sizeof(msg)), path));
	buf_free(&b);
	buf_init(&b, 100);
	ck_assert_int_eq(buf_read_file(&b, path, &err), R_OK);
	ck_assert_str_eq(b.data, "0123456789");
	buf_free(&b);
	snprintf(path, sizeof(path), "%s/missing", dir);
	buf_init(&b, 100);
	ck_assert_int_eq(buf_read_file(&b, path, &err), R_EIO);
	buf_free(&b);
	free(dir);
}
END_TEST

START_TEST(rerr_format_and_exit_codes)
{
	struct rerr err;
	char msg[2048];

	rerr_clear(&err);
	ck_assert_int_eq(
	    rerr_set(&err, R_EINPUT, "policies/eu.json", 14, "unknown country code \"%s\"", "UK"),
	    R_EINPUT);
	ck_assert_str_eq(rerr_format(&err, msg, sizeof(msg)),
			 "policies/eu.json:14: unknown country code \"UK\"");
	ck_assert_int_eq(rstatus_exit(R_OK), 0);
	ck_assert_int_eq(rstatus_exit(R_EINPUT), 2);
	ck_assert_int_eq(rstatus_exit(R_EUSAGE), 2);
	ck_assert_int_eq(rstatus_exit(R_EDB), 3);
	ck_assert_int_eq(rstatus_exit(R_EDNS), 3);
	ck_assert_int_eq(rstatus_exit(R_ESTALE), 4);
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, addr_v4_v6_mapped);
	tcase_add_test(tc, prefix_parse_and_contains);
	tcase_add_test(tc, buf_limit_is_an_error);
	tcase_add_test(tc, buf_errors_are_sticky);
	tcase_add_test(tc, buf_read_file_names_the_file);
	tcase_add_test(tc, rerr_format_and_exit_codes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(core_suite());
}
