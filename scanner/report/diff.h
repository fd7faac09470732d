/*
 * diff: what changed between two stored scans, per service: the verdict, and
 * the countries, providers, regions and addresses its data paths reached in
 * one scan and not the other ("accounts: CN -> SG, US").
 *
 * The facts come one at a time, sorted by service, kind and value (bytewise),
 * each saying in which of the two scans it holds (store/diff_read.c reads
 * them); the writer holds one (service, kind) group's summary at a time, so a
 * diff of scans of any size runs in bounded memory.
 */
#ifndef RESIDENCY_DIFF_H
#define RESIDENCY_DIFF_H

#include "core/buf.h"
#include "core/rerr.h"

#include <stdbool.h>
#include <stdio.h>

/* One fact: (service, what, value), in the scan diffed from and/or to. */
struct diff_fact {
	const char *service;
	const char *what; /* country, provider, region, address or verdict */
	const char *value;
	bool in_from;
	bool in_to;
};

/* The values of one side of a group, joined by ", " up to 2047 bytes. */
struct diff_values {
	char s[2048];
	size_t n;
	bool full;
};

struct diff_writer {
	FILE *f;
	size_t changes;
	char service[512]; /* of the last "service:" line written */
	char *group_service, *group_what;
	struct diff_values from, to;
	struct buf pending; /* change lines of the group not yet written */
	FILE *spill;	    /* the first of them, when there are many; or NULL */
	bool spill_failed;
	bool group_open, header_written;
};

/* Starts writing to f; end with diff_end(). */
void diff_begin(struct diff_writer *w, FILE *f);
/* The next fact, in order. */
enum rstatus diff_add(struct diff_writer *w, const struct diff_fact *x, struct rerr *err);
/* Writes what is left ("no change" when nothing changed) and frees the writer's memory. */
enum rstatus diff_end(struct diff_writer *w, struct rerr *err);
/* Frees the writer's memory without writing; safe after diff_end(). */
void diff_free(struct diff_writer *w);

#endif
