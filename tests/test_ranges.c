/*
 * test_ranges: every bundled real file parses with exactly the counts of
 * data/ranges/SOURCES.md; hostile files are rejected naming file and record.
 */
#include "ranges/ranges.h"
#include "lib/testutil.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Issue 13, item 4: a feed may claim the internet without a default route. */
START_TEST(whole_internet_in_pieces_is_refused)
{
	rejects("cloudflare", "cidrlist-two-halves.txt", R_EINPUT, 0,
		"cloudflare claims 4294967296 IPv4 addresses (a /0.0 worth, 100.0% of IPv4), "
		"over the ceiling of a /4 worth");
	rejects("cloudflare", "cidrlist-two-halves-v6.txt", R_EINPUT, 0,
		"cloudflare claims 1.845e+19 IPv6 /64s (a /0.0 worth");
	rejects("akamai", "cidrlist-over-ceiling.txt", R_EINPUT, 0,
		"akamai claims 285212672 IPv4 addresses (a /3.9 worth");
	rejects("akamai", "cidrlist-one-repeated.txt", R_EINPUT, 0,
		"all 3 records of akamai are copies of one (52.95.110.0/24)");
}
END_TEST

/* Overlaps are merged before measuring; copies are dropped and counted once. */
START_TEST(space_merges_overlaps_and_duplicates_are_dropped)
{
	struct range_set s;
	struct rerr err;
	struct ranges_space sp;

	range_set_init(&s, "akamai");
	ck_assert_int_eq(
	    ranges_load_file("akamai", tu_path("tests/fixtures/ranges/cidrlist-nested-ceiling.txt"),
			     &s, &err),
	    R_OK);
	ck_assert_uint_eq(s.n, 17);
	ranges_space(&s, &sp);
	ck_assert(sp.v4 == 268435456.0); /* 2^28: the /4 once, its /8s inside it */
	ck_assert(sp.v6 == 0.0);
	ck_assert_int_eq(ranges_sanity(&s, "nested", &err), R_OK); /* at the ceiling, not over */
	range_set_free(&s);

	/* Exact copies are dropped (the first kept, order kept) and not counted. */
	const char *feed = "5.101.96.0/21,NL,NL-NH,Amsterdam,\n"
			   "2a03:b0c0::/32,US,,,\n"
			   "5.101.96.0/21,NL,NL-NH,Amsterdam,\n"
			   "5.101.96.0/21,DE,,,\n"
			   "2a03:b0c0::/32,US,,,\n";
	range_set_init(&s, "digitalocean");
	ck_assert_int_eq(ranges_parse("digitalocean", feed, strlen(feed), "dups.csv", &s, &err),
			 R_OK);
	ck_assert_uint_eq(s.n, 5);
	ck_assert_int_eq(ranges_sanity(&s, "dups.csv", &err), R_OK);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_uint_eq(s.duplicates, 2);
	ck_assert_uint_eq(s.nv4, 2);
	ck_assert_uint_eq(s.nv6, 1);
	ck_assert_str_eq(s.v[0].country, "NL");
	ck_assert_str_eq(s.v[1].country, "US");
	ck_assert_str_eq(s.v[2].country, "DE");
	range_set_free(&s);

	/* Every bundled real provider passes, and claims no more than the largest
	 * measures that ranges.h gives for choosing the ceilings (AWS's IPv4, a /5.5;
	 * Akamai's IPv6, a /24): each ceiling is well above them. */
	for (const struct range_provider *p = range_providers; p->name; p++) {
		range_set_init(&s, p->name);
		ck_assert_msg(ranges_load_bundled(p->name, &s, &err) == R_OK, "%s: %s", p->name,
			      err.msg);
		ranges_space(&s, &sp);
		ck_assert_msg(sp.v4 <= 94988347.0, "%s: %.0f IPv4 addresses", p->name, sp.v4);
		ck_assert_msg(sp.v6 <= 1.11e12, "%s: %.4g IPv6 /64s", p->name, sp.v6);
		ck_assert_uint_eq(s.duplicates, 0);
		range_set_free(&s);
	}
	ck_assert(94988347.0 * 2.8 < ldexp(1.0, 32 - RANGES_MAX_V4_SPACE_LEN));
	ck_assert(1.11e12 * 250 < ldexp(1.0, 64 - RANGES_MAX_V6_SPACE_LEN));
}
END_TEST

START_TEST(growth_against_the_last_good_snapshot)
{
	struct range_set old, neu;
	struct rerr err;

	range_set_init(&old, "fastly");
	range_set_init(&neu, "fastly");
	ck_assert_int_eq(
	    ranges_add(&old, "10.0.0.0/16", NULL, NULL, NULL, NULL, false, "t", NULL, &err), R_OK);
	ck_assert_int_eq(
	    ranges_add(&neu, "10.0.0.0/15", NULL, NULL, NULL, NULL, false, "t", NULL, &err), R_OK);
	/* Twice the space: allowed. */
	ck_assert_int_eq(ranges_growth(&old, &neu, "new.txt", &err), R_OK);
	/* Four times, and more than a /16 more: refused, naming provider and numbers. */
	ck_assert_int_eq(
	    ranges_add(&neu, "10.2.0.0/15", NULL, NULL, NULL, NULL, false, "t", NULL, &err), R_OK);
	ck_assert_int_eq(ranges_growth(&old, &neu, "new.txt", &err), R_EINPUT);
	ck_assert_str_eq(err.where, "new.txt");
	ck_assert_msg(strstr(err.msg, "fastly: the new file claims 262144 IPv4 addresses (a /14.0 "
				      "worth), 4.0x the last good snapshot's 65536 (a /16.0 "
				      "worth); more than 2x is refused") != NULL,
		      "%s", err.msg);
	range_set_free(&neu);
	/* A small provider may add a little, even if that is more than twice. */
	range_set_init(&neu, "fastly");
	ck_assert_int_eq(
	    ranges_add(&neu, "10.0.0.0/16", NULL, NULL, NULL, NULL, false, "t", NULL, &err), R_OK);
	ck_assert_int_eq(
	    ranges_add(&neu, "2001:db8::/48", NULL, NULL, NULL, NULL, false, "t", NULL, &err),
	    R_OK);
	ck_assert_int_eq(ranges_growth(&old, &neu, "new.txt", &err), R_OK);
	/* IPv6 from nothing to a /24: refused. */
	ck_assert_int_eq(
	    ranges_add(&neu, "2600::/24", NULL, NULL, NULL, NULL, false, "t", NULL, &err), R_OK);
	ck_assert_int_eq(ranges_growth(&old, &neu, "new.txt", &err), R_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "IPv6 /64s (a /24.0 worth)"));
	range_set_free(&neu);
	range_set_free(&old);
}
END_TEST

/* Issue 13, item 7: DigitalOcean publishes rows with the country "None". */
START_TEST(geofeed_bad_rows_are_skipped_and_counted)
{
	struct range_set s;
	struct rerr err;

	range_set_init(&s, "digitalocean");
	rerr_clear(&err);
	ck_assert_msg(ranges_load_file("digitalocean",
				       tu_path("tests/fixtures/ranges/digitalocean-none-rows.csv"),
				       &s, &err) == R_OK,
		      "%s", err.msg);
	ck_assert_int_eq(ranges_sanity(&s, "do", &err), R_OK);
	ck_assert_uint_eq(s.rows, 300);
	ck_assert_uint_eq(s.invalid, 3);
	ck_assert_uint_eq(s.n, 300); /* the bad rows' prefixes are still DigitalOcean's */
	bool seen = false;
	for (size_t i = 0; i < s.n; i++) {
		char text[64];
		if (strcmp(prefix_format(&s.v[i].prefix, text, sizeof(text)), "129.212.160.0/22"))
			continue;
		ck_assert_str_eq(s.v[i].country, "");
		ck_assert_str_eq(s.v[i].region, "");
		seen = true;
	}
	ck_assert(seen);
	range_set_free(&s);

	/* Four of 300 is over 1%: refused, naming the count and the first bad line. */
	rejects("digitalocean", "digitalocean-too-many-none.csv", R_EINPUT, 50,
		"4 of 300 rows are invalid, more than 1% (the feed is refused); the first: line "
		"50: country \"None\" is not an ISO 3166-1 alpha-2 code");

	/* A broken prefix is a bad row too; a NUL byte is fatal whatever the count. */
	const char *feed = "5.101.96.0/21,NL,NL-NH,Amsterdam,\n5.101.1000.0/21,NL,,,\n";
	range_set_init(&s, "digitalocean");
	ck_assert_int_eq(ranges_parse("digitalocean", feed, strlen(feed), "f.csv", &s, &err),
			 R_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "1 of 2 rows are invalid"));
	ck_assert_ptr_nonnull(strstr(err.msg, "\"5.101.1000.0/21\" is not an IP prefix"));
	ck_assert_int_eq(err.line, 2);
	ck_assert_int_eq(
	    ranges_parse("digitalocean", "5.101.96.0/21,NL\n\0\n", 19, "f.csv", &s, &err),
	    R_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "NUL byte"));
	range_set_free(&s);
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

/* The parsed-ranges cache: a truncated or corrupt file is parsed again, never trusted. */
START_TEST(corrupt_parsed_cache_is_rebuilt_not_trusted)
{
	char *cache = tu_tmpdir(), path[4200];
	struct range_set s;
	struct rerr err;
	size_t len, good_len;

	const char *was = getenv("RESIDENCY_CACHE");
	char *saved = was ? strdup(was) : NULL;
	setenv("RESIDENCY_CACHE", cache, 1);
	snprintf(path, sizeof(path), "%s/parsed/cloudflare.bin", cache);
	range_set_init(&s, "cloudflare");
	ck_assert_int_eq(ranges_load_bundled("cloudflare", &s, &err), R_OK);
	range_set_free(&s);
	char *good = tu_slurp(path, &good_len);
	ck_assert_ptr_nonnull(good);
	size_t head = good_len - 22 * sizeof(struct range_entry);
	/* Each corruption: the load still gives the bundled file's 22 records, with
	 * 173.245.48.0/20 first, and the cache is written again whole. */
	for (int k = 0; k < 6; k++) {
		char *bad = malloc(good_len);
		size_t bad_len = good_len;
		struct range_entry *e0 = (struct range_entry *)(bad + head), tmp;
		memcpy(bad, good, good_len);
		memcpy(&tmp, e0, sizeof(tmp));
		switch (k) {
		case 0: /* cut short */
			bad_len = good_len - 10;
			break;
		case 1: /* a prefix length out of bounds */
			tmp.prefix.len = 99;
			break;
		case 2: /* a string without its end */
			memset(tmp.region, 'A', sizeof(tmp.region));
			break;
		case 3: /* an unknown address family */
			tmp.prefix.addr.family = 5;
			break;
		case 4: /* host bits below the length */
			tmp.prefix.addr.b[3] = 1;
			break;
		case 5: /* legal records, but the whole internet in two halves */
			tmp.prefix.len = 1;
			memset(tmp.prefix.addr.b, 0, 16);
			memcpy(e0 + 1, &tmp, sizeof(tmp));
			tmp.prefix.addr.b[0] = 128;
			break;
		}
		memcpy(e0, &tmp, sizeof(tmp));
		ck_assert_int_eq(tu_write(path, bad, bad_len), 0);
		free(bad);
		range_set_init(&s, "cloudflare");
		ck_assert_int_eq(ranges_load_bundled("cloudflare", &s, &err), R_OK);
		ck_assert_uint_eq(s.n, 22);
		char text[64];
		ck_assert_str_eq(prefix_format(&s.v[0].prefix, text, sizeof(text)),
				 "173.245.48.0/20");
		ck_assert_str_eq(s.v[0].region, "");
		range_set_free(&s);
		char *again = tu_slurp(path, &len);
		ck_assert_msg(again && len == good_len && memcmp(again, good, len) == 0,
			      "case %d: the cache was not written again", k);
		free(again);
	}
	/* Larger than any cache can be (PARSED_MAX_BYTES: 2,000,000 records): a
	 * sparse 4 GiB file is not read, but parsed again and rewritten. */
	ck_assert_int_eq(tu_write(path, good, good_len), 0);
	ck_assert_int_eq(truncate(path, (off_t)4 << 30), 0);
	range_set_init(&s, "cloudflare");
	ck_assert_int_eq(ranges_load_bundled("cloudflare", &s, &err), R_OK);
	ck_assert_uint_eq(s.n, 22);
	range_set_free(&s);
	char *again = tu_slurp(path, &len);
	ck_assert_msg(again && len == good_len && memcmp(again, good, len) == 0,
		      "an oversized cache was not written again");
	free(again);
	/* The good cache is used as it is. */
	range_set_init(&s, "cloudflare");
	ck_assert_int_eq(ranges_load_bundled("cloudflare", &s, &err), R_OK);
	ck_assert_uint_eq(s.n, 22);
	range_set_free(&s);
	free(good);
	if (saved)
		setenv("RESIDENCY_CACHE", saved, 1);
	else
		unsetenv("RESIDENCY_CACHE");
	free(saved);
	free(cache);
}
END_TEST

/* A border group longer than the record keeps was cut, missed the region table
 * and fell to GeoIP: now the record is refused, naming it (issue 13 audit). */
START_TEST(long_fields_are_refused_never_cut)
{
	struct range_set s;
	struct rerr err;
	char longname[100];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	range_set_init(&s, "aws");
	ck_assert_int_eq(ranges_add(&s, "10.0.0.0/16", "us-east-1", "us-east-1-bue-1", "EC2", NULL,
				    false, "t", "r1", &err),
			 R_OK);
	ck_assert_int_eq(ranges_add(&s, "10.1.0.0/16", "us-east-1", longname, "EC2", NULL, false,
				    "t", "r2", &err),
			 R_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "network border group"));
	ck_assert_int_eq(
	    ranges_add(&s, "10.1.0.0/16", longname, NULL, "EC2", NULL, false, "t", "r3", &err),
	    R_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "region"));
	ck_assert_uint_eq(s.n, 1);
	range_set_free(&s);
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
	tcase_add_test(tc, whole_internet_in_pieces_is_refused);
	tcase_add_test(tc, space_merges_overlaps_and_duplicates_are_dropped);
	tcase_add_test(tc, growth_against_the_last_good_snapshot);
	tcase_add_test(tc, geofeed_bad_rows_are_skipped_and_counted);
	tcase_add_test(tc, corrupt_parsed_cache_is_rebuilt_not_trusted);
	tcase_add_test(tc, long_fields_are_refused_never_cut);
	suite_add_tcase(su, tc);
	return tu_run_suite(su);
}
