/*
 * residency: subcommand dispatch only. Global flags (logging, --help,
 * --version) are read here; everything else belongs to a file in cli/.
 */
#include "cli/cli.h"
#include "core/log.h"
#include "core/rerr.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

const struct cli_command cli_commands[] = {
    {"check", cmd_check, "release gate: judge an estate's data paths against its policies"},
    {"scan", cmd_scan, "run one scan of the configured estate and store it in PostgreSQL"},
    {"serve", cmd_serve, "the scheduler daemon: scans on a schedule, drift alerts by webhook"},
    {"report", cmd_report, "a stored scan as text, JSON or CSV"},
    {"diff", cmd_diff, "what changed between two stored scans"},
    {"evidence", cmd_evidence,
     "export a scan as a verifiable bundle; verify a bundle or the chain"},
    {"config", cmd_config, "validate a configuration file"},
    {"resolve", cmd_resolve, "print the DNS data path of names"},
    {"ranges", cmd_ranges, "fetch, list and diff provider range snapshots"},
    {"lookup", cmd_lookup, "attribute addresses to provider, region and country"},
    {"db", cmd_db, "database administration: migrate, status"},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: residency [--log-format text|json] [--quiet | --verbose] COMMAND [ARGS]\n"
		"       residency --help | --version\n\n"
		"Data residency compliance scanner: where does each service's data go?\n\n"
		"Commands:\n");
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nRun 'residency COMMAND --help' for a command's flags.\n"
		   "Exit codes: 0 compliant or success, 1 violations found, 2 bad usage or input,\n"
		   "            3 could not complete (DNS, network, database), 4 stale data.\n"
		   "Logs go to stderr; output to stdout.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"log-format", required_argument, NULL, 'L'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"verbose", no_argument, NULL, 'v'},
	    {NULL, 0, NULL, 0},
	};
	enum log_format fmt = LOG_TEXT;
	int verbosity = 0, ch;

	while ((ch = getopt_long(argc, argv, "+hVqv", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return EXIT_COMPLIANT;
		case 'V':
			printf("residency %s\n", RESIDENCY_VERSION);
			return EXIT_COMPLIANT;
		case 'L':
			if (strcmp(optarg, "text") == 0)
				fmt = LOG_TEXT;
			else if (strcmp(optarg, "json") == 0)
				fmt = LOG_JSON;
			else {
				fprintf(stderr,
					"residency: --log-format must be text or json, not "
					"\"%s\"\n",
					optarg);
				return EXIT_BADINPUT;
			}
			break;
		case 'q':
			verbosity = -1;
			break;
		case 'v':
			verbosity++;
			break;
		default:
			usage(stderr);
			return EXIT_BADINPUT;
		}
	}
	log_init(fmt, verbosity);
	if (optind >= argc) {
		usage(stderr);
		return EXIT_BADINPUT;
	}
	int first = optind;
	const char *name = argv[first];
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		if (strcmp(c->name, name) == 0) {
			cli_reset_getopt();
			return c->run(argc - first, argv + first);
		}
	}
	fprintf(stderr, "residency: unknown command \"%s\"\nTry 'residency --help'.\n", name);
	return EXIT_BADINPUT;
}
