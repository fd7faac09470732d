/*
 * test_ranges: every bundled real file parses with exactly the counts of
 * data/ranges/SOURCES.md; hostile files are rejected naming file and record.
 */
#include "ranges/ranges.h"
#include "lib/testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void counts(const char *provider, const char *file, size_t n, size_t v4, size_t v6)
{
	struct range_set s;
	struct rerr err;
	char rel[512];

	snprintf(rel, sizeof(rel), "data/ranges/%s", file);
	range_set_init(&s, provider);
	rerr_clear(&err);
	ck_assert_msg(ranges_load_file(provider, tu_path(rel), &s, &err) == R_OK, "%s: %s", file,
		      err.msg);
	ck_assert_msg(s.n == n && s.nv4 == v4 && s.nv6 == v6,
		      "%s: %zu (%zu/%zu), want %zu (%zu/%zu)", file, s.n, s.nv4, s.nv6, n, v4, v6);
	ck_assert_int_eq(ranges_sanity(&s, file, &err), R_OK);
	range_set_free(&s);
}

/* The numbers are SOURCES.md's "entries (v4 / v6)" column, counted with python3. */
START_TEST(bundled_counts_match_sources_md)
{
	counts("aws", "aws/ip-ranges-2025-07-24.json", 13344, 8971, 4373);
	counts("aws", "aws/ip-ranges-2025-04-11.json", 12207, 8561, 3646);
	counts("gcp", "gcp/cloud-2025-07-24.json", 782, 736, 46);
	counts("gcp", "gcp/cloud-2025-04-11.json", 765, 719, 46);
	counts("google", "google/goog-2024-04-25.json", 84, 73, 11);
	counts("azure", "azure/ServiceTags_Public-2025-07-22.json", 90493, 67078, 23415);
	counts("oracle", "oracle/public_ip_ranges-2025-07-21.json", 896, 896, 0);
	counts("digitalocean", "digitalocean/geofeed-2025-07-22.csv", 1182, 1037, 145);
	counts("linode", "linode/geofeed-2025-07-24.csv", 4552, 4464, 88);
	counts("vultr", "vultr/geofeed-2024-04-18.json", 513, 459, 54);
	counts("github", "github/meta-2025-07-25.json", 5959, 4969, 990);
	counts("fastly", "fastly/public-ip-list-2025-07-25.json", 21, 19, 2);
	counts("cloudflare", "cloudflare/ips-v4-2025-07-25.txt", 15, 15, 0);
	counts("cloudflare", "cloudflare/ips-v6-2025-07-25.txt", 7, 0, 7);
	counts("akamai", "akamai/akamai_ipv4_CIDRs-2024-01-24.txt", 19, 19, 0);
	counts("akamai", "akamai/akamai_ipv6_CIDRs-2024-01-24.txt", 3, 0, 3);
}
END_TEST

START_TEST(bundled_versions_and_fields)
{
	struct range_set s;
	struct rerr err;

	range_set_init(&s, "aws");
	ck_assert_int_eq(ranges_load_bundled("aws", &s, &err), R_OK);
	ck_assert_ptr_nonnull(strstr(s.version, "1753388594"));
	bool bue = false;
	for (size_t i = 0; i < s.n; i++)
		if (strcmp(s.v[i].border_group, "us-east-1-bue-1") == 0) {
			ck_assert_str_eq(s.v[i].region, "us-east-1");
			bue = true;
		}
	ck_assert(bue);
	range_set_free(&s);
	range_set_init(&s, "linode");
	ck_assert_int_eq(ranges_load_bundled("linode", &s, &err), R_OK);
	ck_assert_ptr_nonnull(strstr(s.version, "2025-07-24 10:00:06"));
	ck_assert_int_eq(s.kind, RANGE_GEOFEED);
	ck_assert_str_ne(s.v[0].country, "");
	range_set_free(&s);
	range_set_init(&s, "cloudflare");
	ck_assert_int_eq(ranges_load_bundled("cloudflare", &s, &err), R_OK);
	ck_assert_uint_eq(s.n, 22);
	for (size_t i = 0; i < s.n; i++)
		ck_assert(s.v[i].global); /* anycast */
	range_set_free(&s);
}
END_TEST

static void rejects(const char *provider, const char *fixture, enum rstatus want, long line,
		    const char *needle)
{
	struct range_set s;
	struct rerr err;
	char rel[512], path[4096];
	enum rstatus rc;

	snprintf(rel, sizeof(rel), "tests/fixtures/ranges/bad/%s", fixture);
	snprintf(path, sizeof(path), "%s", tu_path(rel));
	range_set_init(&s, provider);
	rerr_clear(&err);
	rc = ranges_load_file(provider, path, &s, &err);
	if (rc == R_OK)
		rc = ranges_sanity(&s, path, &err);
	ck_assert_msg(rc == want, "%s: status %d, want %d (%s)", fixture, rc, want, err.msg);
	ck_assert_msg(strstr(err.where, fixture) != NULL, "%s: error does not name the file: %s",
		      fixture, err.where);
	ck_assert_msg(strstr(err.msg, needle) != NULL, "%s: \"%s\" not in \"%s\"", fixture, needle,
		      err.msg);
	ck_assert_msg(err.line == line, "%s: line %ld, want %ld", fixture, err.line, line);
	range_set_free(&s);
}

START_TEST(hostile_files_are_rejected_naming_file_and_record)
{
	/* python3 -c "json.load(...)" says: line 1977 column 42 (char 50000) */
	rejects("aws", "aws-truncated.json", R_EINPUT, 1977, "not valid JSON");
	rejects("aws", "aws-mistyped-list.json", R_EINPUT, 0, "\"prefixes\" is not an array");
	rejects("aws", "aws-mistyped-prefix.json", R_EINPUT, 0,
		"prefixes[1]: \"ip_prefix\" is not a string");
	rejects("aws", "aws-bad-prefix.json", R_EINPUT, 0,
		"prefixes[0]: \"52.95.1100.0/24\" is not an IP prefix");
	rejects("aws", "aws-default-route-v6.json", R_EINPUT, 0, "::/0 is a default route");
	rejects("aws", "empty.json", R_EINPUT, 0, "file is empty");
	rejects("cloudflare", "cidrlist-default-route.txt", R_EINPUT, 0,
		"0.0.0.0/0 is a default route");
	rejects("digitalocean", "geofeed-bad-country.csv", R_EINPUT, 2,
		"country \"USA\" is not an ISO 3166-1 alpha-2 code");
	rejects("digitalocean", "geofeed-host-bits.csv", R_EINPUT, 2, "host bits set");
}
END_TEST

START_TEST(huge_input_is_refused_not_truncated)
{
	struct range_set s;
	struct rerr err;
	char *big = calloc(1, (size_t)RANGES_MAX_BYTES + 1);

	ck_assert_ptr_nonnull(big);
	range_set_init(&s, "aws");
	ck_assert_int_eq(
	    ranges_parse("aws", big, (size_t)RANGES_MAX_BYTES + 1, "huge.json", &s, &err),
	    R_ELIMIT);
	ck_assert_ptr_nonnull(strstr(err.msg, "over the limit"));
	ck_assert_str_eq(err.where, "huge.json");
	free(big);
	range_set_free(&s);
	ck_assert_int_eq(ranges_parse("nosuch", "x", 1, "f", &s, &err), R_EINPUT);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("ranges");
	TCase *tc = tcase_create("ranges");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, bundled_counts_match_sources_md);
	tcase_add_test(tc, bundled_versions_and_fields);
	tcase_add_test(tc, hostile_files_are_rejected_naming_file_and_record);
	tcase_add_test(tc, huge_input_is_refused_not_truncated);
	suite_add_tcase(su, tc);
	return tu_run_suite(su);
}
