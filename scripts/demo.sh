#!/usr/bin/env bash
# make demo: install what is missing, build, start a private PostgreSQL, migrate,
# run the main job on the bundled example estate offline, print the findings,
# and stop the server again (also on failure or Ctrl-C).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
make --no-print-directory deps
make --no-print-directory -s
run=$top/.run/demo
cleanup() {
	scripts/pg.sh stop "$run/pg" >/dev/null 2>&1 || true
	if [ -f "$run/pg/location" ]; then rm -rf "$(cat "$run/pg/location")"; fi
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf "$run"
mkdir -p "$run"
echo "== starting a private PostgreSQL 15 in $run/pg"
eval "$(scripts/pg.sh start "$run/pg")"
echo "== residency db migrate"
build/residency db migrate
build/residency db status
echo
echo "== where do a few addresses go? (bundled provider ranges + the CC0 country database)"
build/residency lookup 52.80.10.20 54.169.10.20 15.220.120.77 52.95.110.1 ::ffff:54.148.10.20
echo
echo "== the story, before the move: accounts, messaging and sync on servers in China"
echo "   residency scan -c examples/before.json    (stored in the private PostgreSQL)"
set +e
build/residency scan -c examples/before.json
before=$?
echo "   exit code $before (1: violations found)"
build/residency report --scan 1
echo
echo "== after the move to AWS Singapore and Oregon"
build/residency scan -c examples/after.json
after=$?
echo "   exit code $after (0: every element resolved, attributed and allowed)"
echo
echo "== what changed between the two scans"
build/residency diff --from 1 --to 2
echo
echo "== the compliant scan re-judged under a stricter rule (Singapore only), nothing resolved again"
mkdir -p "$run/strict"
printf '%s\n' '{"name": "personal-data", "allow_countries": ["SG"], "deny_countries": ["CN"]}' \
	>"$run/strict/personal-data.json"
echo "   residency check --scan 2 --policies $run/strict"
build/residency check --scan 2 --policies "$run/strict"
rejudged=$?
echo "   exit code $rejudged (1: the Oregon addresses are findings under that rule)"
set -e
[ "$before" = 1 ] && [ "$after" = 0 ] && [ "$rejudged" = 1 ] ||
	{ echo "demo: unexpected verdicts" >&2; exit 1; }
echo
echo "== evidence for a regulator: scan 1 as a bundle, verified offline; the chain in the database"
build/residency evidence export --scan 1 --out "$run/evidence-1"
build/residency evidence verify "$run/evidence-1"
build/residency evidence verify --db-chain
echo
echo "== the same check as a release gate, no database: residency check --format junit"
build/residency check --estate examples/estate.json --policies examples/policies \
	--zone examples/after/phonemaker.example.zone --offline --format junit
echo
echo "== done; the private PostgreSQL is stopped on exit"
