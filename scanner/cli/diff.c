/*
 * cli/diff: `residency diff --from ID --to ID`: per service, the countries,
 * providers, regions and addresses added and removed between two stored scans,
 * and verdict changes ("accounts: CN -> SG, US"). store/diff_read reads the
 * facts; report/diff writes them.
 */
#include "cli/cli.h"
#include "core/log.h"
#include "report/diff.h"
#include "store/diff_read.h"
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

/* Scan id exists; warns when it is not complete. */
static bool scan_ok(struct store *st, const char *id)
{
	struct rerr err;
	char *status = NULL;
	enum rstatus rc = store_diff_status(st, strtoll(id, NULL, 10), &status, &err);

	if (rc == R_EINPUT)
		log_warnx("no scan %s in the database", id);
	else if (rc != R_OK)
		log_warnx("no scan %s in the database: %s", id, err.msg);
	else if (strcmp(status, "complete") != 0)
		log_warnx("scan %s is %s: what it did not observe is not in this diff", id, status);
	free(status);
	return rc == R_OK;
}

static enum rstatus add(void *ctx, const struct diff_fact *x, struct rerr *err)
{
	return diff_add(ctx, x, err);
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
	int ch;

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
	if (!scan_ok(st, from) || !scan_ok(st, to)) {
		store_close(st);
		return EXIT_BADINPUT;
	}
	printf("scan %s -> scan %s\n", from, to);
	struct diff_writer w;
	diff_begin(&w, stdout);
	enum rstatus rc =
	    store_diff_facts(st, strtoll(from, NULL, 10), strtoll(to, NULL, 10), add, &w, &err);
	size_t changes = w.changes;
	if (rc == R_OK)
		rc = diff_end(&w, &err);
	diff_free(&w);
	store_close(st);
	if (rc != R_OK) {
		rerr_log(&err);
		/* As it always was: a diff that could not be read is exit 2. */
		return EXIT_BADINPUT;
	}
	return changes ? EXIT_VIOLATION : EXIT_COMPLIANT;
}
