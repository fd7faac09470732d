/*
 * ranges/gcp: Google's cloud.json (regions in "scope") and goog.json (all of
 * Google's space, no scope). IPv4 and IPv6 share one array, told apart by the
 * key; exactly one of the two keys per record. Scope "global" is anycast.
 */
#include "ranges/internal.h"

#include <stdio.h>
#include <string.h>

enum rstatus ranges_parse_gcp(const char *data, size_t len, const char *src, struct range_set *out,
			      struct rerr *err)
{
	json_t *root, *arr, *item;
	enum rstatus rc;
	size_t i;

	if ((rc = ranges_json(data, len, src, &root, err)) != R_OK)
		return rc;
	const char *sync = ranges_json_str(root, "syncToken", false, src, "top level", err, &rc);
	const char *created =
	    rc == R_OK ? ranges_json_str(root, "creationTime", false, src, "top level", err, &rc)
		       : NULL;
	if (rc != R_OK)
		goto out;
	snprintf(out->version, sizeof(out->version), "syncToken %s, creationTime %s",
		 sync ? sync : "-", created ? created : "-");
	if ((arr = ranges_json_array(root, "prefixes", src, "top level", err, &rc)) == NULL)
		goto out;
	json_array_foreach(arr, i, item)
	{
		char rec[64];
		snprintf(rec, sizeof(rec), "prefixes[%zu]", i);
		if (!json_is_object(item)) {
			rc = rerr_set(err, R_EINPUT, src, 0, "%s: not an object", rec);
			goto out;
		}
		const char *v4 = ranges_json_str(item, "ipv4Prefix", false, src, rec, err, &rc);
		if (rc != R_OK)
			goto out;
		const char *v6 = ranges_json_str(item, "ipv6Prefix", false, src, rec, err, &rc);
		if (rc != R_OK)
			goto out;
		if ((v4 == NULL) == (v6 == NULL)) {
			rc = rerr_set(err, R_EINPUT, src, 0,
				      "%s: needs exactly one of \"ipv4Prefix\" and \"ipv6Prefix\"",
				      rec);
			goto out;
		}
		const char *scope = ranges_json_str(item, "scope", false, src, rec, err, &rc);
		if (rc != R_OK)
			goto out;
		const char *svc = ranges_json_str(item, "service", false, src, rec, err, &rc);
		if (rc != R_OK)
			goto out;
		bool global = scope && strcmp(scope, "global") == 0;
		if ((rc = ranges_add(out, v4 ? v4 : v6, global ? "" : scope, NULL, svc, NULL,
				     global, src, rec, err)) != R_OK)
			goto out;
	}
out:
	json_decref(root);
	return rc;
}
