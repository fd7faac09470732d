/*
 * fuzz_evidence_bundle: `residency evidence verify BUNDLE`, the reader of what
 * a regulator is handed: manifest.json (canonical form, file list, chain,
 * signature), records.jsonl (one canonical record a line, re-derived into
 * every other file), public_key.pem and snapshots/SEQ/N-NAME.
 *
 * Verification reads a folder, so an input is a bundle packed in one file:
 * sections, each opened by a line "--8<-- NAME" and holding that file's bytes
 * up to the next such line (a section's last newline belongs to the marker).
 * NAME is a relative path of at most three parts of [a-z0-9_.-], none "." or
 * "..", so that nothing is written outside the bundle. The bundle is written
 * into one scratch folder, verified, and emptied for the next input.
 * FUZZ_VERBOSE=1 in the environment prints verify's findings.
 */
#define _XOPEN_SOURCE 700
#include "report/evidence.h"

#include <ftw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MARK "--8<-- "
#define MARKLEN (sizeof(MARK) - 1)

static char scratch[4096];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

static void empty_scratch(void)
{
	nftw(scratch, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void drop_scratch(void)
{
	empty_scratch();
	rmdir(scratch);
}

/* Whether name is a safe relative path of at most three parts. */
static bool safe_name(const char *name)
{
	int parts = 1;
	size_t run = 0;

	if (*name == '\0')
		return false;
	for (const char *p = name;; p++) {
		if (*p == '/' || *p == '\0') {
			if (run == 0 || (run == 1 && p[-1] == '.') ||
			    (run == 2 && p[-1] == '.' && p[-2] == '.'))
				return false;
			if (*p == '\0')
				return true;
			if (++parts > 3)
				return false;
			run = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '.' || *p == '-'))
			return false;
		run++;
	}
}

/* Writes one section; a name that cannot be made (a file where a folder is) is skipped. */
static void write_file(const char *name, const uint8_t *body, size_t len)
{
	char path[8192];

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	for (char *s = path + strlen(scratch) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(path, 0700);
		*s = '/';
	}
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		return;
	if (len)
		fwrite(body, 1, len, f);
	fclose(f);
}

/* The start of the next marker line at or after from, or size. */
static size_t next_mark(const uint8_t *data, size_t size, size_t from)
{
	for (size_t i = from; i + MARKLEN <= size; i++)
		if ((i == 0 || data[i - 1] == '\n') && memcmp(data + i, MARK, MARKLEN) == 0)
			return i;
	return size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (scratch[0] == '\0') {
		const char *tmp = getenv("TMPDIR");
		snprintf(scratch, sizeof(scratch), "%s/fuzz_evidence_bundle.XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		if (mkdtemp(scratch) == NULL) {
			perror(scratch);
			abort();
		}
		atexit(drop_scratch);
	}
	empty_scratch();

	size_t at = next_mark(data, size, 0);
	while (at < size) {
		size_t name_start = at + MARKLEN, eol = name_start;
		while (eol < size && data[eol] != '\n')
			eol++;
		size_t body = eol < size ? eol + 1 : size;
		size_t end = next_mark(data, size, body);
		size_t blen = end - body;
		if (end < size && blen > 0)
			blen--; /* the newline before the next marker is the marker's */
		char name[256];
		size_t nlen = eol - name_start;
		if (nlen < sizeof(name)) {
			memcpy(name, data + name_start, nlen);
			name[nlen] = '\0';
			if (strlen(name) == nlen && safe_name(name))
				write_file(name, data + body, blen);
		}
		at = end;
	}

	/* FUZZ_VERBOSE=1 prints what verify finds (to check a seed verifies). */
	struct rerr err;
	rerr_clear(&err);
	const char *v = getenv("FUZZ_VERBOSE");
	(void)evidence_verify_bundle(scratch, NULL, v && *v == '1' ? stderr : NULL, &err);
	return 0;
}
