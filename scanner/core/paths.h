/*
 * paths: where bundled data lives at run time (data/ranges, policies/,
 * deps/geoip/). The build bakes in the checkout (or install) folder;
 * RESIDENCY_DATADIR in the environment overrides it.
 */
#ifndef RESIDENCY_PATHS_H
#define RESIDENCY_PATHS_H

#include <stddef.h>

const char *paths_datadir(void);
/* Writes datadir/rel into buf and returns buf. */
const char *paths_data(const char *rel, char *buf, size_t len);

/* Makes the folders leading to file `path` (mode 0755); errors are left to
 * whoever then opens the file. */
void paths_mkdirs_for(const char *path);

#endif
