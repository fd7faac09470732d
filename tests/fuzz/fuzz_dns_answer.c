/*
 * fuzz_dns_answer: what a resolver sends back, as the live engine takes it
 * (ldns wire parsing, the cache entries of the name and of a chain's later
 * owners, the zone apex from SOA/NS in the answer or authority). The question
 * is read from the message itself when it has one. Batch mode: nothing is ever
 * sent; questions the answer leads to are only queued. Every record rrtext
 * writes must read as ldns writes it (the live engine stores rrtext's text).
 */
#include "dns/live.h"
#include "dns/rrtext.h"

#include <ldns/ldns.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(struct live *l, const char *name)
{
	static const uint16_t types[] = {LDNS_RR_TYPE_A,  LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_CNAME,
					 LDNS_RR_TYPE_NS, LDNS_RR_TYPE_MX,   LDNS_RR_TYPE_SOA};
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		struct zone_answer ans;
		live_query(l, name, types[t], &ans);
		for (size_t i = 0; i < ans.n; i++) {
			struct zone_answer more;
			if (ans.rr[i]->target == NULL)
				continue;
			live_query(l, ans.rr[i]->target, LDNS_RR_TYPE_A, &more);
			zone_answer_clear(&more);
		}
		zone_answer_clear(&ans);
	}
	enum dns_status why;
	(void)live_zone_of(l, name, &why);
}

/* rrtext and ldns give the same text for every record rrtext writes. */
static void same_text(const ldns_pkt *p)
{
	ldns_rr_list *lists[] = {ldns_pkt_answer(p), ldns_pkt_authority(p), ldns_pkt_additional(p)};
	for (size_t s = 0; s < 3; s++)
		for (size_t i = 0; i < ldns_rr_list_rr_count(lists[s]); i++) {
			const ldns_rr *rr = ldns_rr_list_rr(lists[s], i);
			char got[2 * RRTEXT_NAME_MAX + 64];
			size_t n;
			if (!rrtext_record(rr, got, sizeof(got), &n))
				continue;
			char *want = ldns_rr2str(rr);
			if (want == NULL || strlen(want) != n + 1 || memcmp(want, got, n) != 0)
				abort();
			free(want);
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *resolver[] = {"127.0.0.1:9"};
	struct live *l = NULL;
	struct rerr err;
	char name[300] = "example.test.";
	uint16_t type = LDNS_RR_TYPE_A;
	ldns_pkt *p = NULL;

	if (live_new(resolver, 1, 100, 1, 8, &l, &err) != R_OK)
		return 0;
	live_batch(l, true);
	/* The question, when the message carries one we can read. */
	if (ldns_wire2pkt(&p, data, size) == LDNS_STATUS_OK)
		same_text(p);
	if (p && ldns_rr_list_rr_count(ldns_pkt_question(p)) > 0) {
		ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(p), 0);
		char *s = ldns_rdf2str(ldns_rr_owner(q));
		if (s && zone_canon(s, name, sizeof(name)))
			type = (uint16_t)ldns_rr_get_type(q);
		else
			snprintf(name, sizeof(name), "example.test.");
		free(s);
	}
	ldns_pkt_free(p);
	live_inject(l, name, type, data, size);
	walk(l, name);
	/* The same answer again, and as the answer to another question. */
	live_inject(l, name, type, data, size);
	live_inject(l, "www.example.test.", LDNS_RR_TYPE_AAAA, data, size);
	walk(l, name);
	walk(l, "www.example.test.");
	live_free(l);
	return 0;
}
