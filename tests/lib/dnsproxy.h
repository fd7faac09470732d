/*
 * dnsproxy: a UDP forwarder on 127.0.0.1 in front of a real DNS server (the
 * tests' NSD) that fails one question on purpose: every question for one name
 * and type is dropped (the client times out) or answered SERVFAIL; all else is
 * forwarded unchanged. A child process; dnsproxy_stop() ends it.
 */
#ifndef RESIDENCY_TEST_DNSPROXY_H
#define RESIDENCY_TEST_DNSPROXY_H

enum dnsproxy_fault { DNSPROXY_DROP, DNSPROXY_SERVFAIL };

/* name without the trailing dot ("app.example.test"); qtype 1 (A), 28 (AAAA), ...
 * Returns the proxy's port, or -1. One proxy at a time. */
int dnsproxy_start(int upstream_port, const char *name, int qtype, enum dnsproxy_fault fault);
void dnsproxy_stop(void);

#endif
