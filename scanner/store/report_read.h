/*
 * report_read: the reads of `residency report`: a stored scan into the plain
 * structs of report/stored.h and report/html.h, and its services and findings
 * streamed one row at a time (libpq's single-row mode), so that a report of a
 * scan of any size holds one row at a time. Reads only.
 */
#ifndef RESIDENCY_REPORT_READ_H
#define RESIDENCY_REPORT_READ_H

#include "report/html.h"
#include "report/stored.h"
#include "store/store.h"

/*
 * One consistent view of the database for the reads that follow (a read-only
 * repeatable-read transaction), even while a scan is being written; ended by
 * store_report_end().
 */
enum rstatus store_report_begin(struct store *st, struct rerr *err);
/* Ends it; safe to call when it failed. */
void store_report_end(struct store *st);

/*
 * The scan row of scan id; R_EINPUT ("no scan N in the database") when there
 * is none. *out is valid until store_report_scan_free().
 */
enum rstatus store_report_scan(struct store *st, long long id, struct stored_scan **out,
			       struct rerr *err);
/* Safe to call with NULL. */
void store_report_scan_free(struct stored_scan *s);

/*
 * Scan id as the HTML report shows it: its facts, counts, countries and
 * sources. R_EINPUT when there is no such scan. Free with store_report_html_free().
 */
enum rstatus store_report_html(struct store *st, long long id, struct html_scan **out,
			       struct rerr *err);
/* Safe to call with NULL. */
void store_report_html_free(struct html_scan *s);

/* The services and findings of scan `id` as a report/ source. */
struct store_report_source {
	struct store *st;
	long long id;
};
/* A stored_source over src (which must outlive it). */
struct stored_source store_report_source(struct store_report_source *src);

#endif
