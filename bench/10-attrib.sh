#!/usr/bin/env bash
# Attribution: the prefix table against libmaxminddb, and `residency lookup` as a
# whole process against grepcidr on the same 1 M IPv4 addresses and prefixes.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "## Attribution (issue 3)"
echo
echo "Commands: \`build/bench/bench_attrib\`; then \`residency lookup < 1M.txt\` and"
echo "\`grepcidr -f v4-prefixes.txt 1M.txt\` (all IPv4 prefixes of every bundled file)."
echo
echo "| what | figure |"
echo "| --- | --- |"
build/bench/bench_attrib
# The same IPv4 prefixes for both tools, and 1 M addresses, half inside them.
cat data/ranges/*/*.json data/ranges/*/*.txt data/ranges/*/*.csv |
	grep -oE '([0-9]{1,3}\.){3}[0-9]{1,3}/[0-9]{1,2}' | sort -u >"$tmp/v4.txt"
python3 - "$tmp/v4.txt" "$tmp/addrs.txt" <<'PY'
import random, sys, ipaddress
random.seed(7)
nets = []
for l in open(sys.argv[1]):
    try:
        nets.append(ipaddress.ip_network(l.strip()))
    except ValueError:
        pass  # a number glued to a longer token by the grep, or host bits set
with open(sys.argv[1], "w") as f:
    f.writelines(str(n) + "\n" for n in nets)
with open(sys.argv[2], "w") as f:
    for i in range(1000000):
        if i % 2:
            n = random.choice(nets)
            f.write(str(n.network_address + random.randrange(n.num_addresses)) + "\n")
        else:
            f.write(str(ipaddress.IPv4Address(random.getrandbits(32))) + "\n")
PY
# The caches residency keeps (parsed ranges, the built table, the flattened
# GeoIP database) in a folder of this run: the first run builds them (timed on
# its own), the measured run uses them, as every run after the first does.
export RESIDENCY_CACHE="$tmp/cache"
c0=$(date +%s.%N)
build/residency lookup 192.0.2.1 >/dev/null
c1=$(date +%s.%N)
t0=$(date +%s.%N)
build/residency lookup <"$tmp/addrs.txt" >"$tmp/out.txt"
t1=$(date +%s.%N)
grepcidr -f "$tmp/v4.txt" "$tmp/addrs.txt" >"$tmp/grep.txt" || true
t2=$(date +%s.%N)
python3 - "$t0" "$t1" "$t2" "$(wc -l <"$tmp/out.txt")" "$(wc -l <"$tmp/v4.txt")" "$c0" "$c1" <<'PY'
import sys
t0, t1, t2 = map(float, sys.argv[1:4])
c0, c1 = map(float, sys.argv[6:8])
ours, theirs = 1e6 / (t1 - t0), 1e6 / (t2 - t1)
print(f"| residency lookup of one address, first run (parses the bundled files, builds and saves the caches) | {c1-c0:.2f} s |")
print(f"| residency lookup, 1 M IPv4 (text out, {int(sys.argv[4])} lines; load included, caches warm) | {ours/1e3:.0f} k/s ({t1-t0:.2f} s) |")
print(f"| grepcidr, same addresses, {int(sys.argv[5])} IPv4 prefixes (anchor) | {theirs/1e3:.0f} k/s ({t2-t1:.2f} s) |")
print(f"| ratio residency / grepcidr (goal >= 0.5) | {ours/theirs:.2f} |")
PY
