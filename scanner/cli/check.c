/*
 * cli/check: `residency check`, the release gate. Resolves every endpoint's
 * data path, attributes every address, judges each service against its policy
 * and writes the verdict. Needs no database. Exit 0 only when every element of
 * every service was resolved, attributed and allowed.
 */
#include "attrib/attrib.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/rerr.h"
#include "dns/dns.h"
#include "policy/judge.h"
#include "policy/policy.h"
#include "report/findings.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK_MAX_ARGS 256

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: residency check --estate FILE [--policies DIR] [--zone FILE]... --offline\n"
	    "                       [--ranges PROVIDER=URL]... [--geoip FILE]\n"
	    "                       [--format text|json|junit] [--output FILE] [--date "
	    "YYYY-MM-DD]\n\n"
	    "Judges every service of the estate: the whole data path of each endpoint (CNAME\n"
	    "chain, addresses, the name servers of each zone on the chain, MX hosts of mail\n"
	    "domains), each address attributed to provider, region and country, against the\n"
	    "service's policy. Unknown, unresolvable and anycast elements are findings unless\n"
	    "the policy says \"allow\". Needs no database.\n\n"
	    "  --estate FILE          the services (JSON)\n"
	    "  --policies DIR         policy files, one *.json per policy (default: bundled "
	    "policies/)\n"
	    "  --zone FILE            an RFC 1035 zone file to answer from (repeatable); endpoint\n"
	    "                         patterns such as *.pay.example.com expand over their names\n"
	    "  --offline              no network; a name no zone covers is a finding, never a "
	    "pass\n"
	    "  --ranges PROVIDER=URL  a range file instead of the bundled snapshot (file:// or "
	    "path)\n"
	    "  --geoip FILE           country database (default: the bundled CC0 one)\n"
	    "  --format text|json|junit  (default text; colour only on a terminal)\n"
	    "  --output FILE          write there instead of stdout\n"
	    "  --date YYYY-MM-DD      the day waivers are judged against (default: today, UTC)\n\n"
	    "Not in this build: live DNS (--resolver ADDR[:PORT]) and zone transfers (--axfr\n"
	    "ZONE@HOST[:PORT]); they are refused with exit 2, never faked.\n\n"
	    "Exit: 0 every element of every service resolved, attributed and allowed;\n"
	    "      1 at least one finding; 2 bad usage or bad input (file:line named);\n"
	    "      3 could not run (ranges or the GeoIP database could not be loaded, output\n"
	    "      could not be written).\n");
}

static void attribute(void *ctx, const struct addr *a, struct attribution *out)
{
	attrib_lookup(ctx, a, out);
}

/* The names a service's endpoints stand for; patterns expand over the zones. */
static enum rstatus service_paths(struct dns *d, const struct service *s, struct path **paths,
				  bool **is_mail, size_t *n, struct rerr *err)
{
	char **names = NULL;
	bool *mail = NULL;
	size_t cap = 0, k = 0;
	enum rstatus rc = R_OK;
	size_t synthetic_from = 0;
	char **unmatched = NULL;
	size_t nunmatched = 0;

	*paths = NULL;
	*is_mail = NULL;
	*n = 0;
	for (size_t i = 0; i < s->nendpoints + s->nmail && rc == R_OK; i++) {
		bool m = i >= s->nendpoints;
		const char *ep = m ? s->mail_domains[i - s->nendpoints] : s->endpoints[i];
		char **expanded = NULL;
		size_t ne = 0;
		if (!m && strncmp(ep, "*.", 2) == 0) {
			if ((rc = dns_zone_names(d, ep, &expanded, &ne, err)) != R_OK)
				break;
			if (ne == 0) {
				char **v = realloc(unmatched, (nunmatched + 1) * sizeof(*v));
				if (v == NULL) {
					rc = rerr_set(err, R_ENOMEM, s->name, 0, "out of memory");
					break;
				}
				unmatched = v;
				unmatched[nunmatched++] = (char *)ep;
			}
		}
		bool pattern = !m && strncmp(ep, "*.", 2) == 0;
		for (size_t x = 0; x < (pattern ? ne : 1); x++) {
			if (k == cap) {
				cap = cap ? cap * 2 : 16;
				char **nv = realloc(names, cap * sizeof(*nv));
				bool *mv = realloc(mail, cap * sizeof(*mv));
				names = nv ? nv : names;
				mail = mv ? mv : mail;
				if (nv == NULL || mv == NULL) {
					rc = rerr_set(err, R_ENOMEM, s->name, 0, "out of memory");
					break;
				}
			}
			names[k] = strdup(pattern ? expanded[x] : ep);
			mail[k++] = m;
		}
		dns_names_free(expanded, ne);
	}
	synthetic_from = k;
	if (rc == R_OK && (*paths = calloc(k + nunmatched + 1, sizeof(**paths))) != NULL &&
	    (*is_mail = calloc(k + nunmatched + 1, sizeof(**is_mail))) != NULL) {
		rc = dns_resolve_paths(d, (const char *const *)names, mail, k, *paths, err);
		if (k)
			memcpy(*is_mail, mail, k * sizeof(*mail));
		/* A pattern that matched nothing: a path of its own, unresolvable. */
		for (size_t u = 0; u < nunmatched; u++) {
			struct path *p = &(*paths)[synthetic_from + u];
			snprintf(p->root, sizeof(p->root), "%s", unmatched[u]);
			p->status = DNS_NXDOMAIN;
			if ((p->elems = calloc(1, sizeof(*p->elems))) != NULL) {
				p->n = 1;
				p->elems[0].kind = PATH_NAME;
				snprintf(p->elems[0].name, sizeof(p->elems[0].name), "%s",
					 unmatched[u]);
				p->elems[0].status = DNS_NXDOMAIN;
				p->elems[0].parent = -1;
				p->elems[0].answer = -1;
			}
		}
		*n = k + nunmatched;
	} else if (rc == R_OK) {
		rc = rerr_set(err, R_ENOMEM, s->name, 0, "out of memory");
	}
	for (size_t i = 0; i < k; i++)
		free(names[i]);
	free(names);
	free(mail);
	free(unmatched);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"estate", required_argument, NULL, 'e'},
	    {"policies", required_argument, NULL, 'p'},
	    {"zone", required_argument, NULL, 'z'},
	    {"axfr", required_argument, NULL, 'a'},
	    {"resolver", required_argument, NULL, 'r'},
	    {"offline", no_argument, NULL, 'o'},
	    {"ranges", required_argument, NULL, 'R'},
	    {"geoip", required_argument, NULL, 'g'},
	    {"format", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'O'},
	    {"date", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *zones[CHECK_MAX_ARGS], *resolvers[CHECK_MAX_ARGS], *axfr[CHECK_MAX_ARGS];
	struct attrib_source src[CHECK_MAX_ARGS];
	size_t nsrc = 0;
	const char *estate_file = NULL, *policies = NULL, *geoip = NULL, *output = NULL,
		   *format = "text";
	char today[16];
	struct dns_options opt;
	struct estate *e = NULL;
	struct dns *d = NULL;
	struct attrib *a = NULL;
	struct judgement *per = NULL;
	struct rerr err;
	enum rstatus rc = R_OK;
	int ch, status = EXIT_INCOMPLETE;
	size_t endpoints = 0;
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	memset(&opt, 0, sizeof(opt));
	rerr_clear(&err);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'e':
			estate_file = optarg;
			break;
		case 'p':
			policies = optarg;
			break;
		case 'z':
		case 'a':
		case 'r': {
			const char **v = ch == 'z' ? zones : ch == 'a' ? axfr : resolvers;
			size_t *n = ch == 'z'	? &opt.nzone_files
				    : ch == 'a' ? &opt.naxfr
						: &opt.nresolvers;
			if (*n == CHECK_MAX_ARGS)
				return cli_usage_error("check",
						       "too many --zone/--axfr/--resolver");
			v[(*n)++] = optarg;
			break;
		}
		case 'o':
			opt.offline = true;
			break;
		case 'R': {
			char *eq = strchr(optarg, '=');
			if (eq == NULL || eq == optarg || eq[1] == '\0')
				return cli_usage_error(
				    "check", "--ranges takes PROVIDER=URL, not \"%s\"", optarg);
			if (nsrc == CHECK_MAX_ARGS)
				return cli_usage_error("check", "too many --ranges");
			*eq = '\0';
			src[nsrc].provider = optarg;
			src[nsrc++].url = eq + 1;
			break;
		}
		case 'g':
			geoip = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json") &&
			    strcmp(optarg, "junit"))
				return cli_usage_error("check",
						       "--format must be text, json or junit");
			format = optarg;
			break;
		case 'O':
			output = optarg;
			break;
		case 'd':
			if (strlen(optarg) != 10 || optarg[4] != '-' || optarg[7] != '-')
				return cli_usage_error("check", "--date takes YYYY-MM-DD");
			snprintf(today, sizeof(today), "%s", optarg);
			break;
		case 'h':
			usage(stdout);
			return EXIT_COMPLIANT;
		default:
			return cli_usage_error("check", "bad option");
		}
	}
	if (estate_file == NULL)
		return cli_usage_error("check", "--estate FILE is required");
	if (optind < argc)
		return cli_usage_error("check", "unexpected argument \"%s\"", argv[optind]);
	opt.zone_files = zones;
	opt.resolvers = resolvers;
	opt.axfr = axfr;

	if ((rc = estate_load(estate_file, policies, &e, &err)) != R_OK ||
	    (rc = dns_new(&opt, &d, &err)) != R_OK ||
	    (rc = attrib_open(src, nsrc, geoip, &a, &err)) != R_OK)
		goto out;
	if ((per = calloc(e->n + 1, sizeof(*per))) == NULL) {
		rc = rerr_set(&err, R_ENOMEM, NULL, 0, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < e->n && rc == R_OK; i++) {
		struct path *paths;
		bool *is_mail;
		size_t n;
		if ((rc = service_paths(d, &e->v[i], &paths, &is_mail, &n, &err)) != R_OK)
			break;
		rc = judge_service(&e->v[i], estate_policy(e, e->v[i].policy), paths, is_mail, n,
				   attribute, a, today, &per[i], &err);
		endpoints += n;
		for (size_t k = 0; k < n; k++)
			path_clear(&paths[k]);
		free(paths);
		free(is_mail);
	}
	if (rc != R_OK)
		goto out;

	struct findings_report rep = {
	    e, per, today, attrib_geoip_epoch(a), zones, opt.nzone_files, endpoints};
	FILE *f = stdout;
	if (output && (f = fopen(output, "w")) == NULL) {
		rc = rerr_set(&err, R_EIO, output, 0, "cannot write the report");
		goto out;
	}
	int w = strcmp(format, "json") == 0 ? findings_write_json(f, &rep)
		: strcmp(format, "junit") == 0
		    ? findings_write_junit(f, &rep)
		    : findings_write_text(f, &rep, output == NULL && cli_isatty(stdout));
	int flushed;
	if (output)
		flushed = fclose(f);
	else
		flushed = fflush(stdout);
	if (flushed != 0 || w != 0) {
		rc = rerr_set(&err, R_EIO, output ? output : "stdout", 0,
			      "writing the report failed");
		goto out;
	}
	status = findings_count(&rep) ? EXIT_VIOLATION : EXIT_COMPLIANT;
out:
	if (rc != R_OK) {
		rerr_log(&err);
		status = rstatus_exit(rc);
	}
	for (size_t i = 0; per && e && i < e->n; i++)
		judgement_free(&per[i]);
	free(per);
	attrib_free(a);
	dns_free(d);
	estate_free(e);
	return status;
}
