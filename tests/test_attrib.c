/*
 * test_attrib: attribution over all bundled providers: every AWS prefix maps
 * to its border group's country, Local Zones, GLOBAL, IPv4-mapped IPv6,
 * GeoIP disagreement, geofeeds, unmapped regions, and `residency lookup`.
 */
#include "attrib/attrib.h"
#include "attrib/regions.h"
#include "ranges/ranges.h"
#include "lib/testutil.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct attrib *A;
static struct regions *R;

static void setup(void)
{
	struct rerr err;

	rerr_clear(&err);
	ck_assert_msg(attrib_open(NULL, 0, NULL, &A, &err) == R_OK, "%s", err.msg);
	ck_assert_int_eq(regions_load(NULL, &R, &err), R_OK);
}

static void teardown(void)
{
	attrib_free(A);
	regions_free(R);
}

static void look(const char *text, struct attribution *at)
{
	struct addr a;

	ck_assert_msg(addr_parse(text, &a), "%s", text);
	attrib_lookup(A, &a, at);
}

/*
 * For every prefix of the bundled AWS file: its first address, looked up over
 * ALL providers, is AWS, and its country is the one of the border group of the
 * most specific AWS prefix holding that address (found here by brute force),
 * or none for GLOBAL.
 */
START_TEST(every_aws_prefix_maps_to_its_border_group)
{
	struct range_set s;
	struct rerr err;
	size_t checked = 0, global = 0;

	range_set_init(&s, "aws");
	ck_assert_int_eq(ranges_load_bundled("aws", &s, &err), R_OK);
	for (size_t i = 0; i < s.n; i++) {
		struct attribution at;
		const struct addr *a = &s.v[i].prefix.addr;
		const struct range_entry *best = NULL;

		for (size_t j = 0; j < s.n; j++)
			if (prefix_contains(&s.v[j].prefix, a) &&
			    (best == NULL || s.v[j].prefix.len > best->prefix.len))
				best = &s.v[j];
		ck_assert_ptr_nonnull(best); /* the prefix holds its own first address */
		attrib_lookup(A, a, &at);
		char text[64];
		prefix_format(&s.v[i].prefix, text, sizeof(text));
		ck_assert_msg(strcmp(at.provider, "aws") == 0, "%s: provider %s", text,
			      at.provider);
		ck_assert_msg(strcmp(at.border_group, best->border_group) == 0,
			      "%s: %s, want %s (%s)", text, at.border_group, best->border_group,
			      at.prefix);
		if (best->global) {
			ck_assert_msg(at.scope == ATTR_SCOPE_GLOBAL && at.country[0] == '\0', "%s",
				      text);
			global++;
		} else {
			const char *cc = regions_country(R, "aws", best->border_group);
			if (cc) {
				ck_assert_msg(
				    strcmp(at.country, cc) == 0 && at.source == ATTR_SRC_PROVIDER,
				    "%s (%s): %s from %s, want %s", text, best->border_group,
				    at.country, attr_source_name(at.source), cc);
			} else {
				ck_assert_msg(at.region_unmapped,
					      "%s: %s has no row but is not flagged", text,
					      best->border_group);
			}
		}
		checked++;
	}
	ck_assert_uint_eq(checked, 13344);
	ck_assert_uint_gt(global, 0);
	range_set_free(&s);
}
END_TEST

START_TEST(local_zone_is_its_own_country)
{
	struct attribution at;

	/* 15.220.120.0/21: region us-east-1, border group us-east-1-bue-1 (Buenos Aires). */
	look("15.220.120.77", &at);
	ck_assert_str_eq(at.provider, "aws");
	ck_assert_str_eq(at.region, "us-east-1");
	ck_assert_str_eq(at.border_group, "us-east-1-bue-1");
	ck_assert_str_eq(at.country, "AR");
	ck_assert_int_eq(at.source, ATTR_SRC_PROVIDER);
	/* af-south-1-los-1 is Lagos, not South Africa. */
	look("96.0.40.1", &at);
	ck_assert_str_eq(at.region, "af-south-1");
	ck_assert_str_eq(at.country, "NG");
}
END_TEST

START_TEST(global_and_anycast_have_no_country)
{
	struct attribution at;

	look("52.95.110.1", &at); /* AWS GLOBAL (ROUTE53) */
	ck_assert_int_eq(at.scope, ATTR_SCOPE_GLOBAL);
	ck_assert_str_eq(at.country, "");
	ck_assert_str_eq(at.geoip_country, "US"); /* kept, never used as the answer */
	look("104.16.0.1", &at);		  /* Cloudflare */
	ck_assert_str_eq(at.provider, "cloudflare");
	ck_assert_int_eq(at.scope, ATTR_SCOPE_GLOBAL);
	ck_assert_str_eq(at.country, "");
	look("151.101.1.1", &at); /* Fastly */
	ck_assert_str_eq(at.provider, "fastly");
	ck_assert_int_eq(at.scope, ATTR_SCOPE_GLOBAL);
}
END_TEST

START_TEST(ipv4_mapped_ipv6_is_looked_up_as_ipv4)
{
	struct attribution a, b;

	look("3.5.140.1", &a);
	look("::ffff:3.5.140.1", &b);
	ck_assert(b.addr.mapped);
	ck_assert_str_eq(a.country, "KR");
	ck_assert_str_eq(b.country, a.country);
	ck_assert_str_eq(b.prefix, a.prefix);
	ck_assert_str_eq(b.services, a.services);
}
END_TEST

START_TEST(most_specific_prefix_and_all_services)
{
	struct attribution at;

	look("3.5.140.1", &at);
	ck_assert_str_eq(at.prefix, "3.5.140.0/22");
	ck_assert_ptr_nonnull(strstr(at.services, "AMAZON"));
	ck_assert_ptr_nonnull(strstr(at.services, "EC2"));
	ck_assert_ptr_nonnull(strstr(at.services, "S3"));
	/* GCP's cloud.json is inside Google's goog.json: the region comes from GCP. */
	look("34.32.0.1", &at);
	ck_assert_str_eq(at.provider, "gcp");
	ck_assert_str_eq(at.region, "europe-west10");
	ck_assert_str_eq(at.country, "DE");
}
END_TEST

START_TEST(geoip_disagreement_provider_wins_both_kept)
{
	struct range_set s;
	struct rerr err;
	size_t found = 0;

	range_set_init(&s, "aws");
	ck_assert_int_eq(ranges_load_bundled("aws", &s, &err), R_OK);
	for (size_t i = 0; i < s.n && found < 5; i++) {
		struct attribution at;
		attrib_lookup(A, &s.v[i].prefix.addr, &at);
		if (!at.disagreement)
			continue;
		ck_assert_int_eq(at.source, ATTR_SRC_PROVIDER);
		ck_assert_str_eq(at.country, regions_country(R, "aws", at.border_group));
		ck_assert_str_ne(at.geoip_country, "");
		ck_assert_str_ne(at.geoip_country, at.country);
		found++;
	}
	ck_assert_msg(found > 0, "no AWS address where GeoIP disagrees: the test proves nothing");
	range_set_free(&s);
}
END_TEST

START_TEST(geofeed_country)
{
	struct attribution at;

	look("24.144.64.1", &at); /* DigitalOcean geofeed: US, US-NJ, North Bergen */
	ck_assert_str_eq(at.provider, "digitalocean");
	ck_assert_int_eq(at.source, ATTR_SRC_GEOFEED);
	ck_assert_str_eq(at.country, "US");
	ck_assert_str_eq(at.region, "US-NJ");
	look("192.0.2.1", &at); /* TEST-NET-1: nobody's */
	ck_assert_str_eq(at.provider, "");
	ck_assert_str_eq(at.country, "");
	ck_assert_int_eq(at.source, ATTR_SRC_NONE);
}
END_TEST

START_TEST(unmapped_region_falls_back_to_geoip)
{
	struct attrib *a;
	struct attribution at;
	struct addr addr;
	struct rerr err;
	char path[4096];
	snprintf(path, sizeof(path), "%s",
		 tu_path("tests/fixtures/ranges/aws-unmapped-region.json"));
	struct attrib_source src = {"aws", path};

	ck_assert_int_eq(attrib_open(&src, 1, NULL, &a, &err), R_OK);
	ck_assert(addr_parse("8.8.8.8", &addr));
	attrib_lookup(a, &addr, &at);
	ck_assert_str_eq(at.provider, "aws");
	ck_assert_str_eq(at.region, "xx-nowhere-1");
	ck_assert(at.region_unmapped);
	ck_assert_int_eq(at.source, ATTR_SRC_GEOIP);
	ck_assert_str_eq(at.country, "US");
	ck_assert(addr_parse("198.51.100.7", &addr)); /* the country database says AU */
	attrib_lookup(a, &addr, &at);
	ck_assert_str_eq(at.country, "AU");
	ck_assert(addr_parse("100.64.0.1", &addr)); /* no GeoIP answer either: unknown */
	attrib_lookup(a, &addr, &at);
	ck_assert(at.region_unmapped);
	ck_assert_str_eq(at.country, "");
	ck_assert_int_eq(at.source, ATTR_SRC_NONE);
	attrib_free(a);

	/* A remote source that does not answer, with no snapshot in the cache: cannot run. */
	char *cache = tu_tmpdir();
	setenv("RESIDENCY_CACHE", cache, 1);
	src.url = "http://127.0.0.1:1/ip-ranges.json";
	ck_assert_int_eq(attrib_open(&src, 1, NULL, &a, &err), R_ENET);
	ck_assert_str_eq(err.where, src.url);
	free(cache);
	src.provider = "nosuch";
	ck_assert_int_eq(attrib_open(&src, 1, NULL, &a, &err), R_EUSAGE);
	ck_assert_int_eq(attrib_open(NULL, 0, "/nonexistent.mmdb", &a, &err), R_EIO);
	ck_assert_str_eq(err.where, "/nonexistent.mmdb");
}
END_TEST

START_TEST(cli_lookup_json_and_errors)
{
	char cmd[4096], *out = NULL, *err = NULL;

	snprintf(cmd, sizeof(cmd), "'%s' lookup --format json 15.220.120.77 ::ffff:3.5.140.1",
		 tu_bin());
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	char *nl = strchr(out, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	json_error_t je;
	json_t *o = json_loads(out, 0, &je);
	ck_assert_ptr_nonnull(o);
	static const char *fields[] = {"address",  "provider",	   "region",  "border_group",
				       "services", "scope",	   "country", "source",
				       "prefix",   "geoip_country"};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		ck_assert_msg(json_object_get(o, fields[i]) != NULL, "missing %s", fields[i]);
	ck_assert_str_eq(json_string_value(json_object_get(o, "country")), "AR");
	ck_assert_str_eq(json_string_value(json_object_get(o, "source")), "provider");
	ck_assert_str_eq(json_string_value(json_object_get(o, "border_group")), "us-east-1-bue-1");
	json_decref(o);
	o = json_loads(nl + 1, JSON_DISABLE_EOF_CHECK, &je);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(o, "country")), "KR");
	json_decref(o);
	free(out);

	/* stdin, a bad line in the middle: reported with its line, the rest go on, exit 2 */
	snprintf(cmd, sizeof(cmd),
		 "printf '3.5.140.1\\nnot-an-ip\\n52.95.110.1\\n' | '%s' lookup "
		 "--format json",
		 tu_bin());
	ck_assert_int_eq(tu_run(cmd, &out, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "stdin:2: \"not-an-ip\" is not an IP address"));
	int lines = 0;
	for (char *p = out; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	ck_assert_int_eq(lines, 3);
	ck_assert_ptr_nonnull(strstr(out, "\"error\":\"not an IP address\""));
	ck_assert_ptr_nonnull(strstr(out, "\"scope\":\"global\""));
	free(out);
	free(err);
	snprintf(cmd, sizeof(cmd), "'%s' lookup --ranges aws 1.2.3.4", tu_bin());
	ck_assert_int_eq(tu_run(cmd, NULL, NULL), 2);
	snprintf(cmd, sizeof(cmd), "'%s' lookup --ranges aws=/nonexistent.json 1.2.3.4", tu_bin());
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 3);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent.json"));
	free(err);
	snprintf(cmd, sizeof(cmd), "'%s' lookup --ranges aws=%s 1.2.3.4", tu_bin(),
		 tu_path("tests/fixtures/ranges/bad/aws-bad-prefix.json"));
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "aws-bad-prefix.json: prefixes[0]"));
	free(err);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("attrib");
	TCase *tc = tcase_create("attrib");

	tcase_set_timeout(tc, 300);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_aws_prefix_maps_to_its_border_group);
	tcase_add_test(tc, local_zone_is_its_own_country);
	tcase_add_test(tc, global_and_anycast_have_no_country);
	tcase_add_test(tc, ipv4_mapped_ipv6_is_looked_up_as_ipv4);
	tcase_add_test(tc, most_specific_prefix_and_all_services);
	tcase_add_test(tc, geoip_disagreement_provider_wins_both_kept);
	tcase_add_test(tc, geofeed_country);
	tcase_add_test(tc, unmapped_region_falls_back_to_geoip);
	tcase_add_test(tc, cli_lookup_json_and_errors);
	suite_add_tcase(su, tc);
	return tu_run_suite(su);
}
