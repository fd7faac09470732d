/*
 * ranges/github: api.github.com/meta, an object of named CIDR lists (hooks, web,
 * api, git, actions, ...) beside keys that are not address lists (ssh_keys,
 * ssh_key_fingerprints, domains, verifiable_password_authentication). The list
 * name is the service. A list that is not all strings is an error, not skipped.
 */
#include "ranges/internal.h"

#include <stdio.h>
#include <string.h>

enum rstatus ranges_parse_github(const char *data, size_t len, const char *src,
				 struct range_set *out, struct rerr *err)
{
	json_t *root, *val;
	enum rstatus rc;
	const char *key;

	if ((rc = ranges_json(data, len, src, &root, err)) != R_OK)
		return rc;
	json_object_foreach(root, key, val)
	{
		/* Only arrays are lists of addresses; ssh_keys is an array of keys. */
		if (!json_is_array(val) || strcmp(key, "ssh_keys") == 0)
			continue;
		size_t i;
		json_t *p;
		json_array_foreach(val, i, p)
		{
			char rec[96];
			snprintf(rec, sizeof(rec), "%.60s[%zu]", key, i);
			if (!json_is_string(p)) {
				rc = rerr_set(err, R_EINPUT, src, 0, "%s: not a string", rec);
				goto out;
			}
			if ((rc = ranges_add(out, json_string_value(p), NULL, NULL, key, NULL,
					     false, src, rec, err)) != R_OK)
				goto out;
		}
	}
	snprintf(out->version, sizeof(out->version), "-");
out:
	json_decref(root);
	return rc;
}
