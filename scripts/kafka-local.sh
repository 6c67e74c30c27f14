#!/usr/bin/env bash
# Real single-node KRaft Kafka broker for local runs, built from Maven Central jars.
#   scripts/kafka-local.sh start|stop|status|reset|kill
#   (kill: SIGKILL the broker, no clean shutdown, for fault tests; data stays for the next start)
# State lives in <repo>/.local/kafka (lib/, server.properties, data/, broker.log, broker.pid).
#
# Secure mode (KAFKA_SECURE=1): one SASL_SSL listener with SCRAM-SHA-512, a self-signed CA and a
# broker certificate for localhost/127.0.0.1 made with keytool, users created when the storage is
# formatted. State in <repo>/.local/kafka-secure; it writes client.properties there (user in2, the
# CA truststore; mode 600) for --kafkaProperties=FILE of the job and of produce-docs.sh.
# KAFKA_STATE_DIR overrides the state folder (the jars stay in <repo>/.local/kafka/lib).
# Env: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_PARTITIONS (2),
#      KAFKA_MAX_MESSAGE_BYTES (17 MiB: above produce-docs' 16 MiB records and --maxDocumentBytes,
#      so an oversized document reaches the pipeline and becomes DOCUMENT_TOO_LARGE).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECURE="${KAFKA_SECURE:-0}"
if [[ "$SECURE" == 1 ]]; then
  HOME_DIR="${KAFKA_STATE_DIR:-$ROOT/.local/kafka-secure}"
else
  HOME_DIR="${KAFKA_STATE_DIR:-$ROOT/.local/kafka}"
fi
LIB="$ROOT/.local/kafka/lib"
CONF="$HOME_DIR/server.properties"
LOG4J="$HOME_DIR/log4j.properties"
DATA="$HOME_DIR/data"
LOG="$HOME_DIR/broker.log"
PID_FILE="$HOME_DIR/broker.pid"
PORT="${KAFKA_PORT:-9092}"
CTRL_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
PARTITIONS="${KAFKA_PARTITIONS:-2}"
MAX_MESSAGE_BYTES="${KAFKA_MAX_MESSAGE_BYTES:-17825792}"
START_TIMEOUT=60
STOP_TIMEOUT=20

die() { echo "kafka-local: $*" >&2; exit 1; }

# Pid of our broker if it is alive (and really a Kafka JVM), else empty.
broker_pid() {
  local pid cmd
  [[ -f "$PID_FILE" ]] || return 0
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 0
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  if [[ "$cmd" == *" kafka.Kafka "* ]]; then echo "$pid"; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure_jars() {
  [[ -d "$LIB" ]] && return 0
  command -v mvn >/dev/null || die "mvn not found (needed once to fetch the Kafka jars)"
  echo "Fetching Kafka jars from Maven Central into $LIB ..."
  rm -rf "$LIB.tmp"
  mvn -B -q -f "$ROOT/scripts/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$LIB.tmp"
  mv "$LIB.tmp" "$LIB"
}

SECRETS="$HOME_DIR/secrets"
CLIENT_PROPS="$HOME_DIR/client.properties"

# A random password, letters and digits only (safe in JAAS and properties files).
new_password() { LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24 || true; }

# Once per state folder: passwords, a CA, the broker's key and certificate, the client truststore.
ensure_tls() {
  [[ -f "$SECRETS/truststore.p12" ]] && return 0
  command -v keytool >/dev/null || die "keytool not found (it comes with the JDK)"
  rm -rf "$SECRETS"
  mkdir -p "$SECRETS"
  chmod 700 "$SECRETS"
  local store admin user
  store="$(new_password)"; admin="$(new_password)"; user="$(new_password)"
  printf '%s' "$store" >"$SECRETS/store.password"
  printf '%s' "$admin" >"$SECRETS/admin.password"
  printf '%s' "$user" >"$SECRETS/in2.password"
  (
    cd "$SECRETS"
    keytool -genkeypair -alias ca -dname "CN=in2-stream local CA" -keyalg RSA -keysize 2048 \
      -validity 3650 -ext bc:c -keystore ca.p12 -storetype PKCS12 -storepass "$store" -keypass "$store"
    keytool -exportcert -alias ca -keystore ca.p12 -storepass "$store" -rfc -file ca.pem
    keytool -genkeypair -alias broker -dname "CN=localhost" -keyalg RSA -keysize 2048 \
      -validity 3650 -keystore broker.p12 -storetype PKCS12 -storepass "$store" -keypass "$store"
    keytool -certreq -alias broker -keystore broker.p12 -storepass "$store" -file broker.csr
    keytool -gencert -alias ca -keystore ca.p12 -storepass "$store" -infile broker.csr \
      -outfile broker.pem -rfc -validity 3650 -ext SAN=dns:localhost,ip:127.0.0.1
    keytool -importcert -noprompt -alias ca -keystore broker.p12 -storepass "$store" -file ca.pem
    keytool -importcert -noprompt -alias broker -keystore broker.p12 -storepass "$store" \
      -file broker.pem
    keytool -importcert -noprompt -alias ca -keystore truststore.p12 -storetype PKCS12 \
      -storepass "$store" -file ca.pem
  ) >"$SECRETS/keytool.log" 2>&1 || { cat "$SECRETS/keytool.log" >&2; die "keytool failed"; }
  chmod 600 "$SECRETS"/*
}

write_client_properties() {
  (
    umask 077
    cat >"$CLIENT_PROPS" <<EOF
# Written by scripts/kafka-local.sh (secure mode) for --kafkaProperties=$CLIENT_PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="in2" password="$(cat "$SECRETS/in2.password")";
ssl.truststore.location=$SECRETS/truststore.p12
ssl.truststore.type=PKCS12
ssl.truststore.password=$(cat "$SECRETS/store.password")
EOF
  )
}

write_config() {
  local listeners
  if [[ "$SECURE" == 1 ]]; then
    local store admin
    store="$(cat "$SECRETS/store.password")"; admin="$(cat "$SECRETS/admin.password")"
    listeners="listeners=SASL_SSL://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CTRL_PORT
advertised.listeners=SASL_SSL://localhost:$PORT
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$admin\";
ssl.keystore.location=$SECRETS/broker.p12
ssl.keystore.type=PKCS12
ssl.keystore.password=$store
ssl.key.password=$store
ssl.truststore.location=$SECRETS/truststore.p12
ssl.truststore.type=PKCS12
ssl.truststore.password=$store
ssl.client.auth=none"
  else
    listeners="listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CTRL_PORT
advertised.listeners=PLAINTEXT://localhost:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT"
  fi
  (umask 077; : >"$CONF")
  cat >"$CONF" <<EOF
# Generated by scripts/kafka-local.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CTRL_PORT
$listeners
log.dirs=$DATA
num.partitions=$PARTITIONS
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
default.replication.factor=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
message.max.bytes=$MAX_MESSAGE_BYTES
replica.fetch.max.bytes=$MAX_MESSAGE_BYTES
EOF
  cat >"$LOG4J" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.controller=INFO
EOF
}

java_opts=()
set_java_opts() { java_opts=(-cp "$LIB/*" "-Dlog4j.configuration=file:$LOG4J" "-Dkafka.logs.dir=$HOME_DIR"); }

fail_start() {
  echo "Kafka broker failed to start: $1. Last 50 lines of $LOG:" >&2
  tail -n 50 "$LOG" >&2 || true
  exit 1
}

cmd_start() {
  local pid uuid waited=0
  pid="$(broker_pid)"
  if [[ -n "$pid" ]] && port_open "$PORT"; then
    echo "Kafka broker already running (pid $pid) at localhost:$PORT"; return 0
  fi
  [[ -n "$pid" ]] && die "broker pid $pid is alive but port $PORT is not answering (still starting, or started with another KAFKA_PORT?); run '$0 stop' first"
  port_open "$PORT" && die "port $PORT is already in use by another process (set KAFKA_PORT)"
  command -v java >/dev/null || die "java not found"
  mkdir -p "$HOME_DIR"
  ensure_jars
  local scram=()
  if [[ "$SECURE" == 1 ]]; then
    ensure_tls
    write_client_properties
    # SCRAM users of a KRaft cluster are created with the storage (before the first start).
    scram=(--add-scram "SCRAM-SHA-512=[name=admin,password=$(cat "$SECRETS/admin.password")]"
      --add-scram "SCRAM-SHA-512=[name=in2,password=$(cat "$SECRETS/in2.password")]")
  fi
  write_config
  set_java_opts
  if [[ ! -f "$DATA/meta.properties" ]]; then
    uuid="$(java "${java_opts[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    [[ -n "$uuid" ]] || die "could not generate a cluster id"
    java "${java_opts[@]}" kafka.tools.StorageTool format -t "$uuid" -c "$CONF" \
      ${scram[@]+"${scram[@]}"} >/dev/null
    echo "Formatted $DATA (cluster id $uuid)"
  fi
  [[ -f "$LOG" ]] && mv -f "$LOG" "$LOG.prev"
  rm -f "$PID_FILE"
  # The inner bash writes its own pid and execs java, so the pid file holds the JVM pid.
  # setsid detaches the broker from the caller's process group (Ctrl-C, job kills).
  # shellcheck disable=SC2016  # $$/$0/$@ are meant for the inner bash
  setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
    java -Xms256m -Xmx512m "${java_opts[@]}" kafka.Kafka "$CONF" >>"$LOG" 2>&1 </dev/null &
  echo "Starting Kafka broker (log: $LOG) ..."
  while ((waited < START_TIMEOUT * 2)); do
    sleep 0.5; waited=$((waited + 1))
    [[ -f "$PID_FILE" ]] || continue
    pid="$(broker_pid)"
    [[ -n "$pid" ]] || fail_start "process exited"
    if port_open "$PORT" && grep -q 'Kafka Server started' "$LOG"; then
      echo "Kafka broker ready at localhost:$PORT (pid $pid, $((waited / 2))s)"
      if [[ "$SECURE" == 1 ]]; then
        echo "SASL_SSL with SCRAM-SHA-512; client settings: --kafkaProperties=$CLIENT_PROPS"
      fi
      return 0
    fi
  done
  fail_start "not ready after ${START_TIMEOUT}s (pid ${pid:-?} left running; use '$0 stop')"
}

cmd_stop() {
  local pid i
  pid="$(broker_pid)"
  if [[ -z "$pid" ]]; then
    echo "Kafka broker not running"; rm -f "$PID_FILE"; return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 2; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "Broker did not stop within ${STOP_TIMEOUT}s, sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$PID_FILE"
  echo "Kafka broker stopped (pid $pid)"
}

cmd_kill() {
  local pid
  pid="$(broker_pid)"
  if [[ -z "$pid" ]]; then
    echo "Kafka broker not running"; rm -f "$PID_FILE"; return 0
  fi
  kill -KILL "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  rm -f "$PID_FILE"
  echo "Kafka broker killed (SIGKILL, pid $pid)"
}

cmd_status() {
  local pid
  pid="$(broker_pid)"
  if [[ -z "$pid" ]]; then
    echo "Kafka broker not running"; return 3
  fi
  if port_open "$PORT"; then
    echo "Kafka broker running (pid $pid) at localhost:$PORT"
  else
    echo "Kafka broker running (pid $pid) but port $PORT not answering (starting up or wrong KAFKA_PORT)"
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  kill) cmd_kill ;;
  reset) cmd_stop; rm -rf "$DATA"; echo "Removed $DATA" ;;
  *) echo "usage: $0 start|stop|status|reset|kill" >&2; exit 2 ;;
esac
