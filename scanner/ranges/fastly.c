/*
 * ranges/fastly: public-ip-list, two arrays of strings. Fastly is anycast: the
 * provider table marks every prefix global.
 */
#include "ranges/internal.h"

#include <stdio.h>

static enum rstatus list(json_t *root, const char *name, const char *src, struct range_set *out,
			 struct rerr *err)
{
	enum rstatus rc;
	json_t *arr = ranges_json_array(root, name, src, "top level", err, &rc), *p;
	size_t i;

	if (arr == NULL)
		return rc;
	json_array_foreach(arr, i, p)
	{
		char rec[64];
		snprintf(rec, sizeof(rec), "%s[%zu]", name, i);
		if (!json_is_string(p))
			return rerr_set(err, R_EINPUT, src, 0, "%s: not a string", rec);
		if ((rc = ranges_add(out, json_string_value(p), NULL, NULL, NULL, NULL, true, src,
				     rec, err)) != R_OK)
			return rc;
	}
	return R_OK;
}

enum rstatus ranges_parse_fastly(const char *data, size_t len, const char *src,
				 struct range_set *out, struct rerr *err)
{
	json_t *root;
	enum rstatus rc;

	if ((rc = ranges_json(data, len, src, &root, err)) != R_OK)
		return rc;
	if ((rc = list(root, "addresses", src, out, err)) == R_OK)
		rc = list(root, "ipv6_addresses", src, out, err);
	snprintf(out->version, sizeof(out->version), "-");
	json_decref(root);
	return rc;
}
