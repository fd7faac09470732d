/*
 * cli/db: `residency db migrate | status`.
 */
#include "cli/cli.h"
#include "core/rerr.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: residency db migrate [--db CONNINFO]\n"
	    "       residency db status  [--db CONNINFO]\n\n"
	    "migrate  apply the schema migrations this binary carries, in order; a second\n"
	    "         run changes nothing; a database with a newer schema is refused (exit 3)\n"
	    "status   print the database's schema version and the binary's\n\n"
	    "  --db CONNINFO  libpq connection string (default: the PG* environment variables)\n");
}

int cmd_db(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *conninfo = NULL, *action;
	struct store *st = NULL;
	struct rerr err;
	enum rstatus rc;
	int ch, applied = 0, version = 0;

	rerr_clear(&err);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			conninfo = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_COMPLIANT;
		default:
			return cli_usage_error("db", "bad option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("db", "expected one action: migrate or status");
	action = argv[optind];
	if (strcmp(action, "migrate") != 0 && strcmp(action, "status") != 0)
		return cli_usage_error("db", "unknown action \"%s\"", action);

	if ((rc = store_open(conninfo, &st, &err)) != R_OK)
		goto out;
	if (strcmp(action, "migrate") == 0) {
		if ((rc = store_migrate(st, &applied, &err)) != R_OK)
			goto out;
		if (applied == 0)
			printf("schema is up to date at version %d; nothing to do\n",
			       store_known_version());
		else
			printf("applied %d migration%s; schema is at version %d\n", applied,
			       applied == 1 ? "" : "s", store_known_version());
	} else {
		if ((rc = store_schema_version(st, &version, &err)) != R_OK)
			goto out;
		printf("database schema version %d; this binary knows version %d%s\n", version,
		       store_known_version(),
		       version < store_known_version()	 ? " (run 'residency db migrate')"
		       : version > store_known_version() ? " (database is newer: upgrade residency)"
							 : "");
	}
out:
	store_close(st);
	if (rc != R_OK) {
		rerr_log(&err);
		return rstatus_exit(rc);
	}
	return EXIT_COMPLIANT;
}
