#!/bin/sh
# layering.sh [ROOT]: the stages of scanner/ include only lower stages, and
# libpq is used in store/ alone (docs: ../shared/STYLE.md, issue 16).
#
# Order, low to high: core < {ranges < attrib, dns} < policy < report < store
# < scan < cli < main.c. dns/ and ranges/, attrib/ know nothing of each other.
# A file may include its own stage and any lower one; `#include "X/..."` of a
# higher (or unrelated) stage fails, and so does any PQ*( call or libpq-fe.h
# include outside scanner/store/. Prints file:line and why; exit 1 on any.
#
# ROOT defaults to the checkout this script is in; tests point it at a copy.
set -eu

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

# Exceptions, one line each: file, then "include STAGE", "PQ" or "libpq", and a
# comment saying why. None today: keep it that way.
allow='
'

# The stages below each stage.
below() {
	case $1 in
	core) echo "" ;;
	ranges | dns) echo "core" ;;
	attrib) echo "core ranges" ;;
	policy) echo "core ranges attrib dns" ;;
	report) echo "core ranges attrib dns policy" ;;
	store) echo "core ranges attrib dns policy report" ;;
	scan) echo "core ranges attrib dns policy report store" ;;
	cli) echo "core ranges attrib dns policy report store scan" ;;
	main) echo "core ranges attrib dns policy report store scan cli" ;;
	*) echo "?" ;;
	esac
}

allowed() { # file kind [stage]
	printf '%s\n' "$allow" | sed 's/#.*//' | grep -qx "$1 $2${3:+ $3} *"
}

# Comment lines (" * ...", "/* ...", "// ...") are not code.
code() {
	grep -n "$1" "$2" 2>/dev/null | grep -v '^[0-9]*:[[:space:]]*\(\*\|/\*\|//\)' || true
}

bad=0
for f in $(find scanner -name '*.[ch]' | sort); do
	case $f in
	scanner/main.c) stage=main ;;
	scanner/*/*) stage=${f#scanner/} && stage=${stage%%/*} ;;
	*) continue ;;
	esac
	lower=$(below "$stage")
	if [ "$lower" = "?" ]; then
		echo "$f: scanner/$stage/ is no stage of the layering: add it to scripts/layering.sh"
		bad=1
		continue
	fi
	code '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z_]*/' "$f" >"${TMPDIR:-/tmp}/layering.$$" || true
	while IFS= read -r hit; do
		line=${hit%%:*}
		inc=$(printf '%s\n' "$hit" | sed 's/^[^"]*"\([a-z_]*\)\/.*/\1/')
		[ "$inc" = "$stage" ] && continue
		case " $lower " in *" $inc "*) continue ;; esac
		allowed "$f" include "$inc" && continue
		what="$stage/"
		[ "$stage" = main ] && what="main.c"
		if [ "$(below "$inc")" = "?" ]; then
			echo "$f:$line: $what includes $inc/, which is no stage of the layering"
		else
			case " $(below "$inc") " in
			*" $stage "*) echo "$f:$line: $what includes $inc/ which is a higher stage" ;;
			*) echo "$f:$line: $what includes $inc/, which is not below it (dns/ and ranges/, attrib/ know nothing of each other)" ;;
			esac
		fi
		bad=1
	done <"${TMPDIR:-/tmp}/layering.$$"
	case $f in scanner/store/*) continue ;; esac
	if ! allowed "$f" PQ; then
		hit=$(code '\<PQ[a-zA-Z]*[[:space:]]*(' "$f" | head -1)
		if [ -n "$hit" ]; then
			echo "$f:${hit%%:*}: calls libpq ($(printf '%s' "$hit" | grep -o 'PQ[a-zA-Z]*' | head -1)) outside scanner/store/: add a store_* function instead"
			bad=1
		fi
	fi
	if ! allowed "$f" libpq; then
		hit=$(code '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]libpq-fe\.h' "$f" | head -1)
		if [ -n "$hit" ]; then
			echo "$f:${hit%%:*}: includes libpq-fe.h outside scanner/store/"
			bad=1
		fi
	fi
done
rm -f "${TMPDIR:-/tmp}/layering.$$"
[ $bad -eq 0 ] || echo "layering: the order is core < {ranges < attrib, dns} < policy < report < store < scan < cli < main.c; libpq in store/ only" >&2
exit $bad
