#!/usr/bin/env bash
# Real standalone Flink session cluster (one JobManager and one TaskManager process) built from
# Maven Central jars, without flink-dist:
#   scripts/flink-local.sh start|stop|status|reset|start-tm|kill-tm
#
#   start      start the JobManager and FLINK_TASKMANAGERS TaskManagers; waits until the REST API
#              reports them; does nothing if the cluster is already running
#   stop       stop the TaskManagers, then the JobManager (TERM, then KILL after a timeout)
#   status     print the processes and the REST overview; exit 0 if running, 3 if not
#   reset      stop, then delete checkpoints, savepoints, logs and temporary files (keeps lib/)
#   kill-tm    SIGKILL every TaskManager of this cluster (for fault tests); the JobManager stays up
#   start-tm   start one more TaskManager and wait until it has registered
#
# State lives in <repo>/.local/flink: lib/ (jars), conf/ (config.yaml, log4j), log/, pids/,
# checkpoints/, savepoints/, tmp/.
# Env (read by start; the other commands read the running cluster's conf/config.yaml):
#   FLINK_REST_PORT (8081), FLINK_RPC_PORT (6123), FLINK_SLOTS (2 per TaskManager),
#   FLINK_TASKMANAGERS (1), FLINK_JM_MEMORY (1024m), FLINK_TM_MEMORY (2048m),
#   FLINK_BIND_HOST (localhost; 0.0.0.0 to serve other machines), FLINK_START_TIMEOUT (120 s),
#   FLINK_RETAINED_CHECKPOINTS (3 per job),
#   FLINK_STATE_BACKEND (hashmap: state on the task heap, fastest for small state; rocksdb: state on
#   local disk with incremental checkpoints, for windows whose documents and examples do not fit
#   the heap, such as bursts), FLINK_MANAGED_FRACTION (the share of Flink memory given to managed
#   memory, which RocksDB and batch sorting use: 0.1 with hashmap, whose state is on the task heap,
#   and Flink's default 0.4 with rocksdb),
#   FLINK_PROMETHEUS_PORTS (9249-9259: the Prometheus reporter of each JobManager/TaskManager takes
#   the first free port of the range, and a process that finds none runs without it; "off" = none).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HOME_DIR="$ROOT/.local/flink"
LIB="$HOME_DIR/lib"
CONF_DIR="$HOME_DIR/conf"
CONF="$CONF_DIR/config.yaml"
LOG_DIR="$HOME_DIR/log"
PID_DIR="$HOME_DIR/pids"
JM_PID_FILE="$PID_DIR/jobmanager.pid"
CHECKPOINTS="$HOME_DIR/checkpoints"
SAVEPOINTS="$HOME_DIR/savepoints"
TMP_DIR="$HOME_DIR/tmp"
POM="$ROOT/scripts/flink/pom.xml"
STOP_TIMEOUT=30

JM_CLASS=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
TM_CLASS=org.apache.flink.runtime.taskexecutor.TaskManagerRunner

# What Flink's own distribution passes on Java 17 (env.java.opts.all in its default config.yaml).
FLINK_JAVA17_OPTS=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

die() { echo "flink-local: $*" >&2; exit 1; }

java_bin() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then echo "$JAVA_HOME/bin/java"; else echo java; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A key of the generated config (flat "key: value" lines), or the default.
conf_value() {
  local v=""
  [[ -f "$CONF" ]] && v="$(sed -n "s/^$1: *//p" "$CONF" | tail -n 1)"
  echo "${v:-$2}"
}

rest_port() { conf_value rest.port "${FLINK_REST_PORT:-8081}"; }

# GET a REST path of the cluster; empty output if it does not answer.
rest_get() { curl -fsS --max-time 3 "http://localhost:$(rest_port)$1" 2>/dev/null || true; }

# A number field of a flat JSON object ("name":123), or empty.
json_num() { sed -n "s/.*\"$1\":\([0-9][0-9]*\).*/\1/p" <<<"$2" | head -n 1; }

# Echoes the pid in the file if it is alive and really runs CLASS of *this* cluster (our conf dir).
live_pid() {
  local file=$1 cls=$2 pid cmd
  [[ -f "$file" ]] || return 0
  pid="$(cat "$file" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 0
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  if [[ "$cmd" == *" $cls "* && "$cmd" == *"--configDir $CONF_DIR"* ]]; then echo "$pid"; fi
}

jm_pid() { live_pid "$JM_PID_FILE" "$JM_CLASS"; }

# Pid files of TaskManagers (taskmanager-N.pid), in start order.
tm_pid_files() {
  local f
  for f in "$PID_DIR"/taskmanager-*.pid; do [[ -e "$f" ]] && echo "$f"; done | sort -V
}

# "pid N" lines of the TaskManagers that are alive; stale pid files are removed.
tm_pids() {
  local f pid n
  while read -r f; do
    [[ -n "$f" ]] || continue
    pid="$(live_pid "$f" "$TM_CLASS")"
    n="${f##*/taskmanager-}"; n="${n%.pid}"
    if [[ -n "$pid" ]]; then echo "$pid $n"; else rm -f "$f"; fi
  done < <(tm_pid_files)
}

ensure_jars() {
  if [[ -f "$LIB/.complete" && ! "$POM" -nt "$LIB/.complete" && ! "$ROOT/pom.xml" -nt "$LIB/.complete" ]]; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (needed once to fetch the Flink jars)"
  echo "Fetching Flink jars from Maven Central into $LIB ..."
  rm -rf "$LIB.tmp"
  mvn -B -q -Dstyle.color=never -f "$POM" dependency:copy-dependencies -DoutputDirectory="$LIB.tmp"
  rm -rf "$LIB"
  mv "$LIB.tmp" "$LIB"
  touch "$LIB/.complete"
}

classpath() {
  local cp="" jar
  for jar in "$LIB"/*.jar; do cp="${cp:+$cp:}$jar"; done
  echo "$cp"
}

write_config() {
  local rest=${FLINK_REST_PORT:-8081} rpc=${FLINK_RPC_PORT:-6123} slots=${FLINK_SLOTS:-2}
  local bind=${FLINK_BIND_HOST:-localhost}
  [[ "$rest" =~ ^[0-9]+$ && "$rpc" =~ ^[0-9]+$ ]] || die "FLINK_REST_PORT and FLINK_RPC_PORT must be numbers"
  [[ "$slots" =~ ^[1-9][0-9]*$ ]] || die "FLINK_SLOTS must be a positive number"
  local prom=${FLINK_PROMETHEUS_PORTS:-9249-9259}
  [[ "$prom" == off || "$prom" =~ ^[0-9]+(-[0-9]+)?$ ]] \
    || die "FLINK_PROMETHEUS_PORTS must be a port, a range like 9249-9259, or off"
  local backend=${FLINK_STATE_BACKEND:-hashmap} managed incremental=false
  case "$backend" in
    hashmap) managed=${FLINK_MANAGED_FRACTION:-0.1} ;;
    rocksdb) managed=${FLINK_MANAGED_FRACTION:-0.4} incremental=true ;;
    *) die "FLINK_STATE_BACKEND must be hashmap or rocksdb (got '$backend')" ;;
  esac
  [[ "$managed" =~ ^(0(\.[0-9]+)?|1(\.0+)?)$ ]] || die "FLINK_MANAGED_FRACTION must be a number from 0 to 1"
  mkdir -p "$CONF_DIR"
  # Flink 1.19 reads conf/config.yaml (standard YAML) unless a legacy flink-conf.yaml is present.
  rm -f "$CONF_DIR/flink-conf.yaml"
  cat >"$CONF" <<EOF
# Generated by scripts/flink-local.sh on every start; edit the script, not this file.
jobmanager.rpc.address: localhost
jobmanager.rpc.port: $rpc
jobmanager.bind-host: $bind
jobmanager.memory.process.size: ${FLINK_JM_MEMORY:-1024m}
jobmanager.execution.failover-strategy: region
taskmanager.host: localhost
taskmanager.bind-host: $bind
taskmanager.memory.process.size: ${FLINK_TM_MEMORY:-2048m}
taskmanager.memory.managed.fraction: $managed
taskmanager.numberOfTaskSlots: $slots
parallelism.default: 1
rest.address: localhost
rest.bind-address: $bind
rest.port: $rest
io.tmp.dirs: $TMP_DIR
web.tmpdir: $TMP_DIR/web
state.backend.type: $backend
state.backend.incremental: $incremental
state.checkpoints.dir: file://$CHECKPOINTS
state.savepoints.dir: file://$SAVEPOINTS
state.checkpoints.num-retained: ${FLINK_RETAINED_CHECKPOINTS:-3}
execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION
execution.checkpointing.mode: EXACTLY_ONCE
# A replay's filler pool is one record of megabytes; let the batch sorter take it (docs/deploy.md).
taskmanager.runtime.large-record-handler: true
# Keep restarting through repeated TaskManager losses (fault tests): 1 s, 2 s, 4 s ... at most 10 s,
# back to 1 s after a minute without failure.
restart-strategy.type: exponential-delay
restart-strategy.exponential-delay.initial-backoff: 1 s
restart-strategy.exponential-delay.max-backoff: 10 s
restart-strategy.exponential-delay.backoff-multiplier: 2.0
restart-strategy.exponential-delay.reset-backoff-threshold: 1 min
restart-strategy.exponential-delay.jitter-factor: 0.1
restart-strategy.exponential-delay.attempts-before-reset-backoff: 1000
# A killed TaskManager is noticed within seconds (failed heartbeat RPCs), a hung one within 30 s.
heartbeat.interval: 5000
heartbeat.timeout: 30000
# Job jars (~150 MB each) leave the TaskManagers' blob caches 5 min after their last job, not 1 h.
blob.service.cleanup.interval: 300
# Beam's runner loads through the job's class loader after the job ended (metrics, shutdown hooks).
classloader.check-leaked-classloader: false
EOF
  if [[ "$prom" != off ]]; then
    cat >>"$CONF" <<EOF
# Live metrics (Flink's and the job's Beam counters) for Prometheus and scripts/status.sh; each
# process serves http://host:PORT/metrics on the first free port of the range.
metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
metrics.reporter.prom.port: $prom
EOF
  fi
  cat >"$CONF_DIR/log4j.properties" <<'EOF'
# log4j 2 configuration of the JobManager and TaskManagers; file name from -Dlog.file.
monitorInterval = 30
rootLogger.level = INFO
rootLogger.appenderRef.main.ref = MainAppender
logger.kafka.name = org.apache.kafka
logger.kafka.level = WARN
logger.zookeeper.name = org.apache.zookeeper
logger.zookeeper.level = WARN
logger.netty.name = org.jboss.netty.channel.DefaultChannelPipeline
logger.netty.level = OFF
appender.main.name = MainAppender
appender.main.type = RollingFile
appender.main.append = true
appender.main.fileName = ${sys:log.file}
appender.main.filePattern = ${sys:log.file}.%i
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
appender.main.policies.type = Policies
appender.main.policies.size.type = SizeBasedTriggeringPolicy
appender.main.policies.size.size = 100MB
appender.main.strategy.type = DefaultRolloverStrategy
appender.main.strategy.max = 5
EOF
}

# Sets RES_JVM (array) and RES_DYN (array of -D key=value program arguments) from BashJavaUtils,
# the way Flink's bash-java-utils.sh does: the result lines carry the prefix
# BASH_JAVA_UTILS_EXEC_RESULT:, the first is the JVM memory flags, the second the dynamic settings.
RES_JVM=()
RES_DYN=()
resource_params() {
  local cmd=$1 out lines
  out="$("$(java_bin)" -Xmx128m -Dlog4j2.level=WARN -cp "$(classpath)" \
    org.apache.flink.runtime.util.bash.BashJavaUtils "$cmd" --configDir "$CONF_DIR" 2>&1)" \
    || { echo "$out" >&2; die "BashJavaUtils $cmd failed"; }
  lines="$(grep '^BASH_JAVA_UTILS_EXEC_RESULT:' <<<"$out" | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://' || true)"
  if [[ "$(grep -c . <<<"$lines")" -ne 2 ]]; then
    echo "$out" >&2
    die "unexpected output of BashJavaUtils $cmd (expected two result lines)"
  fi
  # Both lines are space-separated tokens without spaces inside (e.g. -Xmx536870912, -D, key=value).
  read -r -a RES_JVM <<<"$(sed -n 1p <<<"$lines")"
  read -r -a RES_DYN <<<"$(sed -n 2p <<<"$lines")"
}

# Starts CLASS detached (own session, immune to the caller's Ctrl-C); the pid file holds the JVM pid.
launch() {
  local pid_file=$1 name=$2 cls=$3
  shift 3
  local log="$LOG_DIR/$name.log" out="$LOG_DIR/$name.out"
  rm -f "$pid_file"
  # Run from the state dir with Flink's environment variables set, so nothing depends on the caller's
  # cwd (Flink resolves its plugins dir, default ./plugins, against it).
  # One simple command in the background, so no shell of ours stays behind waiting for the JVM.
  # shellcheck disable=SC2016  # $$/$0/$@ are meant for the inner bash
  FLINK_CONF_DIR="$CONF_DIR" FLINK_LIB_DIR="$LIB" FLINK_PLUGINS_DIR="$HOME_DIR/plugins" \
    FLINK_LOG_DIR="$LOG_DIR" IN2_FLINK_CWD="$HOME_DIR" \
    setsid nohup bash -c 'echo $$ >"$0"; cd "$IN2_FLINK_CWD" && exec "$@"' "$pid_file" \
    "$(java_bin)" "${RES_JVM[@]}" "${FLINK_JAVA17_OPTS[@]}" \
    "-Dlog.file=$log" "-Dlog4j.configurationFile=file:$CONF_DIR/log4j.properties" \
    -cp "$(classpath)" "$cls" --configDir "$CONF_DIR" "$@" >>"$out" 2>&1 </dev/null &
  local i
  for ((i = 0; i < 50; i++)); do [[ -s "$pid_file" ]] && return 0; sleep 0.1; done
  die "could not start $name"
}

next_tm_number() {
  local seq_file="$PID_DIR/taskmanager.seq" n
  n="$(cat "$seq_file" 2>/dev/null || echo 0)"
  [[ "$n" =~ ^[0-9]+$ ]] || n=0
  n=$((n + 1))
  echo "$n" >"$seq_file"
  echo "$n"
}

# Starts one TaskManager and sets TM_ID to its resource id (the id the REST API lists it under).
TM_ID=""
start_one_tm() {
  TM_ID="taskmanager-$(next_tm_number)"
  launch "$PID_DIR/$TM_ID.pid" "$TM_ID" "$TM_CLASS" "${RES_DYN[@]}" -D "taskmanager.resource-id=$TM_ID"
}

# Prints the last lines of the logs of this run.
show_logs() {
  local f
  for f in "$LOG_DIR"/*.log "$LOG_DIR"/*.out; do
    [[ -s "$f" ]] || continue
    echo "---- last 40 lines of $f" >&2
    tail -n 40 "$f" >&2
  done
}

fail_start() {
  echo "Flink cluster failed to start: $1" >&2
  show_logs
  exit 1
}

# Waits until every id in ids is listed by GET /taskmanagers; fails if the JobManager dies.
wait_for_tms() {
  local timeout=$1 started=$SECONDS id body missing
  shift
  while ((SECONDS - started < timeout)); do
    [[ -n "$(jm_pid)" ]] || fail_start "the JobManager process exited"
    body="$(rest_get /taskmanagers)"
    missing=0
    for id in "$@"; do [[ "$body" == *"\"id\":\"$id\""* ]] || missing=1; done
    ((missing == 0)) && return 0
    sleep 0.5
  done
  fail_start "TaskManager(s) $* not registered after ${timeout}s"
}

print_ready() {
  local overview slots
  overview="$(rest_get /overview)"
  slots="$(json_num slots-total "$overview")"
  echo "Flink ready at http://localhost:$(rest_port) (${slots:-?} slots)"
}

cmd_start() {
  local pid rest rpc count i ids=() t0=$SECONDS
  pid="$(jm_pid)"
  if [[ -n "$pid" ]]; then
    if [[ -n "$(tm_pids)" ]]; then
      echo "Flink cluster already running (JobManager pid $pid) at http://localhost:$(rest_port)"
    else
      echo "Flink JobManager running (pid $pid) but no TaskManager: use '$0 start-tm'"
    fi
    return 0
  fi
  command -v java >/dev/null || [[ -n "${JAVA_HOME:-}" ]] || die "java not found"
  command -v curl >/dev/null || die "curl not found (used to ask the REST API)"
  rest=${FLINK_REST_PORT:-8081}
  rpc=${FLINK_RPC_PORT:-6123}
  count=${FLINK_TASKMANAGERS:-1}
  [[ "$count" =~ ^[1-9][0-9]*$ ]] || die "FLINK_TASKMANAGERS must be a positive number"
  port_open "$rest" && die "port $rest is already in use (another Flink? set FLINK_REST_PORT)"
  port_open "$rpc" && die "port $rpc is already in use (another Flink? set FLINK_RPC_PORT)"
  # TaskManagers left over from an earlier JobManager would register with the new one: stop them.
  while read -r pid _; do
    if [[ -n "$pid" ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
  done < <(tm_pids)
  mkdir -p "$HOME_DIR" "$PID_DIR" "$CHECKPOINTS" "$SAVEPOINTS" "$TMP_DIR" "$HOME_DIR/plugins"
  ensure_jars
  write_config
  rm -rf "$LOG_DIR.prev"
  [[ -d "$LOG_DIR" ]] && mv "$LOG_DIR" "$LOG_DIR.prev"
  mkdir -p "$LOG_DIR"
  rm -f "$PID_DIR"/taskmanager-*.pid "$PID_DIR/taskmanager.seq"

  resource_params GET_JM_RESOURCE_PARAMS
  launch "$JM_PID_FILE" jobmanager "$JM_CLASS" "${RES_DYN[@]}"
  resource_params GET_TM_RESOURCE_PARAMS
  for ((i = 0; i < count; i++)); do start_one_tm; ids+=("$TM_ID"); done
  echo "Starting Flink: JobManager pid $(cat "$JM_PID_FILE"), $count TaskManager(s) (logs: $LOG_DIR) ..."
  wait_for_tms "${FLINK_START_TIMEOUT:-120}" "${ids[@]}"
  print_ready
  echo "Started in $((SECONDS - t0))s"
}

stop_pid() {
  local pid=$1 what=$2 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < STOP_TIMEOUT * 2; i++)); do
    kill -0 "$pid" 2>/dev/null || { echo "Stopped $what (pid $pid)"; return 0; }
    sleep 0.5
  done
  echo "$what (pid $pid) did not stop within ${STOP_TIMEOUT}s, sending KILL"
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.5
}

cmd_stop() {
  local pid n any=0
  while read -r pid n; do
    [[ -n "$pid" ]] || continue
    any=1; stop_pid "$pid" "TaskManager $n"
  done < <(tm_pids)
  rm -f "$PID_DIR"/taskmanager-*.pid
  pid="$(jm_pid)"
  if [[ -n "$pid" ]]; then any=1; stop_pid "$pid" "JobManager"; fi
  rm -f "$JM_PID_FILE"
  ((any)) || echo "Flink cluster not running"
}

cmd_status() {
  local pid tms overview n
  pid="$(jm_pid)"
  tms="$(tm_pids)"
  if [[ -z "$pid" ]]; then
    echo "Flink cluster not running"
    [[ -n "$tms" ]] && echo "  (TaskManager processes without a JobManager: $(cut -d' ' -f1 <<<"$tms" | tr '\n' ' '))"
    return 3
  fi
  echo "Flink JobManager running (pid $pid) at http://localhost:$(rest_port)"
  if [[ -n "$tms" ]]; then
    while read -r pid n; do echo "  TaskManager taskmanager-$n (pid $pid)"; done <<<"$tms"
  else
    echo "  no TaskManager process"
  fi
  overview="$(rest_get /overview)"
  if [[ -n "$overview" ]]; then
    echo "  REST: $(json_num taskmanagers "$overview") TaskManager(s) registered," \
      "$(json_num slots-available "$overview")/$(json_num slots-total "$overview") slots free," \
      "jobs running $(json_num jobs-running "$overview"), finished $(json_num jobs-finished "$overview")," \
      "failed $(json_num jobs-failed "$overview"), cancelled $(json_num jobs-cancelled "$overview")"
  else
    echo "  REST API not answering (starting up?)"
  fi
}

cmd_kill_tm() {
  local pid n any=0
  while read -r pid n; do
    [[ -n "$pid" ]] || continue
    kill -KILL "$pid" 2>/dev/null && echo "Killed TaskManager taskmanager-$n (pid $pid, SIGKILL)"
    any=1
  done < <(tm_pids)
  ((any)) || echo "No TaskManager running"
  sleep 0.2
  tm_pids >/dev/null  # drops the stale pid files
}

cmd_start_tm() {
  local id t0=$SECONDS
  [[ -n "$(jm_pid)" ]] || die "the JobManager is not running: use '$0 start'"
  [[ -f "$CONF" ]] || die "no $CONF"
  mkdir -p "$LOG_DIR" "$PID_DIR"
  resource_params GET_TM_RESOURCE_PARAMS
  start_one_tm
  id=$TM_ID
  echo "Starting TaskManager $id (pid $(cat "$PID_DIR/$id.pid"), log $LOG_DIR/$id.log) ..."
  wait_for_tms "${FLINK_START_TIMEOUT:-120}" "$id"
  echo "TaskManager $id registered after $((SECONDS - t0))s"
  # The REST totals still count a killed TaskManager until its heartbeats fail (~10 s): count the
  # live processes instead.
  local live slots
  live="$(tm_pids | grep -c . || true)"
  slots="$(conf_value taskmanager.numberOfTaskSlots 1)"
  echo "Flink ready at http://localhost:$(rest_port) ($((live * slots)) slots on $live live TaskManager(s))"
}

cmd_reset() {
  cmd_stop
  rm -rf "$CHECKPOINTS" "$SAVEPOINTS" "$LOG_DIR" "$LOG_DIR.prev" "$TMP_DIR" "$PID_DIR" "$CONF_DIR"
  echo "Removed checkpoints, savepoints, logs and temporary files under $HOME_DIR (kept lib/)"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  reset) cmd_reset ;;
  kill-tm) cmd_kill_tm ;;
  start-tm) cmd_start_tm ;;
  *) echo "usage: $0 start|stop|status|reset|start-tm|kill-tm" >&2; exit 2 ;;
esac
