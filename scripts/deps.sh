#!/usr/bin/env bash
# make deps: installs the Debian packages residency needs (only the missing ones)
# and fetches the CC0 country database at a pinned version, checked by SHA-256.
# Idempotent: a second run installs nothing and says so.
set -euo pipefail
# --geoip-only: fetch the country database alone (the Dockerfile installs packages itself).
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
geoip_only=false
[ "${1:-}" = --geoip-only ] && geoip_only=true

# Build and libraries; servers for integration tests (PostgreSQL 15, nsd; iproute2's
# ip and ss for the network namespaces of tests/test_scaleout.c);
# tools the tests and benchmarks compare against (grepcidr, dnsperf, psql);
# clang with its fuzzer and sanitizer runtimes; npm for the country database;
# headless Chromium and a font for `make screenshot` (the HTML report rendered).
packages=(
	build-essential pkg-config ca-certificates
	libpq-dev libcurl4-openssl-dev libjansson-dev libmaxminddb-dev check
	libc-ares-dev libldns-dev libssl-dev
	postgresql-15 postgresql-client-15
	nsd ldnsutils iproute2
	python3 openssl
	grepcidr dnsperf libxml2-utils
	clang libclang-rt-14-dev clang-format cppcheck
	npm
	chromium fonts-dejavu-core
)

missing=()
$geoip_only && packages=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
# npm may come with a Node.js that was not installed from Debian: that one will do.
if command -v npm >/dev/null 2>&1; then
	filtered=()
	for p in "${missing[@]}"; do [ "$p" = npm ] || filtered+=("$p"); done
	missing=("${filtered[@]+"${filtered[@]}"}")
fi

if $geoip_only; then
	:
elif [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#packages[@]} Debian packages are installed; nothing to do"
else
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing Debian packages: ${missing[*]}" >&2
		echo "deps: run 'make deps' as root (or: sudo apt-get install ${missing[*]})" >&2
		exit 3
	fi
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
	echo "deps: installed ${#missing[@]} packages"
fi

# The Debian postgresql package may start its own cluster; we never use it.

# The default country database: CC0, pinned and checksummed.
geoip_pkg=@ip-location-db/geo-whois-asn-country-mmdb
geoip_ver=2.3.2026061719
geoip_sha=91757a1b06cdcd1955f292e4c4cfc54e091204f998e159a3187f7a2ef3724be0
dest=deps/geoip
stamp=$dest/.sha256
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$geoip_sha" ] && [ -f "$dest/country.mmdb" ]; then
	echo "deps: country database $geoip_pkg@$geoip_ver present; nothing to do"
	exit 0
fi
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$geoip_pkg@$geoip_ver" >/dev/null 2>npm.err) || {
	cat "$tmp/npm.err" >&2
	echo "deps: could not fetch $geoip_pkg@$geoip_ver from the npm registry" >&2
	exit 3
}
tgz=$(ls "$tmp"/*.tgz)
got=$(sha256sum "$tgz" | cut -d' ' -f1)
if [ "$got" != "$geoip_sha" ]; then
	echo "deps: $geoip_pkg@$geoip_ver: SHA-256 $got does not match the pinned $geoip_sha; refusing it" >&2
	exit 3
fi
tar -xzf "$tgz" -C "$tmp" package/geo-whois-asn-country.mmdb package/README.md package/NRO_LICENSE
mv "$tmp/package/geo-whois-asn-country.mmdb" "$dest/country.mmdb"
mv "$tmp/package/README.md" "$dest/README.md"
mv "$tmp/package/NRO_LICENSE" "$dest/NRO_LICENSE"
printf '%s\n' "$geoip_pkg@$geoip_ver" >"$dest/VERSION"
printf '%s' "$geoip_sha" >"$stamp"
echo "deps: country database $geoip_pkg@$geoip_ver installed in $dest (SHA-256 checked)"
