#!/usr/bin/env bash
# A standalone Flink 2.2 session cluster on loopback from Maven artifacts: one JobManager and one
# TaskManager, each its own JVM, as Flink's bin/start-cluster.sh would start them.
#
#   ops/flink-cluster.sh start|stop|status
#   ops/flink-cluster.sh kill-taskmanager|start-taskmanager [N]   (N: 1..CONTRAFLOW_FLINK_TASKMANAGERS)
#   ops/flink-cluster.sh kill-jobmanager|start-jobmanager
#
# kill-* sends SIGKILL (a crash: no shutdown hook, no goodbye to the other processes) and start-*
# starts that one process again with the cluster's configuration: ops/faults.sh injects faults
# with them.
#
# start resolves the classpaths of ops/flink/pom.xml (Flink) and ops/flink/lib/pom.xml (ND4J/DL4J,
# loaded parent-first), starts
# StandaloneSessionClusterEntrypoint and TaskManagerRunner with --configDir ops/flink/conf, and
# returns once REST /overview counts one TaskManager and its slots. Pid files, logs and temporary files go to
# $CONTRAFLOW_OPS_DIR/flink (default target/ops/flink).
#
# Environment (all optional):
#   CONTRAFLOW_OPS_DIR             run directory (default target/ops)
#   CONTRAFLOW_FLINK_CONF_DIR      configuration directory (default ops/flink/conf)
#   CONTRAFLOW_FLINK_REST_PORT     REST/web UI port (default: rest.port of the configuration, 8081)
#   CONTRAFLOW_FLINK_RPC_PORT      JobManager RPC port (default: jobmanager.rpc.port, 6123)
#   CONTRAFLOW_FLINK_PROMETHEUS_PORTS  Prometheus reporter ports, e.g. 9349-9359 (default:
#                                  metrics.reporter.prom.port, 9249-9259; JobManager first)
#   CONTRAFLOW_FLINK_TASKMANAGERS  how many TaskManagers (default 1)
#   CONTRAFLOW_FLINK_PROPERTIES    more settings on top of config.yaml, space-separated key=value
#                                  (e.g. "taskmanager.numberOfTaskSlots=1")
#   CONTRAFLOW_FLINK_START_TIMEOUT seconds to wait for each process (default 180)
#   CONTRAFLOW_JAVACPP_CACHEDIR    where ND4J unpacks its natives (default ~/.javacpp/cache)
#   FLINK_PLUGINS_DIR              Flink plugins, one folder each (default: plugins in the run directory)
#   OMP_WAIT_POLICY                for the TaskManager (default PASSIVE)
#   JAVA_HOME, MVN
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

readonly JM_CLASS=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
readonly TM_CLASS=org.apache.flink.runtime.taskexecutor.TaskManagerRunner
readonly BASH_JAVA_UTILS=org.apache.flink.runtime.util.bash.BashJavaUtils
readonly EXEC_RESULT=BASH_JAVA_UTILS_EXEC_RESULT:

CONF_DIR=$(cd "${CONTRAFLOW_FLINK_CONF_DIR:-$OPS_HOME/flink/conf}" && pwd)
FLINK_RUN=$RUN_DIR/flink
LOG_DIR=$FLINK_RUN/log
JM_PID=$FLINK_RUN/jobmanager.pid
TASKMANAGERS=${CONTRAFLOW_FLINK_TASKMANAGERS:-1}
[[ "$TASKMANAGERS" =~ ^[1-9][0-9]*$ ]] ||
  die "CONTRAFLOW_FLINK_TASKMANAGERS=$TASKMANAGERS: give the number of TaskManagers, 1 or more"
CLASSPATH_FILE=$FLINK_RUN/classpath.txt
LIB_CLASSPATH_FILE=$FLINK_RUN/lib-classpath.txt
START_TIMEOUT=${CONTRAFLOW_FLINK_START_TIMEOUT:-180}

# Run-specific settings on top of config.yaml, as Flink dynamic properties.
dynamic_properties() {
  DYNAMIC=(
    -D "io.tmp.dirs=$FLINK_RUN/tmp"
    -D "web.tmpdir=$FLINK_RUN/tmp"
    -D "web.upload.dir=$FLINK_RUN/upload"
  )
  [[ -z "${CONTRAFLOW_FLINK_REST_PORT:-}" ]] || DYNAMIC+=(-D "rest.port=$CONTRAFLOW_FLINK_REST_PORT")
  [[ -z "${CONTRAFLOW_FLINK_RPC_PORT:-}" ]] || DYNAMIC+=(-D "jobmanager.rpc.port=$CONTRAFLOW_FLINK_RPC_PORT")
  [[ -z "${CONTRAFLOW_FLINK_PROMETHEUS_PORTS:-}" ]] ||
    DYNAMIC+=(-D "metrics.reporter.prom.port=$CONTRAFLOW_FLINK_PROMETHEUS_PORTS")
  local property
  for property in ${CONTRAFLOW_FLINK_PROPERTIES:-}; do
    [[ "$property" == ?*=* ]] || die "CONTRAFLOW_FLINK_PROPERTIES: '$property' is not key=value"
    DYNAMIC+=(-D "$property")
  done
}

# The N-th TaskManager's name (its log and pid file): taskmanager, taskmanager-2, ...
tm_name() { if (($1 == 1)); then echo taskmanager; else echo "taskmanager-$1"; fi; }
tm_pid() { echo "$FLINK_RUN/$(tm_name "$1").pid"; }

# tm_number N: N checked against CONTRAFLOW_FLINK_TASKMANAGERS.
tm_number() {
  local n=${1:-1}
  [[ "$n" =~ ^[0-9]+$ ]] && ((n >= 1 && n <= TASKMANAGERS)) ||
    die "TaskManager '$n': use 1..$TASKMANAGERS (CONTRAFLOW_FLINK_TASKMANAGERS)"
  echo "$n"
}

# bash_java_utils COMMAND ARGS...: the result lines of Flink's BashJavaUtils (the helper behind
# Flink's own bin/ scripts), without their prefix.
bash_java_utils() {
  local output
  output=$("$JAVA" -classpath "$CLASSPATH" "$BASH_JAVA_UTILS" "$@" --configDir "$CONF_DIR" "${DYNAMIC[@]}" 2>&1) ||
    { echo "$output" >&2; die "BashJavaUtils $1 failed on $CONF_DIR/config.yaml"; }
  grep -F "$EXEC_RESULT" <<<"$output" | sed "s/^$EXEC_RESULT//" ||
    { echo "$output" >&2; die "BashJavaUtils $1 printed no result"; }
}

# config_value KEY DEFAULT: from the flattened effective configuration.
config_value() {
  local value
  value=$(awk -v key="$1: " 'index($0, key) == 1 { print substr($0, length(key) + 1); exit }' <<<"$FLAT_CONFIG" |
    sed "s/^'\(.*\)'$/\1/; s/^\"\(.*\)\"$/\1/")
  echo "${value:-$2}"
}

load_configuration() {
  PLUGINS_DIR=${FLINK_PLUGINS_DIR:-$FLINK_RUN/plugins}
  mkdir -p "$LOG_DIR" "$FLINK_RUN/tmp" "$FLINK_RUN/upload" "$PLUGINS_DIR"
  build_classpath "$OPS_HOME/flink/pom.xml" "$CLASSPATH_FILE"
  build_classpath "$OPS_HOME/flink/lib/pom.xml" "$LIB_CLASSPATH_FILE"
  # Flink's jars first (as flink-dist in a distribution), then what lib/ adds, each jar once.
  CLASSPATH=$(printf '%s:%s' "$(<"$CLASSPATH_FILE")" "$(<"$LIB_CLASSPATH_FILE")" |
    tr ':' '\n' | awk 'NF && !seen[$0]++' | paste -sd: -)
  dynamic_properties
  FLAT_CONFIG=$(bash_java_utils UPDATE_AND_GET_FLINK_CONFIGURATION -flatten)
  REST_ADDRESS=$(config_value rest.address 127.0.0.1)
  REST_PORT=$(config_value rest.port 8081)
  RPC_ADDRESS=$(config_value jobmanager.rpc.address 127.0.0.1)
  RPC_PORT=$(config_value jobmanager.rpc.port 6123)
  REST_URL="http://$REST_ADDRESS:$REST_PORT"
  # env.java.opts is the pre-1.18 name of env.java.opts.all.
  JAVA_OPTS_ALL="$(config_value env.java.default-opts.all "") $(config_value env.java.opts.all "$(config_value env.java.opts "")")"
  JAVACPP_CACHE="-Dorg.bytedeco.javacpp.cachedir=${CONTRAFLOW_JAVACPP_CACHEDIR:-$HOME/.javacpp/cache}"
}

# start_process NAME CLASS PIDFILE RESOURCE_COMMAND ROLE
start_process() {
  local name=$1 main_class=$2 pidfile=$3 resource_command=$4 role=$5 params jvm_params dynamic_configs role_opts
  role_opts="$(config_value "env.java.default-opts.$role" "") $(config_value "env.java.opts.$role" "")"
  # -Xmx/-Xms/direct/metaspace sizes and the matching taskmanager.memory.* values, derived from
  # *.memory.process.size exactly as Flink's bin/ scripts derive them.
  params=$(bash_java_utils "$resource_command")
  jvm_params=$(sed -n 1p <<<"$params")
  dynamic_configs=$(sed -n 2p <<<"$params")
  rotate_log "$LOG_DIR/$name.log"
  rotate_log "$LOG_DIR/$name.out"
  say "starting $name, log: $LOG_DIR/$name.log"
  # In its own working directory, where Flink resolves relative paths; FLINK_PLUGINS_DIR is where
  # it looks for plugins (filesystems, metric reporters).
  # shellcheck disable=SC2086 # JVM options and dynamic configs are word lists
  (cd "$FLINK_RUN" && FLINK_PLUGINS_DIR=$PLUGINS_DIR exec nohup "$JAVA" $jvm_params $JAVA_OPTS_ALL $role_opts "$JAVACPP_CACHE" \
    "-Djava.io.tmpdir=$FLINK_RUN/tmp" \
    "-Dlog.file=$LOG_DIR/$name.log" \
    "-Dlog4j.configurationFile=file:$CONF_DIR/log4j.properties" \
    -classpath "$CLASSPATH" "$main_class" \
    --configDir "$CONF_DIR" "${DYNAMIC[@]}" $dynamic_configs \
    >"$LOG_DIR/$name.out" 2>&1 </dev/null) &
  echo $! >"$pidfile"
}

rest_answers() { http_get "$REST_URL/overview" >/dev/null; }

# taskmanagers_registered N: N TaskManagers have registered and offered their slots (they are
# reported a moment later).
taskmanagers_registered() {
  local overview registered slots
  overview=$(http_get "$REST_URL/overview") || return 1
  registered=$(sed -n 's/.*"taskmanagers":\([0-9]*\).*/\1/p' <<<"$overview")
  slots=$(sed -n 's/.*"slots-total":\([0-9]*\).*/\1/p' <<<"$overview")
  ((${registered:-0} >= $1 && ${slots:-0} >= $1))
}

# start_taskmanager N: starts the N-th TaskManager and waits until N... are registered.
start_taskmanager() {
  local n=$1 name pidfile
  name=$(tm_name "$n")
  pidfile=$(tm_pid "$n")
  ! is_running "$pidfile" "$TM_CLASS" || die "$name is already running (pid $(<"$pidfile"))"
  # Spinning OpenMP workers (ND4J) fight over few cores; passive waiting is worth up to 4x.
  export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
  start_process "$name" "$TM_CLASS" "$pidfile" GET_TM_RESOURCE_PARAMS taskmanager
  wait_for "$START_TIMEOUT" "$name registered at $REST_URL/overview" "$pidfile" "$TM_CLASS" \
    "$LOG_DIR/$name.log" taskmanagers_registered "$2"
}

start_jobmanager() {
  ! is_running "$JM_PID" "$JM_CLASS" || die "jobmanager is already running (pid $(<"$JM_PID"))"
  start_process jobmanager "$JM_CLASS" "$JM_PID" GET_JM_RESOURCE_PARAMS jobmanager
  wait_for "$START_TIMEOUT" "JobManager REST at $REST_URL" "$JM_PID" "$JM_CLASS" "$LOG_DIR/jobmanager.log" rest_answers
}

# kill_process PIDFILE CLASS NAME: SIGKILL, as a crash or an OOM killer would.
kill_process() {
  local pidfile=$1 main_class=$2 name=$3 pid
  is_running "$pidfile" "$main_class" || die "$name is not running"
  pid=$(<"$pidfile")
  say "killing $name (pid $pid) with SIGKILL"
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$pidfile"
}

start() {
  local n
  if is_running "$JM_PID" "$JM_CLASS" || is_running "$(tm_pid 1)" "$TM_CLASS"; then
    die "a cluster from $FLINK_RUN is already running; '$0 stop' first"
  fi
  load_configuration
  require_free_port "$REST_ADDRESS" "$REST_PORT" "Flink REST" CONTRAFLOW_FLINK_REST_PORT
  require_free_port "$RPC_ADDRESS" "$RPC_PORT" "Flink JobManager RPC" CONTRAFLOW_FLINK_RPC_PORT

  # A failed start leaves no half cluster behind; the logs stay.
  trap 'stop >&2' EXIT
  start_jobmanager
  for ((n = 1; n <= TASKMANAGERS; n++)); do
    start_taskmanager "$n" "$n"
  done
  trap - EXIT

  echo "$REST_URL" >"$FLINK_RUN/rest-url"
  say "Flink session cluster up: $REST_URL (JobManager pid $(<"$JM_PID"), $TASKMANAGERS TaskManager(s))"
}

stop() {
  trap - EXIT
  local pidfile
  # every TaskManager this run directory has a pid file for, also beyond TASKMANAGERS
  for pidfile in "$FLINK_RUN"/taskmanager*.pid; do
    [[ -e "$pidfile" ]] || continue
    stop_process "$pidfile" "$TM_CLASS" "$(basename "$pidfile" .pid)"
  done
  stop_process "$JM_PID" "$JM_CLASS" jobmanager
  rm -f "$FLINK_RUN/rest-url"
}

status() {
  local up=0
  if is_running "$JM_PID" "$JM_CLASS"; then say "jobmanager running (pid $(<"$JM_PID"))"; else say "jobmanager not running"; up=3; fi
  local n name
  for ((n = 1; n <= TASKMANAGERS; n++)); do
    name=$(tm_name "$n")
    if is_running "$(tm_pid "$n")" "$TM_CLASS"; then say "$name running (pid $(<"$(tm_pid "$n")"))"; else say "$name not running"; up=3; fi
  done
  if [[ -s "$FLINK_RUN/rest-url" ]]; then
    say "$(<"$FLINK_RUN/rest-url")/overview: $(http_get "$(<"$FLINK_RUN/rest-url")/overview" || echo 'no answer')"
  fi
  return $up
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  kill-taskmanager) n=$(tm_number "${2:-}"); kill_process "$(tm_pid "$n")" "$TM_CLASS" "$(tm_name "$n")" ;;
  start-taskmanager) n=$(tm_number "${2:-}"); load_configuration; start_taskmanager "$n" "$TASKMANAGERS" ;;
  kill-jobmanager) kill_process "$JM_PID" "$JM_CLASS" jobmanager ;;
  start-jobmanager) load_configuration; start_jobmanager ;;
  *) echo "usage: $0 start|stop|status|kill-taskmanager N|start-taskmanager N|kill-jobmanager|start-jobmanager" >&2; exit 2 ;;
esac
