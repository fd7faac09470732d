/*
 * findings: a judged estate as text (a readable table, colour only on a
 * terminal), JSON (the contract of PRODUCT.md: findings with service,
 * endpoint, element, country, provider, region, source, policy, reason, and
 * the path) or JUnit XML (one test case per service).
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
};

/* Unwaived findings in all services. */
size_t findings_count(const struct findings_report *r);
/* Each writer returns 0, or -1 when the stream failed. */
int findings_write_json(FILE *f, const struct findings_report *r);
int findings_write_text(FILE *f, const struct findings_report *r, bool colour);
int findings_write_junit(FILE *f, const struct findings_report *r);

#endif
