/*
 * records: the canonical record types of a stored scan and their digest. See
 * records.h. The columns here are the record format: changing one changes
 * every digest, so old chains and bundles would no longer verify.
 */
#include "report/records.h"

#include <string.h>

const struct record_type record_types[RECORDS_NTYPES] = {
    {"scan",
     {"id", "status", "started_at", "finished_at", "estate", "config_path", "zone_files",
      "config_sha256", "policy_sha256", "geoip_build_epoch", "counts", "verdict", "error",
      "record_format"},
     true},
    {"document", {"kind", "name", "sha256", "body"}, false},
    {"source", {"seq", "name", "kind", "origin", "files", "sha256", "version", "records"}, false},
    {"service", {"service", "owner", "policy", "verdict", "findings", "waived"}, false},
    {"element",
     {"service", "endpoint", "mail", "idx", "kind", "name", "address", "status", "parent", "zone",
      "part"},
     true},
    {"part", {"part", "idx", "kind", "name", "address", "status", "parent", "zone"}, false},
    {"attribution",
     {"address", "provider", "region", "border_group", "services", "scope", "country", "source",
      "prefix", "geoip_country", "region_unmapped", "disagreement"},
     false},
    {"finding",
     {"seq", "service", "endpoint", "element", "element_kind", "country", "provider", "region",
      "border_group", "source", "policy", "reason", "detail", "path", "waived", "waiver_reason",
      "waiver_expires", "waiver_expired", "endpoints"},
     true},
    {"answer", {"seq", "name", "type", "rcode", "data", "ttl", "resolver", "answered_at"}, false},
};

const struct record_type *records_type(const char *type)
{
	for (size_t i = 0; i < RECORDS_NTYPES; i++)
		if (strcmp(record_types[i].type, type) == 0)
			return &record_types[i];
	return NULL;
}

size_t records_ncols(const struct record_type *t)
{
	size_t n = 0;
	while (n < RECORDS_MAXCOLS && t->cols[n])
		n++;
	return n;
}

size_t records_nfields(const struct record_type *t, size_t nf, const char *const *f)
{
	if (nf > RECORDS_MAXCOLS)
		nf = RECORDS_MAXCOLS;
	if (t->last_optional && nf > 0 && f[nf - 1] == NULL)
		nf--;
	return nf;
}

static enum rstatus to_digest(void *ctx, const char *type, size_t n, const char *const *f,
			      struct rerr *err)
{
	(void)err;
	digest_record(ctx, type, n, f);
	return R_OK;
}

enum rstatus records_digest(evidence_source_fn src, void *sctx, long long scan,
			    char hex[DIGEST_HEXLEN], struct rerr *err)
{
	struct digest *d = digest_new();
	uint8_t md[DIGEST_LEN];
	enum rstatus rc;

	if (d == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	rc = src(sctx, scan, to_digest, d, err);
	digest_final(d, md);
	digest_free(d);
	if (rc == R_OK)
		digest_hex(md, hex);
	return rc;
}
