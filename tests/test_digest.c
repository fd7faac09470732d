/*
 * test_digest: plain hashing (core/digest: bytes, files streamed in chunks,
 * canonical records), the chain, Ed25519 with real keys made by the openssl
 * command (report/digest).
 */
#include "core/digest.h"
#include "report/digest.h"
#include "lib/testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hash_records(const char *type, size_t n, const char *const *f, char hex[DIGEST_HEXLEN])
{
	struct digest *d = digest_new();
	uint8_t md[DIGEST_LEN];

	ck_assert_ptr_nonnull(d);
	digest_record(d, type, n, f);
	digest_final(d, md);
	digest_free(d);
	digest_hex(md, hex);
}

START_TEST(sha256_known_vector)
{
	char hex[DIGEST_HEXLEN];

	digest_sha256_hex("abc", 3, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(canonical_form_is_unambiguous)
{
	char a[DIGEST_HEXLEN], b[DIGEST_HEXLEN];
	const char *f1[] = {"bc"}, *f2[] = {"c"}, *f3[] = {""}, *f4[] = {NULL}, *f5[] = {"x", "y"},
		   *f6[] = {"xy"};

	hash_records("a", 1, f1, a);
	hash_records("ab", 1, f2, b);
	ck_assert_str_ne(a, b);
	hash_records("t", 1, f3, a);
	hash_records("t", 1, f4, b);
	ck_assert_str_ne(a, b); /* "" is not NULL */
	hash_records("t", 2, f5, a);
	hash_records("t", 1, f6, b);
	ck_assert_str_ne(a, b);
	hash_records("t", 2, f5, b);
	ck_assert_str_eq(a, b); /* deterministic */
}
END_TEST

START_TEST(file_hash_streams_across_chunks)
{
	char *dir = tu_tmpdir(), path[4200], hex[DIGEST_HEXLEN], want[DIGEST_HEXLEN];
	size_t n = (size_t)3 * 65536 + 17; /* three whole chunks and a bit */
	unsigned char *data = malloc(n);
	struct rerr err;

	ck_assert_ptr_nonnull(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (unsigned char)(i * 131 + (i >> 16));
	snprintf(path, sizeof(path), "%s/big.bin", dir);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	fclose(f);
	rerr_clear(&err);
	ck_assert_int_eq(digest_file_sha256_hex(path, hex, &err), R_OK);
	digest_sha256_hex(data, n, want);
	ck_assert_str_eq(hex, want);

	/* An empty file is the SHA-256 of nothing. */
	snprintf(path, sizeof(path), "%s/empty", dir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(digest_file_sha256_hex(path, hex, &err), R_OK);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

	/* Errors name the file. */
	snprintf(path, sizeof(path), "%s/missing", dir);
	ck_assert_int_eq(digest_file_sha256_hex(path, hex, &err), R_EIO);
	ck_assert_str_eq(err.where, path);
	ck_assert_int_eq(digest_file_sha256_hex(dir, hex, &err), R_EIO); /* a folder */
	ck_assert_str_eq(err.where, dir);
	free(data);
	free(dir);
}
END_TEST

START_TEST(chain_links_depend_on_order)
{
	uint8_t zero[DIGEST_LEN] = {0}, s1[DIGEST_LEN], s2[DIGEST_LEN], l1[DIGEST_LEN],
		l2[DIGEST_LEN], m1[DIGEST_LEN], m2[DIGEST_LEN];

	memset(s1, 1, sizeof(s1));
	memset(s2, 2, sizeof(s2));
	digest_chain(zero, s1, l1);
	digest_chain(l1, s2, l2);
	digest_chain(zero, s2, m1);
	digest_chain(m1, s1, m2);
	ck_assert_mem_ne(l2, m2, DIGEST_LEN);
	char hex[DIGEST_HEXLEN];
	uint8_t back[DIGEST_LEN];
	digest_hex(l2, hex);
	ck_assert(digest_unhex(hex, back));
	ck_assert_mem_eq(back, l2, DIGEST_LEN);
	ck_assert(!digest_unhex("abc", back));
	hex[5] = 'g';
	ck_assert(!digest_unhex(hex, back));
}
END_TEST

START_TEST(ed25519_sign_verify_tamper)
{
	char *dir = tu_tmpdir(), cmd[32768], key[4200], pub[4200], other[4200], rsa[4200];
	uint8_t sig[SIG_LEN];
	struct rerr err;
	const char msg[] = "scan 42 link 0123";

	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(pub, sizeof(pub), "%s/pub.pem", dir);
	snprintf(other, sizeof(other), "%s/other.pem", dir);
	snprintf(rsa, sizeof(rsa), "%s/rsa.pem", dir);
	snprintf(cmd, sizeof(cmd),
		 "openssl genpkey -algorithm ed25519 -out '%s' && openssl pkey -in '%s' -pubout "
		 "-out '%s' && openssl genpkey -algorithm ed25519 -out '%s' && openssl genpkey "
		 "-algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out '%s'",
		 key, key, pub, other, rsa);
	ck_assert_int_eq(tu_run(cmd, NULL, NULL), 0);

	rerr_clear(&err);
	ck_assert_int_eq(digest_sign(key, msg, strlen(msg), sig, &err), R_OK);
	ck_assert_int_eq(digest_verify(pub, msg, strlen(msg), sig, &err), R_OK);
	ck_assert_int_eq(digest_verify(key, msg, strlen(msg), sig, &err), R_OK);
	ck_assert_int_eq(digest_verify(pub, msg, strlen(msg) - 1, sig, &err), R_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "does not match"));
	sig[10] ^= 1;
	ck_assert_int_eq(digest_verify(pub, msg, strlen(msg), sig, &err), R_EINPUT);
	sig[10] ^= 1;
	ck_assert_int_eq(digest_verify(other, msg, strlen(msg), sig, &err), R_EINPUT);
	ck_assert_int_eq(digest_sign(rsa, msg, strlen(msg), sig, &err), R_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "not an Ed25519 key"));
	ck_assert_int_eq(digest_sign(pub, msg, strlen(msg), sig, &err), R_EINPUT);
	ck_assert_str_eq(err.where, pub);
	snprintf(cmd, sizeof(cmd), "%s/missing.pem", dir);
	ck_assert_int_eq(digest_sign(cmd, msg, strlen(msg), sig, &err), R_EIO);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("digest");
	TCase *tc = tcase_create("digest");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sha256_known_vector);
	tcase_add_test(tc, canonical_form_is_unambiguous);
	tcase_add_test(tc, file_hash_streams_across_chunks);
	tcase_add_test(tc, chain_links_depend_on_order);
	tcase_add_test(tc, ed25519_sign_verify_tamper);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
