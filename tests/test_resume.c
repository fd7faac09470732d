/*
 * test_resume: a scan stopped by SIGTERM is recorded interrupted and
 * `scan --resume ID` completes it under its own id; PostgreSQL stopped in the
 * middle of a scan and started again: the scan waits, stores, and ends with the
 * same counts as an undisturbed scan. The scan is made slow, deterministically:
 * its first resolver never answers, so every question waits for its timeout
 * before the second (a real NSD) answers it.
 */
#include "lib/nsd.h"
#include "lib/testutil.h"

#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *DB, cfg[4096];

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void setup(void)
{
	char cmd[8192], path[4096];
	static char text[16384];
	char *dir = tu_tmpdir();

	DB = tu_createdb();
	ck_assert_ptr_nonnull(DB);
	snprintf(cmd, sizeof(cmd), "'%s' db migrate --db '%s'", tu_bin(), DB);
	ck_assert_int_eq(tu_run(cmd, NULL, NULL), 0);
	char z1[4200], z2[4200];
	snprintf(z1, sizeof(z1), "example.test=%s",
		 tu_path("tests/fixtures/zones/example.test.zone"));
	snprintf(z2, sizeof(z2), "other.test=%s", tu_path("tests/fixtures/zones/other.test.zone"));
	const char *zones[2] = {z1, z2};
	int port = nsd_start(zones, 2);
	ck_assert_int_gt(port, 0);
	int hole = nsd_black_hole();
	ck_assert_int_gt(hole, 0);
	/* A name the server answers, one in a zone it does not serve (refused). */
	snprintf(path, sizeof(path), "%s/estate.json", dir);
	const char *estate =
	    "{\"services\": [{\"name\": \"app\", \"owner\": \"t\", \"policy\": \"personal-data\", "
	    "\"endpoints\": [\"app.example.test\", \"www.elsewhere.test\"]}]}";
	ck_assert_int_eq(tu_write(path, estate, strlen(estate)), 0);
	char top[4096];
	snprintf(top, sizeof(top), "%s", tu_path(""));
	snprintf(text, sizeof(text),
		 "{\"estate\": \"estate.json\", \"policies\": \"%s/examples/policies\", "
		 "\"resolvers\": [\"127.0.0.1:%d\", \"127.0.0.1:%d\"], \"database\": \"%s\"}",
		 top, hole, port, DB);
	snprintf(cfg, sizeof(cfg), "%s/slow.json", dir);
	ck_assert_int_eq(tu_write(cfg, text, strlen(text)), 0);
	free(dir);
}

static void teardown(void)
{
	char cmd[8192];
	const char *runroot = getenv("RESIDENCY_RUN");

	nsd_stop();
	free(DB);
	/* Whatever happened above, the tests after this one get their PostgreSQL back. */
	if (runroot) {
		snprintf(cmd, sizeof(cmd), "cd '%s' && scripts/pg.sh start '%s/pg' >/dev/null 2>&1",
			 tu_path(""), runroot);
		(void)tu_run(cmd, NULL, NULL);
	}
}

/* The scan in the background; returns its pid. stdout and stderr go to files. */
static pid_t start_scan(const char *extra, const char *out)
{
	char cmd[16384];
	snprintf(cmd, sizeof(cmd), "exec '%s' scan -c '%s' %s >'%s.out' 2>'%s.err'", tu_bin(), cfg,
		 extra, out, out);
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);
	return pid;
}

static int finish(pid_t pid)
{
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char *sql_text(const char *q)
{
	char *out = tu_sql(DB, q);
	ck_assert_ptr_nonnull(out);
	return out;
}

/* A scan's counts as stored, without its id. */
static char *counts(long long id)
{
	char q[512];
	snprintf(q, sizeof(q),
		 "SELECT status || ' ' || counts::text || ' ' || (SELECT count(*) FROM "
		 "scan_answers WHERE scan_id = %lld) FROM scans WHERE id = %lld",
		 id, id);
	return sql_text(q);
}

START_TEST(sigterm_marks_interrupted_and_resume_completes_it)
{
	char *dir = tu_tmpdir(), base[4096], file[4200];
	snprintf(base, sizeof(base), "%s/run", dir);

	pid_t pid = start_scan("", base);
	sleep_ms(1500); /* resolving: the silent resolver holds it for seconds */
	kill(pid, SIGTERM);
	ck_assert_int_eq(finish(pid), 3);
	snprintf(file, sizeof(file), "%s.err", base);
	char *err = tu_slurp(file, NULL);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, "scan 1 interrupted by SIGTERM") != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(err, "--resume 1"));
	free(err);
	char *c = counts(1);
	ck_assert_str_eq(c, "interrupted {} 0");
	free(c);

	/* Resumed under its own id: complete, with what an undisturbed scan stores. */
	pid = start_scan("--resume 1", base);
	ck_assert_int_eq(finish(pid), 1); /* the refused name: a finding */
	pid = start_scan("", base);
	ck_assert_int_eq(finish(pid), 1);
	char *resumed = counts(1), *fresh = counts(2);
	ck_assert_msg(strncmp(resumed, "complete ", 9) == 0, "%s", resumed);
	ck_assert_str_eq(resumed, fresh);
	free(resumed);
	free(fresh);
	char *link = sql_text("SELECT string_agg(scan_id::text, ',' ORDER BY seq) FROM scan_links");
	ck_assert_str_eq(link, "1,2");
	free(link);

	/* A complete scan is never resumed. */
	pid = start_scan("--resume 2", base);
	ck_assert_int_eq(finish(pid), 2);
	snprintf(file, sizeof(file), "%s.err", base);
	err = tu_slurp(file, NULL);
	ck_assert_ptr_nonnull(strstr(err, "scan 2 cannot be resumed"));
	free(err);
	free(dir);
}
END_TEST

START_TEST(postgresql_stopped_midway_and_started_again)
{
	char *dir = tu_tmpdir(), base[4096], pg[4096], cmd[16384];
	const char *runroot = getenv("RESIDENCY_RUN");
	ck_assert_ptr_nonnull(runroot);
	snprintf(base, sizeof(base), "%s/run", dir);
	snprintf(pg, sizeof(pg), "%s/pg", runroot);

	pid_t pid = start_scan("", base); /* undisturbed */
	ck_assert_int_eq(finish(pid), 1);
	pid = start_scan("", base);
	sleep_ms(1000);
	snprintf(cmd, sizeof(cmd), "cd '%s' && scripts/pg.sh stop '%s' >/dev/null", tu_path(""),
		 pg);
	ck_assert_int_eq(tu_run(cmd, NULL, NULL), 0);
	/* Down until the scan has finished resolving and found it gone. */
	char file[4200];
	snprintf(file, sizeof(file), "%s.err", base);
	bool seen = false;
	for (int i = 0; i < 600 && !seen; i++) {
		char *e = tu_slurp(file, NULL);
		seen = e && strstr(e, "PostgreSQL is unreachable");
		free(e);
		if (!seen)
			sleep_ms(100);
	}
	ck_assert_msg(seen, "the scan never found PostgreSQL gone");
	snprintf(cmd, sizeof(cmd), "cd '%s' && scripts/pg.sh start '%s' >/dev/null", tu_path(""),
		 pg);
	ck_assert_int_eq(tu_run(cmd, NULL, NULL), 0);
	ck_assert_int_eq(finish(pid), 1);
	char *a = counts(1), *b = counts(2);
	ck_assert_msg(strncmp(b, "complete ", 9) == 0, "%s", b);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	/* No scan left running or half-stored. */
	char *left = sql_text("SELECT count(*) FROM scans WHERE status <> 'complete'");
	ck_assert_str_eq(left, "0");
	free(left);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("resume");
	TCase *tc = tcase_create("scan");

	tcase_set_timeout(tc, 180);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, sigterm_marks_interrupted_and_resume_completes_it);
	tcase_add_test(tc, postgresql_stopped_midway_and_started_again);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
