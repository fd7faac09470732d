/*
 * paths: the bundled-data folder.
 */
#include "core/paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef RESIDENCY_DATADIR
#define RESIDENCY_DATADIR "."
#endif

const char *paths_datadir(void)
{
	const char *e = getenv("RESIDENCY_DATADIR");

	return e && *e ? e : RESIDENCY_DATADIR;
}

const char *paths_data(const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", paths_datadir(), rel);
	return buf;
}

void paths_mkdirs_for(const char *path)
{
	char dir[4400];

	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL)
		return;
	*slash = '\0';
	for (char *c = dir + 1; *c; c++)
		if (*c == '/') {
			*c = '\0';
			mkdir(dir, 0755);
			*c = '/';
		}
	mkdir(dir, 0755);
}
