/*
 * policy: estate and policy files, the country list and country groups.
 */
#include "policy/policy.h"
#include "core/buf.h"
#include "core/hash.h"
#include "core/jsonpos.h"
#include "core/paths.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int cc_index(const char *cc)
{
	if (!isupper((unsigned char)cc[0]) || !isupper((unsigned char)cc[1]) || cc[2] != '\0')
		return -1;
	return (cc[0] - 'A') * 26 + (cc[1] - 'A');
}

bool ccset_has(const struct ccset *s, const char *cc)
{
	int i = cc_index(cc);
	return i >= 0 && (s->bits[i / 8] >> (i % 8)) & 1;
}

static void ccset_add(struct ccset *s, int i)
{
	s->bits[i / 8] |= (uint8_t)(1u << (i % 8));
}

static void ccset_union(struct ccset *a, const struct ccset *b)
{
	for (size_t i = 0; i < sizeof(a->bits); i++)
		a->bits[i] |= b->bits[i];
}

struct group {
	char name[64];
	struct ccset set;
};

struct catalog {
	struct ccset valid;
	struct group *groups;
	size_t ngroups;
};

static enum rstatus load_countries(struct catalog *c, struct rerr *err)
{
	char path[4096];
	struct buf b;
	enum rstatus rc;
	long line = 0;

	paths_data("policies/countries.txt", path, sizeof(path));
	buf_init(&b, 64 * 1024);
	if ((rc = buf_read_file(&b, path, err)) != R_OK)
		goto out;
	for (char *p = b.data; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		line++;
		if (*p && *p != '#') {
			int i = cc_index(p);
			if (i < 0) {
				rc = rerr_set(err, R_EINPUT, path, line,
					      "\"%s\" is not a country code", p);
				goto out;
			}
			ccset_add(&c->valid, i);
		}
		p = nl ? nl + 1 : NULL;
	}
out:
	buf_free(&b);
	return rc;
}

static enum rstatus country_list(const struct catalog *c, json_t *arr, const char *file,
				 const struct jsonpos *pos, const char *path, struct ccset *out,
				 struct rerr *err);

static enum rstatus load_groups(struct catalog *c, struct rerr *err)
{
	char dir[4096], path[4400], ptr[64];
	DIR *d;
	struct dirent *e;
	enum rstatus rc = R_OK;

	paths_data("policies/groups", dir, sizeof(dir));
	if ((d = opendir(dir)) == NULL)
		return rerr_set(err, R_EIO, dir, 0, "cannot read the country groups folder");
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		json_t *root = NULL;
		struct jsonpos *pos = NULL;
		if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if ((rc = jsonpos_load(path, &root, &pos, err)) != R_OK)
			break;
		json_t *name = json_object_get(root, "name"),
		       *list = json_object_get(root, "countries");
		struct group *g = realloc(c->groups, (c->ngroups + 1) * sizeof(*g));
		if (g == NULL) {
			rc = rerr_set(err, R_ENOMEM, path, 0, "out of memory");
		} else if (!json_is_string(name) || !json_is_array(list) ||
			   !json_is_string(json_object_get(root, "source")) ||
			   !json_is_string(json_object_get(root, "as_of"))) {
			c->groups = g;
			rc = rerr_set(
			    err, R_EINPUT, path, 1,
			    "a group needs \"name\", \"source\", \"as_of\" and \"countries\"");
		} else {
			c->groups = g;
			memset(&g[c->ngroups], 0, sizeof(*g));
			snprintf(g[c->ngroups].name, sizeof(g[c->ngroups].name), "%s",
				 json_string_value(name));
			snprintf(ptr, sizeof(ptr), "/countries");
			/* Groups are made of codes only: a group naming a group is refused. */
			struct catalog codes_only = {c->valid, NULL, 0};
			rc = country_list(&codes_only, list, path, pos, ptr, &g[c->ngroups].set,
					  err);
			if (rc == R_OK)
				c->ngroups++;
		}
		json_decref(root);
		jsonpos_free(pos);
		if (rc != R_OK)
			break;
	}
	closedir(d);
	return rc;
}

static const char *suggest(const struct catalog *c, const char *s)
{
	static const struct {
		const char *wrong, *right;
	} common[] = {{"UK", "GB"}, {"EL", "GR"}, {"EN", "GB"}, {"USA", "US"}, {"KO", "KR"}};
	static char up[8];

	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		if (strcasecmp(s, common[i].wrong) == 0)
			return common[i].right;
	if (strlen(s) == 2) {
		up[0] = (char)toupper((unsigned char)s[0]);
		up[1] = (char)toupper((unsigned char)s[1]);
		up[2] = '\0';
		if (ccset_has(&c->valid, up))
			return up;
	}
	return NULL;
}

static enum rstatus country_list(const struct catalog *c, json_t *arr, const char *file,
				 const struct jsonpos *pos, const char *path, struct ccset *out,
				 struct rerr *err)
{
	char p[512];
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return rerr_set(err, R_EINPUT, file, jsonpos_line(pos, path),
				"%s must be an array of country codes or group names", path + 1);
	json_array_foreach(arr, i, v)
	{
		snprintf(p, sizeof(p), "%s/%zu", path, i);
		long line = jsonpos_line(pos, p);
		if (!json_is_string(v))
			return rerr_set(err, R_EINPUT, file, line, "%s: not a string", p + 1);
		const char *s = json_string_value(v);
		bool group = false;
		for (size_t g = 0; g < c->ngroups; g++)
			if (strcasecmp(c->groups[g].name, s) == 0) {
				ccset_union(out, &c->groups[g].set);
				group = true;
			}
		if (group)
			continue;
		int idx = cc_index(s);
		if (idx < 0 || !ccset_has(&c->valid, s)) {
			const char *hint = suggest(c, s);
			if (hint)
				return rerr_set(
				    err, R_EINPUT, file, line,
				    "unknown country code \"%s\" (did you mean \"%s\"?)", s, hint);
			if (strlen(s) == 2)
				return rerr_set(err, R_EINPUT, file, line,
						"unknown country code \"%s\" (not in ISO 3166-1)",
						s);
			return rerr_set(
			    err, R_EINPUT, file, line,
			    "unknown country group \"%s\" (groups are in policies/groups/)", s);
		}
		ccset_add(out, idx);
	}
	return R_OK;
}

/* Refuses keys other than the allowed ones, naming the line of the bad key. */
static enum rstatus only_keys(json_t *obj, const char *const *allowed, const char *file,
			      const struct jsonpos *pos, const char *path, struct rerr *err)
{
	const char *key;
	json_t *v;
	char p[1024];

	json_object_foreach(obj, key, v)
	{
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			ok |= strcmp(*a, key) == 0;
		if (!ok) {
			snprintf(p, sizeof(p), "%s/%s", path, key);
			return rerr_set(err, R_EINPUT, file, jsonpos_line(pos, p),
					"unknown key \"%s\" in %s", key,
					*path ? path + 1 : "the top level");
		}
	}
	return R_OK;
}

static enum rstatus get_str(json_t *obj, const char *key, bool required, const char *file,
			    const struct jsonpos *pos, const char *path, char **out,
			    struct rerr *err)
{
	json_t *v = json_object_get(obj, key);
	char p[1024];

	*out = NULL;
	snprintf(p, sizeof(p), "%s/%s", path, key);
	if (v == NULL) {
		if (required)
			return rerr_set(err, R_EINPUT, file, jsonpos_line(pos, path),
					"missing \"%s\"", key);
		return R_OK;
	}
	if (!json_is_string(v) || json_string_length(v) == 0)
		return rerr_set(err, R_EINPUT, file, jsonpos_line(pos, p),
				"\"%s\" must be a non-empty string", key);
	if ((*out = strdup(json_string_value(v))) == NULL)
		return rerr_set(err, R_ENOMEM, file, 0, "out of memory");
	return R_OK;
}

/*
 * The strings of array key (none: *out NULL), in one allocation: the pointers
 * (NULL-terminated), then the strings (a million endpoints as a million
 * allocations cost a third more). Caller frees *out with free() alone.
 */
static enum rstatus get_strs(json_t *obj, const char *key, const char *file,
			     const struct jsonpos *pos, const char *path, char ***out, size_t *n,
			     struct rerr *err)
{
	json_t *arr = json_object_get(obj, key), *v;
	char p[1024];
	size_t i, bytes = 0;

	*out = NULL;
	*n = 0;
	snprintf(p, sizeof(p), "%s/%s", path, key);
	if (arr == NULL)
		return R_OK;
	if (!json_is_array(arr))
		return rerr_set(err, R_EINPUT, file, jsonpos_line(pos, p),
				"\"%s\" must be an array", key);
	if (json_array_size(arr) > POLICY_MAX_ENDPOINTS)
		return rerr_set(err, R_ELIMIT, file, jsonpos_line(pos, p),
				"\"%s\" has more than %u entries", key, POLICY_MAX_ENDPOINTS);
	json_array_foreach(arr, i, v)
	{
		char q[1100];
		snprintf(q, sizeof(q), "%s/%zu", p, i);
		if (!json_is_string(v) || json_string_length(v) == 0)
			return rerr_set(err, R_EINPUT, file, jsonpos_line(pos, q),
					"%s: must be a non-empty string", q + 1);
		bytes += strlen(json_string_value(v)) + 1; /* as strdup() copied: to a NUL */
	}
	size_t nptr = json_array_size(arr) + 1;
	char **v2 = malloc(nptr * sizeof(*v2) + bytes);
	if (v2 == NULL)
		return rerr_set(err, R_ENOMEM, file, 0, "out of memory");
	char *at = (char *)(v2 + nptr);
	json_array_foreach(arr, i, v)
	{
		size_t len = strlen(json_string_value(v)) + 1;
		memcpy(at, json_string_value(v), len);
		v2[i] = at;
		at += len;
	}
	v2[nptr - 1] = NULL;
	*out = v2;
	*n = nptr - 1;
	return R_OK;
}

static bool valid_date(const char *s)
{
	struct tm tm;
	int y, m, d;
	char extra;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3)
		return false;
	if (s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	time_t t = timegm(&tm);
	struct tm back;
	gmtime_r(&t, &back);
	return back.tm_mday == d && back.tm_mon == m - 1; /* 2026-02-30 is refused */
}

static enum rstatus load_policy(const struct catalog *cat, const char *path, struct policy *p,
				struct rerr *err)
{
	static const char *const keys[] = {
	    "name",    "description", "allow_countries", "deny_countries", "allow_providers",
	    "unknown", "global",      "special",	 "waivers",	   NULL};
	static const char *const wkeys[] = {"element", "reason", "expires", NULL};
	json_t *root = NULL;
	struct jsonpos *pos = NULL;
	struct buf b;
	enum rstatus rc;
	char *s = NULL;

	memset(p, 0, sizeof(*p));
	if ((p->file = strdup(path)) == NULL)
		return rerr_set(err, R_ENOMEM, path, 0, "out of memory");
	buf_init(&b, JSONPOS_MAX_BYTES);
	if ((rc = buf_read_file(&b, path, err)) != R_OK) {
		if (rc == R_EIO)
			rc = err->code = R_EINPUT;
		goto out;
	}
	if ((rc = jsonpos_loadb(b.data, b.len, path, &root, &pos, err)) != R_OK)
		goto out;
	p->text = buf_steal(&b, NULL);
	if (!json_is_object(root)) {
		rc = rerr_set(err, R_EINPUT, path, 1, "a policy is a JSON object");
		goto out;
	}
	if ((rc = only_keys(root, keys, path, pos, "", err)) != R_OK ||
	    (rc = get_str(root, "name", true, path, pos, "", &p->name, err)) != R_OK)
		goto out;
	if (strlen(p->name) > POLICY_MAX_NAME) {
		/* findings quote it: a longer one would cut their text */
		rc = rerr_set(err, R_EINPUT, path, jsonpos_line(pos, "/name"),
			      "a policy name is at most %d characters", POLICY_MAX_NAME);
		goto out;
	}
	if (json_object_get(root, "allow_countries")) {
		p->has_allow = true;
		if ((rc = country_list(cat, json_object_get(root, "allow_countries"), path, pos,
				       "/allow_countries", &p->allow, err)) != R_OK)
			goto out;
	}
	if (json_object_get(root, "deny_countries") &&
	    (rc = country_list(cat, json_object_get(root, "deny_countries"), path, pos,
			       "/deny_countries", &p->deny, err)) != R_OK)
		goto out;
	if ((rc = get_strs(root, "allow_providers", path, pos, "", &p->providers, &p->nproviders,
			   err)) != R_OK)
		goto out;
	static const char *const flags[] = {"unknown", "global"};
	for (int i = 0; i < 2; i++) {
		if ((rc = get_str(root, flags[i], false, path, pos, "", &s, err)) != R_OK)
			goto out;
		if (s && strcmp(s, "allow") != 0 && strcmp(s, "violation") != 0) {
			char ptr[32];
			snprintf(ptr, sizeof(ptr), "/%s", flags[i]);
			rc = rerr_set(
			    err, R_EINPUT, path, jsonpos_line(pos, ptr),
			    "\"%s\" must be \"violation\" (the default) or \"allow\", not \"%s\"",
			    flags[i], s);
			goto out;
		}
		bool allow = s && strcmp(s, "allow") == 0;
		if (i == 0)
			p->unknown_allow = allow;
		else
			p->global_allow = allow;
		free(s);
		s = NULL;
	}
	if ((rc = get_str(root, "special", false, path, pos, "", &s, err)) != R_OK)
		goto out;
	if (s == NULL || strcmp(s, "unknown") == 0) {
		p->special = SPECIAL_UNKNOWN;
	} else if (strcmp(s, "allow") == 0) {
		p->special = SPECIAL_ALLOW;
	} else if (strcmp(s, "deny") == 0) {
		p->special = SPECIAL_DENY;
	} else {
		rc = rerr_set(err, R_EINPUT, path, jsonpos_line(pos, "/special"),
			      "\"special\" must be \"unknown\" (the default), \"allow\" or "
			      "\"deny\", not \"%s\"",
			      s);
		goto out;
	}
	free(s);
	s = NULL;
	json_t *ws = json_object_get(root, "waivers"), *w;
	size_t i;
	if (ws && !json_is_array(ws)) {
		rc = rerr_set(err, R_EINPUT, path, jsonpos_line(pos, "/waivers"),
			      "\"waivers\" must be an array");
		goto out;
	}
	if (ws && (p->waivers = calloc(json_array_size(ws) + 1, sizeof(*p->waivers))) == NULL) {
		rc = rerr_set(err, R_ENOMEM, path, 0, "out of memory");
		goto out;
	}
	json_array_foreach(ws, i, w)
	{
		char wp[64];
		struct waiver *wv = &p->waivers[p->nwaivers];
		snprintf(wp, sizeof(wp), "/waivers/%zu", i);
		wv->line = jsonpos_line(pos, wp);
		if (!json_is_object(w)) {
			rc = rerr_set(err, R_EINPUT, path, wv->line, "a waiver is an object");
			goto out;
		}
		p->nwaivers++;
		if ((rc = only_keys(w, wkeys, path, pos, wp, err)) != R_OK ||
		    (rc = get_str(w, "element", true, path, pos, wp, &wv->element, err)) != R_OK ||
		    (rc = get_str(w, "reason", true, path, pos, wp, &wv->reason, err)) != R_OK ||
		    (rc = get_str(w, "expires", true, path, pos, wp, &s, err)) != R_OK)
			goto out;
		char ep[96];
		snprintf(ep, sizeof(ep), "%s/expires", wp);
		if (!valid_date(s)) {
			rc = rerr_set(err, R_EINPUT, path, jsonpos_line(pos, ep),
				      "\"expires\" must be a date YYYY-MM-DD, not \"%s\"", s);
			goto out;
		}
		memcpy(wv->expires, s, 11);
		free(s);
		s = NULL;
		/* Names are compared in canonical form: lower case, trailing dot. */
		size_t n = strlen(wv->element);
		for (size_t k = 0; k < n; k++)
			wv->element[k] = (char)tolower((unsigned char)wv->element[k]);
		if (n && wv->element[n - 1] == '.')
			wv->element[n - 1] = '\0';
	}
out:
	free(s);
	buf_free(&b);
	json_decref(root);
	jsonpos_free(pos);
	return rc;
}

static void policy_clear(struct policy *p)
{
	free(p->name);
	free(p->file);
	free(p->text);
	free(p->providers); /* one allocation (get_strs) */
	for (size_t i = 0; i < p->nwaivers; i++) {
		free(p->waivers[i].element);
		free(p->waivers[i].reason);
	}
	free(p->waivers);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum rstatus load_policies(struct estate *e, const struct catalog *cat, const char *dir,
				  struct rerr *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **files = NULL, path[4400];
	size_t nfiles = 0;
	enum rstatus rc = R_OK;

	if (d == NULL)
		return rerr_set(err, R_EINPUT, dir, 0, "cannot read the policies folder");
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0 || de->d_name[0] == '.')
			continue;
		char **v = realloc(files, (nfiles + 1) * sizeof(*v));
		if (v == NULL || (v[nfiles] = strdup(de->d_name)) == NULL) {
			files = v ? v : files;
			rc = rerr_set(err, R_ENOMEM, dir, 0, "out of memory");
			break;
		}
		files = v;
		nfiles++;
	}
	closedir(d);
	if (rc == R_OK && nfiles)
		qsort(files, nfiles, sizeof(*files), name_cmp); /* a stable order for evidence */
	if (rc == R_OK && (e->policies = calloc(nfiles + 1, sizeof(*e->policies))) == NULL)
		rc = rerr_set(err, R_ENOMEM, dir, 0, "out of memory");
	for (size_t i = 0; rc == R_OK && i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		rc = load_policy(cat, path, &e->policies[e->npolicies++], err);
		for (size_t k = 0; rc == R_OK && k + 1 < e->npolicies; k++)
			if (strcmp(e->policies[k].name, e->policies[e->npolicies - 1].name) == 0)
				rc = rerr_set(err, R_EINPUT, path, 0,
					      "policy \"%s\" is also defined in %s",
					      e->policies[k].name, e->policies[k].file);
	}
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return rc;
}

/*
 * The services' names, for "duplicate service": indices + 1 into e->v in an
 * open-addressing table (comparing each service with every earlier one took
 * minutes at 100,000 services).
 */
struct names {
	size_t *slot;
	size_t nslot, n;
};

/* Adds e->v[i]; *first is an earlier service of the same name, or NULL. */
static enum rstatus names_add(struct names *t, const struct estate *e, size_t i,
			      const struct service **first, struct rerr *err)
{
	*first = NULL;
	if (2 * (t->n + 1) > t->nslot) {
		size_t nslot = t->nslot ? 2 * t->nslot : 1024;
		size_t *slot = calloc(nslot, sizeof(*slot));
		if (slot == NULL)
			return rerr_set(err, R_ENOMEM, e->file, 0, "out of memory");
		for (size_t k = 0; k < t->nslot; k++) {
			if (t->slot[k] == 0)
				continue;
			size_t j = hash_str(e->v[t->slot[k] - 1].name) & (nslot - 1);
			while (slot[j])
				j = (j + 1) & (nslot - 1);
			slot[j] = t->slot[k];
		}
		free(t->slot);
		t->slot = slot;
		t->nslot = nslot;
	}
	size_t j = hash_str(e->v[i].name) & (t->nslot - 1);
	for (; t->slot[j]; j = (j + 1) & (t->nslot - 1))
		if (strcmp(e->v[t->slot[j] - 1].name, e->v[i].name) == 0) {
			*first = &e->v[t->slot[j] - 1];
			return R_OK;
		}
	t->slot[j] = i + 1;
	t->n++;
	return R_OK;
}

/*
 * Checks one service (s, at line; its values under sp in pos) and appends it
 * to e, which has room for it.
 */
static enum rstatus add_service(struct estate *e, struct names *names, const char *path, json_t *s,
				const struct jsonpos *pos, const char *sp, long line,
				struct rerr *err)
{
	static const char *const skeys[] = {"name",	    "owner",	   "policy", "endpoints",
					    "mail_domains", "description", NULL};
	struct service *sv = &e->v[e->n];
	const struct service *first;
	enum rstatus rc;

	sv->line = line;
	if (!json_is_object(s))
		return rerr_set(err, R_EINPUT, path, sv->line, "a service is a JSON object");
	e->n++;
	if ((rc = only_keys(s, skeys, path, pos, sp, err)) != R_OK ||
	    (rc = get_str(s, "name", true, path, pos, sp, &sv->name, err)) != R_OK ||
	    (rc = get_str(s, "owner", false, path, pos, sp, &sv->owner, err)) != R_OK ||
	    (rc = get_str(s, "policy", true, path, pos, sp, &sv->policy, err)) != R_OK ||
	    (rc = get_strs(s, "endpoints", path, pos, sp, &sv->endpoints, &sv->nendpoints, err)) !=
		R_OK ||
	    (rc = get_strs(s, "mail_domains", path, pos, sp, &sv->mail_domains, &sv->nmail, err)) !=
		R_OK)
		return rc;
	if (sv->nendpoints + sv->nmail == 0)
		return rerr_set(err, R_EINPUT, path, sv->line,
				"service \"%s\" has no endpoints and no mail domains: nothing "
				"to check",
				sv->name);
	if ((rc = names_add(names, e, e->n - 1, &first, err)) != R_OK)
		return rc;
	if (first) {
		char np[96];
		snprintf(np, sizeof(np), "%s/name", sp);
		return rerr_set(err, R_EINPUT, path, jsonpos_line(pos, np),
				"duplicate service \"%s\" (first at line %ld)", sv->name,
				first->line);
	}
	if (estate_policy(e, sv->policy) == NULL) {
		char pp[96];
		snprintf(pp, sizeof(pp), "%s/policy", sp);
		return rerr_set(err, R_EINPUT, path, jsonpos_line(pos, pp),
				"service \"%s\" names policy \"%s\", which no file in the "
				"policies folder defines",
				sv->name, sv->policy);
	}
	return R_OK;
}

/* The estate as one parsed document: any estate, and the errors of any. */
static enum rstatus services_tree(struct estate *e, struct names *names, const char *path,
				  const char *data, size_t len, struct rerr *err)
{
	static const char *const keys[] = {"services", "description", NULL};
	json_t *root = NULL, *arr, *s;
	struct jsonpos *pos = NULL;
	enum rstatus rc;
	size_t i;

	if ((rc = jsonpos_loadb_at(data, len, path, POLICY_MAX_ESTATE_BYTES, 1, &root, &pos,
				   err)) != R_OK)
		return rc;
	if (!json_is_object(root)) {
		rc = rerr_set(err, R_EINPUT, path, 1,
			      "an estate is a JSON object with \"services\"");
		goto out;
	}
	if ((rc = only_keys(root, keys, path, pos, "", err)) != R_OK)
		goto out;
	arr = json_object_get(root, "services");
	if (!json_is_array(arr)) {
		rc = rerr_set(err, R_EINPUT, path, jsonpos_line(pos, "/services"),
			      "\"services\" must be an array");
		goto out;
	}
	if (json_array_size(arr) > POLICY_MAX_SERVICES) {
		rc = rerr_set(err, R_ELIMIT, path, 0, "more than %u services", POLICY_MAX_SERVICES);
		goto out;
	}
	if ((e->v = calloc(json_array_size(arr) + 1, sizeof(*e->v))) == NULL) {
		rc = rerr_set(err, R_ENOMEM, path, 0, "out of memory");
		goto out;
	}
	e->vcap = json_array_size(arr) + 1;
	json_array_foreach(arr, i, s)
	{
		char sp[64];
		snprintf(sp, sizeof(sp), "/services/%zu", i);
		if ((rc = add_service(e, names, path, s, pos, sp, jsonpos_line(pos, sp), err)) !=
		    R_OK)
			goto out;
	}
out:
	json_decref(root);
	jsonpos_free(pos);
	return rc;
}

/*
 * The estate a service at a time: the text between the services is read here,
 * each service (and each other value) is parsed by jansson alone and freed
 * before the next, so that a million endpoints never make a million-node
 * tree. Anything unusual (a syntax or a content error, a key escaped, deep
 * nesting) returns R_EINPUT without a message worth showing: the caller then
 * reads the estate as one document, which names the error as it always did.
 */
struct cursor {
	const char *s, *end;
	long line;
};

static bool cur_at(const struct cursor *c, char ch)
{
	return c->s < c->end && *c->s == ch;
}

static void cur_ws(struct cursor *c)
{
	for (; c->s < c->end; c->s++) {
		if (*c->s == '\n')
			c->line++;
		else if (*c->s != ' ' && *c->s != '\t' && *c->s != '\r')
			break;
	}
}

/* Past one string token; false when it does not end. */
static bool cur_string(struct cursor *c)
{
	for (c->s++; c->s < c->end && *c->s != '"'; c->s++) {
		if (*c->s == '\\')
			c->s++;
		else if (*c->s == '\n')
			c->line++;
	}
	if (c->s >= c->end)
		return false;
	c->s++;
	return true;
}

/* Deeper than this (jansson's own bound is 2048) is left to the whole-document reader. */
#define STREAM_MAX_DEPTH 512

/* Past one value, counting lines, without judging it (jansson does). */
static bool cur_value(struct cursor *c)
{
	int depth = 0;
	const char *start = c->s;

	if (cur_at(c, '"'))
		return cur_string(c);
	if (!cur_at(c, '{') && !cur_at(c, '[')) {
		while (c->s < c->end && *c->s != ',' && *c->s != ']' && *c->s != '}' &&
		       *c->s != ' ' && *c->s != '\t' && *c->s != '\r' && *c->s != '\n')
			c->s++;
		return c->s > start;
	}
	while (c->s < c->end) {
		char ch = *c->s;
		if (ch == '"') {
			if (!cur_string(c))
				return false;
			continue;
		}
		if (ch == '\n')
			c->line++;
		else if (ch == '{' || ch == '[') {
			if (++depth > STREAM_MAX_DEPTH)
				return false;
		} else if ((ch == '}' || ch == ']') && --depth == 0) {
			c->s++;
			return true;
		}
		c->s++;
	}
	return false;
}

/* Not the usual shape: the caller reads the estate as one document. */
static enum rstatus unusual(const char *path, struct cursor *c, struct rerr *err)
{
	return rerr_set(err, R_EINPUT, path, c->line, "not an estate of the usual shape");
}

/*
 * One walk over the estate. Without e, only counts the services (*count) and
 * checks the text between them: nothing is allocated, so that the bound on
 * services is said before a million of them are read. With e (sized for
 * *count), reads each service into it.
 */
static enum rstatus services_walk(struct estate *e, struct names *names, const char *path,
				  const char *data, size_t len, size_t *count, struct rerr *err)
{
	struct cursor c = {data, data + len, 1};
	bool seen[2] = {false, false}; /* "services", "description" */
	enum rstatus rc;

	cur_ws(&c);
	if (!cur_at(&c, '{'))
		return unusual(path, &c, err);
	c.s++;
	for (;;) {
		cur_ws(&c);
		const char *k = c.s;
		if (!cur_at(&c, '"') || !cur_string(&c))
			return unusual(path, &c, err);
		json_t *key = json_loadb(k, (size_t)(c.s - k), JSON_DECODE_ANY, NULL);
		const char *ks = json_string_value(key);
		int which = -1;
		if (ks && strcmp(ks, "services") == 0)
			which = 0;
		else if (ks && strcmp(ks, "description") == 0)
			which = 1;
		json_decref(key);
		if (which < 0 || seen[which])
			return unusual(path, &c, err);
		seen[which] = true;
		cur_ws(&c);
		if (!cur_at(&c, ':'))
			return unusual(path, &c, err);
		c.s++;
		cur_ws(&c);
		if (which == 0) {
			if (!cur_at(&c, '['))
				return unusual(path, &c, err);
			c.s++;
			cur_ws(&c);
			for (size_t i = 0; !cur_at(&c, ']'); i++) {
				const char *v = c.s;
				long line = c.line;
				if (i >= POLICY_MAX_SERVICES)
					return rerr_set(err, R_ELIMIT, path, 0,
							"more than %u services",
							POLICY_MAX_SERVICES);
				if (!cur_value(&c))
					return unusual(path, &c, err);
				if (e == NULL) {
					*count = i + 1;
				} else {
					json_t *s = NULL;
					struct jsonpos *pos = NULL;
					if (i >= *count) /* never: the text did not change */
						return unusual(path, &c, err);
					if ((rc = jsonpos_loadb_at(v, (size_t)(c.s - v), path,
								   SIZE_MAX, line, &s, &pos,
								   err)) != R_OK)
						return rc;
					rc = add_service(e, names, path, s, pos, "", line, err);
					json_decref(s);
					jsonpos_free(pos);
					if (rc != R_OK)
						return rc;
				}
				cur_ws(&c);
				if (cur_at(&c, ']'))
					break;
				if (!cur_at(&c, ','))
					return unusual(path, &c, err);
				c.s++; /* a value must follow: no trailing comma */
				cur_ws(&c);
				if (cur_at(&c, ']'))
					return unusual(path, &c, err);
			}
			c.s++;
		} else {
			const char *v = c.s;
			if (!cur_value(&c))
				return unusual(path, &c, err);
			if (e) { /* checked once */
				json_t *d =
				    json_loadb(v, (size_t)(c.s - v),
					       JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
				if (d == NULL)
					return unusual(path, &c, err);
				json_decref(d);
			}
		}
		cur_ws(&c);
		if (cur_at(&c, '}'))
			break;
		if (!cur_at(&c, ','))
			return unusual(path, &c, err);
		c.s++;
	}
	c.s++;
	cur_ws(&c);
	if (c.s != c.end || !seen[0])
		return unusual(path, &c, err);
	return R_OK;
}

static enum rstatus services_stream(struct estate *e, struct names *names, const char *path,
				    const char *data, size_t len, struct rerr *err)
{
	size_t count = 0;
	enum rstatus rc = services_walk(NULL, NULL, path, data, len, &count, err);

	if (rc != R_OK)
		return rc;
	if ((e->v = calloc(count + 1, sizeof(*e->v))) == NULL)
		return rerr_set(err, R_ENOMEM, path, 0, "out of memory");
	e->vcap = count + 1;
	return services_walk(e, names, path, data, len, &count, err);
}

static void services_clear(struct estate *e)
{
	for (size_t i = 0; i < e->n; i++) {
		struct service *s = &e->v[i];
		free(s->name);
		free(s->owner);
		free(s->policy);
		free(s->endpoints); /* one allocation each (get_strs) */
		free(s->mail_domains);
	}
	free(e->v);
	e->v = NULL;
	e->n = e->vcap = 0;
}

/*
 * Reads the services: a service at a time when the estate has the usual shape
 * (the common case, and the only one that stays small at a million endpoints),
 * else, and for the message of any error in its content, as one document.
 */
static enum rstatus load_services(struct estate *e, const char *path, struct rerr *err)
{
	struct names names = {NULL, 0, 0};
	struct buf b;
	enum rstatus rc;

	buf_init(&b, POLICY_MAX_ESTATE_BYTES);
	if ((rc = buf_read_file(&b, path, err)) != R_OK) {
		if (rc == R_EIO)
			rc = err->code = R_EINPUT; /* a file the user named and cannot be read */
		goto out;
	}
	if (memchr(b.data, '\0', b.len) == NULL)
		rc = services_stream(e, &names, path, b.data, b.len, err);
	else
		rc = R_EINPUT; /* jsonpos names the line of the NUL */
	if (rc == R_EINPUT) {  /* a bound hit or memory out is said as it is */
		struct rerr first = *err;
		services_clear(e);
		names.n = 0;
		if (names.slot)
			memset(names.slot, 0, names.nslot * sizeof(*names.slot));
		rc = services_tree(e, &names, path, b.data, b.len, err);
		if (rc == R_OK) { /* never: the two readers disagree; refuse, as the first did */
			services_clear(e);
			*err = first;
			rc = first.code;
		}
	}
	if (rc == R_OK && (e->text = buf_steal(&b, NULL)) == NULL)
		rc = rerr_set(err, R_ENOMEM, path, 0, "out of memory");
out:
	free(names.slot);
	buf_free(&b);
	return rc;
}

enum rstatus estate_load_policies(const char *label, const char *policies_dir, struct estate **out,
				  struct rerr *err)
{
	struct catalog cat;
	struct estate *e = calloc(1, sizeof(*e));
	char dir[4096];
	enum rstatus rc;

	*out = NULL;
	memset(&cat, 0, sizeof(cat));
	if (e == NULL || (e->file = strdup(label)) == NULL) {
		free(e);
		return rerr_set(err, R_ENOMEM, label, 0, "out of memory");
	}
	if (policies_dir == NULL)
		policies_dir = paths_data("policies", dir, sizeof(dir));
	if ((rc = load_countries(&cat, err)) != R_OK || (rc = load_groups(&cat, err)) != R_OK ||
	    (rc = load_policies(e, &cat, policies_dir, err)) != R_OK) {
		estate_free(e);
		e = NULL;
	}
	free(cat.groups);
	*out = e;
	return rc;
}

enum rstatus estate_load(const char *estate_file, const char *policies_dir, struct estate **out,
			 struct rerr *err)
{
	enum rstatus rc = estate_load_policies(estate_file, policies_dir, out, err);

	if (rc == R_OK && (rc = load_services(*out, estate_file, err)) != R_OK) {
		estate_free(*out);
		*out = NULL;
	}
	return rc;
}

enum rstatus estate_add_service(struct estate *e, const char *name, const char *owner,
				const char *policy, struct rerr *err)
{
	if (e->n >= POLICY_MAX_SERVICES)
		return rerr_set(err, R_ELIMIT, e->file, 0, "more than %u services",
				POLICY_MAX_SERVICES);
	if (e->n == e->vcap) {
		size_t cap = e->vcap ? 2 * e->vcap : 16;
		struct service *v = realloc(e->v, cap * sizeof(*v));
		if (v == NULL)
			return rerr_set(err, R_ENOMEM, e->file, 0, "out of memory");
		e->v = v;
		e->vcap = cap;
	}
	struct service *s = &e->v[e->n];
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	s->owner = owner ? strdup(owner) : NULL;
	s->policy = strdup(policy);
	e->n++; /* counted before the check, so estate_free() frees what was copied */
	if (s->name == NULL || (owner && s->owner == NULL) || s->policy == NULL)
		return rerr_set(err, R_ENOMEM, e->file, 0, "out of memory");
	return R_OK;
}

void estate_free(struct estate *e)
{
	if (e == NULL)
		return;
	services_clear(e);
	for (size_t i = 0; i < e->npolicies; i++)
		policy_clear(&e->policies[i]);
	free(e->policies);
	free(e->file);
	free(e->text);
	free(e);
}

const struct policy *estate_policy(const struct estate *e, const char *name)
{
	for (size_t i = 0; i < e->npolicies; i++)
		if (e->policies[i].name && strcmp(e->policies[i].name, name) == 0)
			return &e->policies[i];
	return NULL;
}
