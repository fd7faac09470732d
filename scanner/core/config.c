/*
 * config: the configuration table and its reader.
 */
#include "core/config.h"
#include "core/jsonpos.h"
#include "core/schedule.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum cfg_type { CFG_STRING, CFG_PATH, CFG_PATHS, CFG_BOOL, CFG_DURATION, CFG_URL };

struct cfg_key {
	const char *name;
	enum cfg_type type;
	size_t offset;
	const char *dflt; /* JSON text, as written in a file; NULL: none */
	const char *help;
};

static const struct cfg_key keys[] = {
    {"database", CFG_STRING, offsetof(struct config, database), NULL,
     "libpq connection string (PG* variables also work)"},
    {"estate", CFG_PATH, offsetof(struct config, estate), NULL, "the estate file (required)"},
    {"policies", CFG_PATH, offsetof(struct config, policies), NULL, "folder of policy files"},
    {"zones", CFG_PATHS, offsetof(struct config, zones), NULL, "zone files to answer from"},
    {"offline", CFG_BOOL, offsetof(struct config, offline), "false", "no network for DNS"},
    {"geoip", CFG_PATH, offsetof(struct config, geoip), NULL, "country database"},
    {"cache", CFG_PATH, offsetof(struct config, cache), NULL, "range snapshot cache"},
    {"max_age", CFG_DURATION, offsetof(struct config, max_age), "\"7d\"",
     "range snapshots older than this are stale"},
    {"webhook", CFG_URL, offsetof(struct config, webhook), NULL, "drift alerts go here"},
    {"signing_key", CFG_PATH, offsetof(struct config, signing_key), NULL,
     "Ed25519 private key (PEM) that signs each scan's chain link"},
};

static char *resolve(const struct config *c, const char *p)
{
	if (p[0] == '/')
		return strdup(p);
	const char *slash = strrchr(c->file, '/');
	size_t dl = slash ? (size_t)(slash - c->file) + 1 : 0;
	char *out = malloc(dl + strlen(p) + 1);
	if (out) {
		memcpy(out, c->file, dl);
		memcpy(out + dl, p, strlen(p) + 1);
	}
	return out;
}

static enum rstatus set_key(struct config *c, const struct cfg_key *k, json_t *v,
			    const struct jsonpos *pos, struct rerr *err)
{
	char ptr[96];
	long line;
	void *field = (char *)c + k->offset;

	snprintf(ptr, sizeof(ptr), "/%s", k->name);
	line = jsonpos_line(pos, ptr);
	switch (k->type) {
	case CFG_BOOL:
		if (!json_is_boolean(v))
			return rerr_set(err, R_EINPUT, c->file, line,
					"\"%s\" must be true or false", k->name);
		*(bool *)field = json_is_true(v);
		return R_OK;
	case CFG_DURATION: {
		long long secs;
		if (!json_is_string(v) || !duration_parse(json_string_value(v), &secs))
			return rerr_set(err, R_EINPUT, c->file, line,
					"\"%s\" must be a duration such as \"7d\" or \"12h\"",
					k->name);
		*(long long *)field = secs;
		return R_OK;
	}
	case CFG_PATHS: {
		size_t i;
		json_t *e;
		if (!json_is_array(v))
			return rerr_set(err, R_EINPUT, c->file, line,
					"\"%s\" must be an array of paths", k->name);
		if (json_array_size(v) > CONFIG_MAX_LIST)
			return rerr_set(err, R_ELIMIT, c->file, line,
					"\"%s\" has more than %d entries", k->name,
					CONFIG_MAX_LIST);
		json_array_foreach(v, i, e)
		{
			char ep[128];
			snprintf(ep, sizeof(ep), "/%s/%zu", k->name, i);
			if (!json_is_string(e) || json_string_length(e) == 0)
				return rerr_set(err, R_EINPUT, c->file, jsonpos_line(pos, ep),
						"%s[%zu] must be a path", k->name, i);
			if ((c->zones[c->nzones++] = resolve(c, json_string_value(e))) == NULL)
				return rerr_set(err, R_ENOMEM, c->file, 0, "out of memory");
		}
		return R_OK;
	}
	case CFG_STRING:
	case CFG_PATH:
	case CFG_URL: {
		if (!json_is_string(v) || json_string_length(v) == 0)
			return rerr_set(err, R_EINPUT, c->file, line,
					"\"%s\" must be a non-empty string", k->name);
		const char *s = json_string_value(v);
		if (k->type == CFG_URL && strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
			return rerr_set(err, R_EINPUT, c->file, line,
					"\"%s\" must be an http:// or https:// URL", k->name);
		char **dst = field;
		free(*dst);
		*dst = k->type == CFG_PATH ? resolve(c, s) : strdup(s);
		return *dst ? R_OK : rerr_set(err, R_ENOMEM, c->file, 0, "out of memory");
	}
	}
	return R_EINTERNAL;
}

static enum rstatus schedule_key(struct config *c, json_t *v, const char *name,
				 const struct jsonpos *pos, struct rerr *err)
{
	char ptr[96], sub[128];
	const char *key;
	json_t *x;
	struct schedule probe;

	snprintf(ptr, sizeof(ptr), "/%s", name);
	if (!json_is_object(v))
		return rerr_set(err, R_EINPUT, c->file, jsonpos_line(pos, ptr),
				"\"%s\" must be an object such as {\"every\": \"6h\"}", name);
	json_object_foreach(v, key, x)
	{
		snprintf(sub, sizeof(sub), "%s/%s", ptr, key);
		long line = jsonpos_line(pos, sub);
		bool scan = strcmp(name, "schedule") == 0;
		if (strcmp(key, "every") && strcmp(key, "jitter") && (!scan || strcmp(key, "cron")))
			return rerr_set(err, R_EINPUT, c->file, line,
					"unknown key \"%s\" in \"%s\"", key, name);
		if (!json_is_string(x))
			return rerr_set(err, R_EINPUT, c->file, line, "\"%s\" must be a string",
					key);
		char **dst = strcmp(key, "cron") == 0	  ? &c->scan_cron
			     : strcmp(key, "jitter") == 0 ? &c->scan_jitter
			     : scan			  ? &c->scan_every
							  : &c->ranges_every;
		free(*dst);
		if ((*dst = strdup(json_string_value(x))) == NULL)
			return rerr_set(err, R_ENOMEM, c->file, 0, "out of memory");
	}
	struct rerr e2;
	rerr_clear(&e2);
	enum rstatus rc = R_OK;
	if (strcmp(name, "schedule") == 0) {
		if (c->scan_cron && c->scan_every)
			return rerr_set(err, R_EINPUT, c->file, jsonpos_line(pos, ptr),
					"\"schedule\" takes \"every\" or \"cron\", not both");
		if (c->scan_cron)
			rc = schedule_cron(&probe, c->scan_cron, c->file, &e2);
		else if (c->scan_every)
			rc = schedule_interval(&probe, c->scan_every, c->scan_jitter, c->file, &e2);
		else
			return rerr_set(err, R_EINPUT, c->file, jsonpos_line(pos, ptr),
					"\"schedule\" needs \"every\" or \"cron\"");
	} else if (c->ranges_every) {
		rc = schedule_interval(&probe, c->ranges_every, NULL, c->file, &e2);
	}
	if (rc != R_OK)
		return rerr_set(err, rc, c->file, jsonpos_line(pos, ptr), "%s", e2.msg);
	return R_OK;
}

enum rstatus config_load(const char *path, struct config **out, struct rerr *err)
{
	struct config *c = calloc(1, sizeof(*c));
	json_t *root = NULL, *v;
	struct jsonpos *pos = NULL;
	enum rstatus rc;
	const char *key;

	*out = NULL;
	if (c == NULL || (c->file = strdup(path)) == NULL) {
		free(c);
		return rerr_set(err, R_ENOMEM, path, 0, "out of memory");
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].dflt) {
			json_t *d = json_loads(keys[i].dflt, JSON_DECODE_ANY, NULL);
			rc = set_key(c, &keys[i], d, NULL, err);
			json_decref(d);
			if (rc != R_OK)
				goto out;
		}
	if ((rc = jsonpos_load(path, &root, &pos, err)) != R_OK)
		goto out;
	if (!json_is_object(root)) {
		rc = rerr_set(err, R_EINPUT, path, 1, "a configuration is a JSON object");
		goto out;
	}
	json_object_foreach(root, key, v)
	{
		char ptr[256];
		const struct cfg_key *k = NULL;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(keys[i].name, key) == 0)
				k = &keys[i];
		snprintf(ptr, sizeof(ptr), "/%s", key);
		if (k) {
			rc = set_key(c, k, v, pos, err);
		} else if (strcmp(key, "schedule") == 0 || strcmp(key, "ranges_refresh") == 0) {
			rc = schedule_key(c, v, key, pos, err);
		} else if (strcmp(key, "ranges") == 0) {
			const char *prov;
			json_t *u;
			if (!json_is_object(v)) {
				rc = rerr_set(err, R_EINPUT, path, jsonpos_line(pos, ptr),
					      "\"ranges\" maps providers to URLs: {\"aws\": "
					      "\"https://...\"}");
				goto out;
			}
			json_object_foreach(v, prov, u)
			{
				char sub[300];
				snprintf(sub, sizeof(sub), "/ranges/%s", prov);
				if (!json_is_string(u) || c->nranges == CONFIG_MAX_LIST) {
					rc = rerr_set(err, R_EINPUT, path, jsonpos_line(pos, sub),
						      "ranges.%s must be a URL", prov);
					goto out;
				}
				c->range_providers[c->nranges] = strdup(prov);
				c->range_urls[c->nranges++] = strdup(json_string_value(u));
			}
		} else if (strcmp(key, "description") == 0) {
			rc = R_OK;
		} else {
			rc = rerr_set(err, R_EINPUT, path, jsonpos_line(pos, ptr),
				      "unknown key \"%s\" (known: database estate policies zones "
				      "offline ranges geoip cache max_age schedule ranges_refresh "
				      "webhook signing_key)",
				      key);
		}
		if (rc != R_OK)
			goto out;
	}
	if (c->estate == NULL)
		rc = rerr_set(err, R_EINPUT, path, 1, "missing \"estate\"");
out:
	json_decref(root);
	jsonpos_free(pos);
	if (rc != R_OK)
		config_free(c);
	else
		*out = c;
	return rc;
}

void config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->file);
	free(c->database);
	free(c->estate);
	free(c->policies);
	for (size_t i = 0; i < c->nzones; i++)
		free(c->zones[i]);
	for (size_t i = 0; i < c->nranges; i++) {
		free(c->range_providers[i]);
		free(c->range_urls[i]);
	}
	free(c->geoip);
	free(c->cache);
	free(c->scan_every);
	free(c->scan_jitter);
	free(c->scan_cron);
	free(c->ranges_every);
	free(c->webhook);
	free(c->signing_key);
	free(c);
}
