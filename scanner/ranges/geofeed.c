/*
 * ranges/geofeed: RFC 8805 geofeeds, as CSV (DigitalOcean, Linode) and in the
 * JSON form Vultr publishes. Each record carries its own country; the
 * subdivision (US-NJ) is kept as the region. An empty country is allowed by the
 * RFC and stays empty (unknown), never guessed.
 */
#include "ranges/internal.h"

#include <stdio.h>
#include <string.h>

/* Splits one CSV line of at most 5 simple fields (RFC 8805 has no quoting). */
static int split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;

	while (n < max) {
		f[n++] = p;
		char *c = strchr(p, ',');
		if (c == NULL)
			break;
		*c = '\0';
		p = c + 1;
	}
	for (int i = 0; i < n; i++) {
		char *s = f[i], *e = s + strlen(s);
		while (*s == ' ' || *s == '\t')
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = '\0';
		f[i] = s;
	}
	return n;
}

enum rstatus ranges_parse_geofeed_csv(const char *data, size_t len, const char *src,
				      struct range_set *out, struct rerr *err)
{
	const char *p = data, *end = data + len;
	long line = 0;
	enum rstatus rc;

	snprintf(out->version, sizeof(out->version), "-");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		char text[512], rec[32], *f[6];
		size_t n = (size_t)(e - p);
		line++;
		if (n >= sizeof(text))
			return rerr_set(err, R_EINPUT, src, line, "line is longer than %zu bytes",
					sizeof(text) - 1);
		memcpy(text, p, n);
		text[n] = '\0';
		p = nl ? nl + 1 : end;
		if (memchr(text, '\0', n))
			return rerr_set(err, R_EINPUT, src, line, "NUL byte in line");
		if (text[0] == '#') {
			const char *lm = strstr(text, "Last modified:");
			if (lm)
				snprintf(out->version, sizeof(out->version), "%.100s", lm);
			continue;
		}
		int nf = split(text, f, 6);
		if (nf == 1 && f[0][0] == '\0')
			continue;
		if (nf > 5)
			return rerr_set(err, R_EINPUT, src, line,
					"more than 5 fields (prefix,country,region,city,postal)");
		snprintf(rec, sizeof(rec), "line %ld", line);
		if ((rc = ranges_add(out, f[0], nf > 2 ? f[2] : NULL, NULL, NULL,
				     nf > 1 ? f[1] : NULL, false, src, rec, err)) != R_OK) {
			err->line = line;
			return rc;
		}
	}
	return R_OK;
}

enum rstatus ranges_parse_geofeed_json(const char *data, size_t len, const char *src,
				       struct range_set *out, struct rerr *err)
{
	json_t *root, *arr, *item;
	enum rstatus rc;
	size_t i;

	if ((rc = ranges_json(data, len, src, &root, err)) != R_OK)
		return rc;
	const char *updated = ranges_json_str(root, "updated", false, src, "top level", err, &rc);
	if (rc != R_OK)
		goto out;
	snprintf(out->version, sizeof(out->version), "updated %s", updated ? updated : "-");
	if ((arr = ranges_json_array(root, "subnets", src, "top level", err, &rc)) == NULL)
		goto out;
	json_array_foreach(arr, i, item)
	{
		char rec[64];
		snprintf(rec, sizeof(rec), "subnets[%zu]", i);
		if (!json_is_object(item)) {
			rc = rerr_set(err, R_EINPUT, src, 0, "%s: not an object", rec);
			goto out;
		}
		const char *pfx = ranges_json_str(item, "ip_prefix", true, src, rec, err, &rc);
		if (pfx == NULL)
			goto out;
		const char *cc = ranges_json_str(item, "alpha2code", false, src, rec, err, &rc);
		if (rc != R_OK)
			goto out;
		const char *region = ranges_json_str(item, "region", false, src, rec, err, &rc);
		if (rc != R_OK)
			goto out;
		if ((rc = ranges_add(out, pfx, region, NULL, NULL, cc, false, src, rec, err)) !=
		    R_OK)
			goto out;
	}
out:
	json_decref(root);
	return rc;
}
