#!/usr/bin/env bash
# Apicurio Registry 3.x (Quarkus) as a Confluent-compatible schema registry for the dev/test stack.
#
#   bash scripts/stack/components/apicurio.sh up|down|status|restart
#   or: source it and call apicurio_up / apicurio_down / apicurio_status
#
# Storage: the build's default SQL storage on in-memory H2 (data is lost on stop, which is what the
# integration tests want: subjects are random per test). No Docker, only Maven Central for the download.
#
# Environment overrides:
#   APICURIO_VERSION          (3.3.3)   io.apicurio:apicurio-registry-app:<v>:tar.gz:all
#                             3.3.x is built for Java 21 (class files v65); 3.0.x runs on Java 17.
#   APICURIO_HOST / _PORT     (127.0.0.1 / 8081)
#   APICURIO_MGMT_PORT        (9081)    Quarkus management interface (health/metrics) of 3.1+,
#                             which otherwise binds 0.0.0.0:9000
#   APICURIO_JAVA             (java on PATH if new enough, else the newest /usr/lib/jvm JDK >= 21)
#   APICURIO_HEAP             (256m)    -Xmx
#   APICURIO_GLOBAL_COMPATIBILITY (BACKWARD) global compatibility rule (Confluent's default), via
#                             -Dapicurio.rules.global.compatibility; GET /config reports it and a
#                             subject's PUT /config/{subject} {"compatibility":"NONE"} overrides it
#                             (3.3.x; on 3.0.x a subject NONE does NOT override it). NONE = no global rule.
#   APICURIO_START_TIMEOUT    (120) seconds
#   FLOWFORGE_STACK_DIR       (<repo>/.stack)

_apicurio_repo_root() {
  local here
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  (cd "$here/../../.." && pwd)
}

_apicurio_init() {
  APICURIO_VERSION="${APICURIO_VERSION:-3.3.3}"
  APICURIO_HOST="${APICURIO_HOST:-127.0.0.1}"
  APICURIO_PORT="${APICURIO_PORT:-8081}"
  APICURIO_MGMT_PORT="${APICURIO_MGMT_PORT:-9081}"
  APICURIO_JAVA="${APICURIO_JAVA:-}"
  APICURIO_HEAP="${APICURIO_HEAP:-256m}"
  APICURIO_GLOBAL_COMPATIBILITY="${APICURIO_GLOBAL_COMPATIBILITY:-BACKWARD}"
  APICURIO_START_TIMEOUT="${APICURIO_START_TIMEOUT:-120}"
  _APICURIO_ROOT="$(_apicurio_repo_root)"
  _APICURIO_STACK="${FLOWFORGE_STACK_DIR:-$_APICURIO_ROOT/.stack}"
  _APICURIO_DL="$_APICURIO_STACK/downloads"
  _APICURIO_TGZ="$_APICURIO_DL/apicurio-registry-app-${APICURIO_VERSION}-all.tar.gz"
  _APICURIO_HOME="$_APICURIO_STACK/apicurio/$APICURIO_VERSION"
  # 3.1+ ships the Quarkus fast-jar layout (quarkus-run.jar), 3.0.x a legacy runner jar + lib/
  _APICURIO_JAR="$_APICURIO_HOME/quarkus-run.jar"
  [ -f "$_APICURIO_JAR" ] || [ ! -f "$_APICURIO_HOME/apicurio-registry-app-${APICURIO_VERSION}-runner.jar" ] ||
    _APICURIO_JAR="$_APICURIO_HOME/apicurio-registry-app-${APICURIO_VERSION}-runner.jar"
  _APICURIO_PID="$_APICURIO_STACK/run/apicurio.pid"
  _APICURIO_LOG="$_APICURIO_STACK/logs/apicurio.log"
  _APICURIO_ENV="$_APICURIO_STACK/env"
  _APICURIO_BASE="http://${APICURIO_HOST}:${APICURIO_PORT}"
  _APICURIO_CCOMPAT="$_APICURIO_BASE/apis/ccompat/v7"
  mkdir -p "$_APICURIO_DL" "$_APICURIO_HOME" "$(dirname "$_APICURIO_PID")" "$(dirname "$_APICURIO_LOG")"
}

_apicurio_log() { echo "[apicurio] $*" >&2; }

_apicurio_java_major() { # prints the feature version of the given java binary
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1
}

_apicurio_pick_java() {
  [ -n "$APICURIO_JAVA" ] && return 0
  local need=21 j v
  case "$APICURIO_VERSION" in 3.0.*|2.*) need=17 ;; esac
  for j in "$(command -v java 2>/dev/null)" $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV); do
    [ -x "$j" ] || continue
    v="$(_apicurio_java_major "$j")"
    if [ -n "$v" ] && [ "${v%%.*}" -ge "$need" ] 2>/dev/null; then APICURIO_JAVA="$j"; return 0; fi
  done
  _apicurio_log "no Java >= $need found (set APICURIO_JAVA)"
  return 1
}

_apicurio_pid_alive() {
  local pid
  [ -f "$_APICURIO_PID" ] || return 1
  pid="$(cat "$_APICURIO_PID" 2>/dev/null)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # guard against pid reuse: must be our jar
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$_APICURIO_STACK/apicurio/" || return 1
}

_apicurio_healthy() {
  [ "$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$_APICURIO_CCOMPAT/subjects" 2>/dev/null)" = "200" ]
}

_apicurio_fetch() {
  if [ -f "$_APICURIO_JAR" ]; then return 0; fi
  if [ ! -s "$_APICURIO_TGZ" ]; then
    _apicurio_log "downloading io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:tar.gz:all (Maven Central)"
    mvn -q dependency:copy \
      "-Dartifact=io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:tar.gz:all" \
      "-DoutputDirectory=$_APICURIO_DL" >&2 || { _apicurio_log "download failed"; return 1; }
  fi
  _apicurio_log "unpacking into $_APICURIO_HOME"
  local tmp="$_APICURIO_HOME.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  tar xzf "$_APICURIO_TGZ" -C "$tmp" || { rm -rf "$tmp"; _apicurio_log "unpack failed"; return 1; }
  rm -rf "$_APICURIO_HOME" && mv "$tmp" "$_APICURIO_HOME"
  _apicurio_init
  [ -f "$_APICURIO_JAR" ] || { _apicurio_log "runner jar not found in $_APICURIO_HOME"; return 1; }
}

_apicurio_write_env() {
  local line="FLOWFORGE_TEST_SCHEMA_REGISTRY_URL=$_APICURIO_CCOMPAT"
  touch "$_APICURIO_ENV"
  local tmp="$_APICURIO_ENV.tmp.$$"
  grep -v '^FLOWFORGE_TEST_SCHEMA_REGISTRY_URL=' "$_APICURIO_ENV" >"$tmp" || true
  echo "$line" >>"$tmp"
  mv "$tmp" "$_APICURIO_ENV"
}

apicurio_up() {
  _apicurio_init
  if _apicurio_pid_alive && _apicurio_healthy; then
    _apicurio_log "already running (pid $(cat "$_APICURIO_PID")) at $_APICURIO_CCOMPAT"
    _apicurio_write_env
    return 0
  fi
  if ! _apicurio_pid_alive && _apicurio_healthy; then
    # e.g. a second clone of the repo on a machine whose stack already runs (as kafka and connect do)
    _apicurio_log "REUSING the registry already answering at $_APICURIO_CCOMPAT (not started from this checkout; 'down' will not stop it)"
    _apicurio_write_env
    return 0
  fi
  if ! _apicurio_pid_alive && (exec 3<>"/dev/tcp/$APICURIO_HOST/$APICURIO_PORT") 2>/dev/null; then
    _apicurio_log "port $APICURIO_HOST:$APICURIO_PORT is taken by something else"
    return 1
  fi
  _apicurio_fetch || return 1
  _apicurio_pick_java || return 1

  if ! _apicurio_pid_alive; then
    local -a opts=(
      "-Xms64m" "-Xmx${APICURIO_HEAP}" "-XX:+UseSerialGC" "-XX:TieredStopAtLevel=1"
      "-Dquarkus.http.host=${APICURIO_HOST}" "-Dquarkus.http.port=${APICURIO_PORT}"
      "-Dquarkus.management.host=${APICURIO_HOST}" "-Dquarkus.management.port=${APICURIO_MGMT_PORT}"
      # in-memory H2 (the build's default); the default pool of 20 connections is overkill here
      "-Dapicurio.storage.kind=sql" "-Dapicurio.storage.sql.kind=h2"
      "-Dapicurio.datasource.jdbc.initial-size=2" "-Dapicurio.datasource.jdbc.min-size=2"
      "-Dapicurio.datasource.jdbc.max-size=20"
      "-Dquarkus.log.console.color=false"
    )
    if [ "${APICURIO_GLOBAL_COMPATIBILITY}" != "NONE" ]; then
      opts+=("-Dapicurio.rules.global.compatibility=${APICURIO_GLOBAL_COMPATIBILITY}")
    fi
    _apicurio_log "starting Apicurio Registry ${APICURIO_VERSION} with $APICURIO_JAVA on $_APICURIO_BASE (log $_APICURIO_LOG)"
    (
      cd "$_APICURIO_HOME" || exit 1
      nohup "$APICURIO_JAVA" "${opts[@]}" -jar "$_APICURIO_JAR" >>"$_APICURIO_LOG" 2>&1 </dev/null &
      echo $! >"$_APICURIO_PID"
    )
  fi

  local start=$SECONDS
  while ! _apicurio_healthy; do
    if ! _apicurio_pid_alive; then
      _apicurio_log "process died during startup; last log lines:"
      tail -n 30 "$_APICURIO_LOG" >&2
      rm -f "$_APICURIO_PID"
      return 1
    fi
    if (( SECONDS - start >= APICURIO_START_TIMEOUT )); then
      _apicurio_log "not healthy after ${APICURIO_START_TIMEOUT}s; see $_APICURIO_LOG"
      return 1
    fi
    printf '.' >&2
    sleep 1
  done
  (( SECONDS - start > 0 )) && echo >&2
  _apicurio_log "up after $((SECONDS - start))s (pid $(cat "$_APICURIO_PID")): $_APICURIO_CCOMPAT"
  _apicurio_write_env
}

apicurio_down() {
  _apicurio_init
  if ! _apicurio_pid_alive; then
    _apicurio_log "not running"
    rm -f "$_APICURIO_PID"
    return 0
  fi
  local pid i
  pid="$(cat "$_APICURIO_PID")"
  _apicurio_log "stopping pid $pid"
  kill "$pid" 2>/dev/null
  for i in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    _apicurio_log "still alive after 15s, SIGKILL"
    kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$_APICURIO_PID"
}

apicurio_status() {
  _apicurio_init
  if _apicurio_pid_alive; then
    local pid rss
    pid="$(cat "$_APICURIO_PID")"
    rss="$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' ')"
    if _apicurio_healthy; then
      echo "apicurio: running (pid $pid, rss $((rss / 1024)) MiB) $_APICURIO_CCOMPAT"
      return 0
    fi
    echo "apicurio: process $pid alive but $_APICURIO_CCOMPAT/subjects not answering 200"
    return 1
  fi
  echo "apicurio: stopped"
  return 3
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  case "${1:-}" in
    up) apicurio_up ;;
    down) apicurio_down ;;
    status) apicurio_status ;;
    restart) apicurio_down && apicurio_up ;;
    *) echo "usage: $0 up|down|status|restart" >&2; exit 2 ;;
  esac
fi
