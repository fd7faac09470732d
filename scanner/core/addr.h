/*
 * addr: one IP address in binary form, parsed once from text and passed around
 * as bytes (PERFORMANCE-NOTES: parse text once). IPv4-mapped IPv6 addresses
 * (::ffff:a.b.c.d) become IPv4 with `mapped` set, so every later stage looks
 * them up as IPv4 while output can still show what was seen.
 */
#ifndef RESIDENCY_ADDR_H
#define RESIDENCY_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */

struct addr {
	uint8_t family; /* 4 or 6; 0 for none */
	bool mapped;	/* was written as IPv4-mapped IPv6 */
	uint8_t b[16];	/* network order; IPv4 uses b[0..3] */
};

/* Parses an IPv4 or IPv6 address. Returns false on anything else. */
bool addr_parse(const char *s, struct addr *out);
/* Sets out from raw bytes (4 or 16 of them), unmapping IPv4-mapped IPv6. */
void addr_from_bytes(struct addr *out, const void *bytes, size_t len);
/* Writes the canonical text form (IPv4 for mapped ones) into buf. */
const char *addr_format(const struct addr *a, char *buf, size_t len);
int addr_cmp(const struct addr *a, const struct addr *b);

/* An address prefix such as 52.95.110.0/24 or 2600:1f00::/40. */
struct prefix {
	struct addr addr; /* host bits are zero after prefix_parse */
	uint8_t len;	  /* 0..32 or 0..128 */
};

/*
 * Parses "ADDR/LEN" (a bare address is a host prefix). Host bits set below the
 * length are cleared and *had_host_bits (when not NULL) says so. IPv4-mapped
 * IPv6 prefixes of length >= 96 become IPv4 prefixes.
 */
bool prefix_parse(const char *s, struct prefix *out, bool *had_host_bits);
const char *prefix_format(const struct prefix *p, char *buf, size_t len);
bool prefix_contains(const struct prefix *p, const struct addr *a);

#endif
