#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the store's tests and benchmarks:
# Debian's postgresql (installed with apt-get when missing), initdb in a
# folder of the caller's, the server on 127.0.0.1 and a free port, run as
# the `postgres` user when this runs as root (initdb and postgres refuse
# root). Nothing is left running after `stop`.
#
#   url=$(bash scripts/postgres.sh start DIR)    # prints postgres://postgres@127.0.0.1:PORT/postgres
#   bash scripts/postgres.sh stop DIR            # stops the server and removes DIR
set -euo pipefail
command=${1:?usage: postgres.sh start|stop DIR}
dir=${2:?usage: postgres.sh start|stop DIR}

bin_dir() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$found" ] && [ -x "$found/initdb" ] && echo "$found"
}

as_owner() { # runs a command as the cluster's owner
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case $command in
  start)
    if ! bin=$(bin_dir); then
      echo "postgres.sh: installing Debian's postgresql" >&2
      sudo=""
      [ "$(id -u)" -eq 0 ] || sudo=sudo
      export DEBIAN_FRONTEND=noninteractive
      $sudo apt-get install -y -q postgresql >/dev/null 2>&1 \
        || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q postgresql >/dev/null; }
      # Debian's package starts a cluster of its own; the tests use theirs.
      $sudo service postgresql stop >/dev/null 2>&1 || true
      bin=$(bin_dir) || { echo "postgres.sh: postgresql installed, but no initdb under /usr/lib/postgresql" >&2; exit 1; }
    fi
    mkdir -p "$dir"
    chmod 755 "$dir"
    [ "$(id -u)" -ne 0 ] || chown postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=200" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -d "$dir/data" ] && bin=$(bin_dir); then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres.sh start|stop DIR" >&2
    exit 2
    ;;
esac
