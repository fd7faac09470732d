/*
 * parts: cutting a path into the rows and parts it is stored as (see parts.h).
 */
#include "store/parts.h"
#include "report/digest.h"

#include <stdio.h>
#include <string.h>

static bool same_zone(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

size_t parts_span(const struct path *p, size_t at)
{
	const struct path_elem *first = &p->elems[at];
	size_t j = at + 1;

	if (first->kind != PATH_NS || first->parent < 0 || (size_t)first->parent >= at)
		return 0;
	while (j < p->n) {
		const struct path_elem *e = &p->elems[j];
		if (e->kind == PATH_NS && e->parent == first->parent &&
		    same_zone(e->zone, first->zone))
			j++;
		else if (e->kind == PATH_ADDRESS && e->parent >= 0 && (size_t)e->parent >= at &&
			 (size_t)e->parent < j)
			j++;
		else
			break;
	}
	return j - at >= 2 ? j - at : 0;
}

int parts_rel_parent(const struct path *p, size_t from, size_t i)
{
	int parent = p->elems[from + i].parent;
	return parent >= 0 && (size_t)parent >= from ? parent - (int)from : -1;
}

bool parts_key(const struct path *p, size_t from, size_t n, char key[PARTS_KEYLEN])
{
	struct digest *d = digest_new();
	uint8_t md[DIGEST_LEN];
	char hex[DIGEST_HEXLEN];

	for (size_t i = 0; d && i < n; i++) {
		const struct path_elem *e = &p->elems[from + i];
		char a[ADDR_STRLEN], rel[16];
		snprintf(rel, sizeof(rel), "%d", parts_rel_parent(p, from, i));
		const char *f[5] = {path_kind_name(e->kind), e->name,
				    e->kind == PATH_ADDRESS ? addr_format(&e->addr, a, sizeof(a))
							    : NULL,
				    dns_status_name(e->status), rel};
		digest_record(d, "elem", 5, f);
		const char *z[1] = {e->zone && *e->zone ? e->zone : NULL};
		digest_record(d, "zone", 1, z);
	}
	if (d == NULL)
		return false;
	digest_final(d, md);
	digest_free(d);
	digest_hex(md, hex);
	memcpy(key, hex, PARTS_KEYLEN - 1);
	key[PARTS_KEYLEN - 1] = '\0';
	return true;
}
