/*
 * cli/common: small helpers shared by the subcommands.
 */
#include "cli/cli.h"
#include "core/rerr.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void cli_reset_getopt(void)
{
	optind = 0; /* glibc: 0 re-initialises fully, including "+" handling */
	opterr = 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "residency %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'residency %s --help'.\n", cmd);
	return EXIT_BADINPUT;
}

bool cli_isatty(FILE *f)
{
	const char *nc = getenv("NO_COLOR");

	if (nc && *nc)
		return false;
	return isatty(fileno(f)) == 1;
}
