/*
 * cli: one file per subcommand. Each parses its own flags, calls the stages and
 * chooses the exit code (EXIT_* in core/rerr.h). Nothing below cli/ includes this.
 */
#ifndef RESIDENCY_CLI_H
#define RESIDENCY_CLI_H

#include <stdbool.h>
#include <stdio.h>

#define RESIDENCY_VERSION "0.1.0"

/* A subcommand: argv[0] is the subcommand's name; returns the process exit code. */
struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* The table in main.c, NULL-terminated. */
extern const struct cli_command cli_commands[];

/* Resets getopt so that a subcommand can parse its own argv. */
void cli_reset_getopt(void);
/* Prints "residency CMD: MSG" and a pointer to --help; returns EXIT_BADINPUT (2). */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True when stdout (or stderr) is a terminal and NO_COLOR is not set. */
bool cli_isatty(FILE *f);

int cmd_db(int argc, char **argv);
int cmd_lookup(int argc, char **argv);
int cmd_resolve(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_ranges(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_evidence(int argc, char **argv);

#endif
