/*
 * ranges/aws: ip-ranges.json. Keeps the network border group beside the region,
 * because a Local Zone (us-east-1-bue-1) is in another country than its parent
 * region; attrib/ maps the border group. Region GLOBAL is anycast.
 */
#include "ranges/internal.h"

#include <stdio.h>
#include <string.h>

static enum rstatus one_list(json_t *root, const char *list, const char *key, const char *src,
			     struct range_set *out, struct rerr *err)
{
	enum rstatus rc;
	json_t *arr = ranges_json_array(root, list, src, "top level", err, &rc);
	size_t i;
	json_t *item;

	if (arr == NULL)
		return rc;
	json_array_foreach(arr, i, item)
	{
		char rec[64];
		snprintf(rec, sizeof(rec), "%s[%zu]", list, i);
		if (!json_is_object(item))
			return rerr_set(err, R_EINPUT, src, 0, "%s: not an object", rec);
		const char *pfx = ranges_json_str(item, key, true, src, rec, err, &rc);
		if (pfx == NULL)
			return rc;
		const char *region = ranges_json_str(item, "region", true, src, rec, err, &rc);
		if (region == NULL)
			return rc;
		const char *nbg =
		    ranges_json_str(item, "network_border_group", false, src, rec, err, &rc);
		if (rc != R_OK)
			return rc;
		const char *svc = ranges_json_str(item, "service", false, src, rec, err, &rc);
		if (rc != R_OK)
			return rc;
		if ((rc = ranges_add(out, pfx, region, nbg ? nbg : region, svc, NULL,
				     strcmp(region, "GLOBAL") == 0, src, rec, err)) != R_OK)
			return rc;
	}
	return R_OK;
}

enum rstatus ranges_parse_aws(const char *data, size_t len, const char *src, struct range_set *out,
			      struct rerr *err)
{
	json_t *root;
	enum rstatus rc;

	if ((rc = ranges_json(data, len, src, &root, err)) != R_OK)
		return rc;
	const char *sync = ranges_json_str(root, "syncToken", false, src, "top level", err, &rc);
	const char *created =
	    rc == R_OK ? ranges_json_str(root, "createDate", false, src, "top level", err, &rc)
		       : NULL;
	if (rc == R_OK)
		snprintf(out->version, sizeof(out->version), "syncToken %s, createDate %s",
			 sync ? sync : "-", created ? created : "-");
	if (rc == R_OK)
		rc = one_list(root, "prefixes", "ip_prefix", src, out, err);
	if (rc == R_OK)
		rc = one_list(root, "ipv6_prefixes", "ipv6_prefix", src, out, err);
	json_decref(root);
	return rc;
}
