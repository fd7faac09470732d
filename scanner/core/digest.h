/*
 * core/digest: plain SHA-256 for every stage (OpenSSL libcrypto's, never
 * ours): of a byte string, of a file (streamed, never read whole), and over a
 * canonical serialisation of typed records, so that no two different record
 * streams hash alike. The evidence chain and its signatures are report's
 * (report/digest.h), built on this.
 *
 * Canonical form: each record is the tag "R", the field count, then each
 * field as an 8-byte big-endian length followed by its bytes; a NULL field is
 * the length 0xffffffffffffffff with no bytes. The type name is field 0.
 */
#ifndef RESIDENCY_CORE_DIGEST_H
#define RESIDENCY_CORE_DIGEST_H

#include "core/rerr.h"

#include <stddef.h>
#include <stdint.h>

#define DIGEST_LEN 32
#define DIGEST_HEXLEN 65

struct digest;

/* Caller frees with digest_free(). NULL on allocation failure. */
struct digest *digest_new(void);
/* Safe to call with NULL. */
void digest_free(struct digest *d);
/* Adds one record: type, then nfields fields (NULL entries are SQL NULLs). */
void digest_record(struct digest *d, const char *type, size_t nfields, const char *const *fields);
/* Finishes; the digest cannot take more records afterwards. */
void digest_final(struct digest *d, uint8_t out[DIGEST_LEN]);

void digest_hex(const uint8_t in[DIGEST_LEN], char out[DIGEST_HEXLEN]);
/* Parses 64 hex digits; false on anything else. */
int digest_unhex(const char *hex, uint8_t out[DIGEST_LEN]);
/*
 * SHA-256 of a file's bytes ("-": standard input), hex. The file is read in
 * chunks, so its size is not bounded by memory; an error names the file.
 */
enum rstatus digest_file_sha256_hex(const char *path, char out[DIGEST_HEXLEN], struct rerr *err);
/* SHA-256 of a byte string, hex. */
void digest_sha256_hex(const void *data, size_t len, char out[DIGEST_HEXLEN]);

#endif
