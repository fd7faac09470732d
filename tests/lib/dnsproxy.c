/*
 * dnsproxy: see dnsproxy.h. Replies are matched to clients by the DNS id,
 * which is forwarded unchanged.
 */
#include "lib/dnsproxy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t child = -1;

/* The question's name (lower case, no trailing dot) and type; false when unreadable. */
static bool question(const unsigned char *m, size_t n, char *name, size_t size, int *qtype,
		     size_t *end)
{
	size_t at = 12, out = 0;
	if (n < 12)
		return false;
	while (at < n && m[at] != 0) {
		size_t len = m[at++];
		if (len > 63 || at + len > n || out + len + 2 > size)
			return false;
		if (out)
			name[out++] = '.';
		for (size_t i = 0; i < len; i++)
			name[out++] = (char)tolower(m[at + i]);
		at += len;
	}
	if (at + 5 > n)
		return false;
	name[out] = '\0';
	*qtype = m[at + 1] << 8 | m[at + 2];
	*end = at + 5;
	return true;
}

static void serve(int front, int back, const struct sockaddr_in *up, const char *name, int qtype,
		  enum dnsproxy_fault fault)
{
	static struct sockaddr_in clients[65536];
	unsigned char m[65536];
	struct pollfd fds[2] = {{.fd = front, .events = POLLIN}, {.fd = back, .events = POLLIN}};

	for (;;) {
		if (poll(fds, 2, -1) < 0)
			continue;
		if (fds[0].revents & POLLIN) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(front, m, sizeof(m), 0, (struct sockaddr *)&from, &fl);
			char q[300];
			int t;
			size_t end;
			if (n < 12)
				continue;
			if (question(m, (size_t)n, q, sizeof(q), &t, &end) && t == qtype &&
			    strcasecmp(q, name) == 0) {
				if (fault == DNSPROXY_DROP)
					continue;
				m[2] |= 0x80;		  /* a response */
				m[3] = (m[3] & 0xf0) | 2; /* SERVFAIL */
				memset(m + 6, 0, 6);	  /* the question alone */
				sendto(front, m, end, 0, (struct sockaddr *)&from, fl);
				continue;
			}
			clients[m[0] << 8 | m[1]] = from;
			sendto(back, m, (size_t)n, 0, (const struct sockaddr *)up, sizeof(*up));
		}
		if (fds[1].revents & POLLIN) {
			ssize_t n = recv(back, m, sizeof(m), 0);
			if (n < 12)
				continue;
			struct sockaddr_in *to = &clients[m[0] << 8 | m[1]];
			sendto(front, m, (size_t)n, 0, (struct sockaddr *)to, sizeof(*to));
		}
	}
}

int dnsproxy_start(int upstream_port, const char *name, int qtype, enum dnsproxy_fault fault)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in up = sa;
	socklen_t len = sizeof(sa);
	int front = socket(AF_INET, SOCK_DGRAM, 0), back = socket(AF_INET, SOCK_DGRAM, 0);

	if (front < 0 || back < 0 || bind(front, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(front, (struct sockaddr *)&sa, &len) != 0)
		return -1;
	up.sin_port = htons((uint16_t)upstream_port);
	if ((child = fork()) < 0)
		return -1;
	if (child == 0) {
		serve(front, back, &up, name, qtype, fault);
		_exit(0);
	}
	close(front);
	close(back);
	return ntohs(sa.sin_port);
}

void dnsproxy_stop(void)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	child = -1;
}
