/*
 * ranges/oracle: OCI public_ip_ranges.json. The region is the parent object of
 * its CIDRs; tags (OCI, OSN, OBJECT_STORAGE) become the service, joined by '+'.
 */
#include "ranges/internal.h"

#include <stdio.h>
#include <string.h>

enum rstatus ranges_parse_oracle(const char *data, size_t len, const char *src,
				 struct range_set *out, struct rerr *err)
{
	json_t *root, *regions, *r;
	enum rstatus rc;
	size_t i;

	if ((rc = ranges_json(data, len, src, &root, err)) != R_OK)
		return rc;
	const char *ts =
	    ranges_json_str(root, "last_updated_timestamp", false, src, "top level", err, &rc);
	if (rc != R_OK)
		goto out;
	snprintf(out->version, sizeof(out->version), "last_updated_timestamp %s", ts ? ts : "-");
	if ((regions = ranges_json_array(root, "regions", src, "top level", err, &rc)) == NULL)
		goto out;
	json_array_foreach(regions, i, r)
	{
		char rec[64];
		snprintf(rec, sizeof(rec), "regions[%zu]", i);
		if (!json_is_object(r)) {
			rc = rerr_set(err, R_EINPUT, src, 0, "%s: not an object", rec);
			goto out;
		}
		const char *region = ranges_json_str(r, "region", true, src, rec, err, &rc);
		if (region == NULL)
			goto out;
		json_t *cidrs = ranges_json_array(r, "cidrs", src, rec, err, &rc), *c;
		if (cidrs == NULL)
			goto out;
		size_t k;
		json_array_foreach(cidrs, k, c)
		{
			char crec[96], tags[64] = "";
			snprintf(crec, sizeof(crec), "%s.cidrs[%zu]", rec, k);
			if (!json_is_object(c)) {
				rc = rerr_set(err, R_EINPUT, src, 0, "%s: not an object", crec);
				goto out;
			}
			const char *cidr = ranges_json_str(c, "cidr", true, src, crec, err, &rc);
			if (cidr == NULL)
				goto out;
			json_t *tl = json_object_get(c, "tags"), *t;
			size_t j;
			if (tl && !json_is_array(tl)) {
				rc = rerr_set(err, R_EINPUT, src, 0, "%s: \"tags\" is not an array",
					      crec);
				goto out;
			}
			json_array_foreach(tl, j, t)
			{
				size_t used = strlen(tags);
				if (!json_is_string(t)) {
					rc = rerr_set(err, R_EINPUT, src, 0,
						      "%s: a tag is not a string", crec);
					goto out;
				}
				int w = snprintf(tags + used, sizeof(tags) - used, "%s%s",
						 used ? "+" : "", json_string_value(t));
				if (w < 0 || (size_t)w >= sizeof(tags) - used) {
					/* never a cut service name */
					rc = rerr_set(err, R_EINPUT, src, 0,
						      "%s: its tags are longer than %zu characters",
						      crec, sizeof(tags) - 1);
					goto out;
				}
			}
			if ((rc = ranges_add(out, cidr, region, NULL, tags, NULL, false, src, crec,
					     err)) != R_OK)
				goto out;
		}
	}
out:
	json_decref(root);
	return rc;
}
