/*
 * test_estate: the estate reader of issue 16. An estate is read a service at a
 * time (one jansson tree per service, freed before the next), so that a
 * million endpoints in one file load in little memory; any estate that does
 * not load is read again as one document, so that its error names the same
 * file:line with the same words as before. These tests hold both halves: big
 * and odd-shaped estates load whole, and errors read as they always did.
 */
#include "lib/testutil.h"
#include "policy/policy.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLICIES "tests/fixtures/policy-bad/policies" /* defines "sg-only" */

static char *dir;

static const char *write_estate(const char *name, const char *text)
{
	static char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(tu_write(path, text, strlen(text)), 0);
	return path;
}

static struct estate *load_ok(const char *text)
{
	struct estate *e = NULL;
	struct rerr err;
	char pol[4096];
	snprintf(pol, sizeof(pol), "%s", tu_path(POLICIES));
	enum rstatus rc = estate_load(write_estate("e.json", text), pol, &e, &err);
	ck_assert_msg(rc == R_OK, "%s:%ld: %s", err.where, err.line, err.msg);
	ck_assert_str_eq(e->text, text); /* kept whole, for the evidence */
	return e;
}

/* The error of an estate that does not load: "LINE: MESSAGE". */
static void refused(const char *text, const char *said)
{
	struct estate *e = NULL;
	struct rerr err;
	char pol[4096], got[2048];
	snprintf(pol, sizeof(pol), "%s", tu_path(POLICIES));
	ck_assert_int_ne(estate_load(write_estate("bad.json", text), pol, &e, &err), R_OK);
	ck_assert_ptr_null(e);
	snprintf(got, sizeof(got), "%ld: %s", err.line, err.msg);
	ck_assert_str_eq(got, said);
}

START_TEST(a_million_endpoints_in_fifty_megabytes_load)
{
	char path[4096], pol[4096];
	snprintf(path, sizeof(path), "%s/big.json", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	/* 100,000 services of 10 endpoints: comparing each service's name
	 * and line with every earlier one made this take minutes */
	fputs("{\"description\": {\"owner\": \"bench\", \"n\": [1, 2.5, null]},\n\"services\": [\n",
	      f);
	for (int s = 0; s < 100000; s++) {
		fprintf(f,
			"%s{\"name\": \"service-%06d\", \"policy\": \"sg-only\", \"endpoints\": [",
			s ? ",\n" : "", s);
		for (int k = 0; k < 10; k++)
			fprintf(f, "%s\"endpoint-%07d.service-%06d.example.com\"", k ? ", " : "",
				s * 10 + k, s);
		fputs("]}", f);
	}
	fputs("\n]}\n", f);
	long size = ftell(f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_gt(size, 50L * 1000 * 1000);

	struct estate *e = NULL;
	struct rerr err;
	snprintf(pol, sizeof(pol), "%s", tu_path(POLICIES));
	enum rstatus rc = estate_load(path, pol, &e, &err);
	ck_assert_msg(rc == R_OK, "%s:%ld: %s", err.where, err.line, err.msg);
	ck_assert_uint_eq(e->n, 100000);
	size_t n = 0;
	for (size_t i = 0; i < e->n; i++)
		n += e->v[i].nendpoints;
	ck_assert_uint_eq(n, 1000000);
	ck_assert_str_eq(e->v[0].name, "service-000000");
	ck_assert_int_eq(e->v[0].line, 3);
	ck_assert_int_eq(e->v[99999].line, 100002);
	ck_assert_str_eq(e->v[99999].endpoints[9], "endpoint-0999999.service-099999.example.com");
	ck_assert_uint_eq(strlen(e->text), (size_t)size);
	estate_free(e);

	/* A duplicate far into an estate names both lines, as it always did. */
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"services\": [\n", f);
	for (int s = 0; s < 10000; s++)
		fprintf(f,
			"%s{\"name\": \"service-%06d\", \"policy\": \"sg-only\", \"endpoints\": "
			"[\"x\"]}",
			s ? ",\n" : "", s == 9999 ? 7 : s);
	fputs("\n]}\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_ne(estate_load(path, pol, &e, &err), R_OK);
	ck_assert_int_eq(err.line, 10001);
	ck_assert_str_eq(err.msg, "duplicate service \"service-000007\" (first at line 9)");
}
END_TEST

START_TEST(odd_shapes_load_as_whole_documents_do)
{
	/* an escaped key, services before a description, nothing but spaces */
	struct estate *e = load_ok(
	    "  {\"servic\\u0065s\" : [ {\"name\":\"a\",\"policy\":\"sg-only\",\"endpoints\":"
	    "[\"x.example\"]} ] , \"description\" : \"d\" }  \n");
	ck_assert_uint_eq(e->n, 1);
	ck_assert_str_eq(e->v[0].endpoints[0], "x.example");
	estate_free(e);
	/* services with strings that need unescaping, over several lines */
	e = load_ok(
	    "{\n\"services\": [\n{\"name\": \"caf\\u00e9\",\n \"owner\": \"o\\\"q\",\n"
	    " \"policy\": \"sg-only\",\n \"mail_domains\": [\"m.example\"],\n"
	    " \"description\": {\"a\": [[], {}]}},\n"
	    "{\"name\": \"b\", \"policy\": \"sg-only\", \"endpoints\": [\"y\", \"z\"]}\n]}");
	ck_assert_uint_eq(e->n, 2);
	ck_assert_str_eq(e->v[0].name, "caf\xc3\xa9");
	ck_assert_str_eq(e->v[0].owner, "o\"q");
	ck_assert_int_eq(e->v[0].line, 3);
	ck_assert_int_eq(e->v[1].line, 8);
	ck_assert_uint_eq(e->v[1].nendpoints, 2);
	estate_free(e);
	/* no services at all is an estate (check says there is nothing to judge) */
	e = load_ok("{\"services\": []}");
	ck_assert_uint_eq(e->n, 0);
	estate_free(e);
}
END_TEST

START_TEST(errors_name_the_line_as_before)
{
	static const char svc[] =
	    "{\"name\": \"a\", \"policy\": \"sg-only\", \"endpoints\": [\"x\"]}";
	char text[4096];

	/* syntax: jansson's words, the whole file's line */
	snprintf(text, sizeof(text), "{\"services\": [\n%s,\n%s,\n]}", svc, svc);
	refused(text, "4: unexpected token near ']'");
	snprintf(text, sizeof(text), "{\"services\": [\n%s\n]}\nx", svc);
	refused(text, "4: end of file expected near 'x'");
	snprintf(text, sizeof(text), "{\"services\": [\n%s\n],\n\"services\": []}", svc);
	refused(text, "4: duplicate object key near '\"services\"'");
	snprintf(text, sizeof(text), "{\"services\": [\n%s,\n{\"name\": \"b\", \"name\": \"c\"}]}",
		 svc);
	refused(text, "3: duplicate object key near '\"name\"'");
	refused("{\"services\": [\n{\"name\": \"a\xff\"}]}",
		"2: unable to decode byte 0xff near '\"a'");
	refused("{\"services\": [], \"description\": 1e999}",
		"1: real number overflow near '1e999'");
	/* content: our words, in the order the whole document gave them */
	snprintf(text, sizeof(text), "{\"services\": [\n%s\n],\n\"servises\": 1}", svc);
	refused(text, "4: unknown key \"servises\" in the top level");
	refused("{\"description\": \"d\"}", "0: \"services\" must be an array");
	refused("[]", "1: an estate is a JSON object with \"services\"");
	snprintf(text, sizeof(text),
		 "{\"services\": [\n%s,\n\n  {\"name\": \"a\",\n\"policy\": "
		 "\"sg-only\", \"endpoints\": [\"y\"]}]}",
		 svc);
	refused(text, "4: duplicate service \"a\" (first at line 2)");
	snprintf(text, sizeof(text), "{\"services\": [\n%s,\n\"b\"]}", svc);
	refused(text, "3: a service is a JSON object");
	refused("{\"services\": [\n{\"name\": \"a\", \"policy\": \"sg-only\",\n\"endpoints\": "
		"[\"x\",\n 7]}]}",
		"4: services/0/endpoints/1: must be a non-empty string");
	refused("{\"services\": [\n{\"name\": \"a\", \"policy\": \"eu\", \"endpoints\": [\"x\"]}]}",
		"2: service \"a\" names policy \"eu\", which no file in the policies folder "
		"defines");
	refused("{\"services\": [{\"name\": \"a\", \"policy\": \"sg-only\"}]}",
		"1: service \"a\" has no endpoints and no mail domains: nothing to check");
}
END_TEST

static Suite *estate_suite(void)
{
	Suite *s = suite_create("estate");
	TCase *tc = tcase_create("estate");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_million_endpoints_in_fifty_megabytes_load);
	tcase_add_test(tc, odd_shapes_load_as_whole_documents_do);
	tcase_add_test(tc, errors_name_the_line_as_before);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	dir = tu_tmpdir();
	int rc = tu_run_suite(estate_suite());
	free(dir);
	return rc;
}
