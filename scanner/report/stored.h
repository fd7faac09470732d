/*
 * stored: a stored scan as plain structs, and its text, JSON and CSV reports
 * (`residency report`). The structs are filled by store/report_read.c (or by a
 * test, from memory); the writers here only write. A report of a large scan is
 * a stream: services and findings come one at a time from a stored_source, in
 * the passes each format needs, so memory stays flat at any scan size.
 *
 * A NULL string is an SQL NULL; the writers decide how each is shown.
 */
#ifndef RESIDENCY_STORED_H
#define RESIDENCY_STORED_H

#include "core/rerr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The scan row. */
struct stored_scan {
	long long id;
	const char *status;
	const char *started_at; /* UTC, YYYY-MM-DDTHH:MI:SSZ */
	const char *verdict;
	const char *estate;
	const char *config_sha256;
	const char *policy_sha256;
	const char *error;
};

/* One service's verdict. */
struct stored_service {
	const char *name;
	const char *owner;
	const char *policy;
	const char *verdict;
	long long findings; /* open */
	long long waived;
};

/* One finding, with what the attribution of its element (an address) said. */
struct stored_finding {
	const char *service;
	const char *endpoint;
	const char *element;
	const char *element_kind;
	const char *country;
	const char *provider;
	const char *region;
	const char *border_group;
	const char *source;
	const char *policy;
	const char *reason;
	const char *detail;
	const char *path; /* JSON array text */
	bool waived;
	const char *waiver_reason;
	const char *waiver_expires;
	bool waiver_expired;
	const char *endpoints; /* JSON array text: every endpoint that reaches the element */
	const char *scope;     /* of the attribution; "none" when the element is not an address */
	const char *prefix;
	const char *geoip_country;
	bool disagreement;
	const char *services; /* of the attribution (a special-purpose address: its RFC) */
};

/* Which findings a pass reads, each in the order they were stored. */
enum stored_which {
	STORED_ALL,
	STORED_OPEN,	/* not waived */
	STORED_WAIVED,	/* waived */
	STORED_WAIVERS, /* waived, or matched by a waiver that had expired */
};

typedef enum rstatus (*stored_service_fn)(void *ctx, const struct stored_service *s,
					  struct rerr *err);
typedef enum rstatus (*stored_finding_fn)(void *ctx, const struct stored_finding *f,
					  struct rerr *err);

/*
 * Where the services and findings of one scan come from; each call is one
 * pass, calling fn once per row (the pointers are valid during that call only)
 * and stopping at the first status fn returns other than R_OK.
 */
struct stored_source {
	void *src;
	/* Services by name. */
	enum rstatus (*services)(void *src, stored_service_fn fn, void *ctx, struct rerr *err);
	enum rstatus (*findings)(void *src, enum stored_which which, stored_finding_fn fn,
				 void *ctx, struct rerr *err);
};

enum stored_format { STORED_TEXT, STORED_JSON, STORED_CSV };

/*
 * Writes the report of scan in format fmt to f; *open counts the findings not
 * waived. R_EIO when f fails, or what src returned.
 */
enum rstatus stored_write(FILE *f, enum stored_format fmt, const struct stored_scan *scan,
			  const struct stored_source *src, size_t *open, struct rerr *err);

/* One CSV field: quoted when it holds , " CR or LF; NULL is empty. */
void stored_csv_field(FILE *f, const char *s, bool last);

#endif
