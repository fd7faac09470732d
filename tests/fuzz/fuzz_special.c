/*
 * fuzz_special: the special-purpose address table reader (rows of prefix, name,
 * RFC, registry; policies/special-purpose.csv is its real form). The input
 * becomes the table, and when it loads, a few addresses are looked up in it.
 */
#include "attrib/special.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char file[64];
	static const char *probe[] = {"192.168.2.1", "10.0.0.1", "8.8.8.8",	    "2001:db8::1",
				      "fe80::1",     "::1",	 "2002:c0a8:201::1"};
	struct special *s = NULL;
	struct rerr err;

	if (file[0] == '\0')
		snprintf(file, sizeof(file), "/tmp/fuzz-special-%ld.csv", (long)getpid());
	FILE *f = fopen(file, "wb");
	if (f == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	rerr_clear(&err);
	if (special_load(file, &s, &err) == R_OK) {
		for (size_t i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
			struct addr a;
			if (addr_parse(probe[i], &a))
				(void)special_find(s, &a);
		}
		special_free(s);
	}
	unlink(file);
	return 0;
}
