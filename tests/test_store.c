/*
 * test_store: migrations against the real private PostgreSQL started by
 * scripts/test.sh, through the library and through `residency db migrate`.
 */
#include "store/store.h"
#include "lib/testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(migrate_then_noop)
{
	char *conninfo = tu_createdb();
	struct store *st = NULL;
	struct rerr err;
	int applied = -1, version = -1;

	ck_assert_ptr_nonnull(conninfo);
	rerr_clear(&err);
	ck_assert_int_eq(store_open(conninfo, &st, &err), R_OK);
	ck_assert_int_eq(store_schema_version(st, &version, &err), R_OK);
	ck_assert_int_eq(version, 0);
	ck_assert_int_eq(store_migrate(st, &applied, &err), R_OK);
	ck_assert_int_gt(applied, 0);
	ck_assert_int_eq(applied, store_known_version());
	ck_assert_int_eq(store_schema_version(st, &version, &err), R_OK);
	ck_assert_int_eq(version, store_known_version());
	ck_assert_int_eq(store_migrate(st, &applied, &err), R_OK);
	ck_assert_int_eq(applied, 0);
	store_close(st);
	free(conninfo);
}
END_TEST

START_TEST(refuses_newer_schema)
{
	char *conninfo = tu_createdb();
	struct store *st = NULL;
	struct rerr err;
	int applied;
	char sql[256];

	rerr_clear(&err);
	ck_assert_int_eq(store_open(conninfo, &st, &err), R_OK);
	ck_assert_int_eq(store_migrate(st, &applied, &err), R_OK);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO schema_migrations (version, name) VALUES (%d, 'from_the_future')",
		 store_known_version() + 1);
	ck_assert_int_eq(store_exec(st, sql, &err), R_OK);
	ck_assert_int_eq(store_migrate(st, &applied, &err), R_EDB);
	ck_assert_ptr_nonnull(strstr(err.msg, "newer than this binary knows"));
	store_close(st);
	free(conninfo);
}
END_TEST

START_TEST(bad_connection_is_a_clear_error)
{
	struct store *st = NULL;
	struct rerr err;

	rerr_clear(&err);
	ck_assert_int_eq(
	    store_open("host=/nonexistent-socket-dir dbname=x connect_timeout=2", &st, &err),
	    R_EDB);
	ck_assert_ptr_null(st);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot connect"));
}
END_TEST

START_TEST(cli_db_migrate_twice)
{
	char *conninfo = tu_createdb();
	char cmd[1024], *out = NULL;

	snprintf(cmd, sizeof(cmd), "'%s' db migrate --db '%s'", tu_bin(), conninfo);
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "applied"));
	free(out);
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "nothing to do"));
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' db status --db '%s'", tu_bin(), conninfo);
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "database schema version"));
	free(out);
	/* A database that cannot be reached: exit 3, never 0. */
	snprintf(cmd, sizeof(cmd), "'%s' db migrate --db 'host=/nonexistent dbname=x'", tu_bin());
	ck_assert_int_eq(tu_run(cmd, NULL, NULL), 3);
	free(conninfo);
}
END_TEST

START_TEST(cli_help_and_unknown_command)
{
	char cmd[1024], *out = NULL, *err = NULL;

	snprintf(cmd, sizeof(cmd), "'%s' --help", tu_bin());
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "usage: residency"));
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' --version", tu_bin());
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "residency "));
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' no-such-command", tu_bin());
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "unknown command"));
	free(err);
	snprintf(cmd, sizeof(cmd), "'%s'", tu_bin());
	ck_assert_int_eq(tu_run(cmd, NULL, NULL), 2);
	snprintf(cmd, sizeof(cmd), "'%s' db --no-such-flag", tu_bin());
	ck_assert_int_eq(tu_run(cmd, NULL, NULL), 2);
}
END_TEST

/* Every command listed by --help must answer its own --help with exit 0. */
START_TEST(cli_every_command_has_help)
{
	char cmd[1024], *out = NULL;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "'%s' --help", tu_bin());
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	char *p = strstr(out, "Commands:\n");
	ck_assert_ptr_nonnull(p);
	p += strlen("Commands:\n");
	while (strncmp(p, "  ", 2) == 0) {
		char name[64];
		ck_assert_int_eq(sscanf(p, " %63s", name), 1);
		char *h = NULL;
		snprintf(cmd, sizeof(cmd), "'%s' %s --help", tu_bin(), name);
		ck_assert_msg(tu_run(cmd, &h, NULL) == 0, "%s --help failed", name);
		ck_assert_msg(strstr(h, "usage: residency") != NULL, "%s --help has no usage",
			      name);
		free(h);
		n++;
		p = strchr(p, '\n');
		ck_assert_ptr_nonnull(p);
		p++;
	}
	ck_assert_int_gt(n, 0);
	free(out);
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("migrate");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, migrate_then_noop);
	tcase_add_test(tc, refuses_newer_schema);
	tcase_add_test(tc, bad_connection_is_a_clear_error);
	tcase_add_test(tc, cli_db_migrate_twice);
	tcase_add_test(tc, cli_help_and_unknown_command);
	tcase_add_test(tc, cli_every_command_has_help);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(store_suite());
}
