/*
 * store/scan_read: a stored scan read back as the judge's input (see
 * scan_read.h).
 *
 * Order. The judge's findings come out in the order of services, of paths
 * within a service, and of elements within a path. Elements carry their index
 * (idx); services and paths carry no ordinal, so their order is the order in
 * which store_scan_job() wrote them, which is the heap order of the rows (ctid) of the
 * scan's one COPY. That order can only differ when PostgreSQL reused space
 * freed in those tables (rows of failed scans rolled back, then vacuumed);
 * then services and paths may be listed in another order, but never judged
 * differently: paths are rebuilt from (service, endpoint, mail, idx) alone and
 * each path is judged whole. An ordinal column would remove even that.
 *
 * Memory. Element rows are read through a cursor, in batches, ordered by
 * service and heap position: the index on (scan_id, service) gives the
 * services, and PostgreSQL sorts only each service's rows by ctid (an
 * incremental sort; measured on 370,000 rows of 100 services: 0.23 s, 600 kB
 * per group). Each service's rows are kept (names copied into an arena, parts
 * expanded in C from the scan's parts, read once), rebuilt into paths, handed
 * to the caller and dropped. Attributions are held as an address and the index
 * of an interned tuple of their other fields: a scan's addresses share a few
 * (provider, region, prefix, ...) tuples.
 */
#include "store/scan_read.h"
#include "attrib/special.h"
#include "core/hash.h"
#include "store/internal.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows per FETCH of a cursor: a batch is a few MiB of PGresult. */
#define FETCH_ROWS "8192"

/* Columns of the attributions query. */
enum {
	A_ADDRESS,
	A_PROVIDER,
	A_REGION,
	A_BORDER,
	A_SERVICES,
	A_SCOPE,
	A_COUNTRY,
	A_SOURCE,
	A_PREFIX,
	A_GEOIP,
	A_UNMAPPED,
	A_DISAGREE
};
/* Columns of the elements query. */
enum {
	E_SERVICE,
	E_ENDPOINT,
	E_MAIL,
	E_IDX,
	E_KIND,
	E_NAME,
	E_ADDRESS,
	E_STATUS,
	E_PARENT,
	E_ZONE,
	E_PART
};
/* Columns of the parts query. */
enum { P_PART, P_IDX, P_KIND, P_NAME, P_ADDRESS, P_STATUS, P_PARENT, P_ZONE };

/* The enums back from the names the scan stored them by. */
static bool parse_kind(const char *s, enum path_kind *out)
{
	for (int k = PATH_NAME; k <= PATH_MX; k++)
		if (strcmp(path_kind_name((enum path_kind)k), s) == 0) {
			*out = (enum path_kind)k;
			return true;
		}
	return false;
}

static bool parse_status(const char *s, enum dns_status *out)
{
	for (int k = DNS_OK; k <= DNS_STATUS_LAST; k++)
		if (strcmp(dns_status_name((enum dns_status)k), s) == 0) {
			*out = (enum dns_status)k;
			return true;
		}
	return false;
}

static bool parse_scope(const char *s, enum attr_scope *out)
{
	for (int k = ATTR_SCOPE_NONE; k <= ATTR_SCOPE_GLOBAL; k++)
		if (strcmp(attr_scope_name((enum attr_scope)k), s) == 0) {
			*out = (enum attr_scope)k;
			return true;
		}
	return false;
}

static bool parse_source(const char *s, enum attr_source *out)
{
	for (int k = ATTR_SRC_NONE; k <= ATTR_SRC_SPECIAL; k++)
		if (strcmp(attr_source_name((enum attr_source)k), s) == 0) {
			*out = (enum attr_source)k;
			return true;
		}
	return false;
}

/*
 * An open-addressing index of interned entries (strings, tuples): each slot
 * holds an entry's hash and its number + 1 (0: empty). Half full at most.
 */
struct islot {
	uint32_t h, i;
};
struct itab {
	struct islot *v;
	size_t n, cap; /* cap a power of two */
};

typedef bool (*itab_eq_fn)(const void *pool, uint32_t i, const void *key);

static bool itab_grow(struct itab *t)
{
	size_t cap = t->cap ? t->cap * 2 : 1024;
	struct islot *v = calloc(cap, sizeof(*v));
	if (v == NULL)
		return false;
	for (size_t k = 0; k < t->cap; k++) {
		if (t->v[k].i == 0)
			continue;
		size_t j = t->v[k].h & (cap - 1);
		while (v[j].i)
			j = (j + 1) & (cap - 1);
		v[j] = t->v[k];
	}
	free(t->v);
	t->v = v;
	t->cap = cap;
	return true;
}

/*
 * The number of the entry of pool equal to key (hash h), or UINT32_MAX with
 * *slot where entry `next` is to go. False when memory ran out.
 */
static bool itab_find(struct itab *t, uint32_t h, itab_eq_fn eq, const void *pool, const void *key,
		      uint32_t *found, size_t *slot)
{
	if ((t->n + 1) * 2 > t->cap && !itab_grow(t))
		return false;
	size_t j = h & (t->cap - 1);
	for (; t->v[j].i; j = (j + 1) & (t->cap - 1))
		if (t->v[j].h == h && eq(pool, t->v[j].i - 1, key)) {
			*found = t->v[j].i - 1;
			return true;
		}
	*found = UINT32_MAX;
	*slot = j;
	return true;
}

static void itab_put(struct itab *t, size_t slot, uint32_t h, uint32_t i)
{
	t->v[slot].h = h;
	t->v[slot].i = i + 1;
	t->n++;
}

/* The fields of an attribution other than its address, interned strings by number. */
enum { S_PROVIDER, S_REGION, S_BORDER, S_SERVICES, S_COUNTRY, S_GEOIP, S_PREFIX, S_N };
struct attr_tuple {
	uint32_t str[S_N];
	uint8_t scope, source, unmapped, disagree; /* no padding: hashed as bytes */
};

struct scan_read_attr {
	struct addr addr;
	uint32_t tuple;
};

struct scan_read_attrs {
	char **str; /* interned strings */
	size_t nstr, capstr;
	struct itab stri;
	struct attr_tuple *tuple;
	size_t ntuple, captuple;
	struct itab tuplei;
	struct scan_read_attr *v; /* sorted by address once all are read */
	size_t n, cap;
};

static bool str_eq(const void *pool, uint32_t i, const void *key)
{
	return strcmp(((const struct scan_read_attrs *)pool)->str[i], key) == 0;
}

static bool tuple_eq(const void *pool, uint32_t i, const void *key)
{
	return memcmp(&((const struct scan_read_attrs *)pool)->tuple[i], key,
		      sizeof(struct attr_tuple)) == 0;
}

static uint32_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t h = 2166136261u;
	for (size_t k = 0; k < n; k++)
		h = (h ^ b[k]) * 16777619u;
	return h;
}

/* Grows *v (of *cap elements of size each) to hold one more than n; false when it cannot. */
static bool grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 64;
	if (ncap > SIZE_MAX / size)
		return false;
	void *nv = realloc(*v, ncap * size);
	if (nv == NULL)
		return false;
	*v = nv;
	*cap = ncap;
	return true;
}

/* The number of string s in the pool, added if new. Bounded by uint32. */
static enum rstatus intern_str(struct scan_read_attrs *a, const char *s, uint32_t *out,
			       struct rerr *err)
{
	uint32_t h = hash_str(s), found;
	size_t slot;
	if (!itab_find(&a->stri, h, str_eq, a, s, &found, &slot))
		return rerr_set(err, R_ENOMEM, "scan_attributions", 0, "out of memory");
	if (found != UINT32_MAX) {
		*out = found;
		return R_OK;
	}
	if (a->nstr >= UINT32_MAX - 1)
		return rerr_set(err, R_EDB, "scan_attributions", 0,
				"more than %" PRIu32 " distinct attribution fields",
				UINT32_MAX - 1);
	char *copy = strdup(s);
	if (copy == NULL || !grow((void **)&a->str, &a->capstr, a->nstr, sizeof(*a->str))) {
		free(copy);
		return rerr_set(err, R_ENOMEM, "scan_attributions", 0, "out of memory");
	}
	a->str[a->nstr] = copy;
	itab_put(&a->stri, slot, h, (uint32_t)a->nstr);
	*out = (uint32_t)a->nstr++;
	return R_OK;
}

static enum rstatus intern_tuple(struct scan_read_attrs *a, const struct attr_tuple *t,
				 uint32_t *out, struct rerr *err)
{
	uint32_t h = hash_bytes(t, sizeof(*t)), found;
	size_t slot;
	if (!itab_find(&a->tuplei, h, tuple_eq, a, t, &found, &slot))
		return rerr_set(err, R_ENOMEM, "scan_attributions", 0, "out of memory");
	if (found != UINT32_MAX) {
		*out = found;
		return R_OK;
	}
	if (a->ntuple >= UINT32_MAX - 1)
		return rerr_set(err, R_EDB, "scan_attributions", 0,
				"more than %" PRIu32 " distinct attributions", UINT32_MAX - 1);
	if (!grow((void **)&a->tuple, &a->captuple, a->ntuple, sizeof(*a->tuple)))
		return rerr_set(err, R_ENOMEM, "scan_attributions", 0, "out of memory");
	a->tuple[a->ntuple] = *t;
	itab_put(&a->tuplei, slot, h, (uint32_t)a->ntuple);
	*out = (uint32_t)a->ntuple++;
	return R_OK;
}

static void attrs_free(struct scan_read_attrs *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->nstr; i++)
		free(a->str[i]);
	free(a->str);
	free(a->stri.v);
	free(a->tuple);
	free(a->tuplei.v);
	free(a->v);
	free(a);
}

static int attr_cmp(const void *a, const void *b)
{
	return addr_cmp(&((const struct scan_read_attr *)a)->addr,
			&((const struct scan_read_attr *)b)->addr);
}

static const struct scan_read_attr *find_attr(const struct scan_read *s, const struct addr *a)
{
	struct scan_read_attr key;
	key.addr = *a;
	key.tuple = 0;
	return bsearch(&key, s->attrs->v, s->attrs->n, sizeof(*s->attrs->v), attr_cmp);
}

/* src into dst[len], cut as snprintf("%s") cuts it (called for every address judged). */
static void copy(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void store_scan_attribution(void *ctx, const struct addr *a, struct attribution *out)
{
	const struct scan_read *s = ctx;
	const struct scan_read_attr *sa = find_attr(s, a);

	memset(out, 0, sizeof(*out));
	out->addr = *a;
	if (sa == NULL)
		return; /* store_scan_read() saw one for every address; unknown all the same */
	const struct attr_tuple *t = &s->attrs->tuple[sa->tuple];
	char *const *str = s->attrs->str;
	copy(out->provider, sizeof(out->provider), str[t->str[S_PROVIDER]]);
	copy(out->region, sizeof(out->region), str[t->str[S_REGION]]);
	copy(out->border_group, sizeof(out->border_group), str[t->str[S_BORDER]]);
	copy(out->services, sizeof(out->services), str[t->str[S_SERVICES]]);
	copy(out->country, sizeof(out->country), str[t->str[S_COUNTRY]]);
	copy(out->geoip_country, sizeof(out->geoip_country), str[t->str[S_GEOIP]]);
	copy(out->prefix, sizeof(out->prefix), str[t->str[S_PREFIX]]);
	out->scope = (enum attr_scope)t->scope;
	out->source = (enum attr_source)t->source;
	out->region_unmapped = t->unmapped;
	if (out->source == ATTR_SRC_SPECIAL) {
		/* store_scan_job() keeps the registry's name in region and its RFC in services */
		copy(out->special, sizeof(out->special), out->region);
		copy(out->special_rfc, sizeof(out->special_rfc), str[t->str[S_SERVICES]]);
		out->region[0] = out->services[0] = '\0';
	}
	/* What the address embeds is fixed by its form: said again, not stored. */
	struct addr v4;
	const char *via = special_embedded(a, &v4);
	if (via) {
		out->embedded = v4;
		copy(out->embedded_via, sizeof(out->embedded_via), via);
	}
	out->disagreement = t->disagree;
}

/* The parts of the scan (schema 012), each element by element, read once. */
struct part_ref {
	const char *key;
	int first, n; /* rows of scan_read_parts.rows */
};
struct scan_read_parts {
	PGresult *rows; /* ordered by part (bytes), idx */
	struct part_ref *v;
	size_t n;
};

static void parts_free(struct scan_read_parts *p)
{
	if (p == NULL)
		return;
	PQclear(p->rows);
	free(p->v);
	free(p);
}

static int part_cmp(const void *a, const void *b)
{
	return strcmp(((const struct part_ref *)a)->key, ((const struct part_ref *)b)->key);
}

static const struct part_ref *find_part(const struct scan_read *s, const char *key)
{
	struct part_ref k = {key, 0, 0};
	return bsearch(&k, s->parts->v, s->parts->n, sizeof(*s->parts->v), part_cmp);
}

static enum rstatus read_rows(struct store *st, const char *sql, const char *id, PGresult **out,
			      const char *what, struct rerr *err)
{
	const char *p[1] = {id};
	*out = PQexecParams(store_pg(st), sql, 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(*out) != PGRES_TUPLES_OK)
		return store_error(st, err, what);
	return R_OK;
}

typedef enum rstatus (*row_fn)(void *ctx, PGresult *r, int row, struct rerr *err);

/*
 * fn for each row of query (parameter $1 the scan's id), fetched through a
 * cursor FETCH_ROWS at a time, so that no more than a batch is held.
 */
static enum rstatus each_row(struct store *st, const char *query, const char *id, const char *what,
			     row_fn fn, void *ctx, struct rerr *err)
{
	static const char declare[] = "DECLARE scan_read NO SCROLL CURSOR FOR ";
	const char *p[1] = {id};
	enum rstatus rc = R_OK;
	size_t len = strlen(declare) + strlen(query) + 1;
	char *sql = malloc(len);

	if (sql == NULL)
		return rerr_set(err, R_ENOMEM, what, 0, "out of memory");
	snprintf(sql, len, "%s%s", declare, query);
	rc = store_command(st, sql, 1, p, what, err);
	free(sql);
	while (rc == R_OK) {
		PGresult *r = store_query(st, "FETCH FORWARD " FETCH_ROWS " FROM scan_read", 0,
					  NULL, what, &rc, err);
		if (r == NULL)
			break;
		int n = PQntuples(r);
		for (int i = 0; i < n && rc == R_OK; i++)
			rc = fn(ctx, r, i, err);
		PQclear(r);
		if (n == 0)
			return store_command(st, "CLOSE scan_read", 0, NULL, what, err);
	}
	return rc;
}

static enum rstatus load_scan_row(struct store *st, struct scan_read *s, const char *id,
				  struct rerr *err)
{
	enum rstatus rc;
	char where[64];

	snprintf(where, sizeof(where), "scan %s", id);
	if ((rc = read_rows(
		 st,
		 "SELECT status, coalesce(estate, ''), coalesce(geoip_build_epoch, 0), "
		 "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
		 "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), coalesce(error, '') "
		 "FROM scans WHERE id = $1",
		 id, &s->scan_row, "reading the scan", err)) != R_OK)
		return rc;
	PGresult *r = s->scan_row;
	if (PQntuples(r) != 1)
		return rerr_set(err, R_EINPUT, where, 0, "no such scan in the database");
	const char *status = PQgetvalue(r, 0, 0), *why = PQgetvalue(r, 0, 5);
	if (strcmp(status, "complete") != 0)
		return rerr_set(err, R_EDB, where, 0,
				"the scan is %s%s%s%s, not complete: only a complete scan can be "
				"re-judged (a partial scan is never a pass)",
				status, *why ? " (" : "", why, *why ? ")" : "");
	s->geoip_epoch = strtoull(PQgetvalue(r, 0, 2), NULL, 10);
	snprintf(s->started, sizeof(s->started), "%s", PQgetvalue(r, 0, 3));
	snprintf(s->day, sizeof(s->day), "%s", PQgetvalue(r, 0, 4));

	if ((rc = read_rows(
		 st,
		 "SELECT u.z FROM scans s, unnest(s.zone_files) WITH ORDINALITY AS u(z, n) "
		 "WHERE s.id = $1 ORDER BY u.n",
		 id, &s->zones, "reading the scan's zone files", err)) != R_OK)
		return rc;
	s->nzone_files = (size_t)PQntuples(s->zones);
	if ((s->zone_files = calloc(s->nzone_files + 1, sizeof(*s->zone_files))) == NULL)
		return rerr_set(err, R_ENOMEM, where, 0, "out of memory");
	for (size_t i = 0; i < s->nzone_files; i++)
		s->zone_files[i] = PQgetvalue(s->zones, (int)i, 0);
	return R_OK;
}

/* The scan's services with the policies of policies_dir; each policy must exist there. */
static enum rstatus load_services(struct store *st, struct scan_read *s, const char *id,
				  const char *policies_dir, struct rerr *err)
{
	enum rstatus rc;
	PGresult *r = NULL;
	char where[64];
	const char *estate = PQgetvalue(s->scan_row, 0, 1);

	snprintf(where, sizeof(where), "scan %s", id);
	if ((rc = estate_load_policies(*estate ? estate : where, policies_dir, &s->estate, err)) !=
	    R_OK)
		return rc;
	if ((rc = read_rows(
		 st,
		 "SELECT service, owner, policy FROM scan_services WHERE scan_id = $1 "
		 "ORDER BY idx NULLS LAST, ctid", /* the estate's order (idx: since 007) */
		 id, &r, "reading the scan's services", err)) != R_OK)
		goto out;
	for (int i = 0; i < PQntuples(r) && rc == R_OK; i++) {
		const char *name = PQgetvalue(r, i, 0), *policy = PQgetvalue(r, i, 2);
		if (estate_policy(s->estate, policy) == NULL)
			rc = rerr_set(err, R_EINPUT, policies_dir, 0,
				      "service \"%s\" of scan %s names policy \"%s\", which no "
				      "file in this folder defines",
				      name, id, policy);
		else
			rc = estate_add_service(s->estate, name,
						PQgetisnull(r, i, 1) ? NULL : PQgetvalue(r, i, 1),
						policy, err);
	}
out:
	PQclear(r);
	return rc;
}

static const char *value_or_empty(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

static enum rstatus attribution_row(void *ctx, PGresult *r, int i, struct rerr *err)
{
	static const int col[S_PREFIX] = {A_PROVIDER, A_REGION,	 A_BORDER,
					  A_SERVICES, A_COUNTRY, A_GEOIP};
	struct scan_read *s = ctx;
	struct scan_read_attrs *a = s->attrs;
	struct attr_tuple t;
	enum attr_scope scope;
	enum attr_source source;
	struct addr addr;
	enum rstatus rc;
	const char *text = PQgetvalue(r, i, A_ADDRESS);

	if (!addr_parse(text, &addr) || !parse_scope(PQgetvalue(r, i, A_SCOPE), &scope) ||
	    !parse_source(PQgetvalue(r, i, A_SOURCE), &source))
		return rerr_set(err, R_EDB, "scan_attributions", 0,
				"scan %lld, address %s: a scope or source this binary does "
				"not know",
				s->id, text);
	memset(&t, 0, sizeof(t));
	for (int k = 0; k < S_PREFIX; k++)
		if ((rc = intern_str(a, value_or_empty(r, i, col[k]), &t.str[k], err)) != R_OK)
			return rc;
	/* Written as attrib writes it (PostgreSQL has its own cidr spelling). */
	char prefix[sizeof(((struct attribution *)NULL)->prefix)] = "";
	struct prefix p;
	if (!PQgetisnull(r, i, A_PREFIX) && prefix_parse(PQgetvalue(r, i, A_PREFIX), &p, NULL))
		prefix_format(&p, prefix, sizeof(prefix));
	if ((rc = intern_str(a, prefix, &t.str[S_PREFIX], err)) != R_OK)
		return rc;
	t.scope = (uint8_t)scope;
	t.source = (uint8_t)source;
	t.unmapped = PQgetvalue(r, i, A_UNMAPPED)[0] == 't';
	t.disagree = PQgetvalue(r, i, A_DISAGREE)[0] == 't';
	if (!grow((void **)&a->v, &a->cap, a->n, sizeof(*a->v)))
		return rerr_set(err, R_ENOMEM, "scan_attributions", 0, "out of memory");
	a->v[a->n].addr = addr;
	if ((rc = intern_tuple(a, &t, &a->v[a->n].tuple, err)) != R_OK)
		return rc;
	a->n++;
	return R_OK;
}

static enum rstatus load_attributions(struct store *st, struct scan_read *s, const char *id,
				      struct rerr *err)
{
	enum rstatus rc;

	if ((s->attrs = calloc(1, sizeof(*s->attrs))) == NULL)
		return rerr_set(err, R_ENOMEM, "scan_attributions", 0, "out of memory");
	if ((rc = each_row(st,
			   "SELECT host(address), provider, region, border_group, services, scope, "
			   "country, source, prefix::text, geoip_country, region_unmapped, "
			   "disagreement FROM scan_attributions WHERE scan_id = $1",
			   id, "reading the scan's attributions", attribution_row, s, err)) != R_OK)
		return rc;
	struct scan_read_attrs *a = s->attrs;
	qsort(a->v, a->n, sizeof(*a->v), attr_cmp);
	/* Held while every judgement is: without the room it grew by. */
	if (a->n && a->n < a->cap) {
		struct scan_read_attr *v = realloc(a->v, a->n * sizeof(*v));
		if (v) {
			a->v = v;
			a->cap = a->n;
		}
	}
	free(a->tuplei.v); /* the tuples are all known */
	memset(&a->tuplei, 0, sizeof(a->tuplei));
	free(a->stri.v);
	memset(&a->stri, 0, sizeof(a->stri));
	return R_OK;
}

static enum rstatus load_parts(struct store *st, struct scan_read *s, const char *id,
			       struct rerr *err)
{
	enum rstatus rc;

	if ((s->parts = calloc(1, sizeof(*s->parts))) == NULL)
		return rerr_set(err, R_ENOMEM, "scan_parts", 0, "out of memory");
	struct scan_read_parts *p = s->parts;
	if ((rc = read_rows(st,
			    "SELECT part, idx, kind, name, host(address), status, parent, "
			    "coalesce(zone, '') FROM scan_parts WHERE scan_id = $1 "
			    "ORDER BY part COLLATE \"C\", idx",
			    id, &p->rows, "reading the scan's path parts", err)) != R_OK)
		return rc;
	int nrows = PQntuples(p->rows);
	if ((p->v = calloc((size_t)nrows + 1, sizeof(*p->v))) == NULL)
		return rerr_set(err, R_ENOMEM, "scan_parts", 0, "out of memory");
	for (int i = 0; i < nrows; i++) {
		const char *key = PQgetvalue(p->rows, i, P_PART);
		if (p->n == 0 || strcmp(p->v[p->n - 1].key, key) != 0)
			p->v[p->n++] = (struct part_ref){key, i, 0};
		struct part_ref *ref = &p->v[p->n - 1];
		/* Elements 0..n-1, each once: the primary key keeps them unique. */
		if (strtoll(PQgetvalue(p->rows, i, P_IDX), NULL, 10) != ref->n)
			return rerr_set(err, R_EDB, "scan_parts", 0,
					"scan %s, part %s: element %d is missing", id, key, ref->n);
		ref->n++;
	}
	return R_OK;
}

/*
 * Element rows of the service being read, parts expanded: each element of a
 * part takes its place idx + i in the path and the referring row's heap
 * position (ord), so that duplicate paths of one endpoint stay apart in the
 * order they were stored. Strings are the row's, copied into the arena, or the
 * part's.
 */
struct erow {
	const char *endpoint, *kind, *name, *address, *status, *zone; /* address NULL: none */
	long long idx, parent;
	size_t ord; /* heap position of the stored row among the service's rows */
	bool mail;
};

/* Strings of the service being read, freed all at once. */
struct arena_block {
	struct arena_block *next;
	size_t used, size;
	char data[];
};

#define ARENA_BLOCK 65536

struct name_index {
	const char *name;
	size_t i;
};

static int name_index_cmp(const void *a, const void *b)
{
	return strcmp(((const struct name_index *)a)->name, ((const struct name_index *)b)->name);
}

struct paths_reader {
	struct scan_read *s;
	const char *id;
	scan_read_service_fn fn;
	void *ctx;
	struct name_index *names; /* the estate's services by name */
	bool *seen;		  /* estate->n: their rows have been read */
	bool have;		  /* a service is being read */
	size_t svc;		  /* which */
	struct erow *v;		  /* its rows */
	size_t n, cap;
	size_t nrows;	      /* its stored rows so far */
	const char *endpoint; /* the last row's, in the arena */
	struct arena_block *arena;
};

static void arena_free(struct arena_block *b)
{
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
}

static const char *arena_strdup(struct paths_reader *pr, const char *s)
{
	size_t len = strlen(s) + 1;
	struct arena_block *b = pr->arena;
	if (b == NULL || b->size - b->used < len) {
		size_t size = len > ARENA_BLOCK ? len : ARENA_BLOCK;
		if ((b = malloc(sizeof(*b) + size)) == NULL)
			return NULL;
		b->next = pr->arena;
		b->used = 0;
		b->size = size;
		pr->arena = b;
	}
	char *out = b->data + b->used;
	memcpy(out, s, len);
	b->used += len;
	return out;
}

/* A path being rebuilt, with where its position came from. */
struct pending {
	size_t ord; /* heap position of its first element */
	bool mail;
	struct path path;
};

static int pending_cmp(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;
	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

/* (endpoint as bytes, mail, idx, ord): the order paths are rebuilt in. */
static int erow_cmp(const void *a, const void *b)
{
	const struct erow *x = a, *y = b;
	/* Rows of one stored path share their endpoint's copy. */
	int c = x->endpoint == y->endpoint ? 0 : strcmp(x->endpoint, y->endpoint);
	if (c)
		return c;
	if (x->mail != y->mail)
		return x->mail ? 1 : -1;
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

static enum rstatus append_elem(struct path *p, const struct path_elem *e, const char *where,
				struct rerr *err)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		struct path_elem *v = realloc(p->elems, cap * sizeof(*v));
		if (v == NULL)
			return rerr_set(err, R_ENOMEM, where, 0, "out of memory");
		p->elems = v;
		p->cap = cap;
	}
	p->elems[p->n++] = *e;
	if (p->status == DNS_OK)
		p->status = e->status;
	return R_OK;
}

/*
 * One stored element as a path element. Everything the judge follows is
 * checked: a parent index that does not point back into the path would send
 * it astray, and an address without its attribution would be judged on
 * nothing.
 */
static enum rstatus make_elem(const struct scan_read *s, const char *svc, const struct erow *r,
			      struct path_elem *e, const char *id, struct rerr *err)
{
	const char *ep = r->endpoint;
	long long idx = r->idx, parent = r->parent;

	memset(e, 0, sizeof(*e));
	e->name = r->name;
	e->zone = r->zone;
	e->answer = -1;
	e->parent = (int)parent;
	if (!parse_kind(r->kind, &e->kind) || !parse_status(r->status, &e->status))
		return rerr_set(err, R_EDB, "scan_elements", 0,
				"scan %s, service \"%s\", endpoint %s, element %lld: a kind or "
				"status this binary does not know",
				id, svc, ep, idx);
	if (idx == 0 ? parent != -1 : parent < 0 || parent >= idx)
		return rerr_set(err, R_EDB, "scan_elements", 0,
				"scan %s, service \"%s\", endpoint %s, element %lld: parent %lld "
				"is not an earlier element of the path",
				id, svc, ep, idx, parent);
	if (e->kind != PATH_ADDRESS)
		return R_OK;
	const char *a = r->address ? r->address : "";
	if (!addr_parse(a, &e->addr) || find_attr(s, &e->addr) == NULL)
		return rerr_set(err, R_EDB, "scan_elements", 0,
				"scan %s, service \"%s\", endpoint %s, element %lld: address "
				"\"%s\" has no stored attribution",
				id, svc, ep, idx, a);
	return R_OK;
}

static void drop_service(struct paths_reader *pr)
{
	arena_free(pr->arena);
	pr->arena = NULL;
	pr->endpoint = NULL;
	pr->n = pr->nrows = 0;
	pr->have = false;
}

/*
 * The service's paths from its rows, handed to fn. Rows are put in order of
 * (endpoint, mail) and idx; a group of one (endpoint, mail) holds one path per
 * idx-0 row (an endpoint can be judged twice, e.g. listed and also matched by
 * a pattern), and the k-th row of each idx belongs to the k-th of them, in heap
 * order. The paths go to fn in the order of their first rows in the heap.
 */
static enum rstatus end_service(struct paths_reader *pr, struct rerr *err)
{
	const char *svc = pr->s->estate->v[pr->svc].name;
	struct pending *pend = NULL;
	struct path *paths = NULL;
	bool *is_mail = NULL;
	size_t npend = 0, cap = 0, group = 0, pos = 0;
	long long cur_idx = -1;
	enum rstatus rc = R_OK;

	qsort(pr->v, pr->n, sizeof(*pr->v), erow_cmp);
	for (size_t i = 0; i < pr->n && rc == R_OK; i++) {
		const struct erow *r = &pr->v[i];
		struct path_elem e;
		if (i == 0 ||
		    (r[-1].endpoint != r->endpoint && strcmp(r[-1].endpoint, r->endpoint) != 0) ||
		    r[-1].mail != r->mail) {
			group = npend;
			cur_idx = -1;
		}
		pos = r->idx == cur_idx ? pos + 1 : 0;
		cur_idx = r->idx;
		if ((rc = make_elem(pr->s, svc, r, &e, pr->id, err)) != R_OK)
			break;
		if (r->idx == 0) {
			if (!grow((void **)&pend, &cap, npend, sizeof(*pend))) {
				rc = rerr_set(err, R_ENOMEM, "scan_elements", 0, "out of memory");
				break;
			}
			struct pending *p = &pend[npend++];
			memset(p, 0, sizeof(*p));
			p->ord = r->ord;
			p->mail = r->mail;
			snprintf(p->path.root, sizeof(p->path.root), "%s", r->endpoint);
		}
		if (group + pos >= npend || pend[group + pos].path.n != (size_t)r->idx) {
			rc =
			    rerr_set(err, R_EDB, "scan_elements", 0,
				     "scan %s, service \"%s\", endpoint %s: the stored path breaks "
				     "at element %lld (an element before it is missing)",
				     pr->id, svc, r->endpoint, r->idx);
			break;
		}
		rc = append_elem(&pend[group + pos].path, &e, "scan_elements", err);
	}
	if (rc == R_OK && npend)
		qsort(pend, npend, sizeof(*pend), pending_cmp);
	if (rc == R_OK && ((paths = calloc(npend + 1, sizeof(*paths))) == NULL ||
			   (is_mail = calloc(npend + 1, sizeof(*is_mail))) == NULL))
		rc = rerr_set(err, R_ENOMEM, "scan_elements", 0, "out of memory");
	if (rc == R_OK) {
		for (size_t k = 0; k < npend; k++) {
			paths[k] = pend[k].path;
			is_mail[k] = pend[k].mail;
		}
		pr->s->endpoints += npend;
		pr->seen[pr->svc] = true;
		rc = pr->fn(pr->ctx, pr->s, pr->svc, paths, is_mail, npend, err);
	}
	for (size_t k = 0; k < npend; k++)
		path_clear(&pend[k].path);
	free(pend);
	free(paths);
	free(is_mail);
	drop_service(pr);
	return rc;
}

static enum rstatus element_row(void *ctx, PGresult *r, int i, struct rerr *err)
{
	struct paths_reader *pr = ctx;
	struct scan_read *s = pr->s;
	size_t nsvc = s->estate->n;
	enum rstatus rc;

	const char *svc = PQgetvalue(r, i, E_SERVICE);
	if (!pr->have || strcmp(svc, s->estate->v[pr->svc].name) != 0) {
		if (pr->have && (rc = end_service(pr, err)) != R_OK)
			return rc;
		struct name_index key = {svc, 0};
		const struct name_index *hit =
		    bsearch(&key, pr->names, nsvc, sizeof(*pr->names), name_index_cmp);
		if (hit == NULL)
			return rerr_set(err, R_EDB, "scan_elements", 0,
					"scan %s: elements of service \"%s\", which the scan "
					"does not list",
					pr->id, svc);
		/* The query groups each service's rows: a second run would split its paths. */
		if (pr->seen[hit->i])
			return rerr_set(err, R_EDB, "scan_elements", 0,
					"scan %s: the elements of service \"%s\" came in two runs",
					pr->id, svc);
		pr->svc = hit->i;
		pr->have = true;
	}

	const char *ep = PQgetvalue(r, i, E_ENDPOINT);
	if (pr->endpoint == NULL || strcmp(pr->endpoint, ep) != 0)
		if ((pr->endpoint = arena_strdup(pr, ep)) == NULL)
			return rerr_set(err, R_ENOMEM, "scan_elements", 0, "out of memory");
	struct erow row = {
	    .endpoint = pr->endpoint,
	    .idx = strtoll(PQgetvalue(r, i, E_IDX), NULL, 10),
	    .parent = strtoll(PQgetvalue(r, i, E_PARENT), NULL, 10),
	    .ord = pr->nrows++,
	    .mail = PQgetvalue(r, i, E_MAIL)[0] == 't',
	};
	const struct part_ref *part = NULL;
	const PGresult *pp = s->parts->rows;
	int nelems = 1;
	if (!PQgetisnull(r, i, E_PART)) {
		if ((part = find_part(s, PQgetvalue(r, i, E_PART))) == NULL)
			return rerr_set(err, R_EDB, "scan_elements", 0,
					"scan %s, service \"%s\", endpoint %s, element %lld: part "
					"%s, which the scan does not hold",
					pr->id, svc, ep, row.idx, PQgetvalue(r, i, E_PART));
		nelems = part->n;
	} else {
		row.kind = arena_strdup(pr, PQgetvalue(r, i, E_KIND));
		row.name = arena_strdup(pr, PQgetvalue(r, i, E_NAME));
		row.status = arena_strdup(pr, PQgetvalue(r, i, E_STATUS));
		row.zone = arena_strdup(pr, PQgetvalue(r, i, E_ZONE));
		if (!PQgetisnull(r, i, E_ADDRESS))
			row.address = arena_strdup(pr, PQgetvalue(r, i, E_ADDRESS));
		if (!row.kind || !row.name || !row.status || !row.zone ||
		    (!row.address && !PQgetisnull(r, i, E_ADDRESS)))
			return rerr_set(err, R_ENOMEM, "scan_elements", 0, "out of memory");
	}
	for (int k = 0; k < nelems; k++) {
		if (!grow((void **)&pr->v, &pr->cap, pr->n, sizeof(*pr->v)))
			return rerr_set(err, R_ENOMEM, "scan_elements", 0, "out of memory");
		struct erow *e = &pr->v[pr->n++];
		*e = row;
		if (part == NULL)
			continue;
		/* As parts_abs_parent() (store/parts.h), without int overflow. */
		int pi = part->first + k;
		long long rel = strtoll(PQgetvalue(pp, pi, P_PARENT), NULL, 10);
		e->idx = row.idx + k;
		e->parent = rel < 0 ? row.parent : row.idx + rel;
		e->kind = PQgetvalue(pp, pi, P_KIND);
		e->name = PQgetvalue(pp, pi, P_NAME);
		e->status = PQgetvalue(pp, pi, P_STATUS);
		e->zone = PQgetvalue(pp, pi, P_ZONE);
		e->address = PQgetisnull(pp, pi, P_ADDRESS) ? NULL : PQgetvalue(pp, pi, P_ADDRESS);
	}
	return R_OK;
}

/*
 * The scan's paths, service by service. Rows come grouped by service (the
 * index on (scan_id, service)) and in heap order within one.
 */
static enum rstatus load_paths(struct store *st, struct scan_read *s, const char *id,
			       scan_read_service_fn fn, void *ctx, struct rerr *err)
{
	enum rstatus rc = R_OK;
	size_t nsvc = s->estate->n;
	struct paths_reader pr = {.s = s, .id = id, .fn = fn, .ctx = ctx};

	if ((pr.names = calloc(nsvc + 1, sizeof(*pr.names))) == NULL ||
	    (pr.seen = calloc(nsvc + 1, sizeof(*pr.seen))) == NULL) {
		rc = rerr_set(err, R_ENOMEM, "scan_elements", 0, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nsvc; i++) {
		pr.names[i].name = s->estate->v[i].name;
		pr.names[i].i = i;
	}
	qsort(pr.names, nsvc, sizeof(*pr.names), name_index_cmp);
	if ((rc =
		 each_row(st,
			  "SELECT service, endpoint, mail, idx, kind, name, host(address), status, "
			  "parent, coalesce(zone, ''), part FROM scan_elements WHERE scan_id = $1 "
			  "ORDER BY service, ctid",
			  id, "reading the scan's paths", element_row, &pr, err)) != R_OK)
		goto out;
	if (pr.have && (rc = end_service(&pr, err)) != R_OK)
		goto out;
	/* Services without paths are judged too (with none). */
	for (size_t i = 0; i < nsvc && rc == R_OK; i++)
		if (!pr.seen[i])
			rc = fn(ctx, s, i, NULL, NULL, 0, err);
out:
	drop_service(&pr);
	free(pr.v);
	free(pr.names);
	free(pr.seen);
	return rc;
}

enum rstatus store_scan_read(struct store *st, long long id, const char *policies_dir,
			     scan_read_service_fn fn, void *ctx, struct scan_read **out,
			     struct rerr *err)
{
	struct scan_read *s = calloc(1, sizeof(*s));
	char idtext[32];
	enum rstatus rc;

	*out = NULL;
	if (s == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	s->id = id;
	snprintf(idtext, sizeof(idtext), "%lld", id);
	/* One snapshot for all the reads (a complete scan is frozen; this also
	 * keeps a scan that completes meanwhile from being read half before). */
	if ((rc = store_exec(st, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err)) != R_OK)
		goto fail;
	if ((rc = load_scan_row(st, s, idtext, err)) == R_OK &&
	    (rc = load_services(st, s, idtext, policies_dir, err)) == R_OK &&
	    (rc = load_attributions(st, s, idtext, err)) == R_OK &&
	    (rc = load_parts(st, s, idtext, err)) == R_OK)
		rc = load_paths(st, s, idtext, fn, ctx, err);
	if (rc == R_OK)
		rc = store_exec(st, "COMMIT", err);
	else
		store_rollback(st);
	if (rc != R_OK)
		goto fail;
	*out = s;
	return R_OK;
fail:
	store_scan_read_free(s);
	return rc;
}

void store_scan_read_free(struct scan_read *s)
{
	if (s == NULL)
		return;
	estate_free(s->estate);
	attrs_free(s->attrs);
	parts_free(s->parts);
	free(s->zone_files);
	PQclear(s->scan_row);
	PQclear(s->zones);
	free(s);
}
