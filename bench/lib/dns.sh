# Sourced by bench/*.sh. bench_dns DIR N: the benchmark's DNS estate (bench/lib/zones.py)
# served by NSD on a free loopback port, rate limiting off. Sets $port and $nsd_pid;
# the caller kills $nsd_pid on exit.
bench_dns() {
	local tmp=$1 N=$2
	port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	python3 bench/lib/zones.py "$tmp" "$N"
	{
		printf 'server:\n  ip-address: 127.0.0.1@%s\n  port: %s\n  username: ""\n  chroot: ""\n' "$port" "$port"
		printf '  zonesdir: "%s"\n  pidfile: "%s/nsd.pid"\n  xfrdfile: "%s/xfrd.state"\n' "$tmp" "$tmp" "$tmp"
		printf '  zonelistfile: "%s/zone.list"\n  database: ""\n  logfile: "%s/nsd.log"\n' "$tmp" "$tmp"
		printf '  server-count: 1\n  rrl-ratelimit: 0\n  verbosity: 0\n'
		printf 'remote-control:\n  control-enable: no\n'
		cat "$tmp/nsd.conf"
	} >"$tmp/nsd.full.conf"
	nsd -d -c "$tmp/nsd.full.conf" &
	nsd_pid=$!
	for _ in $(seq 100); do
		drill -p "$port" @127.0.0.1 SOA z99.bench 2>/dev/null | grep -q 'rcode: NOERROR' && break
		sleep 0.1
	done
}
