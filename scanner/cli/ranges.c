/*
 * cli/ranges: `residency ranges fetch | list | diff`. Snapshots live in a local
 * cache (the last good one per provider) and, with --db, in PostgreSQL.
 */
#include "attrib/regions.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/rerr.h"
#include "ranges/ranges.h"
#include "ranges/snapshot.h"
#include "core/schedule.h"
#include "store/ranges_store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RANGES_MAX_ARGS 64

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: residency ranges fetch [--cache DIR] [--provider P]... [--ranges P=URL]...\n"
	    "                              [--force] [--max-age DUR] [--db CONNINFO]\n"
	    "                              [--timeout MS] [--retries N]\n"
	    "       residency ranges list  [--cache DIR] [--max-age DUR] [--db CONNINFO]\n"
	    "       residency ranges diff  --provider P FILE1 FILE2\n"
	    "       residency ranges diff  --db CONNINFO --from ID --to ID\n\n"
	    "fetch  refreshes each provider's snapshot from its official URL (or --ranges P=URL,\n"
	    "       repeatable; https://, http:// or file://) with conditional requests; a 304\n"
	    "       changes nothing. A new file is accepted only if it parses, has prefixes, no\n"
	    "       default route, is not one record repeated, claims no more than a /4 of\n"
	    "       IPv4 or a /16 of IPv6 (overlaps merged), did not shrink by more than 30%%\n"
	    "       and claims at most twice the space of the last good snapshot (--force\n"
	    "       accepts a shrink or a growth); otherwise the last good snapshot stays in\n"
	    "       use and that is said. A geofeed row that is invalid (a country such as\n"
	    "       \"None\", a broken prefix) is skipped with a warning and counted; more than\n"
	    "       1%% of them refuses the file.\n"
	    "       With --db the snapshot and its prefixes are stored in PostgreSQL.\n"
	    "list   the cached snapshots: age, prefixes, SHA-256, the provider's own version,\n"
	    "       and the regions no region table maps (they fall back to GeoIP).\n"
	    "diff   prefixes and regions added and removed between two snapshots of a provider.\n\n"
	    "  --cache DIR    the snapshot cache (default $RESIDENCY_CACHE, "
	    "$XDG_CACHE_HOME/residency\n"
	    "                 or ~/.cache/residency)\n"
	    "  --max-age DUR  a snapshot last confirmed longer ago is stale (default 7d): exit "
	    "4\n\n"
	    "Providers: aws gcp google azure oracle cloudflare fastly github akamai digitalocean\n"
	    "linode vultr. Exit: 0 success; 2 bad usage, or a new file refused (last good kept);\n"
	    "3 a source could not be fetched or the database not reached; 4 a snapshot is "
	    "stale.\n");
}

struct ropts {
	char cache[4096];
	const char *db;
	const char *providers[RANGES_MAX_ARGS];
	size_t nproviders;
	const char *sp[RANGES_MAX_ARGS], *su[RANGES_MAX_ARGS];
	size_t nsrc;
	bool force;
	long long max_age;
	struct fetch_opts fetch;
	const char *from, *to, *provider;
};

static int worse(int a, int b)
{
	/* could not complete (3) > bad input (2) > stale (4) > ok (0) */
	static const int rank[] = {0, 1, 3, 4, 2};
	return rank[b] > rank[a] ? b : a;
}

static bool stale(const struct snapshot_meta *m, long long max_age, char *age, size_t len)
{
	long long secs = (long long)(time(NULL) - m->checked_at);
	if (secs < 3600)
		snprintf(age, len, "%lld min", secs / 60);
	else if (secs < 2 * 86400)
		snprintf(age, len, "%lld h", secs / 3600);
	else
		snprintf(age, len, "%lld days", secs / 86400);
	return secs > max_age;
}

static int do_fetch(struct ropts *o)
{
	struct store *st = NULL;
	struct rerr err;
	int status = EXIT_COMPLIANT;

	if (o->db && store_open(o->db, &st, &err) != R_OK) {
		rerr_log(&err);
		return EXIT_INCOMPLETE;
	}
	for (const struct range_provider *p = range_providers; p->name; p++) {
		const char *urls[SNAPSHOT_MAX_FILES];
		size_t n = 0;
		/* All providers, unless some are named (by --provider or --ranges). */
		bool chosen = o->nproviders == 0 && o->nsrc == 0;
		for (size_t i = 0; i < o->nproviders; i++)
			chosen |= strcmp(o->providers[i], p->name) == 0;
		size_t given = 0;
		for (size_t i = 0; i < o->nsrc; i++)
			if (strcmp(o->sp[i], p->name) == 0 && given++ < SNAPSHOT_MAX_FILES) {
				urls[n++] = o->su[i];
				chosen = true;
			}
		if (given > SNAPSHOT_MAX_FILES) {
			/* A snapshot of the first files only would be cached and used. */
			log_warnx("%s: %zu files given; a snapshot holds at most %d", p->name,
				  given, SNAPSHOT_MAX_FILES);
			status = worse(status, EXIT_BADINPUT);
			continue;
		}
		size_t published = range_provider_nfiles(p);
		if (n > 0 && n < published) {
			/* a snapshot of some of a provider's files would later stand
			 * for all of them (its other address family lost to GeoIP) */
			log_warnx("%s: publishes %zu range files and %zu %s given: give every one",
				  p->name, published, n, n == 1 ? "was" : "were");
			status = worse(status, EXIT_BADINPUT);
			continue;
		}
		if (!chosen)
			continue;
		for (int i = 0; n == 0 && i < 3 && p->urls[i]; i++)
			urls[n++] = p->urls[i];
		if (n == 0)
			continue;
		struct refresh_result res;
		enum rstatus rc;
		rerr_clear(&err);
		rc = snapshot_refresh(o->cache, p->name, urls, n, &o->fetch, o->force, &res, &err);
		if (rc != R_OK) {
			rerr_log(&err);
			status = worse(status, rstatus_exit(rc));
			if (!res.kept_last_good)
				continue;
		} else if (res.changed) {
			printf("%s: new snapshot, %zu prefixes, sha256 %s (%s)", p->name,
			       res.meta.count, res.meta.sha256, res.meta.version);
			if (res.meta.invalid)
				printf(", %zu invalid rows skipped", res.meta.invalid);
			printf("\n");
		} else {
			printf("%s: unchanged (the source answered 304 Not Modified)\n", p->name);
		}
		char age[32];
		if (stale(&res.meta, o->max_age, age, sizeof(age))) {
			log_warnx("%s: the snapshot in use was last confirmed %s ago: stale",
				  p->name, age);
			status = worse(status, EXIT_STALE);
		}
		if (st && rc == R_OK) {
			struct range_set set;
			long long id = 0;
			bool inserted = false;
			rc = snapshot_load(o->cache, p->name, &res.meta, &set, &err);
			if (rc == R_OK)
				rc =
				    store_range_snapshot(st, &res.meta, &set, &id, &inserted, &err);
			range_set_free(&set);
			if (rc != R_OK) {
				rerr_log(&err);
				status = worse(status, rstatus_exit(rc));
			} else {
				printf("%s: %s snapshot %lld in the database\n", p->name,
				       inserted ? "stored as" : "already stored as", id);
			}
		}
	}
	store_close(st);
	return status;
}

static int do_list(struct ropts *o)
{
	struct regions *reg = NULL;
	struct rerr err;
	int status = EXIT_COMPLIANT;
	bool any = false;

	if (regions_load(NULL, &reg, &err) != R_OK) {
		rerr_log(&err);
		return EXIT_INCOMPLETE;
	}
	printf("%-13s %-10s %8s %7s %-16s %s\n", "PROVIDER", "CHECKED", "PREFIXES", "INVALID",
	       "SHA-256", "VERSION / UNMAPPED REGIONS");
	for (const struct range_provider *p = range_providers; p->name; p++) {
		struct snapshot_meta m;
		struct range_set set;
		if (snapshot_load(o->cache, p->name, &m, &set, &err) != R_OK) {
			range_set_free(&set);
			continue;
		}
		any = true;
		char age[32], unmapped[1024] = "";
		if (stale(&m, o->max_age, age, sizeof(age))) {
			strncat(age, "!", sizeof(age) - strlen(age) - 1);
			status = EXIT_STALE;
		}
		/* Regions the tables do not map: the addresses there fall back to GeoIP. */
		for (size_t i = 0; set.kind == RANGE_PROVIDER && i < set.n; i++) {
			const struct range_entry *e = &set.v[i];
			const char *where = e->border_group[0] ? e->border_group : e->region;
			if (!where[0] || e->global || regions_country(reg, p->name, where))
				continue;
			/* Only these providers publish regions that a table maps. */
			if (strcmp(p->name, "aws") && strcmp(p->name, "gcp") &&
			    strcmp(p->name, "azure") && strcmp(p->name, "oracle"))
				continue;
			char needle[96];
			snprintf(needle, sizeof(needle), " %s", where);
			if (strstr(unmapped, needle) == NULL &&
			    strlen(unmapped) + strlen(needle) + 4 < sizeof(unmapped))
				strncat(unmapped, needle, sizeof(unmapped) - strlen(unmapped) - 1);
		}
		printf("%-13s %-10s %8zu %7zu %.16s %s%s%s\n", p->name, age, m.count, m.invalid,
		       m.sha256, m.version, unmapped[0] ? "; unmapped:" : "", unmapped);
		range_set_free(&set);
	}
	if (!any)
		printf("(no snapshots in %s: run 'residency ranges fetch')\n", o->cache);
	regions_free(reg);
	if (o->db) {
		struct store *st;
		if (store_open(o->db, &st, &err) != R_OK ||
		    store_range_list(st, stdout, &err) != R_OK) {
			rerr_log(&err);
			status = EXIT_INCOMPLETE;
		}
		store_close(st);
	}
	if (status == EXIT_STALE)
		log_warnx("snapshots marked ! are older than --max-age: stale");
	return status;
}

static int prefix_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted unique prefix texts and regions of a set. */
static char **keys(const struct range_set *s, bool regions, size_t *n)
{
	char **v = calloc(s->n + 1, sizeof(*v));
	size_t k = 0;
	char text[128];

	for (size_t i = 0; v && i < s->n; i++) {
		if (regions) {
			const char *r =
			    s->v[i].border_group[0] ? s->v[i].border_group : s->v[i].region;
			if (!r[0])
				continue;
			snprintf(text, sizeof(text), "%s", r);
		} else {
			prefix_format(&s->v[i].prefix, text, sizeof(text));
		}
		v[k++] = strdup(text);
	}
	if (v)
		qsort(v, k, sizeof(*v), prefix_cmp);
	size_t u = 0;
	for (size_t i = 0; i < k; i++) {
		if (u && strcmp(v[u - 1], v[i]) == 0) {
			free(v[i]);
			continue;
		}
		v[u++] = v[i];
	}
	*n = u;
	return v;
}

static void print_delta(const char *what, char **a, size_t na, char **b, size_t nb)
{
	size_t i = 0, j = 0, add = 0, del = 0;

	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(a[i], b[j]);
		if (c < 0) {
			printf("- %s %s\n", what, a[i++]);
			del++;
		} else if (c > 0) {
			printf("+ %s %s\n", what, b[j++]);
			add++;
		} else {
			i++, j++;
		}
	}
	printf("%s: %zu added, %zu removed\n", what, add, del);
}

static int do_diff(struct ropts *o, int argc, char **argv)
{
	struct range_set a, b;
	struct rerr err;
	enum rstatus rc = R_OK;
	struct store *st = NULL;

	range_set_init(&a, o->provider ? o->provider : "");
	range_set_init(&b, o->provider ? o->provider : "");
	if (o->from || o->to) {
		if (!o->db || !o->from || !o->to)
			return cli_usage_error("ranges", "diff by id needs --db, --from and --to");
		if ((rc = store_open(o->db, &st, &err)) == R_OK &&
		    (rc = store_range_load(st, strtoll(o->from, NULL, 10), &a, &err)) == R_OK)
			rc = store_range_load(st, strtoll(o->to, NULL, 10), &b, &err);
		if (rc == R_OK && strcmp(a.provider, b.provider) != 0)
			rc = rerr_set(&err, R_EUSAGE, NULL, 0,
				      "snapshots %s and %s are of %s and %s", o->from, o->to,
				      a.provider, b.provider);
	} else {
		if (!o->provider || argc != 2)
			return cli_usage_error("ranges", "diff needs --provider P FILE1 FILE2");
		if ((rc = ranges_load_file(o->provider, argv[0], &a, &err)) == R_OK)
			rc = ranges_load_file(o->provider, argv[1], &b, &err);
	}
	if (rc == R_OK) {
		size_t na, nb, ra, rb;
		char **ka = keys(&a, false, &na), **kb = keys(&b, false, &nb);
		char **ga = keys(&a, true, &ra), **gb = keys(&b, true, &rb);
		printf("%s: %zu -> %zu prefix records (%s -> %s)\n", a.provider, a.n, b.n,
		       a.version, b.version);
		print_delta("region", ga, ra, gb, rb);
		print_delta("prefix", ka, na, kb, nb);
		char **all[4] = {ka, kb, ga, gb};
		size_t cnt[4] = {na, nb, ra, rb};
		for (int k = 0; k < 4; k++) {
			for (size_t i = 0; all[k] && i < cnt[k]; i++)
				free(all[k][i]);
			free(all[k]);
		}
	}
	range_set_free(&a);
	range_set_free(&b);
	store_close(st);
	if (rc != R_OK) {
		rerr_log(&err);
		return rstatus_exit(rc);
	}
	return EXIT_COMPLIANT;
}

int cmd_ranges(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"cache", required_argument, NULL, 'c'},	{"db", required_argument, NULL, 'd'},
	    {"provider", required_argument, NULL, 'p'}, {"ranges", required_argument, NULL, 'r'},
	    {"force", no_argument, NULL, 'F'},		{"max-age", required_argument, NULL, 'a'},
	    {"timeout", required_argument, NULL, 't'},	{"retries", required_argument, NULL, 'n'},
	    {"from", required_argument, NULL, 'f'},	{"to", required_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},		{NULL, 0, NULL, 0},
	};
	struct ropts o;
	int ch;

	memset(&o, 0, sizeof(o));
	snapshot_cache_dir(o.cache, sizeof(o.cache));
	o.max_age = 7 * 86400;
	o.fetch.retries = -1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			snprintf(o.cache, sizeof(o.cache), "%s", optarg);
			break;
		case 'd':
			o.db = optarg;
			break;
		case 'p':
			if (ranges_provider(optarg) == NULL)
				return cli_usage_error("ranges", "unknown provider \"%s\"", optarg);
			if (o.nproviders == RANGES_MAX_ARGS)
				return cli_usage_error("ranges", "too many --provider");
			o.providers[o.nproviders++] = optarg;
			o.provider = optarg;
			break;
		case 'r': {
			char *eq = strchr(optarg, '=');
			if (eq == NULL || eq == optarg || eq[1] == '\0')
				return cli_usage_error("ranges", "--ranges takes PROVIDER=URL");
			*eq = '\0';
			if (ranges_provider(optarg) == NULL)
				return cli_usage_error("ranges", "unknown provider \"%s\"", optarg);
			if (o.nsrc == RANGES_MAX_ARGS)
				return cli_usage_error("ranges", "too many --ranges");
			o.sp[o.nsrc] = optarg;
			o.su[o.nsrc++] = eq + 1;
			break;
		}
		case 'F':
			o.force = true;
			break;
		case 'a':
			if (!duration_parse(optarg, &o.max_age))
				return cli_usage_error("ranges",
						       "--max-age takes a duration such as 7d");
			break;
		case 't':
			o.fetch.total_timeout_ms = strtol(optarg, NULL, 10);
			if (o.fetch.total_timeout_ms <= 0)
				return cli_usage_error("ranges", "--timeout takes milliseconds");
			break;
		case 'n':
			o.fetch.retries = (int)strtol(optarg, NULL, 10);
			if (o.fetch.retries < 0 || o.fetch.retries > 20)
				return cli_usage_error("ranges", "--retries takes 0 to 20");
			break;
		case 'f':
			o.from = optarg;
			break;
		case 'T':
			o.to = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_COMPLIANT;
		default:
			return cli_usage_error("ranges", "bad option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("ranges", "expected fetch, list or diff");
	const char *action = argv[optind++];
	if (strcmp(action, "fetch") == 0 && optind == argc)
		return do_fetch(&o);
	if (strcmp(action, "list") == 0 && optind == argc)
		return do_list(&o);
	if (strcmp(action, "diff") == 0)
		return do_diff(&o, argc - optind, argv + optind);
	return cli_usage_error("ranges", "unknown action or extra arguments: %s", action);
}
