/*
 * special: the IANA special-purpose address blocks (private use, documentation,
 * loopback, ULA, multicast, ...; policies/special-purpose.csv), and the IPv6
 * forms that embed an IPv4 address (IPv4-mapped, the NAT64 well-known prefix,
 * 6to4). attrib/ asks here before any range or GeoIP lookup: a special-purpose
 * address has no country and no provider, whatever a database says of it.
 * Knows nothing of providers, GeoIP or policies.
 */
#ifndef RESIDENCY_SPECIAL_H
#define RESIDENCY_SPECIAL_H

#include "core/addr.h"
#include "core/rerr.h"

#include <stdbool.h>

#define SPECIAL_MAX_ROWS 1024		/* rows of the table; more is an error at the row */
#define SPECIAL_MAX_BYTES (256u * 1024) /* size of the file; more is an error */

struct special;

struct special_row {
	struct prefix prefix;
	char name[64];	   /* the registry's name, "Private-Use" */
	char rfc[64];	   /* "RFC 1918" */
	char registry[32]; /* "iana-ipv4-special-registry" */
	/* IANA's "Globally Reachable": an anycast or global service (AMT, AS112,
	 * PCP anycast, ...), reachable from anywhere and placed nowhere. */
	bool global;
};

/*
 * Loads the table (path NULL: policies/special-purpose.csv under
 * paths_datadir()). Lines: prefix,name,rfc,registry; '#' starts a comment
 * line. A bad row is an error naming file:line. Caller frees with
 * special_free().
 */
enum rstatus special_load(const char *path, struct special **out, struct rerr *err);
/* Safe to call with NULL. */
void special_free(struct special *s);
/* The most specific row holding a, or NULL (also when s is NULL). Cheap for
 * addresses whose first byte begins no row. */
const struct special_row *special_find(const struct special *s, const struct addr *a);
/* The table's file as read (for evidence); NULL when s is NULL. */
const char *special_text(const struct special *s);
/* Number of rows (for tests). */
size_t special_rows(const struct special *s);

/*
 * The IPv4 address an address embeds, by the fixed rules of RFC 4291
 * (::ffff:0:0/96, and addresses parsed as IPv4 with `mapped` set), RFC 6052
 * (64:ff9b::/96), RFC 3056 (6to4, 2002::/16: bits 16..47) and RFC 4380
 * (Teredo, 2001::/32: the client's public IPv4, bits 96..127 inverted, where
 * its data goes). Fills v4 and returns the registry's name of the form
 * ("IPv4-mapped Address", "IPv4-IPv6 Translat.", "6to4", "TEREDO"), or NULL
 * when a embeds nothing.
 */
const char *special_embedded(const struct addr *a, struct addr *v4);

#endif
