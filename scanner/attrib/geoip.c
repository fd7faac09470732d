/*
 * geoip: libmaxminddb, with binary addresses (no text parsing per lookup).
 * MMDB status codes are turned into struct rerr here and nowhere else.
 */
#include "attrib/geoip.h"

#include <arpa/inet.h>
#include <maxminddb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct geoip {
	MMDB_s db;
	char path[1024];
};

enum rstatus geoip_open(const char *path, struct geoip **out, struct rerr *err)
{
	struct geoip *g = calloc(1, sizeof(*g));
	int st;

	*out = NULL;
	if (g == NULL)
		return rerr_set(err, R_ENOMEM, path, 0, "out of memory");
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
	free(g);
}

void geoip_country(const struct geoip *g, const struct addr *a, char cc[3])
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	const struct sockaddr *sa;
	MMDB_lookup_result_s res;
	MMDB_entry_data_s data;
	int st;

	cc[0] = '\0';
	if (g == NULL || a->family == 0)
		return;
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
	MMDB_s *db = (MMDB_s *)&g->db;
	res = MMDB_lookup_sockaddr(db, sa, &st);
	if (st != MMDB_SUCCESS || !res.found_entry)
		return;
	if (MMDB_get_value(&res.entry, &data, "country_code", NULL) != MMDB_SUCCESS ||
	    !data.has_data) {
		if (MMDB_get_value(&res.entry, &data, "country", "iso_code", NULL) !=
			MMDB_SUCCESS ||
		    !data.has_data)
			return;
	}
	if (data.type != MMDB_DATA_TYPE_UTF8_STRING || data.data_size != 2)
		return;
	cc[0] = data.utf8_string[0];
	cc[1] = data.utf8_string[1];
	cc[2] = '\0';
}

unsigned long long geoip_epoch(const struct geoip *g)
{
	return g ? (unsigned long long)g->db.metadata.build_epoch : 0;
}

const char *geoip_path(const struct geoip *g)
{
	return g ? g->path : "";
}
