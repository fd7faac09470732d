/*
 * cli/diff: `residency diff --from ID --to ID`: per service, the countries,
 * providers, regions and addresses added and removed between two stored scans,
 * and verdict changes ("accounts: CN -> SG, US").
 */
#include "cli/cli.h"
#include "core/log.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: residency diff --from ID --to ID [--db CONNINFO]\n\n"
		   "Per service: verdict change, and the countries, providers, regions and\n"
		   "addresses its data paths reached in one scan and not the other.\n\n"
		   "Exit: 0 no change; 1 something changed; 2 bad usage or no such scan;\n"
		   "3 the database could not be read.\n");
}

/* (service, what, value) rows of one scan, sorted. */
static const char facts_sql[] =
    "SELECT DISTINCT * FROM ("
    " SELECT e.service, 'country' AS what, a.country AS value FROM scan_elements e"
    "  JOIN scan_attributions a ON a.scan_id = e.scan_id AND a.address = e.address"
    "  WHERE e.scan_id = $1 AND e.kind = 'address' AND a.country IS NOT NULL"
    " UNION ALL SELECT e.service, 'provider', a.provider FROM scan_elements e"
    "  JOIN scan_attributions a ON a.scan_id = e.scan_id AND a.address = e.address"
    "  WHERE e.scan_id = $1 AND e.kind = 'address' AND a.provider IS NOT NULL"
    " UNION ALL SELECT e.service, 'region', a.provider || ':' || coalesce(nullif(a.border_group,"
    "  ''), a.region) FROM scan_elements e"
    "  JOIN scan_attributions a ON a.scan_id = e.scan_id AND a.address = e.address"
    "  WHERE e.scan_id = $1 AND e.kind = 'address' AND a.region IS NOT NULL"
    " UNION ALL SELECT e.service, 'address', host(e.address) FROM scan_elements e"
    "  WHERE e.scan_id = $1 AND e.kind = 'address'"
    " UNION ALL SELECT service, 'verdict', verdict FROM scan_services WHERE scan_id = $1"
    ") f ORDER BY 1, 2, 3";

static PGresult *facts(PGconn *c, const char *id, bool *bad)
{
	const char *p[1] = {id};
	PGresult *r =
	    PQexecParams(c, "SELECT status FROM scans WHERE id = $1", 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		log_warnx("no scan %s in the database%s%s", id,
			  PQresultStatus(r) != PGRES_TUPLES_OK ? ": " : "",
			  PQresultStatus(r) != PGRES_TUPLES_OK ? PQerrorMessage(c) : "");
		PQclear(r);
		*bad = true;
		return NULL;
	}
	if (strcmp(PQgetvalue(r, 0, 0), "complete") != 0)
		log_warnx("scan %s is %s: what it did not observe is not in this diff", id,
			  PQgetvalue(r, 0, 0));
	PQclear(r);
	r = PQexecParams(c, facts_sql, 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_warnx("postgresql: %s", PQerrorMessage(c));
		PQclear(r);
		*bad = true;
		return NULL;
	}
	return r;
}

static int cmp_row(PGresult *a, int i, PGresult *b, int j)
{
	for (int k = 0; k < 3; k++) {
		int c = strcmp(PQgetvalue(a, i, k), PQgetvalue(b, j, k));
		if (c)
			return c;
	}
	return 0;
}

/* Values of one (service, what) group, joined by ", ". */
static void values(PGresult *r, const char *svc, const char *what, char *out, size_t len)
{
	size_t n = 0;
	out[0] = '\0';
	for (int i = 0; i < PQntuples(r); i++)
		if (strcmp(PQgetvalue(r, i, 0), svc) == 0 &&
		    strcmp(PQgetvalue(r, i, 1), what) == 0) {
			int w =
			    snprintf(out + n, len - n, "%s%s", n ? ", " : "", PQgetvalue(r, i, 2));
			if (w < 0 || (size_t)w >= len - n)
				break;
			n += (size_t)w;
		}
	if (n == 0)
		snprintf(out, len, "(none)");
}

int cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {"db", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *from = NULL, *to = NULL, *db = NULL;
	struct store *st = NULL;
	struct rerr err;
	int ch, changes = 0;
	bool bad = false;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_COMPLIANT;
		default:
			return cli_usage_error("diff", "bad option");
		}
	}
	if (!from || !to || strspn(from, "0123456789") != strlen(from) ||
	    strspn(to, "0123456789") != strlen(to) || optind != argc)
		return cli_usage_error("diff", "--from ID and --to ID (numbers) are required");
	rerr_clear(&err);
	if (store_open(db, &st, &err) != R_OK) {
		rerr_log(&err);
		return EXIT_INCOMPLETE;
	}
	PGresult *a = facts(store_conn(st), from, &bad),
		 *b = bad ? NULL : facts(store_conn(st), to, &bad);
	if (bad) {
		PQclear(a);
		store_close(st);
		return EXIT_BADINPUT;
	}
	printf("scan %s -> scan %s\n", from, to);
	/* Walk both sorted lists; print per service and fact kind. */
	int i = 0, j = 0;
	char last_svc[512] = "", last_what[32] = "";
	while (i < PQntuples(a) || j < PQntuples(b)) {
		int c = i == PQntuples(a) ? 1 : j == PQntuples(b) ? -1 : cmp_row(a, i, b, j);
		PGresult *r = c <= 0 ? a : b;
		int row = c <= 0 ? i : j;
		const char *svc = PQgetvalue(r, row, 0), *what = PQgetvalue(r, row, 1);
		if (c != 0) {
			if (strcmp(svc, last_svc) != 0) {
				printf("%s:\n", svc);
				snprintf(last_svc, sizeof(last_svc), "%s", svc);
				last_what[0] = '\0';
			}
			if (strcmp(what, last_what) != 0) {
				char va[2048], vb[2048];
				values(a, svc, what, va, sizeof(va));
				values(b, svc, what, vb, sizeof(vb));
				printf("  %s: %s -> %s\n",
				       strcmp(what, "verdict") ? what : "verdict", va, vb);
				snprintf(last_what, sizeof(last_what), "%s", what);
			}
			printf("    %c %s\n", c < 0 ? '-' : '+', PQgetvalue(r, row, 2));
			changes++;
		}
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	if (changes == 0)
		printf("no change\n");
	PQclear(a);
	PQclear(b);
	store_close(st);
	return changes ? EXIT_VIOLATION : EXIT_COMPLIANT;
}
