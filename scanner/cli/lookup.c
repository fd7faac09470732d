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
 * out once and copied; output leaves in large write(2)s.
 */
#include "attrib/attrib.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/rerr.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOOKUP_MAX_SOURCES 64
#define LOOKUP_BATCH 128
#define LOOKUP_OUTBUF (1u << 20)
#define LOOKUP_INBUF (1u << 20)
#define LOOKUP_LONG_INPUT 200 /* longer inputs are "(long input)" in text lines */

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

/* ---- output: one buffer, written in large pieces ---- */

struct out {
	char *buf;
	size_t len, cap;
	bool failed; /* a write failed: the exit status says so */
};

static void out_flush(struct out *o)
{
	size_t done = 0;

	while (done < o->len && !o->failed) {
		ssize_t n = write(STDOUT_FILENO, o->buf + done, o->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			o->failed = true;
		else
			done += (size_t)n;
	}
	o->len = 0;
}

/* Room for n more bytes at o->buf + o->len (n <= o->cap). */
static char *out_room(struct out *o, size_t n)
{
	if (o->len + n > o->cap)
		out_flush(o);
	return o->buf + o->len;
}

static void out_put(struct out *o, const void *p, size_t n)
{
	while (n > 0) {
		size_t k = n < o->cap ? n : o->cap;
		memcpy(out_room(o, k), p, k);
		o->len += k;
		p = (const char *)p + k;
		n -= k;
	}
}

static void out_json(struct out *o, json_t *j)
{
	size_t n = json_dumpb(j, NULL, 0, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char *s = n ? malloc(n) : NULL;

	if (s && json_dumpb(j, s, n, JSON_COMPACT | JSON_PRESERVE_ORDER) == n)
		out_put(o, s, n);
	else if (n)
		o->failed = true;
	free(s);
	out_put(o, "\n", 1);
}

/* ---- the lines ---- */

static void print_json(struct out *o, const struct attribution *at, const char *input)
{
	char addr[ADDR_STRLEN];
	json_t *j = json_object(), *svcs = json_array();
	char *copy = strdup(at->services), *save = NULL;

	for (char *s = copy ? strtok_r(copy, ",", &save) : NULL; s; s = strtok_r(NULL, ",", &save))
		json_array_append_new(svcs, json_string(s));
	free(copy);
	json_object_set_new(j, "address", json_string(input));
	if (at->addr.mapped)
		json_object_set_new(j, "looked_up_as",
				    json_string(addr_format(&at->addr, addr, sizeof(addr))));
#define STR_OR_NULL(s) ((s)[0] ? json_string(s) : json_null())
	json_object_set_new(j, "provider", STR_OR_NULL(at->provider));
	json_object_set_new(j, "region", STR_OR_NULL(at->region));
	json_object_set_new(j, "border_group", STR_OR_NULL(at->border_group));
	json_object_set_new(j, "services", svcs);
	json_object_set_new(j, "scope", json_string(attr_scope_name(at->scope)));
	json_object_set_new(j, "country", STR_OR_NULL(at->country));
	json_object_set_new(j, "source", json_string(attr_source_name(at->source)));
	json_object_set_new(j, "prefix", STR_OR_NULL(at->prefix));
	json_object_set_new(j, "geoip_country", STR_OR_NULL(at->geoip_country));
	json_object_set_new(j, "region_unmapped", json_boolean(at->region_unmapped));
	json_object_set_new(j, "disagreement", json_boolean(at->disagreement));
#undef STR_OR_NULL
	out_json(o, j);
	json_decref(j);
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

/* The input column: n bytes padded to 39, then a space. Room for max(n, 39) + 1. */
static char *input_col(char *p, const char *s, size_t n)
{
	if (n < 39)
		memset(p + n, ' ', 39 - n);
	memcpy(p, s, n);
	p += n < 39 ? 39 : n;
	*p++ = ' ';
	return p;
}

static void print_text(struct out *o, const struct attribution *at, const char *input)
{
	char line[2048], *p = line;
#define D(s) ((s)[0] ? (s) : "-")
	if (strlen(input) > LOOKUP_LONG_INPUT)
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
	out_put(o, line, (size_t)(p - line));
#undef D
}

/*
 * Text lines for many addresses: what a prefix-table node says (provider to
 * services, already laid out in columns) is worked out once per node; what
 * follows the input column depends only on that and GeoIP's answer, so it is
 * laid out once per node and country (the last country seen for a node; for
 * addresses in no prefix, one per country) and copied.
 */
#define TAIL_MAX 1200

struct tail {
	char *text; /* from the country column to the newline */
	size_t len;
};

struct node_text {
	bool ready, global, unmapped;
	char country[3];
	enum attr_source source;
	char *mid; /* provider, region, border group, scope, prefix, services */
	size_t midlen;
	char tailgeo[3]; /* the country the tail was laid out for */
	struct tail tail;
	size_t tailcap;
};

struct text_cache {
	struct node_text *nodes; /* node + 1: [0] is "in no prefix" */
	size_t n;
	struct tail *none; /* in no prefix: by GeoIP country, 2^16 of them */
};

static void text_cache_free(struct text_cache *c)
{
	for (size_t i = 0; c->nodes && i < c->n; i++) {
		free(c->nodes[i].mid);
		free(c->nodes[i].tail.text);
	}
	for (size_t i = 0; c->none && i < 65536; i++)
		free(c->none[i].text);
	free(c->nodes);
	free(c->none);
}

static const struct node_text *node_text(struct text_cache *c, const struct attrib *a, int32_t node)
{
	size_t i = (size_t)(node + 1);
	if (c->nodes == NULL) {
		c->n = attrib_nodes(a) + 1;
		c->nodes = calloc(c->n, sizeof(*c->nodes));
	}
	if (c->nodes == NULL || i >= c->n)
		return NULL;
	struct node_text *t = &c->nodes[i];
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

/* What follows the input column for an address of node t whose GeoIP country is geo. */
static size_t lay_tail(const struct node_text *t, const char *geo, char *out)
{
	const char *country = t->country;
	enum attr_source source = t->source;
	bool disagree = false;
	char *p = out;

	if (!t->global) {
		if (country[0] == '\0' && geo[0]) {
			country = geo;
			source = ATTR_SRC_GEOIP;
		}
		disagree =
		    source != ATTR_SRC_GEOIP && country[0] && geo[0] && strcmp(country, geo) != 0;
	}
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
	return (size_t)(p - out);
}

static const struct tail *tail_of(struct text_cache *c, struct node_text *t, bool none,
				  const char *geo)
{
	char buf[TAIL_MAX];

	if (t->midlen > TAIL_MAX - 64)
		return NULL;
	if (none) {
		/* in no prefix: one tail per country (a few hundred) */
		if (c->none == NULL && (c->none = calloc(65536, sizeof(*c->none))) == NULL)
			return NULL;
		struct tail *tl = &c->none[(uint8_t)geo[0] | (size_t)(uint8_t)geo[1] << 8];
		if (tl->text == NULL) {
			tl->len = lay_tail(t, geo, buf);
			if ((tl->text = malloc(tl->len)) == NULL)
				return NULL;
			memcpy(tl->text, buf, tl->len);
		}
		return tl;
	}
	if (t->tail.text == NULL || memcmp(t->tailgeo, geo, 3) != 0) {
		size_t n = lay_tail(t, geo, buf);
		if (n > t->tailcap) {
			char *m = realloc(t->tail.text, n);
			if (m == NULL)
				return NULL;
			t->tail.text = m;
			t->tailcap = n;
		}
		memcpy(t->tail.text, buf, n);
		t->tail.len = n;
		memcpy(t->tailgeo, geo, 3);
	}
	return &t->tail;
}

/* ---- input ---- */

struct in {
	int fd;
	char *buf; /* always one spare byte after len, for a NUL */
	size_t len, cap, pos;
	bool eof;
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
			in->eof = true; /* as getline failing: the input ends here */
			return;
		}
		in->buf = b;
		in->cap *= 2;
	}
	for (;;) {
		ssize_t n = read(in->fd, in->buf + in->len, in->cap - 1 - in->len);
		if (n < 0 && errno == EINTR)
			continue;
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
	struct addr addr;
	bool ok;
	int32_t node;
	char geo[3];
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
	struct out out;
	struct text_cache cache;
	int bad;
};

static void bad_input(struct run *r, const struct item *it)
{
	if (it->line > 0)
		log_warnx("%s:%ld: \"%s\" is not an IP address", r->where, it->line, it->text);
	else
		log_warnx("%s: \"%s\" is not an IP address", r->where, it->text);
	if (r->json) {
		json_t *j =
		    json_pack("{s:s, s:s}", "address", it->text, "error", "not an IP address");
		out_json(&r->out, j);
		json_decref(j);
	} else {
		size_t n = strlen(it->text);
		out_put(&r->out, it->text, n);
		for (; n < 39; n++)
			out_put(&r->out, " ", 1);
		out_put(&r->out, " error: not an IP address\n",
			sizeof(" error: not an IP address\n") - 1);
	}
	r->bad++;
}

static void text_line(struct run *r, struct item *it)
{
	struct node_text *t = (struct node_text *)node_text(&r->cache, r->a, it->node);
	const struct tail *tl = t ? tail_of(&r->cache, t, it->node < 0, it->geo) : NULL;
	const char *input = it->text;
	size_t n = strlen(input);

	if (tl == NULL) { /* out of memory for the caches: the plain way */
		struct attribution at;
		attrib_lookup(r->a, &it->addr, &at);
		print_text(&r->out, &at, input);
		return;
	}
	if (n > LOOKUP_LONG_INPUT) {
		input = "(long input)";
		n = strlen(input);
	}
	char *p = out_room(&r->out, (n < 39 ? 39 : n) + 1 + tl->len);
	p = input_col(p, input, n);
	memcpy(p, tl->text, tl->len);
	r->out.len += (size_t)(p + tl->len - (r->out.buf + r->out.len));
}

static void run_batch(struct run *r, struct item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];
		it->ok =
		    parse_quad(it->text, it->len, &it->addr) || addr_parse(it->text, &it->addr);
	}
	if (!r->json) {
		/* each step over the whole batch: the lookups do not wait on each other */
		for (size_t i = 0; i < n; i++)
			if (items[i].ok)
				items[i].node = attrib_locate(r->a, &items[i].addr);
		for (size_t i = 0; i < n; i++)
			if (items[i].ok)
				attrib_geoip(r->a, &items[i].addr, items[i].geo);
	}
	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];
		if (!it->ok) {
			bad_input(r, it);
		} else if (r->json) {
			struct attribution at;
			attrib_lookup(r->a, &it->addr, &at);
			print_json(&r->out, &at, it->text);
		} else {
			text_line(r, it);
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
	r.out.cap = LOOKUP_OUTBUF;
	r.out.buf = malloc(r.out.cap);
	if (items == NULL || r.out.buf == NULL) {
		free(items);
		free(r.out.buf);
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
		struct in in = {STDIN_FILENO, malloc(LOOKUP_INBUF), 0, LOOKUP_INBUF, 0, false};
		long lineno = 0;
		size_t n;
		r.where = "stdin";
		if (in.buf == NULL)
			r.out.failed = true;
		while (in.buf && (n = in_batch(&in, items, LOOKUP_BATCH, &lineno)) > 0)
			run_batch(&r, items, n);
		free(in.buf);
	}
	out_flush(&r.out);
	status = r.out.failed ? EXIT_INCOMPLETE : EXIT_COMPLIANT;
	bad = r.bad;
	text_cache_free(&r.cache);
	free(r.out.buf);
	free(items);
	attrib_free(a);
	if (bad) {
		log_warnx("%d input%s not an IP address", bad, bad == 1 ? " is" : "s are");
		return EXIT_BADINPUT;
	}
	return status;
}
