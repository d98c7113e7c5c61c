#!/usr/bin/env bash
# The machine's MariaDB (not started/stopped by the stack), reconfigured for CDC: the binary log on, in
# ROW format with full row images, which Debezium's MariaDB connector reads (services/triggers/src/cdc/README.md).
#
#   bash scripts/stack/components/mariadb.sh up|down|status
#
# up: writes $MARIADB_CNF_DIR/60-flowforge-cdc.cnf (log_bin, binlog_format=ROW, binlog_row_image=FULL,
# server_id, 1-day binlog expiry), adds `!includedir $MARIADB_CNF_DIR/` to /etc/mysql/my.cnf when that file
# includes no such directory, and restarts the server ONLY when the running one does not have these
# settings yet (every open connection is dropped then, once per machine). Starts the server when it is
# installed but down. A machine without MariaDB is skipped with a message (not an error).
# Writes FLOWFORGE_TEST_MARIADB_URL=mysql://root@127.0.0.1:3306 to .stack/env when the binlog is on.
# down: leaves the server running (like the postgres component).
#
# Environment overrides: MARIADB_HOST (127.0.0.1), MARIADB_PORT (3306), MARIADB_USER (root, no password),
# MARIADB_CNF (/etc/mysql/my.cnf), MARIADB_CNF_DIR (/etc/mysql/mariadb.conf.d), FLOWFORGE_STACK_DIR.

_mariadb_init() {
  MARIADB_HOST="${MARIADB_HOST:-127.0.0.1}"
  MARIADB_PORT="${MARIADB_PORT:-3306}"
  MARIADB_USER="${MARIADB_USER:-root}"
  MARIADB_CNF="${MARIADB_CNF:-/etc/mysql/my.cnf}"
  MARIADB_CNF_DIR="${MARIADB_CNF_DIR:-/etc/mysql/mariadb.conf.d}"
  local here
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  _MARIADB_STACK="${FLOWFORGE_STACK_DIR:-$(cd "$here/../../.." && pwd)/.stack}"
  _MARIADB_ENV="$_MARIADB_STACK/env"
  _MARIADB_URL="mysql://$MARIADB_USER@$MARIADB_HOST:$MARIADB_PORT"
}

_mariadb_log() { echo "[mariadb] $*" >&2; }
_mariadb_client() { command -v mariadb 2>/dev/null || command -v mysql 2>/dev/null; }
_mariadb_server() { command -v mariadbd 2>/dev/null || { [ -x /usr/sbin/mariadbd ] && echo /usr/sbin/mariadbd; }; }
_mariadb_q() { "$(_mariadb_client)" -h "$MARIADB_HOST" -P "$MARIADB_PORT" -u "$MARIADB_USER" -N -B -e "$1" 2>/dev/null; }
_mariadb_ready() { _mariadb_q 'select 1' >/dev/null; }
_mariadb_var() { _mariadb_q "select @@global.$1"; }
_mariadb_cdc_ready() { [ "$(_mariadb_var log_bin)" = 1 ] && [ "$(_mariadb_var binlog_format)" = ROW ] && [ "$(_mariadb_var binlog_row_image)" = FULL ]; }

_mariadb_set_env() {
  touch "$_MARIADB_ENV"
  local tmp="$_MARIADB_ENV.tmp.$$"
  grep -v '^FLOWFORGE_TEST_MARIADB_URL=' "$_MARIADB_ENV" >"$tmp" || true
  [ -z "${1:-}" ] || echo "FLOWFORGE_TEST_MARIADB_URL=$1" >>"$tmp"
  mv "$tmp" "$_MARIADB_ENV"
}

_mariadb_start() { # detached, in its own session, as the machine starts it (user= in my.cnf drops root)
  local bin; bin="$(_mariadb_server)"
  (setsid nohup "$bin" >/dev/null 2>&1 </dev/null 9>&- &)
  local i; for (( i = 0; i < 120; i++ )); do _mariadb_ready && return 0; sleep 0.5; done
  _mariadb_log "did not answer on $MARIADB_HOST:$MARIADB_PORT within 60 s after the start (see its error log, log-error in $MARIADB_CNF)"
  return 1
}

_mariadb_stop() {
  local pid; pid="$(_mariadb_q 'select @@global.pid_file' | xargs -r cat 2>/dev/null)"
  "$(command -v mariadb-admin 2>/dev/null || command -v mysqladmin)" -h "$MARIADB_HOST" -P "$MARIADB_PORT" -u "$MARIADB_USER" shutdown || return 1
  local i
  for (( i = 0; i < 120; i++ )); do
    if [ -n "$pid" ]; then kill -0 "$pid" 2>/dev/null || return 0; elif ! _mariadb_ready; then return 0; fi
    sleep 0.5
  done
  _mariadb_log "still running 60 s after the shutdown"
  return 1
}

_mariadb_write_cnf() {
  mkdir -p "$MARIADB_CNF_DIR"
  cat >"$MARIADB_CNF_DIR/60-flowforge-cdc.cnf.tmp" <<'EOF'
# written by FlowForge scripts/stack/components/mariadb.sh: the binary log Debezium's MariaDB connector reads
[mysqld]
log_bin = mysql-bin
binlog_format = ROW
binlog_row_image = FULL
server_id = 1
binlog_expire_logs_seconds = 86400
EOF
  mv "$MARIADB_CNF_DIR/60-flowforge-cdc.cnf.tmp" "$MARIADB_CNF_DIR/60-flowforge-cdc.cnf"
  if [ -f "$MARIADB_CNF" ] && ! grep -Eq "^[[:space:]]*!includedir[[:space:]]+$MARIADB_CNF_DIR/?[[:space:]]*$" "$MARIADB_CNF"; then
    printf '\n# added by FlowForge scripts/stack/components/mariadb.sh\n!includedir %s/\n' "$MARIADB_CNF_DIR" >>"$MARIADB_CNF"
    _mariadb_log "added '!includedir $MARIADB_CNF_DIR/' to $MARIADB_CNF"
  fi
}

mariadb_up() {
  _mariadb_init
  if [ -z "$(_mariadb_client)" ] || [ -z "$(_mariadb_server)" ]; then
    _mariadb_log "MariaDB is not installed on this machine: skipped (CDC from MariaDB cannot be tested)"
    _mariadb_set_env ""
    return 0
  fi
  _mariadb_write_cnf
  if ! _mariadb_ready; then
    _mariadb_log "not answering on $MARIADB_HOST:$MARIADB_PORT: starting $(_mariadb_server)"
    _mariadb_start || return 1
  fi
  if ! _mariadb_cdc_ready; then
    _mariadb_log "log_bin=$(_mariadb_var log_bin) binlog_format=$(_mariadb_var binlog_format): restarting for the binary log in ROW format"
    _mariadb_stop || return 1
    _mariadb_start || return 1
    _mariadb_cdc_ready || { _mariadb_log "the binary log is still off or not ROW after the restart (is $MARIADB_CNF_DIR/60-flowforge-cdc.cnf read? mariadbd --print-defaults)"; return 1; }
  fi
  _mariadb_log "ready on $MARIADB_HOST:$MARIADB_PORT (log_bin=ON, binlog_format=ROW, binlog_row_image=FULL)"
  _mariadb_set_env "$_MARIADB_URL"
}

mariadb_down() {
  _mariadb_init
  _mariadb_log "the machine's server is left running (not started by the stack)"
  _mariadb_set_env ""
}

mariadb_status() {
  _mariadb_init
  if [ -z "$(_mariadb_client)" ]; then echo "mariadb   absent (not installed)"; return 0; fi
  if _mariadb_ready; then
    echo "mariadb   up    $MARIADB_HOST:$MARIADB_PORT (machine server $(_mariadb_q 'select version()'), log_bin=$(_mariadb_var log_bin), binlog_format=$(_mariadb_var binlog_format))"
  else
    echo "mariadb   down  $MARIADB_HOST:$MARIADB_PORT"
    return 1
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  case "${1:-}" in
    up) mariadb_up ;;
    down) mariadb_down ;;
    status) mariadb_status ;;
    *)
      echo "usage: $0 up|down|status" >&2
      exit 2
      ;;
  esac
fi
