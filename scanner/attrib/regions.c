/*
 * regions: region -> country tables, loaded once, searched with bsearch.
 */
#include "attrib/regions.h"
#include "core/buf.h"
#include "core/paths.h"
#include "ranges/ranges.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct region_row {
	char key[96]; /* provider '/' region */
	char country[3];
};

struct regions {
	struct region_row *rows;
	size_t n, cap;
};

static int row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct region_row *)a)->key, ((const struct region_row *)b)->key);
}

static enum rstatus load_one(struct regions *r, const char *provider, const char *path,
			     struct rerr *err)
{
	struct buf b;
	enum rstatus rc;
	long line = 0;

	buf_init(&b, 1024 * 1024);
	if ((rc = buf_read_file(&b, path, err)) != R_OK)
		goto out;
	for (char *p = b.data; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		line++;
		size_t n = strlen(p);
		if (n && p[n - 1] == '\r')
			p[n - 1] = '\0';
		if (*p && *p != '#') {
			char *c1 = strchr(p, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
			if (c1 == NULL || c2 == NULL) {
				rc = rerr_set(err, R_EINPUT, path, line,
					      "expected region,country,location");
				goto out;
			}
			*c1 = '\0';
			*c2 = '\0';
			const char *cc = c1 + 1;
			if (strlen(cc) != 2 || !isupper((unsigned char)cc[0]) ||
			    !isupper((unsigned char)cc[1])) {
				rc = rerr_set(err, R_EINPUT, path, line,
					      "\"%s\" is not an ISO 3166-1 alpha-2 code", cc);
				goto out;
			}
			if (*p == '\0' ||
			    strlen(p) + strlen(provider) + 2 > sizeof(r->rows[0].key)) {
				rc = rerr_set(err, R_EINPUT, path, line, "bad region name");
				goto out;
			}
			if (r->n == r->cap) {
				size_t ncap = r->cap ? r->cap * 2 : 256;
				struct region_row *v = realloc(r->rows, ncap * sizeof(*v));
				if (v == NULL) {
					rc = rerr_set(err, R_ENOMEM, path, line, "out of memory");
					goto out;
				}
				r->rows = v;
				r->cap = ncap;
			}
			snprintf(r->rows[r->n].key, sizeof(r->rows[r->n].key), "%s/%s", provider,
				 p);
			memcpy(r->rows[r->n].country, cc, 3);
			r->n++;
		}
		p = nl ? nl + 1 : NULL;
	}
out:
	buf_free(&b);
	return rc;
}

enum rstatus regions_load(const char *dir, struct regions **out, struct rerr *err)
{
	struct regions *r = calloc(1, sizeof(*r));
	char base[4096], path[4200];
	enum rstatus rc = R_OK;

	*out = NULL;
	if (r == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	if (dir == NULL)
		dir = paths_data("policies/regions", base, sizeof(base));
	for (const struct range_provider *p = range_providers; p->name; p++) {
		snprintf(path, sizeof(path), "%s/%s.csv", dir, p->name);
		if (access(path, F_OK) != 0)
			continue;
		if ((rc = load_one(r, p->name, path, err)) != R_OK) {
			regions_free(r);
			return rc;
		}
	}
	qsort(r->rows, r->n, sizeof(*r->rows), row_cmp);
	for (size_t i = 1; i < r->n; i++)
		if (strcmp(r->rows[i - 1].key, r->rows[i].key) == 0) {
			rc = rerr_set(err, R_EINPUT, dir, 0, "region %s is listed twice",
				      r->rows[i].key);
			regions_free(r);
			return rc;
		}
	*out = r;
	return R_OK;
}

void regions_free(struct regions *r)
{
	if (r == NULL)
		return;
	free(r->rows);
	free(r);
}

const char *regions_country(const struct regions *r, const char *provider, const char *region)
{
	struct region_row key;

	if (r == NULL || region == NULL || *region == '\0')
		return NULL;
	/* by hand: snprintf was most of the cost of attributing a prefix-table node */
	size_t np = strlen(provider), nr = strlen(region);
	if (np + 1 + nr >= sizeof(key.key))
		return NULL; /* longer than any row */
	memcpy(key.key, provider, np);
	key.key[np] = '/';
	memcpy(key.key + np + 1, region, nr + 1);
	const struct region_row *row = bsearch(&key, r->rows, r->n, sizeof(*r->rows), row_cmp);
	return row ? row->country : NULL;
}
