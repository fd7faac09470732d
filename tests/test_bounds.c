/*
 * test_bounds: every bound of issue 13's audit that input can reach, through
 * the binary: going over it is an error that names it (exit 2) or a finding,
 * never a shorter answer. Bounds of paths and answers are tested where they
 * live (test_check paths_are_never_cut, test_scan, test_store, test_ranges);
 * docs/TESTING.md lists them all.
 */
#include "lib/testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Runs `residency ARGS` from the checkout; its exit status, stderr in *err. */
static int run(const char *args, char **err)
{
	return tu_cli(args, NULL, err);
}

static void refused(const char *args, int status, const char *said)
{
	char *err = NULL;
	ck_assert_int_eq(run(args, &err), status);
	ck_assert_msg(err && strstr(err, said) != NULL, "\"%s\" not in: %s", said, err);
	free(err);
}

/* Cloudflare publishes an IPv4 and an IPv6 list: given one, the other family
 * fell to GeoIP (its anycast IPv6 placed in a country). All or none. */
START_TEST(a_provider_is_given_all_its_files_or_none)
{
	refused("lookup --ranges cloudflare=data/ranges/cloudflare/ips-v4-2025-07-25.txt "
		"104.16.0.1",
		2, "cloudflare publishes 2 range files");
	char *out = NULL;
	ck_assert_int_eq(
	    tu_cli("lookup --format json --ranges cloudflare=data/ranges/cloudflare/"
		   "ips-v4-2025-07-25.txt --ranges "
		   "cloudflare=data/ranges/cloudflare/ips-v6-2025-07-25.txt 2606:4700::1",
		   &out, NULL),
	    0);
	ck_assert_ptr_nonnull(strstr(out, "\"scope\":\"global\""));
	free(out);

	/* A configuration's "ranges" takes a list for such a provider. */
	char *dir = tu_tmpdir(), path[4096], args[8192];
	snprintf(path, sizeof(path), "%s/c.json", dir);
	const char *cfg = "{\"estate\": \"/x\", \"ranges\": {\"cloudflare\": [\"https://a\", 7]}}";
	ck_assert_int_eq(tu_write(path, cfg, strlen(cfg)), 0);
	snprintf(args, sizeof(args), "config check '%s'", path);
	refused(args, 2, "ranges.cloudflare must be a URL or a list of URLs");
	free(dir);
}
END_TEST

/* `ranges fetch` built a snapshot of a provider's first three files and cached it. */
START_TEST(a_snapshot_of_more_files_than_it_holds_is_refused)
{
	char *dir = tu_tmpdir(), args[8192];
	snprintf(args, sizeof(args),
		 "ranges fetch --cache '%s' --ranges aws=file:///a --ranges aws=file:///b "
		 "--ranges aws=file:///c --ranges aws=file:///d",
		 dir);
	refused(args, 2, "aws: 4 files given; a snapshot holds at most 3");
	free(dir);
}
END_TEST

/* The resolver list was cut at 511 bytes: fewer resolvers, or a cut address. */
START_TEST(a_resolver_list_too_long_is_refused)
{
	char args[16384] = "resolve";
	for (int i = 0; i < 100; i++)
		strcat(args, " --resolver [0000:0000:0000:0000:0000:0000:0000:0001]:53");
	strcat(args, " example.com");
	refused(args, 2, "the resolver list is longer than 4095 characters");
}
END_TEST

/* The GeoIP path was cut, and the flattened table's cache keyed on the cut path. */
START_TEST(a_geoip_path_too_long_is_refused)
{
	char args[4096] = "lookup --geoip /";
	for (int i = 0; i < 1100; i++)
		strcat(args, "g");
	strcat(args, " 1.1.1.1");
	refused(args, 2, "a GeoIP database path is at most 1023 bytes");
}
END_TEST

/* A policy's name is quoted by its findings: a longer one cut their text. */
START_TEST(a_policy_name_too_long_is_refused)
{
	refused("check --offline --estate tests/fixtures/policy-bad/estate-ok.json --policies "
		"tests/fixtures/policy-bad/policies-longname",
		2, "p.json:2: a policy name is at most 128 characters");
}
END_TEST

/* A range URL over what a snapshot keeps was cut in its evidence (meta.json,
 * range_snapshots, scan_sources): refused before anything is fetched. */
START_TEST(a_range_url_too_long_is_refused)
{
	char *dir = tu_tmpdir(), args[8192];
	int n =
	    snprintf(args, sizeof(args), "ranges fetch --cache '%s' --ranges aws=https://x/", dir);
	for (int i = 0; i < 1100; i++)
		args[n++] = 'u';
	args[n] = '\0';
	refused(args, 2, "a range URL is at most 1023 bytes");
	free(dir);
}
END_TEST

/* The caps on what is read whole: an estate (128 MiB; read a service at a
 * time, issue 16), a range file (64 MiB), a range set (2,000,000 records).
 * Each refuses, naming the file. */
START_TEST(files_and_records_over_their_caps_are_refused)
{
	char *dir = tu_tmpdir(), path[4096], args[8192];

	snprintf(path, sizeof(path), "%s/estate.json", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ftruncate(fileno(f), (off_t)129 << 20), 0); /* sparse */
	ck_assert_int_eq(fclose(f), 0);
	snprintf(args, sizeof(args),
		 "check --offline --estate '%s' --policies tests/fixtures/policy-bad/policies",
		 path);
	refused(args, 2, "file is larger than the limit of 134217728 bytes");

	/* Every other JSON file (configuration, policy, group): 16 MiB. */
	snprintf(path, sizeof(path), "%s/policies", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/policies/p.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ftruncate(fileno(f), (off_t)17 << 20), 0);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(args, sizeof(args),
		 "check --offline --estate tests/fixtures/policy-bad/estate-ok.json --policies "
		 "'%s/policies'",
		 dir);
	refused(args, 2, "file is larger than the limit of 16777216 bytes");

	/* An estate under its byte cap can pass the caps on services and on the
	 * endpoints of one service (1,000,000 each): refused, never cut. */
	snprintf(path, sizeof(path), "%s/services.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"services\": [", f);
	for (int i = 0; i < 1000001; i++)
		fprintf(f, "%s{\"name\": \"s%d\", \"policy\": \"sg-only\", \"endpoints\": [\"a\"]}",
			i ? ",\n" : "", i);
	fputs("]}", f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(args, sizeof(args),
		 "check --offline --estate '%s' --policies tests/fixtures/policy-bad/policies",
		 path);
	refused(args, 2, "more than 1000000 services");
	snprintf(path, sizeof(path), "%s/endpoints.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"services\": [{\"name\": \"s\", \"policy\": \"sg-only\",\n\"endpoints\": [", f);
	for (int i = 0; i < 1000001; i++)
		fputs(i ? ",\"a\"" : "\"a\"", f);
	fputs("]}]}", f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(args, sizeof(args),
		 "check --offline --estate '%s' --policies tests/fixtures/policy-bad/policies",
		 path);
	refused(args, 2, ":2: \"endpoints\" has more than 1000000 entries");

	snprintf(path, sizeof(path), "%s/huge.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ftruncate(fileno(f), (off_t)65 << 20), 0); /* sparse: no 65 MB written */
	ck_assert_int_eq(fclose(f), 0);
	snprintf(args, sizeof(args), "lookup --ranges aws='%s' 1.1.1.1", path);
	refused(args, 2, "file is larger than the limit of 67108864 bytes");

	snprintf(path, sizeof(path), "%s/many.txt", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (unsigned i = 0; i <= 2000000; i++)
		fprintf(f, "10.%u.%u.%u/32\n", i >> 16 & 255, i >> 8 & 255, i & 255);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(args, sizeof(args),
		 "lookup --ranges akamai='%s' --ranges "
		 "akamai=data/ranges/akamai/akamai_ipv6_CIDRs-2024-01-24.txt 1.1.1.1",
		 path);
	refused(args, 2, "line 2000001: more than 2000000 records");
	free(dir);
}
END_TEST

/* Lists given on the command line or in a configuration: more is a usage error. */
START_TEST(argument_and_list_caps_are_refused)
{
	char args[16384], *dir = tu_tmpdir(), path[4096];
	int n = snprintf(args, sizeof(args), "check --offline --estate x");
	for (int i = 0; i < 257; i++)
		n += snprintf(args + n, sizeof(args) - (size_t)n, " --zone x");
	refused(args, 2, "too many --zone/--axfr/--resolver");
	n = snprintf(args, sizeof(args), "lookup");
	for (int i = 0; i < 65; i++)
		n += snprintf(args + n, sizeof(args) - (size_t)n, " --ranges aws=x");
	snprintf(args + n, sizeof(args) - (size_t)n, " 1.1.1.1");
	refused(args, 2, "more than 64 --ranges");
	n = snprintf(args, sizeof(args), "ranges fetch");
	for (int i = 0; i < 65; i++)
		n += snprintf(args + n, sizeof(args) - (size_t)n, " --ranges aws=x");
	refused(args, 2, "too many --ranges");

	snprintf(path, sizeof(path), "%s/c.json", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"estate\": \"e.json\",\n \"zones\": [", f);
	for (int i = 0; i < 257; i++)
		fprintf(f, "%s\"z%d.zone\"", i ? ", " : "", i);
	fputs("]}\n", f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(args, sizeof(args), "config check '%s'", path);
	refused(args, 2, "more than 256 entries");
	free(dir);
}
END_TEST

/* Writes text to DIR/name; the path in out. */
static void put(const char *dir, const char *name, const char *text, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", dir, name);
	ck_assert_int_eq(tu_write(out, text, strlen(text)), 0);
}

/* Range records: a list of services longer than an attribution keeps says
 * so (",+more"); Oracle's joined tags longer than a service name are refused;
 * a fourth local file of a provider is refused (it was judged, not listed). */
START_TEST(range_record_caps)
{
	char *dir = tu_tmpdir(), path[4096], args[16384], *out = NULL;
	char json[16384];
	int n = snprintf(json, sizeof(json),
			 "{\"syncToken\":\"1\",\"createDate\":\"x\",\"prefixes\":[");
	for (int i = 0; i < 60; i++)
		n +=
		    snprintf(json + n, sizeof(json) - (size_t)n,
			     "%s{\"ip_prefix\":\"3.0.0.0/24\",\"region\":\"us-east-1\",\"service\":"
			     "\"SERVICE_NUMBER_%04d\",\"network_border_group\":\"us-east-1\"}",
			     i ? "," : "", i);
	snprintf(json + n, sizeof(json) - (size_t)n, "],\"ipv6_prefixes\":[]}");
	put(dir, "aws.json", json, path, sizeof(path));
	snprintf(args, sizeof(args), "lookup --format json --ranges aws='%s' 3.0.0.1", path);
	ck_assert_int_eq(tu_cli(args, &out, NULL), 0);
	ck_assert_msg(strstr(out, "\"+more\"]") != NULL, "%s", out);
	free(out);

	put(dir, "oracle.json",
	    "{\"last_updated_timestamp\":\"x\",\"regions\":[{\"region\":\"eu-frankfurt-1\","
	    "\"cidrs\":[{\"cidr\":\"130.61.0.0/16\",\"tags\":[\"OCI\",\"OBJECT_STORAGE\","
	    "\"ORACLE_SERVICES_NETWORK_WITH_A_LONG_NAME\",\"AND_ANOTHER_ONE\"]}]}]}",
	    path, sizeof(path));
	snprintf(args, sizeof(args), "lookup --ranges oracle='%s' 1.1.1.1", path);
	refused(args, 2, "its tags are longer than 63 characters");

	snprintf(args, sizeof(args), "lookup");
	for (int i = 0; i < 4; i++)
		strcat(args, " --ranges aws=data/ranges/aws/ip-ranges-2025-07-24.json");
	strcat(args, " 1.1.1.1");
	refused(args, 2, "aws: more than 3 range files");

	n = snprintf(args, sizeof(args), "resolve --offline");
	for (int i = 0; i < 257; i++)
		n += snprintf(args + n, sizeof(args) - (size_t)n, " --zone x");
	snprintf(args + n, sizeof(args) - (size_t)n, " a.example");
	refused(args, 2, "too many --zone");
	free(dir);
}
END_TEST

/* Names or addresses read from standard input: a read that fails was the end
 * of the input, and lookup exited 0 with fewer answers than questions. */
START_TEST(standard_input_that_cannot_be_read_is_not_a_pass)
{
	char cmd[4096], *err = NULL;
	snprintf(cmd, sizeof(cmd), "'%s' lookup < /", tu_bin());
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 3);
	ck_assert_ptr_nonnull(strstr(err, "reading standard input"));
	free(err);
	snprintf(cmd, sizeof(cmd), "'%s' resolve --offline < /", tu_bin());
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 3);
	ck_assert_ptr_nonnull(strstr(err, "reading standard input"));
	free(err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bounds");
	TCase *tc = tcase_create("bounds");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_provider_is_given_all_its_files_or_none);
	tcase_add_test(tc, a_snapshot_of_more_files_than_it_holds_is_refused);
	tcase_add_test(tc, a_resolver_list_too_long_is_refused);
	tcase_add_test(tc, a_geoip_path_too_long_is_refused);
	tcase_add_test(tc, a_policy_name_too_long_is_refused);
	tcase_add_test(tc, a_range_url_too_long_is_refused);
	tcase_add_test(tc, files_and_records_over_their_caps_are_refused);
	tcase_add_test(tc, argument_and_list_caps_are_refused);
	tcase_add_test(tc, range_record_caps);
	tcase_add_test(tc, standard_input_that_cannot_be_read_is_not_a_pass);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
