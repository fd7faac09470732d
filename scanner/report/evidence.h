/*
 * evidence: what a regulator can verify (issue 7). One header for the four
 * parts of it, each a file of its own:
 *   records  the canonical records of a stored scan; its digest is SHA-256
 *            (digest.h) over them, each table in a fixed order
 *   chain    every complete scan's link: SHA-256 over the previous link and
 *            the scan's digest, Ed25519-signed when a key is configured
 *   export   the bundle of one scan (bundle.h has its layout)
 *   verify   the bundle checked offline, or compared with the database
 * report/ never queries: the records and links come from store/evidence_store.
 */
#ifndef RESIDENCY_EVIDENCE_H
#define RESIDENCY_EVIDENCE_H

#include "report/chain.h"
#include "report/export.h"
#include "report/records.h"
#include "report/verify.h"

#endif
