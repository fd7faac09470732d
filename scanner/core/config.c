/*
 * config: the configuration table and its reader.
 */
#include "core/config.h"
#include "core/addr.h"
#include "core/jsonpos.h"
#include "core/schedule.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum cfg_type { CFG_STRING, CFG_PATH, CFG_PATHS, CFG_RESOLVERS, CFG_BOOL, CFG_DURATION, CFG_URL };

struct cfg_key {
	const char *name;
	enum cfg_type type;
	size_t offset;
	const char *dflt; /* JSON text, as written in a file; NULL: none */
	const char *help;
	size_t count; /* lists: offset of the element count */
};

static const struct cfg_key keys[] = {
    {"database", CFG_STRING, offsetof(struct config, database), NULL,
     "libpq connection string (PG* variables also work)", 0},
    {"estate", CFG_PATH, offsetof(struct config, estate), NULL, "the estate file (required)", 0},
    {"policies", CFG_PATH, offsetof(struct config, policies), NULL, "folder of policy files", 0},
    {"zones", CFG_PATHS, offsetof(struct config, zones), NULL, "zone files to answer from",
     offsetof(struct config, nzones)},
    {"resolvers", CFG_RESOLVERS, offsetof(struct config, resolvers), NULL,
     "resolvers asked for names no zone covers", offsetof(struct config, nresolvers)},
    {"offline", CFG_BOOL, offsetof(struct config, offline), "false", "no network for DNS", 0},
    {"geoip", CFG_PATH, offsetof(struct config, geoip), NULL, "country database", 0},
    {"cache", CFG_PATH, offsetof(struct config, cache), NULL, "range snapshot cache", 0},
    {"max_age", CFG_DURATION, offsetof(struct config, max_age), "\"7d\"",
     "range snapshots older than this are stale", 0},
    {"webhook", CFG_URL, offsetof(struct config, webhook), NULL, "drift alerts go here", 0},
    {"signing_key", CFG_PATH, offsetof(struct config, signing_key), NULL,
     "Ed25519 private key (PEM) that signs each scan's chain link", 0},
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

/* "ADDR", "ADDR:PORT" (IPv4) or "[ADDR]:PORT", as c-ares takes them. */
static bool resolver_valid(const char *s)
{
	char host[64];
	const char *port = NULL;
	struct addr a;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (end == NULL || (size_t)(end - s - 1) >= sizeof(host) || end[1] != ':')
			return false;
		snprintf(host, sizeof(host), "%.*s", (int)(end - s - 1), s + 1);
		port = end + 2;
	} else {
		const char *colon = strchr(s, ':');
		bool v6 = colon && strchr(colon + 1, ':');
		size_t hl = colon && !v6 ? (size_t)(colon - s) : strlen(s);
		if (hl >= sizeof(host))
			return false;
		snprintf(host, sizeof(host), "%.*s", (int)hl, s);
		port = colon && !v6 ? colon + 1 : NULL;
	}
	if (!addr_parse(host, &a))
		return false;
	if (port) {
		char *end;
		long p = strtol(port, &end, 10);
		if (*port == '\0' || *end != '\0' || p < 1 || p > 65535)
			return false;
	}
	return true;
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
	case CFG_PATHS:
	case CFG_RESOLVERS: {
		size_t i, *count = (size_t *)((char *)c + k->count);
		char **list = field;
		json_t *e;
		bool paths = k->type == CFG_PATHS;
		if (!json_is_array(v))
			return rerr_set(err, R_EINPUT, c->file, line,
					"\"%s\" must be an array of %s", k->name,
					paths ? "paths" : "\"ADDR[:PORT]\" strings");
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
						"%s[%zu] must be a %s", k->name, i,
						paths ? "path" : "string \"ADDR[:PORT]\"");
			if (!paths && !resolver_valid(json_string_value(e)))
				return rerr_set(err, R_EINPUT, c->file, jsonpos_line(pos, ep),
						"%s[%zu] \"%s\" is not ADDR, ADDR:PORT or "
						"[IPV6]:PORT",
						k->name, i, json_string_value(e));
			const char *val = json_string_value(e);
			if ((list[(*count)++] = paths ? resolve(c, val) : strdup(val)) == NULL)
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
		/* "ranges_refresh" has an interval only: a jitter there would land in
		 * the scan schedule's (scan_jitter), the one field it could fill. */
		if (strcmp(key, "every") &&
		    (!scan || (strcmp(key, "jitter") && strcmp(key, "cron"))))
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
	if ((rc = jsonpos_load_text(path, &root, &pos, &c->text, err)) != R_OK)
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
				/* One URL, or a list for a provider that publishes several
				 * files (Cloudflare's and Akamai's IPv4 and IPv6 lists). */
				size_t nu = json_is_array(u) ? json_array_size(u) : 1;
				bool ok = json_is_string(u) || (json_is_array(u) && nu > 0);
				for (size_t j = 0; ok && json_is_array(u) && j < nu; j++)
					ok = json_is_string(json_array_get(u, j));
				if (!ok) {
					rc = rerr_set(err, R_EINPUT, path, jsonpos_line(pos, sub),
						      "ranges.%s must be a URL or a list of URLs",
						      prov);
					goto out;
				}
				if (c->nranges + nu > CONFIG_MAX_LIST) {
					rc = rerr_set(err, R_ELIMIT, path, jsonpos_line(pos, sub),
						      "\"ranges\" has more than %d URLs in all",
						      CONFIG_MAX_LIST);
					goto out;
				}
				for (size_t j = 0; j < nu; j++) {
					json_t *one = json_is_array(u) ? json_array_get(u, j) : u;
					c->range_providers[c->nranges] = strdup(prov);
					c->range_urls[c->nranges++] =
					    strdup(json_string_value(one));
				}
			}
		} else if (strcmp(key, "description") == 0) {
			rc = R_OK;
		} else {
			rc = rerr_set(
			    err, R_EINPUT, path, jsonpos_line(pos, ptr),
			    "unknown key \"%s\" (known: database estate policies zones "
			    "resolvers offline ranges geoip cache max_age schedule ranges_refresh "
			    "webhook signing_key)",
			    key);
		}
		if (rc != R_OK)
			goto out;
	}
	if (c->estate == NULL)
		rc = rerr_set(err, R_EINPUT, path, 1, "missing \"estate\"");
	else if (c->offline && c->nresolvers)
		rc =
		    rerr_set(err, R_EINPUT, path, jsonpos_line(pos, "/resolvers"),
			     "\"offline\": true means no network: it cannot go with \"resolvers\"");
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
	for (size_t i = 0; i < c->nresolvers; i++)
		free(c->resolvers[i]);
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
	free(c->text);
	free(c);
}
