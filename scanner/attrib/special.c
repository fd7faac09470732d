/*
 * special: the special-purpose address table (see special.h). Rows are kept
 * per family, most specific first, so the first row holding an address is the
 * answer; a bitmap of the first bytes any row begins with lets an ordinary
 * address (most of them) through with one test.
 */
#include "attrib/special.h"
#include "core/buf.h"
#include "core/paths.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct special {
	struct special_row *rows; /* IPv4 rows, then IPv6 rows; each most specific first */
	size_t n, n4;
	uint8_t first[2][32]; /* [family 4, 6]: bit b set when a row may hold first byte b */
	char *text;	      /* the file as read, for evidence */
};

static int row_cmp(const void *x, const void *y)
{
	const struct special_row *a = x, *b = y;
	if (a->prefix.addr.family != b->prefix.addr.family)
		return a->prefix.addr.family < b->prefix.addr.family ? -1 : 1;
	if (a->prefix.len != b->prefix.len)
		return a->prefix.len > b->prefix.len ? -1 : 1;
	return addr_cmp(&a->prefix.addr, &b->prefix.addr);
}

/* Copies field f into dst; false when it is empty or does not fit. */
static bool take(char *dst, size_t size, const char *f)
{
	size_t n = strlen(f);
	if (n == 0 || n >= size)
		return false;
	memcpy(dst, f, n + 1);
	return true;
}

static enum rstatus parse_row(char *p, const char *path, long line, struct special_row *row,
			      struct rerr *err)
{
	char *f[5];
	int nf;
	bool host_bits = false;

	memset(row, 0, sizeof(*row));
	f[0] = p;
	for (nf = 1; nf < 5; nf++) {
		char *c = strchr(f[nf - 1], ',');
		if (c == NULL)
			break;
		*c = '\0';
		f[nf] = c + 1;
	}
	if (nf < 4)
		return rerr_set(err, R_EINPUT, path, line,
				"expected prefix,name,rfc,registry[,global] (%d field%s)", nf,
				nf == 1 ? "" : "s");
	if (nf == 5 && (strchr(f[4], ',') || (*f[4] && strcmp(f[4], "global") != 0)))
		return rerr_set(err, R_EINPUT, path, line,
				"the fifth field is \"global\" or empty, and there is no sixth");
	row->global = nf == 5 && strcmp(f[4], "global") == 0;
	if (!prefix_parse(f[0], &row->prefix, &host_bits))
		return rerr_set(err, R_EINPUT, path, line, "\"%s\" is not an address prefix", f[0]);
	if (host_bits)
		return rerr_set(err, R_EINPUT, path, line, "\"%s\" has bits set past its length",
				f[0]);
	if (!take(row->name, sizeof(row->name), f[1]))
		return rerr_set(err, R_EINPUT, path, line, "the name must be 1 to %zu bytes",
				sizeof(row->name) - 1);
	if (!take(row->rfc, sizeof(row->rfc), f[2]))
		return rerr_set(err, R_EINPUT, path, line, "the RFC must be 1 to %zu bytes",
				sizeof(row->rfc) - 1);
	if (!take(row->registry, sizeof(row->registry), f[3]))
		return rerr_set(err, R_EINPUT, path, line, "the registry must be 1 to %zu bytes",
				sizeof(row->registry) - 1);
	return R_OK;
}

/* Marks the first bytes a row may hold. */
static void mark(struct special *s, const struct special_row *r)
{
	const struct prefix *p = &r->prefix;
	uint8_t *bits = s->first[p->addr.family == 4 ? 0 : 1];
	unsigned span = p->len >= 8 ? 1u : 1u << (8 - p->len);

	for (unsigned b = p->addr.b[0]; b < p->addr.b[0] + span && b < 256; b++)
		bits[b / 8] |= (uint8_t)(1u << (b % 8));
}

enum rstatus special_load(const char *path, struct special **out, struct rerr *err)
{
	struct special *s = calloc(1, sizeof(*s));
	char def[4096];
	struct buf b;
	enum rstatus rc;
	long line = 0;

	*out = NULL;
	if (s == NULL)
		return rerr_set(err, R_ENOMEM, path, 0, "out of memory");
	if (path == NULL)
		path = paths_data("policies/special-purpose.csv", def, sizeof(def));
	buf_init(&b, SPECIAL_MAX_BYTES);
	if ((rc = buf_read_file(&b, path, err)) != R_OK)
		goto out;
	if ((s->text = strdup(b.data ? b.data : "")) == NULL) { /* before the lines are cut */
		rc = rerr_set(err, R_ENOMEM, path, 0, "out of memory");
		goto out;
	}
	for (char *p = b.data; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		line++;
		size_t n = strlen(p);
		if (n && p[n - 1] == '\r')
			p[n - 1] = '\0';
		if (*p && *p != '#') {
			if (s->n == SPECIAL_MAX_ROWS) {
				rc = rerr_set(err, R_ELIMIT, path, line, "more than %d rows",
					      SPECIAL_MAX_ROWS);
				goto out;
			}
			if (s->rows == NULL &&
			    (s->rows = calloc(SPECIAL_MAX_ROWS, sizeof(*s->rows))) == NULL) {
				rc = rerr_set(err, R_ENOMEM, path, line, "out of memory");
				goto out;
			}
			struct special_row *r = &s->rows[s->n];
			if ((rc = parse_row(p, path, line, r, err)) != R_OK)
				goto out;
			for (size_t i = 0; i < s->n; i++)
				if (s->rows[i].prefix.len == r->prefix.len &&
				    addr_cmp(&s->rows[i].prefix.addr, &r->prefix.addr) == 0 &&
				    s->rows[i].prefix.addr.mapped == r->prefix.addr.mapped) {
					char t[64];
					rc = rerr_set(err, R_EINPUT, path, line,
						      "%s is listed twice",
						      prefix_format(&r->prefix, t, sizeof(t)));
					goto out;
				}
			s->n++;
		}
		p = nl ? nl + 1 : NULL;
	}
	if (s->n == 0) {
		/* an empty table would let every special address reach GeoIP */
		rc = rerr_set(err, R_EINPUT, path, line, "no rows: the table cannot be empty");
		goto out;
	}
	/* ::ffff:0:0/96 parses as 0.0.0.0/0: IPv4-mapped addresses are looked up
	 * as the IPv4 address they hold, so that row names nothing. */
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++)
		if (!s->rows[i].prefix.addr.mapped)
			s->rows[k++] = s->rows[i];
	s->n = k;
	qsort(s->rows, s->n, sizeof(*s->rows), row_cmp);
	for (size_t i = 0; i < s->n; i++) {
		mark(s, &s->rows[i]);
		if (s->rows[i].prefix.addr.family == 4)
			s->n4++;
	}
out:
	buf_free(&b);
	if (rc != R_OK) {
		special_free(s);
		return rc;
	}
	*out = s;
	return R_OK;
}

void special_free(struct special *s)
{
	if (s == NULL)
		return;
	free(s->rows);
	free(s->text);
	free(s);
}

const char *special_text(const struct special *s)
{
	return s ? s->text : NULL;
}

size_t special_rows(const struct special *s)
{
	return s ? s->n : 0;
}

const struct special_row *special_find(const struct special *s, const struct addr *a)
{
	if (s == NULL || (a->family != 4 && a->family != 6))
		return NULL;
	int f = a->family == 4 ? 0 : 1;
	if (!(s->first[f][a->b[0] / 8] >> (a->b[0] % 8) & 1))
		return NULL;
	size_t from = f ? s->n4 : 0, to = f ? s->n : s->n4;
	for (size_t i = from; i < to; i++)
		if (prefix_contains(&s->rows[i].prefix, a))
			return &s->rows[i];
	return NULL;
}

const char *special_embedded(const struct addr *a, struct addr *v4)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
	const uint8_t *bytes = NULL;
	const char *via = NULL;

	if (a->family == 4 && a->mapped) {
		bytes = a->b;
		via = "IPv4-mapped Address";
	} else if (a->family == 6 && memcmp(a->b, mapped, 12) == 0) {
		bytes = a->b + 12;
		via = "IPv4-mapped Address";
	} else if (a->family == 6 && memcmp(a->b, nat64, 12) == 0) {
		bytes = a->b + 12;
		via = "IPv4-IPv6 Translat.";
	} else if (a->family == 6 && a->b[0] == 0x20 && a->b[1] == 0x02) {
		bytes = a->b + 2;
		via = "6to4";
	} else if (a->family == 6 && a->b[0] == 0x20 && a->b[1] == 0x01 && a->b[2] == 0 &&
		   a->b[3] == 0) {
		bytes = a->b + 12;
		via = "TEREDO";
	}
	if (via == NULL)
		return NULL;
	memset(v4, 0, sizeof(*v4));
	v4->family = 4;
	memcpy(v4->b, bytes, 4);
	if (strcmp(via, "TEREDO") == 0)
		for (int i = 0; i < 4; i++)
			v4->b[i] ^= 0xff;
	return via;
}
