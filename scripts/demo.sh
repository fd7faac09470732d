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
echo "== done; the private PostgreSQL is stopped on exit"
