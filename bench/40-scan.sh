#!/usr/bin/env bash
# A whole scan (issue 6): `residency scan -c FILE` of an estate of 100,000
# endpoints (100 services) against the local NSD of bench/lib, resolved live,
# attributed, judged and stored in a private PostgreSQL 15 started here.
set -euo pipefail
top=$(pwd)
tmp=$(mktemp -d)
run=$(mktemp -d "$top/.run/bench.XXXXXX" 2>/dev/null || { mkdir -p "$top/.run" && mktemp -d "$top/.run/bench.XXXXXX"; })
nsd_pid=
cleanup() {
	[ -n "$nsd_pid" ] && kill "$nsd_pid" 2>/dev/null && wait "$nsd_pid" 2>/dev/null
	scripts/pg.sh stop "$run/pg" >/dev/null 2>&1 || true
	if [ -f "$run/pg/location" ]; then rm -rf "$(cat "$run/pg/location")"; fi
	rm -rf "$tmp" "$run"
}
trap cleanup EXIT
N=${SCAN_BENCH_ENDPOINTS:-100000}
. bench/lib/dns.sh
bench_dns "$tmp" "$N"
eval "$(scripts/pg.sh start "$run/pg")" >/dev/null
build/residency db migrate >/dev/null 2>&1
# 100 services of N/100 endpoints each; a policy that allows where the
# benchmark's addresses are (AWS Frankfurt: DE; GeoIP puts the documentation
# prefixes of the shared name server and the AAAA records in AU and JP), so that
# the findings are the 10% of names that do not exist (fail closed).
mkdir -p "$tmp/policies"
cat >"$tmp/policies/bench.json" <<'JSON'
{"name": "bench", "allow_countries": ["DE", "AU", "JP"]}
JSON
python3 - "$tmp" "$N" "$port" <<'PY'
import json, sys
tmp, n, port = sys.argv[1], int(sys.argv[2]), sys.argv[3]
names = [l.strip() for l in open(f"{tmp}/names.txt")]
per = max(1, n // 100)
services = [{"name": f"svc{k}", "owner": "bench", "policy": "bench",
             "endpoints": names[k * per:(k + 1) * per]} for k in range((n + per - 1) // per)]
json.dump({"services": services}, open(f"{tmp}/estate.json", "w"))
json.dump({"estate": "estate.json", "policies": "policies",
           "resolvers": [f"127.0.0.1:{port}"]}, open(f"{tmp}/scan.json", "w"))
PY
build/residency config check "$tmp/scan.json" >/dev/null
python3 - "$tmp" "$N" <<'PY'
import re, resource, subprocess, sys, time
tmp, n = sys.argv[1], int(sys.argv[2])
t = time.monotonic()
p = subprocess.run(["build/residency", "scan", "-c", f"{tmp}/scan.json"], capture_output=True, text=True)
secs = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
line = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else p.stderr.strip()[-300:]
nums = {k: int(v) for v, k in re.findall(r"(\d+) (path elements|attributions|DNS answers|findings)", line)}
rows = sum(nums.get(k, 0) for k in ("path elements", "attributions", "DNS answers", "findings"))
print("## A whole scan (issue 6)")
print()
print(f"`residency scan -c FILE`: {n} endpoints in 100 services, resolved live against the NSD of")
print("bench/lib (the DNS benchmark's zones), attributed, judged, and stored in a private PostgreSQL 15")
print("job by job (COPY, one transaction per job of 1,000 endpoints), with the scan's digest and chain link.")
print()
print("| what | figure | goal |")
print("| --- | --- | --- |")
print(f"| scan, end to end | {secs:.1f} s, exit {p.returncode} | |")
print(f"| rows stored (elements, attributions, answers, findings) | {rows:,} ({rows / secs:,.0f} rows/s over the whole scan) | |")
print(f"| peak memory (max RSS) | {rss:.0f} MiB | <= 300 MiB |")
print(f"| summary line | {line} | |")

# The same scan split between two workers: the second joins as soon as the
# scan has begun (both on this machine, sharing its cores with NSD and PostgreSQL).
def sql(q):
    return subprocess.run(["psql", "-Atqc", q], capture_output=True, text=True).stdout.strip()
t = time.monotonic()
a = subprocess.Popen(["build/residency", "scan", "-c", f"{tmp}/scan.json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
sid = ""
while not sid and a.poll() is None:
    sid = sql("SELECT max(scan_id) FROM scan_jobs WHERE scan_id > 1")
    time.sleep(0.05)
b = subprocess.Popen(["build/residency", "scan", "-c", f"{tmp}/scan.json", "--join", sid], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
oa, ea = a.communicate()
ob, eb = b.communicate()
secs2 = time.monotonic() - t
jobs = sql(f"SELECT string_agg(n::text, ' + ' ORDER BY n DESC) FROM (SELECT count(*) AS n FROM scan_jobs WHERE scan_id = {sid} GROUP BY worker) w")
same = sql(f"SELECT (SELECT counts - 'answers' FROM scans WHERE id = {sid}) = (SELECT counts - 'answers' FROM scans WHERE id = 1)")
print(f"| the same scan, two workers on this machine (`scan --join {sid}`) | {secs2:.1f} s, exits {a.returncode} and {b.returncode}; jobs per worker {jobs}; counts but answers equal to the one-worker scan: {same} | |")
PY
