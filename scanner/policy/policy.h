/*
 * policy: the estate (services, their endpoints and mail domains) and the
 * policies that judge them, read from JSON with every error naming file:line.
 * Country codes are checked against the shipped ISO 3166-1 list and groups
 * (the JSON files in policies/groups/) are expanded; an unknown code is an error with a
 * suggestion, never ignored.
 */
#ifndef RESIDENCY_POLICY_H
#define RESIDENCY_POLICY_H

#include "core/rerr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POLICY_MAX_SERVICES 1000000u
#define POLICY_MAX_ENDPOINTS 1000000u
/*
 * The estate file: 1,000,000 endpoints take about 50 MB of JSON; an estate
 * read a service at a time stays small, one read as a whole document (for the
 * message of an error) takes about ten times its size.
 */
#define POLICY_MAX_ESTATE_BYTES (128u * 1024 * 1024)
#define POLICY_MAX_NAME 128 /* characters of a policy's name */

/* A set of ISO 3166-1 alpha-2 codes. */
struct ccset {
	uint8_t bits[(26 * 26 + 7) / 8];
};
bool ccset_has(const struct ccset *s, const char *cc);

struct waiver {
	char *element; /* a host name (canonical, trailing dot) or an address, or an endpoint */
	char *reason;
	char expires[11]; /* YYYY-MM-DD, valid through that day */
	long line;
};

/* What a special-purpose address (no country, no provider) means under a policy. */
enum special_policy {
	SPECIAL_UNKNOWN = 0, /* "unknown" (the default): a finding, as unknown is (fail closed) */
	SPECIAL_ALLOW,	     /* "allow": no finding */
	SPECIAL_DENY,	     /* "deny": a finding of its own reason */
};

struct policy {
	char *name;
	char *file;
	char *text; /* the file as read, for evidence */
	struct ccset allow, deny;
	bool has_allow;
	char **providers; /* allow_providers; none: any provider */
	size_t nproviders;
	bool unknown_allow;	     /* "unknown": "allow" */
	bool global_allow;	     /* "global": "allow" */
	enum special_policy special; /* "special": "allow" | "deny" | "unknown" */
	struct waiver *waivers;
	size_t nwaivers;
};

struct service {
	char *name;
	char *owner;
	char *policy;
	/* names or patterns ("*.pay.example.com"); the pointers and the strings are
	 * one allocation, and so are mail_domains' */
	char **endpoints;
	size_t nendpoints;
	char **mail_domains;
	size_t nmail;
	long line;
};

struct estate {
	char *file;
	char *text; /* the estate file as read; NULL for an estate built in memory */
	struct service *v;
	size_t n, vcap;
	struct policy *policies;
	size_t npolicies;
};

/*
 * Reads the estate file and every *.json policy in policies_dir (NULL: the
 * bundled policies/ folder), with the country list and groups from the bundled
 * data. Checks that every service names a policy that exists. Caller frees
 * with estate_free().
 */
enum rstatus estate_load(const char *estate_file, const char *policies_dir, struct estate **out,
			 struct rerr *err);
/*
 * An estate with the policies of policies_dir (NULL: bundled) and no services
 * yet, for services that come from elsewhere (a stored scan); label names it in
 * messages and reports. Caller frees with estate_free().
 */
enum rstatus estate_load_policies(const char *label, const char *policies_dir, struct estate **out,
				  struct rerr *err);
/*
 * Appends a service with no endpoints (copies of the strings; owner may be
 * NULL). Does not check that its policy exists: see estate_policy().
 */
enum rstatus estate_add_service(struct estate *e, const char *name, const char *owner,
				const char *policy, struct rerr *err);
/* Safe to call with NULL. */
void estate_free(struct estate *e);
const struct policy *estate_policy(const struct estate *e, const char *name);

#endif
