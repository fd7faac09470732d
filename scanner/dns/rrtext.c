/*
 * rrtext: names and common records as text, the way ldns writes them (rrtext.h).
 */
#include "dns/rrtext.h"

#include <arpa/inet.h>
#include <string.h>

bool rrtext_name(const uint8_t *wire, size_t len, char *out, size_t size)
{
	size_t pos = 0, o = 0;

	if (len == 0 || len > LDNS_MAX_DOMAINLEN || size < 2)
		return false;
	if (len == 1) {
		if (wire[0] != 0)
			return false;
		out[0] = '.';
		out[1] = '\0';
		return true;
	}
	while (pos < len && wire[pos] != 0) {
		size_t n = wire[pos++];
		if (n > 63 || pos + n >= len) /* a label, then at least the root */
			return false;
		if (o + 4 * n + 2 > size)
			return false;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = wire[pos + i];
			if (c == '.' || c == ';' || c == '(' || c == ')' || c == '\\') {
				out[o++] = '\\';
				out[o++] = (char)c;
			} else if (c <= ' ' || c >= 0x7f) {
				out[o++] = '\\';
				out[o++] = (char)('0' + c / 100);
				out[o++] = (char)('0' + c / 10 % 10);
				out[o++] = (char)('0' + c % 10);
			} else {
				out[o++] = (char)c;
			}
		}
		pos += n;
		out[o++] = '.';
	}
	if (pos != len - 1) /* the root label ends the name, and nothing follows */
		return false;
	out[o] = '\0';
	return true;
}

/* Appends s (n bytes); false when it does not fit with a NUL after it. */
static bool put(char *out, size_t size, size_t *o, const char *s, size_t n)
{
	if (*o + n + 1 > size)
		return false;
	memcpy(out + *o, s, n);
	*o += n;
	out[*o] = '\0';
	return true;
}

static bool put_name(char *out, size_t size, size_t *o, const ldns_rdf *rdf)
{
	char name[RRTEXT_NAME_MAX];
	if (rdf == NULL || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME ||
	    !rrtext_name(ldns_rdf_data(rdf), ldns_rdf_size(rdf), name, sizeof(name)))
		return false;
	return put(out, size, o, name, strlen(name));
}

static bool put_uint(char *out, size_t size, size_t *o, unsigned long v)
{
	char num[24];
	size_t k = sizeof(num);
	do
		num[--k] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	return put(out, size, o, num + k, sizeof(num) - k);
}

bool rrtext_record(const ldns_rr *rr, char *out, size_t size, size_t *outlen)
{
	const ldns_rr_type t = ldns_rr_get_type(rr);
	const ldns_rdf *d0 = ldns_rr_rdf(rr, 0);
	const char *tname;
	size_t o = 0;

	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN || d0 == NULL)
		return false;
	switch (t) {
	case LDNS_RR_TYPE_A:
		tname = "A";
		break;
	case LDNS_RR_TYPE_AAAA:
		tname = "AAAA";
		break;
	case LDNS_RR_TYPE_CNAME:
		tname = "CNAME";
		break;
	case LDNS_RR_TYPE_NS:
		tname = "NS";
		break;
	case LDNS_RR_TYPE_MX:
		tname = "MX";
		break;
	default:
		return false;
	}
	if (!put_name(out, size, &o, ldns_rr_owner(rr)) || !put(out, size, &o, "\t", 1) ||
	    !put_uint(out, size, &o, ldns_rr_ttl(rr)) || !put(out, size, &o, "\tIN\t", 4) ||
	    !put(out, size, &o, tname, strlen(tname)) || !put(out, size, &o, "\t", 1))
		return false;
	if (t == LDNS_RR_TYPE_A) {
		/* Four numbers, as inet_ntop writes them (without its sprintf). */
		const uint8_t *a = ldns_rdf_data(d0);
		if (ldns_rr_rd_count(rr) != 1 || ldns_rdf_get_type(d0) != LDNS_RDF_TYPE_A ||
		    ldns_rdf_size(d0) != 4)
			return false;
		for (int k = 0; k < 4; k++)
			if ((k && !put(out, size, &o, ".", 1)) || !put_uint(out, size, &o, a[k]))
				return false;
	} else if (t == LDNS_RR_TYPE_AAAA) {
		char a[INET6_ADDRSTRLEN];
		if (ldns_rr_rd_count(rr) != 1 || ldns_rdf_get_type(d0) != LDNS_RDF_TYPE_AAAA ||
		    ldns_rdf_size(d0) != 16 ||
		    inet_ntop(AF_INET6, ldns_rdf_data(d0), a, sizeof(a)) == NULL ||
		    !put(out, size, &o, a, strlen(a)))
			return false;
	} else if (t == LDNS_RR_TYPE_MX) {
		const ldns_rdf *d1 = ldns_rr_rdf(rr, 1);
		if (ldns_rr_rd_count(rr) != 2 || ldns_rdf_get_type(d0) != LDNS_RDF_TYPE_INT16 ||
		    ldns_rdf_size(d0) != 2 || !put_uint(out, size, &o, ldns_rdf2native_int16(d0)) ||
		    !put(out, size, &o, " ", 1) || !put_name(out, size, &o, d1))
			return false;
	} else if (ldns_rr_rd_count(rr) != 1 || !put_name(out, size, &o, d0)) {
		return false;
	}
	*outlen = o;
	return true;
}
