/*
 * fuzz_attrib_table: a cached prefix table (attrib/tablecache: header, then the
 * table's block), as read back from the cache folder; when it is accepted,
 * every node's parents, records and strings, and lookups of addresses taken
 * from the input itself.
 */
#include "attrib/tablecache.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t *copy = malloc((size / 8 + 1) * 8); /* aligned, as a mapped file is */
	struct tablecache_set sets[TABLECACHE_MAX_SETS];
	struct prefixes *t;
	volatile size_t sink = 0;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (tablecache_parse(copy, size, NULL, &t, sets, TABLECACHE_MAX_SETS)) {
		for (int32_t nd = 0; (size_t)nd < prefixes_nodes(t); nd++) {
			char text[64];
			prefix_format(prefixes_prefix(t, nd), text, sizeof(text));
			for (int32_t up = nd; up >= 0; up = prefixes_parent(t, up)) {
				const struct prefix_rec *recs;
				size_t n = prefixes_records(t, up, &recs);
				for (size_t i = 0; i < n; i++)
					sink += strlen(prefixes_str(t, recs[i].provider)) +
						strlen(prefixes_str(t, recs[i].region)) +
						strlen(prefixes_str(t, recs[i].border_group)) +
						strlen(prefixes_str(t, recs[i].service));
			}
		}
		for (size_t off = 0; off + 16 <= size; off += 499) {
			struct addr a;
			memset(&a, 0, sizeof(a));
			memcpy(a.b, data + off, 16);
			a.family = 6;
			sink += (size_t)(prefixes_lookup(t, &a) + 1);
			a.family = 4;
			sink += (size_t)(prefixes_lookup(t, &a) + 1);
		}
		prefixes_free(t);
	}
	(void)sink;
	free(copy);
	return 0;
}
