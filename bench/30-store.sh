#!/usr/bin/env bash
# Storage (issue 6): 1 M attribution rows through residency's COPY writer against
# `psql \copy` of the same rows into the same table, in one run, on a private
# PostgreSQL 15 started here.
set -euo pipefail
top=$(pwd)
run=$(mktemp -d "$top/.run/bench.XXXXXX" 2>/dev/null || { mkdir -p "$top/.run" && mktemp -d "$top/.run/bench.XXXXXX"; })
cleanup() {
	scripts/pg.sh stop "$run/pg" >/dev/null 2>&1 || true
	if [ -f "$run/pg/location" ]; then rm -rf "$(cat "$run/pg/location")"; fi
	rm -rf "$run"
}
trap cleanup EXIT
eval "$(scripts/pg.sh start "$run/pg")" >/dev/null
build/residency db migrate >/dev/null 2>&1
N=${STORE_BENCH_ROWS:-1000000}
# Two running scans: one for residency, one for psql.
psql -X -q -c "INSERT INTO scans (estate) VALUES ('bench'), ('bench')"
# The file must be readable by psql (client side) only.
read -r sent secs < <(build/bench/bench_store 1 "$N" "$run/rows.txt")
t0=$(date +%s.%N)
psql -X -q -c "\\copy scan_attributions (scan_id, address, provider, region, border_group, services, scope, country, source, prefix, geoip_country, region_unmapped, disagreement) FROM '$run/rows.txt'"
t1=$(date +%s.%N)
rows=$(psql -X -At -c "SELECT count(*) FILTER (WHERE scan_id = 1) || ' ' || count(*) FILTER (WHERE scan_id = 2) FROM scan_attributions")
echo "## Storage (issue 6)"
echo
echo "$N attribution rows into \`scan_attributions\` (primary key (scan_id, address), the"
echo "scan-is-open trigger) of a private PostgreSQL 15 on a unix socket: residency's COPY writer"
echo "(\`store/copy.c\`, as \`residency scan\` uses it) against \`psql \\copy\` of the same rows."
echo
python3 - "$sent" "$secs" "$t0" "$t1" "$rows" "$N" <<'PY'
import sys
sent, secs, t0, t1 = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
ours_rows, psql_rows = map(int, sys.argv[5].split())
n = int(sys.argv[6])
ok = ours_rows == n and psql_rows == n
ours, theirs = sent / secs, psql_rows / (t1 - t0)
print("| what | figure |")
print("| --- | --- |")
print(f"| residency COPY writer | {ours/1e3:,.0f} k rows/s ({secs:.2f} s, {ours_rows} rows stored) |")
print(f"| psql \\copy (anchor) | {theirs/1e3:,.0f} k rows/s ({t1-t0:.2f} s, {psql_rows} rows stored) |")
print(f"| ratio residency / psql (goal >= 0.5) | {ours/theirs:.2f} |")
if not ok:
    print(f"\n**setup error: {ours_rows} and {psql_rows} rows stored, want {n} each**")
PY
