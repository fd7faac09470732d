/*
 * attrib: source precedence. Provider ranges (with the region table) beat a
 * geofeed, which beats GeoIP; GeoIP's answer is always kept beside the others.
 * See attrib.h for the contract.
 */
#include "attrib/attrib.h"
#include "attrib/geoip.h"
#include "attrib/prefixes.h"
#include "attrib/regions.h"
#include "attrib/special.h"
#include "attrib/cachefile.h"
#include "attrib/tablecache.h"
#include "core/buf.h"
#include "core/paths.h"
#include "core/log.h"
#include "ranges/ranges.h"
#include "ranges/snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct attrib {
	struct range_set *sets;
	size_t nsets;
	struct attrib_source_info *info; /* nsets of them, then GeoIP's */
	size_t ninfo;
	struct prefixes *table;
	const void *tmap; /* the cache file the table lives in, when it was mapped */
	size_t tmaplen;
	struct regions *regions;
	struct special *special;
	struct geoip *geoip;
};

const char *attr_source_name(enum attr_source s)
{
	switch (s) {
	case ATTR_SRC_PROVIDER:
		return "provider";
	case ATTR_SRC_GEOFEED:
		return "geofeed";
	case ATTR_SRC_GEOIP:
		return "geoip";
	case ATTR_SRC_SPECIAL:
		return "special";
	case ATTR_SRC_NONE:
		break;
	}
	return "none";
}

const char *attr_scope_name(enum attr_scope s)
{
	switch (s) {
	case ATTR_SCOPE_REGIONAL:
		return "regional";
	case ATTR_SCOPE_GLOBAL:
		return "global";
	case ATTR_SCOPE_NONE:
		break;
	}
	return "none";
}

static bool remote(const char *url)
{
	return strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0;
}

/* Every source given for one provider: files are read directly; http(s) URLs
 * go through the snapshot cache (conditional fetch, last good kept). */
static enum rstatus add_file(struct attrib_source_info *info, const char *file, struct rerr *err)
{
	/* Listed whole, and every file listed: the scan's evidence names them. */
	if (info->nfiles == ATTRIB_MAX_FILES)
		return rerr_set(err, R_EUSAGE, info->name, 0, "more than %d range files",
				ATTRIB_MAX_FILES);
	if (strlen(file) >= sizeof(info->files[0]))
		return rerr_set(err, R_EUSAGE, file, 0, "a range file or URL is at most %zu bytes",
				sizeof(info->files[0]) - 1);
	snprintf(info->files[info->nfiles++], sizeof(info->files[0]), "%s", file);
	return R_OK;
}

/*
 * A provider that publishes several files (Cloudflare and Akamai: one for IPv4,
 * one for IPv6) is given all of them or none: given sources replace the
 * bundled snapshot, so a file left out would drop a whole address family to
 * GeoIP (Cloudflare's anycast IPv6 placed in a country) without a word.
 */
static enum rstatus all_files_given(const struct range_provider *p,
				    const struct attrib_source *sources, size_t n, struct rerr *err)
{
	size_t published = range_provider_nfiles(p), given = 0;
	for (size_t i = 0; i < n; i++)
		given += strcmp(sources[i].provider, p->name) == 0;
	if (given >= published)
		return R_OK;
	return rerr_set(err, R_EUSAGE, p->name, 0,
			"%s publishes %zu range files (%s%s%s) and %zu %s given: give every one "
			"(--ranges %s=URL once per file, or a list in the configuration's "
			"\"ranges\"), or the addresses of the ones left out would fall to GeoIP",
			p->name, published, p->urls[0], published > 1 ? ", " : "",
			published > 1 ? p->urls[1] : "", given, given == 1 ? "was" : "were",
			p->name);
}

static enum rstatus load_given(struct range_set *set, const char *provider,
			       const struct attrib_source *sources, size_t n,
			       struct attrib_source_info *info, struct rerr *err)
{
	const char *urls[SNAPSHOT_MAX_FILES];
	size_t nurls = 0;
	bool any_remote = false;
	enum rstatus rc = R_OK;

	for (size_t i = 0; i < n; i++)
		if (strcmp(sources[i].provider, provider) == 0)
			any_remote |= remote(sources[i].url);
	if (!any_remote) {
		info->origin = "file";
		for (size_t i = 0; i < n && rc == R_OK; i++)
			if (strcmp(sources[i].provider, provider) == 0) {
				const char *f = sources[i].url;
				rc = add_file(info, strncmp(f, "file://", 7) == 0 ? f + 7 : f, err);
				if (rc == R_OK)
					rc = ranges_load_file(provider, sources[i].url, set, err);
			}
		return rc == R_OK ? ranges_sanity(set, provider, err) : rc;
	}
	info->origin = "fetched";
	for (size_t i = 0; i < n; i++)
		if (strcmp(sources[i].provider, provider) == 0) {
			if (nurls == SNAPSHOT_MAX_FILES)
				return rerr_set(err, R_EUSAGE, provider, 0, "more than %d files",
						SNAPSHOT_MAX_FILES);
			urls[nurls++] = sources[i].url;
		}
	char cache[4096];
	struct refresh_result res;
	struct fetch_opts opts = {0, 0, 0, -1, 0};
	struct snapshot_meta meta;
	snapshot_cache_dir(cache, sizeof(cache));
	rc = snapshot_refresh(cache, provider, urls, nurls, &opts, false, &res, err);
	if (rc != R_OK && !res.kept_last_good)
		return rc;
	if (rc != R_OK)
		rerr_log(err); /* the last good snapshot is used, and that is said */
	range_set_free(set);
	if ((rc = snapshot_load(cache, provider, &meta, set, err)) != R_OK)
		return rc;
	/* A last good snapshot of another number of files (one of a provider's
	 * two, say) is not the data asked for: its other family would fall to
	 * GeoIP. (Other URLs for as many files, a mirror, are the same data.) */
	if (meta.nfiles != nurls)
		return rerr_set(err, R_ENET, provider, 0,
				"the refresh failed and the last good snapshot holds %zu file%s, "
				"not the %zu asked for: it is not used",
				meta.nfiles, meta.nfiles == 1 ? "" : "s", nurls);
	/* The last good snapshot stands in for a failed refresh only while it is
	 * fresh enough: judging against ranges of any age is not a check. */
	long long max_age = 0, age = (long long)(time(NULL) - meta.checked_at);
	for (size_t i = 0; i < n; i++)
		if (strcmp(sources[i].provider, provider) == 0 && sources[i].max_age > 0)
			max_age = sources[i].max_age;
	if (max_age == 0)
		max_age = ATTRIB_DEFAULT_MAX_AGE;
	if (age > max_age)
		return rerr_set(err, R_ESTALE, provider, 0,
				"the snapshot in use was last confirmed by its server %lld h ago, "
				"more than max_age (%lld h) allows: stale ranges are not a check "
				"(refresh them, or raise \"max_age\")",
				age / 3600, max_age / 3600);
	/* The snapshot in use: its URLs and hash, which may be the last good one's. */
	info->nfiles = 0;
	for (size_t i = 0; i < meta.nfiles && rc == R_OK; i++)
		rc = add_file(info, meta.files[i].url, err);
	if (rc != R_OK)
		return rc;
	snprintf(info->sha256, sizeof(info->sha256), "%s", meta.sha256);
	return R_OK;
}

/* The GeoIP database as a source: its file, and its build time as its version
 * (with the pinned package version when it is the bundled one). */
static void geoip_info(struct attrib_source_info *info, const struct geoip *g, bool bundled)
{
	char built[32] = "unknown build time", pkg[128] = "", path[4096];
	time_t t = (time_t)geoip_epoch(g);
	struct tm tm;

	snprintf(info->name, sizeof(info->name), "geoip");
	info->kind = "geoip";
	info->origin = bundled ? "bundled" : "file";
	/* geoip_open refused a path longer than a file entry holds */
	(void)add_file(info, bundled ? "deps/geoip/country.mmdb" : geoip_path(g), NULL);
	if (t > 0 && gmtime_r(&t, &tm))
		strftime(built, sizeof(built), "built %Y-%m-%dT%H:%M:%SZ", &tm);
	if (bundled) {
		FILE *f = fopen(paths_data("deps/geoip/VERSION", path, sizeof(path)), "r");
		if (f) {
			if (fgets(pkg, sizeof(pkg), f) == NULL)
				pkg[0] = '\0';
			pkg[strcspn(pkg, "\r\n")] = '\0';
			fclose(f);
		}
	}
	snprintf(info->version, sizeof(info->version), "%s%s%s", pkg, *pkg ? ", " : "", built);
}

enum rstatus attrib_open(const struct attrib_source *sources, size_t n, const char *geoip_path,
			 struct attrib **out, struct rerr *err)
{
	struct attrib *a = calloc(1, sizeof(*a));
	size_t nprov = 0;
	enum rstatus rc;
	char path[4096];

	*out = NULL;
	if (a == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	for (const struct range_provider *p = range_providers; p->name; p++)
		nprov++;
	if ((a->sets = calloc(nprov, sizeof(*a->sets))) == NULL ||
	    (a->info = calloc(nprov + 1, sizeof(*a->info))) == NULL) {
		free(a->sets);
		free(a);
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		if (ranges_provider(sources[i].provider) == NULL) {
			rc = rerr_set(err, R_EUSAGE, sources[i].provider, 0,
				      "unknown provider (known: aws gcp google azure oracle "
				      "cloudflare fastly github akamai digitalocean linode vultr)");
			goto fail;
		}
	/* Only bundled snapshots: the table they make may be in the cache already. */
	char cache[4096], key[TABLECACHE_KEYLEN];
	struct tablecache_set cached[TABLECACHE_MAX_SETS];
	bool keyed = n == 0 && nprov <= TABLECACHE_MAX_SETS && tablecache_key(key);
	snapshot_cache_dir(cache, sizeof(cache));
	bool hit = keyed && tablecache_load(cache, key, &a->table, cached, TABLECACHE_MAX_SETS,
					    &a->tmap, &a->tmaplen);
	/* Each provider: the sources given for it (several files append), else its
	 * bundled snapshot. */
	for (const struct range_provider *p = range_providers; p->name; p++) {
		size_t k = a->nsets;
		struct range_set *set = &a->sets[a->nsets++];
		struct attrib_source_info *info = &a->info[a->ninfo++];
		bool given = false;
		range_set_init(set, p->name);
		snprintf(info->name, sizeof(info->name), "%s", p->name);
		for (size_t i = 0; i < n; i++)
			given |= strcmp(sources[i].provider, p->name) == 0;
		if (given && (rc = all_files_given(p, sources, n, err)) != R_OK)
			goto fail;
		if (given) {
			rc = load_given(set, p->name, sources, n, info, err);
		} else {
			info->origin = "bundled";
			for (size_t i = 0; i < 3 && p->files[i]; i++) {
				char rel[256];
				snprintf(rel, sizeof(rel), "data/ranges/%s", p->files[i]);
				(void)add_file(info, rel, NULL); /* the bundled names fit */
			}
			if (hit) {
				info->kind = cached[k].geofeed ? "geofeed" : "provider";
				snprintf(info->version, sizeof(info->version), "%s",
					 cached[k].version);
				info->records = (size_t)cached[k].records;
				continue;
			}
			rc = ranges_load_bundled(p->name, set, err);
		}
		if (rc != R_OK)
			goto fail;
		info->kind = set->kind == RANGE_GEOFEED ? "geofeed" : "provider";
		snprintf(info->version, sizeof(info->version), "%s", set->version);
		info->records = set->n;
	}
	if (!hit) {
		if ((rc = prefixes_build(a->sets, a->nsets, &a->table, err)) != R_OK)
			goto fail;
		if (keyed) {
			for (size_t i = 0; i < a->nsets; i++) {
				snprintf(cached[i].name, sizeof(cached[i].name), "%s",
					 a->sets[i].provider);
				snprintf(cached[i].version, sizeof(cached[i].version), "%s",
					 a->sets[i].version);
				cached[i].records = a->sets[i].n;
				cached[i].geofeed = a->sets[i].kind == RANGE_GEOFEED;
			}
			tablecache_save(cache, key, a->table, cached, a->nsets);
		}
	}
	/* The table holds what it needs: the parsed records are not kept. */
	for (size_t i = 0; i < a->nsets; i++)
		range_set_free(&a->sets[i]);
	if ((rc = regions_load(NULL, &a->regions, err)) != R_OK ||
	    (rc = special_load(NULL, &a->special, err)) != R_OK)
		goto fail;
	bool bundled = geoip_path == NULL;
	if (bundled)
		geoip_path = paths_data("deps/geoip/country.mmdb", path, sizeof(path));
	if (*geoip_path && (rc = geoip_open(geoip_path, &a->geoip, err)) != R_OK)
		goto fail;
	if (a->geoip)
		geoip_flatten(a->geoip, cache);
	if (a->geoip)
		geoip_info(&a->info[a->ninfo++], a->geoip, bundled);
	*out = a;
	return R_OK;
fail:
	attrib_free(a);
	return rc;
}

void attrib_free(struct attrib *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->nsets; i++)
		range_set_free(&a->sets[i]);
	free(a->sets);
	free(a->info);
	prefixes_free(a->table);
	cachefile_unmap(a->tmap, a->tmaplen);
	regions_free(a->regions);
	special_free(a->special);
	geoip_free(a->geoip);
	free(a);
}

unsigned long long attrib_geoip_epoch(const struct attrib *a)
{
	return geoip_epoch(a->geoip);
}

bool attrib_table_cached(const struct attrib *a)
{
	return a->tmap != NULL;
}

size_t attrib_sources(const struct attrib *a, const struct attrib_source_info **out)
{
	*out = a->info;
	return a->ninfo;
}

enum rstatus attrib_source_sha256(const struct attrib_source_info *s, char out[65],
				  struct rerr *err)
{
	struct buf files[ATTRIB_MAX_FILES];
	const struct buf *ptrs[ATTRIB_MAX_FILES];
	char path[4096];
	enum rstatus rc = R_OK;
	size_t n = 0;

	if (*s->sha256) {
		snprintf(out, 65, "%s", s->sha256);
		return R_OK;
	}
	for (; n < s->nfiles && rc == R_OK; n++) {
		const char *f = strcmp(s->origin, "bundled") == 0
				    ? paths_data(s->files[n], path, sizeof(path))
				    : s->files[n];
		/* The range files' own cap; a country database is larger. */
		buf_init(&files[n],
			 strcmp(s->kind, "geoip") == 0 ? 1024u * 1024 * 1024 : RANGES_MAX_BYTES);
		ptrs[n] = &files[n];
		rc = buf_read_file(&files[n], f, err);
	}
	if (rc == R_OK && n > 0)
		snapshot_sha256(ptrs, n, out);
	else if (rc == R_OK)
		rc = rerr_set(err, R_EIO, s->name, 0, "no file to hash");
	for (size_t i = 0; i < n; i++)
		buf_free(&files[i]);
	return rc;
}

/* Within one prefix, a record that places it (a region, a country) beats one
 * that does not, and an anycast record beats both: when one publisher lists a
 * prefix both ways, the answer that fails closed wins. */
static int rank(const struct prefixes *t, const struct prefix_rec *r)
{
	if (r->global)
		return 3;
	return *prefixes_str(t, r->region) || *r->country ? 2 : 1;
}

static void add_service(char *list, size_t size, const char *svc)
{
	size_t n = strlen(svc), used = strlen(list);
	const char *p = list;

	if (n == 0)
		return;
	while ((p = strstr(p, svc)) != NULL) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return;
		p += n;
	}
	/* Bounded: the list is informative (never judged), the most specific come
	 * first, and a list that did not fit says so at its end. */
	static const char more[] = ",+more";
	if (used + n + 2 + sizeof(more) > size) {
		if (used < sizeof(more) - 1 || strcmp(list + used - sizeof(more) + 1, more) != 0)
			memcpy(list + used, more, sizeof(more));
		return;
	}
	if (used)
		list[used++] = ',';
	memcpy(list + used, svc, n + 1);
}

/* snprintf("%s") and prefix_format() were most of a lookup's cost: copy by hand. */
static void copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Decimal digits of v (< 1000) at p; returns the end. */
static char *decimal(char *p, unsigned v)
{
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

static void prefix_text(const struct prefix *p, char *buf, size_t len)
{
	if (p->addr.family == 4 && len >= 20) {
		/* inet_ntop goes through sprintf: by hand, the same text */
		char *q = buf;
		for (int i = 0; i < 4; i++) {
			q = decimal(q, p->addr.b[i]);
			*q++ = i < 3 ? '.' : '/';
		}
		*decimal(q, p->len) = '\0';
		return;
	}
	addr_format(&p->addr, buf, len);
	size_t n = strlen(buf);
	unsigned l = p->len;
	char digits[4];
	int d = 0;
	do {
		digits[d++] = (char)('0' + l % 10);
		l /= 10;
	} while (l);
	if (n + (size_t)d + 2 > len)
		return;
	buf[n++] = '/';
	while (d)
		buf[n++] = digits[--d];
	buf[n] = '\0';
}

/*
 * The address to look up in place of addr (the IPv4 address it embeds, or
 * addr), and its special-purpose row when it has one: asked before any range
 * or GeoIP lookup.
 */
static const struct special_row *what_to_look_up(const struct attrib *a, const struct addr *addr,
						 const struct addr **look, struct addr *v4)
{
	*look = special_embedded(addr, v4) ? v4 : addr;
	return special_find(a->special, *look);
}

const char *attrib_special_table(const struct attrib *a)
{
	return special_text(a->special);
}

bool attrib_indirect(const struct attrib *a, const struct addr *addr)
{
	struct addr v4;
	return special_embedded(addr, &v4) != NULL || special_find(a->special, addr) != NULL;
}

int32_t attrib_locate(const struct attrib *a, const struct addr *addr)
{
	const struct addr *look;
	struct addr v4;

	if (what_to_look_up(a, addr, &look, &v4))
		return -1; /* special: no range is asked */
	return prefixes_lookup(a->table, look);
}

size_t attrib_nodes(const struct attrib *a)
{
	return prefixes_nodes(a->table);
}

bool attrib_of_node(const struct attrib *a, int32_t nd0, struct attribution *out)
{
	/* Precedence: the most specific provider prefix, else the most specific
	 * geofeed prefix. Nodes come innermost first. */
	const struct prefix_rec *best = NULL, *feed = NULL;
	int32_t best_node = -1, feed_node = -1;

	memset(out, 0, sizeof(*out));
	for (int32_t nd = nd0; nd >= 0 && best == NULL; nd = prefixes_parent(a->table, nd)) {
		const struct prefix_rec *recs;
		size_t n = prefixes_records(a->table, nd, &recs);
		for (size_t i = 0; i < n; i++) {
			const struct prefix_rec *r = &recs[i];
			if (r->kind == RANGE_PROVIDER) {
				if (best == NULL || rank(a->table, r) > rank(a->table, best)) {
					best = r;
					best_node = nd;
				}
			} else if (feed_node < 0 ||
				   (feed_node == nd && rank(a->table, r) > rank(a->table, feed))) {
				feed = r;
				feed_node = nd;
			}
		}
	}
	if (best == NULL) {
		best = feed;
		best_node = feed_node;
	}
	if (best == NULL) {
		out->source = ATTR_SRC_NONE;
		out->scope = ATTR_SCOPE_NONE;
		return false;
	}

	const char *provider = prefixes_str(a->table, best->provider),
		   *region = prefixes_str(a->table, best->region),
		   *border_group = prefixes_str(a->table, best->border_group);
	copy(out->provider, sizeof(out->provider), provider);
	copy(out->region, sizeof(out->region), region);
	copy(out->border_group, sizeof(out->border_group), border_group);
	prefix_text(prefixes_prefix(a->table, best_node), out->prefix, sizeof(out->prefix));
	for (int32_t nd = nd0; nd >= 0; nd = prefixes_parent(a->table, nd)) {
		const struct prefix_rec *recs;
		size_t n = prefixes_records(a->table, nd, &recs);
		for (size_t i = 0; i < n; i++)
			if (recs[i].provider == best->provider)
				add_service(out->services, sizeof(out->services),
					    prefixes_str(a->table, recs[i].service));
	}

	if (best->global) {
		out->scope = ATTR_SCOPE_GLOBAL;
		out->source = ATTR_SRC_PROVIDER;
		return true; /* anycast: no country, whatever GeoIP says (it is kept) */
	}
	if (best->kind == RANGE_GEOFEED) {
		out->scope = ATTR_SCOPE_REGIONAL;
		memcpy(out->country, best->country, 3);
		out->source = out->country[0] ? ATTR_SRC_GEOFEED : ATTR_SRC_NONE;
	} else if (*region) {
		/* AWS: the border group places Local Zones; elsewhere the region. */
		const char *where = *border_group ? border_group : region;
		const char *cc = regions_country(a->regions, provider, where);
		out->scope = ATTR_SCOPE_REGIONAL;
		if (cc) {
			memcpy(out->country, cc, 3);
			out->source = ATTR_SRC_PROVIDER;
		} else {
			out->region_unmapped = true;
		}
	} else {
		out->scope = ATTR_SCOPE_NONE; /* the provider is known, its location is not */
	}
	return false;
}

void attrib_finish(const struct attrib *a, const struct addr *addr, bool global,
		   struct attribution *out)
{
	const struct addr *look;
	struct addr v4;
	const struct special_row *sp = what_to_look_up(a, addr, &look, &v4);

	if (sp) {
		/* No provider, no country, no GeoIP: whatever the node said goes. */
		memset(out, 0, sizeof(*out));
		out->source = ATTR_SRC_SPECIAL;
		/* a globally reachable block is judged as anycast is: no country */
		out->scope = sp->global ? ATTR_SCOPE_GLOBAL : ATTR_SCOPE_NONE;
		copy(out->special, sizeof(out->special), sp->name);
		copy(out->special_rfc, sizeof(out->special_rfc), sp->rfc);
		prefix_text(&sp->prefix, out->prefix, sizeof(out->prefix));
	}
	out->addr = *addr;
	if (look != addr) {
		out->embedded = *look;
		copy(out->embedded_via, sizeof(out->embedded_via), special_embedded(addr, &v4));
	}
	if (sp)
		return;
	geoip_country(a->geoip, look, out->geoip_country);
	if (global)
		return;
	if (out->country[0] == '\0' && out->geoip_country[0]) {
		memcpy(out->country, out->geoip_country, 3);
		out->source = ATTR_SRC_GEOIP;
	}
	out->disagreement = out->source != ATTR_SRC_GEOIP && out->country[0] &&
			    out->geoip_country[0] && strcmp(out->country, out->geoip_country) != 0;
}

void attrib_lookup(const struct attrib *a, const struct addr *addr, struct attribution *out)
{
	bool global = attrib_of_node(a, attrib_locate(a, addr), out);
	attrib_finish(a, addr, global, out);
}

void attrib_geoip(const struct attrib *a, const struct addr *addr, char cc[3])
{
	const struct addr *look;
	struct addr v4;

	if (what_to_look_up(a, addr, &look, &v4))
		memset(cc, 0, 3);
	else
		geoip_country(a->geoip, look, cc);
}

void attrib_locate_many(const struct attrib *a, const struct addr *addrs, size_t n, int32_t *nodes,
			char (*cc)[3])
{
	/* two plain loops: with nothing between them, the searches of
	 * consecutive addresses overlap in the processor already (searching
	 * the batch step by step, with prefetches, measured no faster); the
	 * rare special or embedding address takes the one-by-one way */
	for (size_t i = 0; i < n; i++)
		nodes[i] = attrib_indirect(a, &addrs[i]) ? attrib_locate(a, &addrs[i])
							 : prefixes_lookup(a->table, &addrs[i]);
	for (size_t i = 0; i < n; i++)
		if (attrib_indirect(a, &addrs[i]))
			attrib_geoip(a, &addrs[i], cc[i]);
		else
			geoip_country(a->geoip, &addrs[i], cc[i]);
}
