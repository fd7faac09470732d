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
 */
#include "store/scan_read.h"
#include "attrib/special.h"
#include "store/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct scan_read_attr {
	struct addr addr;
	int row; /* in scan_read.attributions */
};

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
	E_ORD
};

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

static int attr_cmp(const void *a, const void *b)
{
	return addr_cmp(&((const struct scan_read_attr *)a)->addr,
			&((const struct scan_read_attr *)b)->addr);
}

static const struct scan_read_attr *find_attr(const struct scan_read *s, const struct addr *a)
{
	struct scan_read_attr key;
	key.addr = *a;
	key.row = -1;
	return bsearch(&key, s->attrs, s->nattrs, sizeof(*s->attrs), attr_cmp);
}

static void field(char *dst, size_t len, PGresult *r, int row, int col)
{
	snprintf(dst, len, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

void store_scan_attribution(void *ctx, const struct addr *a, struct attribution *out)
{
	const struct scan_read *s = ctx;
	const struct scan_read_attr *sa = find_attr(s, a);
	PGresult *r = s->attributions;

	memset(out, 0, sizeof(*out));
	out->addr = *a;
	if (sa == NULL)
		return; /* store_scan_read() saw one for every address; unknown all the same */
	int i = sa->row;
	field(out->provider, sizeof(out->provider), r, i, A_PROVIDER);
	field(out->region, sizeof(out->region), r, i, A_REGION);
	field(out->border_group, sizeof(out->border_group), r, i, A_BORDER);
	field(out->services, sizeof(out->services), r, i, A_SERVICES);
	field(out->country, sizeof(out->country), r, i, A_COUNTRY);
	field(out->geoip_country, sizeof(out->geoip_country), r, i, A_GEOIP);
	/* Written as attrib writes it (PostgreSQL has its own cidr spelling). */
	struct prefix p;
	if (!PQgetisnull(r, i, A_PREFIX) && prefix_parse(PQgetvalue(r, i, A_PREFIX), &p, NULL))
		prefix_format(&p, out->prefix, sizeof(out->prefix));
	parse_scope(PQgetvalue(r, i, A_SCOPE), &out->scope);
	parse_source(PQgetvalue(r, i, A_SOURCE), &out->source);
	out->region_unmapped = PQgetvalue(r, i, A_UNMAPPED)[0] == 't';
	if (out->source == ATTR_SRC_SPECIAL) {
		/* store_scan_job() keeps the registry's name in region and its RFC in services */
		snprintf(out->special, sizeof(out->special), "%s", out->region);
		field(out->special_rfc, sizeof(out->special_rfc), r, i, A_SERVICES);
		out->region[0] = out->services[0] = '\0';
	}
	/* What the address embeds is fixed by its form: said again, not stored. */
	struct addr v4;
	const char *via = special_embedded(a, &v4);
	if (via) {
		out->embedded = v4;
		snprintf(out->embedded_via, sizeof(out->embedded_via), "%s", via);
	}
	out->disagreement = PQgetvalue(r, i, A_DISAGREE)[0] == 't';
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
	if (rc == R_OK && (s->services = calloc(s->estate->n + 1, sizeof(*s->services))) == NULL)
		rc = rerr_set(err, R_ENOMEM, where, 0, "out of memory");
out:
	PQclear(r);
	return rc;
}

static enum rstatus load_attributions(struct store *st, struct scan_read *s, const char *id,
				      struct rerr *err)
{
	enum rstatus rc;

	if ((rc =
		 read_rows(st,
			   "SELECT host(address), provider, region, border_group, services, scope, "
			   "country, source, prefix::text, geoip_country, region_unmapped, "
			   "disagreement FROM scan_attributions WHERE scan_id = $1",
			   id, &s->attributions, "reading the scan's attributions", err)) != R_OK)
		return rc;
	PGresult *r = s->attributions;
	size_t n = (size_t)PQntuples(r);
	if ((s->attrs = calloc(n + 1, sizeof(*s->attrs))) == NULL)
		return rerr_set(err, R_ENOMEM, "scan_attributions", 0, "out of memory");
	for (size_t i = 0; i < n; i++) {
		enum attr_scope scope;
		enum attr_source source;
		const char *a = PQgetvalue(r, (int)i, A_ADDRESS);
		if (!addr_parse(a, &s->attrs[i].addr) ||
		    !parse_scope(PQgetvalue(r, (int)i, A_SCOPE), &scope) ||
		    !parse_source(PQgetvalue(r, (int)i, A_SOURCE), &source))
			return rerr_set(err, R_EDB, "scan_attributions", 0,
					"scan %s, address %s: a scope or source this binary does "
					"not know",
					id, a);
		s->attrs[i].row = (int)i;
	}
	s->nattrs = n;
	qsort(s->attrs, n, sizeof(*s->attrs), attr_cmp);
	return R_OK;
}

/* A path being rebuilt, with where its service and its position came from. */
struct pending {
	size_t service;
	long long ord; /* heap position of its first element */
	bool mail;
	struct path path;
};

static int pending_cmp(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;
	if (x->service != y->service)
		return x->service < y->service ? -1 : 1;
	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

struct name_index {
	const char *name;
	size_t i;
};

static int name_index_cmp(const void *a, const void *b)
{
	return strcmp(((const struct name_index *)a)->name, ((const struct name_index *)b)->name);
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
static enum rstatus make_elem(const struct scan_read *s, PGresult *r, int i, struct path_elem *e,
			      const char *id, struct rerr *err)
{
	const char *svc = PQgetvalue(r, i, E_SERVICE), *ep = PQgetvalue(r, i, E_ENDPOINT);
	long long idx = strtoll(PQgetvalue(r, i, E_IDX), NULL, 10);
	long long parent = strtoll(PQgetvalue(r, i, E_PARENT), NULL, 10);

	memset(e, 0, sizeof(*e));
	e->name = PQgetvalue(r, i, E_NAME);
	e->zone = PQgetvalue(r, i, E_ZONE);
	e->answer = -1;
	e->parent = (int)parent;
	if (!parse_kind(PQgetvalue(r, i, E_KIND), &e->kind) ||
	    !parse_status(PQgetvalue(r, i, E_STATUS), &e->status))
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
	const char *a = PQgetisnull(r, i, E_ADDRESS) ? "" : PQgetvalue(r, i, E_ADDRESS);
	if (!addr_parse(a, &e->addr) || find_attr(s, &e->addr) == NULL)
		return rerr_set(err, R_EDB, "scan_elements", 0,
				"scan %s, service \"%s\", endpoint %s, element %lld: address "
				"\"%s\" has no stored attribution",
				id, svc, ep, idx, a);
	return R_OK;
}

static bool same_group(PGresult *r, int a, int b)
{
	for (int c = E_SERVICE; c <= E_MAIL; c++)
		if (strcmp(PQgetvalue(r, a, c), PQgetvalue(r, b, c)) != 0)
			return false;
	return true;
}

/*
 * Paths from the elements. Rows come grouped by (service, endpoint, mail) and
 * by idx within a group; a group holds one path per idx-0 row (an endpoint can
 * be judged twice, e.g. listed and also matched by a pattern), and the k-th row
 * of each idx belongs to the k-th of them, in heap order.
 */
static enum rstatus load_paths(struct store *st, struct scan_read *s, const char *id,
			       struct rerr *err)
{
	enum rstatus rc;
	struct pending *pend = NULL;
	size_t npend = 0, cap = 0;
	struct name_index *names = NULL;
	size_t nsvc = s->estate->n;

	if ((rc = read_rows(
		 st,
		 /* Parts (schema 012) expanded in place: each element of a part takes
		  * the referring row's heap position, so that duplicate paths of one
		  * endpoint stay apart in the order they were stored. */
		 "WITH e AS MATERIALIZED (SELECT *, row_number() OVER (ORDER BY ctid) AS ord "
		 "FROM scan_elements WHERE scan_id = $1) "
		 "SELECT service, endpoint, mail, idx, kind, name, host(address), status, "
		 "parent, coalesce(zone, ''), ord FROM ("
		 "SELECT service, endpoint, mail, idx, kind, name, address, status, parent, zone, "
		 "ord FROM e WHERE part IS NULL UNION ALL "
		 "SELECT e.service, e.endpoint, e.mail, e.idx + p.idx, p.kind, p.name, p.address, "
		 "p.status, CASE WHEN p.parent < 0 THEN e.parent ELSE e.idx + p.parent END, "
		 "p.zone, "
		 "e.ord FROM e JOIN scan_parts p ON p.scan_id = e.scan_id AND p.part = e.part "
		 "WHERE e.part IS NOT NULL) x "
		 "ORDER BY service COLLATE \"C\", endpoint COLLATE \"C\", mail, idx, ord",
		 id, &s->elements, "reading the scan's paths", err)) != R_OK)
		return rc;
	if ((names = calloc(nsvc + 1, sizeof(*names))) == NULL)
		return rerr_set(err, R_ENOMEM, "scan_elements", 0, "out of memory");
	for (size_t i = 0; i < nsvc; i++) {
		names[i].name = s->estate->v[i].name;
		names[i].i = i;
	}
	qsort(names, nsvc, sizeof(*names), name_index_cmp);

	PGresult *r = s->elements;
	int nrows = PQntuples(r);
	size_t group = 0, svc = 0; /* first path of the current group; its service */
	long long cur_idx = -1;
	size_t pos = 0; /* rank of this row among the group's rows of the same idx */
	for (int i = 0; i < nrows && rc == R_OK; i++) {
		struct path_elem e;
		long long idx = strtoll(PQgetvalue(r, i, E_IDX), NULL, 10);
		if (i == 0 || !same_group(r, i - 1, i)) {
			struct name_index key = {PQgetvalue(r, i, E_SERVICE), 0};
			const struct name_index *hit =
			    bsearch(&key, names, nsvc, sizeof(*names), name_index_cmp);
			if (hit == NULL) {
				rc = rerr_set(err, R_EDB, "scan_elements", 0,
					      "scan %s: elements of service \"%s\", which the scan "
					      "does not list",
					      id, key.name);
				break;
			}
			svc = hit->i;
			group = npend;
			cur_idx = -1;
		}
		pos = idx == cur_idx ? pos + 1 : 0;
		cur_idx = idx;
		if ((rc = make_elem(s, r, i, &e, id, err)) != R_OK)
			break;
		if (idx == 0) {
			if (npend == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct pending *v = realloc(pend, ncap * sizeof(*v));
				if (v == NULL) {
					rc = rerr_set(err, R_ENOMEM, "scan_elements", 0,
						      "out of memory");
					break;
				}
				pend = v;
				cap = ncap;
			}
			struct pending *p = &pend[npend++];
			memset(p, 0, sizeof(*p));
			p->service = svc;
			p->ord = strtoll(PQgetvalue(r, i, E_ORD), NULL, 10);
			p->mail = PQgetvalue(r, i, E_MAIL)[0] == 't';
			snprintf(p->path.root, sizeof(p->path.root), "%s",
				 PQgetvalue(r, i, E_ENDPOINT));
		}
		if (group + pos >= npend || pend[group + pos].path.n != (size_t)idx) {
			rc = rerr_set(
			    err, R_EDB, "scan_elements", 0,
			    "scan %s, service \"%s\", endpoint %s: the stored path breaks "
			    "at element %lld (an element before it is missing)",
			    id, PQgetvalue(r, i, E_SERVICE), PQgetvalue(r, i, E_ENDPOINT), idx);
			break;
		}
		rc = append_elem(&pend[group + pos].path, &e, "scan_elements", err);
	}
	free(names);

	/* Each service's paths, in the order the scan judged them. */
	if (rc == R_OK && npend)
		qsort(pend, npend, sizeof(*pend), pending_cmp);
	for (size_t k = 0; rc == R_OK && k < npend;) {
		size_t end = k;
		while (end < npend && pend[end].service == pend[k].service)
			end++;
		struct scan_read_paths *rs = &s->services[pend[k].service];
		if ((rs->paths = calloc(end - k + 1, sizeof(*rs->paths))) == NULL ||
		    (rs->is_mail = calloc(end - k + 1, sizeof(*rs->is_mail))) == NULL) {
			rc = rerr_set(err, R_ENOMEM, "scan_elements", 0, "out of memory");
			break;
		}
		for (size_t x = k; x < end; x++) {
			rs->paths[rs->npaths] = pend[x].path;
			rs->is_mail[rs->npaths++] = pend[x].mail;
			memset(&pend[x].path, 0, sizeof(pend[x].path)); /* moved */
		}
		s->endpoints += end - k;
		k = end;
	}
	for (size_t k = 0; k < npend; k++)
		path_clear(&pend[k].path);
	free(pend);
	return rc;
}

enum rstatus store_scan_read(struct store *st, long long id, const char *policies_dir,
			     struct scan_read **out, struct rerr *err)
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
	    (rc = load_attributions(st, s, idtext, err)) == R_OK)
		rc = load_paths(st, s, idtext, err);
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
	for (size_t i = 0; s->services && s->estate && i < s->estate->n; i++) {
		struct scan_read_paths *rs = &s->services[i];
		for (size_t k = 0; k < rs->npaths; k++)
			path_clear(&rs->paths[k]);
		free(rs->paths);
		free(rs->is_mail);
	}
	free(s->services);
	estate_free(s->estate);
	free(s->attrs);
	free(s->zone_files);
	PQclear(s->scan_row);
	PQclear(s->zones);
	PQclear(s->attributions);
	PQclear(s->elements);
	free(s);
}
