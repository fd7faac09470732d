/*
 * html: one stored scan as one self-contained HTML5 document (inline CSS, an
 * inline SVG chart, no script, nothing fetched): the overall verdict, the
 * scan's facts and hashes, a per-country summary, each service's verdict, each
 * finding with its full data path, the waivers with their expiry, and the data
 * sources the scan was judged against. Readable on screen and in print.
 *
 * Pipeline: store/report_read.c reads the scan into the structs below and
 * streams its services and findings (stored.h); report/html writes them and
 * never judges again, nor queries. Every string that comes from the database
 * goes through html_escape() and nothing else, so a hostile host name is
 * shown as text. Only the per-country and per-source summaries are held in
 * memory; findings are written as they come, in three passes.
 * The output is also well-formed XML (void elements closed, only numeric or
 * XML entities), so `xmllint --noout` can check it.
 */
#ifndef RESIDENCY_HTML_H
#define RESIDENCY_HTML_H

#include "core/rerr.h"
#include "report/stored.h"

#include <stdbool.h>
#include <stddef.h>

#include <stdio.h>

/*
 * Writes s for HTML text or a quoted attribute value: & < > " ' become
 * entities, and control characters (other than tab, newline and carriage
 * return) become their visible Control Pictures (U+2400...), so nothing from
 * the database can open a tag, end an attribute or vanish. NULL writes nothing.
 */
void html_escape(FILE *f, const char *s);

/* Distinct addresses, path elements and services per country. */
struct html_country {
	const char *key; /* a country code, "~anycast" or "~unknown" */
	long long addresses;
	long long elements;
	long long services;
	bool in_open_findings;
};

/* One service that reaches a country. */
struct html_country_service {
	const char *key;
	const char *service;
};

/* Path elements that got no address, per status. */
struct html_unresolved {
	const char *status;
	long long count;
};

/* A data source of the scan, and the stored snapshot of the same bytes. */
struct html_source {
	const char *name;
	const char *kind;
	const char *origin;
	const char *version;
	const char *records;
	const char *sha256;
	const char *files; /* JSON array text */
	const char *snapshot_id;
	const char *snapshot_fetched;
};

/* The scan as the HTML report shows it: times are "YYYY-MM-DD HH:MI:SS UTC". */
struct html_scan {
	const char *id;
	const char *status;
	const char *started;
	const char *finished;
	const char *verdict;
	const char *estate;
	const char *config_path;
	const char *zone_files; /* JSON array text */
	const char *config_sha256;
	const char *policy_sha256;
	const char *geoip_epoch;
	const char *geoip_built;
	const char *error;
	long long open;	  /* findings not waived */
	long long waived; /* findings waived */
	long long nservices;
	long long violating; /* services with the verdict violation */
	long long addresses; /* distinct */
	long long elements;
	const struct html_country *countries; /* by addresses, most first */
	size_t ncountries;
	const struct html_country_service *country_services; /* by key, service */
	size_t ncountry_services;
	const struct html_unresolved *unresolved; /* by status */
	size_t nunresolved;
	const struct html_source *sources; /* in their order */
	size_t nsources;
};

/*
 * Writes scan s as one HTML document to f, with its services and findings from
 * src. A scan that is not complete is shown as incomplete, never as a pass.
 * R_EIO when f fails, or what src returned.
 */
enum rstatus html_write(FILE *f, const struct html_scan *s, const struct stored_source *src,
			struct rerr *err);

#endif
