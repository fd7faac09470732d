/*
 * test_attrib: attribution over all bundled providers: every AWS prefix maps
 * to its border group's country, Local Zones, GLOBAL, IPv4-mapped IPv6,
 * GeoIP disagreement, geofeeds, unmapped regions, and `residency lookup`.
 */
#include "attrib/attrib.h"
#include "attrib/geoip.h"
#include "attrib/regions.h"
#include "attrib/special.h"
#include "core/buf.h"
#include "ranges/ranges.h"
#include "lib/testutil.h"

#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	ck_assert_int_eq(at.source, ATTR_SRC_SPECIAL);
}
END_TEST

/* What one address must come out as: source special with the registry's name,
 * or (special NULL) the country and source of the IPv4 address it embeds. */
struct special_case {
	const char *addr, *special, *rfc, *prefix, *embedded, *via, *country;
	enum attr_source source;
};

static void check_case(const struct attribution *at, const struct special_case *c)
{
	char v4[ADDR_STRLEN];

	ck_assert_msg(at->source == c->source, "%s: source %s", c->addr,
		      attr_source_name(at->source));
	ck_assert_msg(strcmp(at->special, c->special ? c->special : "") == 0, "%s: special \"%s\"",
		      c->addr, at->special);
	ck_assert_msg(strcmp(at->country, c->country) == 0, "%s: country \"%s\"", c->addr,
		      at->country);
	if (c->special) {
		ck_assert_str_eq(at->special_rfc, c->rfc);
		ck_assert_str_eq(at->prefix, c->prefix);
		ck_assert_str_eq(at->provider, "");
		ck_assert_str_eq(at->region, "");
		ck_assert_str_eq(at->geoip_country, ""); /* the bundled database says AU/JP */
		bool global = strcmp(c->special, "Port Control Protocol Anycast") == 0 ||
			      strcmp(c->special, "AMT") == 0;
		ck_assert_int_eq(at->scope, global ? ATTR_SCOPE_GLOBAL : ATTR_SCOPE_NONE);
	}
	if (c->embedded) {
		ck_assert_str_eq(addr_format(&at->embedded, v4, sizeof(v4)), c->embedded);
		ck_assert_str_eq(at->embedded_via, c->via);
	} else {
		ck_assert_int_eq(at->embedded.family, 0);
		ck_assert_str_eq(at->embedded_via, "");
	}
}

static const struct special_case special_cases[] = {
    {"192.168.2.1", "Private-Use", "RFC 1918", "192.168.0.0/16", NULL, NULL, "", ATTR_SRC_SPECIAL},
    {"10.1.2.3", "Private-Use", "RFC 1918", "10.0.0.0/8", NULL, NULL, "", ATTR_SRC_SPECIAL},
    {"172.16.5.4", "Private-Use", "RFC 1918", "172.16.0.0/12", NULL, NULL, "", ATTR_SRC_SPECIAL},
    {"2001:db8::1", "Documentation", "RFC 3849", "2001:db8::/32", NULL, NULL, "", ATTR_SRC_SPECIAL},
    {"198.51.100.7", "Documentation (TEST-NET-2)", "RFC 5737", "198.51.100.0/24", NULL, NULL, "",
     ATTR_SRC_SPECIAL},
    {"203.0.113.9", "Documentation (TEST-NET-3)", "RFC 5737", "203.0.113.0/24", NULL, NULL, "",
     ATTR_SRC_SPECIAL},
    {"fc00::1", "Unique-Local", "RFC 4193; RFC 8190", "fc00::/7", NULL, NULL, "", ATTR_SRC_SPECIAL},
    {"fdff::1", "Unique-Local", "RFC 4193; RFC 8190", "fc00::/7", NULL, NULL, "", ATTR_SRC_SPECIAL},
    {"127.0.0.1", "Loopback", "RFC 1122 section 3.2.1.3", "127.0.0.0/8", NULL, NULL, "",
     ATTR_SRC_SPECIAL},
    {"::1", "Loopback Address", "RFC 4291", "::1/128", NULL, NULL, "", ATTR_SRC_SPECIAL},
    {"239.1.2.3", "Multicast", "RFC 5771", "224.0.0.0/4", NULL, NULL, "", ATTR_SRC_SPECIAL},
    {"ff02::1", "Multicast", "RFC 4291 section 2.7", "ff00::/8", NULL, NULL, "", ATTR_SRC_SPECIAL},
    {"fe80::1", "Link-Local Unicast", "RFC 4291", "fe80::/10", NULL, NULL, "", ATTR_SRC_SPECIAL},
    /* the most specific row names it */
    {"192.0.0.9", "Port Control Protocol Anycast", "RFC 7723", "192.0.0.9/32", NULL, NULL, "",
     ATTR_SRC_SPECIAL},
    {"192.0.0.200", "IETF Protocol Assignments", "RFC 6890 section 2.1", "192.0.0.0/24", NULL, NULL,
     "", ATTR_SRC_SPECIAL},
    /* globally reachable blocks: special, judged as anycast (scope global) */
    {"192.52.193.1", "AMT", "RFC 7450", "192.52.193.0/24", NULL, NULL, "", ATTR_SRC_SPECIAL},
    {"2001:2::5", "Benchmarking", "RFC 5180; RFC Errata 1752", "2001:2::/48", NULL, NULL, "",
     ATTR_SRC_SPECIAL},
    {"3fff:123::1", "Documentation", "RFC 9637", "3fff::/20", NULL, NULL, "", ATTR_SRC_SPECIAL},
    /* embedded IPv4: attributed by it (47.92.0.10: Alibaba Beijing, CN by GeoIP) */
    {"::ffff:47.92.0.10", NULL, NULL, NULL, "47.92.0.10", "IPv4-mapped Address", "CN",
     ATTR_SRC_GEOIP},
    {"2002:2f5c:000a::1", NULL, NULL, NULL, "47.92.0.10", "6to4", "CN", ATTR_SRC_GEOIP},
    {"64:ff9b::2f5c:a", NULL, NULL, NULL, "47.92.0.10", "IPv4-IPv6 Translat.", "CN",
     ATTR_SRC_GEOIP},
    {"2002:0305:8c01::1", NULL, NULL, NULL, "3.5.140.1", "6to4", "KR", ATTR_SRC_PROVIDER},
    /* Teredo: the client's public IPv4, inverted in the last 32 bits */
    {"2001:0:4136:e378:8000:63bf:d0a3:fff5", NULL, NULL, NULL, "47.92.0.10", "TEREDO", "CN",
     ATTR_SRC_GEOIP},
    /* ... and special when what it embeds is */
    {"2002:c0a8:0201::1", "Private-Use", "RFC 1918", "192.168.0.0/16", "192.168.2.1", "6to4", "",
     ATTR_SRC_SPECIAL},
    {"64:ff9b::a01:203", "Private-Use", "RFC 1918", "10.0.0.0/8", "10.1.2.3", "IPv4-IPv6 Translat.",
     "", ATTR_SRC_SPECIAL},
    /* ordinary neighbours stay ordinary */
    {"192.169.0.1", NULL, NULL, NULL, NULL, NULL, "US", ATTR_SRC_GEOIP},
    {"8.8.8.8", NULL, NULL, NULL, NULL, NULL, "US", ATTR_SRC_GEOIP},
};

/*
 * Issue 13: special-purpose addresses get no country (the bundled GeoIP
 * database puts 192.168/16 and TEST-NET-2 in AU, 2001:db8::/32 in JP), and
 * addresses that embed IPv4 are attributed by it, in every way of
 * attributing: attrib_lookup, the three steps, attrib_locate_many.
 */
START_TEST(special_purpose_addresses_have_no_country)
{
	size_t n = sizeof(special_cases) / sizeof(special_cases[0]);
	struct addr addrs[sizeof(special_cases) / sizeof(special_cases[0])];
	int32_t nodes[sizeof(special_cases) / sizeof(special_cases[0])];
	char cc[sizeof(special_cases) / sizeof(special_cases[0])][3];

	for (size_t i = 0; i < n; i++) {
		const struct special_case *c = &special_cases[i];
		struct attribution at, steps;
		ck_assert_msg(addr_parse(c->addr, &addrs[i]), "%s", c->addr);
		attrib_lookup(A, &addrs[i], &at);
		check_case(&at, c);
		ck_assert_msg(attrib_indirect(A, &addrs[i]) == (c->special || c->embedded), "%s",
			      c->addr);
		bool global = attrib_of_node(A, attrib_locate(A, &addrs[i]), &steps);
		attrib_finish(A, &addrs[i], global, &steps);
		check_case(&steps, c);
	}
	attrib_locate_many(A, addrs, n, nodes, cc);
	for (size_t i = 0; i < n; i++) {
		char one[3];
		ck_assert_int_eq(nodes[i], attrib_locate(A, &addrs[i]));
		attrib_geoip(A, &addrs[i], one);
		ck_assert_str_eq(cc[i], one);
		if (special_cases[i].special)
			ck_assert_msg(nodes[i] == -1 && cc[i][0] == '\0', "%s",
				      special_cases[i].addr);
	}
}
END_TEST

/* `residency lookup` says it in text (its batched way) and in JSON. */
START_TEST(cli_lookup_special)
{
	char cmd[4096], *out = NULL;

	snprintf(cmd, sizeof(cmd),
		 "printf '8.8.8.8\\n192.168.2.1\\n2002:2f5c:a::1\\n' | '%s' lookup", tu_bin());
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	char *l2 = strchr(out, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
	ck_assert_int_eq(strncmp(l2, "192.168.2.1 ", 12), 0);
	ck_assert_ptr_nonnull(strstr(l2, " -  special  "));
	ck_assert_ptr_nonnull(strstr(l2, " 192.168.0.0/16 "));
	ck_assert_ptr_nonnull(strstr(l2, " special: Private-Use, RFC 1918\n"));
	ck_assert_ptr_null(strstr(l2, "AU"));
	ck_assert_int_eq(strncmp(l3, "2002:2f5c:a::1 ", 15), 0);
	ck_assert_ptr_nonnull(strstr(l3, " CN geoip "));
	ck_assert_ptr_nonnull(strstr(l3, " embedded=47.92.0.10 (6to4)\n"));
	free(out);

	snprintf(cmd, sizeof(cmd), "'%s' lookup --format json 198.51.100.7", tu_bin());
	ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
	json_error_t je;
	json_t *o = json_loads(out, 0, &je);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(o, "source")), "special");
	ck_assert_str_eq(json_string_value(json_object_get(o, "special")),
			 "Documentation (TEST-NET-2)");
	ck_assert_str_eq(json_string_value(json_object_get(o, "special_rfc")), "RFC 5737");
	ck_assert(json_is_null(json_object_get(o, "country")));
	ck_assert(json_is_null(json_object_get(o, "provider")));
	ck_assert(json_is_null(json_object_get(o, "geoip_country")));
	json_decref(o);
	free(out);
}
END_TEST

/* The table is data: bad rows are refused at their line, and its size is bounded. */
START_TEST(special_table_errors_name_the_line)
{
	static const struct {
		const char *text, *msg;
		enum rstatus rc;
	} bad[] = {
	    {"# c\n10.0.0.0/8,Private-Use,RFC 1918\n", ":2: expected prefix,name,rfc,registry",
	     R_EINPUT},
	    {"10.0.0.0/8,a,b,c,d\n", ":1: the fifth field is \"global\" or empty", R_EINPUT},
	    {"# only a comment\n", ":1: no rows", R_EINPUT}, /* found by fuzz_special */
	    {"10.0.0.0/8,a,b,c,global,e\n", ":1: the fifth field is \"global\" or empty", R_EINPUT},
	    {"\n10.0.0.1/8,a,b,c\n", ":2: \"10.0.0.1/8\" has bits set past its length", R_EINPUT},
	    {"10.0.0.0/33,a,b,c\n", ":1: \"10.0.0.0/33\" is not an address prefix", R_EINPUT},
	    {"10.0.0.0/8,,b,c\n", ":1: the name must be", R_EINPUT},
	    {"10.0.0.0/8,a,b,c\n10.0.0.0/8,a,b,c\n", ":2: 10.0.0.0/8 is listed twice", R_EINPUT},
	};
	char *dir = tu_tmpdir(), path[4096];
	struct special *s;
	struct rerr err;

	snprintf(path, sizeof(path), "%s/special.csv", dir);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[4200];
		ck_assert_int_eq(tu_write(path, bad[i].text, strlen(bad[i].text)), 0);
		rerr_clear(&err);
		ck_assert_int_eq(special_load(path, &s, &err), bad[i].rc);
		ck_assert_ptr_null(s);
		char got[4200];
		snprintf(got, sizeof(got), "%s:%ld: %s", err.where, err.line, err.msg);
		snprintf(want, sizeof(want), "%s%s", path, bad[i].msg);
		ck_assert_msg(strncmp(got, want, strlen(want)) == 0, "got %s, want %s", got, want);
	}
	/* SPECIAL_MAX_ROWS rows load; one more is refused at its line */
	struct buf b;
	size_t all_but_last = 0;
	buf_init(&b, 1u << 20);
	for (int i = 0; i <= SPECIAL_MAX_ROWS; i++) {
		all_but_last = b.len;
		ck_assert_int_eq(buf_printf(&b, "10.%d.%d.0/24,x,y,z\n", i / 256, i % 256), R_OK);
	}
	ck_assert_int_eq(tu_write(path, b.data, all_but_last), 0);
	ck_assert_int_eq(special_load(path, &s, &err), R_OK);
	ck_assert_uint_eq(special_rows(s), SPECIAL_MAX_ROWS);
	special_free(s);
	ck_assert_int_eq(tu_write(path, b.data, b.len), 0);
	ck_assert_int_eq(special_load(path, &s, &err), R_ELIMIT);
	ck_assert_int_eq(err.line, SPECIAL_MAX_ROWS + 1);
	ck_assert_ptr_nonnull(strstr(err.msg, "more than 1024 rows"));
	buf_free(&b);
	/* SPECIAL_MAX_BYTES: a larger file is refused, naming it, before it is read */
	FILE *big = fopen(path, "w");
	ck_assert_ptr_nonnull(big);
	ck_assert_int_eq(ftruncate(fileno(big), (off_t)SPECIAL_MAX_BYTES + 1), 0);
	ck_assert_int_eq(fclose(big), 0);
	ck_assert_int_eq(special_load(path, &s, &err), R_ELIMIT);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(err.where, path);
	ck_assert_ptr_nonnull(strstr(err.msg, "larger than the limit of 262144 bytes"));
	/* the bundled table loads, without the IPv4-mapped row (it names nothing) */
	ck_assert_int_eq(special_load(NULL, &s, &err), R_OK);
	ck_assert_uint_gt(special_rows(s), 50);
	struct addr a;
	ck_assert(addr_parse("1.2.3.4", &a));
	ck_assert_ptr_null(special_find(s, &a));
	special_free(s);
	free(dir);
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
	struct attrib_source src = {"aws", path, 0};

	ck_assert_int_eq(attrib_open(&src, 1, NULL, &a, &err), R_OK);
	ck_assert(addr_parse("8.8.8.8", &addr));
	attrib_lookup(a, &addr, &at);
	ck_assert_str_eq(at.provider, "aws");
	ck_assert_str_eq(at.region, "xx-nowhere-1");
	ck_assert(at.region_unmapped);
	ck_assert_int_eq(at.source, ATTR_SRC_GEOIP);
	ck_assert_str_eq(at.country, "US");
	ck_assert(addr_parse("1.1.1.1", &addr)); /* the country database says AU */
	attrib_lookup(a, &addr, &at);
	ck_assert_str_eq(at.country, "AU");
	ck_assert(addr_parse("4000::1", &addr)); /* no GeoIP answer either: unknown */
	attrib_lookup(a, &addr, &at);
	ck_assert(at.region_unmapped);
	ck_assert_str_eq(at.country, "");
	ck_assert_int_eq(at.source, ATTR_SRC_NONE);
	/* Special-purpose beats a provider's own range: 100.64.0.0/24 is in the file. */
	ck_assert(addr_parse("100.64.0.1", &addr));
	attrib_lookup(a, &addr, &at);
	ck_assert_int_eq(at.source, ATTR_SRC_SPECIAL);
	ck_assert_str_eq(at.special, "Shared Address Space");
	ck_assert_str_eq(at.provider, "");
	ck_assert(!at.region_unmapped);
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

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

/* Sets or clears the last `host` bits: the first and last addresses of CIDR
 * blocks are where a database's networks and a table's ranges begin and end. */
static void edge(struct addr *a, unsigned host)
{
	unsigned bits = a->family == 4 ? 32 : 128;
	bool ones = rnd() & 1;

	for (unsigned bit = bits - (host > bits ? bits : host); bit < bits; bit++) {
		uint8_t m = (uint8_t)(0x80u >> (bit % 8));
		a->b[bit / 8] = ones ? (uint8_t)(a->b[bit / 8] | m) : (uint8_t)(a->b[bit / 8] & ~m);
	}
}

/* A random address, often at an edge; IPv6 ones mostly in the allocated
 * 2000::/3, some in ::/96 (IPv4 written as IPv6) and 2002::/16 (6to4). */
static void random_addr(struct addr *a, int family)
{
	uint64_t r1 = rnd(), r2 = rnd();

	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	memcpy(a->b, &r1, 8);
	memcpy(a->b + 8, &r2, 8);
	if (family == 4) {
		memset(a->b + 4, 0, 12);
	} else {
		switch (rnd() % 8) {
		case 0:
			memset(a->b, 0, 12);
			break;
		case 1:
			a->b[0] = 0x20;
			a->b[1] = 0x02;
			break;
		case 2:
			break;
		default:
			a->b[0] = (uint8_t)(0x20 | (a->b[0] & 0x1f));
		}
	}
	if (rnd() % 4)
		edge(a, (unsigned)(rnd() % (family == 4 ? 33 : 129)));
}

static void same_country(const struct geoip *g, const struct addr *a)
{
	char flat[3], mmdb[3], text[ADDR_STRLEN];

	geoip_country(g, a, flat);
	geoip_country_mmdb(g, a, mmdb);
	ck_assert_msg(strcmp(flat, mmdb) == 0, "%s (IPv%d): flat \"%s\", libmaxminddb \"%s\"",
		      addr_format(a, text, sizeof(text)), a->family, flat, mmdb);
}

/* The file under dir/sub whose name starts with prefix (a cache file), or "" when there is none. */
static const char *only_file(const char *dir, const char *sub, const char *prefix, char *buf,
			     size_t len)
{
	char d[2048];
	struct dirent *e;

	ck_assert(len > sizeof(d) + 256);
	snprintf(d, sizeof(d), "%s/%s", dir, sub);
	DIR *dp = opendir(d);
	buf[0] = '\0';
	while (dp && (e = readdir(dp)) != NULL)
		if (e->d_name[0] != '.' && strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			snprintf(buf, len, "%s/%s", d, e->d_name);
	if (dp)
		closedir(dp);
	return buf;
}

/* Overwrites len bytes at off with b; truncates the file there when b < 0. */
static void damage(const char *path, long off, size_t len, int b)
{
	size_t n;
	char *data = tu_slurp(path, &n);

	ck_assert_ptr_nonnull(data);
	ck_assert((size_t)off + len <= n);
	if (b < 0)
		n = (size_t)off;
	else
		memset(data + off, b, len);
	ck_assert_int_eq(tu_write(path, data, n), 0);
	free(data);
}

/*
 * The flattened country database answers as libmaxminddb does, for every /16
 * edge of IPv4, for random IPv4 and IPv6 addresses (many on CIDR edges), and
 * the same again through its cache file, also after the file was damaged.
 */
START_TEST(geoip_flat_answers_as_libmaxminddb)
{
	struct geoip *g;
	struct rerr err;
	struct addr a;
	char path[4096], file[4096];
	size_t answered = 0;

	snprintf(path, sizeof(path), "%s", tu_path("deps/geoip/country.mmdb"));
	ck_assert_int_eq(geoip_open(path, &g, &err), R_OK);
	ck_assert(!geoip_is_flat(g));
	ck_assert(geoip_flatten(g, NULL));
	ck_assert(geoip_is_flat(g));
	memset(&a, 0, sizeof(a));
	a.family = 4;
	for (uint32_t h = 0; h < 65536; h++) {
		a.b[0] = (uint8_t)(h >> 8);
		a.b[1] = (uint8_t)h;
		a.b[2] = a.b[3] = 0;
		same_country(g, &a);
		a.b[2] = a.b[3] = 0xff;
		same_country(g, &a);
	}
	for (int i = 0; i < 1 << 20; i++) {
		char cc[3];
		random_addr(&a, i % 3 ? 4 : 6);
		same_country(g, &a);
		geoip_country(g, &a, cc);
		answered += cc[0] != '\0';
	}
	ck_assert_msg(answered > 300000, "only %zu addresses had a country", answered);
	memset(&a, 0, sizeof(a));
	a.family = 6;
	same_country(g, &a); /* :: */
	memset(a.b, 0xff, 16);
	same_country(g, &a); /* the last IPv6 address */
	a.family = 4;
	same_country(g, &a); /* 255.255.255.255 */
	geoip_free(g);

	/* Built and saved, then mapped; damaged (bad order, cut short): built again. */
	char *dir = tu_tmpdir();
	for (int round = 0; round < 4; round++) {
		ck_assert_int_eq(geoip_open(path, &g, &err), R_OK);
		ck_assert(geoip_flatten(g, dir));
		for (int i = 0; i < 100000; i++) {
			random_addr(&a, i % 3 ? 4 : 6);
			same_country(g, &a);
		}
		geoip_free(g);
		ck_assert_str_ne(only_file(dir, "geoip", "", file, sizeof(file)), "");
		if (round == 1)
			damage(file, 128 + 8 * 1000, 8, 0); /* a v4 range starting at 0 */
		if (round == 2)
			damage(file, 4096, 0, -1);
	}
	free(dir);
}
END_TEST

static void same_attribution(const struct attribution *x, const struct attribution *y)
{
	char text[ADDR_STRLEN];
	addr_format(&x->addr, text, sizeof(text));
	ck_assert_msg(strcmp(x->provider, y->provider) == 0 && strcmp(x->region, y->region) == 0 &&
			  strcmp(x->border_group, y->border_group) == 0 &&
			  strcmp(x->services, y->services) == 0 && x->scope == y->scope &&
			  strcmp(x->country, y->country) == 0 && x->source == y->source &&
			  strcmp(x->prefix, y->prefix) == 0 &&
			  strcmp(x->geoip_country, y->geoip_country) == 0 &&
			  x->region_unmapped == y->region_unmapped &&
			  x->disagreement == y->disagreement,
		      "%s: %s/%s/%s/%s vs %s/%s/%s/%s", text, x->provider, x->prefix, x->country,
		      x->services, y->provider, y->prefix, y->country, y->services);
}

static void same_sources(const struct attrib *x, const struct attrib *y)
{
	const struct attrib_source_info *sx, *sy;
	size_t n = attrib_sources(x, &sx);

	ck_assert_uint_eq(attrib_sources(y, &sy), n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_eq(sx[i].name, sy[i].name);
		ck_assert_str_eq(sx[i].kind, sy[i].kind);
		ck_assert_str_eq(sx[i].origin, sy[i].origin);
		ck_assert_str_eq(sx[i].version, sy[i].version);
		ck_assert_uint_eq(sx[i].records, sy[i].records);
		ck_assert_uint_eq(sx[i].nfiles, sy[i].nfiles);
		for (size_t j = 0; j < sx[i].nfiles; j++)
			ck_assert_str_eq(sx[i].files[j], sy[i].files[j]);
	}
	ck_assert(attrib_geoip_epoch(x) > 0);
	ck_assert_uint_eq(attrib_geoip_epoch(x), attrib_geoip_epoch(y));
}

/* Addresses inside the bundled ranges (random records, random hosts, edges)
 * and anywhere, attributed by two tables: every field the same. */
static void same_answers(const struct attrib *x, const struct attrib *y)
{
	for (const struct range_provider *p = range_providers; p->name; p++) {
		struct range_set s;
		struct rerr err;
		range_set_init(&s, p->name);
		ck_assert_int_eq(ranges_load_bundled(p->name, &s, &err), R_OK);
		for (int i = 0; i < 20000; i++) {
			struct addr a = s.v[rnd() % s.n].prefix.addr;
			struct attribution ax, ay;
			unsigned bits = a.family == 4 ? 32 : 128;
			edge(&a, (unsigned)(rnd() % (bits + 1)) / (i % 2 ? 1 : 4));
			attrib_lookup(x, &a, &ax);
			attrib_lookup(y, &a, &ay);
			same_attribution(&ax, &ay);
			random_addr(&a, i % 2 ? 4 : 6);
			attrib_lookup(x, &a, &ax);
			attrib_lookup(y, &a, &ay);
			same_attribution(&ax, &ay);
		}
		range_set_free(&s);
	}
}

/*
 * The prefix table of the bundled snapshots is built once and then mapped
 * from the cache: the same sources, the same answers; a damaged or cut cache
 * file is built again, never believed.
 */
START_TEST(prefix_table_cache_gives_the_same_answers)
{
	struct attrib *built, *again;
	struct rerr err;
	char file[4096];
	char *dir = tu_tmpdir();

	setenv("RESIDENCY_CACHE", dir, 1);
	ck_assert_int_eq(attrib_open(NULL, 0, NULL, &built, &err), R_OK);
	ck_assert(!attrib_table_cached(built));
	ck_assert_str_ne(only_file(dir, "parsed", "table-", file, sizeof(file)), "");
	for (int round = 0; round < 4; round++) {
		ck_assert_int_eq(attrib_open(NULL, 0, NULL, &again, &err), R_OK);
		/* rounds 1 and 2 read a damaged file: built again, and saved */
		ck_assert(attrib_table_cached(again) == (round == 0 || round == 3));
		same_sources(built, again);
		same_answers(built, again);
		attrib_free(again);
		if (round == 0)
			damage(file, 8192, 4096, 0xff);
		if (round == 1)
			damage(file, 8192, 0, -1);
	}
	attrib_free(built);
	free(dir);
}
END_TEST

/* Runs `residency lookup ARGS < in` and returns its exit status; out and err as tu_run. */
static int lookup_file(const char *args, const char *in, char **out, char **err)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "'%s' lookup %s < '%s'", tu_bin(), args, in);
	return tu_run(cmd, out, err);
}

static void same_as_file(const char *got, const char *rel)
{
	size_t n;
	char *want = tu_slurp(tu_path(rel), &n);

	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(got);
	ck_assert_msg(strlen(got) == n && memcmp(got, want, n) == 0, "output differs from %s", rel);
	free(want);
}

/*
 * The lines of `lookup` are a contract: text and JSON output and the messages
 * for tricky input (blanks, CRLF, empty lines, leading zeros, a NUL, bytes that
 * are not text, mapped IPv6, no newline at the end) stay byte for byte what
 * they were (tests/fixtures/lookup/README.md); the same input repeated past
 * the reader's block size, and a line longer than it, change nothing.
 */
START_TEST(cli_lookup_lines_are_a_contract)
{
	char *out = NULL, *err = NULL, in[4096];
	size_t n;

	snprintf(in, sizeof(in), "%s", tu_path("tests/fixtures/lookup/tricky.in"));
	ck_assert_int_eq(lookup_file("", in, &out, &err), 2);
	same_as_file(out, "tests/fixtures/lookup/tricky.text");
	same_as_file(err, "tests/fixtures/lookup/tricky.text.err");
	free(out);
	free(err);
	ck_assert_int_eq(lookup_file("--format json", in, &out, NULL), 2);
	same_as_file(out, "tests/fixtures/lookup/tricky.json");
	free(out);

	/* 2,200 copies (1.2 MB of input, over the 1 MiB block): 2,200 copies of the lines */
	char *dir = tu_tmpdir(), big[4096];
	char *one = tu_slurp(in, &n),
	     *want = tu_slurp(tu_path("tests/fixtures/lookup/tricky.text"), NULL);
	ck_assert(one && want);
	size_t copies = 2200, wn = strlen(want);
	char *data = malloc(copies * (n + 1)), *all = malloc(copies * wn + 1);
	ck_assert(data && all);
	for (size_t i = 0; i < copies; i++) {
		memcpy(data + i * (n + 1), one, n);
		data[i * (n + 1) + n] = '\n';
		memcpy(all + i * wn, want, wn);
	}
	all[copies * wn] = '\0';
	snprintf(big, sizeof(big), "%s/big.in", dir);
	ck_assert_int_eq(tu_write(big, data, copies * (n + 1) - 1), 0);
	ck_assert_int_eq(lookup_file("", big, &out, NULL), 2);
	ck_assert_msg(strcmp(out, all) == 0, "2,200 copies: the output is not 2,200 copies");
	free(out);

	/* one line of 3 MB, then addresses: the line is an error, the rest as ever */
	size_t huge = 3u << 20;
	char *h = realloc(data, huge + 64);
	ck_assert_ptr_nonnull(h);
	memset(h, 'x', huge);
	memcpy(h + huge, "\n3.5.140.1\r\n 8.8.8.8", 21);
	ck_assert_int_eq(tu_write(big, h, huge + 20), 0);
	ck_assert_int_eq(lookup_file("", big, &out, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "stdin:1: \"xxxx"));
	char *l2 = strchr(out, '\n');
	ck_assert_ptr_nonnull(l2);
	ck_assert_ptr_nonnull(strstr(out, "xxx error: not an IP address\n"));
	ck_assert_int_eq(strncmp(l2 + 1, "3.5.140.1 ", 10), 0);
	ck_assert_ptr_nonnull(strstr(l2, "\n8.8.8.8 "));
	ck_assert_ptr_nonnull(strstr(want, "\n8.8.8.8 "));
	free(out);
	free(err);
	free(h);
	free(all);
	free(one);
	free(want);
	free(dir);
}
END_TEST

/* Batches (of any size, with addresses of both families and none) give what
 * one lookup at a time gives. */
START_TEST(locate_many_is_locate_one_by_one)
{
	enum { N = 1000 };
	static struct addr addrs[N];
	static int32_t nodes[N];
	static char cc[N][3];

	for (int round = 0; round < 50; round++) {
		size_t n = (size_t)(rnd() % N) + 1;
		for (size_t i = 0; i < n; i++) {
			random_addr(&addrs[i], rnd() % 3 ? 4 : 6);
			if (rnd() % 50 == 0)
				memset(&addrs[i], 0, sizeof(addrs[i])); /* not an address */
		}
		attrib_locate_many(A, addrs, n, nodes, cc);
		for (size_t i = 0; i < n; i++) {
			char one[3];
			ck_assert_int_eq(nodes[i], attrib_locate(A, &addrs[i]));
			attrib_geoip(A, &addrs[i], one);
			ck_assert_str_eq(cc[i], one);
		}
	}
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
	/* Issue 13, item 7: a geofeed row with the country "None" is skipped with a
	 * warning naming file and line; its prefix is still DigitalOcean's, and the
	 * country comes from the next source, GeoIP. */
	snprintf(cmd, sizeof(cmd),
		 "'%s' lookup --format json --ranges digitalocean=%s 129.212.160.1", tu_bin(),
		 tu_path("tests/fixtures/ranges/digitalocean-none-rows.csv"));
	ck_assert_int_eq(tu_run(cmd, &out, &err), 0);
	ck_assert_msg(strstr(err, "digitalocean-none-rows.csv:255: country \"None\"") != NULL, "%s",
		      err);
	json_error_t je2;
	json_t *o2 = json_loads(out, JSON_DISABLE_EOF_CHECK, &je2);
	ck_assert_ptr_nonnull(o2);
	ck_assert_str_eq(json_string_value(json_object_get(o2, "provider")), "digitalocean");
	ck_assert_str_eq(json_string_value(json_object_get(o2, "source")), "geoip");
	ck_assert_str_ne(json_string_value(json_object_get(o2, "country")), "");
	json_decref(o2);
	free(out);
	free(err);
	/* Over 1% bad rows: the feed is refused, naming the count. */
	snprintf(cmd, sizeof(cmd), "'%s' lookup --ranges digitalocean=%s 129.212.160.1", tu_bin(),
		 tu_path("tests/fixtures/ranges/bad/digitalocean-too-many-none.csv"));
	ck_assert_int_eq(tu_run(cmd, NULL, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "4 of 300 rows are invalid"));
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
	tcase_add_test(tc, special_purpose_addresses_have_no_country);
	tcase_add_test(tc, cli_lookup_special);
	tcase_add_test(tc, special_table_errors_name_the_line);
	tcase_add_test(tc, unmapped_region_falls_back_to_geoip);
	tcase_add_test(tc, cli_lookup_json_and_errors);
	tcase_add_test(tc, cli_lookup_lines_are_a_contract);
	tcase_add_test(tc, locate_many_is_locate_one_by_one);
	tcase_add_test(tc, geoip_flat_answers_as_libmaxminddb);
	tcase_add_test(tc, prefix_table_cache_gives_the_same_answers);
	suite_add_tcase(su, tc);
	return tu_run_suite(su);
}
