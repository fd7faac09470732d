/*
 * netns: hosts as network namespaces for the tests (see netns.h).
 */
#define _GNU_SOURCE /* setns */
#include "lib/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int guard_fd = -1;
static pid_t guard_pid = -1;

bool netns_possible(void)
{
	return geteuid() == 0;
}

/* Kills what still runs in namespace ns (all of it started by the test) and deletes it. */
static void remove_ns(const char *ns)
{
	char cmd[256], line[64];

	snprintf(cmd, sizeof(cmd), "/var/run/netns/%s", ns);
	if (access(cmd, F_OK) != 0)
		return; /* never made */
	snprintf(cmd, sizeof(cmd), "ip netns pids '%s' 2>/dev/null", ns);
	FILE *p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		long pid = strtol(line, NULL, 10);
		if (pid > 1 && pid != (long)getpid())
			kill((pid_t)pid, SIGKILL);
	}
	if (p)
		pclose(p);
	snprintf(cmd, sizeof(cmd), "ip netns del '%s' 2>/dev/null", ns);
	if (system(cmd) != 0) {
		/* Still busy for a moment after SIGKILL: once more. */
		sleep(1);
		snprintf(cmd, sizeof(cmd), "ip netns del '%s' >/dev/null 2>&1", ns);
		if (system(cmd) != 0)
			fprintf(stderr, "netns: could not delete namespace %s\n", ns);
	}
}

/* The guardian: reads commands until every writer has gone, then undoes all. */
static void guardian(int rfd, const struct netns_hosts *h)
{
	static char cmds[64 * 1024];
	size_t n = 0;
	ssize_t r;

	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	setsid(); /* out of the terminal's process group: ^C is not for us */
	while ((r = read(rfd, cmds + n, sizeof(cmds) - 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += (size_t)r;
		if (n == sizeof(cmds) - 1) {
			fprintf(stderr, "netns: more than 64 KiB of exit commands\n");
			break;
		}
	}
	cmds[n] = '\0';
	/* Last given, first run. */
	for (char *end = cmds + n; end > cmds;) {
		*end = '\0';
		char *start = end;
		while (start > cmds && start[-1] != '\n')
			start--;
		if (*start && system(start) != 0)
			fprintf(stderr, "netns: at exit: failed: %s\n", start);
		end = start > cmds ? start - 1 : cmds;
	}
	for (int i = 0; i < h->nclients; i++)
		remove_ns(h->client[i]);
	remove_ns(h->server);
	_exit(0);
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0) {
		fprintf(stderr, "netns: failed: %s\n", cmd);
		return -1;
	}
	return 0;
}

int netns_new(int nclients, struct netns_hosts *h)
{
	int fds[2];
	long me = (long)getpid();

	if (nclients < 1 || nclients > NETNS_MAX_CLIENTS || guard_pid > 0)
		return -1;
	memset(h, 0, sizeof(*h));
	h->nclients = nclients;
	snprintf(h->server, sizeof(h->server), "residency-%ld-db", me);
	for (int i = 0; i < nclients; i++) {
		snprintf(h->client[i], sizeof(h->client[i]), "residency-%ld-h%d", me, i);
		snprintf(h->client_addr[i], sizeof(h->client_addr[i]), "10.231.0.%d", 10 + i);
	}
	/* Only this process and its forks write: an exec'd command closes its copy. */
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	fflush(NULL);
	if ((guard_pid = fork()) < 0)
		return -1;
	if (guard_pid == 0) {
		close(fds[1]);
		guardian(fds[0], h);
	}
	close(fds[0]);
	guard_fd = fds[1];

	if (run("ip netns add '%s'", h->server) || run("ip -n '%s' link set lo up", h->server) ||
	    run("ip -n '%s' link add br0 type bridge", h->server) ||
	    run("ip -n '%s' addr add %s/24 dev br0", h->server, NETNS_SERVER_ADDR) ||
	    run("ip -n '%s' link set br0 up", h->server))
		return -1;
	for (int i = 0; i < nclients; i++) {
		const char *c = h->client[i];
		if (run("ip netns add '%s'", c) || run("ip -n '%s' link set lo up", c) ||
		    run("ip -n '%s' link add v%d type veth peer name eth0 netns '%s'", h->server, i,
			c) ||
		    run("ip -n '%s' link set v%d master br0 up", h->server, i) ||
		    run("ip -n '%s' addr add %s/24 dev eth0", c, h->client_addr[i]) ||
		    run("ip -n '%s' link set eth0 up", c))
			return -1;
	}
	return 0;
}

void netns_on_exit(const char *cmd)
{
	char line[4096];
	int n = snprintf(line, sizeof(line), "%s\n", cmd);

	/* One write under PIPE_BUF: whole, whoever else writes. */
	if (guard_fd < 0 || n <= 0 || (size_t)n >= sizeof(line) ||
	    write(guard_fd, line, (size_t)n) != n)
		fprintf(stderr, "netns: could not keep the exit command: %s\n", cmd);
}

void netns_done(void)
{
	if (guard_fd >= 0) {
		close(guard_fd);
		guard_fd = -1;
	}
	if (guard_pid > 0) {
		while (waitpid(guard_pid, NULL, 0) < 0 && errno == EINTR)
			;
		guard_pid = -1;
	}
}

int netns_black_hole(const char *ns, const char *addr)
{
	char path[160];
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), port = -1, s = -1;

	snprintf(path, sizeof(path), "/var/run/netns/%s", ns);
	int there = open(path, O_RDONLY | O_CLOEXEC);
	if (self >= 0 && there >= 0 && setns(there, CLONE_NEWNET) == 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) >= 0 &&
		    inet_pton(AF_INET, addr, &sa.sin_addr) == 1 &&
		    bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		    getsockname(s, (struct sockaddr *)&sa, &len) == 0)
			port = ntohs(sa.sin_port);
		if (setns(self, CLONE_NEWNET) != 0) {
			fprintf(stderr, "netns: cannot come back from %s\n", ns);
			abort();
		}
	}
	if (port < 0 && s >= 0)
		close(s);
	if (self >= 0)
		close(self);
	if (there >= 0)
		close(there);
	return port;
}
