/*
 * ranges/cidrlist: plain text, one prefix per line (Cloudflare, Akamai). Blank
 * lines and '#' comments are skipped; surrounding white space (Akamai's trailing
 * TAB, CR of CRLF files) is not part of the prefix; no final newline is fine.
 */
#include "ranges/internal.h"

#include <stdio.h>
#include <string.h>

enum rstatus ranges_parse_cidrlist(const char *data, size_t len, const char *src,
				   struct range_set *out, struct rerr *err)
{
	const char *p = data, *end = data + len;
	long line = 0;
	enum rstatus rc;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		char text[128], rec[32];
		line++;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		size_t n = (size_t)(e - p);
		if (n > 0 && *p != '#') {
			if (n >= sizeof(text))
				return rerr_set(err, R_EINPUT, src, line,
						"line is too long for a prefix");
			if (memchr(p, '\0', n))
				return rerr_set(err, R_EINPUT, src, line, "NUL byte in line");
			memcpy(text, p, n);
			text[n] = '\0';
			snprintf(rec, sizeof(rec), "line %ld", line);
			if ((rc = ranges_add(out, text, NULL, NULL, NULL, NULL, false, src, rec,
					     err)) != R_OK) {
				err->line = line;
				return rc;
			}
		}
		p = nl ? nl + 1 : end;
	}
	snprintf(out->version, sizeof(out->version), "-");
	return R_OK;
}
