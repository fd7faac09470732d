/*
 * tablecache: the built prefix table on disk (see tablecache.h).
 */
#include "attrib/tablecache.h"
#include "attrib/cachefile.h"
#include "core/digest.h"
#include "core/paths.h"
#include "ranges/ranges.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TABLE_MAGIC "residency-attrib-table-v1"
#define TABLE_ORDER 0x01020304u
#define TABLE_MAX_BYTES ((size_t)1 << 30)

struct file_set {
	char name[32];
	char version[128];
	uint64_t records;
	uint32_t geofeed;
	uint32_t pad;
};

struct file_header {
	char magic[32];
	char key[72];
	uint32_t order;
	uint32_t nsets;
	struct file_set sets[TABLECACHE_MAX_SETS];
	uint64_t block_len;
};
_Static_assert(sizeof(struct file_header) % 8 == 0, "the block after the header is aligned");

bool tablecache_key(char key[TABLECACHE_KEYLEN])
{
	char self[PATH_MAX], stamp[128] = "", rel[256], path[4096];
	struct digest *d = digest_new();
	uint8_t md[DIGEST_LEN];
	bool ok = d != NULL;

	/* The binary that builds the table: a new build may build it differently. */
	if (*cachefile_self(self, sizeof(self)))
		cachefile_stamp(self, stamp, sizeof(stamp));
	const char *head[3] = {TABLE_MAGIC, self, stamp};
	if (ok)
		digest_record(d, "table", 3, head);
	for (const struct range_provider *p = range_providers; ok && p->name; p++)
		for (int i = 0; ok && i < 3 && p->files[i]; i++) {
			snprintf(rel, sizeof(rel), "data/ranges/%s", p->files[i]);
			ok = cachefile_stamp(paths_data(rel, path, sizeof(path)), stamp,
					     sizeof(stamp));
			const char *f[3] = {p->name, p->files[i], stamp};
			digest_record(d, "file", 3, f);
		}
	if (ok) {
		digest_final(d, md);
		digest_hex(md, key);
	}
	digest_free(d);
	return ok;
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

bool tablecache_parse(const void *data, size_t len, const char *key, struct prefixes **table,
		      struct tablecache_set *sets, size_t nsets)
{
	const struct file_header *h = data;
	size_t nprov = 0, i = 0;

	*table = NULL;
	for (const struct range_provider *p = range_providers; p->name; p++)
		nprov++;
	if (data == NULL || (uintptr_t)data % 8 != 0 || len < sizeof(*h) || nprov > nsets ||
	    nprov > TABLECACHE_MAX_SETS)
		return false;
	if (memcmp(h->magic, TABLE_MAGIC, sizeof(TABLE_MAGIC)) != 0 || h->order != TABLE_ORDER ||
	    !terminated(h->key, sizeof(h->key)) || (key && strcmp(h->key, key) != 0) ||
	    h->nsets != nprov || h->block_len != len - sizeof(*h))
		return false;
	for (const struct range_provider *p = range_providers; p->name; p++, i++) {
		const struct file_set *s = &h->sets[i];
		if (!terminated(s->name, sizeof(s->name)) || strcmp(s->name, p->name) != 0 ||
		    !terminated(s->version, sizeof(s->version)) ||
		    s->records > RANGES_MAX_RECORDS || s->geofeed > 1)
			return false;
		snprintf(sets[i].name, sizeof(sets[i].name), "%s", s->name);
		snprintf(sets[i].version, sizeof(sets[i].version), "%s", s->version);
		sets[i].records = s->records;
		sets[i].geofeed = s->geofeed != 0;
	}
	return prefixes_from_bytes((const char *)data + sizeof(*h), len - sizeof(*h), table);
}

static void file_name(const char *cache_dir, char *buf, size_t len)
{
	char self[PATH_MAX], tag[17];

	cachefile_tag(cachefile_self(self, sizeof(self)), tag);
	snprintf(buf, len, "%s/parsed/table-%s.bin", cache_dir, tag);
}

bool tablecache_load(const char *cache_dir, const char *key, struct prefixes **table,
		     struct tablecache_set *sets, size_t nsets, const void **map, size_t *maplen)
{
	char file[4200];

	file_name(cache_dir, file, sizeof(file));
	if (!cachefile_map(file, TABLE_MAX_BYTES, map, maplen))
		return false;
	if (tablecache_parse(*map, *maplen, key, table, sets, nsets))
		return true;
	cachefile_unmap(*map, *maplen);
	*map = NULL;
	*maplen = 0;
	return false;
}

void tablecache_save(const char *cache_dir, const char *key, const struct prefixes *table,
		     const struct tablecache_set *sets, size_t nsets)
{
	struct file_header h;
	const void *block;
	size_t blen;
	char file[4200];

	if (nsets > TABLECACHE_MAX_SETS)
		return;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, TABLE_MAGIC, sizeof(TABLE_MAGIC));
	snprintf(h.key, sizeof(h.key), "%s", key);
	h.order = TABLE_ORDER;
	h.nsets = (uint32_t)nsets;
	for (size_t i = 0; i < nsets; i++) {
		snprintf(h.sets[i].name, sizeof(h.sets[i].name), "%s", sets[i].name);
		snprintf(h.sets[i].version, sizeof(h.sets[i].version), "%s", sets[i].version);
		h.sets[i].records = sets[i].records;
		h.sets[i].geofeed = sets[i].geofeed;
	}
	prefixes_bytes_of(table, &block, &blen);
	h.block_len = blen;
	struct cachefile_part parts[2] = {{&h, sizeof(h)}, {block, blen}};
	file_name(cache_dir, file, sizeof(file));
	cachefile_write(file, parts, 2);
}
