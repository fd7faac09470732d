/*
 * geoip: libmaxminddb, with binary addresses (no text parsing per lookup).
 * MMDB status codes are turned into struct rerr here and nowhere else.
 *
 * The flat tables: libmaxminddb answers an IPv4 lookup by walking up to 32
 * nodes of its search tree (from the IPv4 subtree of an IPv6 database) and an
 * IPv6 lookup up to 128, then decoding the data record. Walking the whole tree
 * once, left before right, yields every network in address order with its
 * data record; a record's country is decoded once per record (a country
 * database has a few hundred); neighbours of one country are merged. What is
 * left is a sorted table of range starts, searched like the prefix table. The
 * walk follows libmaxminddb's own lookup rule (MMDB_read_node, the same start
 * nodes, the same decoding of the country) so the answers are the same; where
 * its lookup would fail (a corrupt tree) the walk gives up and libmaxminddb
 * keeps answering.
 */
#include "attrib/geoip.h"
#include "attrib/cachefile.h"
#include "attrib/geoflat.h"
#include "core/digest.h"

#include <arpa/inet.h>
#include <maxminddb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLAT_KEY "residency-geoflat-v1"

struct geoip {
	MMDB_s db;
	char path[1024];
	struct geoflat *flat; /* NULL: lookups go through libmaxminddb */
	const void *map;      /* the flat tables' bytes: a mapped cache file, */
	size_t maplen;
	void *blob; /* or a block built here */
};

enum rstatus geoip_open(const char *path, struct geoip **out, struct rerr *err)
{
	struct geoip *g = calloc(1, sizeof(*g));
	int st;

	*out = NULL;
	if (g == NULL)
		return rerr_set(err, R_ENOMEM, path, 0, "out of memory");
	if (strlen(path) >= sizeof(g->path)) { /* the flat cache is keyed on the whole path */
		free(g);
		return rerr_set(err, R_ELIMIT, path, 0,
				"a GeoIP database path is at most %zu bytes", sizeof(g->path) - 1);
	}
	if ((st = MMDB_open(path, MMDB_MODE_MMAP, &g->db)) != MMDB_SUCCESS) {
		free(g);
		return rerr_set(
		    err, st == MMDB_FILE_OPEN_ERROR ? R_EIO : R_EINPUT, path, 0,
		    "cannot open GeoIP database: %s%s", MMDB_strerror(st),
		    st == MMDB_FILE_OPEN_ERROR ? " (run 'make deps' for the bundled one)" : "");
	}
	snprintf(g->path, sizeof(g->path), "%s", path);
	*out = g;
	return R_OK;
}

void geoip_free(struct geoip *g)
{
	if (g == NULL)
		return;
	MMDB_close(&g->db);
	geoflat_free(g->flat);
	cachefile_unmap(g->map, g->maplen);
	free(g->blob);
	free(g);
}

/* The country of a data record, by the rule of the whole module. */
static bool entry_country(MMDB_entry_s *entry, char cc[3])
{
	MMDB_entry_data_s data;

	if (MMDB_get_value(entry, &data, "country_code", NULL) != MMDB_SUCCESS || !data.has_data) {
		if (MMDB_get_value(entry, &data, "country", "iso_code", NULL) != MMDB_SUCCESS ||
		    !data.has_data)
			return false;
	}
	if (data.type != MMDB_DATA_TYPE_UTF8_STRING || data.data_size != 2)
		return false;
	cc[0] = data.utf8_string[0];
	cc[1] = data.utf8_string[1];
	cc[2] = '\0';
	return true;
}

static MMDB_lookup_result_s mmdb_lookup(const struct geoip *g, const struct addr *a, int *st)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	const struct sockaddr *sa;

	if (a->family == 4) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, a->b, 4);
		sa = (const struct sockaddr *)&sin;
	} else {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, a->b, 16);
		sa = (const struct sockaddr *)&sin6;
	}
	/* libmaxminddb takes a non-const handle but does not change it on lookups. */
	return MMDB_lookup_sockaddr((MMDB_s *)&g->db, sa, st);
}

void geoip_country_mmdb(const struct geoip *g, const struct addr *a, char cc[3])
{
	MMDB_lookup_result_s res;
	int st;

	cc[0] = '\0';
	if (g == NULL || a->family == 0)
		return;
	res = mmdb_lookup(g, a, &st);
	if (st != MMDB_SUCCESS || !res.found_entry)
		return;
	entry_country(&res.entry, cc);
}

void geoip_country(const struct geoip *g, const struct addr *a, char cc[3])
{
	if (g && g->flat && (a->family == 4 || a->family == 6))
		geoflat_country(g->flat, a, cc);
	else
		geoip_country_mmdb(g, a, cc);
}

bool geoip_is_flat(const struct geoip *g)
{
	return g && g->flat;
}

unsigned long long geoip_epoch(const struct geoip *g)
{
	return g ? (unsigned long long)g->db.metadata.build_epoch : 0;
}

const char *geoip_path(const struct geoip *g)
{
	return g ? g->path : "";
}

/* ---- the walk ---- */

struct walker {
	const MMDB_s *db;
	unsigned base; /* the tree bit where the key's first bit is */
	bool wide;     /* 128-bit keys (the IPv6 table), else 32 */
	struct geoflat_range *out;
	size_t n, cap;
	size_t visits, max_visits;
	uint32_t *dataoff; /* data offset + 1 -> country: open addressing */
	uint16_t *datacc;
	size_t dcap, dn;
	bool failed;
};

static bool data_country(struct walker *w, MMDB_entry_s entry, uint16_t *cc)
{
	uint32_t key = entry.offset + 1;
	size_t i;

	if (key == 0) {
		w->failed = true;
		return false;
	}
	if (w->dn * 2 >= w->dcap) {
		size_t ncap = w->dcap ? w->dcap * 2 : 1024;
		uint32_t *no = calloc(ncap, sizeof(*no));
		uint16_t *nc = calloc(ncap, sizeof(*nc));
		if (no == NULL || nc == NULL) {
			free(no);
			free(nc);
			w->failed = true;
			return false;
		}
		for (size_t j = 0; j < w->dcap; j++) {
			if (w->dataoff[j] == 0)
				continue;
			for (i = (w->dataoff[j] * 2654435761u) & (ncap - 1); no[i];
			     i = (i + 1) & (ncap - 1))
				;
			no[i] = w->dataoff[j];
			nc[i] = w->datacc[j];
		}
		free(w->dataoff);
		free(w->datacc);
		w->dataoff = no;
		w->datacc = nc;
		w->dcap = ncap;
	}
	for (i = (key * 2654435761u) & (w->dcap - 1); w->dataoff[i]; i = (i + 1) & (w->dcap - 1))
		if (w->dataoff[i] == key) {
			*cc = w->datacc[i];
			return true;
		}
	char c[3];
	*cc = entry_country(&entry, c) ? (uint16_t)((uint8_t)c[0] | (uint8_t)c[1] << 8) : 0;
	w->dataoff[i] = key;
	w->datacc[i] = *cc;
	w->dn++;
	return true;
}

static void emit(struct walker *w, uint64_t hi, uint64_t lo, uint16_t cc)
{
	if (w->n > 0 && w->out[w->n - 1].cc == cc)
		return; /* the same country goes on */
	if (w->n == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 65536;
		struct geoflat_range *p;
		if (ncap > GEOFLAT_MAX_RANGES || (p = realloc(w->out, ncap * sizeof(*p))) == NULL) {
			w->failed = true;
			return;
		}
		w->out = p;
		w->cap = ncap;
	}
	memset(&w->out[w->n], 0, sizeof(w->out[0]));
	w->out[w->n].hi = hi;
	w->out[w->n].lo = lo;
	w->out[w->n].cc = cc;
	w->n++;
}

/* One record met at tree bit `bit` on the way to the key (hi, lo). */
static void visit(struct walker *w, uint64_t record, uint8_t type, MMDB_entry_s entry, unsigned bit,
		  uint64_t hi, uint64_t lo)
{
	MMDB_search_node_s nd;
	uint16_t cc = 0;

	if (w->failed)
		return;
	if (++w->visits > w->max_visits) {
		w->failed = true; /* a tree that is not one (shared subtrees without end) */
		return;
	}
	if (type == MMDB_RECORD_TYPE_EMPTY) {
		emit(w, hi, lo, 0);
		return;
	}
	if (type == MMDB_RECORD_TYPE_DATA) {
		if (data_country(w, entry, &cc))
			emit(w, hi, lo, cc);
		return;
	}
	/* A search node past the last bit, or an unreadable one, is a lookup error. */
	if (type != MMDB_RECORD_TYPE_SEARCH_NODE || bit >= w->db->depth || record > UINT32_MAX ||
	    MMDB_read_node(w->db, (uint32_t)record, &nd) != MMDB_SUCCESS) {
		w->failed = true;
		return;
	}
	unsigned kb = bit - w->base; /* this bit's place in the key, from the top */
	uint64_t rhi = hi, rlo = lo;
	if (!w->wide)
		rlo |= 1ULL << (31 - kb);
	else if (kb < 64)
		rhi |= 1ULL << (63 - kb);
	else
		rlo |= 1ULL << (127 - kb);
	visit(w, nd.left_record, nd.left_record_type, nd.left_record_entry, bit + 1, hi, lo);
	visit(w, nd.right_record, nd.right_record_type, nd.right_record_entry, bit + 1, rhi, rlo);
}

/*
 * One table: the IPv4 one starts where libmaxminddb starts an IPv4 lookup (the
 * node reached by 96 zero bits in an IPv6 database), the IPv6 one at the root.
 * When the start is not a search node, every address of the family has one
 * answer: libmaxminddb's for the first address.
 */
static bool walk(const struct geoip *g, bool v6, struct walker *w)
{
	const MMDB_s *db = &g->db;
	uint32_t nodes = db->metadata.node_count;
	uint64_t start = 0;
	unsigned bit = 0;

	w->db = db;
	w->wide = v6;
	w->max_visits = 8 * (size_t)nodes + 1024;
	if (!v6 && db->metadata.ip_version == 6) {
		MMDB_search_node_s nd;
		for (bit = 0; bit < 96 && start < nodes; bit++) {
			if (MMDB_read_node(db, (uint32_t)start, &nd) != MMDB_SUCCESS)
				return false;
			start = nd.left_record;
		}
	}
	w->base = bit;
	if (start < nodes && !(v6 && db->metadata.ip_version != 6)) {
		MMDB_entry_s none = {db, 0}; /* a search node has no data entry */
		visit(w, start, MMDB_RECORD_TYPE_SEARCH_NODE, none, bit, 0, 0);
	} else {
		struct addr a;
		char cc[3];
		memset(&a, 0, sizeof(a));
		a.family = v6 ? 6 : 4;
		geoip_country_mmdb(g, &a, cc);
		emit(w, 0, 0, (uint16_t)((uint8_t)cc[0] | (uint8_t)cc[1] << 8));
	}
	return !w->failed && w->n > 0;
}

static void flat_key(const struct geoip *g, char key[DIGEST_HEXLEN], char file[4200],
		     const char *cache_dir)
{
	char stamp[128] = "", self[4096], selfstamp[128] = "", both[5200], tag[17];

	/* The file as make would see it, and the binary (a new build may walk differently). */
	cachefile_stamp(g->path, stamp, sizeof(stamp));
	if (*cachefile_self(self, sizeof(self)))
		cachefile_stamp(self, selfstamp, sizeof(selfstamp));
	const char *f[5] = {FLAT_KEY, g->path, stamp, self, selfstamp};
	struct digest *d = digest_new();
	uint8_t md[DIGEST_LEN];
	key[0] = '\0';
	if (d) {
		digest_record(d, "geoflat", 5, f);
		digest_final(d, md);
		digest_hex(md, key);
		digest_free(d);
	}
	/* one file per database and binary */
	snprintf(both, sizeof(both), "%s\n%s", g->path, self);
	cachefile_tag(both, tag);
	if (cache_dir)
		snprintf(file, 4200, "%s/geoip/%s.flat", cache_dir, tag);
	else
		file[0] = '\0';
}

bool geoip_flatten(struct geoip *g, const char *cache_dir)
{
	char key[DIGEST_HEXLEN], file[4200];
	struct walker w4, w6;

	if (g == NULL)
		return false;
	if (g->flat)
		return true;
	flat_key(g, key, file, cache_dir);
	if (*key && *file && cachefile_map(file, (size_t)1 << 31, &g->map, &g->maplen)) {
		if ((g->flat = geoflat_open(g->map, g->maplen, key)) != NULL)
			return true;
		cachefile_unmap(g->map, g->maplen);
		g->map = NULL;
		g->maplen = 0;
	}
	memset(&w4, 0, sizeof(w4));
	memset(&w6, 0, sizeof(w6));
	if (walk(g, false, &w4) && walk(g, true, &w6)) {
		size_t len;
		g->blob = geoflat_pack(key, w4.out, w4.n, w6.out, w6.n, &len);
		if (g->blob && (g->flat = geoflat_open(g->blob, len, NULL)) != NULL) {
			if (*key && *file) {
				struct cachefile_part part = {g->blob, len};
				cachefile_write(file, &part, 1);
			}
		} else {
			free(g->blob);
			g->blob = NULL;
		}
	}
	free(w4.out);
	free(w4.dataoff);
	free(w4.datacc);
	free(w6.out);
	free(w6.dataoff);
	free(w6.datacc);
	return g->flat != NULL;
}
