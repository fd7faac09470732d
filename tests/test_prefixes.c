/*
 * test_prefixes: the longest-prefix-match table alone (attrib/prefixes), built
 * from range sets made in memory: nested, adjacent and duplicate prefixes, the
 * /0, /32 and /128 edges, an empty table, addresses in no prefix, and many
 * random prefixes checked against a brute-force search (fixed seed).
 */
#include "attrib/prefixes.h"
#include "core/addr.h"
#include "ranges/ranges.h"
#include "lib/testutil.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add(struct range_set *s, const char *prefix, const char *region)
{
	struct rerr err;

	rerr_clear(&err);
	ck_assert_msg(ranges_add(s, prefix, region, NULL, NULL, NULL, false, "test", NULL, &err) ==
			  R_OK,
		      "%s: %s", prefix, err.msg);
}

static struct prefixes *build(const struct range_set *sets, size_t n)
{
	struct prefixes *t = NULL;
	struct rerr err;

	rerr_clear(&err);
	ck_assert_msg(prefixes_build(sets, n, &t, &err) == R_OK, "%s", err.msg);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* The prefix the table answers for addr as text, "-" when none. */
static const char *match(const struct prefixes *t, const char *addr)
{
	static char out[64];
	struct addr a;

	ck_assert_msg(addr_parse(addr, &a), "%s", addr);
	int32_t node = prefixes_lookup(t, &a);
	if (node < 0)
		return "-";
	ck_assert_uint_lt((size_t)node, prefixes_nodes(t));
	return prefix_format(prefixes_prefix(t, node), out, sizeof(out));
}

/* Every match of addr, most specific first, space-separated. */
static const char *chain(const struct prefixes *t, const char *addr)
{
	static char out[1024];
	char one[64];
	struct addr a;

	ck_assert(addr_parse(addr, &a));
	out[0] = '\0';
	for (int32_t n = prefixes_lookup(t, &a); n >= 0; n = prefixes_parent(t, n)) {
		if (out[0])
			strncat(out, " ", sizeof(out) - strlen(out) - 1);
		strncat(out, prefix_format(prefixes_prefix(t, n), one, sizeof(one)),
			sizeof(out) - strlen(out) - 1);
	}
	return out[0] ? out : "-";
}

START_TEST(empty_table_matches_nothing)
{
	struct range_set s;
	struct prefixes *t;

	t = build(NULL, 0);
	ck_assert_uint_eq(prefixes_nodes(t), 0);
	ck_assert_str_eq(match(t, "0.0.0.0"), "-");
	ck_assert_str_eq(match(t, "10.1.2.3"), "-");
	ck_assert_str_eq(match(t, "255.255.255.255"), "-");
	ck_assert_str_eq(match(t, "::"), "-");
	ck_assert_str_eq(match(t, "2001:db8::1"), "-");
	ck_assert_str_eq(match(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "-");
	struct addr none = {0};
	ck_assert_int_eq(prefixes_lookup(t, &none), -1); /* family 0 */
	prefixes_free(t);
	prefixes_free(NULL);

	/* a set with no records is the same */
	range_set_init(&s, "aws");
	t = build(&s, 1);
	ck_assert_uint_eq(prefixes_nodes(t), 0);
	ck_assert_str_eq(match(t, "52.95.110.1"), "-");
	ck_assert_str_eq(match(t, "2600:1f00::1"), "-");
	prefixes_free(t);
	range_set_free(&s);
}
END_TEST

START_TEST(nested_prefixes_most_specific_first)
{
	struct range_set s;
	struct prefixes *t;

	range_set_init(&s, "aws");
	/* out of order on purpose: the table sorts */
	add(&s, "10.1.2.128/25", "r25");
	add(&s, "10.0.0.0/8", "r8");
	add(&s, "10.2.0.0/16", "r16b");
	add(&s, "10.1.2.0/24", "r24");
	add(&s, "10.1.0.0/16", "r16");
	add(&s, "10.255.0.0/16", "r16end"); /* ends where its parent ends */
	add(&s, "10.0.0.0/12", "r12");	    /* starts where its parent starts */
	add(&s, "2600:1f00::/24", "v6-24");
	add(&s, "2600:1f00:1::/48", "v6-48");
	add(&s, "2600:1f00:1::/64", "v6-64");
	t = build(&s, 1);
	ck_assert_uint_eq(prefixes_nodes(t), 10);

	ck_assert_str_eq(chain(t, "10.1.2.200"),
			 "10.1.2.128/25 10.1.2.0/24 10.1.0.0/16 10.0.0.0/12 "
			 "10.0.0.0/8");
	ck_assert_str_eq(chain(t, "10.1.2.127"), "10.1.2.0/24 10.1.0.0/16 10.0.0.0/12 10.0.0.0/8");
	ck_assert_str_eq(chain(t, "10.1.2.128"), "10.1.2.128/25 10.1.2.0/24 10.1.0.0/16 "
						 "10.0.0.0/12 10.0.0.0/8");
	ck_assert_str_eq(chain(t, "10.1.2.255"), "10.1.2.128/25 10.1.2.0/24 10.1.0.0/16 "
						 "10.0.0.0/12 10.0.0.0/8");
	ck_assert_str_eq(chain(t, "10.1.3.0"), "10.1.0.0/16 10.0.0.0/12 10.0.0.0/8");
	ck_assert_str_eq(chain(t, "10.0.0.0"), "10.0.0.0/12 10.0.0.0/8");
	ck_assert_str_eq(chain(t, "10.15.255.255"), "10.0.0.0/12 10.0.0.0/8");
	ck_assert_str_eq(chain(t, "10.16.0.0"), "10.0.0.0/8");
	ck_assert_str_eq(chain(t, "10.2.99.1"), "10.2.0.0/16 10.0.0.0/12 10.0.0.0/8");
	ck_assert_str_eq(chain(t, "10.3.0.0"), "10.0.0.0/12 10.0.0.0/8");
	ck_assert_str_eq(chain(t, "10.254.255.255"), "10.0.0.0/8");
	ck_assert_str_eq(chain(t, "10.255.0.0"), "10.255.0.0/16 10.0.0.0/8");
	ck_assert_str_eq(chain(t, "10.255.255.255"), "10.255.0.0/16 10.0.0.0/8");
	ck_assert_str_eq(chain(t, "11.0.0.0"), "-");
	ck_assert_str_eq(chain(t, "9.255.255.255"), "-");
	ck_assert_str_eq(chain(t, "0.0.0.0"), "-");
	ck_assert_str_eq(chain(t, "255.255.255.255"), "-");
	ck_assert_str_eq(chain(t, "2600:1f00:1::1"), "2600:1f00:1::/64 2600:1f00:1::/48 "
						     "2600:1f00::/24");
	ck_assert_str_eq(chain(t, "2600:1f00:1:0:ffff:ffff:ffff:ffff"),
			 "2600:1f00:1::/64 2600:1f00:1::/48 2600:1f00::/24");
	ck_assert_str_eq(chain(t, "2600:1f00:1:1::"), "2600:1f00:1::/48 2600:1f00::/24");
	ck_assert_str_eq(chain(t, "2600:1f00:2::"), "2600:1f00::/24");
	ck_assert_str_eq(chain(t, "2600:1fff:ffff:ffff:ffff:ffff:ffff:ffff"), "2600:1f00::/24");
	ck_assert_str_eq(chain(t, "2600:2000::"), "-");
	ck_assert_str_eq(chain(t, "2600:1eff:ffff:ffff:ffff:ffff:ffff:ffff"), "-");
	/* one family's prefixes never answer for the other */
	ck_assert_str_eq(chain(t, "::a01:203"), "-"); /* 10.1.2.3 as IPv4-compatible bits */
	/* an IPv4-mapped address is looked up as the IPv4 address */
	ck_assert_str_eq(match(t, "::ffff:10.1.2.200"), "10.1.2.128/25");

	/* Each node's records are its own. */
	struct addr a;
	const struct prefix_rec *recs;
	ck_assert(addr_parse("10.1.2.200", &a));
	int32_t n = prefixes_lookup(t, &a);
	ck_assert_uint_eq(prefixes_records(t, n, &recs), 1);
	ck_assert_str_eq(prefixes_str(t, recs[0].region), "r25");
	ck_assert_str_eq(prefixes_str(t, recs[0].provider), "aws");
	n = prefixes_parent(t, prefixes_parent(t, n));
	ck_assert_uint_eq(prefixes_records(t, n, &recs), 1);
	ck_assert_str_eq(prefixes_str(t, recs[0].region), "r16");
	prefixes_free(t);
	range_set_free(&s);
}
END_TEST

START_TEST(adjacent_prefixes_meet_exactly)
{
	struct range_set s;
	struct prefixes *t;

	range_set_init(&s, "gcp");
	add(&s, "10.0.0.0/9", "lo");
	add(&s, "10.128.0.0/9", "hi");
	add(&s, "1.2.3.4/32", "a");
	add(&s, "1.2.3.5/32", "b");
	add(&s, "1.2.3.6/31", "c");
	/* across a /16 boundary of the IPv4 index */
	add(&s, "20.0.255.0/24", "d");
	add(&s, "20.1.0.0/24", "e");
	add(&s, "2001:db8::/33", "v6lo");
	add(&s, "2001:db8:8000::/33", "v6hi");
	add(&s, "2001:db8:1::1/128", "v6one");
	t = build(&s, 1);

	ck_assert_str_eq(match(t, "9.255.255.255"), "-");
	ck_assert_str_eq(match(t, "10.0.0.0"), "10.0.0.0/9");
	ck_assert_str_eq(match(t, "10.127.255.255"), "10.0.0.0/9");
	ck_assert_str_eq(match(t, "10.128.0.0"), "10.128.0.0/9");
	ck_assert_str_eq(match(t, "10.255.255.255"), "10.128.0.0/9");
	ck_assert_str_eq(match(t, "11.0.0.0"), "-");
	ck_assert_str_eq(match(t, "1.2.3.3"), "-");
	ck_assert_str_eq(match(t, "1.2.3.4"), "1.2.3.4/32");
	ck_assert_str_eq(match(t, "1.2.3.5"), "1.2.3.5/32");
	ck_assert_str_eq(match(t, "1.2.3.6"), "1.2.3.6/31");
	ck_assert_str_eq(match(t, "1.2.3.7"), "1.2.3.6/31");
	ck_assert_str_eq(match(t, "1.2.3.8"), "-");
	ck_assert_str_eq(match(t, "20.0.254.255"), "-");
	ck_assert_str_eq(match(t, "20.0.255.0"), "20.0.255.0/24");
	ck_assert_str_eq(match(t, "20.0.255.255"), "20.0.255.0/24");
	ck_assert_str_eq(match(t, "20.1.0.0"), "20.1.0.0/24");
	ck_assert_str_eq(match(t, "20.1.0.255"), "20.1.0.0/24");
	ck_assert_str_eq(match(t, "20.1.1.0"), "-");
	ck_assert_str_eq(match(t, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"), "-");
	ck_assert_str_eq(match(t, "2001:db8::"), "2001:db8::/33");
	ck_assert_str_eq(match(t, "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff"), "2001:db8::/33");
	ck_assert_str_eq(match(t, "2001:db8:8000::"), "2001:db8:8000::/33");
	ck_assert_str_eq(match(t, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), "2001:db8:8000::/33");
	ck_assert_str_eq(match(t, "2001:db9::"), "-");
	ck_assert_str_eq(chain(t, "2001:db8:1::1"), "2001:db8:1::1/128 2001:db8::/33");
	ck_assert_str_eq(chain(t, "2001:db8:1::"), "2001:db8::/33");
	ck_assert_str_eq(chain(t, "2001:db8:1::2"), "2001:db8::/33");
	prefixes_free(t);
	range_set_free(&s);
}
END_TEST

START_TEST(whole_space_and_host_prefixes_at_the_edges)
{
	struct range_set s;
	struct prefixes *t;

	/* /0 alone: every address of its family, none of the other */
	range_set_init(&s, "x");
	add(&s, "0.0.0.0/0", "all4");
	t = build(&s, 1);
	ck_assert_str_eq(match(t, "0.0.0.0"), "0.0.0.0/0");
	ck_assert_str_eq(match(t, "128.0.0.0"), "0.0.0.0/0");
	ck_assert_str_eq(match(t, "255.255.255.255"), "0.0.0.0/0");
	ck_assert_str_eq(match(t, "::"), "-");
	ck_assert_str_eq(match(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "-");
	prefixes_free(t);
	range_set_free(&s);

	range_set_init(&s, "x");
	add(&s, "::/0", "all6");
	t = build(&s, 1);
	ck_assert_str_eq(match(t, "::"), "::/0");
	ck_assert_str_eq(match(t, "8000::"), "::/0");
	ck_assert_str_eq(match(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "::/0");
	ck_assert_str_eq(match(t, "0.0.0.0"), "-");
	ck_assert_str_eq(match(t, "255.255.255.255"), "-");
	prefixes_free(t);
	range_set_free(&s);

	/* host prefixes at the first and last address, inside /0 and alone */
	for (int whole = 0; whole < 2; whole++) {
		range_set_init(&s, "x");
		if (whole) {
			add(&s, "0.0.0.0/0", "all4");
			add(&s, "::/0", "all6");
		}
		add(&s, "0.0.0.0/32", "first4");
		add(&s, "255.255.255.255/32", "last4");
		add(&s, "255.0.0.0/8", "top8");
		add(&s, "::/128", "first6");
		add(&s, "::1/128", "second6");
		add(&s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "last6");
		add(&s, "ffff::/16", "top16");
		t = build(&s, 1);
		const char *v4 = whole ? " 0.0.0.0/0" : "", *v6 = whole ? " ::/0" : "";
		char want[256];
		snprintf(want, sizeof(want), "0.0.0.0/32%s", v4);
		ck_assert_str_eq(chain(t, "0.0.0.0"), want);
		ck_assert_str_eq(chain(t, "0.0.0.1"), whole ? "0.0.0.0/0" : "-");
		ck_assert_str_eq(chain(t, "254.255.255.255"), whole ? "0.0.0.0/0" : "-");
		snprintf(want, sizeof(want), "255.0.0.0/8%s", v4);
		ck_assert_str_eq(chain(t, "255.0.0.0"), want);
		ck_assert_str_eq(chain(t, "255.255.255.254"), want);
		snprintf(want, sizeof(want), "255.255.255.255/32 255.0.0.0/8%s", v4);
		ck_assert_str_eq(chain(t, "255.255.255.255"), want);
		snprintf(want, sizeof(want), "::/128%s", v6);
		ck_assert_str_eq(chain(t, "::"), want);
		snprintf(want, sizeof(want), "::1/128%s", v6);
		ck_assert_str_eq(chain(t, "::1"), want);
		ck_assert_str_eq(chain(t, "::2"), whole ? "::/0" : "-");
		ck_assert_str_eq(chain(t, "fffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
				 whole ? "::/0" : "-");
		snprintf(want, sizeof(want), "ffff::/16%s", v6);
		ck_assert_str_eq(chain(t, "ffff::"), want);
		ck_assert_str_eq(chain(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), want);
		snprintf(want, sizeof(want),
			 "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128 ffff::/16%s", v6);
		ck_assert_str_eq(chain(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), want);
		prefixes_free(t);
		range_set_free(&s);
	}
}
END_TEST

START_TEST(duplicate_prefixes_are_one_node_with_every_record)
{
	struct range_set s[2];
	struct prefixes *t;
	struct addr a;
	const struct prefix_rec *recs;

	range_set_init(&s[0], "aws");
	s[0].kind = RANGE_PROVIDER;
	add(&s[0], "52.95.110.0/24", "eu-west-1");
	add(&s[0], "52.95.0.0/16", "eu-west-1");
	add(&s[0], "52.95.110.0/24", "GLOBAL");
	range_set_init(&s[1], "example-geofeed");
	s[1].kind = RANGE_GEOFEED;
	add(&s[1], "52.95.110.0/24", "DE-BE");
	add(&s[1], "2001:db8::/32", "x");
	add(&s[1], "2001:0db8::/32", "y"); /* the same prefix written otherwise */
	t = build(s, 2);
	ck_assert_uint_eq(prefixes_nodes(t), 3);

	ck_assert(addr_parse("52.95.110.9", &a));
	int32_t n = prefixes_lookup(t, &a);
	ck_assert_int_ge(n, 0);
	/* in the order of the sets, then of the records */
	ck_assert_uint_eq(prefixes_records(t, n, &recs), 3);
	ck_assert_str_eq(prefixes_str(t, recs[0].region), "eu-west-1");
	ck_assert_str_eq(prefixes_str(t, recs[1].region), "GLOBAL");
	ck_assert_str_eq(prefixes_str(t, recs[2].region), "DE-BE");
	ck_assert_str_eq(prefixes_str(t, recs[0].provider), "aws");
	ck_assert_str_eq(prefixes_str(t, recs[2].provider), "example-geofeed");
	ck_assert_int_eq(recs[0].kind, RANGE_PROVIDER);
	ck_assert_int_eq(recs[2].kind, RANGE_GEOFEED);
	/* strings are interned: equal strings, equal offsets */
	ck_assert_uint_eq(recs[0].provider, recs[1].provider);
	ck_assert_uint_ne(recs[0].provider, recs[2].provider);
	uint32_t region24 = recs[0].region;
	int32_t up = prefixes_parent(t, n);
	ck_assert_int_ge(up, 0);
	ck_assert_str_eq(match(t, "52.95.111.1"), "52.95.0.0/16");
	ck_assert_uint_eq(prefixes_records(t, up, &recs), 1);
	ck_assert_uint_eq(recs[0].region, region24); /* "eu-west-1" once in the pool */
	ck_assert_int_eq(prefixes_parent(t, up), -1);
	ck_assert(addr_parse("2001:db8:ffff::1", &a));
	n = prefixes_lookup(t, &a);
	ck_assert_uint_eq(prefixes_records(t, n, &recs), 2);
	ck_assert_str_eq(prefixes_str(t, recs[0].region), "x");
	ck_assert_str_eq(prefixes_str(t, recs[1].region), "y");
	prefixes_free(t);
	range_set_free(&s[0]);
	range_set_free(&s[1]);
}
END_TEST

/* ---- many random prefixes against a brute-force search ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL; /* fixed seed: every run the same */

static uint64_t next(void)
{
	/* xorshift64*: the same numbers on every libc */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static void clear_host(struct prefix *p)
{
	unsigned total = p->addr.family == 4 ? 32 : 128;
	for (unsigned bit = p->len; bit < total; bit++)
		p->addr.b[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
}

static void random_bits(struct addr *a, unsigned from)
{
	unsigned total = a->family == 4 ? 32 : 128;
	for (unsigned bit = from; bit < total; bit++) {
		uint8_t m = (uint8_t)(0x80u >> (bit % 8));
		if (next() & 1)
			a->b[bit / 8] |= m;
		else
			a->b[bit / 8] &= (uint8_t)~m;
	}
}

/* The first or last address of p, or one just outside it (false at the edge of the space). */
static bool edge(const struct prefix *p, bool last, bool outside, struct addr *out)
{
	unsigned total = p->addr.family == 4 ? 32 : 128, nb = total / 8;
	*out = p->addr;
	if (last)
		for (unsigned bit = p->len; bit < total; bit++)
			out->b[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
	if (!outside)
		return true;
	for (int i = (int)nb - 1; i >= 0; i--) {
		if (last) {
			if (++out->b[i] != 0)
				return true;
		} else {
			if (out->b[i]-- != 0)
				return true;
		}
	}
	return false; /* wrapped around */
}

#define NPREFIX 1500
#define NADDR 6000

START_TEST(random_prefixes_match_brute_force)
{
	static struct prefix pre[NPREFIX];
	static struct addr addrs[NADDR + 4 * NPREFIX];
	struct range_set s[2];
	size_t na = 0;

	range_set_init(&s[0], "one");
	range_set_init(&s[1], "two");
	for (size_t i = 0; i < NPREFIX; i++) {
		struct prefix *p = &pre[i];
		memset(p, 0, sizeof(*p));
		uint64_t r = next();
		if (i > 10 && r % 3 != 0) {
			/* inside (or equal to) an earlier one: nesting and duplicates */
			const struct prefix *q = &pre[next() % i];
			unsigned total = q->addr.family == 4 ? 32 : 128;
			*p = *q;
			p->len = (uint8_t)(q->len + next() % (total - q->len + 1));
			random_bits(&p->addr, q->len);
		} else if (r % 2) {
			p->addr.family = 4;
			random_bits(&p->addr, 0);
			p->len = (uint8_t)(6 + next() % 27); /* 6..32 */
		} else {
			p->addr.family = 6;
			random_bits(&p->addr, 0);
			p->addr.b[0] = 0x20;		       /* a crowded corner of the space */
			p->len = (uint8_t)(16 + next() % 113); /* 16..128 */
		}
		clear_host(p);
		char text[64];
		prefix_format(p, text, sizeof(text));
		add(&s[next() % 2], text, text);
	}
	for (size_t i = 0; i < NADDR; i++) {
		struct addr *a = &addrs[na++];
		memset(a, 0, sizeof(*a));
		if (i % 2) {
			a->family = 4;
			random_bits(a, 0);
		} else {
			a->family = 6;
			random_bits(a, 0);
			a->b[0] = 0x20;
		}
	}
	for (size_t i = 0; i < NPREFIX; i++)
		for (int k = 0; k < 4; k++)
			if (edge(&pre[i], k & 1, k & 2, &addrs[na]))
				na++;

	struct prefixes *t = build(s, 2);
	/* the same table through its bytes, as the cache keeps it */
	const void *bytes;
	size_t len;
	prefixes_bytes_of(t, &bytes, &len);
	void *copy = aligned_alloc(8, (len + 7) / 8 * 8);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, bytes, len);
	struct prefixes *t2 = NULL;
	ck_assert(prefixes_from_bytes(copy, len, &t2));

	size_t in_none = 0, nested = 0;
	for (size_t i = 0; i < na; i++) {
		const struct addr *a = &addrs[i];
		int best = -1;
		size_t nmatch = 0;
		char seen[NPREFIX];
		memset(seen, 0, sizeof(seen));
		for (size_t k = 0; k < NPREFIX; k++) {
			if (!prefix_contains(&pre[k], a))
				continue;
			bool dup = false;
			for (size_t m = 0; m < k && !dup; m++)
				dup = seen[m] && pre[m].len == pre[k].len;
			seen[k] = 1;
			nmatch += !dup;
			if (best < 0 || pre[k].len > pre[best].len)
				best = (int)k;
		}
		int32_t node = prefixes_lookup(t, a);
		char as[ADDR_STRLEN], want[64], got[64];
		addr_format(a, as, sizeof(as));
		ck_assert_int_eq(prefixes_lookup(t2, a), node);
		if (best < 0) {
			ck_assert_msg(node == -1, "%s: matched %s, in no prefix", as,
				      prefix_format(prefixes_prefix(t, node), got, sizeof(got)));
			in_none++;
			continue;
		}
		ck_assert_msg(node >= 0, "%s: no match, want %s", as,
			      prefix_format(&pre[best], want, sizeof(want)));
		const struct prefix *pp = prefixes_prefix(t, node);
		ck_assert_msg(pp->len == pre[best].len && prefix_contains(pp, a), "%s: %s, want %s",
			      as, prefix_format(pp, got, sizeof(got)),
			      prefix_format(&pre[best], want, sizeof(want)));
		/* up the parents: every distinct containing prefix once, longest first */
		size_t depth = 0;
		int last_len = 129;
		for (int32_t n = node; n >= 0; n = prefixes_parent(t, n)) {
			const struct prefix *q = prefixes_prefix(t, n);
			ck_assert(prefix_contains(q, a));
			ck_assert_int_lt(q->len, last_len);
			last_len = q->len;
			depth++;
		}
		ck_assert_uint_eq(depth, nmatch);
		nested += depth > 1;
	}
	/* the case mix the test means to have */
	ck_assert_uint_gt(in_none, 1000);
	ck_assert_uint_gt(nested, 1000);
	prefixes_free(t2);
	free(copy);
	prefixes_free(t);
	range_set_free(&s[0]);
	range_set_free(&s[1]);
}
END_TEST

static Suite *prefixes_suite(void)
{
	Suite *s = suite_create("prefixes");
	TCase *tc = tcase_create("prefixes");

	tcase_add_test(tc, empty_table_matches_nothing);
	tcase_add_test(tc, nested_prefixes_most_specific_first);
	tcase_add_test(tc, adjacent_prefixes_meet_exactly);
	tcase_add_test(tc, whole_space_and_host_prefixes_at_the_edges);
	tcase_add_test(tc, duplicate_prefixes_are_one_node_with_every_record);
	tcase_add_test(tc, random_prefixes_match_brute_force);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(prefixes_suite());
}
