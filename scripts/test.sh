#!/usr/bin/env bash
# Runs every test program of one build (build or build-asan) against real
# servers started here: a private PostgreSQL cluster, always stopped on exit
# (also on failure or interrupt). Test programs that need more servers (nsd, an
# HTTP server) start them through tests/lib helpers and stop them themselves.
set -euo pipefail
# With test names after BUILD (test_scan test_resume), runs only those, and no fuzz replays.
build=${1:?usage: test.sh BUILD [TEST...]}
shift
only=" $* "
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

run=$(mktemp -d "$top/.run/test.XXXXXX" 2>/dev/null || { mkdir -p "$top/.run" && mktemp -d "$top/.run/test.XXXXXX"; })
cleanup() {
	scripts/pg.sh stop "$run/pg" >/dev/null 2>&1 || true
	if [ -f "$run/pg/location" ]; then rm -rf "$(cat "$run/pg/location")"; fi
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

eval "$(scripts/pg.sh start "$run/pg")"
export RESIDENCY_TOP=$top
export RESIDENCY_BIN=$top/$build/residency
export RESIDENCY_RUN=$run
# Snapshot and parsed-range caches go to the run folder, never to the home of whoever runs the tests.
export RESIDENCY_CACHE=$run/cache
export CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-120}

failed=0
echo "== $build: unit and integration tests"
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	[ "$only" = "  " ] || [[ "$only" == *" $(basename "$t") "* ]] || continue
	echo "-- $(basename "$t")"
	if ! "$t"; then
		echo "FAILED: $t"
		failed=$((failed + 1))
	fi
done
echo "== $build: fuzz regression inputs"
for f in "$build"/fuzz-regress/fuzz_*; do
	[ -x "$f" ] || continue
	[ "$only" = "  " ] || continue
	name=$(basename "$f")
	dirs=()
	for d in "tests/fuzz/corpus/$name" "tests/fuzz/regress/$name"; do
		[ -d "$d" ] && dirs+=("$d")
	done
	if ! "$f" "${dirs[@]}"; then
		echo "FAILED: $f"
		failed=$((failed + 1))
	fi
done
if [ "$failed" -ne 0 ]; then
	echo "== $build: $failed test program(s) failed"
	exit 1
fi
echo "== $build: all test programs passed"
