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
