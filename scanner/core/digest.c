/*
 * core/digest: SHA-256 of bytes, files and canonical records, on libcrypto
 * (see digest.h).
 */
#include "core/digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes read from a file at a time: the file is hashed as it streams by. */
#define DIGEST_CHUNK ((size_t)64 << 10)

struct digest {
	EVP_MD_CTX *ctx;
};

struct digest *digest_new(void)
{
	struct digest *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	if ((d->ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1) {
		digest_free(d);
		return NULL;
	}
	return d;
}

void digest_free(struct digest *d)
{
	if (d == NULL)
		return;
	EVP_MD_CTX_free(d->ctx);
	free(d);
}

static void put_len(struct digest *d, uint64_t n)
{
	uint8_t b[8];

	for (int i = 7; i >= 0; i--) {
		b[i] = (uint8_t)(n & 0xff);
		n >>= 8;
	}
	EVP_DigestUpdate(d->ctx, b, sizeof(b));
}

static void put_field(struct digest *d, const char *f)
{
	if (f == NULL) {
		put_len(d, UINT64_MAX);
		return;
	}
	size_t n = strlen(f);
	put_len(d, n);
	EVP_DigestUpdate(d->ctx, f, n);
}

void digest_record(struct digest *d, const char *type, size_t nfields, const char *const *fields)
{
	EVP_DigestUpdate(d->ctx, "R", 1);
	put_len(d, nfields + 1);
	put_field(d, type);
	for (size_t i = 0; i < nfields; i++)
		put_field(d, fields[i]);
}

void digest_final(struct digest *d, uint8_t out[DIGEST_LEN])
{
	unsigned int n = DIGEST_LEN;

	EVP_DigestFinal_ex(d->ctx, out, &n);
}

void digest_hex(const uint8_t in[DIGEST_LEN], char out[DIGEST_HEXLEN])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < DIGEST_LEN; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * DIGEST_LEN] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int digest_unhex(const char *hex, uint8_t out[DIGEST_LEN])
{
	if (strlen(hex) != 2 * DIGEST_LEN)
		return 0;
	for (int i = 0; i < DIGEST_LEN; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return 0;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 1;
}

void digest_sha256_hex(const void *data, size_t len, char out[DIGEST_HEXLEN])
{
	uint8_t md[DIGEST_LEN];
	unsigned int n = DIGEST_LEN;

	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	digest_hex(md, out);
}

enum rstatus digest_file_sha256_hex(const char *path, char out[DIGEST_HEXLEN], struct rerr *err)
{
	uint8_t md[DIGEST_LEN];
	unsigned int mdlen = DIGEST_LEN;
	char *chunk = NULL;
	EVP_MD_CTX *ctx = NULL;
	FILE *f;
	size_t n;
	enum rstatus rc = R_OK;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "rb")) == NULL)
		return rerr_set(err, R_EIO, path, 0, "cannot open: %s", strerror(errno));
	if ((chunk = malloc(DIGEST_CHUNK)) == NULL || (ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		rc = rerr_set(err, R_ENOMEM, path, 0, "out of memory hashing the file");
		goto out;
	}
	while ((n = fread(chunk, 1, DIGEST_CHUNK, f)) > 0)
		if (EVP_DigestUpdate(ctx, chunk, n) != 1) {
			rc = rerr_set(err, R_EINTERNAL, path, 0, "SHA-256 of the file failed");
			goto out;
		}
	if (ferror(f))
		rc = rerr_set(err, R_EIO, path, 0, "read error: %s", strerror(errno));
	else if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		rc = rerr_set(err, R_EINTERNAL, path, 0, "SHA-256 of the file failed");
	else
		digest_hex(md, out);
out:
	EVP_MD_CTX_free(ctx);
	free(chunk);
	if (f != stdin)
		fclose(f);
	return rc;
}
