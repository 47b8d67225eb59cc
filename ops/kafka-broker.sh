#!/usr/bin/env bash
# A Kafka 4.3 broker (KRaft, combined broker + controller) on loopback from Maven artifacts.
#
#   ops/kafka-broker.sh start|stop|status
#   ops/kafka-broker.sh topics ARGS...    kafka-topics.sh ARGS against the running broker
#
# start resolves the classpath of ops/kafka/pom.xml, formats the storage on first start
# (kafka.tools.StorageTool format --standalone), starts kafka.Kafka and returns once the broker's
# port answers. Data, log and pid file go to $CONTRAFLOW_OPS_DIR/kafka (default target/ops/kafka);
# delete that folder for an empty broker.
#
# Environment (all optional):
#   CONTRAFLOW_OPS_DIR              run directory (default target/ops)
#   CONTRAFLOW_KAFKA_CONFIG         broker configuration (default ops/kafka/server.properties)
#   CONTRAFLOW_KAFKA_PORT           client listener port (default: from the configuration, 9092)
#   CONTRAFLOW_KAFKA_CONTROLLER_PORT KRaft controller port (default: from the configuration, 9093)
#   CONTRAFLOW_KAFKA_START_TIMEOUT  seconds to wait for the port (default 120)
#   KAFKA_HEAP_OPTS                 broker heap (default -Xmx1G -Xms1G, as kafka-server-start.sh)
#   KAFKA_OPTS                      more JVM options
#   JAVA_HOME, MVN
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

readonly BROKER_CLASS=kafka.Kafka
readonly STORAGE_TOOL=kafka.tools.StorageTool

BASE_CONFIG=${CONTRAFLOW_KAFKA_CONFIG:-$OPS_HOME/kafka/server.properties}
KAFKA_RUN=$RUN_DIR/kafka
DATA_DIR=$KAFKA_RUN/data
LOG_FILE=$KAFKA_RUN/log/kafka.log
PID_FILE=$KAFKA_RUN/kafka.pid
CONFIG=$KAFKA_RUN/server.properties
CLASSPATH_FILE=$KAFKA_RUN/classpath.txt
START_TIMEOUT=${CONTRAFLOW_KAFKA_START_TIMEOUT:-120}

# property KEY FILE: the value java.util.Properties would read (the last line setting KEY).
property() {
  sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$2" | tail -n 1
}

# The broker's configuration: the base file with this run's data folder and ports appended (a
# later line wins in a properties file).
write_config() {
  [[ -r "$BASE_CONFIG" ]] || die "no broker configuration at $BASE_CONFIG"
  {
    cat "$BASE_CONFIG"
    echo
    echo "# ---- set by ops/kafka-broker.sh for this run"
    echo "log.dirs=$DATA_DIR"
    if [[ -n "${CONTRAFLOW_KAFKA_PORT:-}${CONTRAFLOW_KAFKA_CONTROLLER_PORT:-}" ]]; then
      local port=${CONTRAFLOW_KAFKA_PORT:-9092} controller_port=${CONTRAFLOW_KAFKA_CONTROLLER_PORT:-9093}
      echo "listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port"
      echo "advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port"
      echo "controller.quorum.bootstrap.servers=127.0.0.1:$controller_port"
    fi
  } >"$CONFIG"
  BOOTSTRAP=$(property advertised.listeners "$CONFIG" | grep -o 'PLAINTEXT://[^,]*' | head -n 1 | sed 's#PLAINTEXT://##')
  CONTROLLER=$(property controller.quorum.bootstrap.servers "$CONFIG")
  [[ "$BOOTSTRAP" == *:* ]] || die "no PLAINTEXT listener in advertised.listeners of $BASE_CONFIG"
}

# First start: a cluster id and the storage of a single-voter (standalone) KRaft quorum. The
# voter's controller endpoint is written into the metadata log, so a later start must use the same
# controller port.
format_storage() {
  if [[ -e "$DATA_DIR/meta.properties" ]]; then
    local formatted_for
    formatted_for=$(<"$KAFKA_RUN/formatted-for-controller")
    [[ "$formatted_for" == "$CONTROLLER" ]] ||
      die "$DATA_DIR was formatted for controller $formatted_for, not $CONTROLLER; delete $KAFKA_RUN for a new broker"
    return 0
  fi
  local cluster_id
  cluster_id=$("$JAVA" -cp "$CLASSPATH" "$STORAGE_TOOL" random-uuid)
  say "formatting $DATA_DIR (cluster id $cluster_id)"
  "$JAVA" -cp "$CLASSPATH" "-Dlog4j2.configurationFile=file:$OPS_HOME/kafka/log4j2.properties" \
    "$STORAGE_TOOL" format --standalone --cluster-id "$cluster_id" --config "$CONFIG" >>"$LOG_FILE" 2>&1 ||
    { tail -n 20 "$LOG_FILE" >&2; die "formatting the storage failed (log: $LOG_FILE)"; }
  echo "$CONTROLLER" >"$KAFKA_RUN/formatted-for-controller"
}

broker_answers() { port_open "${BOOTSTRAP%:*}" "${BOOTSTRAP##*:}"; }

start() {
  if is_running "$PID_FILE" "$BROKER_CLASS"; then
    die "a broker from $KAFKA_RUN is already running (pid $(<"$PID_FILE")); '$0 stop' first"
  fi
  mkdir -p "$KAFKA_RUN/log" "$DATA_DIR"
  rotate_log "$LOG_FILE"
  build_classpath "$OPS_HOME/kafka/pom.xml" "$CLASSPATH_FILE"
  CLASSPATH=$(<"$CLASSPATH_FILE")
  write_config
  require_free_port "${BOOTSTRAP%:*}" "${BOOTSTRAP##*:}" "Kafka broker" CONTRAFLOW_KAFKA_PORT
  require_free_port "${CONTROLLER%:*}" "${CONTROLLER##*:}" "Kafka controller" CONTRAFLOW_KAFKA_CONTROLLER_PORT
  format_storage

  trap 'stop >&2' EXIT
  say "starting the broker, log: $LOG_FILE"
  # shellcheck disable=SC2086 # heap and extra options are word lists
  (cd "$KAFKA_RUN" && exec nohup "$JAVA" ${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G} -XX:+UseG1GC ${KAFKA_OPTS:-} \
    "-Djava.io.tmpdir=$KAFKA_RUN" \
    "-Dlog4j2.configurationFile=file:$OPS_HOME/kafka/log4j2.properties" \
    -cp "$CLASSPATH" "$BROKER_CLASS" "$CONFIG" >>"$LOG_FILE" 2>&1 </dev/null) &
  echo $! >"$PID_FILE"
  wait_for "$START_TIMEOUT" "Kafka broker at $BOOTSTRAP" "$PID_FILE" "$BROKER_CLASS" "$LOG_FILE" broker_answers
  trap - EXIT

  echo "$BOOTSTRAP" >"$KAFKA_RUN/bootstrap-servers"
  say "Kafka broker up: bootstrap servers $BOOTSTRAP (pid $(<"$PID_FILE"))"
}

stop() {
  trap - EXIT
  stop_process "$PID_FILE" "$BROKER_CLASS" "Kafka broker"
  rm -f "$KAFKA_RUN/bootstrap-servers"
}

status() {
  if is_running "$PID_FILE" "$BROKER_CLASS"; then
    say "Kafka broker running (pid $(<"$PID_FILE")), bootstrap servers $(cat "$KAFKA_RUN/bootstrap-servers" 2>/dev/null || echo '?')"
  else
    say "Kafka broker not running"
    return 3
  fi
}

# topics ARGS...: Kafka's kafka-topics.sh, e.g. topics --create --topic images --partitions 2
topics() {
  [[ -s "$KAFKA_RUN/bootstrap-servers" ]] || die "no broker running from $KAFKA_RUN; '$0 start' first"
  build_classpath "$OPS_HOME/kafka/pom.xml" "$KAFKA_RUN/tools-classpath.txt" -Ptools
  "$JAVA" -cp "$(<"$KAFKA_RUN/tools-classpath.txt")" \
    "-Dlog4j2.configurationFile=file:$OPS_HOME/kafka/log4j2-tools.properties" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server "$(<"$KAFKA_RUN/bootstrap-servers")" "$@"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  topics) shift; topics "$@" ;;
  *) echo "usage: $0 start|stop|status|topics ARGS..." >&2; exit 2 ;;
esac
