/*
 * fuzz_ranges_cache: the parsed-ranges cache file (ranges.c keeps each
 * provider's parsed bundled files in the cache folder: a header, then the
 * records), as read back by ranges_parsed_parse. When it is accepted, every
 * record's strings and prefix are used, as attribution would use them.
 */
#include "ranges/internal.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct range_set s;
	const char *why;
	volatile size_t sink = 0;

	range_set_init(&s, "cloudflare");
	if (ranges_parsed_parse(data, size, NULL, &s, &why) == PARSED_OK) {
		for (size_t i = 0; i < s.n; i++) {
			char text[64];
			const struct range_entry *e = &s.v[i];
			sink += strlen(prefix_format(&e->prefix, text, sizeof(text))) +
				strlen(e->region) + strlen(e->border_group) + strlen(e->service) +
				strlen(e->country) + (size_t)e->global +
				(size_t)e->prefix.addr.mapped;
		}
		sink += strlen(s.version);
	}
	sink += strlen(why);
	(void)sink;
	range_set_free(&s);
	return 0;
}
