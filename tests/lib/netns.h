/*
 * netns: several hosts on one machine, for the tests of workers that talk over
 * a network (root only). netns_new() makes one server namespace holding a
 * bridge at 10.231.0.1/24 and N client namespaces, client i (from 0) at
 * 10.231.0.(10 + i) on a veth pair to the bridge. Nothing is routed to or from
 * the machine's own namespace: every packet stays inside these namespaces.
 *
 * Names carry the caller's pid, so two runs never collide. Everything is undone
 * when the calling process and every child it forked have ended, however they
 * end (failure, SIGINT, SIGKILL, a Check timeout): a guardian process, out of
 * the terminal's process group, waits for that, then runs the commands given to
 * netns_on_exit() (last first), kills what still runs in the namespaces and
 * deletes them. netns_done() does the same at once, and waits for it.
 */
#ifndef RESIDENCY_TEST_NETNS_H
#define RESIDENCY_TEST_NETNS_H

#include <stdbool.h>

#define NETNS_MAX_CLIENTS 8
#define NETNS_SERVER_ADDR "10.231.0.1"

struct netns_hosts {
	char server[64];
	char client[NETNS_MAX_CLIENTS][64];
	char client_addr[NETNS_MAX_CLIENTS][16];
	int nclients;
};

/* Whether this process may create network namespaces (it runs as root). */
bool netns_possible(void);
/* Creates the namespaces; 0 on success, else -1 with why on stderr (what was
 * made is still undone at exit). Call once per process. */
int netns_new(int nclients, struct netns_hosts *h);
/* A shell command (under 4000 bytes) to run at the end, before the namespaces go. */
void netns_on_exit(const char *cmd);
/* Undoes everything now and waits until it is done. */
void netns_done(void);
/* A UDP socket bound to addr in namespace ns that is never read (questions sent
 * there time out); returns its port, or -1. It lives until this process ends. */
int netns_black_hole(const char *ns, const char *addr);

#endif
