/*
 * run: one pass of the pipeline over an estate, shared by `check` (print) and
 * `scan` (store): load the estate and policies, the zones and the range
 * snapshots, resolve every endpoint's data path, attribute every address and
 * judge every service. Nothing here prints or stores.
 */
#ifndef RESIDENCY_RUN_H
#define RESIDENCY_RUN_H

#include "attrib/attrib.h"
#include "dns/dns.h"
#include "policy/judge.h"
#include "policy/policy.h"

#include <time.h>

#define RUN_MAX_ARGS 256

struct run_input {
	const char *estate_file;
	const char *policies;	/* NULL: bundled */
	struct dns_options dns; /* zones, resolvers, axfr, offline */
	const struct attrib_source *sources;
	size_t nsources;
	const char *geoip; /* NULL: bundled */
	char today[11];	   /* YYYY-MM-DD, for waivers */
	/* Set by a signal handler to stop: the step in hand ends (DNS questions
	 * in flight are abandoned) and run_estate() returns R_ESTOPPED. NULL: never. */
	const volatile sig_atomic_t *stop;
};

struct run_service {
	struct path *paths; /* endpoints (patterns expanded) then mail domains */
	bool *is_mail;
	size_t npaths;
	struct judgement judged;
};

struct run {
	struct estate *estate;
	struct dns *dns;
	struct attrib *attrib;
	struct run_service *services; /* estate->n of them */
	size_t endpoints;	      /* paths judged */
	size_t done;		      /* services resolved and judged */
	struct timespec started;      /* for the progress line's rate */
};

/*
 * The pipeline in steps, for a scan whose services are stored job by job:
 * run_open() loads the estate, zones and ranges; run_services() resolves and
 * judges services [from, to) (a progress line on a terminal; run_progress_end()
 * ends it); run_drop_services() frees what those services hold once stored.
 * run_services() fails (R_EDNS) when questions were asked and no resolver has
 * answered any yet: nothing could be checked.
 */
enum rstatus run_open(const struct run_input *in, struct run **out, struct rerr *err);
enum rstatus run_services(struct run *r, const struct run_input *in, size_t from, size_t to,
			  struct rerr *err);
void run_progress_end(void);
void run_drop_services(struct run *r, size_t from, size_t to);

/* Runs the whole pipeline. Caller frees with run_free(). A stopped run
 * (R_ESTOPPED) returns nothing: its paths are incomplete. */
enum rstatus run_estate(const struct run_input *in, struct run **out, struct rerr *err);
/* Safe to call with NULL. */
void run_free(struct run *r);

#endif
