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
. bench/lib/dns.sh
bench_dns "$tmp" "$N"

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
