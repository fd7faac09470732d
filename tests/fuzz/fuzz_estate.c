/*
 * fuzz_estate: the estate reader (jansson + jsonpos + our checks), against the
 * judge fixture's policies. The input is written to a private temp file.
 */
#include "core/paths.h"
#include "policy/policy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char file[64];
	char dir[4096];
	struct estate *e = NULL;
	struct rerr err;

	if (file[0] == '\0')
		snprintf(file, sizeof(file), "/tmp/fuzz-estate-%ld.json", (long)getpid());
	FILE *f = fopen(file, "wb");
	if (f == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (estate_load(file, paths_data("tests/fixtures/judge/policies", dir, sizeof(dir)), &e,
			&err) == R_OK)
		estate_free(e);
	unlink(file);
	return 0;
}
