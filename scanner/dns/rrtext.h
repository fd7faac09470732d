/*
 * rrtext: the presentation form of names and common records, written straight
 * from their wire form, byte for byte as ldns writes them (ldns_rdf2str,
 * ldns_rr2str). ldns builds each through a growing buffer and one printf per
 * character; answers come by the hundred thousand, so the live engine writes
 * the usual ones here and leaves the rest to ldns. Tests compare both on every
 * byte value and record shape.
 */
#ifndef RESIDENCY_RRTEXT_H
#define RESIDENCY_RRTEXT_H

#include <ldns/ldns.h>
#include <stdbool.h>
#include <stddef.h>

/* A name needs at most 4 bytes per wire byte ("\DDD"). */
#define RRTEXT_NAME_MAX (4 * LDNS_MAX_DOMAINLEN + 2)

/*
 * The text of an uncompressed wire-format name of len bytes into out (size
 * bytes, NUL-terminated), as ldns_rdf2str writes it: labels joined by '.',
 * ending in '.', with . ; ( ) \ escaped and bytes that are not printable ASCII
 * as \DDD. False when the name is malformed or does not fit.
 */
bool rrtext_name(const uint8_t *wire, size_t len, char *out, size_t size);

/*
 * The record as ldns_rr2str writes it, without its final newline, for class
 * IN A, AAAA, CNAME, NS and MX; *outlen is its length. False for any other
 * record (or one that does not fit): the caller asks ldns.
 */
bool rrtext_record(const ldns_rr *rr, char *out, size_t size, size_t *outlen);

#endif
