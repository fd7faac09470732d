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

/*
 * Text lines for many addresses: what a prefix-table node says (provider to
 * services, already laid out in columns) is worked out once per node; per
 * address only GeoIP's answer and the columns that depend on it are added.
 */
struct node_text {
	bool ready, global, unmapped;
	char country[3];
	enum attr_source source;
	char *mid; /* provider, region, border group, scope, prefix, services */
	size_t midlen;
};

static struct node_text *node_cache;
static size_t node_cache_n;

static void node_cache_free(void)
{
	for (size_t i = 0; i < node_cache_n; i++)
		free(node_cache[i].mid);
	free(node_cache);
	node_cache = NULL;
	node_cache_n = 0;
}

static const struct node_text *node_text(const struct attrib *a, int32_t node)
{
	size_t i = (size_t)(node + 1);
	if (node_cache == NULL) {
		node_cache_n = attrib_nodes(a) + 1;
		node_cache = calloc(node_cache_n, sizeof(*node_cache));
	}
	if (node_cache == NULL || i >= node_cache_n)
		return NULL;
	struct node_text *t = &node_cache[i];
	if (!t->ready) {
		struct attribution at;
		char buf[1024], *p = buf;
		t->global = attrib_of_node(a, node, &at);
		t->unmapped = at.region_unmapped;
		memcpy(t->country, at.country, 3);
		t->source = at.source;
#define D(s) ((s)[0] ? (s) : "-")
		p = col(p, D(at.provider), 12);
		p = col(p, D(at.region), 16);
		p = col(p, D(at.border_group), 24);
		p = col(p, attr_scope_name(at.scope), 8);
		p = col(p, D(at.prefix), 20);
		p = put(p, D(at.services));
#undef D
		t->midlen = (size_t)(p - buf);
		if ((t->mid = malloc(t->midlen)) == NULL)
			return NULL;
		memcpy(t->mid, buf, t->midlen);
		t->ready = true;
	}
	return t;
}

/* The text line of one address, as print_text() writes it, through the node cache. */
static bool print_text_fast(const struct attrib *a, const struct addr *addr, const char *input)
{
	const struct node_text *t = node_text(a, attrib_locate(a, addr));
	char line[2048], *p = line, geo[3];
	const char *country;
	enum attr_source source = t ? t->source : ATTR_SRC_NONE;
	bool disagree = false;

	if (t == NULL || strlen(input) > 200)
		return false;
	attrib_geoip(a, addr, geo);
	country = t->country;
	if (!t->global) {
		if (country[0] == '\0' && geo[0]) {
			country = geo;
			source = ATTR_SRC_GEOIP;
		}
		disagree =
		    source != ATTR_SRC_GEOIP && country[0] && geo[0] && strcmp(country, geo) != 0;
	}
	p = col(p, input, 39);
	p = col(p, country[0] ? country : "-", 2);
	p = col(p, attr_source_name(source), 8);
	memcpy(p, t->mid, t->midlen);
	p += t->midlen;
	if (geo[0]) {
		p = put(p, " geoip=");
		p = put(p, geo);
	}
	if (t->unmapped)
		p = put(p, " region_unmapped");
	if (disagree)
		p = put(p, " disagreement");
	*p++ = '\n';
	fwrite(line, 1, (size_t)(p - line), stdout);
	return true;
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
	if (!json && print_text_fast(a, &addr, input))
		return 0;
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
	node_cache_free();
	attrib_free(a);
	if (bad) {
		log_warnx("%d input%s not an IP address", bad, bad == 1 ? " is" : "s are");
		return EXIT_BADINPUT;
	}
	return status;
}
