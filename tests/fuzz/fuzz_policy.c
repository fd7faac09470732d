/*
 * fuzz_policy: the policy reader (countries, groups, waivers, dates). The input
 * becomes the only policy of a private temp folder.
 */
#include "core/paths.h"
#include "policy/policy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64], file[96];
	char estate[4096];
	struct estate *e = NULL;
	struct rerr err;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-policy-%ld", (long)getpid());
		snprintf(file, sizeof(file), "%s/p.json", dir);
	}
	mkdir(dir, 0700);
	FILE *f = fopen(file, "wb");
	if (f == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (estate_load(
		paths_data("tests/fixtures/policy-bad/estate-ok.json", estate, sizeof(estate)), dir,
		&e, &err) == R_OK)
		estate_free(e);
	unlink(file);
	rmdir(dir);
	return 0;
}
