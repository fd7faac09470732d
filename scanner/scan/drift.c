/*
 * drift: per-service verdict and countries of two scans, compared (see drift.h).
 * store/drift_read.c reads them; what is here is pure.
 */
#include "scan/drift.h"
#include "store/drift_read.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct side {
	const char *verdict; /* NULL: the service is not in this scan */
	const char *owner;
	json_t *countries;
};

static bool has(json_t *arr, const char *v)
{
	size_t i;
	json_t *x;

	json_array_foreach(arr, i, x)
	{
		if (strcmp(json_string_value(x), v) == 0)
			return true;
	}
	return false;
}

/* Elements of a not in b, in a's order; a new reference. */
static json_t *minus(json_t *a, json_t *b)
{
	json_t *out = json_array();
	size_t i;
	json_t *x;

	json_array_foreach(a, i, x)
	{
		if (!has(b, json_string_value(x)))
			json_array_append(out, x);
	}
	return out;
}

/* "CN, SG" or "(none)", as `residency diff` writes a set. */
static void joined(json_t *arr, char *out, size_t len)
{
	size_t i, n = 0;
	json_t *x;

	out[0] = '\0';
	json_array_foreach(arr, i, x)
	{
		int w = snprintf(out + n, len - n, "%s%s", i ? ", " : "", json_string_value(x));
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
	if (n == 0)
		snprintf(out, len, "(none)");
}

/* The alert of one service whose state differs, or NULL when nothing did. */
static json_t *compare(const char *service, struct side *b, struct side *a)
{
	json_t *added = minus(a->countries, b->countries);
	json_t *removed = minus(b->countries, a->countries);
	bool verdict_same = b->verdict && a->verdict && strcmp(b->verdict, a->verdict) == 0;
	bool countries_same = json_array_size(added) == 0 && json_array_size(removed) == 0;

	if (verdict_same && countries_same && b->verdict && a->verdict) {
		json_decref(added);
		json_decref(removed);
		return NULL;
	}
	char before[1024], after[1024], story[3072];
	joined(b->countries, before, sizeof(before));
	joined(a->countries, after, sizeof(after));
	if (b->verdict == NULL)
		snprintf(story, sizeof(story), "%s: new service, %s, countries %s", service,
			 a->verdict, after);
	else if (a->verdict == NULL)
		snprintf(story, sizeof(story), "%s: no longer in the estate (was %s, countries %s)",
			 service, b->verdict, before);
	else if (countries_same)
		snprintf(story, sizeof(story), "%s: verdict %s -> %s (countries unchanged: %s)",
			 service, b->verdict, a->verdict, after);
	else if (verdict_same)
		snprintf(story, sizeof(story), "%s: %s -> %s (still %s)", service, before, after,
			 a->verdict);
	else
		snprintf(story, sizeof(story), "%s: %s -> %s; verdict %s -> %s", service, before,
			 after, b->verdict, a->verdict);
	const char *owner = a->owner ? a->owner : b->owner;
	return json_pack("{s:s, s:s?, s:{s:s?, s:s?}, s:{s:O, s:O, s:o, s:o}, s:s}", "service",
			 service, "owner", owner, "verdict", "before", b->verdict, "after",
			 a->verdict, "countries", "before", b->countries, "after", a->countries,
			 "added", added, "removed", removed, "story", story);
}

static void side_reset(struct side *s)
{
	json_decref(s->countries);
	s->countries = json_array();
	s->verdict = s->owner = NULL;
}

/*
 * The alert from the facts of two scans; *nchanged counts "changed". Caller
 * frees *out with json_decref().
 */
static enum rstatus compare_all(const struct drift_facts *facts, long long from, long long to,
				json_t **out, size_t *nchanged, struct rerr *err)
{
	size_t services = 0;
	json_t *changed = json_array();
	struct side b = {NULL, NULL, NULL}, a = {NULL, NULL, NULL};

	side_reset(&b);
	side_reset(&a);
	for (size_t i = 0; i < facts->n; i++) {
		const struct drift_fact *x = &facts->v[i];
		struct side *s = x->after ? &a : &b;
		if (x->verdict) {
			s->verdict = x->value;
			s->owner = x->owner;
		} else {
			json_array_append_new(s->countries, json_string(x->value));
		}
		if (i + 1 < facts->n && strcmp(facts->v[i + 1].service, x->service) == 0)
			continue;
		/* The last fact of this service. */
		if (a.verdict)
			services++;
		json_t *one = compare(x->service, &b, &a);
		if (one)
			json_array_append_new(changed, one);
		side_reset(&b);
		side_reset(&a);
	}
	json_decref(b.countries);
	json_decref(a.countries);

	char summary[256];
	*nchanged = json_array_size(changed);
	snprintf(summary, sizeof(summary),
		 "%zu of %zu service%s changed between scan %lld and scan %lld", *nchanged,
		 services, services == 1 ? "" : "s", from, to);
	*out = json_pack("{s:s, s:I, s:I, s:s, s:I, s:o, s:s}", "event", "drift", "from_scan",
			 (json_int_t)from, "to_scan", (json_int_t)to, "time", facts->finished,
			 "services", (json_int_t)services, "changed", changed, "summary", summary);
	if (*out == NULL)
		return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
	return R_OK;
}

enum rstatus drift_between(struct store *st, long long from, long long to, json_t **out,
			   size_t *nchanged, struct rerr *err)
{
	struct drift_facts facts;
	enum rstatus rc;

	*out = NULL;
	*nchanged = 0;
	if ((rc = store_drift_facts(st, from, to, &facts, err)) != R_OK)
		return rc;
	rc = compare_all(&facts, from, to, out, nchanged, err);
	store_drift_facts_free(&facts);
	return rc;
}
