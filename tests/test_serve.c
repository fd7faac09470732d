/*
 * test_serve: `residency serve` against the real private PostgreSQL, a real
 * HTTP receiver on loopback (tests/lib/httpd.py recording every POST) and a
 * UDP port that never answers (nsd_black_hole(): a scan against it is slow
 * for certain, so signals land mid-scan). --once stores a complete scan;
 * SIGTERM mid-scan records the scan as interrupted and exits 0 with earlier
 * scans intact; two serves run one scan per turn; the webhook receives the
 * story's drift, retried through 500s, and a receiver that always fails
 * never fails the scan; SIGHUP with a broken configuration keeps the old one;
 * remote ranges are refreshed between scans (a conditional request: 304);
 * an unreachable database is retried and then exit 3.
 */
#include "lib/nsd.h"
#include "lib/testutil.h"

#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *DB, *DIR_;
static pid_t httpd = -1;
static int http_port;
static char record[4200];

static void setup(void)
{
	char cmd[4096];

	DB = tu_createdb();
	ck_assert_ptr_nonnull(DB);
	snprintf(cmd, sizeof(cmd), "'%s' db migrate --db '%s'", tu_bin(), DB);
	ck_assert_int_eq(tu_run(cmd, NULL, NULL), 0);
	DIR_ = tu_tmpdir();
	ck_assert_ptr_nonnull(DIR_);
}

static void teardown(void)
{
	if (httpd > 0) {
		kill(httpd, SIGTERM);
		waitpid(httpd, NULL, 0);
		httpd = -1;
	}
	nsd_stop();
	free(DB);
	free(DIR_);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* tests/lib/httpd.py on a free port, recording POSTs into `record`. */
static void start_receiver(void)
{
	char portfile[4200], top[4096];

	snprintf(portfile, sizeof(portfile), "%s/port", DIR_);
	snprintf(record, sizeof(record), "%s/posts.jsonl", DIR_);
	snprintf(top, sizeof(top), "%s", tu_path(""));
	if ((httpd = fork()) == 0) {
		execlp("python3", "python3", tu_path("tests/lib/httpd.py"), portfile, top, record,
		       (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && http_port <= 0; i++) {
		char *p = tu_slurp(portfile, NULL);
		if (p) {
			http_port = atoi(p);
			free(p);
		} else {
			sleep_ms(50);
		}
	}
	ck_assert_msg(http_port > 0, "the test HTTP server did not start");
}

/*
 * A configuration in the run folder: the example estate and policies, the
 * zone of `state` ("before" or "after", offline) or, with state NULL, no zone
 * and `resolver` as the only resolver; then `extra` JSON members (may be "").
 */
static const char *config(const char *name, const char *state, const char *resolver,
			  const char *extra)
{
	static char path[4400];
	char body[16384], estate[4096], policies[4096], zone[4096] = "";

	snprintf(estate, sizeof(estate), "%s", tu_path("examples/estate.json"));
	snprintf(policies, sizeof(policies), "%s", tu_path("examples/policies"));
	if (state) {
		char rel[128];
		snprintf(rel, sizeof(rel), "examples/%s/phonemaker.example.zone", state);
		snprintf(zone, sizeof(zone), "%s", tu_path(rel));
	}
	int n = snprintf(body, sizeof(body), "{\n  \"estate\": \"%s\",\n  \"policies\": \"%s\",\n",
			 estate, policies);
	if (state)
		n += snprintf(body + n, sizeof(body) - (size_t)n,
			      "  \"zones\": [\"%s\"],\n  \"offline\": true,\n", zone);
	else
		n += snprintf(body + n, sizeof(body) - (size_t)n, "  \"resolvers\": [\"%s\"],\n",
			      resolver ? resolver : "");
	snprintf(body + n, sizeof(body) - (size_t)n, "%s%s  \"description\": \"test_serve\"\n}\n",
		 extra, *extra ? ",\n" : "");
	snprintf(path, sizeof(path), "%s/%s", DIR_, name);
	ck_assert_int_eq(tu_write(path, body, strlen(body)), 0);
	return path;
}

/* `residency serve ARGS --db DB` in the background, stdout and stderr into log. */
static pid_t spawn(const char *args, const char *log)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "exec '%s' serve %s --db '%s' >'%s' 2>&1", tu_bin(), args, DB,
		 log);
	pid_t pid = fork();
	if (pid == 0) {
		if (chdir(tu_path("")) != 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);
	return pid;
}

/* True once file holds needle after `after` (NULL: anywhere), within secs. */
static bool wait_log(const char *file, const char *needle, const char *after, int secs)
{
	for (int i = 0; i < secs * 20; i++) {
		char *s = tu_slurp(file, NULL);
		const char *from = s && after ? strstr(s, after) : s;
		bool found = from && strstr(from, needle);
		free(s);
		if (found)
			return true;
		sleep_ms(50);
	}
	return false;
}

/* The exit status of pid within secs; -1 (and the process killed) if it does not end. */
static int wait_exit(pid_t pid, int secs)
{
	int st;

	for (int i = 0; i < secs * 20; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		sleep_ms(50);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

static int serve(const char *args, char **err)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' serve %s --db '%s'", tu_path(""), tu_bin(),
		 args, DB);
	return tu_run(cmd, NULL, err);
}

static long long sql_int(const char *sql)
{
	char cmd[8192], *out = NULL;
	snprintf(cmd, sizeof(cmd), "psql -X -At -d '%s' -c \"%s\"", DB, sql);
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	long long v = strtoll(out, NULL, 10);
	free(out);
	return v;
}

static char *slurp_log(const char *log)
{
	char *s = tu_slurp(log, NULL);
	ck_assert_ptr_nonnull(s);
	return s;
}

START_TEST(once_stores_a_complete_scan)
{
	char *err = NULL, *out = NULL, cmd[4200];

	ck_assert_int_eq(serve("--once -c examples/before.json", &err), 1);
	ck_assert_msg(strstr(err, "scan 1 complete: violation, 12 findings") != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(err, "the first complete scan"));
	free(err);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scans WHERE status = 'complete'"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scan_findings WHERE scan_id = 1"), 12);

	/* --help is true to the command; usage and configuration errors are exit 2. */
	snprintf(cmd, sizeof(cmd), "'%s' serve --help", tu_bin());
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "usage: residency serve -c FILE"));
	ck_assert_ptr_nonnull(strstr(out, "interrupted"));
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' --help", tu_bin());
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "  serve "));
	free(out);
	ck_assert_int_eq(serve("", NULL), 2);
	const char *nosched = config("nosched.json", "before", NULL, "");
	snprintf(cmd, sizeof(cmd), "-c '%s'", nosched);
	ck_assert_int_eq(serve(cmd, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "needs a \"schedule\""));
	free(err);
	ck_assert_int_eq(serve("--once -c tests/fixtures/scan/bad-key.json", &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "bad-key.json:4: unknown key \"shedule\""));
	free(err);
}
END_TEST

START_TEST(sigterm_mid_scan_records_it_interrupted_and_exits_0)
{
	char args[8192], log[4300], res[64];

	/* A complete scan first: what is committed must survive the interruption. */
	ck_assert_int_eq(serve("--once -c examples/before.json", NULL), 1);
	int hole = nsd_black_hole();
	ck_assert_int_gt(hole, 0);
	snprintf(res, sizeof(res), "127.0.0.1:%d", hole);
	const char *cfg = config("hole.json", NULL, res, "  \"schedule\": {\"every\": \"1s\"}");
	snprintf(args, sizeof(args), "-c '%s'", cfg);
	snprintf(log, sizeof(log), "%s/serve.log", DIR_);
	pid_t pid = spawn(args, log);
	ck_assert_msg(wait_log(log, "scan starting", NULL, 60), "no scan started");
	sleep_ms(300);
	kill(pid, SIGTERM);
	ck_assert_int_eq(wait_exit(pid, 30), 0);
	char *s = slurp_log(log);
	ck_assert_msg(strstr(s, "scan 2 interrupted") != NULL, "%s", s);
	ck_assert_ptr_nonnull(strstr(s, "SIGTERM: stopped"));
	free(s);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scans WHERE id = 2 AND status = "
				 "'interrupted' AND error LIKE 'interrupted by SIGTERM%'"),
			 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scans WHERE status = 'running'"), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scans WHERE id = 1 AND status = "
				 "'complete'"),
			 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scan_findings WHERE scan_id = 1"), 12);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scans"), 2);
}
END_TEST

START_TEST(two_serves_run_one_scan_per_turn)
{
	char args[8192], log[4300], res[64], *err = NULL;

	int hole = nsd_black_hole();
	ck_assert_int_gt(hole, 0);
	snprintf(res, sizeof(res), "127.0.0.1:%d", hole);
	const char *cfg = config("hole.json", NULL, res, "  \"schedule\": {\"every\": \"1h\"}");
	snprintf(args, sizeof(args), "-c '%s'", cfg);
	snprintf(log, sizeof(log), "%s/a.log", DIR_);
	pid_t a = spawn(args, log); /* an empty database: it scans at once */
	ck_assert_msg(wait_log(log, "scan starting", NULL, 60), "no scan started");
	/* The second serve finds the lock taken: it says so and runs nothing. */
	snprintf(args, sizeof(args), "--once -c '%s'", cfg);
	ck_assert_int_eq(serve(args, &err), 0);
	ck_assert_msg(strstr(err, "another residency serve is scanning this database") != NULL,
		      "%s", err);
	ck_assert_ptr_null(strstr(err, "scan starting"));
	free(err);
	kill(a, SIGTERM);
	ck_assert_int_eq(wait_exit(a, 30), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scans"), 1);
}
END_TEST

/* The POSTs the receiver recorded, as JSON objects {path, content_type, body}. */
static json_t *posts(void)
{
	json_t *arr = json_array();
	char *s = tu_slurp(record, NULL);
	for (char *p = s; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		json_t *o = json_loads(p, 0, NULL);
		ck_assert_msg(o != NULL, "not JSON: %s", p);
		json_array_append_new(arr, o);
		p = nl ? nl + 1 : NULL;
	}
	free(s);
	return arr;
}

static bool has_string(json_t *arr, const char *v)
{
	size_t i;
	json_t *x;
	json_array_foreach(arr, i, x)
	{
		if (strcmp(json_string_value(x), v) == 0)
			return true;
	}
	return false;
}

START_TEST(webhook_receives_the_drift_and_failures_never_fail_the_scan)
{
	char hook[256], args[8192], *err = NULL;

	start_receiver();
	/* Two 500s, then 204: delivered on the third try. */
	snprintf(hook, sizeof(hook),
		 "  \"schedule\": {\"every\": \"6h\"},\n  \"webhook\": "
		 "\"http://127.0.0.1:%d/hook/fail/2/story\"",
		 http_port);
	snprintf(args, sizeof(args), "--once -c '%s'", config("before.json", "before", NULL, hook));
	ck_assert_int_eq(serve(args, NULL), 1);
	json_t *p = posts();
	ck_assert_uint_eq(json_array_size(p), 0); /* the first scan: nothing to compare */
	json_decref(p);
	snprintf(args, sizeof(args), "--once -c '%s'", config("after.json", "after", NULL, hook));
	ck_assert_int_eq(serve(args, &err), 0);
	ck_assert_msg(strstr(err, "delivered (HTTP 204, 3 tries)") != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(err, "HTTP status 500; retrying"));
	ck_assert_ptr_null(
	    strstr(err, "/hook/fail")); /* the path (a secret, often) is not logged */
	free(err);

	p = posts();
	ck_assert_uint_eq(json_array_size(p), 3);
	json_t *last = json_array_get(p, 2);
	ck_assert_str_eq(json_string_value(json_object_get(last, "path")), "/hook/fail/2/story");
	ck_assert_str_eq(json_string_value(json_object_get(last, "content_type")),
			 "application/json");
	json_t *doc = json_loads(json_string_value(json_object_get(last, "body")), 0, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "event")), "drift");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "from_scan")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "to_scan")), 2);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(doc, "time")));
	json_t *acc = NULL, *c;
	size_t i;
	json_array_foreach(json_object_get(doc, "changed"), i, c)
	{
		if (strcmp(json_string_value(json_object_get(c, "service")), "accounts") == 0)
			acc = c;
	}
	ck_assert_msg(acc != NULL, "accounts is not in the drift");
	json_t *v = json_object_get(acc, "verdict"), *co = json_object_get(acc, "countries");
	ck_assert_str_eq(json_string_value(json_object_get(v, "before")), "violation");
	ck_assert_str_eq(json_string_value(json_object_get(v, "after")), "compliant");
	ck_assert_uint_eq(json_array_size(json_object_get(co, "removed")), 1);
	ck_assert(has_string(json_object_get(co, "removed"), "CN"));
	ck_assert_uint_eq(json_array_size(json_object_get(co, "added")), 2);
	ck_assert(has_string(json_object_get(co, "added"), "SG"));
	ck_assert(has_string(json_object_get(co, "added"), "US"));
	ck_assert_ptr_nonnull(
	    strstr(json_string_value(json_object_get(acc, "story")), "accounts: CN -> SG, US"));
	json_decref(doc);
	json_decref(p);

	/* A receiver that always answers 500: retried, logged, and the scan stands. */
	snprintf(
	    hook, sizeof(hook),
	    "  \"schedule\": {\"every\": \"6h\"},\n  \"webhook\": \"http://127.0.0.1:%d/hook/500\"",
	    http_port);
	snprintf(args, sizeof(args), "--once -c '%s'", config("back.json", "before", NULL, hook));
	ck_assert_int_eq(serve(args, &err), 1);
	ck_assert_msg(strstr(err, "was not delivered") != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(err, "HTTP status 500 (after 4 tries"));
	ck_assert_ptr_nonnull(strstr(err, "scan 3 complete: violation"));
	free(err);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scans WHERE id = 3 AND status = "
				 "'complete'"),
			 1);
	p = posts();
	int fives = 0;
	json_array_foreach(p, i, c)
	{
		fives += strcmp(json_string_value(json_object_get(c, "path")), "/hook/500") == 0;
	}
	ck_assert_int_eq(fives, 4);
	json_decref(p);
}
END_TEST

START_TEST(sighup_with_a_broken_configuration_keeps_the_old_one)
{
	char args[8192], log[4300];
	static const char broken[] = "{\n  \"estate\": \"x.json\",\n  \"shedule\": {}\n}\n";
	const char *every = "  \"schedule\": {\"every\": \"2s\"}";

	const char *cfg = config("live.json", "before", NULL, every);
	snprintf(args, sizeof(args), "-c '%s'", cfg);
	snprintf(log, sizeof(log), "%s/serve.log", DIR_);
	pid_t pid = spawn(args, log);
	ck_assert_msg(wait_log(log, "scan 1 complete: violation", NULL, 60), "no first scan");

	ck_assert_int_eq(tu_write(cfg, broken, strlen(broken)), 0);
	kill(pid, SIGHUP);
	ck_assert_msg(
	    wait_log(log, "refused; the configuration loaded before stays in use", NULL, 30),
	    "the broken configuration was not refused");
	char *s = slurp_log(log);
	ck_assert_msg(strstr(s, "live.json:3: unknown key \"shedule\"") != NULL, "%s", s);
	free(s);
	/* The next scan still judges the "before" zone: the old configuration is in use. */
	ck_assert_msg(wait_log(log, "complete: violation", "refused;", 60),
		      "no scan with the old configuration after the refused reload");

	config("live.json", "after", NULL, every);
	kill(pid, SIGHUP);
	ck_assert_msg(wait_log(log, "live.json reloaded", NULL, 30), "the reload was not taken");
	ck_assert_msg(wait_log(log, "complete: compliant", "reloaded", 60),
		      "no scan with the new configuration");
	kill(pid, SIGTERM);
	ck_assert_int_eq(wait_exit(pid, 30), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM scans WHERE status <> 'complete'"), 0);
}
END_TEST

START_TEST(remote_ranges_are_refreshed_on_their_own_cadence)
{
	char extra[512], args[8192], log[4300];

	start_receiver();
	snprintf(extra, sizeof(extra),
		 "  \"schedule\": {\"every\": \"1h\"},\n  \"ranges\": {\"aws\": "
		 "\"http://127.0.0.1:%d/aws.json\"},\n  \"ranges_refresh\": {\"every\": \"1s\"}",
		 http_port);
	snprintf(args, sizeof(args), "-c '%s'", config("ranges.json", "before", NULL, extra));
	snprintf(log, sizeof(log), "%s/serve.log", DIR_);
	pid_t pid = spawn(args, log);
	/* The scan fetched the file (ETag "v1"); the refresh asks again, conditionally. */
	ck_assert_msg(wait_log(log, "scan 1 complete", NULL, 60), "no scan");
	ck_assert_msg(wait_log(log, "ranges aws: unchanged", NULL, 30), "no refresh");
	kill(pid, SIGTERM);
	ck_assert_int_eq(wait_exit(pid, 30), 0);
	char *s = slurp_log(log);
	ck_assert_msg(strstr(s, "remote ranges refreshed every 1s") != NULL, "%s", s);
	free(s);
}
END_TEST

START_TEST(an_unreachable_database_is_retried_then_exit_3)
{
	char cmd[4200], *err = NULL;

	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && '%s' serve --once -c examples/before.json --db 'host=/nonexistent "
		 "dbname=x'",
		 tu_path(""), tu_bin());
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 3);
	ck_assert_ptr_nonnull(strstr(err, "trying again in 1 s"));
	ck_assert_ptr_nonnull(strstr(err, "trying again in 2 s"));
	free(err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("serve");
	TCase *tc = tcase_create("serve");

	tcase_set_timeout(tc, 180);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, once_stores_a_complete_scan);
	tcase_add_test(tc, sigterm_mid_scan_records_it_interrupted_and_exits_0);
	tcase_add_test(tc, two_serves_run_one_scan_per_turn);
	tcase_add_test(tc, webhook_receives_the_drift_and_failures_never_fail_the_scan);
	tcase_add_test(tc, sighup_with_a_broken_configuration_keeps_the_old_one);
	tcase_add_test(tc, remote_ranges_are_refreshed_on_their_own_cadence);
	tcase_add_test(tc, an_unreachable_database_is_retried_then_exit_3);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
