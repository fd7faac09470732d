/*
 * cli/check: `residency check`, the release gate. Resolves every endpoint's
 * data path, attributes every address, judges each service against its policy
 * and writes the verdict. Needs no database. Exit 0 only when every element of
 * every service was resolved, attributed and allowed.
 *
 * `check --scan ID` judges a stored scan's paths and attributions instead
 * (scan/stored), under the policies given, with the same judge and writers.
 */
#include "attrib/attrib.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/rerr.h"
#include "dns/dns.h"
#include "policy/judge.h"
#include "policy/policy.h"
#include "report/findings.h"
#include "scan/run.h"
#include "scan/stored.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK_MAX_ARGS 256

static void usage(FILE *f)
{
	fputs(
	    "usage: residency check --estate FILE [--policies DIR] [--zone FILE]...\n"
	    "                       [--resolver ADDR[:PORT]]... [--axfr ZONE@HOST[:PORT]]...\n"
	    "                       [--offline] [--ranges PROVIDER=URL]... [--geoip FILE]\n"
	    "                       [--format text|json|junit] [--output FILE]\n"
	    "                       [--date YYYY-MM-DD]\n"
	    "       residency check --scan ID --policies DIR [--db CONNINFO]\n"
	    "                       [--format text|json|junit] [--output FILE]\n"
	    "                       [--date YYYY-MM-DD]\n\n"
	    "Judges every service of the estate: the whole data path of each endpoint (CNAME\n"
	    "chain, addresses, the name servers of each zone on the chain, MX hosts of mail\n"
	    "domains), each address attributed to provider, region and country, against the\n"
	    "service's policy. Unknown, unresolvable and anycast elements are findings unless\n"
	    "the policy says \"allow\". Needs no database.\n\n"
	    "With --scan, judges a complete scan stored in PostgreSQL under the policies of\n"
	    "DIR instead: the paths and attributions that scan stored, nothing resolved or\n"
	    "attributed again (what would this policy have said then?). Each service keeps\n"
	    "the policy name it had; DIR must define it. The findings are those a fresh\n"
	    "check of the same paths and attributions gives; the output says which scan.\n\n"
	    "  --estate FILE          the services (JSON)\n"
	    "  --policies DIR         policy files, one *.json per policy (default: bundled)\n"
	    "  --zone FILE            an RFC 1035 zone file to answer from (repeatable); endpoint\n"
	    "                         patterns such as *.pay.example.com expand over its names\n"
	    "  --axfr ZONE@HOST[:PORT] pull a zone by transfer, used like --zone (repeatable)\n"
	    "  --resolver ADDR[:PORT] ask this resolver for names no zone covers (repeatable;\n"
	    "                         default: the system's)\n"
	    "  --offline              no network; a name no zone covers is a finding, never a\n"
	    "                         pass\n"
	    "  --ranges PROVIDER=URL  a range file instead of the bundled snapshot (https://,\n"
	    "                         http://, file:// or a path; remote ones through the cache)\n"
	    "  --geoip FILE           country database (default: the bundled CC0 one)\n"
	    "  --format text|json|junit  (default text; colour only on a terminal)\n"
	    "  --output FILE          write there instead of stdout\n"
	    "  --date YYYY-MM-DD      the day waivers are judged against (default: today, UTC;\n"
	    "                         with --scan, the day the scan ran); --today is the same\n"
	    "  --scan ID              judge stored scan ID (see above); --estate, --zone,\n"
	    "                         --axfr, --resolver, --offline, --ranges and --geoip do\n"
	    "                         not apply\n"
	    "  --db CONNINFO          with --scan: the database (libpq string; default: PG*)\n\n"
	    "Exit: 0 every element of every service resolved, attributed and allowed;\n"
	    "      1 at least one finding; 2 bad usage or bad input (file:line named; with\n"
	    "      --scan: no such scan, or a service's policy missing from DIR);\n"
	    "      3 could not run (no resolver answered at all, a zone transfer refused,\n"
	    "      ranges or the GeoIP database not loaded, output not written; with --scan:\n"
	    "      the database could not be read, or the scan is not complete).\n",
	    f);
}

/* Writes the report where asked; returns R_OK or R_EIO with err set. */
static enum rstatus write_report(const struct findings_report *rep, const char *format,
				 const char *output, struct rerr *err)
{
	FILE *f = stdout;
	if (output && (f = fopen(output, "w")) == NULL)
		return rerr_set(err, R_EIO, output, 0, "cannot write the report");
	int w = strcmp(format, "json") == 0 ? findings_write_json(f, rep)
		: strcmp(format, "junit") == 0
		    ? findings_write_junit(f, rep)
		    : findings_write_text(f, rep, output == NULL && cli_isatty(stdout));
	int flushed;
	if (output)
		flushed = fclose(f);
	else
		flushed = fflush(stdout);
	if (flushed != 0 || w != 0)
		return rerr_set(err, R_EIO, output ? output : "stdout", 0,
				"writing the report failed");
	return R_OK;
}

/* The judgements of services[0..n) as the writers take them; caller frees. */
static struct judgement *judgements(const struct run_service *services, size_t n, struct rerr *err)
{
	struct judgement *per = calloc(n + 1, sizeof(*per));
	if (per == NULL) {
		rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		per[i] = services[i].judged; /* shallow: they stay with their owner */
	return per;
}

/* `check --scan ID`: a stored scan judged again under the policies of DIR. */
static enum rstatus rejudge(long long id, const char *db, const char *policies, const char *date,
			    const char *format, const char *output, bool *violation,
			    struct rerr *err)
{
	struct store *st = NULL;
	struct stored_scan *s = NULL;
	enum rstatus rc;

	if ((rc = store_open(db, &st, err)) != R_OK ||
	    (rc = stored_judge(st, id, policies, date, &s, err)) != R_OK)
		goto out;
	store_close(st); /* everything is read */
	st = NULL;
	const char *today = date ? date : s->day;
	struct findings_report rep = {s->estate,     s->judged,	     today,	   s->geoip_epoch,
				      s->zone_files, s->nzone_files, s->endpoints, id,
				      s->started};
	if ((rc = write_report(&rep, format, output, err)) == R_OK)
		*violation = findings_count(&rep) > 0;
out:
	stored_free(s);
	store_close(st);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"estate", required_argument, NULL, 'e'},	{"policies", required_argument, NULL, 'p'},
	    {"zone", required_argument, NULL, 'z'},	{"axfr", required_argument, NULL, 'a'},
	    {"resolver", required_argument, NULL, 'r'}, {"offline", no_argument, NULL, 'o'},
	    {"ranges", required_argument, NULL, 'R'},	{"geoip", required_argument, NULL, 'g'},
	    {"format", required_argument, NULL, 'f'},	{"output", required_argument, NULL, 'O'},
	    {"date", required_argument, NULL, 'd'},	{"today", required_argument, NULL, 'd'},
	    {"scan", required_argument, NULL, 's'},	{"db", required_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'},		{NULL, 0, NULL, 0},
	};
	const char *zones[CHECK_MAX_ARGS], *resolvers[CHECK_MAX_ARGS], *axfr[CHECK_MAX_ARGS];
	struct attrib_source src[CHECK_MAX_ARGS];
	size_t nsrc = 0;
	const char *estate_file = NULL, *policies = NULL, *geoip = NULL, *output = NULL,
		   *format = "text", *scan = NULL, *db = NULL;
	char today[16];
	bool date_given = false, violation = false;
	struct dns_options opt;
	struct run *r = NULL;
	struct judgement *per = NULL;
	struct rerr err;
	enum rstatus rc = R_OK;
	int ch, status = EXIT_INCOMPLETE;
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
			src[nsrc].max_age = 0;
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
			date_given = true;
			break;
		case 's':
			scan = optarg;
			break;
		case 'D':
			db = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_COMPLIANT;
		default:
			return cli_usage_error("check", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("check", "unexpected argument \"%s\"", argv[optind]);
	if (scan != NULL) {
		if (estate_file || opt.nzone_files || opt.naxfr || opt.nresolvers || opt.offline ||
		    nsrc || geoip)
			return cli_usage_error(
			    "check",
			    "--scan judges what the scan stored: --estate, --zone, --axfr, "
			    "--resolver, --offline, --ranges and --geoip do not apply");
		if (*scan == '\0' || strspn(scan, "0123456789") != strlen(scan) ||
		    strlen(scan) > 18)
			return cli_usage_error("check", "--scan takes a scan id (a number)");
		if (policies == NULL)
			return cli_usage_error("check", "--scan ID needs --policies DIR");
		rc = rejudge(strtoll(scan, NULL, 10), db, policies, date_given ? today : NULL,
			     format, output, &violation, &err);
		goto out;
	}
	if (db != NULL)
		return cli_usage_error("check", "--db goes with --scan");
	if (estate_file == NULL)
		return cli_usage_error("check", "--estate FILE is required (or --scan ID)");
	opt.zone_files = zones;
	opt.resolvers = resolvers;
	opt.axfr = axfr;

	struct run_input in;
	memset(&in, 0, sizeof(in));
	in.estate_file = estate_file;
	in.policies = policies;
	in.dns = opt;
	in.sources = src;
	in.nsources = nsrc;
	in.geoip = geoip;
	memcpy(in.today, today, sizeof(in.today));
	if ((rc = run_estate(&in, &r, &err)) != R_OK)
		goto out;
	if ((per = judgements(r->services, r->estate->n, &err)) == NULL) {
		rc = err.code;
		goto out;
	}
	struct findings_report rep = {
	    r->estate,	  per, today, attrib_geoip_epoch(r->attrib), zones, opt.nzone_files,
	    r->endpoints, 0,   NULL};
	if ((rc = write_report(&rep, format, output, &err)) == R_OK)
		violation = findings_count(&rep) > 0;
out:
	if (rc != R_OK) {
		rerr_log(&err);
		status = rstatus_exit(rc);
	} else {
		status = violation ? EXIT_VIOLATION : EXIT_COMPLIANT;
	}
	free(per); /* the judgements belong to the run */
	run_free(r);
	return status;
}
