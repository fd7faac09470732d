#!/bin/sh
# layering-test.sh: scripts/layering.sh passes this tree and catches violations
# planted in a copy of it (an upward include, an include across dns/ and
# attrib/, a libpq call and include outside store/). Needs no PostgreSQL.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "layering-test: $*" >&2
	exit 1
}

"$here/scripts/layering.sh" "$here" >/dev/null || fail "this tree does not pass scripts/layering.sh"

mkdir -p "$tmp/scripts"
cp "$here/scripts/layering.sh" "$tmp/scripts/"
cp -R "$here/scanner" "$tmp/scanner"
printf '#include "store/store.h"\n' >>"$tmp/scanner/core/log.c"
printf '#include "dns/dns.h"\n' >>"$tmp/scanner/attrib/geoip.c"
printf 'static void f(void) { PQfinish(0); }\n' >>"$tmp/scanner/scan/run.c"
printf '#include <libpq-fe.h>\n' >>"$tmp/scanner/policy/judge.c"
# A comment naming a libpq call is no call.
printf '/* PQexec(c, "x") in a comment */\n' >>"$tmp/scanner/policy/policy.c"

if out=$("$tmp/scripts/layering.sh" "$tmp" 2>&1); then
	fail "planted violations were not caught"
fi
for want in \
	'scanner/core/log.c:[0-9]*: core/ includes store/ which is a higher stage' \
	'scanner/attrib/geoip.c:[0-9]*: attrib/ includes dns/, which is not below it' \
	'scanner/scan/run.c:[0-9]*: calls libpq (PQfinish) outside scanner/store/' \
	'scanner/policy/judge.c:[0-9]*: includes libpq-fe.h outside scanner/store/'; do
	printf '%s\n' "$out" | grep -q "$want" || fail "no message like \"$want\" in:
$out"
done
if printf '%s\n' "$out" | grep -q 'policy/policy.c'; then
	fail "a comment was taken for a libpq call: $out"
fi
[ "$(printf '%s\n' "$out" | grep -c '^scanner/')" -eq 4 ] || fail "expected 4 violations, got:
$out"
echo "layering-test: ok"
