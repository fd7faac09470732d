/*
 * report/digest: the scan chain and Ed25519 signatures, on libcrypto.
 */
#include "report/digest.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
