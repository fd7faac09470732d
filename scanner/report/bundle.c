/*
 * bundle: the derived files of an evidence bundle, written or hashed from its
 * records. See bundle.h.
 */
#include "report/bundle.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void bundle_sink_write(struct bundle_sink *s, const char *data, size_t n)
{
	if (s->f)
		fwrite(data, 1, n, s->f);
	if (s->md)
		EVP_DigestUpdate(s->md, data, n);
}

void bundle_sink_hex(struct bundle_sink *s, char out[DIGEST_HEXLEN])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	EVP_DigestFinal_ex(s->md, md, &n);
	digest_hex(md, out); /* SHA-256: DIGEST_LEN bytes */
}

bool bundle_mkdirs(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
				return false;
			*p = '/';
		}
	return mkdir(tmp, 0755) == 0 || errno == EEXIST;
}

/* A document's file name in the bundle: documents/KIND/BASENAME, kept to safe characters. */
static void doc_path(const char *kind, const char *name, char *out, size_t size)
{
	const char *base = strrchr(name, '/');
	char safe[256];
	size_t k = 0;
	base = base ? base + 1 : name;
	for (const char *p = base; *p && k < sizeof(safe) - 1; p++)
		safe[k++] = (strchr("/\\", *p) || (unsigned char)*p < 32) ? '_' : *p;
	safe[k] = '\0';
	if (k == 0 || strcmp(safe, ".") == 0 || strcmp(safe, "..") == 0)
		snprintf(safe, sizeof(safe), "unnamed");
	snprintf(out, size, "documents/%s/%s", kind, safe);
}

enum rstatus bundle_take(struct bundle *b, const char *type, size_t n, const char *const *f,
			 struct bundle_sink *records, struct rerr *err)
{
	const struct record_type *t = records_type(type);
	if (t == NULL ||
	    (n != records_ncols(t) && !(t->last_optional && n + 1 == records_ncols(t))))
		return rerr_set(err, R_EINPUT, "records.jsonl", (long)b->records + 1,
				"a record of unknown type \"%s\" or with %zu fields", type, n);
	b->records++;
	digest_record(b->dg, type, n, f);
	if (strcmp(type, "scan") == 0) {
		if (b->records != 1)
			return rerr_set(err, R_EINPUT, "records.jsonl", (long)b->records,
					"a second scan record");
		b->scan_id = f[0] ? strtoll(f[0], NULL, 10) : -1;
	}
	if (records) {
		json_t *a = json_array();
		json_array_append_new(a, json_string(type));
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, f[i] ? json_string(f[i]) : json_null());
		char *line = json_dumps(a, JSON_COMPACT);
		json_decref(a);
		if (line == NULL)
			return rerr_set(err, R_EINPUT, NULL, 0, "a %s record is not valid UTF-8",
					type);
		bundle_sink_write(records, line, strlen(line));
		bundle_sink_write(records, "\n", 1);
		free(line);
	}
	struct bundle_sink *s = &b->sinks[t - record_types];
	s->n++;
	json_t *o = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, t->cols[i], f[i] ? json_string(f[i]) : json_null());
	char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (line) {
		bundle_sink_write(s, line, strlen(line));
		bundle_sink_write(s, "\n", 1);
		free(line);
	}
	if (strcmp(type, "document") == 0 && f[0] && f[1] && f[3]) {
		char rel[512], full[4096];
		doc_path(f[0], f[1], rel, sizeof(rel));
		if (b->verify) {
			char hex[DIGEST_HEXLEN];
			digest_sha256_hex(f[3], strlen(f[3]), hex);
			json_object_set_new(b->docs, rel, json_string(hex));
		} else {
			snprintf(full, sizeof(full), "%s/%s", b->dir, rel);
			char *slash = strrchr(full, '/');
			*slash = '\0';
			FILE *df = bundle_mkdirs(full) ? (*slash = '/', fopen(full, "wbx")) : NULL;
			if (df == NULL)
				return rerr_set(err, R_EIO, full, 0, "cannot write: %s",
						errno == EEXIST ? "two documents of one name"
								: strerror(errno));
			fwrite(f[3], 1, strlen(f[3]), df);
			if (fclose(df) != 0)
				return rerr_set(err, R_EIO, full, 0, "cannot write");
		}
	}
	return R_OK;
}

void bundle_list_files(const char *dir, const char *rel, json_t *out)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s%s%s", dir, *rel ? "/" : "", rel);
	DIR *d = opendir(path);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char sub[4096], full[8192];
		struct stat st;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		snprintf(full, sizeof(full), "%s/%s", dir, sub);
		if (lstat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			bundle_list_files(dir, sub, out);
		else
			json_array_append_new(out, json_string(sub));
	}
	closedir(d);
}

int bundle_cmp_snapshot(const void *a, const void *b)
{
	const char *x = strrchr(*(const char *const *)a, '/'),
		   *y = strrchr(*(const char *const *)b, '/');
	long nx = x ? strtol(x + 1, NULL, 10) : 0, ny = y ? strtol(y + 1, NULL, 10) : 0;
	return nx < ny ? -1 : nx > ny;
}
