/*
 * output: the lines of `residency lookup` (output.h), text and JSON.
 *
 * Every output line goes through one buffer of o->cap bytes that leaves in
 * write(2)s as large as it is. Text columns are laid out with memcpy rather
 * than printf ("%-*s " cost more than everything else per line), and the tail
 * of a text line is cached per prefix-table node and GeoIP country in an arena
 * of 2 MiB chunks (huge pages where the kernel gives them).
 *
 * It must never write a line that differs between the fast way (a node's
 * tail) and the plain way (output_text()): tests/fixtures/lookup holds the
 * bytes. It never reads input and never decides an exit status.
 */
#include "attrib/output.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define OUTPUT_LONG_INPUT 200 /* longer inputs are "(long input)" in text lines */

/* ---- one buffer, written in large pieces ---- */

void output_flush(struct output *o)
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
static char *out_room(struct output *o, size_t n)
{
	if (o->len + n > o->cap)
		output_flush(o);
	return o->buf + o->len;
}

static void out_put(struct output *o, const void *p, size_t n)
{
	while (n > 0) {
		size_t k = n < o->cap ? n : o->cap;
		memcpy(out_room(o, k), p, k);
		o->len += k;
		p = (const char *)p + k;
		n -= k;
	}
}

static void out_json(struct output *o, json_t *j)
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

void output_json(struct output *o, const struct attribution *at, const char *input)
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

void output_text(struct output *o, const struct attribution *at, const char *input)
{
	char line[2048], *p = line;
#define D(s) ((s)[0] ? (s) : "-")
	if (strlen(input) > OUTPUT_LONG_INPUT)
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

struct output_node {
	char *tail; /* NULL until the node is first met */
	uint32_t len, midlen;
	char geo[3]; /* the country the tail is laid out for */
	char country[3];
	uint8_t source; /* enum attr_source */
	bool laid, global, unmapped;
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
static char *arena_alloc(struct output_arena *ar, size_t n)
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

static void text_cache_free(struct output_cache *c)
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
static void lay(struct output_node *t, const char geo[3])
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
static struct output_node *node_text(struct output_cache *c, const struct attrib *a, int32_t node)
{
	size_t i = (size_t)(node + 1);
	if (c->nodes == NULL) {
		c->n = attrib_nodes(a) + 1;
		c->nodes = huge_zalloc(c->n * sizeof(*c->nodes));
	}
	if (c->nodes == NULL || i >= c->n)
		return NULL;
	struct output_node *t = &c->nodes[i];
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
static const struct output_node *tail_of(struct output_cache *c, const struct attrib *a,
					 int32_t node, const char geo[3])
{
	struct output_node *t = node_text(c, a, node);

	if (t == NULL)
		return NULL;
	if (node < 0) {
		if (c->none == NULL && (c->none = huge_zalloc(65536 * sizeof(*c->none))) == NULL)
			return NULL;
		struct output_node *g = &c->none[(uint8_t)geo[0] | (size_t)(uint8_t)geo[1] << 8];
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

bool output_init(struct output *o, size_t cap)
{
	o->cap = cap;
	o->buf = huge_zalloc(o->cap);
	return o->buf != NULL;
}

void output_free(struct output *o)
{
	text_cache_free(&o->cache);
	free(o->buf);
}

void output_bad(struct output *o, bool json, const char *text)
{
	if (json) {
		json_t *j = json_pack("{s:s, s:s}", "address", text, "error", "not an IP address");
		out_json(o, j);
		json_decref(j);
	} else {
		size_t n = strlen(text);
		out_put(o, text, n);
		for (; n < 39; n++)
			out_put(o, " ", 1);
		out_put(o, " error: not an IP address\n",
			sizeof(" error: not an IP address\n") - 1);
	}
}

void output_text_prepare(struct output *o, const struct attrib *a, const struct addr *addr,
			 size_t n, const int32_t *node, char (*geo)[3])
{
	if (o->cache.nodes)
		for (size_t i = 0; i < n; i++)
			__builtin_prefetch(&o->cache.nodes[node[i] + 1]);
	for (size_t i = 0; i < n; i++) {
		char *g = geo[i];
		if (g[0] == '\0')
			g[1] = '\0'; /* a key of the tail caches: nothing after the end */
		g[2] = '\0';
		if (addr[i].family == 0)
			continue;
		/* the node's entry now (its middle laid out the first time); its
		 * tail for this country when the line is written (two addresses
		 * of one node may have different countries) */
		const struct output_node *t = node_text(&o->cache, a, node[i]);
		if (t && t->tail) {
			__builtin_prefetch(t->tail);
			__builtin_prefetch(t->tail + 64);
			__builtin_prefetch(t->tail + 128);
		}
	}
}

void output_text_node(struct output *o, const struct attrib *a, const struct addr *addr,
		      int32_t node, const char geo[3], const char *input)
{
	const struct output_node *t = tail_of(&o->cache, a, node, geo);
	size_t n = strlen(input);

	if (t == NULL) { /* out of memory for the caches: the plain way */
		struct attribution at;
		attrib_lookup(a, addr, &at);
		output_text(o, &at, input);
		return;
	}
	if (n > OUTPUT_LONG_INPUT) {
		input = "(long input)";
		n = strlen(input);
	}
	char *p = out_room(o, (n < 39 ? 39 : n) + 1 + t->len);
	p = input_col(p, input, n);
	memcpy(p, t->tail, t->len);
	o->len += (size_t)(p + t->len - (o->buf + o->len));
}
