/*
 * cli/lookup: `residency lookup` attributes addresses given as arguments or,
 * when none are, read one per line from stdin. One output line per input line,
 * in order; a bad address is reported for its line and the rest go on (exit 2).
 *
 * Built for a million lines a second: input is read in large blocks and cut
 * into lines in place; lines go in batches through address parsing (a strict
 * dotted-quad fast path, the full parser otherwise), then the prefix table,
 * then GeoIP, each step over the whole batch (independent lookups overlap
 * their cache misses); a text line is the input column plus a tail that is
 * the same for every address of one prefix-table node and GeoIP country, laid
 * out once and copied; output leaves in large write(2)s. The lines themselves
 * are attrib/output.c's: this file parses options, reads input, runs batches
 * and chooses the exit code.
 */
#include "attrib/attrib.h"
#include "attrib/output.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/rerr.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOOKUP_MAX_SOURCES 64
#define LOOKUP_BATCH 128
#define LOOKUP_OUTBUF (1u << 20)
#define LOOKUP_INBUF (1u << 20)

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: residency lookup [--ranges PROVIDER=URL]... [--geoip FILE]\n"
	    "                        [--format text|json] [ADDRESS...]\n\n"
	    "Attributes each address to provider, region, network border group, services\n"
	    "and country, and says how we know (source: provider | geofeed | geoip |\n"
	    "special | none). An IANA special-purpose address (private use, documentation,\n"
	    "loopback, ULA, multicast, ...) is source special, with the registry's name, and\n"
	    "has no country and no provider; one that embeds IPv4 (6to4, NAT64 64:ff9b::/96,\n"
	    "IPv4-mapped) is attributed by the IPv4 address it embeds.\n"
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
	    "disagreement;\n"
	    "                         special and special_rfc when source is special;\n"
	    "                         embedded and embedded_via when the address embeds IPv4\n"
	    "                         (looked_up_as for IPv4-mapped). Text lines end with\n"
	    "                         \"embedded=V4 (how)\" and \"special: NAME, RFC\" then\n\n"
	    "Exit: 0 all addresses attributed (unknown is an answer, source \"none\"),\n"
	    "      2 bad usage or at least one input that is not an address, 3 ranges or the\n"
	    "      GeoIP database could not be loaded.\n");
}

/* ---- input ---- */

struct in {
	int fd;
	char *buf; /* always one spare byte after len, for a NUL */
	size_t len, cap, pos;
	bool eof;
	bool failed; /* the input could not be read whole: never a shorter answer */
};

/* Moves what is left to the front and reads more; grows the buffer when one
 * line fills it (a line may be of any length, as with getline). */
static void in_fill(struct in *in)
{
	memmove(in->buf, in->buf + in->pos, in->len - in->pos);
	in->len -= in->pos;
	in->pos = 0;
	if (in->len + 1 >= in->cap) {
		char *b = realloc(in->buf, in->cap * 2);
		if (b == NULL) {
			log_warnx("lookup: standard input: out of memory for a line");
			in->eof = in->failed = true;
			return;
		}
		in->buf = b;
		in->cap *= 2;
	}
	for (;;) {
		ssize_t n = read(in->fd, in->buf + in->len, in->cap - 1 - in->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_warn("lookup: reading standard input");
			in->failed = true;
		}
		if (n <= 0)
			in->eof = true;
		else
			in->len += (size_t)n;
		return;
	}
}

struct item {
	char *text; /* the input, trimmed, NUL-terminated */
	size_t len; /* bytes up to where trimming stopped (the text may end earlier at a NUL) */
	long line;
};

/* A line [s, e) (without its newline): trimmed as before, ends at a NUL. */
static void take(struct item *it, char *s, char *e, long line)
{
	while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	it->text = s;
	it->len = (size_t)(e - s);
	it->line = line;
}

/* Up to max lines that are whole in the buffer (reading when there are none). */
static size_t in_batch(struct in *in, struct item *items, size_t max, long *lineno)
{
	size_t n = 0;

	while (n < max) {
		char *s = in->buf + in->pos, *end = in->buf + in->len;
		char *nl = memchr(s, '\n', (size_t)(end - s));
		if (nl) {
			take(&items[n++], s, nl, ++*lineno);
			in->pos = (size_t)(nl + 1 - in->buf);
		} else if (n > 0) {
			break; /* these lines first: reading moves the buffer */
		} else if (!in->eof) {
			in_fill(in);
		} else if (s < end) {
			take(&items[n++], s, end, ++*lineno); /* the last line, without newline */
			in->pos = in->len;
		} else {
			break;
		}
	}
	return n;
}

/*
 * The common case, a dotted quad without leading zeros, parsed here; anything
 * else (or a NUL in the bytes) goes to the full parser. Everything accepted
 * here inet_pton accepts with the same value.
 */
static bool parse_quad(const char *s, size_t n, struct addr *out)
{
	uint8_t b[4];
	size_t i = 0;

	if (n < 7 || n > 15)
		return false;
	for (int part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(s[i] - '0');
			i++;
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s[i - digits] == '0'))
			return false;
		b[part] = (uint8_t)v;
		if (part < 3) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
	}
	if (i != n)
		return false;
	addr_from_bytes(out, b, 4);
	return true;
}

/* ---- one batch ---- */

struct run {
	const struct attrib *a;
	bool json;
	const char *where; /* "stdin" or "argument" */
	struct output out; /* the lines and their tails (attrib/output.h) */
	int bad;
	/* the batch's items, what they parsed to (family 0: not an address),
	 * their nodes and GeoIP countries */
	struct addr addr[LOOKUP_BATCH];
	int32_t node[LOOKUP_BATCH];
	char geo[LOOKUP_BATCH][3];
};

static void bad_input(struct run *r, const struct item *it)
{
	if (it->line > 0)
		log_warnx("%s:%ld: \"%s\" is not an IP address", r->where, it->line, it->text);
	else
		log_warnx("%s: \"%s\" is not an IP address", r->where, it->text);
	output_bad(&r->out, r->json, it->text);
	r->bad++;
}

static void run_batch(struct run *r, const struct item *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!parse_quad(items[i].text, items[i].len, &r->addr[i]) &&
		    !addr_parse(items[i].text, &r->addr[i]))
			r->addr[i].family = 0;
	if (!r->json) {
		/* Each step over the whole batch, so that the memory accesses of
		 * one address do not wait for those of the one before: the tables,
		 * then the nodes' entries, then their tails. */
		attrib_locate_many(r->a, r->addr, n, r->node, r->geo);
		output_text_prepare(&r->out, r->a, r->addr, n, r->node, r->geo);
	}
	for (size_t i = 0; i < n; i++) {
		const struct item *it = &items[i];
		if (r->addr[i].family == 0) {
			bad_input(r, it);
		} else if (r->json || attrib_indirect(r->a, &r->addr[i])) {
			/* special or embedding: a node's tail does not say it */
			struct attribution at;
			attrib_lookup(r->a, &r->addr[i], &at);
			if (r->json)
				output_json(&r->out, &at, it->text);
			else
				output_text(&r->out, &at, it->text);
		} else {
			output_text_node(&r->out, r->a, &r->addr[i], r->node[i], r->geo[i],
					 it->text);
		}
	}
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
	int ch, bad, status;

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
			src[nsrc].max_age = 0;
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
	struct run r;
	struct item *items = calloc(LOOKUP_BATCH, sizeof(*items));
	memset(&r, 0, sizeof(r));
	r.a = a;
	r.json = json;
	bool out_ok = output_init(&r.out, LOOKUP_OUTBUF);
	if (items == NULL || !out_ok) {
		free(items);
		output_free(&r.out);
		attrib_free(a);
		log_warnx("lookup: out of memory");
		return EXIT_INCOMPLETE;
	}
	if (optind < argc) {
		/* arguments are taken as given: no trimming */
		r.where = "argument";
		for (int i = optind; i < argc; i++) {
			items[0].text = argv[i];
			items[0].len = strlen(argv[i]);
			items[0].line = 0;
			run_batch(&r, items, 1);
		}
	} else {
		struct in in = {STDIN_FILENO, malloc(LOOKUP_INBUF), 0, LOOKUP_INBUF, 0, false,
				false};
		long lineno = 0;
		size_t n;
		r.where = "stdin";
		if (in.buf == NULL) {
			log_warnx("lookup: out of memory");
			r.out.failed = true;
		}
		while (in.buf && (n = in_batch(&in, items, LOOKUP_BATCH, &lineno)) > 0)
			run_batch(&r, items, n);
		r.out.failed |= in.failed;
		free(in.buf);
	}
	output_flush(&r.out);
	status = r.out.failed ? EXIT_INCOMPLETE : EXIT_COMPLIANT;
	bad = r.bad;
	output_free(&r.out);
	free(items);
	attrib_free(a);
	if (bad) {
		log_warnx("%d input%s not an IP address", bad, bad == 1 ? " is" : "s are");
		return EXIT_BADINPUT;
	}
	return status;
}
