#!/usr/bin/env bash
# Keycloak 26 (Quarkus distribution) in dev mode with the `flowforge` realm, for the dev/test stack.
#
#   bash scripts/stack/components/keycloak.sh up|down|status|restart|verify
#   or: source it and call keycloak_up / keycloak_down / keycloak_status (/ keycloak_verify)
#
# No Docker: org.keycloak:keycloak-quarkus-dist:<v>:zip comes from Maven Central (cached in ~/.m2 and
# .stack/downloads), is unzipped once into .stack/keycloak/<v>/ and started with
#   kc.sh start-dev --http-host=127.0.0.1 --http-port=8180 --import-realm
# Dev mode = dev-file H2 database in .stack/keycloak/<v>/keycloak-<v>/data/h2 (persists across restarts).
# The realm (scripts/stack/keycloak/flowforge-realm.json) is copied into <kc>/data/import/ on every start;
# Keycloak replaces ${FLOWFORGE_GATEWAY_CLIENT_SECRET} / ${FLOWFORGE_TEST_USER_PASSWORD} from the
# environment at import time. Import only happens while the realm does not exist yet, so when the realm
# file, the secrets or the admin password change the H2 database is wiped and everything is re-imported.
#
# Secrets (generated once, mode 0600; an environment value wins and is written back to the file):
#   .stack/keycloak/secrets.env      FLOWFORGE_GATEWAY_CLIENT_SECRET, FLOWFORGE_TEST_USER_PASSWORD
#   .stack/keycloak/admin-password   master realm `admin` (KC_BOOTSTRAP_ADMIN_PASSWORD overrides)
# .stack/env gets FLOWFORGE_TEST_KEYCLOAK_URL, FLOWFORGE_TEST_KEYCLOAK_REALM, FLOWFORGE_TEST_KEYCLOAK_SECRETS.
#
# Environment overrides:
#   KEYCLOAK_VERSION          (26.7.3)
#   KEYCLOAK_HOST / _PORT     (127.0.0.1 / 8180)
#   KEYCLOAK_JAVA_HOME        (/usr/lib/jvm/temurin-25-jdk-amd64; Keycloak 26 needs Java 21+)
#   KEYCLOAK_HEAP             (-Xms256m -Xmx768m)  -> JAVA_OPTS_KC_HEAP
#   KEYCLOAK_START_TIMEOUT    (180) seconds
#   FLOWFORGE_STACK_DIR       (<repo>/.stack)

_keycloak_repo_root() {
  local here
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  (cd "$here/../../.." && pwd)
}

_keycloak_init() {
  KEYCLOAK_VERSION="${KEYCLOAK_VERSION:-26.7.3}"
  KEYCLOAK_HOST="${KEYCLOAK_HOST:-127.0.0.1}"
  KEYCLOAK_PORT="${KEYCLOAK_PORT:-8180}"
  KEYCLOAK_JAVA_HOME="${KEYCLOAK_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
  KEYCLOAK_HEAP="${KEYCLOAK_HEAP:--Xms256m -Xmx768m}"
  KEYCLOAK_START_TIMEOUT="${KEYCLOAK_START_TIMEOUT:-180}"
  KEYCLOAK_REALM=flowforge
  _KC_ROOT="$(_keycloak_repo_root)"
  _KC_STACK="${FLOWFORGE_STACK_DIR:-$_KC_ROOT/.stack}"
  _KC_DL="$_KC_STACK/downloads"
  _KC_ZIP="$_KC_DL/keycloak-quarkus-dist-${KEYCLOAK_VERSION}.zip"
  _KC_BASE_DIR="$_KC_STACK/keycloak"
  _KC_INSTALL="$_KC_BASE_DIR/$KEYCLOAK_VERSION"
  _KC_HOME="$_KC_INSTALL/keycloak-$KEYCLOAK_VERSION"
  _KC_REALM_SRC="$_KC_ROOT/scripts/stack/keycloak/flowforge-realm.json"
  _KC_SECRETS="$_KC_BASE_DIR/secrets.env"
  _KC_ADMIN_PW="$_KC_BASE_DIR/admin-password"
  _KC_PID="$_KC_STACK/run/keycloak.pid"
  _KC_LOG="$_KC_STACK/logs/keycloak.log"
  _KC_ENV="$_KC_STACK/env"
  _KC_URL="http://${KEYCLOAK_HOST}:${KEYCLOAK_PORT}"
  _KC_WELL_KNOWN="$_KC_URL/realms/$KEYCLOAK_REALM/.well-known/openid-configuration"
  mkdir -p "$_KC_DL" "$_KC_BASE_DIR" "$(dirname "$_KC_PID")" "$(dirname "$_KC_LOG")"
}

_keycloak_log() { echo "[keycloak] $*" >&2; }

_keycloak_pid_alive() {
  local pid
  [ -f "$_KC_PID" ] || return 1
  pid="$(cat "$_KC_PID" 2>/dev/null)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # guard against pid reuse: kc.sh (or the java it exec'd) of OUR install
  local cmd
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmd" == *"$_KC_HOME"* ]]
}

# the JVM: kc.sh runs java as a child (and exec's it after an implicit re-augmentation)
_keycloak_java_pid() {
  local pid child cmd
  pid="$(cat "$_KC_PID" 2>/dev/null)" || return 0
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 0
  if [[ "$cmd" == *QuarkusEntryPoint* ]]; then
    echo "$pid"
    return 0
  fi
  child="$(pgrep -P "$pid" java 2>/dev/null | head -n 1)" || true
  [ -z "$child" ] || echo "$child"
}

_keycloak_healthy() {
  [ "$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$_KC_WELL_KNOWN" 2>/dev/null)" = "200" ]
}

_keycloak_fetch() {
  if [ -x "$_KC_HOME/bin/kc.sh" ]; then return 0; fi
  if [ ! -s "$_KC_ZIP" ]; then
    _keycloak_log "downloading org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip (Maven Central)"
    mvn -B -q dependency:copy \
      "-Dartifact=org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip" \
      "-DoutputDirectory=$_KC_DL" >&2 || { _keycloak_log "download failed"; return 1; }
  fi
  _keycloak_log "unpacking into $_KC_INSTALL"
  local tmp="$_KC_INSTALL.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  unzip -q "$_KC_ZIP" -d "$tmp" || { rm -rf "$tmp"; _keycloak_log "unpack failed"; return 1; }
  rm -rf "$_KC_INSTALL" && mv "$tmp" "$_KC_INSTALL"
  [ -x "$_KC_HOME/bin/kc.sh" ] || { _keycloak_log "kc.sh not found: $_KC_HOME/bin/kc.sh"; return 1; }
}

# random password that satisfies the realm policy (length 12, upper, lower, digit, not the username)
_keycloak_gen_password() {
  local r
  r="$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom 2>/dev/null | head -c 21)" || true
  echo "Ff7${r}"
}

_keycloak_gen_hex() { od -An -N"${1:-24}" -tx1 /dev/urandom | tr -d ' \n' || true; }

# fills FLOWFORGE_GATEWAY_CLIENT_SECRET, FLOWFORGE_TEST_USER_PASSWORD, _KC_ADMIN_PASSWORD
_keycloak_secrets() {
  local file_secret="" file_pw=""
  if [ -f "$_KC_SECRETS" ]; then
    file_secret="$(sed -n 's/^FLOWFORGE_GATEWAY_CLIENT_SECRET=//p' "$_KC_SECRETS" | tail -n 1)"
    file_pw="$(sed -n 's/^FLOWFORGE_TEST_USER_PASSWORD=//p' "$_KC_SECRETS" | tail -n 1)"
  fi
  FLOWFORGE_GATEWAY_CLIENT_SECRET="${FLOWFORGE_GATEWAY_CLIENT_SECRET:-${file_secret:-$(_keycloak_gen_hex 24)}}"
  FLOWFORGE_TEST_USER_PASSWORD="${FLOWFORGE_TEST_USER_PASSWORD:-${file_pw:-$(_keycloak_gen_password)}}"
  export FLOWFORGE_GATEWAY_CLIENT_SECRET FLOWFORGE_TEST_USER_PASSWORD
  # Keycloak enforces the realm's passwordPolicy on import and refuses to start otherwise
  # (ERROR: invalidPasswordMinUpperCaseCharsMessage), so check it here with a clear message
  local p="$FLOWFORGE_TEST_USER_PASSWORD"
  if (( ${#p} < 12 )) || [[ ! "$p" =~ [A-Z] ]] || [[ ! "$p" =~ [a-z] ]] || [[ ! "$p" =~ [0-9] ]] ||
    [[ "$p" == *-user ]]; then
    _keycloak_log "FLOWFORGE_TEST_USER_PASSWORD does not satisfy the realm password policy" \
      "(>= 12 chars, an upper-case letter, a lower-case letter, a digit, not the username)"
    return 1
  fi
  if [ -z "$FLOWFORGE_GATEWAY_CLIENT_SECRET" ]; then
    _keycloak_log "FLOWFORGE_GATEWAY_CLIENT_SECRET is empty"
    return 1
  fi
  if [ "$file_secret" != "$FLOWFORGE_GATEWAY_CLIENT_SECRET" ] || [ "$file_pw" != "$FLOWFORGE_TEST_USER_PASSWORD" ]; then
    (
      umask 077
      {
        echo "# generated by scripts/stack/components/keycloak.sh (realm ${KEYCLOAK_REALM}, ${_KC_URL})"
        echo "FLOWFORGE_TEST_KEYCLOAK_URL=$_KC_URL"
        echo "FLOWFORGE_TEST_KEYCLOAK_REALM=$KEYCLOAK_REALM"
        echo "FLOWFORGE_TEST_KEYCLOAK_CLIENT_ID=flowforge-gateway"
        echo "FLOWFORGE_GATEWAY_CLIENT_SECRET=$FLOWFORGE_GATEWAY_CLIENT_SECRET"
        echo "FLOWFORGE_TEST_USER_PASSWORD=$FLOWFORGE_TEST_USER_PASSWORD"
      } >"$_KC_SECRETS.tmp"
      mv "$_KC_SECRETS.tmp" "$_KC_SECRETS"
    )
  fi
  chmod 600 "$_KC_SECRETS"

  local file_admin=""
  [ -f "$_KC_ADMIN_PW" ] && file_admin="$(head -n 1 "$_KC_ADMIN_PW")"
  _KC_ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-${file_admin:-$(_keycloak_gen_password)}}"
  if [ "$file_admin" != "$_KC_ADMIN_PASSWORD" ]; then
    (umask 077 && echo "$_KC_ADMIN_PASSWORD" >"$_KC_ADMIN_PW.tmp" && mv "$_KC_ADMIN_PW.tmp" "$_KC_ADMIN_PW")
  fi
  chmod 600 "$_KC_ADMIN_PW"
}

# copy the realm into data/import; wipe the dev H2 database when realm/secrets/admin changed
_keycloak_prepare_import() {
  local data="$_KC_HOME/data" stamp fp old=""
  mkdir -p "$data/import"
  cp "$_KC_REALM_SRC" "$data/import/flowforge-realm.json" || return 1
  stamp="$data/.flowforge-import.sha256"
  fp="$( { cat "$_KC_REALM_SRC"; echo "$FLOWFORGE_GATEWAY_CLIENT_SECRET"; echo "$FLOWFORGE_TEST_USER_PASSWORD"; echo "$_KC_ADMIN_PASSWORD"; } | sha256sum | cut -d' ' -f1)"
  [ -f "$stamp" ] && old="$(cat "$stamp")"
  if [ "$old" != "$fp" ]; then
    if [ -d "$data/h2" ]; then
      _keycloak_log "realm file or secrets changed: wiping the dev database $data/h2 (fresh import)"
      rm -rf "$data/h2"
    fi
    echo "$fp" >"$stamp"
  fi
}

_keycloak_write_env() {
  touch "$_KC_ENV"
  local tmp="$_KC_ENV.tmp.$$"
  grep -v -E '^FLOWFORGE_TEST_KEYCLOAK_(URL|REALM|SECRETS)=' "$_KC_ENV" >"$tmp" || true
  {
    echo "FLOWFORGE_TEST_KEYCLOAK_URL=$_KC_URL"
    echo "FLOWFORGE_TEST_KEYCLOAK_REALM=$KEYCLOAK_REALM"
    echo "FLOWFORGE_TEST_KEYCLOAK_SECRETS=$_KC_SECRETS"
  } >>"$tmp"
  mv "$tmp" "$_KC_ENV"
}

keycloak_up() {
  _keycloak_init
  if _keycloak_pid_alive && _keycloak_healthy; then
    _keycloak_log "already running (pid $(cat "$_KC_PID")) at $_KC_URL"
    _keycloak_write_env
    return 0
  fi
  if ! _keycloak_pid_alive && _keycloak_healthy; then
    _keycloak_log "$_KC_WELL_KNOWN already answers but not from our pid file; not starting a second one"
    return 1
  fi
  if ! _keycloak_pid_alive && (exec 3<>"/dev/tcp/$KEYCLOAK_HOST/$KEYCLOAK_PORT") 2>/dev/null; then
    _keycloak_log "port $KEYCLOAK_HOST:$KEYCLOAK_PORT is taken by something else"
    return 1
  fi
  if [ ! -x "$KEYCLOAK_JAVA_HOME/bin/java" ]; then
    _keycloak_log "no java at $KEYCLOAK_JAVA_HOME (Keycloak 26 needs Java 21+; set KEYCLOAK_JAVA_HOME)"
    return 1
  fi
  _keycloak_fetch || return 1

  if ! _keycloak_pid_alive; then
    _keycloak_secrets || return 1
    _keycloak_prepare_import || { _keycloak_log "cannot copy realm $_KC_REALM_SRC"; return 1; }
    _keycloak_log "starting Keycloak ${KEYCLOAK_VERSION} (dev mode) on $_KC_URL (log $_KC_LOG)"
    (
      cd "$_KC_HOME" || exit 1
      export JAVA_HOME="$KEYCLOAK_JAVA_HOME"
      export JAVA_OPTS_KC_HEAP="$KEYCLOAK_HEAP"
      export KC_BOOTSTRAP_ADMIN_USERNAME=admin
      export KC_BOOTSTRAP_ADMIN_PASSWORD="$_KC_ADMIN_PASSWORD"
      export FLOWFORGE_GATEWAY_CLIENT_SECRET FLOWFORGE_TEST_USER_PASSWORD
      echo "=== $(date -u +%FT%TZ) keycloak_up ${KEYCLOAK_VERSION}" >>"$_KC_LOG"
      nohup setsid "$_KC_HOME/bin/kc.sh" start-dev \
        "--http-host=$KEYCLOAK_HOST" "--http-port=$KEYCLOAK_PORT" --import-realm \
        >>"$_KC_LOG" 2>&1 </dev/null &
      echo $! >"$_KC_PID"
    )
  fi

  local start=$SECONDS
  while ! _keycloak_healthy; do
    if ! _keycloak_pid_alive; then
      _keycloak_log "process died during startup; last log lines:"
      tail -n 40 "$_KC_LOG" >&2
      rm -f "$_KC_PID"
      return 1
    fi
    if (( SECONDS - start >= KEYCLOAK_START_TIMEOUT )); then
      _keycloak_log "not healthy after ${KEYCLOAK_START_TIMEOUT}s; see $_KC_LOG"
      return 1
    fi
    if (( (SECONDS - start) % 10 == 0 )); then printf '%ss' "$((SECONDS - start))" >&2; else printf '.' >&2; fi
    sleep 1
  done
  (( SECONDS - start > 0 )) && echo >&2
  _keycloak_log "up after $((SECONDS - start))s (pid $(cat "$_KC_PID")): $_KC_URL/realms/$KEYCLOAK_REALM"
  _keycloak_write_env
}

keycloak_down() {
  _keycloak_init
  if ! _keycloak_pid_alive; then
    _keycloak_log "not running"
    rm -f "$_KC_PID"
    return 0
  fi
  local pid jpid i
  pid="$(cat "$_KC_PID")"
  jpid="$(_keycloak_java_pid)"
  _keycloak_log "stopping pid $pid${jpid:+ (java $jpid)}"
  kill "$pid" 2>/dev/null # kc.sh forwards TERM to the JVM
  [ -n "$jpid" ] && [ "$jpid" != "$pid" ] && kill "$jpid" 2>/dev/null
  for i in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { [ -n "$jpid" ] && kill -0 "$jpid" 2>/dev/null; } || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null || { [ -n "$jpid" ] && kill -0 "$jpid" 2>/dev/null; }; then
    _keycloak_log "still alive after 30s, SIGKILL"
    kill -9 "$pid" 2>/dev/null
    [ -n "$jpid" ] && kill -9 "$jpid" 2>/dev/null
  fi
  rm -f "$_KC_PID"
}

keycloak_status() {
  _keycloak_init
  if _keycloak_pid_alive; then
    local pid jpid rss
    pid="$(cat "$_KC_PID")"
    jpid="$(_keycloak_java_pid)"
    rss="$(ps -o rss= -p "${jpid:-$pid}" 2>/dev/null | tr -d ' ')"
    if _keycloak_healthy; then
      echo "keycloak: running (pid $pid, java ${jpid:-?}, rss $(( ${rss:-0} / 1024 )) MiB) $_KC_URL/realms/$KEYCLOAK_REALM"
      return 0
    fi
    echo "keycloak: process $pid alive but $_KC_WELL_KNOWN not answering 200"
    return 1
  fi
  echo "keycloak: stopped"
  return 3
}

# password grant for each test user through flowforge-gateway; checks realm_access.roles
keycloak_verify() {
  _keycloak_init
  _keycloak_secrets || return 1
  local role user body token payload ok=0
  for role in admin developer operator analyst; do
    user="${role}-user"
    body="$(curl -s -m 10 "$_KC_URL/realms/$KEYCLOAK_REALM/protocol/openid-connect/token" \
      --data-urlencode grant_type=password --data-urlencode client_id=flowforge-gateway \
      --data-urlencode "client_secret=$FLOWFORGE_GATEWAY_CLIENT_SECRET" \
      --data-urlencode "username=$user" --data-urlencode "password=$FLOWFORGE_TEST_USER_PASSWORD" \
      --data-urlencode scope=openid)"
    token="$(printf '%s' "$body" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
    if [ -z "$token" ]; then
      echo "FAIL $user: $body"
      ok=1
      continue
    fi
    payload="$(printf '%s' "$token" | cut -d. -f2 | tr '_-' '/+')"
    while (( ${#payload} % 4 )); do payload="$payload="; done
    payload="$(printf '%s' "$payload" | base64 -d 2>/dev/null)"
    if printf '%s' "$payload" | grep -Eq "\"realm_access\":\\{\"roles\":\\[[^]]*\"$role\""; then
      echo "OK   $user: realm_access=$(printf '%s' "$payload" | grep -o '"realm_access":{[^}]*}')"
    else
      echo "FAIL $user: role $role missing in token payload: $payload"
      ok=1
    fi
  done
  return $ok
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  case "${1:-}" in
    up) keycloak_up ;;
    down) keycloak_down ;;
    status) keycloak_status ;;
    restart) keycloak_down && keycloak_up ;;
    verify) keycloak_verify ;;
    *)
      echo "usage: $0 up|down|status|restart|verify" >&2
      exit 2
      ;;
  esac
fi
