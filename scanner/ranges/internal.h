/*
 * ranges/internal: helpers shared by the format parsers; not for other stages.
 */
#ifndef RESIDENCY_RANGES_INTERNAL_H
#define RESIDENCY_RANGES_INTERNAL_H

#include "ranges/ranges.h"

#include <jansson.h>

/* Parses JSON bytes (a leading UTF-8 BOM is skipped); errors name file:line. */
enum rstatus ranges_json(const char *data, size_t len, const char *source, json_t **out,
			 struct rerr *err);
/* Gets a member that must be a string; NULL plus an error when missing or mistyped. */
const char *ranges_json_str(json_t *obj, const char *key, bool required, const char *source,
			    const char *record, struct rerr *err, enum rstatus *rc);
/* Gets a member that must be an array. */
json_t *ranges_json_array(json_t *obj, const char *key, const char *source, const char *record,
			  struct rerr *err, enum rstatus *rc);

/*
 * The parsed-ranges cache (ranges_load_bundled keeps each provider's parsed
 * bundled files in the cache folder). ranges_parsed_parse checks an image of one
 * such file: header, every count against the size and RANGES_MAX_RECORDS, every
 * string ended within its field, every prefix of a known family, a legal length
 * and no host bits, every flag 0 or 1. key NULL skips the key comparison (the
 * fuzz target). On PARSED_OK out's entries are replaced (its old ones freed);
 * otherwise out is untouched and *why says what was wrong.
 */
enum parsed_status {
	PARSED_OK,
	PARSED_STALE,	/* absent, unreadable, or made from other files or code: parse again */
	PARSED_CORRUPT, /* out of bounds: parse again, with a warning */
};
enum parsed_status ranges_parsed_parse(const void *data, size_t len, const char *key,
				       struct range_set *out, const char **why);

enum rstatus ranges_parse_aws(const char *, size_t, const char *, struct range_set *,
			      struct rerr *);
enum rstatus ranges_parse_gcp(const char *, size_t, const char *, struct range_set *,
			      struct rerr *);
enum rstatus ranges_parse_azure(const char *, size_t, const char *, struct range_set *,
				struct rerr *);
enum rstatus ranges_parse_oracle(const char *, size_t, const char *, struct range_set *,
				 struct rerr *);
enum rstatus ranges_parse_github(const char *, size_t, const char *, struct range_set *,
				 struct rerr *);
enum rstatus ranges_parse_fastly(const char *, size_t, const char *, struct range_set *,
				 struct rerr *);
enum rstatus ranges_parse_cidrlist(const char *, size_t, const char *, struct range_set *,
				   struct rerr *);
enum rstatus ranges_parse_geofeed_csv(const char *, size_t, const char *, struct range_set *,
				      struct rerr *);
enum rstatus ranges_parse_geofeed_json(const char *, size_t, const char *, struct range_set *,
				       struct rerr *);

#endif
