/*
 * judge: a service's data paths + attribution + its policy -> findings. Every
 * element of every path is judged: names on the chain, addresses, name
 * servers of each zone on the chain, MX hosts. Fails closed: an element that
 * cannot be resolved or placed is a finding unless the policy says "allow".
 * Knows nothing of how paths were resolved or addresses attributed: both
 * arrive as data (attribution through a callback, so tests can fake it).
 */
#ifndef RESIDENCY_JUDGE_H
#define RESIDENCY_JUDGE_H

#include "attrib/attrib.h"
#include "dns/dns.h"
#include "policy/policy.h"

enum finding_reason {
	REASON_DENIED_COUNTRY,	     /* the country is in deny_countries */
	REASON_COUNTRY_NOT_ALLOWED,  /* allow_countries is set and does not hold it */
	REASON_PROVIDER_NOT_ALLOWED, /* allow_providers is set and does not hold it */
	REASON_INDETERMINATE,	     /* anycast / GLOBAL: no country can be named */
	REASON_UNKNOWN,		     /* no source places the address */
	REASON_UNRESOLVABLE,	     /* the name could not be resolved (see detail) */
	REASON_INCOMPLETE, /* part of the path is missing: a bound cut it, or a question of a
			      host got no answer while the other did (see detail) */
	REASON_SPECIAL,	   /* an IANA special-purpose address: no country, no
			      provider; the policy says "special": "deny" */
};
const char *finding_reason_name(enum finding_reason r);

struct finding_hop {
	enum path_kind kind;
	char text[256]; /* a name, or an address in text form */
	char zone[256]; /* NS hops */
	enum dns_status status;
};

struct finding {
	const char *service; /* borrowed from the estate */
	const char *policy;
	char endpoint[256]; /* the first endpoint whose path reaches the element */
	/* The service's other endpoints that reach the same element for the same
	 * reason (and the same waiver): one finding, not one per endpoint. Owned
	 * (strdup'd), sorted; endpoint is the least of all, and path and detail
	 * are its. */
	char **more_endpoints;
	size_t nmore, capmore;
	char element[256];
	enum path_kind kind;
	enum finding_reason reason;
	char detail[1024];
	struct attribution at;	  /* ADDRESS elements; zeroed otherwise */
	struct finding_hop *path; /* endpoint first, element last */
	size_t npath;
	const struct waiver *waiver;  /* a valid waiver: the finding is waived */
	const struct waiver *expired; /* a waiver that matched but has expired */
};

struct judgement {
	struct finding *v;
	size_t n, cap;
	size_t nwaived; /* findings with a valid waiver (counted in n too) */
};

typedef void (*judge_attribute_fn)(void *ctx, const struct addr *a, struct attribution *out);

/*
 * Judges one service. paths[i] is the path of an endpoint (is_mail[i] false)
 * or a mail domain (true). today is "YYYY-MM-DD" (waivers are valid through
 * their expiry day). Findings are appended to out.
 */
enum rstatus judge_service(const struct service *svc, const struct policy *pol,
			   const struct path *paths, const bool *is_mail, size_t npaths,
			   judge_attribute_fn attribute, void *ctx, const char *today,
			   struct judgement *out, struct rerr *err);
/* Safe on a zeroed judgement. */
void judgement_free(struct judgement *j);

#endif
