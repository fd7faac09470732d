#!/usr/bin/env bash
# make bench: runs every bench/*.sh in name order. Each measures residency and
# its anchor (another tool, or the library it wraps) in the same run and prints
# a Markdown section; the whole output goes to bench/out/latest.md. Copy the
# figures into docs/BENCHMARKS.md with the machine description printed first.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mkdir -p bench/out
{
	echo "# make bench, $(date -u +%Y-%m-%dT%H:%MZ)"
	echo
	echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
		"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(. /etc/os-release && echo "$PRETTY_NAME")"
	echo
	for b in bench/*.sh; do
		[ -f "$b" ] || continue
		bash "$b"
		echo
	done
} | tee bench/out/latest.md
