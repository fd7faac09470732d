/*
 * nsd: a real authoritative DNS server (NSD from Debian) for the tests, on
 * 127.0.0.1 and a free port, serving the zone files given; always stopped by
 * nsd_stop() (call it from the fixture's teardown).
 */
#ifndef RESIDENCY_TEST_NSD_H
#define RESIDENCY_TEST_NSD_H

/* zones: "NAME=/abs/path/to/file" each, with ",xfr" at the end to allow AXFR from
 * 127.0.0.1. Returns the port, or -1. */
int nsd_start(const char *const *zones, int n);
/* The same in network namespace netns (NULL: this one), on addr and port. */
int nsd_start_in(const char *netns, const char *addr, int port, const char *const *zones, int n);
void nsd_stop(void);
/* A UDP port that is bound and never read: questions sent there time out. */
int nsd_black_hole(void);

#endif
