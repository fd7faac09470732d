/*
 * cli/resolve: `residency resolve` prints the data path of names: the CNAME
 * chain, the addresses at its end, the name servers of each zone on the chain
 * with their addresses, and MX hosts with --mx.
 */
#include "cli/cli.h"
#include "core/log.h"
#include "core/rerr.h"
#include "dns/dns.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RESOLVE_MAX_ARGS 256
#define RESOLVE_CHUNK 20000 /* names resolved together from stdin: bounds memory */

static void usage(FILE *f)
{
	fprintf(
	    f, "usage: residency resolve [--resolver ADDR[:PORT]]... [--zone FILE]... [--offline]\n"
	       "                         [--axfr ZONE@HOST[:PORT]]...\n"
	       "                         [--mx] [--format text|json] [--timeout MS] [--tries N]\n"
	       "                         [NAME...]\n\n"
	       "Prints each name's data path: every name on its CNAME chain (16 hops at most;\n"
	       "loops reported as such), every A and AAAA at its end, the name servers of the\n"
	       "zone of each name on the chain and their addresses, and with --mx the mail\n"
	       "hosts of the name and their addresses. With no NAME, reads names from stdin.\n\n"
	       "  --resolver ADDR[:PORT]  ask this resolver (repeatable; default: the system's)\n"
	       "  --zone FILE          an RFC 1035 master file to answer from (repeatable); names\n"
	       "                       a loaded zone covers are answered from it, the rest asked\n"
	       "  --offline            no network: a name no loaded zone covers is \"no_zone\"\n"
	       "  --timeout MS, --tries N  per question (default 2000 ms, 2 tries)\n"
	       "  --max-inflight N     questions in flight at most (default 500; the window\n"
	       "                       adapts below it, halving when answers are lost)\n"
	       "  --mx                 also follow MX (for mail domains)\n"
	       "  --format text|json   json: one object per name with chain, addresses,\n"
	       "                       name_servers, mx and every element with its status\n\n"
	       "  --axfr ZONE@HOST[:PORT] pull a zone by transfer and answer its names from it\n"
	       "                       (repeatable); a refused transfer is an error (exit 3)\n\n"
	       "Exit: 0 every path fully resolved; 3 some element could not be resolved\n"
	       "(nxdomain, nodata, refused, servfail, timeout, no_zone, cname_loop,\n"
	       "chain_too_long: shown per element);\n"
	       "2 bad usage or a zone file that does not load (file:line named).\n");
}

static json_t *elem_json(const struct path *p, size_t i)
{
	const struct path_elem *e = &p->elems[i];
	char a[ADDR_STRLEN];
	json_t *o = json_object();

	json_object_set_new(o, "kind", json_string(path_kind_name(e->kind)));
	json_object_set_new(o, "name", json_string(e->name));
	if (e->kind == PATH_ADDRESS)
		json_object_set_new(o, "address", json_string(addr_format(&e->addr, a, sizeof(a))));
	if (e->kind == PATH_NS)
		json_object_set_new(o, "zone", json_string(e->zone));
	json_object_set_new(o, "status", json_string(dns_status_name(e->status)));
	json_object_set_new(o, "parent", json_integer(e->parent));
	return o;
}

static json_t *addrs_under(const struct path *p, int at)
{
	char a[ADDR_STRLEN];
	json_t *arr = json_array();

	for (size_t i = 0; i < p->n; i++)
		if (p->elems[i].kind == PATH_ADDRESS && p->elems[i].parent == at)
			json_array_append_new(
			    arr, json_string(addr_format(&p->elems[i].addr, a, sizeof(a))));
	return arr;
}

static void print_json(const struct path *p)
{
	json_t *o = json_object(), *chain = json_array(), *addrs = json_array(), *ns = json_array(),
	       *mx = json_array(), *elems = json_array();
	char a[ADDR_STRLEN];

	json_object_set_new(o, "name", json_string(p->root));
	json_object_set_new(o, "status", json_string(dns_status_name(p->status)));
	for (size_t i = 0; i < p->n; i++) {
		const struct path_elem *e = &p->elems[i];
		json_array_append_new(elems, elem_json(p, i));
		if (e->kind == PATH_NAME) {
			json_array_append_new(chain,
					      json_pack("{s:s, s:s}", "name", e->name, "status",
							dns_status_name(e->status)));
		} else if (e->kind == PATH_ADDRESS && p->elems[e->parent].kind == PATH_NAME) {
			json_array_append_new(addrs,
					      json_string(addr_format(&e->addr, a, sizeof(a))));
		} else if (e->kind == PATH_NS) {
			json_array_append_new(ns, json_pack("{s:s, s:s, s:s, s:o}", "host", e->name,
							    "zone", e->zone, "status",
							    dns_status_name(e->status), "addresses",
							    addrs_under(p, (int)i)));
		} else if (e->kind == PATH_MX) {
			json_array_append_new(mx, json_pack("{s:s, s:s, s:o}", "host", e->name,
							    "status", dns_status_name(e->status),
							    "addresses", addrs_under(p, (int)i)));
		}
	}
	json_object_set_new(o, "chain", chain);
	json_object_set_new(o, "addresses", addrs);
	json_object_set_new(o, "name_servers", ns);
	json_object_set_new(o, "mx", mx);
	json_object_set_new(o, "elements", elems);
	json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(o);
}

static void print_text(const struct path *p)
{
	char a[ADDR_STRLEN];
	FILE *f = stdout;

	fputs(p->root, f);
	fputs("  [", f);
	fputs(dns_status_name(p->status), f);
	fputs("]\n", f);
	for (size_t i = 1; i < p->n; i++) {
		const struct path_elem *e = &p->elems[i];
		int depth = 0;
		for (int q = e->parent; q > 0; q = p->elems[q].parent)
			depth++;
		for (int k = 0; k < depth + 1; k++)
			fputs("  ", f);
		switch (e->kind) {
		case PATH_NAME:
			fputs("CNAME -> ", f);
			fputs(e->name, f);
			break;
		case PATH_ADDRESS:
			fputs(addr_format(&e->addr, a, sizeof(a)), f);
			break;
		case PATH_NS:
			fputs("NS ", f);
			fputs(e->name, f);
			fputs(" (zone ", f);
			fputs(e->zone, f);
			fputc(')', f);
			break;
		case PATH_MX:
			fputs("MX ", f);
			fputs(e->name, f);
			break;
		}
		if (e->status != DNS_OK) {
			fputs("  ", f);
			fputs(dns_status_name(e->status), f);
		}
		fputc('\n', f);
	}
	if (p->n == 1 || p->elems[0].status != DNS_OK) {
		fputs("  ", f);
		fputs(dns_status_name(p->elems[0].status), f);
		fputc('\n', f);
	}
}

/* Resolves and prints n names; non-zero when some path is not fully resolved. */
static int resolve_chunk(struct dns *d, const char *const *names, size_t n, bool mx, bool json)
{
	struct path *paths = calloc(n ? n : 1, sizeof(*paths));
	bool *want = calloc(n ? n : 1, sizeof(*want));
	struct rerr err;
	int bad = 0;

	if (paths == NULL || want == NULL) {
		free(paths);
		free(want);
		log_warnx("out of memory");
		return 1;
	}
	rerr_clear(&err);
	for (size_t i = 0; i < n; i++)
		want[i] = mx;
	if (dns_resolve_paths(d, names, want, n, paths, &err) != R_OK) {
		rerr_log(&err); /* the paths are printed, and the exit says incomplete */
		bad = 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (json)
			print_json(&paths[i]);
		else
			print_text(&paths[i]);
		if (paths[i].status != DNS_OK)
			bad = 1;
		path_clear(&paths[i]);
	}
	free(paths);
	free(want);
	return bad;
}

int cmd_resolve(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"zone", required_argument, NULL, 'z'},
	    {"offline", no_argument, NULL, 'o'},
	    {"resolver", required_argument, NULL, 'r'},
	    {"axfr", required_argument, NULL, 'a'},
	    {"mx", no_argument, NULL, 'm'},
	    {"format", required_argument, NULL, 'f'},
	    {"timeout", required_argument, NULL, 't'},
	    {"tries", required_argument, NULL, 'T'},
	    {"max-inflight", required_argument, NULL, 'M'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *zones[RESOLVE_MAX_ARGS], *resolvers[RESOLVE_MAX_ARGS], *axfr[RESOLVE_MAX_ARGS];
	struct dns_options opt;
	struct dns *d = NULL;
	struct rerr err;
	enum rstatus rc;
	bool json = false, mx = false;
	int ch;

	memset(&opt, 0, sizeof(opt));
	rerr_clear(&err);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'z':
		case 'r':
		case 'a': {
			const char **v = ch == 'z' ? zones : ch == 'r' ? resolvers : axfr;
			size_t *n = ch == 'z'	? &opt.nzone_files
				    : ch == 'r' ? &opt.nresolvers
						: &opt.naxfr;
			if (*n == RESOLVE_MAX_ARGS)
				return cli_usage_error("resolve", "too many --%s",
						       opts[ch == 'z'	? 0
							    : ch == 'r' ? 2
									: 3]
							   .name);
			v[(*n)++] = optarg;
			break;
		}
		case 'o':
			opt.offline = true;
			break;
		case 't':
			opt.timeout_ms = (int)strtol(optarg, NULL, 10);
			if (opt.timeout_ms <= 0 || opt.timeout_ms > 60000)
				return cli_usage_error("resolve", "--timeout takes 1 to 60000 ms");
			break;
		case 'T':
			opt.tries = (int)strtol(optarg, NULL, 10);
			if (opt.tries <= 0 || opt.tries > 10)
				return cli_usage_error("resolve", "--tries takes 1 to 10");
			break;
		case 'M':
			opt.max_inflight = (int)strtol(optarg, NULL, 10);
			if (opt.max_inflight <= 0 || opt.max_inflight > 65535)
				return cli_usage_error("resolve",
						       "--max-inflight takes 1 to 65535");
			break;
		case 'm':
			mx = true;
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "text") != 0)
				return cli_usage_error("resolve", "--format must be text or json");
			break;
		case 'h':
			usage(stdout);
			return EXIT_COMPLIANT;
		default:
			return cli_usage_error("resolve", "bad option");
		}
	}
	opt.zone_files = zones;
	opt.resolvers = resolvers;
	opt.axfr = axfr;
	if ((rc = dns_new(&opt, &d, &err)) != R_OK) {
		rerr_log(&err);
		return rstatus_exit(rc);
	}

	int status = EXIT_COMPLIANT;
	if (optind < argc) {
		if (resolve_chunk(d, (const char *const *)argv + optind, (size_t)(argc - optind),
				  mx, json) != 0)
			status = EXIT_INCOMPLETE;
	} else {
		/* From stdin, in chunks: paths are printed and dropped as they are done. */
		char **names = calloc(RESOLVE_CHUNK, sizeof(*names)), *line = NULL;
		size_t n = 0, lcap = 0, total = 0;
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ssize_t len = 0;
		if (names == NULL) {
			log_warnx("out of memory");
			dns_free(d);
			return EXIT_INCOMPLETE;
		}
		while (len >= 0) {
			len = getline(&line, &lcap, stdin);
			if (len > 0) {
				while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
					line[--len] = '\0';
				if (len > 0 && (names[n] = strdup(line)) == NULL) {
					log_warnx("resolve: out of memory");
					status = EXIT_INCOMPLETE; /* a name dropped: never a pass */
					len = -1;
				} else if (len > 0) {
					n++;
				}
			}
			if (n == RESOLVE_CHUNK || (len < 0 && n > 0)) {
				if (resolve_chunk(d, (const char *const *)names, n, mx, json) != 0)
					status = EXIT_INCOMPLETE;
				for (size_t i = 0; i < n; i++)
					free(names[i]);
				total += n;
				n = 0;
				dns_forget_answers(d);
				if (isatty(STDERR_FILENO))
					fprintf(stderr, "\rresolve: %zu names done", total);
			}
		}
		if (ferror(stdin)) {
			log_warn("resolve: reading standard input");
			status = EXIT_INCOMPLETE;
		}
		/* What was asked, for whoever runs this on many names (after the paths). */
		fflush(stdout);
		size_t asked, answered, retried;
		int window;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double secs =
		    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		size_t cached, evicted, reasked;
		dns_live_counts(d, &asked, &answered);
		dns_live_stats(d, &retried, &window);
		dns_live_cache(d, &cached, &evicted, &reasked);
		char again[96] = ""; /* said only when the cache's bound made it ask again */
		if (reasked > 0)
			snprintf(again, sizeof(again), ", %zu asked again (evicted from the cache)",
				 reasked);
		if (total > 0 || asked > 0)
			fprintf(stderr,
				"%sresolve: %zu names in %.2f s; %zu questions sent, %zu answered, "
				"%zu retried%s\n",
				isatty(STDERR_FILENO) ? "\r" : "", total, secs, asked, answered,
				retried, again);
		free(line);
		free(names);
	}
	if (fflush(stdout) != 0) {
		log_warn("stdout");
		status = EXIT_INCOMPLETE;
	}
	dns_free(d);
	return status;
}
