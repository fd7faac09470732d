/*
 * ranges/azure: ServiceTags_Public JSON. One record per prefix per tag; the same
 * prefix stands in a regional tag and in tags with no region (AzureCloud,
 * Storage, ...). An empty region says nothing about where (attrib/ then asks
 * GeoIP); only Front Door, Azure's anycast edge, is global.
 */
#include "ranges/internal.h"

#include <stdio.h>
#include <string.h>

enum rstatus ranges_parse_azure(const char *data, size_t len, const char *src,
				struct range_set *out, struct rerr *err)
{
	json_t *root, *arr, *item;
	enum rstatus rc;
	size_t i;

	if ((rc = ranges_json(data, len, src, &root, err)) != R_OK)
		return rc;
	json_t *change = json_object_get(root, "changeNumber");
	const char *cloud = ranges_json_str(root, "cloud", false, src, "top level", err, &rc);
	if (rc != R_OK)
		goto out;
	snprintf(out->version, sizeof(out->version), "changeNumber %lld, cloud %s",
		 json_is_integer(change) ? (long long)json_integer_value(change) : -1LL,
		 cloud ? cloud : "-");
	if ((arr = ranges_json_array(root, "values", src, "top level", err, &rc)) == NULL)
		goto out;
	json_array_foreach(arr, i, item)
	{
		char rec[96];
		snprintf(rec, sizeof(rec), "values[%zu]", i);
		if (!json_is_object(item)) {
			rc = rerr_set(err, R_EINPUT, src, 0, "%s: not an object", rec);
			goto out;
		}
		const char *name = ranges_json_str(item, "name", true, src, rec, err, &rc);
		if (name == NULL)
			goto out;
		json_t *props = json_object_get(item, "properties");
		if (!json_is_object(props)) {
			rc = rerr_set(err, R_EINPUT, src, 0,
				      "%s (%s): \"properties\" is not an object", rec, name);
			goto out;
		}
		const char *region = ranges_json_str(props, "region", false, src, rec, err, &rc);
		if (rc != R_OK)
			goto out;
		json_t *pfxs = ranges_json_array(props, "addressPrefixes", src, rec, err, &rc);
		if (pfxs == NULL)
			goto out;
		size_t k;
		json_t *p;
		json_array_foreach(pfxs, k, p)
		{
			char prec[256];
			snprintf(prec, sizeof(prec), "%s (%.100s).addressPrefixes[%zu]", rec, name,
				 k);
			if (!json_is_string(p)) {
				rc = rerr_set(err, R_EINPUT, src, 0, "%s: not a string", prec);
				goto out;
			}
			bool global = strncmp(name, "AzureFrontDoor", 14) == 0;
			if ((rc = ranges_add(out, json_string_value(p), region, NULL, name, NULL,
					     global, src, prec, err)) != R_OK)
				goto out;
		}
	}
out:
	json_decref(root);
	return rc;
}
