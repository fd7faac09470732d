#!/usr/bin/env bash
# Flat memory (issue 16): the peak memory (max RSS) of loading an estate of
# 1,000,000 endpoints (about 50 MB of JSON, `config check`), of answering one
# name from a zone file of 1,000,000 records (`resolve --zone F --offline`),
# and of resolving MEM_BENCH_NAMES names (default 400,000) from standard input
# against the NSD of bench/lib (`resolve`, the answer cache bounded).
set -euo pipefail
tmp=$(mktemp -d)
nsd_pid=
cleanup() {
	[ -n "$nsd_pid" ] && kill "$nsd_pid" 2>/dev/null && wait "$nsd_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
N=${MEM_BENCH_NAMES:-400000}
mkdir -p "$tmp/dns" "$tmp/policies"
cat >"$tmp/policies/bench.json" <<'JSON'
{"name": "bench", "allow_countries": ["DE"]}
JSON
python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
# 100 services of 10,000 endpoints, one endpoint a line, as a person would write them.
with open(f"{tmp}/estate.json", "w") as f:
    f.write('{"services": [\n')
    for k in range(100):
        eps = ",\n    ".join(f'"endpoint-{i:07d}.service-{k:03d}.bench.example.com"'
                             for i in range(k * 10000, (k + 1) * 10000))
        f.write(("" if k == 0 else ",\n") +
                f'  {{"name": "svc{k}", "owner": "bench", "policy": "bench",\n   "endpoints": [\n    {eps}]}}')
    f.write("\n]}\n")
json.dump({"estate": "estate.json", "policies": "policies"}, open(f"{tmp}/estate-config.json", "w"))
# 60% A, 20% AAAA, 20% CNAME to a name of the zone.
with open(f"{tmp}/big.zone", "w") as f:
    f.write("$ORIGIN big.test.\n$TTL 3600\n@ SOA ns1 hostmaster 1 3600 600 86400 300\n"
            "@ NS ns1\nns1 A 192.0.2.1\n")
    for i in range(1000000):
        k = i % 10
        if k < 6:
            f.write(f"h{i} A 198.51.{(i >> 8) & 255}.{i & 255}\n")
        elif k < 8:
            f.write(f"h{i} AAAA 2001:db8::{i >> 16:x}:{i & 0xffff:x}\n")
        else:
            f.write(f"h{i} CNAME h{i - 8}\n")
PY
. bench/lib/dns.sh
bench_dns "$tmp/dns" "$N"
# Seconds, peak MiB and exit status of one command (its own process tree).
peak() {
	python3 -c '
import resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
print(f"{time.monotonic() - t:.1f} s, {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB, exit {p.returncode}")
' "$@"
}
estate=$(peak build/residency config check "$tmp/estate-config.json")
zone=$(peak build/residency resolve --zone "$tmp/big.zone" --offline h8.big.test)
names=$(peak build/residency resolve --resolver "127.0.0.1:$port" <"$tmp/dns/names.txt")
size=$(du -m "$tmp/estate.json" | cut -f1)
echo "## Flat memory (issue 16)"
echo
echo "Peak memory (max RSS) of three commands, each in its own process."
echo
echo "| what | figure | goal |"
echo "| --- | --- | --- |"
echo "| \`config check\` of an estate of 1,000,000 endpoints in 100 services (${size} MB of JSON) | $estate | accepted; flat |"
echo "| \`resolve --zone F --offline NAME\`, F a zone file of 1,000,000 records | $zone | <= 300 MiB |"
echo "| \`resolve --resolver NSD\` of $N names from standard input (answer cache bounded) | $names | flat in the names |"
