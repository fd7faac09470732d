#!/usr/bin/env bash
# A whole scan (issues 6 and 16): `residency scan -c FILE` of an estate of
# 100,000 endpoints (100 services; SCAN_BENCH_ENDPOINTS to change it) against the
# local NSD of bench/lib, resolved live, attributed, judged and stored in a
# private PostgreSQL 15 started here, with `resolve` of the same names as the
# anchor (bench/lib/scan.py measures and prints).
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
# benchmark's addresses are (AWS Frankfurt: DE) and the documentation prefixes
# of the shared name server and the AAAA records (special-purpose addresses:
# allowed here), so that the findings are the 10% of names that do not exist
# (fail closed).
mkdir -p "$tmp/policies"
cat >"$tmp/policies/bench.json" <<'JSON'
{"name": "bench", "allow_countries": ["DE"], "special": "allow"}
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
python3 bench/lib/scan.py "$tmp" "$N" "$port" "${SCAN_BENCH_WORKERS:-2}"
