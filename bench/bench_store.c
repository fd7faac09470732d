/*
 * bench_store: 1 million attribution rows into scan_attributions through the
 * COPY writer of store/copy.c (what `residency scan` uses), timed; the same rows
 * are also written to a file in COPY text format for `psql \copy` (the anchor,
 * run by bench/30-store.sh). PG* variables name the database.
 * usage: bench_store SCAN_ID ROWS FILE
 */
#include "core/addr.h"
#include "store/copy.h"
#include "store/store.h"

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

/* Row i: an address, a provider and its region, services, country. */
static void row(size_t i, char addr[32], const char **prov, const char **region, const char **cc)
{
	static const char *p[] = {"aws", "gcp", "azure", "oracle"};
	static const char *r[] = {"eu-central-1", "europe-west3", "germanywestcentral",
				  "eu-frankfurt-1"};
	static const char *c[] = {"DE", "DE", "DE", "DE"};
	snprintf(addr, 32, "10.%zu.%zu.%zu", (i >> 16) & 255, (i >> 8) & 255, i & 255);
	if (i >= 1u << 24)
		snprintf(addr, 32, "11.%zu.%zu.%zu", (i >> 16) & 255, (i >> 8) & 255, i & 255);
	*prov = p[i % 4];
	*region = r[i % 4];
	*cc = c[i % 4];
}

int main(int argc, char **argv)
{
	struct store *st = NULL;
	struct copy c;
	struct rerr err;
	size_t n, sent = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: bench_store SCAN_ID ROWS FILE\n");
		return 2;
	}
	long long id = strtoll(argv[1], NULL, 10);
	n = strtoul(argv[2], NULL, 10);
	/* The anchor's input first: the same rows as COPY text. */
	FILE *f = fopen(argv[3], "w");
	if (f == NULL) {
		perror(argv[3]);
		return 3;
	}
	for (size_t i = 0; i < n; i++) {
		char a[32];
		const char *p, *r, *cc;
		row(i, a, &p, &r, &cc);
		fprintf(f, "%lld\t%s\t%s\t%s\t\\N\tEC2,AMAZON\tregional\t%s\tprovider\t%s/32\t%s\tf\tf\n",
			id + 1, a, p, r, cc, a, cc);
	}
	if (fclose(f) != 0)
		return 3;
	if (store_open(NULL, &st, &err) != R_OK) {
		rerr_log(&err);
		return 3;
	}
	double t0 = now();
	if (copy_begin(&c, st,
		       "COPY scan_attributions (scan_id, address, provider, region, border_group, "
		       "services, scope, country, source, prefix, geoip_country, region_unmapped, "
		       "disagreement) FROM STDIN",
		       13, &err) != R_OK) {
		rerr_log(&err);
		return 3;
	}
	for (size_t i = 0; i < n; i++) {
		char a[32], pfx[40];
		const char *p, *r, *cc;
		row(i, a, &p, &r, &cc);
		snprintf(pfx, sizeof(pfx), "%s/32", a);
		copy_int(&c, id);
		copy_str(&c, a);
		copy_str(&c, p);
		copy_str(&c, r);
		copy_str(&c, NULL);
		copy_str(&c, "EC2,AMAZON");
		copy_str(&c, "regional");
		copy_str(&c, cc);
		copy_str(&c, "provider");
		copy_str(&c, pfx);
		copy_str(&c, cc);
		copy_bool(&c, false);
		copy_bool(&c, false);
	}
	if (copy_end(&c, &sent) != R_OK) {
		rerr_log(&err);
		return 3;
	}
	double t1 = now();
	printf("%zu %.3f\n", sent, t1 - t0);
	store_close(st);
	return 0;
}
