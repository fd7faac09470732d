/*
 * test_resume: a scan stopped by SIGTERM finishes its job in hand, is recorded
 * interrupted, and `scan --resume ID` completes it under its own id, doing only
 * the jobs left (a second signal rolls the job in hand back); PostgreSQL stopped
 * in the middle of a job and started again: the scan waits, does the job again,
 * and ends with the same counts as an undisturbed scan; two workers split one
 * scan (`scan --join ID`) with no endpoint done twice or missed, and a killed
 * worker's job goes back to the other. The scans are made slow,
 * deterministically: the first resolver never answers, so every question waits
 * for its timeout before the second (a real NSD) answers it.
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

/* A database, NSD and a black hole, and a configuration of this estate. */
static void setup_with(const char *estate)
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
	snprintf(path, sizeof(path), "%s/estate.json", dir);
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

/* A name the server answers, one in a zone it does not serve (refused); three
 * services, so three jobs with --job-endpoints 2. */
static void setup(void)
{
	setup_with(
	    "{\"services\": [{\"name\": \"app\", \"owner\": \"t\", \"policy\": \"personal-data\", "
	    "\"endpoints\": [\"app.example.test\", \"www.elsewhere.test\"]}, {\"name\": \"app2\", "
	    "\"owner\": \"t\", \"policy\": \"personal-data\", \"endpoints\": "
	    "[\"app.example.test\", "
	    "\"www.elsewhere.test\"]}, {\"name\": \"app3\", \"owner\": \"t\", \"policy\": "
	    "\"personal-data\", \"endpoints\": [\"app.example.test\", \"www.elsewhere.test\"]}]}");
}

/* Six services, each one name of its own under the wildcard: six jobs of
 * about two seconds each (the silent resolver's timeout), whoever does them. */
static void setup_workers(void)
{
	char estate[4096];
	size_t n = (size_t)snprintf(estate, sizeof(estate), "{\"services\": [");
	for (int i = 0; i < 6; i++)
		n += (size_t)snprintf(
		    estate + n, sizeof(estate) - n,
		    "%s{\"name\": \"s%d\", \"owner\": \"t\", \"policy\": "
		    "\"personal-data\", \"endpoints\": [\"w%d.wild.example.test\"]}",
		    i ? ", " : "", i, i);
	snprintf(estate + n, sizeof(estate) - n, "]}");
	setup_with(estate);
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
	snprintf(cmd, sizeof(cmd),
		 "exec '%s' scan -c '%s' --job-endpoints 2 %s >'%s.out' 2>'%s.err'", tu_bin(), cfg,
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

/*
 * What a scan observed, without its id or how many times an answer was asked:
 * a resumed scan's second process asks again what its first one had asked
 * (another observation, at another time), so the answers are compared as the
 * set of distinct (name, type, rcode, data).
 */
static char *observed(long long id)
{
	char q[1024];
	snprintf(q, sizeof(q),
		 "SELECT status || ' ' || (counts - 'answers')::text || ' ' || (SELECT count(*) "
		 "FROM (SELECT DISTINCT name, type, rcode, data FROM scan_answers WHERE scan_id "
		 "= %lld) d) || ' ' || (SELECT string_agg(md5(x), '') FROM (SELECT DISTINCT "
		 "name || type || rcode || data AS x FROM scan_answers WHERE scan_id = %lld "
		 "ORDER BY 1) y) FROM scans WHERE id = %lld",
		 id, id, id);
	return sql_text(q);
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

/* Waits (up to 60 s) until the query gives want. */
static void wait_for(const char *q, const char *want)
{
	for (int i = 0; i < 600; i++) {
		char *got = sql_text(q);
		bool same = strcmp(got, want) == 0;
		free(got);
		if (same)
			return;
		sleep_ms(100);
	}
	ck_abort_msg("waited in vain for %s to give %s", q, want);
}

/* Until a worker holds a job (its claim: a row lock on scan_jobs). */
static void wait_for_claims(const char *n)
{
	wait_for("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE "
		 "c.relname = 'scan_jobs' AND l.mode = 'RowShareLock' AND l.granted",
		 n);
}

START_TEST(sigterm_marks_interrupted_and_resume_completes_it)
{
	char *dir = tu_tmpdir(), base[4096], file[4200];
	snprintf(base, sizeof(base), "%s/run", dir);
	snprintf(file, sizeof(file), "%s.err", base);

	/* The first job is in hand (the silent resolver holds it for seconds):
	 * it is finished and stored, the other two are left. */
	setenv("RESIDENCY_STOP_GRACE", "120", 1); /* however slow the job in hand */
	pid_t pid = start_scan("", base);
	unsetenv("RESIDENCY_STOP_GRACE");
	wait_for_claims("1");
	sleep_ms(300);
	kill(pid, SIGTERM);
	ck_assert_int_eq(finish(pid), 3);
	char *err = tu_slurp(file, NULL);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, "scan 1 interrupted by SIGTERM; 1 job stored by this worker is "
				  "kept") != NULL,
		      "%s", err);
	ck_assert_ptr_nonnull(strstr(err, "--resume 1"));
	free(err);
	char *c = sql_text("SELECT status || ' ' || counts::text || ' ' || (SELECT count(*) FROM "
			   "scan_jobs WHERE scan_id = 1 AND done_at IS NOT NULL) || ' ' || "
			   "(SELECT string_agg(service, ',') FROM scan_services WHERE scan_id = 1) "
			   "FROM scans WHERE id = 1");
	ck_assert_str_eq(c, "interrupted {} 1 app");
	free(c);

	/* Resumed under its own id: only the two jobs left are done, and the
	 * scan holds what an undisturbed scan holds. */
	pid = start_scan("--resume 1", base);
	ck_assert_int_eq(finish(pid), 1); /* the refused name: a finding */
	char *out;
	snprintf(file, sizeof(file), "%s.out", base);
	out = tu_slurp(file, NULL);
	ck_assert_msg(out && strstr(out, "; 2 jobs by this worker"), "%s", out ? out : "");
	free(out);
	pid = start_scan("", base);
	ck_assert_int_eq(finish(pid), 1);
	char *resumed = observed(1), *fresh = observed(2);
	ck_assert_msg(strncmp(resumed, "complete ", 9) == 0, "%s", resumed);
	ck_assert_str_eq(resumed, fresh);
	free(resumed);
	free(fresh);
	c = sql_text("SELECT count(*) || ' ' || count(DISTINCT (service, endpoint, idx)) FROM "
		     "scan_path_elements WHERE scan_id = 1");
	char *d = sql_text("SELECT count(*) || ' ' || count(DISTINCT (service, endpoint, idx)) "
			   "FROM scan_path_elements WHERE scan_id = 2");
	ck_assert_str_eq(c, d); /* nothing twice, nothing missing */
	free(c);
	free(d);
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

	/* A second signal does not wait for the job in hand: it is rolled back. */
	pid = start_scan("", base);
	wait_for_claims("1");
	kill(pid, SIGTERM);
	sleep_ms(100);
	kill(pid, SIGTERM);
	ck_assert_int_eq(finish(pid), 3);
	err = tu_slurp(file, NULL);
	ck_assert_msg(strstr(err, "scan 3 interrupted by SIGTERM; 0 jobs stored by this worker "
				  "are kept, the one in hand was rolled back") != NULL,
		      "%s", err);
	free(err);
	c = sql_text("SELECT status || ' ' || (SELECT count(*) FROM scan_services WHERE scan_id = "
		     "3) FROM scans WHERE id = 3");
	ck_assert_str_eq(c, "interrupted 0");
	free(c);
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
	wait_for_claims("1"); /* a job in hand, its transaction open */
	snprintf(cmd, sizeof(cmd), "cd '%s' && scripts/pg.sh stop '%s' >/dev/null", tu_path(""),
		 pg);
	ck_assert_int_eq(tu_run(cmd, NULL, NULL), 0);
	/* Down until the scan has finished the job's resolving and found it gone. */
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

static void assert_output(const char *base, const char *ext, const char *want)
{
	char file[4200];
	snprintf(file, sizeof(file), "%s.%s", base, ext);
	char *text = tu_slurp(file, NULL);
	ck_assert_msg(text && strstr(text, want), "%s.%s: %s", base, ext, text ? text : "(none)");
	free(text);
}

/* The process's exit status is want; else its stderr says why. */
static void finish_as(pid_t pid, const char *base, int want)
{
	int got = finish(pid);
	if (got != want) {
		char file[4200];
		snprintf(file, sizeof(file), "%s.err", base);
		char *text = tu_slurp(file, NULL);
		ck_abort_msg("exit %d, not %d: %s", got, want, text ? text : "(no stderr)");
	}
}

/* Each element of scan 1 once (no endpoint done twice), and what a single
 * process's scan of the same estate observes (none missed). */
static void assert_same_as_one_worker(const char *base)
{
	char *c = sql_text("SELECT count(*) - count(DISTINCT (service, endpoint, idx)) FROM "
			   "scan_path_elements WHERE scan_id = 1");
	ck_assert_str_eq(c, "0");
	free(c);
	c = sql_text("SELECT string_agg(service, ',' ORDER BY idx) FROM scan_services WHERE "
		     "scan_id = 1");
	ck_assert_str_eq(c, "s0,s1,s2,s3,s4,s5");
	free(c);
	pid_t one = start_scan("--job-endpoints 1000", base);
	finish_as(one, base, 1);
	char *split = observed(1), *whole = observed(2);
	ck_assert_msg(strncmp(split, "complete ", 9) == 0, "%s", split);
	ck_assert_str_eq(split, whole);
	free(split);
	free(whole);
	c = sql_text("SELECT count(*) FROM scan_links WHERE scan_id = 1");
	ck_assert_str_eq(c, "1");
	free(c);
}

/* Scan 1 begun by worker a (six jobs of one service), worker b joining it; c
 * names the files of a later one-process scan. */
struct workers {
	char a[4096], b[4096], c[4096];
	pid_t pa, pb;
};

static void start_workers(const char *dir, struct workers *w)
{
	snprintf(w->a, sizeof(w->a), "%s/a", dir);
	snprintf(w->b, sizeof(w->b), "%s/b", dir);
	snprintf(w->c, sizeof(w->c), "%s/c", dir);
	w->pa = start_scan("--job-endpoints 1", w->a);
	wait_for("SELECT count(*) FROM scan_jobs WHERE scan_id = 1", "6");
	w->pb = start_scan("--join 1", w->b);
}

START_TEST(two_workers_split_one_scan)
{
	char *dir = tu_tmpdir(), other[4200], text[16384];
	struct workers w = {.pa = 0};

	start_workers(dir, &w);
	/* A worker that would judge another estate is refused. */
	char *cfgtext = tu_slurp(cfg, NULL), *at = cfgtext ? strstr(cfgtext, "estate.json") : NULL;
	ck_assert_ptr_nonnull(at);
	snprintf(text, sizeof(text), "%.*sestate2.json%s", (int)(at - cfgtext), cfgtext,
		 at + strlen("estate.json"));
	snprintf(other, sizeof(other), "%s/estate2.json", dir);
	const char *e2 = "{\"services\": [{\"name\": \"s0\", \"owner\": \"t\", \"policy\": "
			 "\"personal-data\", \"endpoints\": [\"w0.wild.example.test\"]}]}";
	ck_assert_int_eq(tu_write(other, e2, strlen(e2)), 0);
	snprintf(other, sizeof(other), "%s/other.json", dir);
	ck_assert_int_eq(tu_write(other, text, strlen(text)), 0);
	char cmd[16384];
	snprintf(cmd, sizeof(cmd), "'%s' scan -c '%s' --join 1 2>&1", tu_bin(), other);
	char *out = NULL;
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 2);
	ck_assert_msg(strstr(out, "is not the one scan 1 began with"), "%s", out);
	free(out);
	free(cfgtext);

	finish_as(w.pa, w.a, 1);
	finish_as(w.pb, w.b, 1);
	assert_output(w.a, "out", "scan 1: complete, violation");
	assert_output(w.b, "out", "scan 1: complete, violation");
	/* Six jobs, each done once, by both workers. */
	char *jobs = sql_text("SELECT count(*) || ' ' || count(DISTINCT worker) || ' ' || count(*) "
			      "FILTER (WHERE done_at IS NULL) FROM scan_jobs WHERE scan_id = 1");
	ck_assert_str_eq(jobs, "6 2 0");
	free(jobs);
	assert_same_as_one_worker(w.c);

	/* Only a running scan is joined. */
	snprintf(cmd, sizeof(cmd), "'%s' scan -c '%s' --join 1 2>&1", tu_bin(), cfg);
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 2);
	ck_assert_msg(strstr(out, "scan 1 is complete: only a running scan can be joined"), "%s",
		      out);
	free(out);
	free(dir);
}
END_TEST

START_TEST(a_dead_workers_job_goes_back)
{
	char *dir = tu_tmpdir();
	struct workers w = {.pa = 0};

	start_workers(dir, &w);
	/* The joined worker holds a job (its row lock), then dies without a word. */
	wait_for_claims("2");
	kill(w.pb, SIGKILL);
	finish_as(w.pb, w.b, 128 + SIGKILL);
	finish_as(w.pa, w.a, 1);
	char *jobs = sql_text("SELECT count(*) || ' ' || count(*) FILTER (WHERE done_at IS NULL) "
			      "FROM scan_jobs WHERE scan_id = 1");
	ck_assert_str_eq(jobs, "6 0");
	free(jobs);
	assert_same_as_one_worker(w.c);
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
	tc = tcase_create("workers");
	tcase_set_timeout(tc, 180);
	tcase_add_checked_fixture(tc, setup_workers, teardown);
	tcase_add_test(tc, two_workers_split_one_scan);
	tcase_add_test(tc, a_dead_workers_job_goes_back);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
