#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on loopback in a temporary folder.
# Usage: source .ci/pg.sh  -> exports CAI_TEST_PG_URL and PG_TMPDIR; pg_stop stops it.
set -euo pipefail
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$PG_BIN" ]; then
  echo "PostgreSQL server binaries not found under /usr/lib/postgresql" >&2
  return 1 2>/dev/null || exit 1
fi
PG_TMPDIR=$(mktemp -d /tmp/cai-tui-pg.XXXXXX)
PG_PORT=${PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
RUN_AS=()
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$PG_TMPDIR"
  RUN_AS=(runuser -u postgres --)
fi
"${RUN_AS[@]}" "$PG_BIN/initdb" -D "$PG_TMPDIR/data" -U postgres -A trust --no-sync >/dev/null
"${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMPDIR/data" -l "$PG_TMPDIR/log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_TMPDIR -c fsync=off -c max_connections=200" start >/dev/null
export CAI_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres"
export PG_TMPDIR PG_BIN
pg_stop() { "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMPDIR/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$PG_TMPDIR"; }
