/*
 * fuzz_ranges_geofeed: RFC 8805 CSV geofeeds (DigitalOcean, Linode).
 */
#include "ranges/ranges.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct range_set s;
	struct rerr err;

	range_set_init(&s, "linode");
	if (ranges_parse("linode", (const char *)data, size, "fuzz", &s, &err) == R_OK)
		ranges_sanity(&s, "fuzz", &err);
	range_set_free(&s);
	return 0;
}
