/*
 * cli/lookup: `residency lookup` attributes addresses given as arguments or,
 * when none are, read one per line from stdin. One output line per input line,
 * in order; a bad address is reported for its line and the rest go on (exit 2).
 */
#include "attrib/attrib.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/rerr.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOOKUP_MAX_SOURCES 64

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: residency lookup [--ranges PROVIDER=URL]... [--geoip FILE]\n"
	    "                        [--format text|json] [ADDRESS...]\n\n"
	    "Attributes each address to provider, region, network border group, services\n"
	    "and country, and says how we know (source: provider | geofeed | geoip | none).\n"
	    "With no ADDRESS, reads one address per line from stdin.\n\n"
	    "  --ranges PROVIDER=URL  use this range file for PROVIDER instead of the bundled\n"
	    "                         snapshot (https://, http://, file:// or a path; remote\n"
	    "                         files go through the snapshot cache of 'residency ranges',\n"
	    "                         which keeps the last good one; repeat for several files\n"
	    "                         of one provider). Providers: aws gcp google azure oracle\n"
	    "                         cloudflare fastly github akamai digitalocean linode vultr\n"
	    "  --geoip FILE           MaxMind-format country database (default: the bundled\n"
	    "                         CC0 database from 'make deps'; \"\" for none)\n"
	    "  --format text|json     json: one object per input line, in order, with address,\n"
	    "                         provider, region, border_group, services, scope, country,\n"
	    "                         source, prefix, geoip_country, region_unmapped, "
	    "disagreement\n\n"
	    "Exit: 0 all addresses attributed (unknown is an answer, source \"none\"),\n"
	    "      2 bad usage or at least one input that is not an address, 3 ranges or the\n"
	    "      GeoIP database could not be loaded.\n");
}

static void print_json(const struct attribution *at, const char *input)
{
	char addr[ADDR_STRLEN];
	json_t *o = json_object(), *svcs = json_array();
	char *copy = strdup(at->services), *save = NULL;

	for (char *s = copy ? strtok_r(copy, ",", &save) : NULL; s; s = strtok_r(NULL, ",", &save))
		json_array_append_new(svcs, json_string(s));
	free(copy);
	json_object_set_new(o, "address", json_string(input));
	if (at->addr.mapped)
		json_object_set_new(o, "looked_up_as",
				    json_string(addr_format(&at->addr, addr, sizeof(addr))));
#define STR_OR_NULL(s) ((s)[0] ? json_string(s) : json_null())
	json_object_set_new(o, "provider", STR_OR_NULL(at->provider));
	json_object_set_new(o, "region", STR_OR_NULL(at->region));
	json_object_set_new(o, "border_group", STR_OR_NULL(at->border_group));
	json_object_set_new(o, "services", svcs);
	json_object_set_new(o, "scope", json_string(attr_scope_name(at->scope)));
	json_object_set_new(o, "country", STR_OR_NULL(at->country));
	json_object_set_new(o, "source", json_string(attr_source_name(at->source)));
	json_object_set_new(o, "prefix", STR_OR_NULL(at->prefix));
	json_object_set_new(o, "geoip_country", STR_OR_NULL(at->geoip_country));
	json_object_set_new(o, "region_unmapped", json_boolean(at->region_unmapped));
	json_object_set_new(o, "disagreement", json_boolean(at->disagreement));
#undef STR_OR_NULL
	json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(o);
}

/* Appends s padded with spaces to width, then one space (printf's "%-*s ", which
 * cost more than everything else per line). */
static char *col(char *p, const char *s, size_t width)
{
	size_t n = strlen(s);
	memcpy(p, s, n);
	p += n;
	while (n++ < width)
		*p++ = ' ';
	*p++ = ' ';
	return p;
}

static char *put(char *p, const char *s)
{
	size_t n = strlen(s);
	memcpy(p, s, n);
	return p + n;
}

static void print_text(const struct attribution *at, const char *input)
{
	char line[2048], *p = line;
#define D(s) ((s)[0] ? (s) : "-")
	if (strlen(input) > 200)
		input = "(long input)";
	p = col(p, input, 39);
	p = col(p, D(at->country), 2);
	p = col(p, attr_source_name(at->source), 8);
	p = col(p, D(at->provider), 12);
	p = col(p, D(at->region), 16);
	p = col(p, D(at->border_group), 24);
	p = col(p, attr_scope_name(at->scope), 8);
	p = col(p, D(at->prefix), 20);
	p = put(p, D(at->services));
	if (at->geoip_country[0]) {
		p = put(p, " geoip=");
		p = put(p, at->geoip_country);
	}
	if (at->region_unmapped)
		p = put(p, " region_unmapped");
	if (at->disagreement)
		p = put(p, " disagreement");
	*p++ = '\n';
	fwrite(line, 1, (size_t)(p - line), stdout);
#undef D
}

static int one(const struct attrib *a, const char *input, bool json, const char *where, long line)
{
	struct addr addr;
	struct attribution at;

	if (!addr_parse(input, &addr)) {
		if (line > 0)
			log_warnx("%s:%ld: \"%s\" is not an IP address", where, line, input);
		else
			log_warnx("%s: \"%s\" is not an IP address", where, input);
		if (json) {
			json_t *o =
			    json_pack("{s:s, s:s}", "address", input, "error", "not an IP address");
			json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
			fputc('\n', stdout);
			json_decref(o);
		} else {
			printf("%-39s error: not an IP address\n", input);
		}
		return 1;
	}
	attrib_lookup(a, &addr, &at);
	if (json)
		print_json(&at, input);
	else
		print_text(&at, input);
	return 0;
}

int cmd_lookup(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"ranges", required_argument, NULL, 'r'},
	    {"geoip", required_argument, NULL, 'g'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct attrib_source src[LOOKUP_MAX_SOURCES];
	char *specs[LOOKUP_MAX_SOURCES];
	size_t nsrc = 0;
	const char *geoip = NULL;
	bool json = false;
	struct attrib *a = NULL;
	struct rerr err;
	enum rstatus rc;
	int ch, bad = 0, status;

	rerr_clear(&err);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': {
			char *eq = strchr(optarg, '=');
			if (eq == NULL || eq == optarg || eq[1] == '\0')
				return cli_usage_error(
				    "lookup", "--ranges takes PROVIDER=URL, not \"%s\"", optarg);
			if (nsrc == LOOKUP_MAX_SOURCES)
				return cli_usage_error("lookup", "more than %d --ranges",
						       LOOKUP_MAX_SOURCES);
			specs[nsrc] = optarg;
			*eq = '\0';
			src[nsrc].provider = optarg;
			src[nsrc].url = eq + 1;
			nsrc++;
			break;
		}
		case 'g':
			geoip = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "text") == 0)
				json = false;
			else
				return cli_usage_error("lookup", "--format must be text or json");
			break;
		case 'h':
			usage(stdout);
			return EXIT_COMPLIANT;
		default:
			return cli_usage_error("lookup", "bad option");
		}
	}
	(void)specs;
	if ((rc = attrib_open(src, nsrc, geoip, &a, &err)) != R_OK) {
		rerr_log(&err);
		return rstatus_exit(rc);
	}
	static char outbuf[1 << 20];
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (optind < argc) {
		for (int i = optind; i < argc; i++)
			bad += one(a, argv[i], json, "argument", 0);
	} else {
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;
		long lineno = 0;
		while ((n = getline(&line, &cap, stdin)) > 0) {
			lineno++;
			while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
					 line[n - 1] == ' ' || line[n - 1] == '\t'))
				line[--n] = '\0';
			char *p = line;
			while (*p == ' ' || *p == '\t')
				p++;
			bad += one(a, p, json, "stdin", lineno);
		}
		free(line);
	}
	status = fflush(stdout) == 0 ? EXIT_COMPLIANT : EXIT_INCOMPLETE;
	attrib_free(a);
	if (bad) {
		log_warnx("%d input%s not an IP address", bad, bad == 1 ? " is" : "s are");
		return EXIT_BADINPUT;
	}
	return status;
}
