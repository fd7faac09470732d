/*
 * chain: every complete scan gets a link in the chain (scan_links, schema/005):
 * link = SHA-256("residency-chain-v1" || previous link || digest), Ed25519-
 * signed when a signing key is configured (digest.h does the hashing and
 * signing). This module computes and signs links and verifies a chain given
 * as plain structs; store/evidence_store.c reads and appends the links.
 */
#ifndef RESIDENCY_CHAIN_H
#define RESIDENCY_CHAIN_H

#include "core/rerr.h"
#include "report/digest.h"
#include "report/problems.h"
#include "report/records.h"

#include <stdbool.h>
#include <stdio.h>

#define CHAIN_SIGHEXLEN (2 * SIG_LEN + 1)

/* The previous link of the first scan: 64 zeros. */
extern const char chain_zero_link[DIGEST_HEXLEN];

/* One link as stored: every text is hex; signature and public_key may be NULL. */
struct chain_link {
	long long seq;
	long long scan;
	char *digest;
	char *prev_link;
	char *link;
	char *signature;
	char *public_key; /* PEM */
};

/* Frees n links and the array; safe to call with NULL. */
void chain_links_free(struct chain_link *v, size_t n);

/* link = chain(prev, digest), both hex; false when either is not 64 hex digits. */
bool chain_link_hex(const char *prev_hex, const char *scan_hex, char out[DIGEST_HEXLEN]);

/*
 * Signs link (hex) with the Ed25519 key in key_pem: the signature in hex, and
 * the public key as PEM in *pub (malloc'd; the caller frees it).
 */
enum rstatus chain_sign(const char *key_pem, const char *link_hex, char sighex[CHAIN_SIGHEXLEN],
			char **pub, struct rerr *err);

/* Checks a link's signature (hex) with pub (PEM; NULL: none); a problem when it fails. */
bool chain_check_signature(struct problems *pr, const char *what, const char *link,
			   const char *sighex, const char *pub);

/*
 * Checks a chain read from the database (links in seq order, every one of
 * them) from its start up to scan upto (0: to its end), and the digest of
 * every scan on the way against the records src gives for it (all of them when
 * every_digest, else only upto's). unlinked: the complete scans with no link.
 * Writes one line per problem to out; R_OK when all holds, R_EINPUT (with the
 * first problem) when not.
 */
enum rstatus chain_verify(const struct chain_link *links, size_t n, const long long *unlinked,
			  size_t nunlinked, long long upto, bool every_digest,
			  evidence_source_fn src, void *sctx, FILE *out, struct rerr *err);

#endif
