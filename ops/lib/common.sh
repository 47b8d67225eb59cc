# Helpers shared by ops/flink-cluster.sh and ops/kafka-broker.sh. Sourced, not run.
#
# Environment:
#   CONTRAFLOW_OPS_DIR   run directory for pid files, logs, data and classpaths (default target/ops)
#   JAVA_HOME            the JDK 17 to run with (default: java on PATH)
#   MVN                  the Maven command (default mvn)

OPS_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_ROOT=$(cd "$OPS_HOME/.." && pwd)
SCRIPT_NAME=$(basename "$0")

mkdir -p "${CONTRAFLOW_OPS_DIR:-$REPO_ROOT/target/ops}"
RUN_DIR=$(cd "${CONTRAFLOW_OPS_DIR:-$REPO_ROOT/target/ops}" && pwd)

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
MVN="${MVN:-mvn}"

say() { echo "$SCRIPT_NAME: $*"; }
die() { echo "$SCRIPT_NAME: $*" >&2; exit 1; }

# build_classpath POM OUT [MAVEN_ARGS...]: writes the runtime classpath of POM to OUT (one line,
# ':'-separated), offline from the local repository when it can, otherwise resolving from Maven
# Central. Reuses OUT while it is newer than POM and every jar in it still exists.
build_classpath() {
  local pom=$1 out=$2 jar stale=false
  shift 2
  if [[ -s "$out" && ! "$pom" -nt "$out" ]]; then
    local IFS=:
    for jar in $(<"$out"); do
      [[ -e "$jar" ]] || { stale=true; break; }
    done
    $stale || return 0
  fi
  command -v "$MVN" >/dev/null || die "Maven ($MVN) not found: it resolves the classpath from $pom"
  local args=(-B -q -f "$pom" dependency:build-classpath "-Dmdep.outputFile=$out" -Djavacpp.platform=linux-x86_64 "$@")
  say "resolving the classpath of ${pom#"$REPO_ROOT"/}"
  if ! "$MVN" -o "${args[@]}" >"$out.log" 2>&1; then
    "$MVN" "${args[@]}" >"$out.log" 2>&1 || { cat "$out.log" >&2; die "could not resolve $pom (log: $out.log)"; }
  fi
  [[ -s "$out" ]] || die "Maven wrote no classpath to $out (log: $out.log)"
}

# is_running PIDFILE MAIN_CLASS: true when PIDFILE names a live process running MAIN_CLASS (so a
# reused pid of some other process is never taken for ours).
is_running() {
  local pidfile=$1 main_class=$2 pid
  [[ -s "$pidfile" ]] || return 1
  pid=$(<"$pidfile")
  kill -0 "$pid" 2>/dev/null || return 1
  ps -p "$pid" -o args= 2>/dev/null | grep -qF -- "$main_class"
}

# stop_process PIDFILE MAIN_CLASS NAME: SIGTERM, up to 30 s for a clean shutdown, then SIGKILL.
stop_process() {
  local pidfile=$1 main_class=$2 name=$3 pid i
  if ! is_running "$pidfile" "$main_class"; then
    rm -f "$pidfile"
    say "$name is not running"
    return 0
  fi
  pid=$(<"$pidfile")
  say "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name did not stop within 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# rotate_log FILE: FILE becomes FILE.1 (FILE.1 becomes FILE.2, ...), keeping five old logs, so
# that each start begins a fresh log as Flink's and Kafka's own scripts do.
rotate_log() {
  local log=$1 i
  [[ -e "$log" ]] || return 0
  for ((i = 4; i >= 1; i--)); do
    [[ ! -e "$log.$i" ]] || mv -f "$log.$i" "$log.$((i + 1))"
  done
  mv -f "$log" "$log.1"
}

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# http_get URL: the body of an HTTP GET that answers 200; curl when installed, otherwise bash's
# /dev/tcp, so that a machine with nothing but a JDK and Maven runs these scripts too.
http_get() {
  local url=$1
  if command -v curl >/dev/null; then
    curl -sf --max-time 10 "$url"
    return
  fi
  local rest=${url#http://} address path response
  address=${rest%%/*}
  path=/${rest#*/}
  response=$(timeout 10 bash -c 'exec 3<>"/dev/tcp/$1/$2" &&
    printf "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" "$3" "$1" >&3 &&
    cat <&3' _ "${address%:*}" "${address##*:}" "$path" 2>/dev/null) || return 1
  [[ "$response" == "HTTP/1."?" 200 "* ]] || return 1
  printf '%s\n' "${response#*$'\r\n\r\n'}"
}

# require_free_port HOST PORT WHAT VARIABLE
require_free_port() {
  if port_open "$1" "$2"; then
    die "$1:$2 ($3) is already in use; stop what listens there or choose another port with $4"
  fi
}

# wait_for TIMEOUT_S WHAT PIDFILE MAIN_CLASS LOG COMMAND...: polls COMMAND every 0.5 s until it
# succeeds; fails early, with the log's tail, when the process dies.
wait_for() {
  local timeout=$1 what=$2 pidfile=$3 main_class=$4 log=$5
  shift 5
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    if ! is_running "$pidfile" "$main_class"; then
      echo "--- last lines of $log" >&2
      tail -n 30 "$log" | cut -c1-300 >&2 || true
      die "$what: the process exited (full log: $log)"
    fi
    if ((SECONDS >= deadline)); then
      echo "--- last lines of $log" >&2
      tail -n 30 "$log" | cut -c1-300 >&2 || true
      die "$what: not reached within ${timeout} s (full log: $log)"
    fi
    sleep 0.5
  done
}
