#!/usr/bin/env bash
# make fuzz: builds every tests/fuzz/fuzz_*.c with clang's libFuzzer plus ASan and
# UBSan, and runs each for SECONDS on a scratch copy of its corpus. Crashes land
# in build-fuzz/crashes/NAME/; turn each into tests/fuzz/regress/NAME/<file> once
# fixed, so `make check` replays it forever.
set -euo pipefail
secs=${1:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=build-fuzz
mkdir -p "$out/obj"
pkgs="libpq libcurl jansson libmaxminddb libcares ldns libcrypto"
cflags="-std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iscanner -I$out/gen $(pkg-config --cflags $pkgs)"
san="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
libs="$(pkg-config --libs $pkgs) -lm"

mkdir -p "$out/gen"
scripts/embed-sql.sh "$out/gen/migrations.c" schema/[0-9]*.sql
objs=()
for src in $(find scanner -name '*.c' ! -name main.c | sort) "$out/gen/migrations.c"; do
	obj="$out/obj/$(echo "$src" | tr '/' '_').o"
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ]; then
		clang $cflags $san -c -o "$obj" "$src"
	fi
	objs+=("$obj")
done

# Third-party leaks we cannot fix (see tests/lsan.supp) need full stacks to match.
export ASAN_OPTIONS=fast_unwind_on_malloc=0
export LSAN_OPTIONS=suppressions=$top/tests/lsan.supp
# Targets read fixtures from the checkout.
export RESIDENCY_DATADIR=$top
only=${FUZZ_TARGETS:-}
jobs=${FUZZ_JOBS:-1}
targets=()
for t in tests/fuzz/fuzz_*.c; do
	if [ -n "$only" ] && ! echo " $only " | grep -q " $(basename "$t" .c) "; then continue; fi
	[ -f "$t" ] || continue
	name=$(basename "$t" .c)
	clang $cflags -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o "$out/$name" "$t" "${objs[@]}" $libs
	targets+=("$name")
done

# One target: its corpus copied to a scratch folder, run for $secs, one summary line.
run_one() {
	name=$1
	work="$out/corpus/$name"
	mkdir -p "$work" "$out/crashes/$name"
	for d in "tests/fuzz/corpus/$name" "tests/fuzz/regress/$name"; do
		[ -d "$d" ] && cp -r "$d/." "$work/" 2>/dev/null || true
	done
	echo "fuzz: $name for ${secs}s"
	if ! "$out/$name" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
		-artifact_prefix="$out/crashes/$name/" "$work" >"$out/$name.log" 2>&1; then
		echo "fuzz: $name FOUND A CRASH: see $out/$name.log and $out/crashes/$name/"
		tail -30 "$out/$name.log"
		return 1
	fi
	# Executions, final coverage and corpus size, for docs/TESTING.md's campaign table.
	echo "fuzz: $name: $(grep -E '^Done' "$out/$name.log" | tail -1);" \
		"$(grep -E '^#[0-9]+' "$out/$name.log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*')"
}

# FUZZ_JOBS targets at a time (the machine has 2 cores; default one at a time).
failed=0
pids=()
for name in "${targets[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n || failed=1
	done
	run_one "$name" &
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p" || failed=1
done
exit $failed
