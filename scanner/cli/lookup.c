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
#include <sys/mman.h>
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
	if (at->source == ATTR_SRC_SPECIAL) {
		json_object_set_new(j, "special", json_string(at->special));
		json_object_set_new(j, "special_rfc", json_string(at->special_rfc));
	}
	if (at->embedded_via[0] && !at->addr.mapped) {
		json_object_set_new(j, "embedded",
				    json_string(addr_format(&at->embedded, addr, sizeof(addr))));
		json_object_set_new(j, "embedded_via", json_string(at->embedded_via));
	}
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
	if (at->embedded_via[0] && !at->addr.mapped) {
		char v4[ADDR_STRLEN];
		p = put(p, " embedded=");
		p = put(p, addr_format(&at->embedded, v4, sizeof(v4)));
		p = put(p, " (");
		p = put(p, at->embedded_via);
		p = put(p, ")");
	}
	if (at->source == ATTR_SRC_SPECIAL) {
		p = put(p, " special: ");
		p = put(p, at->special);
		p = put(p, ", ");
		p = put(p, at->special_rfc);
	}
	*p++ = '\n';
	out_put(o, line, (size_t)(p - line));
#undef D
}

/*
 * Text lines for many addresses. What follows the input column (the tail)
 * depends only on the prefix-table node of the address and GeoIP's country:
 * the country and source columns (always 3 + 9 bytes), then what the node says
 * (provider to services, laid out once per node: the middle), then the geoip=,
 * region_unmapped and disagreement flags. A node keeps the tail of the last
 * country seen; when another comes, only the head and the flags are redone.
 * Addresses in no prefix keep one tail per country. Tails live in an arena.
 */
#define TAIL_HEAD 12  /* the country column (2 + 1) and the source column (8 + 1) */
#define TAIL_FLAGS 48 /* " geoip=XX region_unmapped disagreement\n" */
#define ARENA_CHUNK (2u << 20)

struct node_text {
	char *tail; /* NULL until the node is first met */
	uint32_t len, midlen;
	char geo[3]; /* the country the tail is laid out for */
	char country[3];
	uint8_t source; /* enum attr_source */
	bool laid, global, unmapped;
};

struct arena {
	char *chunk; /* starts with the pointer to the previous chunk */
	size_t used;
};

struct text_cache {
	struct node_text *nodes; /* node + 1: [0] is "in no prefix" */
	size_t n;
	struct node_text *none; /* in no prefix, by GeoIP country: 2^16 of them */
	struct arena arena;
};

/*
 * Zeroed memory in 2 MiB huge pages where the kernel gives them (madvise):
 * the caches are touched at random, and on this kind of machine (a virtual
 * one) every first touch of a 4 KiB page and every TLB miss is dear. Freed
 * with free().
 */
static void *huge_zalloc(size_t n)
{
	size_t size = (n + ARENA_CHUNK - 1) / ARENA_CHUNK * ARENA_CHUNK;
	void *p = aligned_alloc(ARENA_CHUNK, size);

	if (p) {
		madvise(p, size, MADV_HUGEPAGE);
		memset(p, 0, size);
	}
	return p;
}

/* n bytes (n <= ARENA_CHUNK - sizeof(char *)) until text_cache_free(); NULL when out of memory. */
static char *arena_alloc(struct arena *ar, size_t n)
{
	if (ar->chunk == NULL || ar->used + n > ARENA_CHUNK) {
		char *c = huge_zalloc(ARENA_CHUNK);
		if (c == NULL)
			return NULL;
		memcpy(c, &ar->chunk, sizeof(ar->chunk));
		ar->chunk = c;
		ar->used = sizeof(ar->chunk);
	}
	ar->used += n;
	return ar->chunk + ar->used - n;
}

static void text_cache_free(struct text_cache *c)
{
	while (c->arena.chunk) {
		char *prev;
		memcpy(&prev, c->arena.chunk, sizeof(prev));
		free(c->arena.chunk);
		c->arena.chunk = prev;
	}
	free(c->nodes);
	free(c->none);
}

/* The head and the flags of t's tail for GeoIP country geo (the middle stays). */
static void lay(struct node_text *t, const char geo[3])
{
	const char *country = t->country;
	enum attr_source source = (enum attr_source)t->source;
	bool disagree = false;
	char *p = t->tail;

	if (!t->global) {
		if (country[0] == '\0' && geo[0]) {
			country = geo;
			source = ATTR_SRC_GEOIP;
		}
		disagree =
		    source != ATTR_SRC_GEOIP && country[0] && geo[0] && strcmp(country, geo) != 0;
	}
	p = col(p, country[0] ? country : "-", 2);
	col(p, attr_source_name(source), 8);
	p = t->tail + TAIL_HEAD + t->midlen;
	if (geo[0]) {
		p = put(p, " geoip=");
		p = put(p, geo);
	}
	if (t->unmapped)
		p = put(p, " region_unmapped");
	if (disagree)
		p = put(p, " disagreement");
	*p++ = '\n';
	t->len = (uint32_t)(p - t->tail);
	memcpy(t->geo, geo, 3);
	t->laid = true;
}

/* What a node says, with its middle laid out, the first time it is met. */
static struct node_text *node_text(struct text_cache *c, const struct attrib *a, int32_t node)
{
	size_t i = (size_t)(node + 1);
	if (c->nodes == NULL) {
		c->n = attrib_nodes(a) + 1;
		c->nodes = huge_zalloc(c->n * sizeof(*c->nodes));
	}
	if (c->nodes == NULL || i >= c->n)
		return NULL;
	struct node_text *t = &c->nodes[i];
	if (t->tail == NULL) {
		struct attribution at;
		char mid[1024], *p = mid;
		t->global = attrib_of_node(a, node, &at);
		t->unmapped = at.region_unmapped;
		memcpy(t->country, at.country, 3);
		t->source = (uint8_t)at.source;
#define D(s) ((s)[0] ? (s) : "-")
		p = col(p, D(at.provider), 12);
		p = col(p, D(at.region), 16);
		p = col(p, D(at.border_group), 24);
		p = col(p, attr_scope_name(at.scope), 8);
		p = col(p, D(at.prefix), 20);
		p = put(p, D(at.services));
#undef D
		t->midlen = (uint32_t)(p - mid);
		if ((t->tail = arena_alloc(&c->arena, TAIL_HEAD + t->midlen + TAIL_FLAGS)) == NULL)
			return NULL;
		memcpy(t->tail + TAIL_HEAD, mid, t->midlen);
	}
	return t;
}

/* The tail for an address of node with GeoIP country geo (normalised: zeros after its end). */
static const struct node_text *tail_of(struct text_cache *c, const struct attrib *a, int32_t node,
				       const char geo[3])
{
	struct node_text *t = node_text(c, a, node);

	if (t == NULL)
		return NULL;
	if (node < 0) {
		if (c->none == NULL && (c->none = huge_zalloc(65536 * sizeof(*c->none))) == NULL)
			return NULL;
		struct node_text *g = &c->none[(uint8_t)geo[0] | (size_t)(uint8_t)geo[1] << 8];
		if (g->tail == NULL) {
			*g = *t;
			if ((g->tail = arena_alloc(&c->arena,
						   TAIL_HEAD + t->midlen + TAIL_FLAGS)) == NULL)
				return NULL;
			memcpy(g->tail + TAIL_HEAD, t->tail + TAIL_HEAD, t->midlen);
			lay(g, geo);
		}
		return g;
	}
	if (!t->laid || memcmp(t->geo, geo, 3) != 0)
		lay(t, geo);
	return t;
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
	struct out out;
	struct text_cache cache;
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

static void text_line(struct run *r, const struct item *it, size_t i)
{
	const struct node_text *t = tail_of(&r->cache, r->a, r->node[i], r->geo[i]);
	const char *input = it->text;
	size_t n = strlen(input);

	if (t == NULL) { /* out of memory for the caches: the plain way */
		struct attribution at;
		attrib_lookup(r->a, &r->addr[i], &at);
		print_text(&r->out, &at, input);
		return;
	}
	if (n > LOOKUP_LONG_INPUT) {
		input = "(long input)";
		n = strlen(input);
	}
	char *p = out_room(&r->out, (n < 39 ? 39 : n) + 1 + t->len);
	p = input_col(p, input, n);
	memcpy(p, t->tail, t->len);
	r->out.len += (size_t)(p + t->len - (r->out.buf + r->out.len));
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
		if (r->cache.nodes)
			for (size_t i = 0; i < n; i++)
				__builtin_prefetch(&r->cache.nodes[r->node[i] + 1]);
		for (size_t i = 0; i < n; i++) {
			char *g = r->geo[i];
			if (g[0] == '\0')
				g[1] = '\0'; /* a key of the tail caches: nothing after the end */
			g[2] = '\0';
			if (r->addr[i].family == 0)
				continue;
			/* the node's entry now (its middle laid out the first time); its
			 * tail for this country when the line is written (two addresses
			 * of one node may have different countries) */
			const struct node_text *t = node_text(&r->cache, r->a, r->node[i]);
			if (t && t->tail) {
				__builtin_prefetch(t->tail);
				__builtin_prefetch(t->tail + 64);
				__builtin_prefetch(t->tail + 128);
			}
		}
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
				print_json(&r->out, &at, it->text);
			else
				print_text(&r->out, &at, it->text);
		} else {
			text_line(r, it, i);
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
	r.out.cap = LOOKUP_OUTBUF;
	r.out.buf = huge_zalloc(r.out.cap);
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
