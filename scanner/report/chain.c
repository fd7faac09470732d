/*
 * chain: links between scan digests, their signatures, and the verification
 * of a chain given as structs. See chain.h.
 */
#include "report/chain.h"

#include <stdlib.h>
#include <string.h>

const char chain_zero_link[DIGEST_HEXLEN] =
    "0000000000000000000000000000000000000000000000000000000000000000";

void chain_links_free(struct chain_link *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].digest);
		free(v[i].prev_link);
		free(v[i].link);
		free(v[i].signature);
		free(v[i].public_key);
	}
	free(v);
}

/* digest_hex/digest_unhex for other lengths (signatures). */
static void hex_of(const uint8_t *in, size_t n, char *out)
{
	static const char h[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = h[in[i] >> 4];
		out[2 * i + 1] = h[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static bool unhex(const char *s, uint8_t *out, size_t n)
{
	if (s == NULL || strlen(s) != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return false;
		out[i] = (uint8_t)v;
	}
	return true;
}

bool chain_link_hex(const char *prev_hex, const char *scan_hex, char out[DIGEST_HEXLEN])
{
	uint8_t prev[DIGEST_LEN], dg[DIGEST_LEN], l[DIGEST_LEN];
	if (!digest_unhex(prev_hex, prev) || !digest_unhex(scan_hex, dg))
		return false;
	digest_chain(prev, dg, l);
	digest_hex(l, out);
	return true;
}

enum rstatus chain_sign(const char *key_pem, const char *link_hex, char sighex[CHAIN_SIGHEXLEN],
			char **pub, struct rerr *err)
{
	uint8_t lb[DIGEST_LEN], s[SIG_LEN];
	enum rstatus rc;

	*pub = NULL;
	if (!digest_unhex(link_hex, lb))
		return rerr_set(err, R_EINTERNAL, NULL, 0, "a link to sign is not a SHA-256");
	if ((rc = digest_sign(key_pem, lb, DIGEST_LEN, s, err)) != R_OK ||
	    (rc = digest_public_pem(key_pem, pub, err)) != R_OK)
		return rc;
	hex_of(s, SIG_LEN, sighex);
	return R_OK;
}

bool chain_check_signature(struct problems *pr, const char *what, const char *link,
			   const char *sighex, const char *pub)
{
	uint8_t lb[DIGEST_LEN], sig[SIG_LEN];
	struct rerr e;

	if (!digest_unhex(link, lb) || !unhex(sighex, sig, SIG_LEN)) {
		problems_add(pr, "%s: the signature is not %d hex bytes", what, SIG_LEN);
		return false;
	}
	if (pub == NULL) {
		problems_add(pr, "%s: signed, but no public key to check the signature with", what);
		return false;
	}
	if (digest_verify_text(pub, lb, DIGEST_LEN, sig, &e) != R_OK) {
		problems_add(pr, "%s: the signature does not match its link (%s)", what, e.msg);
		return false;
	}
	return true;
}

enum rstatus chain_verify(const struct chain_link *links, size_t n, const long long *unlinked,
			  size_t nunlinked, long long upto, bool every_digest,
			  evidence_source_fn src, void *sctx, FILE *out, struct rerr *err)
{
	struct problems pr = {out, err, 0};
	const char *prev = chain_zero_link;
	long long want_seq = 1, prev_scan = 0;
	bool reached = upto == 0;
	size_t checked = 0;

	rerr_clear(err);
	for (size_t i = 0; i < n; i++) {
		const struct chain_link *l = &links[i];
		long long seq = l->seq, scan = l->scan;
		char again[DIGEST_HEXLEN];
		if (seq != want_seq)
			problems_add(
			    &pr,
			    "the chain jumps from link %lld (scan %lld) to link %lld (scan %lld): "
			    "a link and its scan were removed",
			    want_seq - 1, prev_scan, seq, scan);
		if (strcmp(l->prev_link, prev) != 0)
			problems_add(
			    &pr,
			    "link %lld (scan %lld) does not follow the link before it (scan %lld): "
			    "the chain was cut or rewritten there",
			    seq, scan, prev_scan);
		if (!chain_link_hex(l->prev_link, l->digest, again) || strcmp(again, l->link) != 0)
			problems_add(
			    &pr,
			    "link %lld (scan %lld) is not SHA-256 of its previous link and "
			    "digest",
			    seq, scan);
		if (l->signature)
			chain_check_signature(&pr, "the database chain", l->link, l->signature,
					      l->public_key);
		if (every_digest || scan == upto) {
			char now[DIGEST_HEXLEN];
			struct rerr e;
			if (records_digest(src, sctx, scan, now, &e) != R_OK)
				problems_add(&pr, "scan %lld of link %lld: %s", scan, seq, e.msg);
			else if (strcmp(now, l->digest) != 0)
				problems_add(
				    &pr,
				    "scan %lld: its rows no longer give the digest its link %lld "
				    "recorded (%.16s..., now %.16s...): a stored row was changed, "
				    "added or removed",
				    scan, seq, l->digest, now);
			checked++;
		}
		prev = l->link;
		prev_scan = scan;
		want_seq = seq + 1;
		if (scan == upto) {
			reached = true;
			break;
		}
	}
	if (!reached)
		problems_add(
		    &pr, "scan %lld is not in the chain (not complete, or its link was removed)",
		    upto);
	/* A complete scan with no link: taken out of the chain. */
	for (size_t i = 0; i < nunlinked; i++)
		problems_add(&pr, "scan %lld is complete but has no link in the chain",
			     unlinked[i]);
	if (out && pr.n == 0)
		fprintf(out,
			"verified: %lld links in order, %zu scan digest%s recomputed from rows\n",
			want_seq - 1, checked, checked == 1 ? "" : "s");
	return pr.n ? R_EINPUT : R_OK;
}
