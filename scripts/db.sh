#!/usr/bin/env bash
# Test databases for the SQL push-down: MariaDB and PostgreSQL on 127.0.0.1, data under build/db/.
#
#   bash scripts/db.sh start    install (Debian packages) if missing, initialise, start, create the
#                               test database and user, wait until ready, print the URLs:
#                                 TEST_MARIADB_URL=mysql://…
#                                 TEST_POSTGRES_URL=postgres://…
#   bash scripts/db.sh stop     stop exactly the servers this script started (by their pid files)
#   bash scripts/db.sh status   say what runs, print the URLs of the running ones
#
# Use by hand: eval "$(bash scripts/db.sh start)"   (or: npm run db:start)
# Idempotent and fast when already running. Logs go to build/db/*.log, never to stdout.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/build/db"
DB_NAME="segments_test"
DB_USER="segments"
DB_PASS="segments"
# Several checkouts (git worktrees) may run their test databases at once: each starts its port search
# at its own offset (from the checkout's path, or SEGMENTS_DB_PORT_OFFSET) so that two starts at the
# same moment do not pick the same free port.
PORT_OFFSET="${SEGMENTS_DB_PORT_OFFSET:-$(( $(printf '%s' "$ROOT" | cksum | cut -d' ' -f1) % 200 * 10 ))}"

MARIA_DATA="$DIR/mariadb"
MARIA_RUN="$DIR/mariadb-run"
MARIA_SOCK="$MARIA_RUN/mariadb.sock"
MARIA_PID="$MARIA_RUN/mariadb.pid"
MARIA_PORT_FILE="$DIR/mariadb.port"
MARIA_LOG="$DIR/mariadb.log"

PG_DATA="$DIR/postgres"
PG_SOCK_DIR="$DIR/pgsock"
PG_PORT_FILE="$DIR/postgres.port"
PG_LOG="$DIR/postgres.log"

log() { echo "db.sh: $*" >&2; }
die() { log "$*"; exit 1; }

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/pg_ctl" ] && { echo "$dir"; return; }; done
  return 1
}

install_missing() {
  local need=()
  command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need+=(mariadb-server)
  pg_bin >/dev/null 2>&1 || need+=(postgresql)
  [ ${#need[@]} -eq 0 ] && return
  [ "$(id -u)" = 0 ] || die "missing ${need[*]}: run as root, or install them with apt-get"
  log "installing ${need[*]} (log: $DIR/apt.log)"
  {
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
  } >>"$DIR/apt.log" 2>&1 || die "apt-get install ${need[*]} failed: see $DIR/apt.log"
}

# Whether something listens on 127.0.0.1:$1 (ss when there is one, else a bash /dev/tcp probe).
port_taken() {
  if command -v ss >/dev/null 2>&1; then ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
  else (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# A free TCP port on 127.0.0.1, starting from $1.
free_port() {
  local port=$1
  while port_taken "$port"; do port=$((port + 1)); done
  echo "$port"
}

alive() { [ -f "$1" ] && kill -0 "$(head -1 "$1")" 2>/dev/null; }

# ---- MariaDB ---------------------------------------------------------------------------------

maria_running() { alive "$MARIA_PID" && [ -S "$MARIA_SOCK" ]; }

maria_sql() { mariadb --no-defaults --socket="$MARIA_SOCK" -uroot "$@"; }

maria_start() {
  if maria_running; then return; fi
  if [ ! -d "$MARIA_DATA/mysql" ]; then
    log "initialising MariaDB in $MARIA_DATA"
    mkdir -p "$MARIA_DATA"
    chown -R mysql:mysql "$MARIA_DATA"
    mariadb-install-db --no-defaults --user=mysql --datadir="$MARIA_DATA" --skip-test-db \
      --auth-root-authentication-method=socket >>"$MARIA_LOG" 2>&1 || die "mariadb-install-db failed: see $MARIA_LOG"
  fi
  local port
  port=$(free_port $((33306 + PORT_OFFSET)))
  echo "$port" >"$MARIA_PORT_FILE"
  mkdir -p "$MARIA_RUN"
  chown mysql:mysql "$MARIA_RUN"
  rm -f "$MARIA_SOCK"
  log "starting MariaDB on 127.0.0.1:$port"
  setsid mariadbd --no-defaults --user=mysql --datadir="$MARIA_DATA" --socket="$MARIA_SOCK" \
    --pid-file="$MARIA_PID" --port="$port" --bind-address=127.0.0.1 --log-error="$MARIA_LOG" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_nopad_bin \
    --innodb-buffer-pool-size=1G --innodb-flush-log-at-trx-commit=2 --max-allowed-packet=256M \
    --skip-name-resolve </dev/null >>"$MARIA_LOG" 2>&1 &
  local server=$! i
  for i in $(seq 1 120); do
    if [ -S "$MARIA_SOCK" ] && maria_sql -e 'SELECT 1' >/dev/null 2>&1; then break; fi
    kill -0 "$server" 2>/dev/null || break
    sleep 0.5
  done
  maria_sql -e 'SELECT 1' >/dev/null 2>&1 || die "MariaDB did not start: see $MARIA_LOG"
  maria_sql >>"$MARIA_LOG" 2>&1 <<SQL || die "could not create the MariaDB test database: see $MARIA_LOG"
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'localhost';
FLUSH PRIVILEGES;
SQL
}

maria_stop() {
  if ! alive "$MARIA_PID"; then return; fi
  local pid
  pid=$(head -1 "$MARIA_PID")
  log "stopping MariaDB (pid $pid)"
  kill "$pid"
  local i
  for i in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && die "MariaDB (pid $pid) did not stop"
  rm -f "$MARIA_PID"
}

# ---- PostgreSQL ------------------------------------------------------------------------------

pg_as() { runuser -u postgres -- "$@"; }

pg_running() { [ -f "$PG_DATA/postmaster.pid" ] && alive "$PG_DATA/postmaster.pid"; }

pg_sql() { pg_as "$(pg_bin)/psql" -X -q -h "$PG_SOCK_DIR" -p "$(cat "$PG_PORT_FILE")" -U postgres -d postgres "$@"; }

pg_start() {
  local bin
  bin=$(pg_bin) || die "PostgreSQL is not installed"
  if pg_running; then return; fi
  mkdir -p "$PG_SOCK_DIR"
  chown postgres:postgres "$PG_SOCK_DIR"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "initialising PostgreSQL in $PG_DATA"
    mkdir -p "$PG_DATA"
    chown -R postgres:postgres "$PG_DATA"
    chmod 700 "$PG_DATA"
    pg_as "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >>"$PG_LOG" 2>&1 \
      || pg_as "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C >>"$PG_LOG" 2>&1 \
      || die "initdb failed: see $PG_LOG"
  fi
  touch "$PG_LOG"
  chown postgres:postgres "$PG_LOG"
  local port
  port=$(free_port $((35432 + PORT_OFFSET)))
  echo "$port" >"$PG_PORT_FILE"
  log "starting PostgreSQL on 127.0.0.1:$port"
  pg_as "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
    -o "-p $port -k $PG_SOCK_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c shared_buffers=256MB -c max_connections=200" \
    start >>"$PG_LOG" 2>&1 || die "PostgreSQL did not start: see $PG_LOG"
  if ! pg_sql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'" | grep -q 1; then
    pg_sql -c "CREATE ROLE $DB_USER LOGIN SUPERUSER PASSWORD '$DB_PASS'" >>"$PG_LOG" 2>&1 || die "could not create the PostgreSQL user: see $PG_LOG"
  fi
  if ! pg_sql -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
    pg_sql -c "CREATE DATABASE $DB_NAME OWNER $DB_USER ENCODING 'UTF8' TEMPLATE template0" >>"$PG_LOG" 2>&1 || die "could not create the PostgreSQL database: see $PG_LOG"
  fi
}

pg_stop() {
  if ! pg_running; then return; fi
  log "stopping PostgreSQL"
  pg_as "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >>"$PG_LOG" 2>&1 || die "PostgreSQL did not stop: see $PG_LOG"
}

print_urls() {
  maria_running && echo "TEST_MARIADB_URL=mysql://$DB_USER:$DB_PASS@127.0.0.1:$(cat "$MARIA_PORT_FILE")/$DB_NAME"
  pg_running && echo "TEST_POSTGRES_URL=postgres://$DB_USER:$DB_PASS@127.0.0.1:$(cat "$PG_PORT_FILE")/$DB_NAME"
  return 0
}

mkdir -p "$DIR"
case "${1:-}" in
  start)
    install_missing
    maria_start
    pg_start
    print_urls
    ;;
  stop)
    maria_stop
    pg_stop
    ;;
  status)
    maria_running && log "MariaDB running (pid $(head -1 "$MARIA_PID"))" || log "MariaDB stopped"
    pg_running && log "PostgreSQL running (pid $(head -1 "$PG_DATA/postmaster.pid"))" || log "PostgreSQL stopped"
    print_urls
    ;;
  *)
    die "usage: $0 start|stop|status"
    ;;
esac
