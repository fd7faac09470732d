/*
 * geoflat: the flat country tables as bytes (see geoflat.h).
 *
 * A block: a 128-byte header (magic, key, byte order, entry sizes, counts),
 * then n4 IPv4 entries of 8 bytes, then n6 IPv6 entries of 24, host byte order.
 */
#include "attrib/geoflat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLAT_MAGIC "residency-geoflat-v1"
#define FLAT_ORDER 0x01020304u

struct geo4 {
	uint32_t start;
	uint16_t cc;
	uint16_t pad;
};

struct geo6 {
	uint64_t hi, lo;
	uint16_t cc;
	uint16_t pad[3];
};

struct flat_header {
	char magic[24];
	char key[72]; /* NUL-terminated */
	uint32_t order;
	uint32_t sizes; /* sizeof(struct geo4) << 16 | sizeof(struct geo6) */
	uint64_t n4, n6;
	uint64_t reserved;
};
_Static_assert(sizeof(struct flat_header) == 128, "the block header is 128 bytes");
_Static_assert(sizeof(struct geo4) == 8 && sizeof(struct geo6) == 24, "block entry sizes");

struct geoflat {
	const struct geo4 *v4;
	const struct geo6 *v6;
	size_t n4, n6;
	uint32_t idx16[65537]; /* idx16[h]: the first v4 range starting at or after h << 16 */
};

void *geoflat_pack(const char *key, const struct geoflat_range *v4, size_t n4,
		   const struct geoflat_range *v6, size_t n6, size_t *len)
{
	struct flat_header h;

	*len = 0;
	if (n4 > GEOFLAT_MAX_RANGES || n6 > GEOFLAT_MAX_RANGES)
		return NULL;
	size_t total = sizeof(h) + n4 * sizeof(struct geo4) + n6 * sizeof(struct geo6);
	char *b = calloc(1, total);
	if (b == NULL)
		return NULL;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, FLAT_MAGIC, sizeof(FLAT_MAGIC));
	snprintf(h.key, sizeof(h.key), "%s", key);
	h.order = FLAT_ORDER;
	h.sizes = sizeof(struct geo4) << 16 | sizeof(struct geo6);
	h.n4 = n4;
	h.n6 = n6;
	memcpy(b, &h, sizeof(h));
	struct geo4 *o4 = (struct geo4 *)(b + sizeof(h));
	struct geo6 *o6 = (struct geo6 *)(o4 + n4);
	for (size_t i = 0; i < n4; i++) {
		o4[i].start = (uint32_t)v4[i].lo;
		o4[i].cc = v4[i].cc;
	}
	for (size_t i = 0; i < n6; i++) {
		o6[i].hi = v6[i].hi;
		o6[i].lo = v6[i].lo;
		o6[i].cc = v6[i].cc;
	}
	*len = total;
	return b;
}

struct geoflat *geoflat_open(const void *data, size_t len, const char *key)
{
	const struct flat_header *h = data;

	if (data == NULL || len < sizeof(*h) || (uintptr_t)data % 8 != 0)
		return NULL;
	if (memcmp(h->magic, FLAT_MAGIC, sizeof(FLAT_MAGIC)) != 0 || h->order != FLAT_ORDER ||
	    h->sizes != (sizeof(struct geo4) << 16 | sizeof(struct geo6)) ||
	    memchr(h->key, '\0', sizeof(h->key)) == NULL || (key && strcmp(h->key, key) != 0))
		return NULL;
	if (h->n4 < 1 || h->n4 > GEOFLAT_MAX_RANGES || h->n6 < 1 || h->n6 > GEOFLAT_MAX_RANGES ||
	    len != sizeof(*h) + h->n4 * sizeof(struct geo4) + h->n6 * sizeof(struct geo6))
		return NULL;
	/* Sorted, from address 0: then every search ends on a range that holds
	 * the address (memory safety needs only the counts; right answers need this). */
	const struct geo4 *v4 = (const struct geo4 *)(h + 1);
	const struct geo6 *v6 = (const struct geo6 *)(v4 + h->n4);
	if (v4[0].start != 0 || v6[0].hi != 0 || v6[0].lo != 0)
		return NULL;
	for (size_t i = 1; i < h->n4; i++)
		if (v4[i].start <= v4[i - 1].start)
			return NULL;
	for (size_t i = 1; i < h->n6; i++)
		if (v6[i].hi < v6[i - 1].hi ||
		    (v6[i].hi == v6[i - 1].hi && v6[i].lo <= v6[i - 1].lo))
			return NULL;

	struct geoflat *f = malloc(sizeof(*f));
	if (f == NULL)
		return NULL;
	f->n4 = (size_t)h->n4;
	f->n6 = (size_t)h->n6;
	f->v4 = v4;
	f->v6 = v6;
	size_t j = 0;
	for (uint32_t i = 0; i <= 65536; i++) {
		uint64_t bound = (uint64_t)i << 16;
		while (j < f->n4 && f->v4[j].start < bound)
			j++;
		f->idx16[i] = (uint32_t)j;
	}
	return f;
}

void geoflat_free(struct geoflat *f)
{
	free(f);
}

static void unpack(uint16_t v, char cc[3])
{
	cc[0] = (char)(v & 0xff);
	cc[1] = (char)(v >> 8);
	cc[2] = '\0';
}

void geoflat_country(const struct geoflat *f, const struct addr *a, char cc[3])
{
	if (a->family == 4) {
		uint32_t k = (uint32_t)a->b[0] << 24 | (uint32_t)a->b[1] << 16 |
			     (uint32_t)a->b[2] << 8 | a->b[3];
		uint32_t h = k >> 16;
		/* The last range starting at or before k: between the one before this
		 * /16's first and the next /16's first (v4[0] starts at 0). */
		size_t lo = f->idx16[h] ? f->idx16[h] - 1 : 0, hi = f->idx16[h + 1];
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if (f->v4[mid].start <= k)
				lo = mid;
			else
				hi = mid;
		}
		unpack(f->v4[lo].cc, cc);
		return;
	}
	if (a->family != 6) {
		cc[0] = '\0';
		return;
	}
	uint64_t khi = 0, klo = 0;
	for (int i = 0; i < 8; i++) {
		khi = khi << 8 | a->b[i];
		klo = klo << 8 | a->b[8 + i];
	}
	size_t lo = 0, hi = f->n6;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		const struct geo6 *r = &f->v6[mid];
		if (r->hi < khi || (r->hi == khi && r->lo <= klo))
			lo = mid;
		else
			hi = mid;
	}
	unpack(f->v6[lo].cc, cc);
}
