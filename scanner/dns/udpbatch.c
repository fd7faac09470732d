/*
 * udpbatch: c-ares socket functions that batch UDP datagrams (udpbatch.h).
 */
#define _GNU_SOURCE /* sendmmsg, recvmmsg */
#include "dns/udpbatch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define UDPBATCH_OUTSIZE 512 /* a question c-ares sends over UDP (no EDNS) */
#define UDPBATCH_INSIZE 4096 /* an answer; longer ones are cut as recvfrom would */

struct usock {
	ares_socket_t fd;
	int err; /* from a send, given to c-ares at its next read */
	int nout;
	size_t outlen[UDPBATCH_MAX];
	unsigned char out[UDPBATCH_MAX][UDPBATCH_OUTSIZE];
	int nin, nextin; /* datagrams read, and the next one to hand out */
	struct mmsghdr inmsg[UDPBATCH_MAX];
	struct iovec iniov[UDPBATCH_MAX];
	struct sockaddr_storage infrom[UDPBATCH_MAX];
	unsigned char in[UDPBATCH_MAX][UDPBATCH_INSIZE];
};

struct udpbatch {
	struct usock **socks; /* UDP sockets open; TCP ones are not tracked */
	size_t n, cap;
};

struct udpbatch *udpbatch_new(void)
{
	return calloc(1, sizeof(struct udpbatch));
}

void udpbatch_free(struct udpbatch *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n; i++)
		free(b->socks[i]);
	free(b->socks);
	free(b);
}

static struct usock *find(struct udpbatch *b, ares_socket_t fd)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->socks[i]->fd == fd)
			return b->socks[i];
	return NULL;
}

static ares_socket_t b_socket(int domain, int type, int protocol, void *arg)
{
	struct udpbatch *b = arg;
	ares_socket_t fd = socket(domain, type, protocol);

	if (fd < 0 || type != SOCK_DGRAM)
		return fd;
	struct usock *s = calloc(1, sizeof(*s));
	if (s != NULL && b->n == b->cap) {
		size_t ncap = b->cap ? 2 * b->cap : 4;
		struct usock **v = realloc(b->socks, ncap * sizeof(*v));
		if (v == NULL) {
			free(s);
			s = NULL;
		} else {
			b->socks = v;
			b->cap = ncap;
		}
	}
	if (s == NULL) {
		close(fd);
		errno = ENOMEM;
		return ARES_SOCKET_BAD;
	}
	s->fd = fd;
	b->socks[b->n++] = s;
	return fd;
}

static int b_close(ares_socket_t fd, void *arg)
{
	struct udpbatch *b = arg;

	for (size_t i = 0; i < b->n; i++)
		if (b->socks[i]->fd == fd) {
			free(b->socks[i]);
			b->socks[i] = b->socks[--b->n];
			break;
		}
	return close(fd);
}

static int b_connect(ares_socket_t fd, const struct sockaddr *sa, ares_socklen_t len, void *arg)
{
	(void)arg;
	return connect(fd, sa, len);
}

/* Sends what s has queued. A datagram the kernel refuses is dropped (lost, as
 * on a network); the first error is kept for c-ares's next read. */
static void flush_one(struct usock *s)
{
	struct mmsghdr msg[UDPBATCH_MAX];
	struct iovec iov[UDPBATCH_MAX];
	int i = 0;

	memset(msg, 0, sizeof(msg));
	for (int k = 0; k < s->nout; k++) {
		iov[k].iov_base = s->out[k];
		iov[k].iov_len = s->outlen[k];
		msg[k].msg_hdr.msg_iov = &iov[k];
		msg[k].msg_hdr.msg_iovlen = 1;
	}
	while (i < s->nout) {
		int r = sendmmsg(s->fd, msg + i, (unsigned)(s->nout - i), 0);
		if (r > 0) {
			i += r;
		} else if (r < 0 && errno == EINTR) {
			continue;
		} else {
			if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS &&
			    s->err == 0)
				s->err = errno;
			i++;
		}
	}
	s->nout = 0;
}

static ares_ssize_t b_sendv(ares_socket_t fd, const struct iovec *iov, int n, void *arg)
{
	struct udpbatch *b = arg;
	struct usock *s = find(b, fd);
	size_t total = 0;

	if (s == NULL)
		return writev(fd, iov, n);
	for (int k = 0; k < n; k++)
		total += iov[k].iov_len;
	if (total > UDPBATCH_OUTSIZE) {
		flush_one(s); /* keeps the order of datagrams */
		return writev(fd, iov, n);
	}
	if (s->nout == UDPBATCH_MAX)
		flush_one(s);
	unsigned char *p = s->out[s->nout];
	for (int k = 0; k < n; k++) {
		memcpy(p, iov[k].iov_base, iov[k].iov_len);
		p += iov[k].iov_len;
	}
	s->outlen[s->nout++] = total;
	return (ares_ssize_t)total;
}

static ares_ssize_t b_recvfrom(ares_socket_t fd, void *buf, size_t len, int flags,
			       struct sockaddr *from, ares_socklen_t *fromlen, void *arg)
{
	struct udpbatch *b = arg;
	struct usock *s = find(b, fd);

	if (s == NULL)
		return recvfrom(fd, buf, len, flags, from, fromlen);
	if (s->err) {
		errno = s->err;
		s->err = 0;
		return -1;
	}
	if (s->nextin >= s->nin) {
		s->nin = s->nextin = 0;
		for (int k = 0; k < UDPBATCH_MAX; k++) {
			s->iniov[k].iov_base = s->in[k];
			s->iniov[k].iov_len = UDPBATCH_INSIZE;
			memset(&s->inmsg[k], 0, sizeof(s->inmsg[k]));
			s->inmsg[k].msg_hdr.msg_iov = &s->iniov[k];
			s->inmsg[k].msg_hdr.msg_iovlen = 1;
			s->inmsg[k].msg_hdr.msg_name = &s->infrom[k];
			s->inmsg[k].msg_hdr.msg_namelen = sizeof(s->infrom[k]);
		}
		int r = recvmmsg(fd, s->inmsg, UDPBATCH_MAX, MSG_DONTWAIT, NULL);
		if (r <= 0)
			return r;
		s->nin = r;
	}
	struct mmsghdr *m = &s->inmsg[s->nextin];
	size_t n = m->msg_len < len ? m->msg_len : len;
	memcpy(buf, s->in[s->nextin], n);
	if (from && fromlen) {
		ares_socklen_t k = m->msg_hdr.msg_namelen;
		memcpy(from, &s->infrom[s->nextin], k < *fromlen ? k : *fromlen);
		*fromlen = k;
	}
	s->nextin++;
	return (ares_ssize_t)n;
}

void udpbatch_install(struct udpbatch *b, ares_channel ch)
{
	static const struct ares_socket_functions funcs = {
	    b_socket, b_close, b_connect, b_recvfrom, b_sendv,
	};
	ares_set_socket_functions(ch, &funcs, b);
}

void udpbatch_flush(struct udpbatch *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->socks[i]->nout)
			flush_one(b->socks[i]);
}

bool udpbatch_ready(const struct udpbatch *b, fd_set *rd, int *nfds)
{
	bool any = false;

	for (size_t i = 0; i < b->n; i++) {
		const struct usock *s = b->socks[i];
		if (s->nextin >= s->nin && s->err == 0)
			continue;
		any = true;
		if (rd && s->fd < FD_SETSIZE) {
			FD_SET(s->fd, rd);
			if (s->fd + 1 > *nfds)
				*nfds = s->fd + 1;
		}
	}
	return any;
}
