#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for tests and the demo: initdb + pg_ctl, a unix
# socket in a folder under the checkout, no TCP, no system service.
#
#   scripts/pg.sh start DIR   create (if needed) and start; prints PG* exports
#   scripts/pg.sh stop DIR    stop it (fast shutdown); no error when not running
#   scripts/pg.sh env DIR     print the PG* exports for a running cluster
#
# start DIR --listen ADDR: also TCP on ADDR, port 5432 (run it inside a network
# namespace: tests/test_scaleout.c), where every connection needs a password
# (scram-sha-256); the unix socket stays as it is, for the superuser.
#
# As root, the server runs as the 'postgres' user (initdb refuses root). When that
# user cannot reach DIR (a checkout under a private home), the cluster lives in a
# folder under /tmp instead and DIR/location says where.
set -euo pipefail

cmd=${1:?usage: pg.sh start|stop|env DIR}
dir=${2:?usage: pg.sh start|stop|env DIR}
listen=
if [ "$cmd" = start ] && [ "${3:-}" = --listen ]; then
	listen=${4:?usage: pg.sh start DIR --listen ADDR}
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

bindir=
for d in /usr/lib/postgresql/15/bin /usr/local/pgsql/bin; do
	[ -x "$d/pg_ctl" ] && bindir=$d && break
done
if [ -z "$bindir" ]; then
	command -v pg_ctl >/dev/null || { echo "pg.sh: PostgreSQL 15 server not found; run 'make deps'" >&2; exit 3; }
	bindir=$(dirname "$(command -v pg_ctl)")
fi

as_owner() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Where the cluster lives: DIR itself, or the folder recorded in DIR/location.
home=$dir
if [ -f "$dir/location" ]; then
	home=$(cat "$dir/location")
fi

pguser=$(id -un)
[ "$(id -u)" = 0 ] && pguser=postgres

print_env() {
	echo "export PGHOST='$home' PGPORT=5432 PGUSER='$pguser' PGDATABASE=residency"
}

case $cmd in
start)
	if [ -f "$dir/location" ] && [ -f "$home/data/PG_VERSION" ]; then
		: # started before (and stopped): the same cluster, the same socket
	elif [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || { echo "pg.sh: no 'postgres' user; run 'make deps'" >&2; exit 3; }
		chown postgres "$dir"
		if ! runuser -u postgres -- test -w "$dir" || [ ${#dir} -gt 80 ]; then
			home=$(mktemp -d /tmp/residency-pg.XXXXXX)
			chown postgres "$home"
			echo "$home" >"$dir/location"
		fi
	elif [ ${#dir} -gt 80 ]; then
		home=$(mktemp -d /tmp/residency-pg.XXXXXX)
		echo "$home" >"$dir/location"
	fi
	if [ ! -f "$home/data/PG_VERSION" ]; then
		as_owner "$bindir/initdb" -D "$home/data" -A trust -E UTF8 --locale=C.UTF-8 >"$home/initdb.log" 2>&1 ||
			as_owner "$bindir/initdb" -D "$home/data" -A trust -E UTF8 --no-locale >"$home/initdb.log" 2>&1 ||
			{ cat "$home/initdb.log" >&2; exit 3; }
		if [ -n "$listen" ]; then
			printf 'local all all trust\nhost all all all scram-sha-256\n' >"$home/data/pg_hba.conf"
		fi
	fi
	if ! as_owner "$bindir/pg_ctl" -D "$home/data" status >/dev/null 2>&1; then
		as_owner "$bindir/pg_ctl" -D "$home/data" -l "$home/server.log" -w -t 60 \
			-o "-c listen_addresses='$listen' -k '$home' -p 5432 -c fsync=off -c max_connections=60" \
			start >/dev/null || { tail -20 "$home/server.log" >&2; exit 3; }
	fi
	if ! as_owner "$bindir/psql" -h "$home" -p 5432 -d postgres -tAc \
		"SELECT 1 FROM pg_database WHERE datname = 'residency'" | grep -q 1; then
		as_owner "$bindir/createdb" -h "$home" -p 5432 residency
	fi
	print_env
	;;
stop)
	if [ -f "$home/data/PG_VERSION" ]; then
		as_owner "$bindir/pg_ctl" -D "$home/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	;;
env)
	print_env
	;;
*)
	echo "pg.sh: unknown command $cmd" >&2
	exit 2
	;;
esac
