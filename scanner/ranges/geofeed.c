/*
 * ranges/geofeed: RFC 8805 geofeeds, as CSV (DigitalOcean, Linode) and in the
 * JSON form Vultr publishes. Each record carries its own country; the
 * subdivision (US-NJ) is kept as the region. An empty country is allowed by the
 * RFC and stays empty (unknown), never guessed.
 *
 * Real feeds carry a few bad rows (DigitalOcean publishes the country "None"),
 * so a bad row costs that row, not the feed: it is skipped with a warning naming
 * file and line, its prefix (when it parses, without host bits) stays the
 * provider's with no country or region from the feed, and it is counted in
 * range_set.invalid. Only when more than RANGES_GEOFEED_MAX_INVALID_PCT of a
 * file's rows are bad is the file refused. Fatal, whatever the count: a NUL byte
 * (not a text file), and running out of memory or over RANGES_MAX_RECORDS.
 */
#include "ranges/internal.h"
#include "core/log.h"

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

/* Rows of one file: how many, how many bad, and the first bad one's error. */
struct rows {
	size_t rows, invalid;
	struct rerr first;
};

/* Warns about one bad row (the first GEOFEED_MAX_WARNINGS of a file only). */
static void warn_row(const struct rows *r, const char *src, long line, const struct rerr *e,
		     bool kept)
{
	const char *msg = e->msg;

	if (r->invalid > GEOFEED_MAX_WARNINGS)
		return;
	if (line > 0 && strncmp(msg, "line ", 5) == 0 && strstr(msg, ": "))
		msg = strstr(msg, ": ") + 2; /* file:line says it already */
	if (line > 0)
		log_warnx("%s:%ld: %s; row skipped%s", src, line, msg,
			  kept ? ", its prefix kept with no country from the feed" : "");
	else
		log_warnx("%s: %s; row skipped%s", src, e->msg,
			  kept ? ", its prefix kept with no country from the feed" : "");
}

/*
 * One row: added whole when valid; else counted invalid and warned about, and
 * its prefix alone kept when that parses. Fails only on what is fatal for the
 * whole file (memory, the record cap).
 */
static enum rstatus add_row(struct range_set *out, struct rows *r, const char *src, long line,
			    const char *rec, const char *fault, const char *prefix,
			    const char *region, const char *country, struct rerr *err)
{
	struct rerr e;
	enum rstatus rc;
	bool kept = false;

	r->rows++;
	rerr_clear(&e);
	if (fault == NULL) {
		rc = ranges_add(out, prefix, region, NULL, NULL, country, false, src, rec, &e);
		if (rc == R_OK)
			return R_OK;
		if (rc != R_EINPUT)
			goto fatal;
	} else {
		rerr_set(&e, R_EINPUT, src, line, "%s: %s", rec, fault);
	}
	/* The row is bad. Its prefix alone, when it is one, is still the provider's. */
	struct rerr e2;
	rerr_clear(&e2);
	rc = ranges_add(out, prefix, NULL, NULL, NULL, NULL, false, src, rec, &e2);
	if (rc == R_OK)
		kept = true;
	else if (rc != R_EINPUT) {
		e = e2;
		goto fatal;
	}
	if (r->invalid++ == 0) {
		r->first = e;
		r->first.line = line;
	}
	warn_row(r, src, line, &e, kept);
	return R_OK;
fatal:
	*err = e;
	err->line = line;
	return rc;
}

/* After a file: its counts into the set, or the refusal when too many were bad. */
static enum rstatus end_rows(struct range_set *out, const struct rows *r, const char *src,
			     struct rerr *err)
{
	if (r->invalid > GEOFEED_MAX_WARNINGS)
		log_warnx("%s: %zu more invalid rows skipped, not shown", src,
			  r->invalid - GEOFEED_MAX_WARNINGS);
	if (r->invalid * 100 > r->rows * RANGES_GEOFEED_MAX_INVALID_PCT)
		return rerr_set(err, R_EINPUT, src, r->first.line,
				"%zu of %zu rows are invalid, more than %u%% (the feed is "
				"refused); the first: %s",
				r->invalid, r->rows, RANGES_GEOFEED_MAX_INVALID_PCT, r->first.msg);
	out->rows += r->rows;
	out->invalid += r->invalid;
	return R_OK;
}

enum rstatus ranges_parse_geofeed_csv(const char *data, size_t len, const char *src,
				      struct range_set *out, struct rerr *err)
{
	const char *p = data, *end = data + len;
	long line = 0;
	enum rstatus rc;
	struct rows r;

	memset(&r, 0, sizeof(r));

	snprintf(out->version, sizeof(out->version), "-");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		char text[512], rec[32], *f[6];
		size_t n = (size_t)(e - p);
		line++;
		if (memchr(p, '\0', n))
			return rerr_set(err, R_EINPUT, src, line, "NUL byte in line");
		snprintf(rec, sizeof(rec), "line %ld", line);
		if (n >= sizeof(text)) {
			char fault[64];
			snprintf(fault, sizeof(fault), "line is longer than %zu bytes",
				 sizeof(text) - 1);
			p = nl ? nl + 1 : end;
			if ((rc = add_row(out, &r, src, line, rec, fault, "", NULL, NULL, err)) !=
			    R_OK)
				return rc;
			continue;
		}
		memcpy(text, p, n);
		text[n] = '\0';
		p = nl ? nl + 1 : end;
		if (text[0] == '#') {
			const char *lm = strstr(text, "Last modified:");
			if (lm)
				snprintf(out->version, sizeof(out->version), "%.100s", lm);
			continue;
		}
		int nf = split(text, f, 6);
		if (nf == 1 && f[0][0] == '\0')
			continue;
		if ((rc = add_row(out, &r, src, line, rec,
				  nf > 5 ? "more than 5 fields (prefix,country,region,city,postal)"
					 : NULL,
				  f[0], nf > 2 ? f[2] : NULL, nf > 1 ? f[1] : NULL, err)) != R_OK)
			return rc;
	}
	return end_rows(out, &r, src, err);
}

enum rstatus ranges_parse_geofeed_json(const char *data, size_t len, const char *src,
				       struct range_set *out, struct rerr *err)
{
	json_t *root, *arr, *item;
	enum rstatus rc;
	size_t i;
	struct rows r;

	memset(&r, 0, sizeof(r));
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
		if ((rc = add_row(out, &r, src, 0, rec, NULL, pfx, region, cc, err)) != R_OK)
			goto out;
	}
	rc = end_rows(out, &r, src, err);
out:
	json_decref(root);
	return rc;
}
