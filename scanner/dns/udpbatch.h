/*
 * udpbatch: socket functions for c-ares that move UDP datagrams in batches.
 *
 * c-ares sends each question with its own send(2) and reads each answer with
 * its own recvfrom(2); at tens of thousands of questions a second on loopback
 * the system calls cost more than c-ares itself. Installed on a channel, these
 * functions keep c-ares in charge of everything (ids, retries, timeouts,
 * servers, TCP) and only change how datagrams cross the kernel: a question
 * c-ares sends is queued and goes out with the others in one sendmmsg(2) at
 * udpbatch_flush(); reads take up to UDPBATCH_MAX datagrams in one recvmmsg(2)
 * and hand them to c-ares one by one. TCP sockets pass straight through.
 *
 * An error sendmmsg(2) reports for a socket (ECONNREFUSED from an earlier
 * ICMP) is kept and given to c-ares at its next read of that socket, as a
 * plain socket would have; a datagram the kernel would not take is lost, as
 * on any network, and c-ares asks again after its timeout.
 */
#ifndef RESIDENCY_UDPBATCH_H
#define RESIDENCY_UDPBATCH_H

#include <ares.h>
#include <stdbool.h>
#include <sys/select.h>

#define UDPBATCH_MAX 64 /* datagrams per sendmmsg / recvmmsg */

struct udpbatch;

/* NULL when out of memory. Free with udpbatch_free() after ares_destroy(). */
struct udpbatch *udpbatch_new(void);
void udpbatch_free(struct udpbatch *b);
/* Makes the channel's sockets go through b (before the channel opens any). */
void udpbatch_install(struct udpbatch *b, ares_channel ch);
/* Sends every queued datagram. */
void udpbatch_flush(struct udpbatch *b);
/*
 * Sockets with something c-ares has not read yet (datagrams already taken from
 * the kernel, or an error kept from a send) are added to rd, and *nfds raised
 * to cover them; true when there is any (the caller should not sleep).
 */
bool udpbatch_ready(const struct udpbatch *b, fd_set *rd, int *nfds);

#endif
