/*
 * zone: master files in memory, answered as an authoritative server would.
 * ldns reads the files (a library made for this: $ORIGIN, $TTL, @, relative
 * names, parentheses, comments); ldns status codes become struct rerr here.
 */
#include "dns/zone.h"
#include "core/hash.h"
#include "core/log.h"

#include <ctype.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct zone {
	char *apex;
	char *file;
};

struct zrec {
	struct zone_rr rr;
	uint32_t zone;
};

struct nameent {
	const char *name;
	uint32_t first, count; /* records [first, first + count) after sealing */
	int32_t apex;	       /* zone index when this name is a zone's apex, else -1 */
	int32_t zone;	       /* zone the name belongs to */
};

/* The records' strings (owner, target, text), in chunks freed with the
 * zonedb: a million records as a million times three small allocations cost
 * half as much again as their bytes. */
struct zarena {
	char **chunks;
	size_t nchunks;
	char *cur;
	size_t left;
};

struct zonedb {
	struct zarena strs;
	struct zone *zones;
	size_t nz, capz;
	struct zrec *recs;
	size_t n, cap;
	struct nameent *names;
	size_t nnames, capnames;
	uint32_t *hash; /* index + 1 into names */
	size_t hashcap;
	char **ents; /* names of empty non-terminals, owned */
	size_t nents;
	size_t max_records; /* ZONEDB_MAX_RECORDS unless set lower (tests) */
};

bool zone_canon(const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);

	if (n == 0 || n + 2 > len || n > 253 + (name[n - 1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	if (buf[n - 1] != '.')
		buf[n++] = '.';
	buf[n] = '\0';
	return strstr(buf, "..") == NULL || strcmp(buf, ".") == 0;
}

struct zonedb *zonedb_new(void)
{
	struct zonedb *db = calloc(1, sizeof(struct zonedb));
	if (db)
		db->max_records = ZONEDB_MAX_RECORDS;
	return db;
}

void zonedb_set_max_records(struct zonedb *db, size_t max)
{
	db->max_records = max > 0 && max < ZONEDB_MAX_RECORDS ? max : ZONEDB_MAX_RECORDS;
}

/* A copy of s (n bytes) in the arena; NULL when out of memory. */
static const char *zstr(struct zarena *a, const char *s, size_t n)
{
	if (n + 1 > a->left) {
		size_t size = n + 1 > (1u << 20) ? n + 1 : (1u << 20);
		char **v = realloc(a->chunks, (a->nchunks + 1) * sizeof(*v));
		if (v == NULL)
			return NULL;
		a->chunks = v;
		if ((a->cur = malloc(size)) == NULL) {
			a->left = 0;
			return NULL;
		}
		a->chunks[a->nchunks++] = a->cur;
		a->left = size;
	}
	char *p = a->cur;
	memcpy(p, s, n);
	p[n] = '\0';
	a->cur += n + 1;
	a->left -= n + 1;
	return p;
}

/* Frees what the arena took after mark (a file that does not load). */
static void zarena_rewind(struct zarena *a, const struct zarena *mark)
{
	while (a->nchunks > mark->nchunks)
		free(a->chunks[--a->nchunks]);
	a->cur = mark->cur;
	a->left = mark->left;
}

void zonedb_free(struct zonedb *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < db->strs.nchunks; i++)
		free(db->strs.chunks[i]);
	free(db->strs.chunks);
	for (size_t i = 0; i < db->nz; i++) {
		free(db->zones[i].apex);
		free(db->zones[i].file);
	}
	for (size_t i = 0; i < db->nents; i++)
		free(db->ents[i]);
	free(db->ents);
	free(db->recs);
	free(db->zones);
	free(db->names);
	free(db->hash);
	free(db);
}

size_t zonedb_records(const struct zonedb *db)
{
	return db->n;
}

static bool under(const char *name, const char *apex)
{
	size_t n = strlen(name), a = strlen(apex);

	if (strcmp(apex, ".") == 0)
		return true;
	if (n < a || strcmp(name + n - a, apex) != 0)
		return false;
	return n == a || name[n - a - 1] == '.';
}

static char *rdf_name(const ldns_rdf *rdf)
{
	char *s = ldns_rdf2str(rdf), buf[300];

	if (s == NULL)
		return NULL;
	if (!zone_canon(s, buf, sizeof(buf))) {
		free(s);
		return NULL;
	}
	free(s);
	return strdup(buf);
}

/* The canonical name of rdf in the arena; NULL when unreadable or too long. */
static const char *rdf_name_kept(struct zonedb *db, const ldns_rdf *rdf)
{
	char *s = rdf_name(rdf);
	const char *kept = s ? zstr(&db->strs, s, strlen(s)) : NULL;
	free(s);
	return kept;
}

/* Adds one record of zone z; returns false on allocation failure. */
static enum rstatus add_rr(struct zonedb *db, uint32_t z, const ldns_rr *rr, const char *path,
			   struct rerr *err)
{
	struct zrec *r;
	ldns_rr_type t = ldns_rr_get_type(rr);

	if (db->n >= db->max_records)
		return rerr_set(err, R_ELIMIT, path, 0, "more than %zu records in all zones",
				db->max_records);
	if (db->n == db->cap) {
		size_t ncap = db->cap ? db->cap * 2 : 1024;
		struct zrec *v = realloc(db->recs, ncap * sizeof(*v));
		if (v == NULL)
			return rerr_set(err, R_ENOMEM, path, 0, "out of memory");
		db->recs = v;
		db->cap = ncap;
	}
	r = &db->recs[db->n];
	memset(r, 0, sizeof(*r));
	r->zone = z;
	r->rr.type = (uint16_t)t;
	r->rr.ttl = ldns_rr_ttl(rr);
	const char *why = "a name longer than 253 characters as text";
	char *text = ldns_rr2str(rr);
	r->rr.owner = rdf_name_kept(db, ldns_rr_owner(rr));
	if (text == NULL)
		why = "out of memory or unprintable";
	if (r->rr.owner == NULL || text == NULL)
		goto bad;
	/* ldns ends the text with a newline; answers join records with their own. */
	size_t tl = strlen(text);
	if (tl && text[tl - 1] == '\n')
		text[--tl] = '\0';
	if ((r->rr.text = zstr(&db->strs, text, tl)) == NULL) {
		why = "out of memory";
		goto bad;
	}
	switch (t) {
	case LDNS_RR_TYPE_A:
	case LDNS_RR_TYPE_AAAA: {
		const ldns_rdf *d = ldns_rr_rdf(rr, 0);
		why = "not an address";
		if (d == NULL)
			goto bad;
		addr_from_bytes(&r->rr.addr, ldns_rdf_data(d), ldns_rdf_size(d));
		if (r->rr.addr.family == 0)
			goto bad;
		break;
	}
	case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_NS:
		if (ldns_rr_rdf(rr, 0) == NULL)
			why = "no target";
		if (ldns_rr_rdf(rr, 0) == NULL ||
		    (r->rr.target = rdf_name_kept(db, ldns_rr_rdf(rr, 0))) == NULL)
			goto bad;
		break;
	case LDNS_RR_TYPE_MX:
		why = "no preference or exchange";
		if (ldns_rr_rdf(rr, 0) == NULL || ldns_rr_rdf(rr, 1) == NULL)
			goto bad;
		why = "a name longer than 253 characters as text";
		r->rr.pref = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
		if ((r->rr.target = rdf_name_kept(db, ldns_rr_rdf(rr, 1))) == NULL)
			goto bad;
		break;
	default:
		break; /* kept with its text (TXT, SOA, CAA, ...); not part of a path */
	}
	free(text);
	db->n++;
	return R_OK;
bad:
	/* The message quotes the record: written before its text is freed (what
	 * the arena took goes with the file, in zonedb_add). */
	rerr_set(err, R_EINPUT, path, 0, "cannot read record (%s): %.300s", why,
		 text ? text : "(unprintable)");
	free(text);
	r->rr.owner = r->rr.target = r->rr.text = NULL;
	return R_EINPUT;
}

static int second_soa(FILE *f);
static enum rstatus load_parsed(struct zonedb *db, FILE *f, const char *path, struct rerr *err);

enum rstatus zonedb_load(struct zonedb *db, const char *path, struct rerr *err)
{
	FILE *f = fopen(path, "r");
	enum rstatus rc;

	if (f == NULL)
		return rerr_set(err, R_EINPUT, path, 0, "cannot open zone file: %s",
				strerror(errno));
	/* A regular file is read twice as it is: no copy of a large zone in memory. */
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		rc = zonedb_load_fp(db, f, path, err); /* a pipe, or empty: said there */
	} else if (db->nz >= ZONEDB_MAX_ZONES) {
		rc = rerr_set(err, R_ELIMIT, path, 0, "more than %u zones", ZONEDB_MAX_ZONES);
	} else {
		int soa = second_soa(f);
		if (ferror(f) || fseek(f, 0, SEEK_SET) != 0)
			rc = rerr_set(err, R_EINPUT, path, 0, "cannot read zone file: %s",
				      strerror(errno ? errno : EIO));
		else if (soa > 0)
			rc = rerr_set(
			    err, R_EINPUT, path, soa,
			    "a second SOA record (a zone file holds one zone, with one SOA)");
		else
			rc = load_parsed(db, f, path, err);
	}
	fclose(f);
	return rc;
}

/* Takes a parsed zone (from a file or a transfer) into the table; frees z. */
static enum rstatus zonedb_add(struct zonedb *db, ldns_zone *z, const char *path, struct rerr *err)
{
	size_t keep_n = db->n;
	struct zarena mark = db->strs;
	enum rstatus rc = R_OK;

	if (ldns_zone_soa(z) == NULL) {
		ldns_zone_deep_free(z);
		return rerr_set(err, R_EINPUT, path, 0, "no SOA record: not a zone file");
	}
	char *apex = rdf_name(ldns_rr_owner(ldns_zone_soa(z)));
	if (apex == NULL) {
		ldns_zone_deep_free(z);
		return rerr_set(err, R_EINPUT, path, 0, "bad SOA owner name");
	}
	for (size_t i = 0; i < db->nz; i++)
		if (strcmp(db->zones[i].apex, apex) == 0) {
			rc = rerr_set(err, R_EINPUT, path, 0, "zone %s is already loaded from %s",
				      apex, db->zones[i].file);
			free(apex);
			ldns_zone_deep_free(z);
			return rc;
		}
	if (db->nz == db->capz) {
		size_t ncap = db->capz ? db->capz * 2 : 16;
		struct zone *v = realloc(db->zones, ncap * sizeof(*v));
		if (v == NULL) {
			free(apex);
			ldns_zone_deep_free(z);
			return rerr_set(err, R_ENOMEM, path, 0, "out of memory");
		}
		db->zones = v;
		db->capz = ncap;
	}
	uint32_t zi = (uint32_t)db->nz;
	db->zones[zi].apex = apex;
	db->zones[zi].file = strdup(path);
	if (db->zones[zi].file == NULL) {
		free(apex);
		ldns_zone_deep_free(z);
		return rerr_set(err, R_ENOMEM, path, 0, "out of memory");
	}
	db->nz++;

	if ((rc = add_rr(db, zi, ldns_zone_soa(z), path, err)) != R_OK)
		goto fail;
	ldns_rr_list *l = ldns_zone_rrs(z);
	size_t skipped = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		char *owner = rdf_name(ldns_rr_owner(rr));
		bool inside = owner && under(owner, apex);
		free(owner);
		if (!inside)
			skipped++;
		else if ((rc = add_rr(db, zi, rr, path, err)) != R_OK)
			goto fail;
		/* Each record as soon as it is ours: ldns's take several times the room. */
		ldns_rr_free(ldns_rr_list_set_rr(l, NULL, i));
	}
	if (skipped)
		log_info("%s: %zu record%s outside zone %s ignored", path, skipped,
			 skipped == 1 ? "" : "s", apex);
	ldns_zone_deep_free(z);
	return R_OK;
fail:
	/* Nothing of a file that does not load stays. */
	db->n = keep_n;
	zarena_rewind(&db->strs, &mark);
	db->nz--;
	free(db->zones[db->nz].apex);
	free(db->zones[db->nz].file);
	ldns_zone_deep_free(z);
	return rc;
}
/*
 * The line of a zone's second SOA record, or 0 when it has at most one (or a
 * syntax error comes first: the real reading reports it). ldns 1.8.3 frees a
 * second SOA while still holding it to compare with the next record, and a
 * third SOA then reads freed memory (found by fuzz_zone); a zone has one SOA,
 * so a file with two is refused before ldns reads it as a zone.
 */
static int second_soa(FILE *f)
{
	ldns_rdf *origin = NULL, *prev = NULL;
	uint32_t ttl = 3600;
	int line = 0, soas = 0, at = 0;

	while (!feof(f) && at == 0) {
		ldns_rr *rr = NULL;
		ldns_status st = ldns_rr_new_frm_fp_l(&rr, f, &ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_OK) {
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ++soas == 2)
				at = line > 0 ? line : 1;
			ldns_rr_free(rr);
		} else if (st != LDNS_STATUS_SYNTAX_EMPTY && st != LDNS_STATUS_SYNTAX_TTL &&
			   st != LDNS_STATUS_SYNTAX_ORIGIN) {
			break;
		}
	}
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	return at;
}

enum rstatus zonedb_load_fp(struct zonedb *db, FILE *f, const char *path, struct rerr *err)
{
	char *text = NULL;
	size_t len = 0;

	if (db->nz >= ZONEDB_MAX_ZONES)
		return rerr_set(err, R_ELIMIT, path, 0, "more than %u zones", ZONEDB_MAX_ZONES);
	/* Read twice (SOA check, then the zone): held in memory, so that a pipe
	 * or standard input works as well as a file. */
	FILE *mem = open_memstream(&text, &len);
	if (mem == NULL)
		return rerr_set(err, R_ENOMEM, path, 0, "out of memory");
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (fwrite(chunk, 1, got, mem) != got)
			break;
	bool bad = ferror(f) || ferror(mem);
	if (fclose(mem) != 0 || bad) {
		free(text);
		return rerr_set(err, R_EINPUT, path, 0, "cannot read zone file: %s",
				strerror(errno ? errno : EIO));
	}
	FILE *r = len ? fmemopen(text, len, "r") : NULL;
	int soa = r ? second_soa(r) : 0;
	if (r)
		fclose(r);
	if (soa > 0) {
		free(text);
		return rerr_set(err, R_EINPUT, path, soa,
				"a second SOA record (a zone file holds one zone, with one SOA)");
	}
	if (len == 0) { /* fmemopen refuses an empty buffer; ldns reads no zone from it */
		free(text);
		return rerr_set(err, R_EINPUT, path, 0, "empty zone file");
	}
	if ((r = fmemopen(text, len, "r")) == NULL) {
		free(text);
		return rerr_set(err, R_ENOMEM, path, 0, "out of memory");
	}
	enum rstatus rc = load_parsed(db, r, path, err);
	fclose(r);
	free(text);
	return rc;
}

/* A zone file read a record at a time (load_parsed()). */
struct zload {
	struct zonedb *db;
	const char *path;
	struct rerr *err;
	size_t keep_n; /* records before this file: what a failure goes back to */
	struct zarena mark;
	int64_t zi;	     /* the zone's index once its SOA is read, else -1 */
	char *apex;	     /* owned by the zone once added */
	ldns_rr_list *early; /* records before the SOA, until the apex is known */
	size_t skipped;
	bool failed; /* err holds the first error taking the file's records */
};

/* Takes one record of the zone (or, with its SOA not read yet, keeps it for then). */
static void zl_record(struct zload *zl, ldns_rr *rr)
{
	if (zl->failed) {
		ldns_rr_free(rr);
		return;
	}
	if (zl->zi < 0) {
		if (!ldns_rr_list_push_rr(zl->early, rr)) {
			ldns_rr_free(rr);
			rerr_set(zl->err, R_ENOMEM, zl->path, 0, "out of memory");
			zl->failed = true;
		}
		return;
	}
	char *owner = rdf_name(ldns_rr_owner(rr));
	bool inside = owner && under(owner, zl->apex);
	free(owner);
	if (!inside)
		zl->skipped++;
	else if (add_rr(zl->db, (uint32_t)zl->zi, rr, zl->path, zl->err) != R_OK)
		zl->failed = true;
	ldns_rr_free(rr);
}

/* The zone's SOA: the zone is added (as zonedb_add() does), then the records read before it. */
static void zl_soa(struct zload *zl, ldns_rr *soa)
{
	struct zonedb *db = zl->db;

	if (zl->failed) {
		ldns_rr_free(soa);
		return;
	}
	zl->failed = true;
	if ((zl->apex = rdf_name(ldns_rr_owner(soa))) == NULL) {
		rerr_set(zl->err, R_EINPUT, zl->path, 0, "bad SOA owner name");
		ldns_rr_free(soa);
		return;
	}
	for (size_t i = 0; i < db->nz; i++)
		if (strcmp(db->zones[i].apex, zl->apex) == 0) {
			rerr_set(zl->err, R_EINPUT, zl->path, 0,
				 "zone %s is already loaded from %s", zl->apex, db->zones[i].file);
			ldns_rr_free(soa);
			return;
		}
	if (db->nz == db->capz) {
		size_t ncap = db->capz ? db->capz * 2 : 16;
		struct zone *v = realloc(db->zones, ncap * sizeof(*v));
		if (v == NULL) {
			rerr_set(zl->err, R_ENOMEM, zl->path, 0, "out of memory");
			ldns_rr_free(soa);
			return;
		}
		db->zones = v;
		db->capz = ncap;
	}
	if ((db->zones[db->nz].file = strdup(zl->path)) == NULL) {
		rerr_set(zl->err, R_ENOMEM, zl->path, 0, "out of memory");
		ldns_rr_free(soa);
		return;
	}
	db->zones[db->nz].apex = zl->apex;
	zl->zi = (int64_t)db->nz++;
	zl->failed = add_rr(db, (uint32_t)zl->zi, soa, zl->path, zl->err) != R_OK;
	ldns_rr_free(soa);
	for (size_t i = 0; i < ldns_rr_list_rr_count(zl->early); i++)
		zl_record(zl, ldns_rr_list_set_rr(zl->early, NULL, i));
}

/*
 * Reads the zone of f (checked for a second SOA) a record at a time into the
 * table: ldns_zone_new_frm_fp_l() held every record as an ldns_rr (over 200
 * bytes each) until the end. This is its loop (ldns 1.8.3, zone.c), and its
 * answers: the TTL of a record written without one is the zone's (the last
 * $TTL, else the last one written, or its RRset's), which ldns tells only to
 * itself; a record is read with an impossible default TTL (TTL_UNWRITTEN, above
 * RFC 2181's largest) and given that TTL when it comes back with it. Its errors
 * in its order: a syntax error anywhere first, then no SOA, then a record that
 * cannot be kept.
 */
#define TTL_UNWRITTEN 0xFFFFFFFFu

static enum rstatus load_parsed(struct zonedb *db, FILE *f, const char *path, struct rerr *err)
{
	struct zload zl = {db, path, err, db->n, db->strs, -1, NULL, ldns_rr_list_new(), 0, false};
	ldns_rdf *origin = NULL, *prev = NULL, *prev_owner = NULL;
	ldns_rr_type prev_type = 0;
	uint32_t my_ttl = 3600, default_ttl = 3600, prev_ttl = 0;
	bool ttl_from_TTL = false, soa_seen = false;
	ldns_status st = LDNS_STATUS_OK;
	int line = 0;

	if (zl.early == NULL)
		return rerr_set(err, R_ENOMEM, path, 0, "out of memory");
	while (!feof(f)) {
		if (ttl_from_TTL)
			my_ttl = default_ttl;
		uint32_t probe = TTL_UNWRITTEN;
		ldns_rr *rr = NULL;
		ldns_status s = ldns_rr_new_frm_fp_l(&rr, f, &probe, &origin, &prev, &line);
		if (s == LDNS_STATUS_SYNTAX_EMPTY || s == LDNS_STATUS_SYNTAX_TTL) {
			if (s == LDNS_STATUS_SYNTAX_TTL)
				my_ttl = probe; /* the $TTL read */
			default_ttl = my_ttl;
			ttl_from_TTL = true;
			continue;
		}
		if (s == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (s != LDNS_STATUS_OK) {
			st = s == LDNS_STATUS_SYNTAX_INCLUDE
				 ? LDNS_STATUS_SYNTAX_INCLUDE_ERR_NOTIMPL
				 : s;
			break;
		}
		ldns_rr_type type = ldns_rr_get_type(rr);
		if (ldns_rr_ttl(rr) != TTL_UNWRITTEN) {
			if (!ttl_from_TTL)
				my_ttl = ldns_rr_ttl(rr);
		} else {
			ldns_rr_set_ttl(rr, my_ttl ? my_ttl : LDNS_DEFAULT_TTL);
			if (type == LDNS_RR_TYPE_SIG || type == LDNS_RR_TYPE_RRSIG) {
				if (ldns_rr_rd_count(rr) >= 4 &&
				    ldns_rdf_get_type(ldns_rr_rdf(rr, 3)) == LDNS_RDF_TYPE_INT32)
					ldns_rr_set_ttl(rr,
							ldns_rdf2native_int32(ldns_rr_rdf(rr, 3)));
			} else if (prev_owner && prev_type == type &&
				   ldns_dname_compare(prev_owner, ldns_rr_owner(rr)) == 0) {
				ldns_rr_set_ttl(rr, prev_ttl);
			}
		}
		ldns_rdf_deep_free(prev_owner);
		prev_owner = ldns_rdf_clone(ldns_rr_owner(rr));
		prev_type = type;
		prev_ttl = ldns_rr_ttl(rr);
		if (prev_owner == NULL) {
			ldns_rr_free(rr);
			st = LDNS_STATUS_MEM_ERR;
			break;
		}
		if (type == LDNS_RR_TYPE_SOA) {
			if (soa_seen) { /* never: second_soa() refused the file */
				ldns_rr_free(rr);
				continue;
			}
			soa_seen = true;
			if (origin == NULL &&
			    (origin = ldns_rdf_clone(ldns_rr_owner(rr))) == NULL) {
				ldns_rr_free(rr);
				st = LDNS_STATUS_MEM_ERR;
				break;
			}
			zl_soa(&zl, rr);
			continue;
		}
		zl_record(&zl, rr);
	}
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	ldns_rdf_deep_free(prev_owner);
	ldns_rr_list_deep_free(zl.early);
	enum rstatus rc = R_OK;
	if (st != LDNS_STATUS_OK)
		rc = rerr_set(err, R_EINPUT, path, line > 0 ? line : 0, "%s",
			      ldns_get_errorstr_by_id(st));
	else if (!soa_seen)
		rc = rerr_set(err, R_EINPUT, path, 0, "no SOA record: not a zone file");
	else if (zl.failed)
		rc = err->code;
	if (rc == R_OK) {
		if (zl.skipped)
			log_info("%s: %zu record%s outside zone %s ignored", path, zl.skipped,
				 zl.skipped == 1 ? "" : "s", zl.apex);
		return R_OK;
	}
	/* Nothing of a file that does not load stays. */
	db->n = zl.keep_n;
	zarena_rewind(&db->strs, &zl.mark);
	if (zl.zi >= 0) {
		db->nz--;
		free(db->zones[db->nz].apex);
		free(db->zones[db->nz].file);
	} else {
		free(zl.apex);
	}
	return rc;
}

static struct nameent *find(const struct zonedb *db, const char *name)
{
	if (db->hashcap == 0)
		return NULL;
	for (size_t i = hash_str(name) & (db->hashcap - 1);; i = (i + 1) & (db->hashcap - 1)) {
		uint32_t v = db->hash[i];
		if (v == 0)
			return NULL;
		if (strcmp(db->names[v - 1].name, name) == 0)
			return &db->names[v - 1];
	}
}

/* Room for one more name, the table at most half full; false when out of memory. */
static bool names_room(struct zonedb *db)
{
	if (db->nnames == db->capnames) {
		size_t ncap = db->capnames ? 2 * db->capnames : 1024;
		struct nameent *v = realloc(db->names, ncap * sizeof(*v));
		if (v == NULL)
			return false;
		db->names = v;
		db->capnames = ncap;
	}
	if (2 * (db->nnames + 1) > db->hashcap) {
		size_t ncap = db->hashcap ? 2 * db->hashcap : 2048;
		uint32_t *h = calloc(ncap, sizeof(*h));
		if (h == NULL)
			return false;
		for (size_t k = 0; k < db->nnames; k++) {
			size_t i = hash_str(db->names[k].name) & (ncap - 1);
			while (h[i])
				i = (i + 1) & (ncap - 1);
			h[i] = (uint32_t)(k + 1);
		}
		free(db->hash);
		db->hash = h;
		db->hashcap = ncap;
	}
	return true;
}

/* The entry of name, made when missing (names are sized as they come: the
 * count of labels overstated a large zone's names threefold); NULL when out of
 * memory. Good until the next insert. */
static struct nameent *insert(struct zonedb *db, const char *name, int32_t zone)
{
	struct nameent *e = find(db, name);

	if (e)
		return e;
	if (db->nnames >= UINT32_MAX - 1 || !names_room(db))
		return NULL;
	e = &db->names[db->nnames++];
	e->name = name;
	e->first = e->count = 0;
	e->apex = -1;
	e->zone = zone;
	for (size_t i = hash_str(name) & (db->hashcap - 1);; i = (i + 1) & (db->hashcap - 1))
		if (db->hash[i] == 0) {
			db->hash[i] = (uint32_t)db->nnames;
			break;
		}
	return e;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct zrec *x = a, *y = b;
	int c = strcmp(x->rr.owner, y->rr.owner);
	if (c)
		return c;
	return (x->rr.type > y->rr.type) - (x->rr.type < y->rr.type);
}

enum rstatus zonedb_seal(struct zonedb *db, struct rerr *err)
{
	if (db->n > 1)
		qsort(db->recs, db->n, sizeof(*db->recs), rec_cmp);
	/* Every owner, plus its ancestors up to its apex (empty non-terminals). */
	for (size_t i = 0; i < db->n; i++) {
		struct zrec *r = &db->recs[i];
		struct nameent *e = insert(db, r->rr.owner, (int32_t)r->zone);
		if (e == NULL)
			return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory indexing zones");
		if (e->count == 0)
			e->first = (uint32_t)i;
		e->count++;
	}
	for (size_t z = 0; z < db->nz; z++) {
		struct nameent *e = find(db, db->zones[z].apex);
		if (e)
			e->apex = (int32_t)z;
	}
	for (size_t i = 0; i < db->n; i++) {
		const char *apex = db->zones[db->recs[i].zone].apex;
		const char *p = db->recs[i].rr.owner;
		while (strcmp(p, apex) != 0 && (p = strchr(p, '.')) != NULL && *++p) {
			if (find(db, p))
				continue;
			char *copy = strdup(p);
			char **v = copy ? realloc(db->ents, (db->nents + 1) * sizeof(*v)) : NULL;
			if (v == NULL) {
				free(copy);
				return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
			}
			db->ents = v;
			db->ents[db->nents++] = copy;
			if (insert(db, copy, (int32_t)db->recs[i].zone) == NULL)
				return rerr_set(err, R_ENOMEM, NULL, 0,
						"out of memory indexing zones");
		}
	}
	return R_OK;
}

const char *zonedb_zone_of(const struct zonedb *db, const char *name, const char **file)
{
	for (const char *p = name; p && *p;) {
		struct nameent *e = find(db, p);
		if (e && e->apex >= 0) {
			if (file)
				*file = db->zones[e->apex].file;
			return db->zones[e->apex].apex;
		}
		p = strchr(p, '.');
		if (p)
			p++;
	}
	return NULL;
}

static bool push(struct zone_answer *ans, const struct zone_rr *rr)
{
	if (ans->n == ans->cap) { /* doubling: an RRset can hold 70,000 records */
		size_t ncap = ans->cap ? ans->cap * 2 : 4;
		const struct zone_rr **v = realloc(ans->rr, ncap * sizeof(*v));
		if (v == NULL)
			return false;
		ans->rr = v;
		ans->cap = ncap;
	}
	ans->rr[ans->n++] = rr;
	return true;
}

static void from_node(const struct zonedb *db, const struct nameent *e, uint16_t type,
		      struct zone_answer *ans)
{
	const struct zrec *cname = NULL;

	for (uint32_t i = e->first; i < e->first + e->count; i++)
		if (db->recs[i].rr.type == LDNS_RR_TYPE_CNAME)
			cname = &db->recs[i];
	if (cname && type != LDNS_RR_TYPE_CNAME) {
		ans->rcode = push(ans, &cname->rr) ? DNS_OK : DNS_ERROR;
		ans->cname = true;
		return;
	}
	for (uint32_t i = e->first; i < e->first + e->count; i++)
		if (db->recs[i].rr.type == type && !push(ans, &db->recs[i].rr)) {
			ans->rcode = DNS_ERROR;
			return;
		}
	ans->rcode = ans->n ? DNS_OK : DNS_NODATA;
}

static bool has_type(const struct zonedb *db, const struct nameent *e, uint16_t type)
{
	for (uint32_t i = e->first; i < e->first + e->count; i++)
		if (db->recs[i].rr.type == type)
			return true;
	return false;
}

void zonedb_query(const struct zonedb *db, const char *name, uint16_t type, struct zone_answer *ans)
{
	memset(ans, 0, sizeof(*ans));
	const char *apex = zonedb_zone_of(db, name, &ans->file);
	if (apex == NULL) {
		ans->rcode = DNS_NOZONE;
		return;
	}
	ans->zone = apex;
	/* Below a delegation to a zone we do not hold: not ours to answer. */
	for (const char *p = name; p && strcmp(p, apex) != 0;) {
		struct nameent *e = find(db, p);
		if (e && has_type(db, e, LDNS_RR_TYPE_NS)) {
			ans->rcode = DNS_NOZONE;
			return;
		}
		p = strchr(p, '.');
		if (p)
			p++;
	}
	struct nameent *e = find(db, name);
	if (e) {
		from_node(db, e, type, ans);
		return;
	}
	/* RFC 4592: the closest encloser's wildcard, if it has one. */
	for (const char *p = strchr(name, '.'); p && *++p; p = strchr(p, '.')) {
		if (find(db, p) == NULL)
			continue;
		char wild[300];
		snprintf(wild, sizeof(wild), "*.%s", p);
		struct nameent *w = find(db, wild);
		if (w) {
			from_node(db, w, type, ans);
			return;
		}
		break;
	}
	ans->rcode = DNS_NXDOMAIN;
}

void zone_answer_clear(struct zone_answer *ans)
{
	if (!ans->borrowed)
		free(ans->rr);
	ans->rr = NULL;
	ans->n = ans->cap = 0;
}

void zonedb_names(const struct zonedb *db, void (*fn)(void *ctx, const char *name), void *ctx)
{
	for (size_t i = 0; i < db->nnames; i++) {
		const struct nameent *e = &db->names[i];
		if (e->name[0] == '*')
			continue;
		if (has_type(db, e, LDNS_RR_TYPE_A) || has_type(db, e, LDNS_RR_TYPE_AAAA) ||
		    has_type(db, e, LDNS_RR_TYPE_CNAME))
			fn(ctx, e->name);
	}
}

enum rstatus zonedb_axfr(struct zonedb *db, const char *spec, struct rerr *err)
{
	char zone[300], host[300];
	const char *at = strchr(spec, '@');
	unsigned port = 53;
	enum rstatus rc = R_OK;

	if (at == NULL || at == spec || (size_t)(at - spec) >= sizeof(zone) ||
	    strlen(at + 1) >= sizeof(host) || at[1] == '\0')
		return rerr_set(err, R_EUSAGE, spec, 0, "--axfr takes ZONE@HOST[:PORT]");
	snprintf(zone, sizeof(zone), "%.*s", (int)(at - spec), spec);
	snprintf(host, sizeof(host), "%s", at + 1);
	char *colon = strrchr(host, ':');
	if (colon && strchr(host, ':') == colon) { /* one colon: IPv4 or name with a port */
		char *end;
		unsigned long p = strtoul(colon + 1, &end, 10);
		if (*end || p == 0 || p > 65535)
			return rerr_set(err, R_EUSAGE, spec, 0, "bad port in --axfr");
		port = (unsigned)p;
		*colon = '\0';
	}
	ldns_resolver *res = ldns_resolver_new();
	ldns_rdf *ns =
	    ldns_rdf_new_frm_str(strchr(host, ':') ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, host);
	ldns_rdf *dn = ldns_dname_new_frm_str(zone);
	if (res == NULL || ns == NULL || dn == NULL) {
		rc =
		    rerr_set(err, R_EUSAGE, spec, 0, "--axfr needs a zone name and a host address");
		goto out;
	}
	ldns_resolver_push_nameserver(res, ns); /* copies it */
	ldns_resolver_set_port(res, (uint16_t)port);
	struct timeval tv = {10, 0};
	ldns_resolver_set_timeout(res, tv);
	ldns_status st = ldns_axfr_start(res, dn, LDNS_RR_CLASS_IN);
	if (st != LDNS_STATUS_OK) {
		rc = rerr_set(err, R_EDNS, spec, 0,
			      "zone transfer of %s from %s could not start: %s", zone, host,
			      ldns_get_errorstr_by_id(st));
		goto out;
	}
	ldns_zone *z = ldns_zone_new();
	ldns_rr *rr;
	size_t count = 0;
	while ((rr = ldns_axfr_next(res)) != NULL) {
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_zone_soa(z) == NULL) {
			ldns_zone_set_soa(z, rr);
		} else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
			ldns_rr_free(rr); /* the closing SOA */
		} else if (++count > db->max_records) {
			ldns_rr_free(rr);
			break;
		} else {
			ldns_zone_push_rr(z, rr);
		}
	}
	if (count > db->max_records) {
		rc = rerr_set(err, R_ELIMIT, spec, 0,
			      "zone transfer of %s: more than %zu records in all zones", zone,
			      db->max_records);
		ldns_zone_deep_free(z);
		goto out;
	}
	if (!ldns_axfr_complete(res)) {
		const ldns_pkt *last = ldns_axfr_last_pkt(res);
		const char *why = last ? ldns_pkt_rcode2str(ldns_pkt_get_rcode(last)) : NULL;
		rc = rerr_set(err, R_EDNS, spec, 0, "zone transfer of %s from %s:%u %s%s", zone,
			      host, port, why ? "refused: " : "did not complete", why ? why : "");
		free((char *)why);
		ldns_zone_deep_free(z);
		goto out;
	}
	char name[700];
	snprintf(name, sizeof(name), "axfr:%s@%s:%u", zone, host, port);
	rc = zonedb_add(db, z, name, err);
out:
	if (dn)
		ldns_rdf_deep_free(dn);
	if (ns)
		ldns_rdf_deep_free(ns);
	if (res)
		ldns_resolver_deep_free(res);
	return rc;
}
