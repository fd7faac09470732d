/*
 * hash: the string hash of the project's open-addressing tables (FNV-1a).
 */
#ifndef RESIDENCY_HASH_H
#define RESIDENCY_HASH_H

#include <stdint.h>

static inline uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

#endif
