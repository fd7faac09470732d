/*
 * test_config: the configuration file reader (core/config) alone: every key of
 * the table with valid values, defaults, paths resolved against the file's
 * folder, every bound on both sides, wrong types, unknown keys, errors naming
 * file:line, an empty file and one over the size cap.
 */
#include "core/config.h"
#include "core/jsonpos.h"
#include "core/rerr.h"
#include "lib/testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes text to dir/name and returns the path (static, overwritten by the next call). */
static const char *write_cfg(const char *dir, const char *name, const char *text)
{
	static char path[4400];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(tu_write(path, text, strlen(text)), 0);
	return path;
}

/* A configuration of the estate line and one more line (line 3 of the file). */
static const char *with_line3(const char *dir, const char *line3)
{
	char text[20000];

	ck_assert_uint_lt(strlen(line3), sizeof(text) - 64);
	snprintf(text, sizeof(text), "{\n  \"estate\": \"e.json\",\n  %.19900s\n}\n", line3);
	return write_cfg(dir, "c.json", text);
}

static enum rstatus load(const char *path, struct config **c, struct rerr *err)
{
	rerr_clear(err);
	*c = NULL;
	enum rstatus rc = config_load(path, c, err);
	if (rc != R_OK)
		ck_assert_ptr_null(*c);
	return rc;
}

/* Loads a file that must be refused: the code, file and line, and a part of the message. */
static void refused(const char *path, enum rstatus code, long line, const char *part)
{
	struct config *c;
	struct rerr err;
	char msg[2048];

	ck_assert_msg(load(path, &c, &err) == code, "%s: want %d, got %d (%s)", part, code,
		      err.code, err.msg);
	ck_assert_str_eq(err.where, path);
	ck_assert_msg(err.line == line, "%s: line %ld, want %ld", err.msg, err.line, line);
	ck_assert_msg(strstr(err.msg, part) != NULL, "\"%s\" not in \"%s\"", part, err.msg);
	/* what a user sees: file:line: message */
	rerr_format(&err, msg, sizeof(msg));
	char head[4500];
	if (line)
		snprintf(head, sizeof(head), "%s:%ld: ", path, line);
	else
		snprintf(head, sizeof(head), "%s: ", path);
	ck_assert_msg(strncmp(msg, head, strlen(head)) == 0, "%s", msg);
}

START_TEST(every_key_with_valid_values)
{
	struct config *c;
	struct rerr err;
	char dir[4096], want[4400], full[4200];
	const char *path = full;

	snprintf(dir, sizeof(dir), "%s", tu_path("tests/fixtures/config"));
	snprintf(full, sizeof(full), "%s/full.json", dir);
	ck_assert_msg(load(path, &c, &err) == R_OK, "%s", err.msg);
	ck_assert_str_eq(c->file, full);
	ck_assert_str_eq(c->database, "host=/tmp dbname=residency"); /* not a path */
	snprintf(want, sizeof(want), "%s/estate.json", dir);
	ck_assert_str_eq(c->estate, want);
	snprintf(want, sizeof(want), "%s/policies", dir);
	ck_assert_str_eq(c->policies, want);
	ck_assert_uint_eq(c->nzones, 2);
	snprintf(want, sizeof(want), "%s/zones/a.zone", dir);
	ck_assert_str_eq(c->zones[0], want);
	ck_assert_str_eq(c->zones[1], "/srv/zones/b.zone");
	ck_assert_uint_eq(c->nresolvers, 4);
	ck_assert_str_eq(c->resolvers[0], "192.0.2.53");
	ck_assert_str_eq(c->resolvers[1], "192.0.2.54:5353");
	ck_assert_str_eq(c->resolvers[2], "2001:db8::53");
	ck_assert_str_eq(c->resolvers[3], "[2001:db8::54]:53");
	ck_assert(!c->offline);
	ck_assert_uint_eq(c->nranges, 3);
	ck_assert_str_eq(c->range_providers[0], "aws");
	ck_assert_str_eq(c->range_urls[0], "https://ip-ranges.amazonaws.com/ip-ranges.json");
	ck_assert_str_eq(c->range_providers[1], "cloudflare");
	ck_assert_str_eq(c->range_urls[1], "https://www.cloudflare.com/ips-v4");
	ck_assert_str_eq(c->range_providers[2], "cloudflare");
	ck_assert_str_eq(c->range_urls[2], "https://www.cloudflare.com/ips-v6");
	snprintf(want, sizeof(want), "%s/geo/country.mmdb", dir);
	ck_assert_str_eq(c->geoip, want);
	ck_assert_str_eq(c->cache, "/var/cache/residency");
	ck_assert_int_eq(c->max_age, 36 * 3600);
	ck_assert_str_eq(c->scan_every, "6h");
	ck_assert_str_eq(c->scan_jitter, "10m");
	ck_assert_ptr_null(c->scan_cron);
	ck_assert_str_eq(c->ranges_every, "1d");
	ck_assert_str_eq(c->webhook, "https://hooks.example.com/residency"); /* not a path */
	snprintf(want, sizeof(want), "%s/keys/scan.pem", dir);
	ck_assert_str_eq(c->signing_key, want);
	/* the text as read, for what a scan records */
	char *text = tu_slurp(path, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(c->text, text);
	free(text);
	config_free(c);
	config_free(NULL);

	/* The other shapes: offline, a cron schedule, an http:// webhook. */
	char *tmp = tu_tmpdir();
	path = write_cfg(
	    tmp, "c.json",
	    "{\"estate\": \"/abs/e.json\", \"offline\": true, \"max_age\": \"90s\",\n"
	    " \"schedule\": {\"cron\": \"0 3 * * *\"}, \"webhook\": \"http://127.0.0.1:9/\"}");
	ck_assert_msg(load(path, &c, &err) == R_OK, "%s", err.msg);
	ck_assert_str_eq(c->estate, "/abs/e.json");
	ck_assert(c->offline);
	ck_assert_int_eq(c->max_age, 90);
	ck_assert_str_eq(c->scan_cron, "0 3 * * *");
	ck_assert_ptr_null(c->scan_every);
	ck_assert_str_eq(c->webhook, "http://127.0.0.1:9/");
	config_free(c);
	free(tmp);
}
END_TEST

START_TEST(defaults_of_a_file_with_only_the_estate)
{
	struct config *c;
	struct rerr err;
	char *tmp = tu_tmpdir();
	const char *path = write_cfg(tmp, "c.json", "{\"estate\": \"e.json\"}");

	ck_assert_msg(load(path, &c, &err) == R_OK, "%s", err.msg);
	ck_assert_ptr_null(c->database);
	ck_assert_ptr_null(c->policies);
	ck_assert_uint_eq(c->nzones, 0);
	ck_assert_uint_eq(c->nresolvers, 0);
	ck_assert(!c->offline);
	ck_assert_uint_eq(c->nranges, 0);
	ck_assert_ptr_null(c->geoip);
	ck_assert_ptr_null(c->cache);
	ck_assert_int_eq(c->max_age, 7 * 86400); /* "7d" */
	ck_assert_ptr_null(c->scan_every);
	ck_assert_ptr_null(c->scan_jitter);
	ck_assert_ptr_null(c->scan_cron);
	ck_assert_ptr_null(c->ranges_every);
	ck_assert_ptr_null(c->webhook);
	ck_assert_ptr_null(c->signing_key);
	config_free(c);
	/* "description" is free text and changes nothing */
	path = write_cfg(tmp, "c.json", "{\"description\": \"x\", \"estate\": \"e.json\"}");
	ck_assert_msg(load(path, &c, &err) == R_OK, "%s", err.msg);
	config_free(c);
	free(tmp);
}
END_TEST

START_TEST(relative_paths_are_resolved_against_the_file_folder)
{
	struct config *c;
	struct rerr err;
	char *tmp = tu_tmpdir(), sub[4200], want[4400];

	snprintf(sub, sizeof(sub), "%s/deploy", tmp);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	const char *path =
	    write_cfg(sub, "c.json",
		      "{\"estate\": \"e.json\", \"policies\": \"../policies\",\n"
		      " \"zones\": [\"z/a.zone\", \"/z/b.zone\"], \"cache\": \"./cache\",\n"
		      " \"geoip\": \"/db/geo.mmdb\", \"signing_key\": \"k.pem\",\n"
		      " \"database\": \"dbname=x\", \"webhook\": \"https://h/x\"}");
	ck_assert_msg(load(path, &c, &err) == R_OK, "%s", err.msg);
	snprintf(want, sizeof(want), "%s/e.json", sub);
	ck_assert_str_eq(c->estate, want);
	snprintf(want, sizeof(want), "%s/../policies", sub);
	ck_assert_str_eq(c->policies, want);
	snprintf(want, sizeof(want), "%s/z/a.zone", sub);
	ck_assert_str_eq(c->zones[0], want);
	ck_assert_str_eq(c->zones[1], "/z/b.zone");
	snprintf(want, sizeof(want), "%s/./cache", sub);
	ck_assert_str_eq(c->cache, want);
	ck_assert_str_eq(c->geoip, "/db/geo.mmdb");
	snprintf(want, sizeof(want), "%s/k.pem", sub);
	ck_assert_str_eq(c->signing_key, want);
	ck_assert_str_eq(c->database, "dbname=x");
	ck_assert_str_eq(c->webhook, "https://h/x");
	config_free(c);

	/* A file named without a folder: its paths stay relative to the working
	 * folder, which is the file's. */
	ck_assert_int_eq(chdir(sub), 0);
	ck_assert_msg(load("c.json", &c, &err) == R_OK, "%s", err.msg);
	ck_assert_str_eq(c->estate, "e.json");
	ck_assert_str_eq(c->policies, "../policies");
	ck_assert_str_eq(c->zones[0], "z/a.zone");
	config_free(c);
	free(tmp);
}
END_TEST

/* A JSON array of n strings "PREFIX<i>SUFFIX". */
static char *array_of(size_t n, const char *prefix, const char *suffix)
{
	size_t cap = 64 + n * (strlen(prefix) + strlen(suffix) + 16);
	char *s = malloc(cap), *p = s;

	ck_assert_ptr_nonnull(s);
	p += snprintf(p, cap, "[");
	for (size_t i = 0; i < n; i++)
		p += snprintf(p, cap - (size_t)(p - s), "%s\"%s%zu%s\"", i ? ", " : "", prefix, i,
			      suffix);
	snprintf(p, cap - (size_t)(p - s), "]");
	return s;
}

START_TEST(every_bound_on_both_sides)
{
	struct config *c;
	struct rerr err;
	char *tmp = tu_tmpdir(), *arr, line[16384];
	const char *path;

	/* lists: CONFIG_MAX_LIST entries, and one more */
	for (int more = 0; more < 2; more++) {
		size_t n = CONFIG_MAX_LIST + (size_t)more;
		arr = array_of(n, "z", ".zone");
		snprintf(line, sizeof(line), "\"zones\": %s", arr);
		free(arr);
		path = with_line3(tmp, line);
		if (more) {
			refused(path, R_ELIMIT, 3, "\"zones\" has more than 256 entries");
		} else {
			ck_assert_msg(load(path, &c, &err) == R_OK, "%s", err.msg);
			ck_assert_uint_eq(c->nzones, n);
			config_free(c);
		}
		arr = array_of(n, "127.0.0.1:", "");
		char *fix = arr;
		while ((fix = strstr(fix, ":0\"")) != NULL) /* port 0 is out of range */
			memcpy(fix, ":9\"", 3);
		snprintf(line, sizeof(line), "\"resolvers\": %s", arr);
		free(arr);
		path = with_line3(tmp, line);
		if (more) {
			refused(path, R_ELIMIT, 3, "\"resolvers\" has more than 256 entries");
		} else {
			ck_assert_msg(load(path, &c, &err) == R_OK, "%s", err.msg);
			ck_assert_uint_eq(c->nresolvers, n);
			config_free(c);
		}
		/* ranges: 256 URLs in all, over two providers */
		arr = array_of(n - 1, "https://r/", "");
		snprintf(line, sizeof(line), "\"ranges\": {\"akamai\": %s, \"aws\": \"https://a\"}",
			 arr);
		free(arr);
		path = with_line3(tmp, line);
		if (more) {
			refused(path, R_ELIMIT, 3, "\"ranges\" has more than 256 URLs in all");
		} else {
			ck_assert_msg(load(path, &c, &err) == R_OK, "%s", err.msg);
			ck_assert_uint_eq(c->nranges, n);
			config_free(c);
		}
	}

	/* max_age: a century at most, more than nothing */
	static const struct {
		const char *v;
		long long secs; /* -1: refused */
	} ages[] = {{"1s", 1},	    {"0s", -1},
		    {"0d", -1},	    {"36500d", 36500LL * 86400},
		    {"36501d", -1}, {"5214w", 5214LL * 7 * 86400},
		    {"5215w", -1},  {"1d1h1m1s", 90061},
		    {"-1d", -1},    {"1", -1},
		    {"1y", -1},	    {"", -1},
		    {"1d ", -1},    {" 1d", -1}};
	for (size_t i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
		snprintf(line, sizeof(line), "\"max_age\": \"%s\"", ages[i].v);
		path = with_line3(tmp, line);
		if (ages[i].secs < 0) {
			refused(path, R_EINPUT, 3, "\"max_age\" must be a duration");
			continue;
		}
		ck_assert_msg(load(path, &c, &err) == R_OK, "%s: %s", ages[i].v, err.msg);
		ck_assert_int_eq(c->max_age, ages[i].secs);
		config_free(c);
	}

	/* resolver ports 1..65535, addresses only */
	static const struct {
		const char *v;
		bool ok;
	} res[] = {
	    {"192.0.2.1:1", true},	   {"192.0.2.1:65535", true},  {"192.0.2.1:0", false},
	    {"192.0.2.1:65536", false},	   {"192.0.2.1:", false},      {"192.0.2.1:53x", false},
	    {"[2001:db8::1]:65535", true}, {"[2001:db8::1]:0", false}, {"[2001:db8::1]", false},
	    {"[2001:db8::1", false},	   {"2001:db8::1", true},      {"::ffff:192.0.2.1", true},
	    {"ns1.example.com", false},	   {"192.0.2", false},	       {"192.0.2.1:53:53", false}};
	for (size_t i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
		snprintf(line, sizeof(line), "\"resolvers\": [\"%s\"]", res[i].v);
		path = with_line3(tmp, line);
		if (!res[i].ok) {
			refused(path, R_EINPUT, 3, "is not ADDR, ADDR:PORT or [IPV6]:PORT");
			continue;
		}
		ck_assert_msg(load(path, &c, &err) == R_OK, "%s: %s", res[i].v, err.msg);
		ck_assert_str_eq(c->resolvers[0], res[i].v);
		config_free(c);
	}

	/* a schedule's jitter is shorter than its interval */
	path = with_line3(tmp, "\"schedule\": {\"every\": \"1h\", \"jitter\": \"59m59s\"}");
	ck_assert_msg(load(path, &c, &err) == R_OK, "%s", err.msg);
	config_free(c);
	path = with_line3(tmp, "\"schedule\": {\"every\": \"1h\", \"jitter\": \"1h\"}");
	refused(path, R_EINPUT, 3, "must be shorter than the interval");
	path = with_line3(tmp, "\"schedule\": {\"every\": \"0s\"}");
	refused(path, R_EINPUT, 3, "is not a duration");
	path = with_line3(tmp, "\"ranges_refresh\": {\"every\": \"36501d\"}");
	refused(path, R_EINPUT, 3, "is not a duration");
	free(tmp);
}
END_TEST

START_TEST(wrong_types_name_the_key_and_its_line)
{
	static const struct {
		const char *line3, *part;
	} cases[] = {
	    {"\"database\": 5", "\"database\" must be a non-empty string"},
	    {"\"database\": \"\"", "\"database\" must be a non-empty string"},
	    {"\"policies\": true", "\"policies\" must be a non-empty string"},
	    {"\"geoip\": {}", "\"geoip\" must be a non-empty string"},
	    {"\"cache\": null", "\"cache\" must be a non-empty string"},
	    {"\"signing_key\": 1", "\"signing_key\" must be a non-empty string"},
	    {"\"zones\": \"a.zone\"", "\"zones\" must be an array of paths"},
	    {"\"zones\": [\"a.zone\", 1]", "zones[1] must be a path"},
	    {"\"zones\": [\"\"]", "zones[0] must be a path"},
	    {"\"resolvers\": \"192.0.2.1\"", "\"resolvers\" must be an array"},
	    {"\"resolvers\": [53]", "resolvers[0] must be a string"},
	    {"\"offline\": \"true\"", "\"offline\" must be true or false"},
	    {"\"offline\": 1", "\"offline\" must be true or false"},
	    {"\"max_age\": 604800", "\"max_age\" must be a duration"},
	    {"\"max_age\": \"7 days\"", "\"max_age\" must be a duration"},
	    {"\"webhook\": \"ftp://h/x\"", "\"webhook\" must be an http:// or https:// URL"},
	    {"\"webhook\": \"hooks.example.com\"", "\"webhook\" must be an http:// or https://"},
	    {"\"webhook\": []", "\"webhook\" must be a non-empty string"},
	    {"\"schedule\": \"6h\"", "\"schedule\" must be an object"},
	    {"\"schedule\": {\"every\": 6}", "\"every\" must be a string"},
	    {"\"schedule\": {\"every\": \"6h\", \"cron\": \"0 3 * * *\"}",
	     "takes \"every\" or \"cron\", not both"},
	    {"\"schedule\": {}", "\"schedule\" needs \"every\" or \"cron\""},
	    {"\"schedule\": {\"jitter\": \"1m\"}", "\"schedule\" needs \"every\" or \"cron\""},
	    {"\"schedule\": {\"cron\": \"0 3 * *\"}", "cron"},
	    {"\"schedule\": {\"cron\": \"61 3 * * *\"}", "cron"},
	    {"\"schedule\": {\"evry\": \"6h\"}", "unknown key \"evry\" in \"schedule\""},
	    {"\"ranges_refresh\": []", "\"ranges_refresh\" must be an object"},
	    {"\"ranges_refresh\": {\"cron\": \"0 3 * * *\"}",
	     "unknown key \"cron\" in \"ranges_refresh\""},
	    {"\"ranges\": []", "\"ranges\" maps providers to URLs"},
	    {"\"ranges\": {\"aws\": 1}", "ranges.aws must be a URL or a list of URLs"},
	    {"\"ranges\": {\"aws\": []}", "ranges.aws must be a URL or a list of URLs"},
	    {"\"ranges\": {\"aws\": [\"https://a\", 2]}", "ranges.aws must be a URL or a list"},
	    {"\"ranges\": {\"aws\": {}}", "ranges.aws must be a URL or a list of URLs"},
	};
	char *tmp = tu_tmpdir();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		refused(with_line3(tmp, cases[i].line3), R_EINPUT, 3, cases[i].part);
	/* the estate itself */
	refused(write_cfg(tmp, "c.json", "{\n\n  \"estate\": []\n}"), R_EINPUT, 3,
		"\"estate\" must be a non-empty string");
	free(tmp);
}
END_TEST

START_TEST(unknown_keys_and_wrong_shapes_are_refused)
{
	char *tmp = tu_tmpdir();
	const char *path;

	/* an unknown key: its line, and the keys there are */
	path = with_line3(tmp, "\"estat\": \"e.json\"");
	refused(path, R_EINPUT, 3, "unknown key \"estat\" (known: database estate policies zones");
	refused(path, R_EINPUT, 3, "schedule ranges_refresh webhook signing_key)");
	refused(with_line3(tmp, "\"Offline\": true"), R_EINPUT, 3, "unknown key \"Offline\"");
	/* a key twice */
	refused(with_line3(tmp, "\"estate\": \"f.json\""), R_EINPUT, 3, "duplicate");
	/* the estate is required */
	refused(write_cfg(tmp, "c.json", "{\n  \"offline\": true\n}\n"), R_EINPUT, 1,
		"missing \"estate\"");
	/* offline means no network: no resolvers with it */
	path = write_cfg(tmp, "c.json",
			 "{\n  \"estate\": \"e.json\",\n  \"offline\": true,\n"
			 "  \"resolvers\": [\"192.0.2.1\"]\n}\n");
	refused(path, R_EINPUT, 4, "\"offline\": true means no network");
	/* not an object */
	refused(write_cfg(tmp, "c.json", "[\"estate\"]\n"), R_EINPUT, 1,
		"a configuration is a JSON object");
	refused(write_cfg(tmp, "c.json", "\"estate\"\n"), R_EINPUT, 1, "");
	/* not JSON: the line of the fault */
	refused(write_cfg(tmp, "c.json", "{\n  \"estate\": \"e.json\",\n  \"offline\": tru\n}\n"),
		R_EINPUT, 3, "");
	free(tmp);
}
END_TEST

/*
 * "ranges_refresh" takes "every" alone (docs/SERVE.md, `config check --help`):
 * the refresh has no jitter. A "jitter" there was taken as the SCAN schedule's
 * jitter: it changed when scans run, unchecked against their interval.
 */
START_TEST(a_jitter_in_ranges_refresh_is_refused_not_given_to_scans)
{
	char *tmp = tu_tmpdir();
	const char *path;

	path = write_cfg(tmp, "c.json",
			 "{\n  \"estate\": \"e.json\",\n  \"schedule\": {\"every\": \"1h\"},\n"
			 "  \"ranges_refresh\": {\"every\": \"1d\", \"jitter\": \"2h\"}\n}\n");
	refused(path, R_EINPUT, 4, "unknown key \"jitter\" in \"ranges_refresh\"");
	path = write_cfg(tmp, "c.json",
			 "{\n  \"estate\": \"e.json\",\n"
			 "  \"ranges_refresh\": {\"every\": \"1d\", \"jitter\": \"30m\"},\n"
			 "  \"schedule\": {\"every\": \"1h\"}\n}\n");
	refused(path, R_EINPUT, 3, "unknown key \"jitter\" in \"ranges_refresh\"");
	free(tmp);
}
END_TEST

START_TEST(empty_missing_and_oversized_files)
{
	char *tmp = tu_tmpdir(), path[4400];
	struct config *c;
	struct rerr err;

	/* empty, blank: not JSON, never an empty configuration */
	const char *empty = write_cfg(tmp, "empty.json", "");
	ck_assert_int_eq(load(empty, &c, &err), R_EINPUT);
	ck_assert_str_eq(err.where, empty);
	ck_assert_int_eq(load(write_cfg(tmp, "blank.json", "\n\n  \n"), &c, &err), R_EINPUT);
	ck_assert_int_eq(load(write_cfg(tmp, "obj.json", "{}"), &c, &err), R_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "missing \"estate\""));
	/* a NUL byte, on its line */
	snprintf(path, sizeof(path), "%s/nul.json", tmp);
	ck_assert_int_eq(tu_write(path, "{\n\"estate\": \"e\0.json\"}", 22), 0);
	refused(path, R_EINPUT, 2, "NUL");
	/* no such file */
	snprintf(path, sizeof(path), "%s/missing.json", tmp);
	ck_assert_int_eq(load(path, &c, &err), R_EINPUT);
	ck_assert_str_eq(err.where, path);
	/* the size cap: exactly JSONPOS_MAX_BYTES is read, one more byte is refused */
	size_t cap = JSONPOS_MAX_BYTES;
	char *big = malloc(cap + 1);
	ck_assert_ptr_nonnull(big);
	const char *head = "{\"estate\": \"e.json\", \"description\": \"";
	memset(big, 'x', cap + 1);
	memcpy(big, head, strlen(head));
	memcpy(big + cap - 3, "\"}\n", 3);
	snprintf(path, sizeof(path), "%s/cap.json", tmp);
	ck_assert_int_eq(tu_write(path, big, cap), 0);
	ck_assert_msg(load(path, &c, &err) == R_OK, "%s", err.msg);
	ck_assert_uint_eq(strlen(c->text), cap);
	config_free(c);
	memcpy(big + cap - 2, " }\n", 3);
	ck_assert_int_eq(tu_write(path, big, cap + 1), 0);
	ck_assert_int_eq(load(path, &c, &err), R_ELIMIT);
	ck_assert_str_eq(err.where, path);
	ck_assert_ptr_nonnull(strstr(err.msg, "larger than"));
	free(big);
	free(tmp);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, every_key_with_valid_values);
	tcase_add_test(tc, defaults_of_a_file_with_only_the_estate);
	tcase_add_test(tc, relative_paths_are_resolved_against_the_file_folder);
	tcase_add_test(tc, every_bound_on_both_sides);
	tcase_add_test(tc, wrong_types_name_the_key_and_its_line);
	tcase_add_test(tc, unknown_keys_and_wrong_shapes_are_refused);
	tcase_add_test(tc, a_jitter_in_ranges_refresh_is_refused_not_given_to_scans);
	tcase_add_test(tc, empty_missing_and_oversized_files);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(config_suite());
}
