/*
 * cli/report: `residency report --scan ID` prints a stored scan as text, JSON,
 * CSV (report/stored) or HTML (report/html). Everything comes from the
 * database through store/report_read; nothing is judged again.
 */
#include "cli/cli.h"
#include "core/log.h"
#include "report/html.h"
#include "report/stored.h"
#include "store/report_read.h"
#include "store/store.h"

#include <getopt.h>
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
	bool bad = false, begun = false;
	struct stored_scan *scan = NULL;

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
	if (store_report_begin(st, &err) != R_OK) {
		bad = true;
		goto out;
	}
	begun = true;
	enum rstatus rc = store_report_scan(st, strtoll(id, NULL, 10), &scan, &err);
	if (rc == R_EINPUT) {
		log_warnx("%s", err.msg);
		status = EXIT_BADINPUT;
		goto out;
	} else if (rc != R_OK) {
		bad = true;
		goto out;
	}
	const char *sstatus = scan->status ? scan->status : "";
	bool complete = strcmp(sstatus, "complete") == 0;
	struct store_report_source rs = {st, scan->id};
	struct stored_source src = store_report_source(&rs);
	size_t open = 0;

	if (strcmp(format, "html") == 0) {
		struct html_scan *h = NULL;
		if ((rc = store_report_html(st, scan->id, &h, &err)) == R_OK)
			rc = html_write(stdout, h, &src, &err);
		if (h)
			open = (size_t)h->open;
		store_report_html_free(h);
	} else {
		enum stored_format fmt = strcmp(format, "json") == 0  ? STORED_JSON
					 : strcmp(format, "csv") == 0 ? STORED_CSV
								      : STORED_TEXT;
		rc = stored_write(stdout, fmt, scan, &src, &open, &err);
	}
	if (rc != R_OK) {
		bad = true;
		status = rstatus_exit(rc);
		goto out;
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
	store_report_scan_free(scan);
	if (begun)
		store_report_end(st);
	store_close(st);
	return status;
}
