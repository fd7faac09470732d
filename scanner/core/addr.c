/*
 * addr: IP addresses and prefixes in binary form.
 */
#include "core/addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void addr_from_bytes(struct addr *out, const void *bytes, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (len == 4) {
		out->family = 4;
		memcpy(out->b, bytes, 4);
	} else if (len == 16) {
		if (memcmp(bytes, v4mapped, 12) == 0) {
			out->family = 4;
			out->mapped = true;
			memcpy(out->b, (const uint8_t *)bytes + 12, 4);
		} else {
			out->family = 6;
			memcpy(out->b, bytes, 16);
		}
	}
}

bool addr_parse(const char *s, struct addr *out)
{
	uint8_t buf[16];

	if (inet_pton(AF_INET, s, buf) == 1) {
		addr_from_bytes(out, buf, 4);
		return true;
	}
	if (inet_pton(AF_INET6, s, buf) == 1) {
		addr_from_bytes(out, buf, 16);
		return true;
	}
	memset(out, 0, sizeof(*out));
	return false;
}

const char *addr_format(const struct addr *a, char *buf, size_t len)
{
	if (a->family == 4) {
		if (inet_ntop(AF_INET, a->b, buf, (socklen_t)len) == NULL)
			snprintf(buf, len, "?");
	} else if (a->family == 6) {
		if (inet_ntop(AF_INET6, a->b, buf, (socklen_t)len) == NULL)
			snprintf(buf, len, "?");
	} else {
		snprintf(buf, len, "-");
	}
	return buf;
}

int addr_cmp(const struct addr *a, const struct addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->b, b->b, a->family == 4 ? 4 : 16);
}

static void clear_host_bits(struct addr *a, unsigned len, bool *had)
{
	unsigned total = a->family == 4 ? 32 : 128;

	for (unsigned bit = len; bit < total; bit++) {
		uint8_t mask = (uint8_t)(0x80u >> (bit % 8));
		if (a->b[bit / 8] & mask) {
			*had = true;
			a->b[bit / 8] &= (uint8_t)~mask;
		}
	}
}

bool prefix_parse(const char *s, struct prefix *out, bool *had_host_bits)
{
	char text[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long len;
	bool had = false;

	memset(out, 0, sizeof(*out));
	if (alen == 0 || alen >= sizeof(text))
		return false;
	memcpy(text, s, alen);
	text[alen] = '\0';

	uint8_t raw[16];
	bool v6;
	if (inet_pton(AF_INET, text, raw) == 1)
		v6 = false;
	else if (inet_pton(AF_INET6, text, raw) == 1)
		v6 = true;
	else
		return false;

	unsigned max = v6 ? 128 : 32;
	if (slash) {
		const char *d = slash + 1;
		char *end;
		if (*d < '0' || *d > '9' || strlen(d) > 3)
			return false;
		len = strtoul(d, &end, 10);
		if (*end != '\0' || len > max)
			return false;
	} else {
		len = max;
	}

	if (v6 && memcmp(raw, v4mapped, 12) == 0 && len >= 96) {
		addr_from_bytes(&out->addr, raw, 16);
		len -= 96;
	} else if (v6) {
		out->addr.family = 6;
		memcpy(out->addr.b, raw, 16);
	} else {
		out->addr.family = 4;
		memcpy(out->addr.b, raw, 4);
	}
	out->len = (uint8_t)len;
	clear_host_bits(&out->addr, out->len, &had);
	if (had_host_bits)
		*had_host_bits = had;
	return true;
}

const char *prefix_format(const struct prefix *p, char *buf, size_t len)
{
	char a[ADDR_STRLEN];

	snprintf(buf, len, "%s/%u", addr_format(&p->addr, a, sizeof(a)), p->len);
	return buf;
}

bool prefix_contains(const struct prefix *p, const struct addr *a)
{
	if (p->addr.family != a->family)
		return false;
	unsigned full = p->len / 8, rest = p->len % 8;
	if (memcmp(p->addr.b, a->b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xffu << (8 - rest));
	return (p->addr.b[full] & mask) == (a->b[full] & mask);
}
