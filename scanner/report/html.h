/*
 * html: one stored scan as one self-contained HTML5 document (inline CSS, an
 * inline SVG chart, no script, nothing fetched): the overall verdict, the
 * scan's facts and hashes, a per-country summary, each service's verdict, each
 * finding with its full data path, the waivers with their expiry, and the data
 * sources the scan was judged against. Readable on screen and in print.
 *
 * Pipeline: store/ (PostgreSQL) -> report/html. Reads the database only; it
 * never judges again. Every string that comes from the database goes through
 * html_escape() and nothing else, so a hostile host name is shown as text.
 * The output is also well-formed XML (void elements closed, only numeric or
 * XML entities), so `xmllint --noout` can check it.
 */
#ifndef RESIDENCY_HTML_H
#define RESIDENCY_HTML_H

#include "core/rerr.h"
#include "store/store.h"

#include <stdio.h>

/*
 * Writes s for HTML text or a quoted attribute value: & < > " ' become
 * entities, and control characters (other than tab, newline and carriage
 * return) become their visible Control Pictures (U+2400...), so nothing from
 * the database can open a tag, end an attribute or vanish. NULL writes nothing.
 */
void html_escape(FILE *f, const char *s);

/*
 * Writes stored scan `scan_id` (decimal digits) as one HTML document to f. A
 * scan that is not complete is shown as incomplete, never as a pass. R_EINPUT
 * when there is no such scan, R_EDB when the database fails, R_EIO when f does.
 */
enum rstatus html_report_scan(FILE *f, struct store *st, const char *scan_id, struct rerr *err);

#endif
