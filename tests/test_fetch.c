/*
 * test_fetch: fetching range files from a real HTTP server on loopback
 * (tests/lib/httpd.py, started here on a free port and always stopped): the
 * 304 path, 5xx with retries, a slow body hitting the timeout, a body over the
 * cap, a file that does not parse or shrank keeping the last good snapshot,
 * staleness, and snapshots stored in the real private PostgreSQL.
 */
#include "ranges/fetch.h"
#include "ranges/snapshot.h"
#include "lib/testutil.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t server;
static int port;

static void start_server(void)
{
	char *dir = tu_tmpdir(), portfile[4200], top[4096];

	snprintf(portfile, sizeof(portfile), "%s/port", dir);
	snprintf(top, sizeof(top), "%s", tu_path(""));
	if ((server = fork()) == 0) {
		execlp("python3", "python3", tu_path("tests/lib/httpd.py"), portfile, top,
		       (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		char *p = tu_slurp(portfile, NULL);
		if (p) {
			port = atoi(p);
			free(p);
			break;
		}
		struct timespec ts = {0, 50000000};
		nanosleep(&ts, NULL);
	}
	free(dir);
	ck_assert_msg(port > 0, "the test HTTP server did not start");
}

static void stop_server(void)
{
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
}

static const char *url(const char *path)
{
	static char buf[256];
	snprintf(buf, sizeof(buf), "http://127.0.0.1:%d%s", port, path);
	return buf;
}

static const struct fetch_opts quick = {2000, 5000, 0, 3, 20};

START_TEST(conditional_request_304_changes_nothing)
{
	struct fetch_result r;
	struct rerr err;

	ck_assert_int_eq(fetch_url(&quick, url("/aws.json"), NULL, NULL, &r, &err), R_OK);
	ck_assert(!r.not_modified);
	ck_assert_uint_eq(r.body.len, 2063224); /* the bundled file's size (SOURCES.md) */
	ck_assert_str_eq(r.etag, "\"v1\"");
	ck_assert_str_eq(r.last_modified, "Thu, 24 Jul 2025 20:23:14 GMT");
	buf_free(&r.body);
	ck_assert_int_eq(fetch_url(&quick, url("/aws.json"), "\"v1\"", NULL, &r, &err), R_OK);
	ck_assert(r.not_modified);
	ck_assert_uint_eq(r.body.len, 0);
	buf_free(&r.body);

	/* Through the cache: the second refresh is "unchanged" and keeps the same snapshot. */
	char *cache = tu_tmpdir();
	const char *u[1] = {url("/aws.json")};
	struct refresh_result res;
	ck_assert_int_eq(snapshot_refresh(cache, "aws", u, 1, &quick, false, &res, &err), R_OK);
	ck_assert(res.changed);
	ck_assert_uint_eq(res.meta.count, 13344);
	ck_assert_str_eq(res.meta.sha256,
			 "ea92f06926bfd98822b22cc59824eea4b9cc6ec43ddfe8af1a8934c00ccccaee");
	ck_assert_int_eq(snapshot_refresh(cache, "aws", u, 1, &quick, false, &res, &err), R_OK);
	ck_assert(!res.changed);
	ck_assert_uint_eq(res.meta.count, 13344);
	free(cache);
}
END_TEST

START_TEST(server_errors_are_retried_with_backoff)
{
	struct fetch_result r;
	struct rerr err;

	ck_assert_int_eq(fetch_url(&quick, url("/flaky/a/2"), NULL, NULL, &r, &err), R_OK);
	ck_assert_int_eq(r.tries, 3);
	buf_free(&r.body);
	struct fetch_opts once = quick;
	once.retries = 1;
	ck_assert_int_eq(fetch_url(&once, url("/flaky/b/5"), NULL, NULL, &r, &err), R_ENET);
	ck_assert_ptr_nonnull(strstr(err.msg, "HTTP status 503 (after 2 tries)"));
	ck_assert_str_eq(err.where, url("/flaky/b/5"));
	/* 4xx is not retried. */
	ck_assert_int_eq(fetch_url(&quick, url("/missing"), NULL, NULL, &r, &err), R_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "HTTP status 404 (after 1 try)"));
}
END_TEST

START_TEST(slow_body_hits_the_timeout_and_big_body_the_cap)
{
	struct fetch_opts o = {1000, 1500, 0, 0, 20};
	struct fetch_result r;
	struct rerr err;
	time_t t0 = time(NULL);

	ck_assert_int_eq(fetch_url(&o, url("/slow"), NULL, NULL, &r, &err), R_ENET);
	ck_assert_str_eq(err.where, url("/slow"));
	ck_assert_ptr_nonnull(strstr(err.msg, "imed out"));
	ck_assert_int_le(time(NULL) - t0, 5);
	o.total_timeout_ms = 10000;
	o.max_bytes = 100000;
	ck_assert_int_eq(fetch_url(&o, url("/big"), NULL, NULL, &r, &err), R_ELIMIT);
	ck_assert_ptr_nonnull(strstr(err.msg, "not truncated"));
}
END_TEST

START_TEST(bad_new_files_keep_the_last_good_snapshot)
{
	char *cache = tu_tmpdir();
	struct refresh_result res;
	struct rerr err;
	char goodurl[256], garbage[256], shrunk[256];
	snprintf(goodurl, sizeof(goodurl), "%s", url("/aws.json"));
	const char *good[1] = {goodurl};
	snprintf(garbage, sizeof(garbage), "%s", url("/garbage"));
	snprintf(shrunk, sizeof(shrunk), "%s", url("/shrunk"));
	const char *bad[1] = {garbage}, *small[1] = {shrunk};

	ck_assert_int_eq(snapshot_refresh(cache, "aws", good, 1, &quick, false, &res, &err), R_OK);
	ck_assert_int_eq(snapshot_refresh(cache, "aws", bad, 1, &quick, false, &res, &err),
			 R_EINPUT);
	ck_assert(res.kept_last_good);
	ck_assert_uint_eq(res.meta.count, 13344);
	ck_assert_ptr_nonnull(strstr(err.msg, "keeping the last good snapshot of aws"));
	ck_assert_ptr_nonnull(strstr(err.msg, "not valid JSON"));
	ck_assert_int_eq(snapshot_refresh(cache, "aws", small, 1, &quick, false, &res, &err),
			 R_EINPUT);
	ck_assert(res.kept_last_good);
	ck_assert_ptr_nonnull(strstr(err.msg, "more than 30% is refused"));
	struct snapshot_meta m;
	ck_assert_int_eq(snapshot_load(cache, "aws", &m, NULL, &err), R_OK);
	ck_assert_uint_eq(m.count, 13344);
	/* --force accepts the shrink. */
	ck_assert_int_eq(snapshot_refresh(cache, "aws", small, 1, &quick, true, &res, &err), R_OK);
	ck_assert(res.changed);
	ck_assert_uint_eq(res.meta.count, 3);
	/* A server that is down: the last good one stays, and that is said. */
	const char *down[1] = {"http://127.0.0.1:1/aws.json"};
	struct fetch_opts o = quick;
	o.retries = 0;
	ck_assert_int_eq(snapshot_refresh(cache, "aws", down, 1, &o, false, &res, &err), R_ENET);
	ck_assert(res.kept_last_good);
	free(cache);
}
END_TEST

/* Issue 13, items 4 and 7, through the snapshot cache (file:// sources). */
START_TEST(claimed_space_and_invalid_rows_in_refreshes)
{
	char *cache = tu_tmpdir(), path[4200], src[4300];
	struct refresh_result res;
	struct rerr err;
	const char *u[1] = {src};

	snprintf(path, sizeof(path), "%s/feed.txt", cache);
	snprintf(src, sizeof(src), "file://%s", path);
	ck_assert_int_eq(tu_write(path, "10.0.0.0/16\n", 12), 0);
	ck_assert_int_eq(snapshot_refresh(cache, "akamai", u, 1, &quick, false, &res, &err), R_OK);
	ck_assert(res.changed);
	/* Four times the space of the last good one: refused, the last good kept. */
	ck_assert_int_eq(tu_write(path, "10.0.0.0/16\n10.2.0.0/15\n", 24), 0);
	ck_assert_int_eq(snapshot_refresh(cache, "akamai", u, 1, &quick, false, &res, &err),
			 R_EINPUT);
	ck_assert(res.kept_last_good);
	ck_assert_uint_eq(res.meta.count, 1);
	ck_assert_msg(strstr(err.msg, "keeping the last good snapshot of akamai") &&
			  strstr(err.msg, "akamai: the new file claims 196608 IPv4 addresses") &&
			  strstr(err.msg, "3.0x the last good snapshot's 65536"),
		      "%s", err.msg);
	/* The whole internet in two halves: refused whatever --force says. */
	ck_assert_int_eq(tu_write(path, "0.0.0.0/1\n128.0.0.0/1\n", 22), 0);
	ck_assert_int_eq(snapshot_refresh(cache, "akamai", u, 1, &quick, true, &res, &err),
			 R_EINPUT);
	ck_assert(res.kept_last_good);
	ck_assert_ptr_nonnull(strstr(err.msg, "akamai claims 4294967296 IPv4 addresses"));
	/* One record repeated: refused. */
	ck_assert_int_eq(tu_write(path, "10.0.0.0/16\n10.0.0.0/16\n", 24), 0);
	ck_assert_int_eq(snapshot_refresh(cache, "akamai", u, 1, &quick, false, &res, &err),
			 R_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "all 2 records of akamai are copies of one"));
	/* --force accepts the growth; copies are not counted. */
	ck_assert_int_eq(tu_write(path, "10.0.0.0/16\n10.2.0.0/15\n10.2.0.0/15\n", 36), 0);
	ck_assert_int_eq(snapshot_refresh(cache, "akamai", u, 1, &quick, true, &res, &err), R_OK);
	ck_assert(res.changed);
	ck_assert_uint_eq(res.meta.count, 2);
	struct snapshot_meta m;
	struct range_set set;
	ck_assert_int_eq(snapshot_load(cache, "akamai", &m, &set, &err), R_OK);
	ck_assert_uint_eq(m.count, 2);
	ck_assert_uint_eq(set.n, 2);
	range_set_free(&set);

	/* DigitalOcean's "None" rows: the feed is accepted, the count kept in meta.json. */
	snprintf(src, sizeof(src), "file://%s",
		 tu_path("tests/fixtures/ranges/digitalocean-none-rows.csv"));
	ck_assert_int_eq(snapshot_refresh(cache, "digitalocean", u, 1, &quick, false, &res, &err),
			 R_OK);
	ck_assert_uint_eq(res.meta.count, 300);
	ck_assert_uint_eq(res.meta.invalid, 3);
	ck_assert_int_eq(snapshot_load(cache, "digitalocean", &m, NULL, &err), R_OK);
	ck_assert_uint_eq(m.invalid, 3);
	free(cache);
}
END_TEST

START_TEST(cli_fetch_stale_list_db_and_diff)
{
	char *cache = tu_tmpdir(), *db = tu_createdb(), cmd[8192], *out = NULL, *err = NULL;

	ck_assert_ptr_nonnull(db);
	snprintf(cmd, sizeof(cmd),
		 "'%s' db migrate --db '%s' >/dev/null && '%s' ranges fetch "
		 "--cache '%s' --db '%s' --ranges 'aws=%s'",
		 tu_bin(), db, tu_bin(), cache, db, url("/aws.json"));
	ck_assert_int_eq(tu_run(cmd, &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "aws: new snapshot, 13344 prefixes"));
	ck_assert_ptr_nonnull(strstr(out, "aws: stored as snapshot"));
	free(out);
	free(err);
	/* The prefixes are in PostgreSQL, and findable by address with the GiST index. */
	snprintf(cmd, sizeof(cmd),
		 "psql -X -At -d '%s' -c \"SELECT count(*) FROM range_prefixes\" -c \"SELECT "
		 "border_group FROM range_prefixes WHERE prefix >>= '15.220.120.77' LIMIT 1\"",
		 db);
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	ck_assert_str_eq(out, "13344\nus-east-1-bue-1\n");
	free(out);
	/* Again: 304, nothing new stored. */
	snprintf(cmd, sizeof(cmd), "'%s' ranges fetch --cache '%s' --db '%s' --ranges 'aws=%s'",
		 tu_bin(), cache, db, url("/aws.json"));
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "unchanged"));
	ck_assert_ptr_nonnull(strstr(out, "already stored"));
	free(out);
	/* Stale: the snapshot was last confirmed long ago. */
	snprintf(
	    cmd, sizeof(cmd),
	    "sed -i 's/\"checked_at\": [0-9]*/\"checked_at\": 1000/' '%s/aws/meta.json' && '%s' "
	    "ranges list --cache '%s' --max-age 7d",
	    cache, tu_bin(), cache);
	ck_assert_int_eq(tu_run(cmd, &out, &err), 4);
	ck_assert_ptr_nonnull(strstr(err, "stale"));
	ck_assert_ptr_nonnull(strstr(out, "unmapped: me-west-1"));
	free(out);
	free(err);
	/* A bad new file via the CLI: exit 2, the last good one kept. */
	snprintf(cmd, sizeof(cmd), "'%s' ranges fetch --cache '%s' --ranges 'aws=%s'", tu_bin(),
		 cache, url("/garbage"));
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "keeping the last good snapshot"));
	free(err);
	/* A geofeed with DigitalOcean's "None" rows: warned about by line, accepted, and
	 * the count in the cache's list and in PostgreSQL (migration 009). */
	snprintf(cmd, sizeof(cmd),
		 "'%s' ranges fetch --cache '%s' --db '%s' --ranges 'digitalocean=file://%s'",
		 tu_bin(), cache, db, tu_path("tests/fixtures/ranges/digitalocean-none-rows.csv"));
	ck_assert_int_eq(tu_run(cmd, &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "digitalocean: new snapshot, 300 prefixes"));
	ck_assert_ptr_nonnull(strstr(out, "3 invalid rows skipped"));
	ck_assert_ptr_nonnull(strstr(err, "digitalocean-none-rows.csv:255: country \"None\" is not "
					  "an ISO 3166-1 alpha-2 code; row skipped"));
	free(out);
	free(err);
	snprintf(cmd, sizeof(cmd),
		 "psql -X -At -d '%s' -c \"SELECT prefix_count, invalid_rows FROM range_snapshots "
		 "WHERE provider = 'digitalocean'\"",
		 db);
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	ck_assert_str_eq(out, "300|3\n");
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' ranges list --cache '%s' --db '%s'", tu_bin(), cache, db);
	tu_run(cmd, &out, NULL);
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(strstr(out, "INVALID") && strstr(out, "     300       3 "), "%s", out);
	free(out);
	free(cache);
	free(db);
}
END_TEST

START_TEST(diff_of_the_two_bundled_aws_snapshots)
{
	char cmd[8192], *out = NULL, *want = NULL;

	/* The expected counts, computed independently by python3 from the files. */
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && python3 -c \"import json\n"
		 "def load(f):\n d=json.load(open(f)); return "
		 "set(p['ip_prefix'] for p in d['prefixes'])|set(p['ipv6_prefix'] for p in "
		 "d['ipv6_prefixes']), set(p['network_border_group'] for p in "
		 "d['prefixes']+d['ipv6_prefixes'])\n"
		 "a,ra=load('data/ranges/aws/ip-ranges-2025-04-11.json')\n"
		 "b,rb=load('data/ranges/aws/ip-ranges-2025-07-24.json')\n"
		 "print('region: %%d added, %%d removed' %% (len(rb-ra), len(ra-rb)))\n"
		 "print('prefix: %%d added, %%d removed' %% (len(b-a), len(a-b)))\"",
		 tu_path(""));
	ck_assert_int_eq(tu_run(cmd, &want, NULL), 0);
	snprintf(
	    cmd, sizeof(cmd),
	    "cd '%s' && '%s' ranges diff --provider aws "
	    "data/ranges/aws/ip-ranges-2025-04-11.json data/ranges/aws/ip-ranges-2025-07-24.json "
	    "| grep -E '^(region|prefix):'",
	    tu_path(""), tu_bin());
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	ck_assert_str_eq(out, want);
	free(out);
	free(want);
}
END_TEST

/*
 * The bounds audit of issue 13: a refresh that fails keeps the last good
 * snapshot, and scans judged against it whatever its age ("max_age" was
 * read and never used). Past max_age (7 days by default) that is stale data,
 * exit 4, never a verdict.
 */
START_TEST(a_stale_last_good_snapshot_is_not_a_check)
{
	char *cache = tu_tmpdir(), cmd[8192], *err = NULL;

	snprintf(cmd, sizeof(cmd), "RESIDENCY_CACHE='%s' '%s' lookup --ranges aws=%s 3.120.0.1",
		 cache, tu_bin(), url("/aws.json"));
	ck_assert_int_eq(tu_run(cmd, NULL, NULL), 0);
	/* A failed refresh of a fresh snapshot: the last good one is used, and said. */
	snprintf(cmd, sizeof(cmd), "RESIDENCY_CACHE='%s' '%s' lookup --ranges aws=%s 3.120.0.1",
		 cache, tu_bin(), url("/garbage"));
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "keeping the last good snapshot"));
	free(err);
	/* Ten days later, the server still failing. */
	snprintf(cmd, sizeof(cmd),
		 "python3 -c \"import json,time\np='%s/aws/meta.json'\nm=json.load(open(p))\n"
		 "m['checked_at']=int(time.time())-10*86400\njson.dump(m,open(p,'w'))\"",
		 cache);
	ck_assert_int_eq(tu_run(cmd, NULL, NULL), 0);
	snprintf(cmd, sizeof(cmd), "RESIDENCY_CACHE='%s' '%s' lookup --ranges aws=%s 3.120.0.1",
		 cache, tu_bin(), url("/garbage"));
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 4);
	ck_assert_msg(strstr(err, "more than max_age (168 h) allows") != NULL, "%s", err);
	free(err);
	free(cache);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fetch");
	TCase *tc = tcase_create("fetch");

	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, start_server, stop_server);
	tcase_add_test(tc, conditional_request_304_changes_nothing);
	tcase_add_test(tc, server_errors_are_retried_with_backoff);
	tcase_add_test(tc, slow_body_hits_the_timeout_and_big_body_the_cap);
	tcase_add_test(tc, bad_new_files_keep_the_last_good_snapshot);
	tcase_add_test(tc, claimed_space_and_invalid_rows_in_refreshes);
	tcase_add_test(tc, cli_fetch_stale_list_db_and_diff);
	tcase_add_test(tc, diff_of_the_two_bundled_aws_snapshots);
	tcase_add_test(tc, a_stale_last_good_snapshot_is_not_a_check);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
