/*
 * snapshot: the last-good cache of range files.
 */
#include "ranges/snapshot.h"
#include "core/digest.h"
#include "core/log.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *snapshot_cache_dir(char *buf, size_t len)
{
	const char *e = getenv("RESIDENCY_CACHE"), *x = getenv("XDG_CACHE_HOME"),
		   *h = getenv("HOME");

	if (e && *e)
		snprintf(buf, len, "%s", e);
	else if (x && *x)
		snprintf(buf, len, "%s/residency", x);
	else
		snprintf(buf, len, "%s/.cache/residency", h && *h ? h : "/tmp");
	return buf;
}

static enum rstatus mkdirs(const char *path, struct rerr *err)
{
	char tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
				return rerr_set(err, R_EIO, tmp, 0, "cannot create: %s",
						strerror(errno));
			*p = '/';
		}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
		return rerr_set(err, R_EIO, tmp, 0, "cannot create: %s", strerror(errno));
	return R_OK;
}

enum rstatus snapshot_load(const char *cache, const char *provider, struct snapshot_meta *meta,
			   struct range_set *set, struct rerr *err)
{
	char path[4096];
	json_error_t je;
	json_t *root;

	memset(meta, 0, sizeof(*meta));
	snprintf(path, sizeof(path), "%s/%s/meta.json", cache, provider);
	if ((root = json_load_file(path, 0, &je)) == NULL) {
		if (errno == ENOENT || strstr(je.text, "unable to open"))
			return rerr_set(err, R_EIO, path, 0,
					"no snapshot of %s yet: run 'residency ranges fetch'",
					provider);
		return rerr_set(err, R_EINPUT, path, je.line, "%s", je.text);
	}
	json_t *files = json_object_get(root, "files"), *f;
	size_t i;
	snprintf(meta->provider, sizeof(meta->provider), "%s", provider);
	meta->fetched_at = (time_t)json_integer_value(json_object_get(root, "fetched_at"));
	meta->checked_at = (time_t)json_integer_value(json_object_get(root, "checked_at"));
	snprintf(meta->sha256, sizeof(meta->sha256), "%s",
		 json_string_value(json_object_get(root, "sha256")) ?: "");
	snprintf(meta->version, sizeof(meta->version), "%s",
		 json_string_value(json_object_get(root, "version")) ?: "");
	meta->count = (size_t)json_integer_value(json_object_get(root, "count"));
	meta->invalid = (size_t)json_integer_value(json_object_get(root, "invalid"));
	json_array_foreach(files, i, f)
	{
		if (i >= SNAPSHOT_MAX_FILES) {
			/* written by us with at most that many: a cache not to trust */
			json_decref(root);
			return rerr_set(err, R_EINPUT, path, 0, "more than %d files",
					SNAPSHOT_MAX_FILES);
		}
		struct snapshot_file *sf = &meta->files[meta->nfiles++];
		const char *u = json_string_value(json_object_get(f, "url")) ?: "";
		if (strlen(u) >= sizeof(sf->url)) {
			json_decref(root);
			return rerr_set(err, R_EINPUT, path, 0, "a URL over %zu bytes",
					sizeof(sf->url) - 1);
		}
		snprintf(sf->url, sizeof(sf->url), "%s", u);
		snprintf(sf->etag, sizeof(sf->etag), "%s",
			 json_string_value(json_object_get(f, "etag")) ?: "");
		snprintf(sf->last_modified, sizeof(sf->last_modified), "%s",
			 json_string_value(json_object_get(f, "last_modified")) ?: "");
	}
	json_decref(root);
	if (set == NULL)
		return R_OK;
	range_set_init(set, provider);
	for (size_t k = 0; k < meta->nfiles; k++) {
		enum rstatus rc;
		snprintf(path, sizeof(path), "%s/%s/file.%zu", cache, provider, k);
		if ((rc = ranges_load_file(provider, path, set, err)) != R_OK)
			return rc;
	}
	ranges_dedupe(set); /* as when it was accepted: count is the deduped count */
	return R_OK;
}

static enum rstatus write_atomic(const char *path, const void *data, size_t len, struct rerr *err)
{
	char tmp[4200];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "wb")) == NULL)
		return rerr_set(err, R_EIO, tmp, 0, "cannot write: %s", strerror(errno));
	size_t w = fwrite(data, 1, len, f);
	if (fclose(f) != 0 || w != len || rename(tmp, path) != 0) {
		remove(tmp);
		return rerr_set(err, R_EIO, path, 0, "cannot write: %s", strerror(errno));
	}
	return R_OK;
}

static enum rstatus save_meta(const char *cache, const struct snapshot_meta *m, struct rerr *err)
{
	char path[4096];
	json_t *root = json_object(), *files = json_array();

	for (size_t i = 0; i < m->nfiles; i++)
		json_array_append_new(files, json_pack("{s:s, s:s, s:s}", "url", m->files[i].url,
						       "etag", m->files[i].etag, "last_modified",
						       m->files[i].last_modified));
	json_object_set_new(root, "provider", json_string(m->provider));
	json_object_set_new(root, "fetched_at", json_integer((json_int_t)m->fetched_at));
	json_object_set_new(root, "checked_at", json_integer((json_int_t)m->checked_at));
	json_object_set_new(root, "sha256", json_string(m->sha256));
	json_object_set_new(root, "version", json_string(m->version));
	json_object_set_new(root, "count", json_integer((json_int_t)m->count));
	json_object_set_new(root, "invalid", json_integer((json_int_t)m->invalid));
	json_object_set_new(root, "files", files);
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (text == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	snprintf(path, sizeof(path), "%s/%s/meta.json", cache, m->provider);
	enum rstatus rc = write_atomic(path, text, strlen(text), err);
	free(text);
	return rc;
}

static enum rstatus keep(const char *cache, const char *provider, struct refresh_result *res,
			 enum rstatus rc, struct rerr *err)
{
	struct rerr ignore;
	struct snapshot_meta last;

	if (snapshot_load(cache, provider, &last, NULL, &ignore) == R_OK) {
		char when[32];
		struct tm tm;
		gmtime_r(&last.fetched_at, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
		res->kept_last_good = true;
		res->meta = last;
		rerr_prefix(err, "keeping the last good snapshot of %s (fetched %s, %zu prefixes)",
			    provider, when, last.count);
	}
	return rc;
}

void snapshot_sha256(const struct buf *const *files, size_t n, char out[65])
{
	/* One file: what `sha256sum` says of it. */
	if (n == 1) {
		digest_sha256_hex(files[0]->data, files[0]->len, out);
		return;
	}
	struct digest *dg = digest_new();
	uint8_t md[DIGEST_LEN];
	if (dg == NULL) {
		snprintf(out, 65, "unavailable");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *f[1] = {files[i]->data ? files[i]->data : ""};
		digest_record(dg, "file", 1, f);
	}
	digest_final(dg, md);
	digest_hex(md, out);
	digest_free(dg);
}

enum rstatus snapshot_refresh(const char *cache, const char *provider, const char *const *urls,
			      size_t nurls, const struct fetch_opts *opts, bool force,
			      struct refresh_result *res, struct rerr *err)
{
	struct snapshot_meta old, neu;
	struct fetch_result fr[SNAPSHOT_MAX_FILES];
	struct range_set set;
	struct rerr ignore;
	char dir[4096], path[4200];
	enum rstatus rc = R_OK;
	bool have_old, same_urls, all_304 = true;
	size_t fetched = 0;

	memset(res, 0, sizeof(*res));
	memset(fr, 0, sizeof(fr));
	range_set_init(&set, provider);
	if (nurls == 0 || nurls > SNAPSHOT_MAX_FILES)
		return rerr_set(err, R_EUSAGE, provider, 0, "a provider has 1 to %d files",
				SNAPSHOT_MAX_FILES);
	for (size_t i = 0; i < nurls; i++)
		if (strlen(urls[i]) >= SNAPSHOT_URL_MAX)
			/* the snapshot's evidence keeps the URL whole, or not at all */
			return rerr_set(err, R_EUSAGE, urls[i], 0,
					"a range URL is at most %zu bytes",
					(size_t)SNAPSHOT_URL_MAX - 1);
	snprintf(dir, sizeof(dir), "%s/%s", cache, provider);
	if ((rc = mkdirs(dir, err)) != R_OK)
		return rc;
	have_old = snapshot_load(cache, provider, &old, NULL, &ignore) == R_OK;
	same_urls = have_old && old.nfiles == nurls;
	for (size_t i = 0; same_urls && i < nurls; i++)
		same_urls = strcmp(old.files[i].url, urls[i]) == 0;

	memset(&neu, 0, sizeof(neu));
	snprintf(neu.provider, sizeof(neu.provider), "%s", provider);
	neu.nfiles = nurls;
	for (size_t i = 0; i < nurls; i++) {
		const struct snapshot_file *of = same_urls ? &old.files[i] : NULL;
		rc = fetch_url(opts, urls[i], of ? of->etag : NULL, of ? of->last_modified : NULL,
			       &fr[i], err);
		fetched = i + 1;
		res->tries += fr[i].tries;
		if (rc != R_OK) {
			rc = keep(cache, provider, res, rc, err);
			goto out;
		}
		if (fr[i].not_modified && of == NULL) {
			rc = keep(cache, provider, res,
				  rerr_set(err, R_ENET, urls[i], 0,
					   "the server answered 304 Not Modified to an "
					   "unconditional request"),
				  err);
			goto out;
		}
		all_304 &= fr[i].not_modified;
		snprintf(neu.files[i].url, sizeof(neu.files[i].url), "%s", urls[i]);
		snprintf(neu.files[i].etag, sizeof(neu.files[i].etag), "%s",
			 fr[i].not_modified ? of->etag : fr[i].etag);
		snprintf(neu.files[i].last_modified, sizeof(neu.files[i].last_modified), "%s",
			 fr[i].not_modified ? of->last_modified : fr[i].last_modified);
	}
	if (all_304) {
		/* Nothing changed: the source confirmed what we hold. */
		old.checked_at = time(NULL);
		res->meta = old;
		rc = save_meta(cache, &old, err);
		goto out;
	}
	/* Parse every file: the new bytes, or the cached ones a 304 confirmed. */
	for (size_t i = 0; i < nurls && rc == R_OK; i++) {
		if (fr[i].not_modified) {
			snprintf(path, sizeof(path), "%s/file.%zu", dir, i);
			buf_init(&fr[i].body, RANGES_MAX_BYTES);
			rc = buf_read_file(&fr[i].body, path, err);
		}
		if (rc == R_OK)
			rc = ranges_parse(provider, fr[i].body.data, fr[i].body.len, urls[i], &set,
					  err);
	}
	if (rc == R_OK)
		rc = ranges_sanity(&set, urls[0], err);
	if (rc == R_OK && have_old && !force && old.count > 0 &&
	    (double)set.n < (1.0 - SNAPSHOT_MAX_SHRINK) * (double)old.count)
		rc = rerr_set(err, R_EINPUT, urls[0], 0,
			      "the new file has %zu prefixes, %.0f%% fewer than the last good "
			      "snapshot's %zu (more than %.0f%% is refused; --force accepts it)",
			      set.n, 100.0 * (1.0 - (double)set.n / (double)old.count), old.count,
			      100.0 * SNAPSHOT_MAX_SHRINK);
	if (rc == R_OK && have_old && !force) {
		/* Growth of the claimed space, against the last good snapshot's. */
		struct range_set oldset;
		struct snapshot_meta om;
		range_set_init(&oldset, provider);
		if (snapshot_load(cache, provider, &om, &oldset, &ignore) == R_OK)
			rc = ranges_growth(&oldset, &set, urls[0], err);
		range_set_free(&oldset);
	}
	if (rc != R_OK) {
		rc = keep(cache, provider, res, rc, err);
		goto out;
	}
	const struct buf *bodies[SNAPSHOT_MAX_FILES];
	for (size_t i = 0; i < nurls; i++)
		bodies[i] = &fr[i].body;
	snapshot_sha256(bodies, nurls, neu.sha256);
	neu.count = set.n;
	neu.invalid = set.invalid;
	snprintf(neu.version, sizeof(neu.version), "%s", set.version);
	neu.fetched_at = neu.checked_at = time(NULL);
	for (size_t i = 0; i < nurls && rc == R_OK; i++) {
		snprintf(path, sizeof(path), "%s/file.%zu", dir, i);
		rc = write_atomic(path, fr[i].body.data, fr[i].body.len, err);
	}
	if (rc == R_OK)
		rc = save_meta(cache, &neu, err);
	if (rc == R_OK) {
		res->changed = true;
		res->meta = neu;
	}
out:
	for (size_t i = 0; i < fetched; i++)
		buf_free(&fr[i].body);
	range_set_free(&set);
	return rc;
}
