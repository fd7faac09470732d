/*
 * nsd: start and stop NSD for the tests (see nsd.h).
 */
#include "lib/nsd.h"
#include "lib/testutil.h"

#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t nsd_pid = -1;
static int hole = -1;

static int free_port(int type)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, type, 0), port = -1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

int nsd_start(const char *const *zones, int n)
{
	return nsd_start_in(NULL, "127.0.0.1", free_port(SOCK_DGRAM), zones, n);
}

int nsd_start_in(const char *netns, const char *addr, int port, const char *const *zones, int n)
{
	char *dir = port > 0 ? tu_tmpdir() : NULL, conf[4200], cmd[8192], in[128] = "";

	if (dir == NULL)
		return -1;
	if (netns)
		snprintf(in, sizeof(in), "ip netns exec '%s' ", netns);
	snprintf(conf, sizeof(conf), "%s/nsd.conf", dir);
	FILE *f = fopen(conf, "w");
	if (f == NULL)
		return -1;
	fprintf(f,
		"server:\n  ip-address: %s@%d\n  port: %d\n  username: \"\"\n  chroot: \"\"\n"
		"  zonesdir: \"%s\"\n  pidfile: \"%s/nsd.pid\"\n  xfrdfile: \"%s/xfrd.state\"\n"
		"  zonelistfile: \"%s/zone.list\"\n  database: \"\"\n  logfile: \"%s/nsd.log\"\n"
		"  verbosity: 1\n  server-count: 1\n  rrl-ratelimit: 0\n  hide-version: yes\n"
		"remote-control:\n  control-enable: no\n",
		addr, port, port, dir, dir, dir, dir, dir);
	for (int i = 0; i < n; i++) {
		const char *eq = strchr(zones[i], '='), *xfr = strstr(zones[i], ",xfr");
		int flen = xfr ? (int)(xfr - eq - 1) : (int)strlen(eq + 1);
		fprintf(f, "zone:\n  name: \"%.*s\"\n  zonefile: \"%.*s\"\n", (int)(eq - zones[i]),
			zones[i], flen, eq + 1);
		if (xfr)
			fprintf(f, "  provide-xfr: 127.0.0.1 NOKEY\n");
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "nsd-checkconf '%s' >/dev/null 2>&1", conf);
	if (system(cmd) != 0)
		return -1;
	if ((nsd_pid = fork()) == 0) {
		if (netns)
			execlp("ip", "ip", "netns", "exec", netns, "nsd", "-d", "-c", conf,
			       (char *)NULL);
		else
			execlp("nsd", "nsd", "-d", "-c", conf, (char *)NULL);
		_exit(127);
	}
	/* Ready when it answers. */
	for (int i = 0; i < 100; i++) {
		snprintf(cmd, sizeof(cmd), "%sdrill -p %d -Q @%s SOA %.*s >/dev/null 2>&1", in,
			 port, addr, (int)(strchr(zones[0], '=') - zones[0]), zones[0]);
		if (system(cmd) == 0)
			break;
		struct timespec ts = {0, 50000000};
		nanosleep(&ts, NULL);
	}
	free(dir);
	return port;
}

void nsd_stop(void)
{
	if (nsd_pid > 0) {
		kill(nsd_pid, SIGTERM);
		waitpid(nsd_pid, NULL, 0);
		nsd_pid = -1;
	}
	if (hole >= 0) {
		close(hole);
		hole = -1;
	}
}

int nsd_black_hole(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	if ((hole = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(hole, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(hole, (struct sockaddr *)&sa, &len) != 0)
		return -1;
	return ntohs(sa.sin_port);
}
