/*
 * bench_attrib: the prefix table against libmaxminddb on the same addresses,
 * in the same run: load time of all bundled snapshots, table size, IPv4 and
 * IPv6 longest-prefix lookups per second on one core; then what `residency
 * lookup` uses: GeoIP from the flattened database, and attrib_open with its
 * caches warm.
 */
#include "attrib/attrib.h"
#include "attrib/geoip.h"
#include "attrib/prefixes.h"
#include "core/paths.h"
#include "ranges/ranges.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

int main(void)
{
	enum { N = 1 << 20, ROUNDS = 8 };
	struct range_set sets[16];
	size_t nsets = 0, total = 0;
	struct rerr err;
	struct prefixes *t;
	struct geoip *g;
	char path[4096];
	volatile long sink = 0;

	double t0 = now();
	for (const struct range_provider *p = range_providers; p->name; p++) {
		range_set_init(&sets[nsets], p->name);
		if (ranges_load_bundled(p->name, &sets[nsets], &err) != R_OK) {
			fprintf(stderr, "%s: %s\n", err.where, err.msg);
			return 3;
		}
		total += sets[nsets++].n;
	}
	if (prefixes_build(sets, nsets, &t, &err) != R_OK)
		return 3;
	double load = now() - t0;
	if (geoip_open(paths_data("deps/geoip/country.mmdb", path, sizeof(path)), &g, &err) != R_OK)
		return 3;

	/* Addresses: half inside provider ranges (a random record, random host),
	 * half uniformly random. */
	struct addr *v4 = calloc(N, sizeof(*v4)), *v6 = calloc(N, sizeof(*v6));
	size_t n4 = 0, n6 = 0;
	while (n4 < N || n6 < N) {
		const struct range_set *s = &sets[next() % nsets];
		if (s->n == 0)
			continue;
		struct addr a = s->v[next() % s->n].prefix.addr;
		uint64_t r = next();
		if (next() & 1) {
			for (int i = 0; i < 16; i++)
				a.b[i] = (uint8_t)(next() >> 11);
		} else {
			a.b[a.family == 4 ? 3 : 15] ^= (uint8_t)r;
		}
		if (a.family == 4 && n4 < N)
			v4[n4++] = a;
		else if (a.family == 6 && n6 < N)
			v6[n6++] = a;
	}

	/* What `residency lookup` uses: GeoIP flattened. */
	struct geoip *flat;
	if (geoip_open(paths_data("deps/geoip/country.mmdb", path, sizeof(path)), &flat, &err) !=
		R_OK ||
	    !geoip_flatten(flat, NULL))
		return 3;
	double frate[2];

	double rate[4];
	struct addr *arr[2] = {v4, v6};
	for (int f = 0; f < 2; f++) {
		t0 = now();
		for (int r = 0; r < ROUNDS; r++)
			for (size_t i = 0; i < N; i++)
				sink += prefixes_lookup(t, &arr[f][i]);
		rate[f] = (double)N * ROUNDS / (now() - t0);
		t0 = now();
		for (size_t i = 0; i < N; i++) {
			char cc[3];
			geoip_country(g, &arr[f][i], cc);
			sink += cc[0];
		}
		rate[2 + f] = (double)N / (now() - t0);
		t0 = now();
		for (int r = 0; r < ROUNDS; r++)
			for (size_t i = 0; i < N; i++) {
				char cc[3];
				geoip_country(flat, &arr[f][i], cc);
				sink += cc[0];
			}
		frate[f] = (double)N * ROUNDS / (now() - t0);
	}
	/* attrib_open as `residency lookup` does it: built table and flat GeoIP from the cache */
	struct attrib *at;
	if (attrib_open(NULL, 0, NULL, &at, &err) != R_OK)
		return 3;
	attrib_free(at);
	t0 = now();
	if (attrib_open(NULL, 0, NULL, &at, &err) != R_OK)
		return 3;
	double open_cached = now() - t0;
	attrib_free(at);
	printf("| load all %zu bundled records of %zu providers + build the table | %.0f ms |\n",
	       total, nsets, load * 1000);
	printf("| table size (%zu prefixes) | %.1f MiB |\n", prefixes_nodes(t),
	       (double)prefixes_bytes(t) / 1048576.0);
	printf("| IPv4 longest-prefix lookups (residency) | %.1f M/s |\n", rate[0] / 1e6);
	printf("| IPv4 MMDB_lookup_sockaddr + country (anchor) | %.1f M/s |\n", rate[2] / 1e6);
	printf("| IPv4 ratio residency / libmaxminddb | %.1f |\n", rate[0] / rate[2]);
	printf("| IPv6 longest-prefix lookups (residency) | %.1f M/s |\n", rate[1] / 1e6);
	printf("| IPv6 MMDB_lookup_sockaddr + country (anchor) | %.1f M/s |\n", rate[3] / 1e6);
	printf("| IPv6 ratio residency / libmaxminddb | %.1f |\n", rate[1] / rate[3]);
	printf("| GeoIP country from the flattened database, IPv4 / IPv6 | %.1f / %.1f M/s |\n",
	       frate[0] / 1e6, frate[1] / 1e6);
	printf(
	    "| attrib_open with the table and GeoIP caches warm (what lookup loads) | %.0f ms |\n",
	    open_cached * 1000);
	for (size_t i = 0; i < nsets; i++)
		range_set_free(&sets[i]);
	prefixes_free(t);
	geoip_free(g);
	geoip_free(flat);
	free(v4);
	free(v6);
	return sink == 42;
}
