/*
 * findings: a judged estate as text (a readable table, colour only on a
 * terminal), JSON (the contract of PRODUCT.md: findings with service,
 * endpoint, element, country, provider, region, source, policy, reason, and
 * the path) or JUnit XML (one test case per service). The same writers serve
 * a fresh run and the re-judgement of a stored scan (`check --scan`).
 */
#ifndef RESIDENCY_FINDINGS_H
#define RESIDENCY_FINDINGS_H

#include "policy/judge.h"
#include "policy/policy.h"

#include <stdbool.h>
#include <stdio.h>

struct findings_report {
	const struct estate *estate;
	const struct judgement *per_service; /* estate->n of them */
	const char *today;
	unsigned long long geoip_epoch;
	const char *const *zone_files;
	size_t nzone_files;
	size_t endpoints; /* paths judged */
	/* > 0: these findings re-judge the observations of stored scan N (nothing
	 * was resolved or attributed again); the findings themselves are written
	 * exactly as for a fresh run, only the header says so. */
	long long rejudged_scan;
	const char *scan_started; /* with rejudged_scan: when scan N ran */
};

/* Unwaived findings in all services. */
size_t findings_count(const struct findings_report *r);
/* Each writer returns 0, or -1 when the stream failed. */
int findings_write_json(FILE *f, const struct findings_report *r);
int findings_write_text(FILE *f, const struct findings_report *r, bool colour);
int findings_write_junit(FILE *f, const struct findings_report *r);

#endif
