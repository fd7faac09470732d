/*
 * digest: canonical record hashing, the scan chain and Ed25519, on libcrypto.
 */
#include "report/digest.h"
#include "core/buf.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void digest_chain(const uint8_t prev[DIGEST_LEN], const uint8_t scan[DIGEST_LEN],
		  uint8_t out[DIGEST_LEN])
{
	static const char tag[] = "residency-chain-v1";
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = DIGEST_LEN;

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, tag, sizeof(tag) - 1);
	EVP_DigestUpdate(ctx, prev, DIGEST_LEN);
	EVP_DigestUpdate(ctx, scan, DIGEST_LEN);
	EVP_DigestFinal_ex(ctx, out, &n);
	EVP_MD_CTX_free(ctx);
}

static enum rstatus ssl_error(struct rerr *err, const char *where, const char *what)
{
	char buf[256];
	unsigned long e = ERR_get_error();

	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return rerr_set(err, R_EINPUT, where, 0, "%s: %s", what, e ? buf : "unknown error");
}

static EVP_PKEY *load_key(const char *path, int want_private, struct rerr *err, enum rstatus *rc)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *key = NULL;

	if (f == NULL) {
		*rc = rerr_set(err, R_EIO, path, 0, "cannot open key file");
		return NULL;
	}
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	if (key == NULL && !want_private) {
		ERR_clear_error();
		rewind(f);
		key = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	}
	fclose(f);
	if (key == NULL) {
		*rc = ssl_error(err, path,
				want_private ? "not a PEM private key"
					     : "not a PEM public or private key");
		return NULL;
	}
	if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(key);
		*rc = rerr_set(err, R_EINPUT, path, 0, "key is not an Ed25519 key");
		return NULL;
	}
	*rc = R_OK;
	return key;
}

enum rstatus digest_sign(const char *key_pem, const void *msg, size_t len, uint8_t sig[SIG_LEN],
			 struct rerr *err)
{
	enum rstatus rc;
	EVP_PKEY *key = load_key(key_pem, 1, err, &rc);
	EVP_MD_CTX *ctx = NULL;
	size_t siglen = SIG_LEN;

	if (key == NULL)
		return rc;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) != 1 || siglen != SIG_LEN)
		rc = ssl_error(err, key_pem, "signing failed");
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return rc;
}

enum rstatus digest_verify(const char *key_pem, const void *msg, size_t len,
			   const uint8_t sig[SIG_LEN], struct rerr *err)
{
	enum rstatus rc;
	EVP_PKEY *key = load_key(key_pem, 0, err, &rc);
	EVP_MD_CTX *ctx = NULL;

	if (key == NULL)
		return rc;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) != 1)
		rc = ssl_error(err, key_pem, "cannot verify");
	else if (EVP_DigestVerify(ctx, sig, SIG_LEN, msg, len) != 1) {
		ERR_clear_error();
		rc = rerr_set(err, R_EINPUT, key_pem, 0, "signature does not match");
	}
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return rc;
}

enum rstatus digest_public_pem(const char *key_pem, char **pem, struct rerr *err)
{
	enum rstatus rc;
	EVP_PKEY *key = load_key(key_pem, 0, err, &rc);
	BIO *b = NULL;
	char *data;
	long n;

	*pem = NULL;
	if (key == NULL)
		return rc;
	if ((b = BIO_new(BIO_s_mem())) == NULL || PEM_write_bio_PUBKEY(b, key) != 1 ||
	    (n = BIO_get_mem_data(b, &data)) <= 0 || (*pem = malloc((size_t)n + 1)) == NULL) {
		rc = ssl_error(err, key_pem, "cannot write the public key");
	} else {
		memcpy(*pem, data, (size_t)n);
		(*pem)[n] = '\0';
	}
	BIO_free(b);
	EVP_PKEY_free(key);
	return rc;
}

enum rstatus digest_verify_text(const char *pub_pem, const void *msg, size_t len,
				const uint8_t sig[SIG_LEN], struct rerr *err)
{
	BIO *b = BIO_new_mem_buf(pub_pem, -1);
	EVP_PKEY *key = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;
	EVP_MD_CTX *ctx = NULL;
	enum rstatus rc = R_OK;

	BIO_free(b);
	if (key == NULL || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(key);
		return ssl_error(err, "public key", "not an Ed25519 public key in PEM");
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) != 1)
		rc = ssl_error(err, "public key", "cannot verify");
	else if (EVP_DigestVerify(ctx, sig, SIG_LEN, msg, len) != 1) {
		ERR_clear_error();
		rc = rerr_set(err, R_EINPUT, "public key", 0, "signature does not match");
	}
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return rc;
}

enum rstatus digest_file_sha256_hex(const char *path, char out[DIGEST_HEXLEN], struct rerr *err)
{
	struct buf b;
	enum rstatus rc;

	buf_init(&b, (size_t)1 << 34);
	if ((rc = buf_read_file(&b, path, err)) == R_OK)
		digest_sha256_hex(b.data ? b.data : "", b.len, out);
	buf_free(&b);
	return rc;
}
