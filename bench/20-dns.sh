#!/usr/bin/env bash
# DNS paths (issue 4): `residency resolve` on 100,000 endpoints against a local
# NSD (rate limiting off), and dnsperf on the same names (A and AAAA each) against
# the same server, in the same run.
set -euo pipefail
tmp=$(mktemp -d)
nsd_pid=
cleanup() {
	[ -n "$nsd_pid" ] && kill "$nsd_pid" 2>/dev/null && wait "$nsd_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
N=${DNS_BENCH_ENDPOINTS:-100000}
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# 100 zones; endpoints: 70% A (a quarter with AAAA too), 20% CNAME chains of 2-3
# hops (across zones), 10% names that do not exist. Each zone has an in-zone name
# server with glue and one in a shared zone.
python3 - "$tmp" "$N" <<'PY'
import sys
tmp, n = sys.argv[1], int(sys.argv[2])
Z = 100
zones = [[] for _ in range(Z)]
names, queries = [], []
for i in range(n):
    k = i % Z
    name = f"e{i}.z{k}.bench."
    names.append(name)
    queries.append(f"{name} A\n{name} AAAA\n")
    kind = i % 10
    a = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
    if kind <= 6:
        zones[k].append(f"e{i} A {a}")
        if i % 4 == 0:
            zones[k].append(f"e{i} AAAA 2001:db8::{i >> 16:x}:{i & 0xffff:x}")
    elif kind <= 8:
        hops = 2 if kind == 7 else 3
        k1, k2 = (k + 1) % Z, (k + 2) % Z
        zones[k].append(f"e{i} CNAME c1-{i}.z{k1}.bench.")
        if hops == 2:
            zones[k1].append(f"c1-{i} A {a}")
        else:
            zones[k1].append(f"c1-{i} CNAME c2-{i}.z{k2}.bench.")
            zones[k2].append(f"c2-{i} A {a}")
    # kind 9: no record, NXDOMAIN
conf = open(f"{tmp}/nsd.conf", "a")
for k in range(Z):
    with open(f"{tmp}/z{k}.zone", "w") as f:
        f.write(f"$ORIGIN z{k}.bench.\n$TTL 3600\n"
                f"@ SOA ns1 hostmaster 1 3600 600 86400 300\n"
                f"@ NS ns1\n@ NS ns.shared.bench.\nns1 A 192.0.2.{k % 250 + 1}\n")
        f.write("\n".join(zones[k]) + "\n")
    conf.write(f"zone:\n  name: z{k}.bench\n  zonefile: {tmp}/z{k}.zone\n")
with open(f"{tmp}/shared.zone", "w") as f:
    f.write("$ORIGIN shared.bench.\n$TTL 3600\n@ SOA ns hostmaster 1 3600 600 86400 300\n"
            "@ NS ns\nns A 198.51.100.53\nns AAAA 2001:db8:53::1\n")
conf.write(f"zone:\n  name: shared.bench\n  zonefile: {tmp}/shared.zone\n")
open(f"{tmp}/names.txt", "w").writelines(x + "\n" for x in names)
open(f"{tmp}/queries.txt", "w").writelines(queries)
PY
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

echo "## DNS paths (issue 4)"
echo
echo "$N endpoints in 100 zones on NSD 4 (one server process, \`rrl-ratelimit: 0\`) on loopback:"
echo "70% A (a quarter with AAAA too), 20% CNAME chains of 2-3 hops across zones, 10% NXDOMAIN."
echo "residency: \`residency resolve --resolver 127.0.0.1:PORT < names > out\` (the whole path:"
echo "chain, A and AAAA, the zones' name servers and their addresses). Anchor: \`dnsperf -n 1\`"
echo "on the same names, A and AAAA each ($((2 * N)) queries), same server, same run."
echo
python3 - "$tmp" "$port" "$N" <<'PY'
import resource, subprocess, sys, time, re
tmp, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = time.monotonic()
with open(f"{tmp}/names.txt") as fin, open(f"{tmp}/out.txt", "w") as fout:
    rc = subprocess.run(["build/residency", "resolve", "--resolver", f"127.0.0.1:{port}"],
                        stdin=fin, stdout=fout).returncode
ours_s = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
out = open(f"{tmp}/out.txt").read()
roots = re.findall(r"^(\S+)  \[(\w+)\]$", out, re.M)
status = {}
for _, s in roots:
    status[s] = status.get(s, 0) + 1
p = subprocess.run(["dnsperf", "-s", "127.0.0.1", "-p", port, "-d", f"{tmp}/queries.txt",
                    "-n", "1", "-q", "500", "-t", "5"], capture_output=True, text=True)
m = re.search(r"Queries per second:\s+([\d.]+)", p.stdout)
lost = re.search(r"Queries lost:\s+(\d+)", p.stdout)
qps = float(m.group(1)) if m else float("nan")
eps = n / ours_s
want = {"ok": n - n // 10, "nxdomain": n // 10}
if status != want:
    print(f"**setup error: path statuses {status}, want {want}; figures below are not valid**\n")
print("| what | figure |")
print("| --- | --- |")
print(f"| residency resolve: endpoints (whole paths) | {len(roots)} in {ours_s:.2f} s = {eps:,.0f} endpoints/s |")
print(f"| residency resolve: path statuses | {', '.join(f'{k} {v}' for k, v in sorted(status.items()))} (exit {rc}) |")
print(f"| residency resolve: peak memory (max RSS) | {rss:.0f} MiB (goal <= 200 MiB) |")
print(f"| dnsperf, same names, A + AAAA (anchor) | {qps:,.0f} queries/s ({lost.group(1) if lost else '?'} lost) |")
print(f"| ratio endpoints/s / dnsperf queries/s (goal >= 0.3) | {eps / qps:.2f} |")
PY
