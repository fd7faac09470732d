/*
 * fuzz_geoflat: a cached flat country table (attrib/geoflat), as read back
 * from the cache folder; when it is accepted, lookups of addresses taken from
 * the input itself, IPv4 and IPv6.
 */
#include "attrib/geoflat.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A mapped file is page aligned: give the reader aligned bytes. */
	uint64_t *copy = malloc((size / 8 + 1) * 8);
	struct geoflat *f;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if ((f = geoflat_open(copy, size, NULL)) != NULL) {
		for (size_t off = 0; off + 16 <= size; off += 997) {
			struct addr a;
			char cc[3];
			memset(&a, 0, sizeof(a));
			memcpy(a.b, data + off, 16);
			a.family = 6;
			geoflat_country(f, &a, cc);
			a.family = 4;
			geoflat_country(f, &a, cc);
		}
		geoflat_free(f);
	}
	free(copy);
	return 0;
}
