/*
 * digest: the tamper-evident part of evidence (issue 7). A scan's digest is
 * SHA-256 over a canonical serialisation of typed records; scans are chained
 * by hashing the previous link with the scan's digest; a link may be signed
 * with Ed25519. All hashing and signing is OpenSSL libcrypto's, never ours.
 *
 * Canonical form, so that no two different record streams hash alike: each
 * record is the tag "R", the field count, then each field as an 8-byte
 * big-endian length followed by its bytes; a NULL field is the length
 * 0xffffffffffffffff with no bytes. The type name is field 0.
 */
#ifndef RESIDENCY_DIGEST_H
#define RESIDENCY_DIGEST_H

#include "core/rerr.h"

#include <stddef.h>
#include <stdint.h>

#define DIGEST_LEN 32
#define DIGEST_HEXLEN 65
#define SIG_LEN 64

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
/* SHA-256 of a file's bytes, hex; an error names the file. */
enum rstatus digest_file_sha256_hex(const char *path, char out[DIGEST_HEXLEN], struct rerr *err);
/* SHA-256 of a byte string, hex. */
void digest_sha256_hex(const void *data, size_t len, char out[DIGEST_HEXLEN]);

/*
 * The chain: link = SHA-256("residency-chain-v1" || prev || scan_digest).
 * The first scan's prev is 32 zero bytes.
 */
void digest_chain(const uint8_t prev[DIGEST_LEN], const uint8_t scan[DIGEST_LEN],
		  uint8_t out[DIGEST_LEN]);

/* Signs msg with the Ed25519 private key in a PEM file. */
enum rstatus digest_sign(const char *key_pem, const void *msg, size_t len, uint8_t sig[SIG_LEN],
			 struct rerr *err);
/*
 * Verifies a signature with the Ed25519 public key in a PEM file (a private
 * key file works too). R_OK when valid, R_EINPUT when it does not match.
 */
enum rstatus digest_verify(const char *key_pem, const void *msg, size_t len,
			   const uint8_t sig[SIG_LEN], struct rerr *err);

/* The public key of a PEM key file (private or public), as PEM text (malloc'd). */
enum rstatus digest_public_pem(const char *key_pem, char **pem, struct rerr *err);
/* digest_verify with the public key given as PEM text. */
enum rstatus digest_verify_text(const char *pub_pem, const void *msg, size_t len,
				const uint8_t sig[SIG_LEN], struct rerr *err);

#endif
