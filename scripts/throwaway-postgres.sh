#!/bin/sh
# A throwaway PostgreSQL cluster (Debian's `postgresql` package) for the queue's tests and benchmark: a new
# cluster in a temporary folder, on a free loopback port, run by an unprivileged account (initdb refuses root:
# as root it runs as `postgres`, the account the package makes), password authentication over TCP.
#
#   scripts/throwaway-postgres.sh run CMD [ARG...]   # start, run CMD with MAPILLARY_ARCHIVER_TEST_POSTGRES set to
#                                                    # the cluster's URL, then stop and delete it (even when CMD fails);
#                                                    # exits with CMD's status
#   scripts/throwaway-postgres.sh serve-for PID      # start, print the URL, return; the cluster is stopped and deleted
#                                                    # within a second of process PID ending (the tests use this when
#                                                    # the variable is not set)
#
# DURABLE=1 keeps fsync on (the benchmark); by default the cluster skips fsync, which only a machine crash could
# notice. Needs `postgresql` (make setup-test installs it) and python3 (to find a free port).
set -eu
mode=${1:-}
[ "$mode" = run ] || [ "$mode" = serve-for ] || { echo "usage: $0 run CMD [ARG...] | serve-for PID" >&2; exit 2; }
shift

BIN=$(pg_config --bindir 2>/dev/null || true)
[ -x "$BIN/initdb" ] || BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$BIN/initdb" ] || { echo "PostgreSQL's server programs are missing: install the Debian package postgresql (make setup-test does)" >&2; exit 1; }

DIR=$(mktemp -d "${TMPDIR:-/tmp}/mapillary-archiver-pg-XXXXXX")
chmod 755 "$DIR"
AS=""
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "running as root needs the account 'postgres' (made by the postgresql package)" >&2; exit 1; }
  chown postgres "$DIR"
  AS="runuser -u postgres --"
fi
# Runs a server program as that account, from the cluster's folder (the caller's may be closed to it).
server() { (cd "$DIR" && $AS "$@"); }

stop() {
  server "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}

PASSWORD=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$PASSWORD" > "$DIR/password"
[ -z "$AS" ] || chown postgres "$DIR/password"
if ! server "$BIN/initdb" -D "$DIR/data" -U archiver -E UTF8 --no-sync --auth-local=trust --auth-host=scram-sha-256 \
      --pwfile="$DIR/password" >"$DIR/initdb.log" 2>&1; then
  cat "$DIR/initdb.log" >&2; stop; exit 1
fi
FSYNC=off
[ "${DURABLE:-0}" = 1 ] && FSYNC=on
started=0
for try in 1 2 3; do
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if server "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR -c max_connections=300 -c fsync=$FSYNC" \
      start >/dev/null 2>&1; then
    started=1; break
  fi
done
[ "$started" = 1 ] || { echo "the throwaway PostgreSQL did not start:" >&2; tail -n 20 "$DIR/server.log" >&2; stop; exit 1; }
URL="postgres://archiver:$PASSWORD@127.0.0.1:$PORT/postgres"

if [ "$mode" = serve-for ]; then
  watched=${1:?serve-for needs the PID to outlive}
  (
    trap '' HUP INT TERM
    while kill -0 "$watched" 2>/dev/null; do sleep 1; done
    stop
  ) </dev/null >/dev/null 2>&1 &
  echo "$URL"
  exit 0
fi

trap stop EXIT
trap 'exit 130' INT TERM
echo "throwaway PostgreSQL on 127.0.0.1:$PORT ($DIR)" >&2
status=0
MAPILLARY_ARCHIVER_TEST_POSTGRES=$URL "$@" || status=$?
exit $status
