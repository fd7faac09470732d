/*
 * cli/report: `residency report --scan ID` prints a stored scan as text, JSON,
 * CSV or HTML (report/html). Everything comes from the database; nothing is
 * judged again.
 */
#include "cli/cli.h"
#include "core/log.h"
#include "report/html.h"
#include "store/store.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: residency report --scan ID [--db CONNINFO] "
		   "[--format text|json|csv|html]\n\n"
		   "Prints a stored scan: its verdict, each service's verdict, and every finding\n"
		   "with the element, country, provider, region, source, policy, reason and the\n"
		   "path that led to it (waived findings listed apart).\n\n"
		   "--format html writes one self-contained HTML page (no external assets) with\n"
		   "the verdict, the scan's hashes, countries, services, findings with their\n"
		   "paths, waivers and the data sources; redirect it to a file.\n\n"
		   "Exit: 0 the scan is complete and compliant; 1 it has findings; 2 bad usage or\n"
		   "no such scan; 3 the database could not be read, or the scan is not complete\n"
		   "(a partial result is never reported as a pass).\n");
}

static PGresult *q(PGconn *c, const char *sql, const char *id, struct rerr *err, bool *bad)
{
	const char *p[1] = {id};
	PGresult *res = PQexecParams(c, sql, 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rerr_set(err, R_EDB, "postgresql", 0, "%s", PQerrorMessage(c));
		*bad = true;
	}
	return res;
}

static const char *v(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static void csv(FILE *f, const char *s, bool last)
{
	if (s == NULL)
		s = "";
	if (strpbrk(s, ",\"\n\r")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

/* A finding's row as `check --format json` writes it: its endpoints (schema
 * 008; [endpoint] before) and, for an address, what its attribution said. */
#define FINDING_COLS                                                                               \
	"f.service, f.endpoint, f.element, f.element_kind, f.country, f.provider, f.region, "      \
	"f.border_group, f.source, f.policy, f.reason, f.detail, f.path::text, f.waived, "         \
	"f.waiver_reason, f.waiver_expires::text, f.waiver_expired, "                              \
	"coalesce(f.endpoints, jsonb_build_array(f.endpoint))::text, coalesce(a.scope, 'none'), "  \
	"a.prefix::text, a.geoip_country, coalesce(a.disagreement, false), a.services"
#define FINDING_FROM                                                                               \
	" FROM scan_findings f LEFT JOIN scan_attributions a ON a.scan_id = f.scan_id AND "        \
	"f.element_kind = 'address' AND a.address = (CASE WHEN f.element_kind = 'address' "        \
	"THEN f.element END)::inet WHERE f.scan_id = $1 ORDER BY f.seq"

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"scan", required_argument, NULL, 's'},
	    {"db", required_argument, NULL, 'd'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *id = NULL, *db = NULL, *format = "text";
	struct store *st = NULL;
	struct rerr err;
	int ch, status = EXIT_INCOMPLETE;
	bool bad = false;
	PGresult *scan = NULL, *svcs = NULL, *finds = NULL;

	rerr_clear(&err);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			id = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json") &&
			    strcmp(optarg, "csv") && strcmp(optarg, "html"))
				return cli_usage_error("report",
						       "--format must be text, json, csv or html");
			format = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_COMPLIANT;
		default:
			return cli_usage_error("report", "bad option");
		}
	}
	if (id == NULL || strspn(id, "0123456789") != strlen(id) || optind != argc)
		return cli_usage_error("report", "--scan ID (a number) is required");
	if (store_open(db, &st, &err) != R_OK) {
		rerr_log(&err);
		return EXIT_INCOMPLETE;
	}
	PGconn *c = store_conn(st);
	scan = q(
	    c,
	    "SELECT id, status, to_char(started_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	    "verdict, estate, config_sha256, policy_sha256, geoip_build_epoch, coalesce(error, '') "
	    "FROM scans WHERE id = $1",
	    id, &err, &bad);
	if (bad)
		goto out;
	if (PQntuples(scan) != 1) {
		log_warnx("no scan %s in the database", id);
		status = EXIT_BADINPUT;
		goto out;
	}
	svcs =
	    q(c,
	      "SELECT service, owner, policy, verdict, findings, waived FROM scan_services WHERE "
	      "scan_id = $1 ORDER BY service",
	      id, &err, &bad);
	finds = q(c, "SELECT " FINDING_COLS FINDING_FROM, id, &err, &bad);
	if (bad)
		goto out;
	const char *sstatus = PQgetvalue(scan, 0, 1), *verdict = v(scan, 0, 3);
	bool complete = strcmp(sstatus, "complete") == 0;
	int open = 0;
	for (int i = 0; i < PQntuples(finds); i++)
		open += PQgetvalue(finds, i, 13)[0] != 't';

	if (strcmp(format, "html") == 0) {
		if (html_report_scan(stdout, st, id, &err) != R_OK) {
			bad = true;
			status = rstatus_exit(err.code);
			goto out;
		}
	} else if (strcmp(format, "json") == 0) {
		json_t *o = json_object(), *sa = json_array(), *fa = json_array(),
		       *wa = json_array();
		static const char *names[] = {"service", "endpoint", "element", "element_kind",
					      "country", "provider", "region",	"border_group",
					      "source",	 "policy",   "reason",	"detail"};
		json_object_set_new(o, "scan", json_integer(strtoll(id, NULL, 10)));
		json_object_set_new(o, "status", json_string(sstatus));
		json_object_set_new(o, "started_at", json_string(PQgetvalue(scan, 0, 2)));
		json_object_set_new(o, "verdict", verdict ? json_string(verdict) : json_null());
		json_object_set_new(o, "estate", json_string(PQgetvalue(scan, 0, 4)));
		json_object_set_new(o, "config_sha256", json_string(PQgetvalue(scan, 0, 5)));
		json_object_set_new(o, "policy_sha256", json_string(PQgetvalue(scan, 0, 6)));
		for (int i = 0; i < PQntuples(svcs); i++)
			json_array_append_new(
			    sa, json_pack("{s:s, s:s?, s:s, s:s, s:I, s:I}", "name", v(svcs, i, 0),
					  "owner", v(svcs, i, 1), "policy", v(svcs, i, 2),
					  "verdict", v(svcs, i, 3), "findings",
					  (json_int_t)strtoll(v(svcs, i, 4), NULL, 10), "waived",
					  (json_int_t)strtoll(v(svcs, i, 5), NULL, 10)));
		for (int i = 0; i < PQntuples(finds); i++) {
			json_t *f = json_object();
			for (int k = 0; k < 12; k++)
				json_object_set_new(f, names[k],
						    v(finds, i, k) ? json_string(v(finds, i, k))
								   : json_null());
			json_object_set_new(f, "endpoints",
					    json_loads(PQgetvalue(finds, i, 17), 0, NULL));
			json_object_set_new(f, "scope", json_string(PQgetvalue(finds, i, 18)));
			json_object_set_new(f, "prefix",
					    v(finds, i, 19) ? json_string(v(finds, i, 19))
							    : json_null());
			json_object_set_new(f, "geoip_country",
					    v(finds, i, 20) ? json_string(v(finds, i, 20))
							    : json_null());
			json_object_set_new(f, "disagreement",
					    json_boolean(PQgetvalue(finds, i, 21)[0] == 't'));
			/* persist keeps a special-purpose address's registry name in
			 * region (docs/SCHEMA.md): said as check says it */
			if (v(finds, i, 8) && strcmp(v(finds, i, 8), "special") == 0) {
				json_object_set(f, "special", json_object_get(f, "region"));
				json_object_set_new(f, "region", json_null());
				/* and its RFC in the attribution's services */
				if (v(finds, i, 22))
					json_object_set_new(f, "special_rfc",
							    json_string(v(finds, i, 22)));
			}
			json_object_set_new(f, "path",
					    json_loads(PQgetvalue(finds, i, 12), 0, NULL));
			/* As `check` prints them: a waiver that applied, or one that
			 * matched but had expired and was ignored. */
			bool expired = PQgetvalue(finds, i, 16)[0] == 't';
			if (v(finds, i, 14) && !expired)
				json_object_set_new(f, "waiver",
						    json_pack("{s:s, s:s?}", "reason",
							      v(finds, i, 14), "expires",
							      v(finds, i, 15)));
			else if (expired)
				json_object_set_new(
				    f, "expired_waiver",
				    json_pack("{s:s?, s:s?, s:s}", "reason", v(finds, i, 14),
					      "expires", v(finds, i, 15), "note",
					      "this waiver has expired and was ignored"));
			json_array_append_new(PQgetvalue(finds, i, 13)[0] == 't' ? wa : fa, f);
		}
		json_object_set_new(o, "services", sa);
		json_object_set_new(o, "findings", fa);
		json_object_set_new(o, "waived", wa);
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else if (strcmp(format, "csv") == 0) {
		fputs("service,endpoint,element,element_kind,country,provider,region,border_group,"
		      "source,policy,reason,detail,path,waived,endpoints\n",
		      stdout);
		for (int i = 0; i < PQntuples(finds); i++) {
			for (int k = 0; k < 14; k++)
				csv(stdout, v(finds, i, k), false);
			csv(stdout, v(finds, i, 17), true);
		}
	} else {
		printf("scan %s (%s, started %s): %s\n", id, sstatus, PQgetvalue(scan, 0, 2),
		       verdict ? verdict : "no verdict");
		if (*PQgetvalue(scan, 0, 8))
			printf("  error: %s\n", PQgetvalue(scan, 0, 8));
		printf("%-24s %-20s %-10s %s\n", "SERVICE", "POLICY", "VERDICT", "FINDINGS");
		for (int i = 0; i < PQntuples(svcs); i++)
			printf("%-24s %-20s %-10s %s%s%s\n", v(svcs, i, 0), v(svcs, i, 2),
			       v(svcs, i, 3), v(svcs, i, 4),
			       strcmp(v(svcs, i, 5), "0") ? " + waived " : "",
			       strcmp(v(svcs, i, 5), "0") ? v(svcs, i, 5) : "");
		for (int i = 0; i < PQntuples(finds); i++) {
			bool waived = PQgetvalue(finds, i, 13)[0] == 't';
			printf("  %s%s  %s  %s  %s %s %s\n    %s\n", waived ? "waived " : "",
			       v(finds, i, 10), v(finds, i, 0), v(finds, i, 2),
			       v(finds, i, 4) ? v(finds, i, 4) : "--",
			       v(finds, i, 5) ? v(finds, i, 5) : "",
			       v(finds, i, 7) ? v(finds, i, 7)
					      : (v(finds, i, 6) ? v(finds, i, 6) : ""),
			       v(finds, i, 11));
			json_t *eps = json_loads(PQgetvalue(finds, i, 17), 0, NULL);
			if (json_array_size(eps) > 1) {
				printf("    reached from %zu endpoints:", json_array_size(eps));
				for (size_t k = 0; k < json_array_size(eps); k++)
					printf(" %s", json_string_value(json_array_get(eps, k)));
				putchar('\n');
			}
			json_decref(eps);
		}
	}
	if (fflush(stdout) != 0)
		status = EXIT_INCOMPLETE;
	else if (!complete) {
		log_warnx("scan %s is %s: a partial result is never a pass", id, sstatus);
		status = EXIT_INCOMPLETE;
	} else {
		status = open ? EXIT_VIOLATION : EXIT_COMPLIANT;
	}
out:
	if (bad)
		rerr_log(&err);
	PQclear(scan);
	PQclear(svcs);
	PQclear(finds);
	store_close(st);
	return status;
}
