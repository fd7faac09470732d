/*
 * fuzz_ranges_json: every JSON range format. The first byte picks the format
 * (aws gcp azure oracle github fastly vultr), the rest is the file.
 */
#include "ranges/ranges.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *providers[] = {"aws",    "gcp",    "azure", "oracle",
					  "github", "fastly", "vultr"};
	struct range_set s;
	struct rerr err;

	if (size < 1)
		return 0;
	const char *p = providers[data[0] % (sizeof(providers) / sizeof(providers[0]))];
	range_set_init(&s, p);
	if (ranges_parse(p, (const char *)data + 1, size - 1, "fuzz", &s, &err) == R_OK)
		ranges_sanity(&s, "fuzz", &err);
	range_set_free(&s);
	return 0;
}
