#!/usr/bin/env bash
# make screenshot: the HTML report of the story's "before" scan, rendered by
# headless Chromium. Starts a private PostgreSQL (stopped again on exit, also on
# failure or Ctrl-C), stores the "before" scan as `make demo` does, writes
# build/report-before.html and keeps build/report-before.png as the artefact.
# Not part of `make check`: Chromium takes seconds and is only needed here.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
	echo "screenshot: $chromium not found; run 'make deps' (Debian package chromium)" >&2
	exit 3
fi
make --no-print-directory -s
run=$top/.run/screenshot
profile=$(mktemp -d)
cleanup() {
	scripts/pg.sh stop "$run/pg" >/dev/null 2>&1 || true
	if [ -f "$run/pg/location" ]; then rm -rf "$(cat "$run/pg/location")"; fi
	rm -rf "$run" "$profile"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf "$run"
mkdir -p "$run" build
eval "$(scripts/pg.sh start "$run/pg")"
build/residency --quiet db migrate >/dev/null
# The story's first state: exit 1 (violations) is what it must give.
set +e
line=$(build/residency scan -c examples/before.json)
rc=$?
set -e
echo "screenshot: $line"
if [ "$rc" != 1 ]; then
	echo "screenshot: the before scan exited $rc, expected 1 (violations)" >&2
	exit 1
fi
id=$(printf '%s\n' "$line" | sed -n 's/^scan \([0-9][0-9]*\):.*/\1/p')
html=$top/build/report-before.html
png=$top/build/report-before.png
set +e
build/residency report --scan "$id" --format html >"$html"
rc=$?
set -e
if [ "$rc" != 1 ]; then
	echo "screenshot: report --format html exited $rc, expected 1 (violations)" >&2
	exit 1
fi
rm -f "$png"
# Everything Chromium could reach out for is off: the page is self-contained.
"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$profile" --screenshot="$png" --window-size=1280,2000 \
	"file://$html" >"$run/chromium.log" 2>&1 || {
	cat "$run/chromium.log" >&2
	echo "screenshot: chromium failed" >&2
	exit 3
}
if [ ! -s "$png" ]; then
	cat "$run/chromium.log" >&2
	echo "screenshot: chromium wrote no $png" >&2
	exit 3
fi
echo "screenshot: build/report-before.html and build/report-before.png ($(wc -c <"$png") bytes)"
