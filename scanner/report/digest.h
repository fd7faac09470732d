/*
 * report/digest: the tamper-evident part of evidence (issue 7). A scan's
 * digest is SHA-256 over the canonical records of core/digest.h; scans are
 * chained by hashing the previous link with the scan's digest; a link may be
 * signed with Ed25519. All hashing and signing is OpenSSL libcrypto's, never
 * ours. Plain hashing (of bytes, files, records) is core/digest.h, which this
 * header includes for the evidence code that uses both.
 */
#ifndef RESIDENCY_REPORT_DIGEST_H
#define RESIDENCY_REPORT_DIGEST_H

#include "core/digest.h"
#include "core/rerr.h"

#include <stddef.h>
#include <stdint.h>

#define SIG_LEN 64

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
