/*
 * cli/evidence: `residency evidence export | verify`. Export writes a bundle a
 * regulator can check with no database; verify checks a bundle offline, or the
 * chain and the scans' rows in the database.
 */
#include "cli/cli.h"
#include "core/log.h"
#include "report/evidence.h"
#include "store/evidence_store.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: residency evidence export --scan ID --out DIR [--since ID]\n"
	    "                                 [--snapshots hashes|full] [--db CONNINFO]\n"
	    "       residency evidence verify BUNDLE [--key PUBLIC.pem]\n"
	    "                                 [--against-db [--db CONNINFO]]\n"
	    "       residency evidence verify --db-chain [--scan ID] [--db CONNINFO]\n\n"
	    "export writes a self-contained bundle of one complete scan into a new folder:\n"
	    "manifest.json (digest, chain links, every file's SHA-256, signature), records.jsonl\n"
	    "(the canonical records the digest is computed over: the scan, the configuration,\n"
	    "estate and policy texts, the data sources with their SHA-256, services, path\n"
	    "elements, attributions, findings, DNS answers), one readable TYPE.jsonl per kind of\n"
	    "record, documents/ (the texts as they were), and public_key.pem when signed.\n"
	    "  --since ID           include the chain links from scan ID's up to this scan's\n"
	    "  --snapshots full     also copy the range files the scan used (when still here and\n"
	    "                       unchanged); default: their SHA-256 and names only\n"
	    "A scan whose rows no longer give its recorded digest is not exported (exit 1).\n\n"
	    "verify BUNDLE recomputes everything offline and needs no database: every file's\n"
	    "SHA-256, the manifest, the digest from the records, every readable file from the\n"
	    "records, the chain links, the range files when included, and the signature (against\n"
	    "--key when given: a key you trust, rather than the one in the bundle). With\n"
	    "--against-db it then compares the bundle's records with the scan's rows in the\n"
	    "database and names every row and column that differs.\n\n"
	    "verify --db-chain walks the chain in the database: links in order with none\n"
	    "missing, each link from the one before, signatures, and the digest of every scan (or\n"
	    "of scan ID and the links up to it) recomputed from its rows.\n\n"
	    "Exit: 0 verified or exported; 1 something does not match (the first mismatch is\n"
	    "named, every one is listed); 2 bad usage or no such scan; 3 the database or the\n"
	    "bundle could not be read or written.\n");
}

/* A scan id given on the command line; 0 when it is not one. */
static long long scan_id(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	return *s && *end == '\0' && v > 0 ? v : 0;
}

static int export_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"scan", required_argument, NULL, 's'},
	    {"out", required_argument, NULL, 'o'},
	    {"since", required_argument, NULL, 'S'},
	    {"snapshots", required_argument, NULL, 'n'},
	    {"db", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct evidence_export opt;
	const char *db = NULL;
	struct store *st = NULL;
	struct rerr err;
	int ch;

	memset(&opt, 0, sizeof(opt));
	rerr_clear(&err);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
		case 'S': {
			long long v = scan_id(optarg);
			if (v <= 0)
				return cli_usage_error("evidence", "--%s takes a scan id",
						       ch == 's' ? "scan" : "since");
			*(ch == 's' ? &opt.scan : &opt.since) = v;
			break;
		}
		case 'o':
			opt.dir = optarg;
			break;
		case 'n':
			if (strcmp(optarg, "full") == 0)
				opt.full_snapshots = true;
			else if (strcmp(optarg, "hashes") != 0)
				return cli_usage_error("evidence",
						       "--snapshots must be hashes or full");
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_COMPLIANT;
		default:
			return cli_usage_error("evidence", "bad option");
		}
	}
	if (opt.scan == 0 || opt.dir == NULL || optind != argc)
		return cli_usage_error("evidence", "export needs --scan ID and --out DIR");
	if (store_open(db, &st, &err) != R_OK) {
		rerr_log(&err);
		return EXIT_INCOMPLETE;
	}
	struct chain_link *links = NULL;
	struct export_source *sources = NULL;
	size_t nlinks = 0, nsources = 0;
	enum rstatus rc = store_evidence_chain_range(st, opt.since ? opt.since : opt.scan, opt.scan,
						     &links, &nlinks, &err);
	if (rc == R_OK && opt.full_snapshots)
		rc = store_evidence_sources(st, opt.scan, &sources, &nsources, &err);
	if (rc == R_OK)
		rc = evidence_export(&opt, links, nlinks, store_evidence_source, st, sources,
				     nsources, &err);
	chain_links_free(links, nlinks);
	export_sources_free(sources, nsources);
	store_close(st);
	if (rc != R_OK) {
		rerr_log(&err);
		return rc == R_EINPUT	? EXIT_VIOLATION
		       : rc == R_EUSAGE ? EXIT_BADINPUT
					: EXIT_INCOMPLETE;
	}
	log_info("scan %lld exported to %s", opt.scan, opt.dir);
	return EXIT_COMPLIANT;
}

/*
 * The chain in the database up to scan upto (0: all of it), with the digest of
 * every scan recomputed from its rows when upto is 0, else only upto's.
 */
static enum rstatus verify_db_chain(struct store *st, long long upto, struct rerr *err)
{
	struct chain_link *links = NULL;
	long long *unlinked = NULL;
	size_t nlinks = 0, nunlinked = 0;
	enum rstatus rc;

	if ((rc = store_evidence_chain(st, &links, &nlinks, err)) == R_OK &&
	    (rc = store_evidence_unlinked(st, &unlinked, &nunlinked, err)) == R_OK)
		rc = chain_verify(links, nlinks, unlinked, nunlinked, upto, upto == 0,
				  store_evidence_source, st, stdout, err);
	chain_links_free(links, nlinks);
	free(unlinked);
	return rc;
}

static int verify_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"key", required_argument, NULL, 'k'},
	    {"db-chain", no_argument, NULL, 'c'},
	    {"scan", required_argument, NULL, 's'},
	    {"db", required_argument, NULL, 'd'},
	    {"against-db", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *key = NULL, *db = NULL;
	bool chain = false, against = false;
	long long scan = 0;
	struct rerr err;
	enum rstatus rc;
	int ch;

	rerr_clear(&err);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			key = optarg;
			break;
		case 'c':
			chain = true;
			break;
		case 'a':
			against = true;
			break;
		case 's':
			if ((scan = scan_id(optarg)) <= 0)
				return cli_usage_error("evidence", "--scan takes a scan id");
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_COMPLIANT;
		default:
			return cli_usage_error("evidence", "bad option");
		}
	}
	if (chain) {
		struct store *st = NULL;
		if (optind != argc || key)
			return cli_usage_error("evidence",
					       "verify --db-chain takes no bundle and no --key");
		if (store_open(db, &st, &err) != R_OK) {
			rerr_log(&err);
			return EXIT_INCOMPLETE;
		}
		rc = verify_db_chain(st, scan, &err);
		store_close(st);
	} else {
		if (optind + 1 != argc || scan || (db && !against))
			return cli_usage_error("evidence",
					       "verify takes one BUNDLE folder (or --db-chain)");
		rc = evidence_verify_bundle(argv[optind], key, stdout, &err);
		if (rc == R_OK && against) {
			struct store *st = NULL;
			if (store_open(db, &st, &err) != R_OK) {
				rerr_log(&err);
				return EXIT_INCOMPLETE;
			}
			rc =
			    evidence_compare(argv[optind], store_evidence_source, st, stdout, &err);
			store_close(st);
		}
	}
	if (rc != R_OK) {
		rerr_log(&err);
		return rc == R_EINPUT ? EXIT_VIOLATION : EXIT_INCOMPLETE;
	}
	return EXIT_COMPLIANT;
}

int cmd_evidence(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_BADINPUT : EXIT_COMPLIANT;
	}
	if (strcmp(argv[1], "export") == 0)
		return export_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "verify") == 0)
		return verify_cmd(argc - 1, argv + 1);
	return cli_usage_error("evidence", "unknown subcommand \"%s\" (export, verify)", argv[1]);
}
