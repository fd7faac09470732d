/*
 * fuzz_zone: the zone-file reader (ldns) and our indexing and answering of
 * whatever it accepts.
 */
#include "dns/zone.h"

#include <ldns/ldns.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zonedb *db = zonedb_new();
	struct rerr err;
	FILE *f;

	if (db == NULL || size == 0)
		goto out;
	if ((f = fmemopen((void *)data, size, "r")) == NULL)
		goto out;
	if (zonedb_load_fp(db, f, "fuzz", &err) == R_OK && zonedb_seal(db, &err) == R_OK) {
		static const char *q[] = {"example.test.", "www.example.test.", "a.b.example.test.",
					  "x.wild.example.test.", "."};
		for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
			struct zone_answer ans;
			zonedb_query(db, q[i], LDNS_RR_TYPE_A, &ans);
			zone_answer_clear(&ans);
			zonedb_query(db, q[i], LDNS_RR_TYPE_NS, &ans);
			zone_answer_clear(&ans);
		}
	}
	fclose(f);
out:
	zonedb_free(db);
	return 0;
}
