/*
 * ranges: the provider table, dispatch to the format parsers, shared record
 * handling and sanity checks.
 */
#include "ranges/internal.h"
#include "core/buf.h"
#include "core/digest.h"
#include "core/log.h"
#include "core/paths.h"

#include <sys/stat.h>

#include <ctype.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct range_provider range_providers[] = {
    {"aws",
     "aws",
     {"aws/ip-ranges-2025-07-24.json"},
     {"https://ip-ranges.amazonaws.com/ip-ranges.json"},
     false},
    {"gcp",
     "gcp",
     {"gcp/cloud-2025-07-24.json"},
     {"https://www.gstatic.com/ipranges/cloud.json"},
     false},
    {"google",
     "gcp",
     {"google/goog-2024-04-25.json"},
     {"https://www.gstatic.com/ipranges/goog.json"},
     false},
    {"azure",
     "azure",
     {"azure/ServiceTags_Public-2025-07-22.json"},
     {"https://download.microsoft.com/download/7/1/D/71D86715-5596-4529-9B13-DA13A5DE5B63/"
      "ServiceTags_Public_20250721.json"},
     false},
    {"oracle",
     "oracle",
     {"oracle/public_ip_ranges-2025-07-21.json"},
     {"https://docs.oracle.com/iaas/tools/public_ip_ranges.json"},
     false},
    {"cloudflare",
     "cidrlist",
     {"cloudflare/ips-v4-2025-07-25.txt", "cloudflare/ips-v6-2025-07-25.txt"},
     {"https://www.cloudflare.com/ips-v4", "https://www.cloudflare.com/ips-v6"},
     true},
    {"fastly",
     "fastly",
     {"fastly/public-ip-list-2025-07-25.json"},
     {"https://api.fastly.com/public-ip-list"},
     true},
    {"github", "github", {"github/meta-2025-07-25.json"}, {"https://api.github.com/meta"}, false},
    {"akamai",
     "cidrlist",
     {"akamai/akamai_ipv4_CIDRs-2024-01-24.txt", "akamai/akamai_ipv6_CIDRs-2024-01-24.txt"},
     {"https://techdocs.akamai.com/property-manager/pdfs/akamai_ipv4_CIDRs.txt",
      "https://techdocs.akamai.com/property-manager/pdfs/akamai_ipv6_CIDRs.txt"},
     false},
    {"digitalocean",
     "geofeed-csv",
     {"digitalocean/geofeed-2025-07-22.csv"},
     {"https://digitalocean.com/geo/google.csv"},
     false},
    {"linode",
     "geofeed-csv",
     {"linode/geofeed-2025-07-24.csv"},
     {"https://geoip.linode.com/"},
     false},
    {"vultr",
     "geofeed-json",
     {"vultr/geofeed-2024-04-18.json"},
     {"https://geofeed.constant.com/?json"},
     false},
    {NULL, NULL, {NULL}, {NULL}, false},
};

size_t range_provider_nfiles(const struct range_provider *p)
{
	size_t n = 0;
	while (n < sizeof(p->files) / sizeof(p->files[0]) && p->files[n])
		n++;
	return n;
}

const struct range_provider *ranges_provider(const char *name)
{
	for (const struct range_provider *p = range_providers; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

void range_set_init(struct range_set *s, const char *provider)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->provider, sizeof(s->provider), "%s", provider);
}

void range_set_free(struct range_set *s)
{
	if (s == NULL)
		return;
	free(s->v);
	s->v = NULL;
	s->n = s->cap = s->nv4 = s->nv6 = 0;
}

static void copy_field(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= size)
		n = size - 1; /* callers check lengths first; this only bounds */
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

enum rstatus ranges_add(struct range_set *s, const char *prefix_text, const char *region,
			const char *border_group, const char *service, const char *country,
			bool global, const char *source, const char *record, struct rerr *err)
{
	struct range_entry *e;
	bool host_bits;

	if (record == NULL)
		record = "record";

	if (s->n >= RANGES_MAX_RECORDS)
		return rerr_set(err, R_ELIMIT, source, 0, "%s: more than %u records", record,
				RANGES_MAX_RECORDS);
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024;
		struct range_entry *v = realloc(s->v, ncap * sizeof(*v));
		if (v == NULL)
			return rerr_set(err, R_ENOMEM, source, 0, "out of memory");
		s->v = v;
		s->cap = ncap;
	}
	e = &s->v[s->n];
	memset(e, 0, sizeof(*e));
	if (!prefix_parse(prefix_text, &e->prefix, &host_bits))
		return rerr_set(err, R_EINPUT, source, 0, "%s: \"%.80s\" is not an IP prefix",
				record, prefix_text);
	if (host_bits)
		return rerr_set(err, R_EINPUT, source, 0,
				"%s: \"%.80s\" has host bits set below its length", record,
				prefix_text);
	if (region && strlen(region) >= sizeof(e->region))
		return rerr_set(err, R_EINPUT, source, 0, "%s: region \"%.80s\" is too long",
				record, region);
	if (service && strlen(service) >= sizeof(e->service))
		return rerr_set(err, R_EINPUT, source, 0, "%s: service \"%.80s\" is too long",
				record, service);
	if (border_group && strlen(border_group) >= sizeof(e->border_group))
		/* a cut name would miss the region table and fall to GeoIP */
		return rerr_set(err, R_EINPUT, source, 0,
				"%s: network border group \"%.80s\" is too long", record,
				border_group);
	if (country && *country) {
		if (strlen(country) != 2 || !isupper((unsigned char)country[0]) ||
		    !isupper((unsigned char)country[1]))
			return rerr_set(err, R_EINPUT, source, 0,
					"%s: country \"%.20s\" is not an ISO 3166-1 alpha-2 code",
					record, country);
	}
	copy_field(e->region, sizeof(e->region), region);
	copy_field(e->border_group, sizeof(e->border_group), border_group);
	copy_field(e->service, sizeof(e->service), service);
	copy_field(e->country, sizeof(e->country), country);
	e->global = global;
	if (e->prefix.addr.family == 4)
		s->nv4++;
	else
		s->nv6++;
	s->n++;
	return R_OK;
}

enum rstatus ranges_json(const char *data, size_t len, const char *source, json_t **out,
			 struct rerr *err)
{
	json_error_t jerr;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	*out = json_loadb(data, len, 0, &jerr);
	if (*out == NULL)
		return rerr_set(err, R_EINPUT, source, jerr.line > 0 ? jerr.line : 0,
				"not valid JSON: %s", jerr.text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return rerr_set(err, R_EINPUT, source, 0, "the top level is not a JSON object");
	}
	return R_OK;
}

const char *ranges_json_str(json_t *obj, const char *key, bool required, const char *source,
			    const char *record, struct rerr *err, enum rstatus *rc)
{
	json_t *v = json_object_get(obj, key);

	*rc = R_OK;
	if (v == NULL || json_is_null(v)) {
		if (required)
			*rc = rerr_set(err, R_EINPUT, source, 0, "%s: missing \"%s\"", record, key);
		return NULL;
	}
	if (!json_is_string(v)) {
		*rc = rerr_set(err, R_EINPUT, source, 0, "%s: \"%s\" is not a string", record, key);
		return NULL;
	}
	return json_string_value(v);
}

json_t *ranges_json_array(json_t *obj, const char *key, const char *source, const char *record,
			  struct rerr *err, enum rstatus *rc)
{
	json_t *v = json_object_get(obj, key);

	*rc = R_OK;
	if (v == NULL) {
		*rc = rerr_set(err, R_EINPUT, source, 0, "%s: missing \"%s\"", record, key);
		return NULL;
	}
	if (!json_is_array(v)) {
		*rc = rerr_set(err, R_EINPUT, source, 0, "%s: \"%s\" is not an array", record, key);
		return NULL;
	}
	return v;
}

enum rstatus ranges_parse(const char *provider, const char *data, size_t len,
			  const char *source_name, struct range_set *out, struct rerr *err)
{
	const struct range_provider *p = ranges_provider(provider);
	static const struct {
		const char *format;
		enum rstatus (*parse)(const char *, size_t, const char *, struct range_set *,
				      struct rerr *);
		enum range_kind kind;
	} formats[] = {
	    {"aws", ranges_parse_aws, RANGE_PROVIDER},
	    {"gcp", ranges_parse_gcp, RANGE_PROVIDER},
	    {"azure", ranges_parse_azure, RANGE_PROVIDER},
	    {"oracle", ranges_parse_oracle, RANGE_PROVIDER},
	    {"github", ranges_parse_github, RANGE_PROVIDER},
	    {"fastly", ranges_parse_fastly, RANGE_PROVIDER},
	    {"cidrlist", ranges_parse_cidrlist, RANGE_PROVIDER},
	    {"geofeed-csv", ranges_parse_geofeed_csv, RANGE_GEOFEED},
	    {"geofeed-json", ranges_parse_geofeed_json, RANGE_GEOFEED},
	};
	size_t first = out->n;
	enum rstatus rc;

	if (p == NULL)
		return rerr_set(err, R_EINPUT, source_name, 0, "unknown provider \"%s\"", provider);
	if (len > RANGES_MAX_BYTES)
		return rerr_set(err, R_ELIMIT, source_name, 0,
				"file of %zu bytes is over the limit of %u bytes", len,
				RANGES_MAX_BYTES);
	if (len == 0)
		return rerr_set(err, R_EINPUT, source_name, 0, "file is empty");
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(formats[i].format, p->format) != 0)
			continue;
		out->kind = formats[i].kind;
		if ((rc = formats[i].parse(data, len, source_name, out, err)) != R_OK)
			return rc;
		if (p->anycast)
			for (size_t k = first; k < out->n; k++)
				out->v[k].global = true;
		return R_OK;
	}
	return rerr_set(err, R_EINTERNAL, source_name, 0, "no parser for format %s", p->format);
}

struct span {
	uint64_t lo, hi; /* inclusive */
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo ? 1 : 0;
}

/* The first 64 bits of an address (IPv4: its 32 bits), as a number. */
static uint64_t addr_top(const struct addr *a)
{
	uint64_t v = 0;
	int nb = a->family == 4 ? 4 : 8;

	for (int i = 0; i < nb; i++)
		v = v << 8 | a->b[i];
	return v;
}

/* Sum of the union of the spans (sorted here). */
static double spans_total(struct span *v, size_t n)
{
	double total = 0;
	size_t i = 0;

	qsort(v, n, sizeof(*v), span_cmp);
	while (i < n) {
		uint64_t lo = v[i].lo, hi = v[i].hi;
		for (i++; i < n && (hi == UINT64_MAX || v[i].lo <= hi + 1); i++)
			if (v[i].hi > hi)
				hi = v[i].hi;
		total += (double)(hi - lo) + 1.0;
	}
	return total;
}

void ranges_space(const struct range_set *s, struct ranges_space *out)
{
	struct span *v4 = malloc((s->n ? s->n : 1) * sizeof(*v4));
	struct span *v6 = malloc((s->n ? s->n : 1) * sizeof(*v6));
	size_t n4 = 0, n6 = 0;

	out->v4 = out->v6 = 0;
	if (v4 == NULL || v6 == NULL) {
		/* Cannot measure: say "everything", so a check refuses rather than passes. */
		out->v4 = 4294967296.0;
		out->v6 = 18446744073709551616.0;
		goto out;
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct prefix *p = &s->v[i].prefix;
		uint64_t lo = addr_top(&p->addr);
		if (p->addr.family == 4) {
			unsigned host = 32u - (p->len > 32 ? 32u : p->len);
			v4[n4].lo = lo;
			v4[n4++].hi = lo + ((host == 32 ? 0x100000000ull : 1ull << host) - 1);
		} else {
			unsigned host = p->len >= 64 ? 0u : 64u - p->len;
			v6[n6].lo = lo;
			v6[n6++].hi = host == 64 ? UINT64_MAX : lo + ((1ull << host) - 1);
		}
	}
	out->v4 = spans_total(v4, n4);
	out->v6 = spans_total(v6, n6);
out:
	free(v4);
	free(v6);
}

/* "a /5.1 worth": the prefix length a block of that size would have. */
static double worth(double size, int bits)
{
	return size > 0 ? (double)bits - log2(size) : (double)bits;
}

static int entry_cmp(const struct range_entry *a, const struct range_entry *b)
{
	int c;

	if (a->prefix.addr.family != b->prefix.addr.family)
		return a->prefix.addr.family < b->prefix.addr.family ? -1 : 1;
	if ((c = memcmp(a->prefix.addr.b, b->prefix.addr.b, 16)) != 0)
		return c;
	if (a->prefix.len != b->prefix.len)
		return a->prefix.len < b->prefix.len ? -1 : 1;
	if (a->global != b->global)
		return a->global ? 1 : -1;
	if ((c = strcmp(a->region, b->region)) != 0 ||
	    (c = strcmp(a->border_group, b->border_group)) != 0 ||
	    (c = strcmp(a->service, b->service)) != 0 || (c = strcmp(a->country, b->country)) != 0)
		return c;
	return 0;
}

/* Pointers into one array: equal records sort together, earliest first. */
static int ptr_cmp(const void *a, const void *b)
{
	const struct range_entry *x = *(const struct range_entry *const *)a,
				 *y = *(const struct range_entry *const *)b;
	int c = entry_cmp(x, y);
	return c ? c : x < y ? -1 : x > y ? 1 : 0;
}

size_t ranges_dedupe(struct range_set *s)
{
	const struct range_entry **ix;
	size_t dropped = 0, k = 0;
	bool *drop;

	if (s->n < 2)
		return 0;
	ix = malloc(s->n * sizeof(*ix));
	drop = calloc(s->n, sizeof(*drop));
	if (ix == NULL || drop == NULL) {
		free(ix);
		free(drop);
		return 0; /* copies are harmless to lookups; only the count is off */
	}
	for (size_t i = 0; i < s->n; i++)
		ix[i] = &s->v[i];
	qsort(ix, s->n, sizeof(*ix), ptr_cmp);
	for (size_t i = 1; i < s->n; i++)
		if (entry_cmp(ix[i - 1], ix[i]) == 0)
			drop[ix[i] - s->v] = true;
	for (size_t i = 0; i < s->n; i++) {
		if (drop[i]) {
			dropped++;
			if (s->v[i].prefix.addr.family == 4)
				s->nv4--;
			else
				s->nv6--;
			continue;
		}
		if (k != i)
			s->v[k] = s->v[i];
		k++;
	}
	s->n = k;
	s->duplicates += dropped;
	free(ix);
	free(drop);
	return dropped;
}

enum rstatus ranges_sanity(struct range_set *s, const char *source_name, struct rerr *err)
{
	char text[64];
	struct ranges_space sp;

	ranges_dedupe(s);
	if (s->n == 0)
		return rerr_set(err, R_EINPUT, source_name, 0,
				"no prefixes at all: refusing an empty %s snapshot", s->provider);
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].prefix.len == 0)
			return rerr_set(
			    err, R_EINPUT, source_name, 0,
			    "record %zu: %s is a default route: a range file claiming the "
			    "whole internet is broken",
			    i, prefix_format(&s->v[i].prefix, text, sizeof(text)));
	}
	if (s->n == 1 && s->duplicates > 0)
		return rerr_set(err, R_EINPUT, source_name, 0,
				"all %zu records of %s are copies of one (%s): refusing a feed "
				"that repeats one record",
				s->duplicates + 1, s->provider,
				prefix_format(&s->v[0].prefix, text, sizeof(text)));
	ranges_space(s, &sp);
	if (sp.v4 > ldexp(1.0, 32 - RANGES_MAX_V4_SPACE_LEN))
		return rerr_set(err, R_EINPUT, source_name, 0,
				"%s claims %.0f IPv4 addresses (a /%.1f worth, %.1f%% of IPv4), "
				"over the ceiling of a /%d worth: refusing a range file that "
				"claims that much of the internet",
				s->provider, sp.v4, worth(sp.v4, 32),
				100.0 * sp.v4 / ldexp(1.0, 32), RANGES_MAX_V4_SPACE_LEN);
	if (sp.v6 > ldexp(1.0, 64 - RANGES_MAX_V6_SPACE_LEN))
		return rerr_set(err, R_EINPUT, source_name, 0,
				"%s claims %.4g IPv6 /64s (a /%.1f worth, %.2g%% of IPv6), over "
				"the ceiling of a /%d worth: refusing a range file that claims "
				"that much of the internet",
				s->provider, sp.v6, worth(sp.v6, 64),
				100.0 * sp.v6 / ldexp(1.0, 64), RANGES_MAX_V6_SPACE_LEN);
	return R_OK;
}

enum rstatus ranges_growth(const struct range_set *old, const struct range_set *neu,
			   const char *source_name, struct rerr *err)
{
	struct ranges_space a, b;

	ranges_space(old, &a);
	ranges_space(neu, &b);
	if (b.v4 > RANGES_MAX_GROWTH * a.v4 &&
	    b.v4 - a.v4 > ldexp(1.0, 32 - RANGES_GROWTH_FREE_V4_LEN))
		return rerr_set(err, R_EINPUT, source_name, 0,
				"%s: the new file claims %.0f IPv4 addresses (a /%.1f worth), "
				"%.1fx the last good snapshot's %.0f (a /%.1f worth); more than "
				"%.0fx is refused (--force accepts it)",
				neu->provider, b.v4, worth(b.v4, 32), a.v4 > 0 ? b.v4 / a.v4 : 0.0,
				a.v4, worth(a.v4, 32), RANGES_MAX_GROWTH);
	if (b.v6 > RANGES_MAX_GROWTH * a.v6 &&
	    b.v6 - a.v6 > ldexp(1.0, 64 - RANGES_GROWTH_FREE_V6_LEN))
		return rerr_set(err, R_EINPUT, source_name, 0,
				"%s: the new file claims %.4g IPv6 /64s (a /%.1f worth), %.1fx "
				"the last good snapshot's %.4g (a /%.1f worth); more than %.0fx is "
				"refused (--force accepts it)",
				neu->provider, b.v6, worth(b.v6, 64), a.v6 > 0 ? b.v6 / a.v6 : 0.0,
				a.v6, worth(a.v6, 64), RANGES_MAX_GROWTH);
	return R_OK;
}

enum rstatus ranges_load_file(const char *provider, const char *path, struct range_set *out,
			      struct rerr *err)
{
	struct buf b;
	enum rstatus rc;

	if (strncmp(path, "file://", 7) == 0)
		path += 7;
	buf_init(&b, RANGES_MAX_BYTES);
	if ((rc = buf_read_file(&b, path, err)) == R_OK)
		rc = ranges_parse(provider, b.data, b.len, path, out, err);
	buf_free(&b);
	return rc;
}

/*
 * The parsed form of the bundled files is kept in the cache folder, keyed by the
 * files' names, sizes and modification times and the layout of struct range_entry: parsing 8.5 MB
 * of JSON on every run cost more than everything else `residency lookup` does.
 * A missing or mismatched cache is simply parsed again; a corrupt one (any
 * length, count, string or prefix out of bounds) is parsed again with a warning.
 * The file is the header below, then exactly n struct range_entry.
 */
#define PARSED_MAGIC "residency-parsed-ranges-v2"

struct parsed_header {
	char magic[32];
	char key[65];
	uint32_t entry_size;
	uint64_t n, nv4, nv6;
	uint64_t duplicates, invalid, rows;
	uint32_t kind;
	char version[128];
};

/* The largest file a valid cache can be: over it is corrupt, and never read whole. */
#define PARSED_MAX_BYTES                                                                           \
	(sizeof(struct parsed_header) + (size_t)RANGES_MAX_RECORDS * sizeof(struct range_entry))

static void parsed_path(const char *provider, char *buf, size_t len)
{
	char cache[4000];
	const char *e = getenv("RESIDENCY_CACHE"), *x = getenv("XDG_CACHE_HOME"),
		   *h = getenv("HOME");

	if (e && *e)
		snprintf(cache, sizeof(cache), "%s", e);
	else if (x && *x)
		snprintf(cache, sizeof(cache), "%s/residency", x);
	else
		snprintf(cache, sizeof(cache), "%s/.cache/residency", h && *h ? h : "/tmp");
	snprintf(buf, len, "%s/parsed/%s.bin", cache, provider);
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* One entry's raw bytes: every field within its legal bounds. */
static bool parsed_entry_ok(const unsigned char *raw, struct range_entry *e, const char **why)
{
	const size_t off_global = offsetof(struct range_entry, global);
	const size_t off_mapped = offsetof(struct range_entry, prefix) +
				  offsetof(struct prefix, addr) + offsetof(struct addr, mapped);

	/* A bool holding anything but 0 or 1 may not even be read. */
	if (raw[off_global] > 1 || raw[off_mapped] > 1)
		return *why = "a flag that is neither true nor false", false;
	memcpy(e, raw, sizeof(*e));
	const struct prefix *p = &e->prefix;
	unsigned max = p->addr.family == 4 ? 32 : 128, bytes = p->addr.family == 4 ? 4 : 16;
	if (p->addr.family != 4 && p->addr.family != 6)
		return *why = "an address family that is neither 4 nor 6", false;
	if (p->len == 0 || p->len > max)
		return *why = "a prefix length out of bounds", false;
	if (p->addr.mapped && p->addr.family != 4)
		return *why = "an IPv6 prefix marked IPv4-mapped", false;
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = i >= bytes		? 0
				: p->len >= (i + 1) * 8 ? 8
				: p->len > i * 8	? p->len - i * 8
							: 0;
		uint8_t mask = (uint8_t)(keep == 0 ? 0 : 0xff << (8 - keep));
		if (p->addr.b[i] & (uint8_t)~mask)
			return *why = "host bits set below a prefix length", false;
	}
	if (!terminated(e->region, sizeof(e->region)) ||
	    !terminated(e->border_group, sizeof(e->border_group)) ||
	    !terminated(e->service, sizeof(e->service)) ||
	    !terminated(e->country, sizeof(e->country)))
		return *why = "a string not ended within its field", false;
	if (e->country[0] && (strlen(e->country) != 2 || !isupper((unsigned char)e->country[0]) ||
			      !isupper((unsigned char)e->country[1])))
		return *why = "a country that is not two capital letters", false;
	return true;
}

enum parsed_status ranges_parsed_parse(const void *data, size_t len, const char *key,
				       struct range_set *out, const char **why)
{
	const unsigned char *d = data;
	struct parsed_header h;
	struct range_entry *v;
	size_t nv4 = 0, nv6 = 0;

	*why = "";
	if (len < sizeof(h))
		return *why = "shorter than its header", PARSED_CORRUPT;
	memcpy(&h, d, sizeof(h));
	if (memcmp(h.magic, PARSED_MAGIC, sizeof(PARSED_MAGIC)) != 0)
		return *why = "not a parsed-ranges cache of this version", PARSED_STALE;
	if (!terminated(h.key, sizeof(h.key)))
		return *why = "a key not ended within its field", PARSED_CORRUPT;
	if (key && memcmp(h.key, key, sizeof(h.key)) != 0)
		return *why = "made from other files", PARSED_STALE;
	if (h.entry_size != sizeof(struct range_entry))
		return *why = "made with another record layout", PARSED_STALE;
	if (h.n == 0 || h.n > RANGES_MAX_RECORDS || h.nv4 > h.n || h.nv6 > h.n ||
	    h.nv4 + h.nv6 != h.n)
		return *why = "record counts out of bounds", PARSED_CORRUPT;
	if (h.duplicates > RANGES_MAX_RECORDS || h.rows > RANGES_MAX_RECORDS || h.invalid > h.rows)
		return *why = "row counts out of bounds", PARSED_CORRUPT;
	if (h.kind != RANGE_PROVIDER && h.kind != RANGE_GEOFEED)
		return *why = "an unknown kind", PARSED_CORRUPT;
	if (!terminated(h.version, sizeof(h.version)))
		return *why = "a version not ended within its field", PARSED_CORRUPT;
	if (len != sizeof(h) + (size_t)h.n * sizeof(struct range_entry))
		return *why = "its size does not match its record count", PARSED_CORRUPT;
	if ((v = malloc((size_t)h.n * sizeof(*v))) == NULL)
		return *why = "out of memory", PARSED_STALE;
	for (size_t i = 0; i < h.n; i++) {
		if (!parsed_entry_ok(d + sizeof(h) + i * sizeof(*v), &v[i], why)) {
			free(v);
			return PARSED_CORRUPT;
		}
		if (v[i].prefix.addr.family == 4)
			nv4++;
		else
			nv6++;
	}
	if (nv4 != h.nv4 || nv6 != h.nv6) {
		free(v);
		return *why = "family counts that do not match its records", PARSED_CORRUPT;
	}
	/* Legal records can still make a table no source would pass: the same sanity. */
	struct range_set t;
	struct rerr err;
	range_set_init(&t, out->provider);
	t.v = v;
	t.n = t.cap = h.n;
	t.nv4 = nv4;
	t.nv6 = nv6;
	if (ranges_sanity(&t, "cache", &err) != R_OK || t.duplicates != 0) {
		free(v);
		return *why = "records that fail the sanity checks of a range file", PARSED_CORRUPT;
	}
	free(out->v);
	out->v = v;
	out->n = out->cap = h.n;
	out->nv4 = h.nv4;
	out->nv6 = h.nv6;
	out->duplicates = h.duplicates;
	out->invalid = h.invalid;
	out->rows = h.rows;
	out->kind = h.kind == RANGE_GEOFEED ? RANGE_GEOFEED : RANGE_PROVIDER;
	memcpy(out->version, h.version, sizeof(out->version));
	return PARSED_OK;
}

static enum parsed_status parsed_read(const char *path, const char *key, struct range_set *out,
				      const char **why)
{
	struct buf b;
	struct rerr err;
	struct stat sb;
	enum parsed_status st;

	*why = "";
	if (stat(path, &sb) != 0)
		return PARSED_STALE; /* absent: nothing to say */
	if ((size_t)sb.st_size > PARSED_MAX_BYTES)
		return *why = "larger than any cache can be", PARSED_CORRUPT;
	buf_init(&b, PARSED_MAX_BYTES);
	if (buf_read_file(&b, path, &err) != R_OK) {
		buf_free(&b);
		return *why = "unreadable", PARSED_STALE;
	}
	st = ranges_parsed_parse(b.data, b.len, key, out, why);
	buf_free(&b);
	return st;
}

static void parsed_write(const char *path, const char *key, const struct range_set *s)
{
	struct parsed_header h;
	char tmp[4400];

	if (strrchr(path, '/') == NULL)
		return;
	paths_mkdirs_for(path);
	memset(&h, 0, sizeof(h));
	snprintf(h.magic, sizeof(h.magic), "%s", PARSED_MAGIC);
	snprintf(h.key, sizeof(h.key), "%s", key);
	h.entry_size = sizeof(struct range_entry);
	h.n = s->n;
	h.nv4 = s->nv4;
	h.nv6 = s->nv6;
	h.duplicates = s->duplicates;
	h.invalid = s->invalid;
	h.rows = s->rows;
	h.kind = (uint32_t)s->kind;
	memcpy(h.version, s->version, sizeof(h.version));
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	if (f == NULL)
		return; /* no cache: fine, the next run parses again */
	bool ok = fwrite(&h, sizeof(h), 1, f) == 1 && fwrite(s->v, sizeof(*s->v), s->n, f) == s->n;
	if (fclose(f) == 0 && ok)
		rename(tmp, path);
	else
		remove(tmp);
}

enum rstatus ranges_load_bundled(const char *provider, struct range_set *out, struct rerr *err)
{
	const struct range_provider *p = ranges_provider(provider);
	char rel[256], path[4096], cache[4096], key[DIGEST_HEXLEN];
	struct buf files[3];
	enum rstatus rc = R_OK;
	int nfiles = 0;
	struct digest *dg;

	if (p == NULL)
		return rerr_set(err, R_EINPUT, provider, 0, "unknown provider");
	/* The key: each file's name, size and modification time (as make decides),
	 * which costs a stat instead of hashing 8.5 MB on every run. */
	dg = digest_new();
	for (int i = 0; i < 3 && p->files[i] && dg; i++) {
		struct stat sb;
		char meta[128];
		snprintf(rel, sizeof(rel), "data/ranges/%s", p->files[i]);
		if (stat(paths_data(rel, path, sizeof(path)), &sb) != 0)
			break;
		snprintf(meta, sizeof(meta), "%lld %lld.%09ld", (long long)sb.st_size,
			 (long long)sb.st_mtim.tv_sec, (long)sb.st_mtim.tv_nsec);
		const char *f[2] = {p->files[i], meta};
		digest_record(dg, "file", 2, f);
	}
	if (dg) {
		uint8_t md[DIGEST_LEN];
		digest_final(dg, md);
		digest_hex(md, key);
		parsed_path(provider, cache, sizeof(cache));
		if (out->n == 0) {
			const char *why;
			enum parsed_status st = parsed_read(cache, key, out, &why);
			if (st == PARSED_OK)
				goto done;
			if (st == PARSED_CORRUPT)
				log_warnx("%s: corrupt parsed-ranges cache (%s): ignored, parsing "
					  "the bundled files again",
					  cache, why);
		}
	}
	for (int i = 0; i < 3 && p->files[i] && rc == R_OK; i++) {
		snprintf(rel, sizeof(rel), "data/ranges/%s", p->files[i]);
		buf_init(&files[i], RANGES_MAX_BYTES);
		nfiles++;
		rc = buf_read_file(&files[i], paths_data(rel, path, sizeof(path)), err);
	}
	for (int i = 0; i < nfiles && rc == R_OK; i++) {
		snprintf(rel, sizeof(rel), "data/ranges/%s", p->files[i]);
		rc = ranges_parse(provider, files[i].data, files[i].len,
				  paths_data(rel, path, sizeof(path)), out, err);
	}
	if (rc == R_OK)
		rc = ranges_sanity(out, p->files[0], err);
	if (rc == R_OK && dg)
		parsed_write(cache, key, out);
done:
	for (int i = 0; i < nfiles; i++)
		buf_free(&files[i]);
	digest_free(dg);
	return rc;
}
