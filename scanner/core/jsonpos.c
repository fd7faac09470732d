/*
 * jsonpos: a small scanner that walks JSON text alongside jansson, recording
 * the line where each value starts under its path. It trusts jansson for
 * validity: it runs only on text jansson accepted.
 */
#include "core/jsonpos.h"
#include "core/buf.h"
#include "core/hash.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One value: its path (at off in the arena of paths, NUL-terminated) and line. */
struct pos_entry {
	size_t off;
	long line;
};

/*
 * The paths live in one arena (a document of a million values is a million
 * entries: one allocation each would double their size), found through an
 * open-addressing table of entry indices + 1 (0: empty), built once the text
 * is scanned: an estate asks the line of each of its services.
 */
struct jsonpos {
	struct pos_entry *v;
	size_t n, cap;
	char *paths;
	size_t plen, pcap;
	uint32_t *slot;
	size_t nslot; /* a power of two, at least twice n */
};

void jsonpos_free(struct jsonpos *p)
{
	if (p == NULL)
		return;
	free(p->v);
	free(p->paths);
	free(p->slot);
	free(p);
}

long jsonpos_line(const struct jsonpos *p, const char *path)
{
	if (p == NULL || p->slot == NULL)
		return 0;
	for (size_t i = hash_str(path) & (p->nslot - 1);; i = (i + 1) & (p->nslot - 1)) {
		uint32_t k = p->slot[i];
		if (k == 0)
			return 0;
		/* the first value recorded under a path wins, as the list scan did */
		if (strcmp(p->paths + p->v[k - 1].off, path) == 0)
			return p->v[k - 1].line;
	}
}

/* Builds the table; false when memory runs out. */
static bool index_paths(struct jsonpos *p)
{
	if (p->n >= UINT32_MAX / 4)
		return false;
	for (p->nslot = 16; p->nslot < 2 * p->n;)
		p->nslot *= 2;
	if ((p->slot = calloc(p->nslot, sizeof(*p->slot))) == NULL)
		return false;
	for (size_t k = 0; k < p->n; k++) {
		const char *path = p->paths + p->v[k].off;
		size_t i = hash_str(path) & (p->nslot - 1);
		for (; p->slot[i]; i = (i + 1) & (p->nslot - 1))
			if (strcmp(p->paths + p->v[p->slot[i] - 1].off, path) == 0)
				break;
		if (p->slot[i] == 0)
			p->slot[i] = (uint32_t)(k + 1);
	}
	return true;
}

struct scan {
	const char *s, *end;
	long line;
	struct jsonpos *out;
	char path[4096];
	bool oom;
};

static void ws(struct scan *c)
{
	while (c->s < c->end && (*c->s == ' ' || *c->s == '\t' || *c->s == '\n' || *c->s == '\r')) {
		if (*c->s == '\n')
			c->line++;
		c->s++;
	}
}

static void record(struct scan *c)
{
	struct jsonpos *p = c->out;

	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 64;
		struct pos_entry *v = realloc(p->v, ncap * sizeof(*v));
		if (v == NULL) {
			c->oom = true;
			return;
		}
		p->v = v;
		p->cap = ncap;
	}
	size_t len = strlen(c->path) + 1;
	if (p->plen + len > p->pcap) {
		size_t ncap = p->pcap ? p->pcap * 2 : 1024;
		while (ncap < p->plen + len)
			ncap *= 2;
		char *np = realloc(p->paths, ncap);
		if (np == NULL) {
			c->oom = true;
			return;
		}
		p->paths = np;
		p->pcap = ncap;
	}
	memcpy(p->paths + p->plen, c->path, len);
	p->v[p->n].off = p->plen;
	p->plen += len;
	p->v[p->n++].line = c->line;
}

/* Copies a string token's raw content (escapes kept as written) into buf. */
static void string(struct scan *c, char *buf, size_t len)
{
	size_t n = 0;

	c->s++; /* opening quote */
	while (c->s < c->end && *c->s != '"') {
		if (*c->s == '\\' && c->s + 1 < c->end) {
			if (n + 2 < len) {
				buf[n++] = c->s[0];
				buf[n++] = c->s[1];
			}
			c->s += 2;
			continue;
		}
		if (n + 1 < len)
			buf[n++] = *c->s;
		c->s++;
	}
	if (c->s < c->end)
		c->s++;
	if (buf)
		buf[n < len ? n : len - 1] = '\0';
}

static void value(struct scan *c, int depth);

static void container(struct scan *c, int depth, bool object)
{
	size_t base = strlen(c->path);
	long index = 0;

	c->s++;
	for (;;) {
		ws(c);
		if (c->s >= c->end)
			return;
		if (*c->s == (object ? '}' : ']')) {
			c->s++;
			break;
		}
		if (*c->s == ',') {
			c->s++;
			continue;
		}
		if (object) {
			char key[1024];
			string(c, key, sizeof(key));
			snprintf(c->path + base, sizeof(c->path) - base, "/%s", key);
			ws(c);
			if (c->s < c->end && *c->s == ':')
				c->s++;
		} else {
			snprintf(c->path + base, sizeof(c->path) - base, "/%ld", index++);
		}
		const char *before = c->s;
		value(c, depth + 1);
		if (c->s == before) /* never stand still: a value not understood is skipped */
			c->s++;
		c->path[base] = '\0';
	}
}

static void value(struct scan *c, int depth)
{
	ws(c);
	if (c->s >= c->end || depth > JSONPOS_MAX_DEPTH)
		return;
	record(c);
	switch (*c->s) {
	case '{':
		container(c, depth, true);
		break;
	case '[':
		container(c, depth, false);
		break;
	case '"': {
		char skip[8];
		string(c, skip, sizeof(skip));
		break;
	}
	default:
		while (c->s < c->end && !strchr(",]} \t\r\n", *c->s))
			c->s++;
	}
}

enum rstatus jsonpos_loadb(const char *data, size_t len, const char *name, json_t **root,
			   struct jsonpos **pos, struct rerr *err)
{
	return jsonpos_loadb_at(data, len, name, JSONPOS_MAX_BYTES, 1, root, pos, err);
}

enum rstatus jsonpos_loadb_at(const char *data, size_t len, const char *name, size_t limit,
			      long first_line, json_t **root, struct jsonpos **pos,
			      struct rerr *err)
{
	json_error_t jerr;
	struct scan c;

	*root = NULL;
	*pos = NULL;
	if (len > limit)
		return rerr_set(err, R_ELIMIT, name, 0, "file is larger than %zu bytes", limit);
	const char *nul = memchr(data, '\0', len);
	if (nul) {
		/* JSON has no place for one outside strings, and jansson read past
		 * it as if it were not there (found by fuzz_policy) */
		long line = first_line;
		for (const char *q = data; q < nul; q++)
			line += *q == '\n';
		return rerr_set(err, R_EINPUT, name, line, "a NUL byte: not JSON text");
	}
	*root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (*root == NULL)
		return rerr_set(err, R_EINPUT, name, jerr.line > 0 ? jerr.line + first_line - 1 : 0,
				"%s", jerr.text);
	if ((*pos = calloc(1, sizeof(**pos))) == NULL)
		goto oom;
	memset(&c, 0, sizeof(c));
	c.s = data;
	c.end = data + len;
	c.line = first_line;
	c.out = *pos;
	value(&c, 0);
	if (!c.oom && index_paths(*pos))
		return R_OK;
oom:
	json_decref(*root);
	*root = NULL;
	jsonpos_free(*pos);
	*pos = NULL;
	return rerr_set(err, R_ENOMEM, name, 0, "out of memory");
}

enum rstatus jsonpos_load_text(const char *path, json_t **root, struct jsonpos **pos, char **text,
			       struct rerr *err)
{
	struct buf b;
	enum rstatus rc;

	*root = NULL;
	*pos = NULL;
	if (text)
		*text = NULL;
	buf_init(&b, JSONPOS_MAX_BYTES);
	if ((rc = buf_read_file(&b, path, err)) == R_OK)
		rc = jsonpos_loadb(b.data ? b.data : "", b.len, path, root, pos, err);
	else if (rc == R_EIO && err)
		rc = err->code = R_EINPUT; /* a file the user named and we cannot read: bad input */
	if (rc == R_OK && text && (*text = strdup(b.data ? b.data : "")) == NULL)
		rc = rerr_set(err, R_ENOMEM, path, 0, "out of memory");
	buf_free(&b);
	return rc;
}

enum rstatus jsonpos_load(const char *path, json_t **root, struct jsonpos **pos, struct rerr *err)
{
	return jsonpos_load_text(path, root, pos, NULL, err);
}
