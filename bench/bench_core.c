/*
 * bench_core: address parsing, the first step of every lookup, against its
 * anchor inet_pton(3) on the same inputs in the same run.
 */
#include "core/addr.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	enum { N = 1000000, ROUNDS = 5 };
	static char text[N][ADDR_STRLEN];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	unsigned long sink = 0;

	for (int i = 0; i < N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		if (i % 4 == 3)
			snprintf(text[i], ADDR_STRLEN, "2600:1f%02x::%x:%x", (unsigned)(x & 0xff),
				 (unsigned)(x >> 8 & 0xffff), (unsigned)(x >> 24 & 0xffff));
		else
			snprintf(text[i], ADDR_STRLEN, "%u.%u.%u.%u", (unsigned)(x & 255),
				 (unsigned)(x >> 8 & 255), (unsigned)(x >> 16 & 255),
				 (unsigned)(x >> 24 & 255));
	}
	double t0 = now();
	for (int r = 0; r < ROUNDS; r++)
		for (int i = 0; i < N; i++) {
			unsigned char b[16];
			if (inet_pton(AF_INET, text[i], b) == 1 ||
			    inet_pton(AF_INET6, text[i], b) == 1)
				sink += b[0];
		}
	double anchor = N * (double)ROUNDS / (now() - t0);
	t0 = now();
	for (int r = 0; r < ROUNDS; r++)
		for (int i = 0; i < N; i++) {
			struct addr a;
			if (addr_parse(text[i], &a))
				sink += a.b[0];
		}
	double ours = N * (double)ROUNDS / (now() - t0);
	printf("| addr_parse (residency) | %.1f M/s |\n| inet_pton (anchor) | %.1f M/s |\n"
	       "| ratio | %.2f |\n",
	       ours / 1e6, anchor / 1e6, ours / anchor);
	return sink == 42 ? 1 : 0;
}
