/*
 * test_parts: how a path is cut into its own rows and shared parts for storage
 * (store/parts.c, schema 012), without a database: the cut must find each
 * zone's name-server block, name equal blocks alike and different ones apart,
 * and expanding what was cut must give the path back element for element.
 */
#include "store/parts.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testutil.h"

static void add(struct path *p, enum path_kind kind, const char *name, const char *addr,
		enum dns_status st, int parent, const char *zone)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->elems = realloc(p->elems, p->cap * sizeof(*p->elems));
		ck_assert_ptr_nonnull(p->elems);
	}
	struct path_elem *e = &p->elems[p->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->name = name;
	if (addr)
		ck_assert(addr_parse(addr, &e->addr));
	e->status = st;
	e->parent = parent;
	e->zone = zone;
	e->answer = -1;
}

/* www.<zone> -> CNAME cdn.example.net -> addresses, with the name servers of
 * both zones (as dns/path.c builds it). */
static void typical(struct path *p, const char *www, const char *zone, const char *ns_addr)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->root, sizeof(p->root), "%s", www);
	add(p, PATH_NAME, www, NULL, DNS_OK, -1, "");
	add(p, PATH_NAME, "cdn.example.net.", NULL, DNS_OK, 0, "");
	add(p, PATH_ADDRESS, "cdn.example.net.", "192.0.2.10", DNS_OK, 1, "");
	add(p, PATH_ADDRESS, "cdn.example.net.", "2001:db8::10", DNS_OK, 1, "");
	add(p, PATH_NS, "ns1.example.org.", NULL, DNS_OK, 0, zone);
	add(p, PATH_ADDRESS, "ns1.example.org.", ns_addr, DNS_OK, 4, "");
	add(p, PATH_ADDRESS, "ns1.example.org.", "2001:db8::53", DNS_OK, 4, "");
	add(p, PATH_NS, "ns2.example.org.", NULL, DNS_TIMEOUT, 0, zone);
	add(p, PATH_NS, "a.ns.example.net.", NULL, DNS_OK, 1, "example.net.");
	add(p, PATH_ADDRESS, "a.ns.example.net.", "198.51.100.1", DNS_OK, 8, "");
	add(p, PATH_MX, "mx.example.org.", NULL, DNS_OK, 0, "");
	add(p, PATH_ADDRESS, "mx.example.org.", "192.0.2.25", DNS_OK, 10, "");
}

START_TEST(each_zone_block_is_a_part)
{
	struct path p;
	typical(&p, "www.example.org.", "example.org.", "192.0.2.53");
	ck_assert_uint_eq(parts_span(&p, 0), 0);
	ck_assert_uint_eq(parts_span(&p, 1), 0);
	ck_assert_uint_eq(parts_span(&p, 2), 0);
	/* ns1 + its two addresses + ns2 (no address: it timed out) */
	ck_assert_uint_eq(parts_span(&p, 4), 4);
	/* the other zone's block: under another parent */
	ck_assert_uint_eq(parts_span(&p, 8), 2);
	/* an MX with its address is not a zone block */
	ck_assert_uint_eq(parts_span(&p, 10), 0);
	ck_assert_int_eq(parts_rel_parent(&p, 4, 0), -1);
	ck_assert_int_eq(parts_rel_parent(&p, 4, 1), 0);
	ck_assert_int_eq(parts_rel_parent(&p, 4, 3), -1);
	path_clear(&p);
}
END_TEST

START_TEST(a_lone_name_server_is_its_own_row)
{
	struct path p;
	memset(&p, 0, sizeof(p));
	add(&p, PATH_NAME, "a.example.", NULL, DNS_OK, -1, "");
	add(&p, PATH_NS, "ns.example.", NULL, DNS_NXDOMAIN, 0, "example.");
	add(&p, PATH_NS, "ns.other.", NULL, DNS_OK, 0, "other.");
	ck_assert_uint_eq(parts_span(&p, 1), 0);
	ck_assert_uint_eq(parts_span(&p, 2), 0);
	path_clear(&p);
}
END_TEST

START_TEST(equal_blocks_share_a_key_and_different_ones_do_not)
{
	struct path a, b, c, d;
	char ka[PARTS_KEYLEN], kb[PARTS_KEYLEN], kc[PARTS_KEYLEN], kd[PARTS_KEYLEN];

	typical(&a, "www.example.org.", "example.org.", "192.0.2.53");
	typical(&b, "api.example.org.", "example.org.", "192.0.2.53");
	typical(&c, "www.example.org.", "example.org.", "192.0.2.54");
	typical(&d, "www.example.org.", "example.com.", "192.0.2.53");
	ck_assert(parts_key(&a, 4, 4, ka));
	ck_assert(parts_key(&b, 4, 4, kb));
	ck_assert(parts_key(&c, 4, 4, kc));
	ck_assert(parts_key(&d, 4, 4, kd));
	ck_assert_uint_eq(strlen(ka), PARTS_KEYLEN - 1);
	ck_assert_str_eq(ka, kb);
	ck_assert_str_ne(ka, kc); /* another address */
	ck_assert_str_ne(ka, kd); /* another zone */
	/* A status is part of the content. */
	b.elems[7].status = DNS_OK;
	ck_assert(parts_key(&b, 4, 4, kb));
	ck_assert_str_ne(ka, kb);
	path_clear(&a);
	path_clear(&b);
	path_clear(&c);
	path_clear(&d);
}
END_TEST

/* What the store writes and reads, in memory: cut, then expand again. */
struct row {
	int idx, parent;
	int part; /* -1: an element of its own */
	struct path_elem e;
};

static void roundtrip(const struct path *p)
{
	struct row rows[64];
	struct path_elem parts[8][32];
	size_t partlen[8], nrows = 0, nparts = 0;

	for (size_t i = 0; i < p->n;) {
		size_t n = parts_span(p, i);
		if (n == 0) {
			rows[nrows++] = (struct row){(int)i, p->elems[i].parent, -1, p->elems[i]};
			i++;
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			parts[nparts][k] = p->elems[i + k];
			parts[nparts][k].parent = parts_rel_parent(p, i, k);
		}
		partlen[nparts] = n;
		rows[nrows++] = (struct row){(int)i, p->elems[i].parent, (int)nparts, {0}};
		nparts++;
		i += n;
	}
	ck_assert_uint_lt(nrows, p->n);
	/* Expand as scan_path_elements and the reader do. */
	size_t at = 0;
	for (size_t r = 0; r < nrows; r++) {
		if (rows[r].part < 0) {
			ck_assert_int_eq(rows[r].idx, (int)at);
			ck_assert_int_eq(rows[r].e.parent, p->elems[at].parent);
			at++;
			continue;
		}
		for (size_t k = 0; k < partlen[rows[r].part]; k++) {
			const struct path_elem *e = &parts[rows[r].part][k];
			const struct path_elem *want = &p->elems[at];
			ck_assert_int_eq(rows[r].idx + (int)k, (int)at);
			ck_assert_int_eq(parts_abs_parent(rows[r].idx, rows[r].parent, e->parent),
					 want->parent);
			ck_assert_int_eq(e->kind, want->kind);
			ck_assert_str_eq(e->name, want->name);
			ck_assert_int_eq(e->status, want->status);
			ck_assert_int_eq(addr_cmp(&e->addr, &want->addr), 0);
			at++;
		}
	}
	ck_assert_uint_eq(at, p->n);
}

START_TEST(a_cut_path_expands_to_itself)
{
	struct path p;
	typical(&p, "www.example.org.", "example.org.", "192.0.2.53");
	roundtrip(&p);
	/* Name servers of one zone under two chain names: two parts. */
	add(&p, PATH_NS, "ns1.example.org.", NULL, DNS_OK, 1, "example.org.");
	add(&p, PATH_ADDRESS, "ns1.example.org.", "192.0.2.53", DNS_OK, (int)p.n - 1, "");
	roundtrip(&p);
	path_clear(&p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("parts");
	TCase *tc = tcase_create("parts");
	tcase_add_test(tc, each_zone_block_is_a_part);
	tcase_add_test(tc, a_lone_name_server_is_its_own_row);
	tcase_add_test(tc, equal_blocks_share_a_key_and_different_ones_do_not);
	tcase_add_test(tc, a_cut_path_expands_to_itself);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
