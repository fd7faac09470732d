/*
 * paths: the bundled-data folder.
 */
#include "core/paths.h"

#include <stdio.h>
#include <stdlib.h>

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
