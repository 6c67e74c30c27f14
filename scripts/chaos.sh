#!/usr/bin/env bash
# Fault test of the streaming job on a real standalone Flink cluster and a real Kafka broker:
# streams N documents in batches while it kill -9s the TaskManager several times, once stops the
# whole cluster and restores the job from its last retained checkpoint, once kill -9s the Kafka broker
# and starts it again, and once stops the job with a savepoint and restores from it; then reads the
# Kafka output read_committed and the output files and prints a table (expected ids, distinct ids,
# lost, duplicated, dead letters by reason, restarts, recovery, end-to-end latency). The verdict is
# ChaosReport's (docs/fault-tests.md, "The rule"): nothing lost or duplicated in Kafka and in the
# files, equal id sets, no dead letter off the allowed list, every fault recovered.
#
#   scripts/chaos.sh [--docs=3000] [--batches=32] [--gap=10] [--faults=LIST]
#                    [--allow-dead-letters=R1,R2] [--write-doc] [--keep]
#
#   --docs=N      documents to stream (ids doc-00001..doc-N, no bad inputs)
#   --batches=B   the corpus is sent in B batches, one every GAP seconds, while the faults happen; a
#                 batch starts 1 s into an event-time window and all its records carry that time, so
#                 each window holds one whole batch (no window with a stray few documents)
#   --gap=S       seconds between batches, a multiple of the 10 s window
#   --faults=LIST faults in order, comma-separated, from kill-tm, cluster-restore, broker-restart,
#                 savepoint-restore (default: kill-tm,kill-tm,cluster-restore,broker-restart,
#                 kill-tm,savepoint-restore); "none" streams without faults, which is how the
#                 latency figures (document in -> example out) are measured
#   --allow-dead-letters=LIST  dead-letter reasons that account for a document (default: none; the
#                 chaos corpus is built so that none is expected: any dead letter fails the run)
#   --write-doc   write the table into docs/fault-tests.md (section "chaos") after the run
#   --keep        leave Kafka and Flink running at the end (default: stop both)
#
# Ports (env, defaults chosen not to collide with a developer's local services):
#   KAFKA_PORT=39092 KAFKA_CONTROLLER_PORT=39093 FLINK_REST_PORT=18081 FLINK_RPC_PORT=16123
# State: <repo>/.local/{kafka,flink} are RESET at the start (broker data, checkpoints, savepoints);
# the run's corpus, output files and logs go to <repo>/.local/chaos/run-<time>/.
# CHAOS_EARLY_FAULT=1 adds a first fault that Beam's exactly-once writer cannot restore from by
# itself (a restore from a checkpoint older than the first output); the script then applies the
# README's runbook (EosSinkState) and checks that the records written twice are byte-identical and
# no more than the reset allowed.
# Exit status: 0 if ChaosReport's verdict is PASS (with CHAOS_EARLY_FAULT=1, records written twice in
# Kafka only within the runbook's bound and byte-identical), 1 otherwise, 2 on bad arguments.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DOCS=3000
BATCHES=32
GAP=10
KEEP=0
ALLOWED=""
WRITE_DOC=0
FAULTS="kill-tm,kill-tm,cluster-restore,broker-restart,kill-tm,savepoint-restore"
for arg in "$@"; do
  case "$arg" in
    --docs=*) DOCS="${arg#*=}" ;;
    --faults=*) FAULTS="${arg#*=}" ;;
    --batches=*) BATCHES="${arg#*=}" ;;
    --gap=*) GAP="${arg#*=}" ;;
    --allow-dead-letters=*) ALLOWED="${arg#*=}" ;;
    --write-doc) WRITE_DOC=1 ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
    *) echo "chaos: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done
[[ "$DOCS" =~ ^[1-9][0-9]*$ && "$BATCHES" =~ ^[1-9][0-9]*$ ]] || { echo "chaos: bad --docs/--batches" >&2; exit 2; }
[[ "$FAULTS" == none ]] && FAULTS=""
IFS=, read -r -a FAULT_LIST <<<"$FAULTS"
for f in "${FAULT_LIST[@]}"; do
  case "$f" in
    kill-tm|cluster-restore|broker-restart|savepoint-restore) ;;
    *) echo "chaos: unknown fault '$f' in --faults (kill-tm, cluster-restore, broker-restart, savepoint-restore, none)" >&2; exit 2 ;;
  esac
done
WINDOW_SECONDS=10
[[ "$GAP" =~ ^[1-9][0-9]*$ ]] && ((GAP % WINDOW_SECONDS == 0)) \
  || { echo "chaos: --gap must be a multiple of the ${WINDOW_SECONDS} s window" >&2; exit 2; }

export KAFKA_PORT="${KAFKA_PORT:-39092}" KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-39093}"
export FLINK_REST_PORT="${FLINK_REST_PORT:-18081}" FLINK_RPC_PORT="${FLINK_RPC_PORT:-16123}"
# The job now keeps a 7-day dedup state, a 12-window filler horizon and an id check before the sinks on
# the heap state backend: with flink-local.sh's 2 GiB TaskManager (about 0.5 GiB of task heap) the
# TaskManager died with OutOfMemoryError (Java heap space) in AssembleContexts after the broker restart
# and restarted in a loop. 4 GiB is the size this fault test runs the job with.
export FLINK_TM_MEMORY="${FLINK_TM_MEMORY:-4096m}"
BOOT="localhost:$KAFKA_PORT"
REST="http://localhost:$FLINK_REST_PORT"
IN_TOPIC=chaos-docs OUT_TOPIC=chaos-examples DEAD_TOPIC=chaos-dead
FLINK="$ROOT/scripts/flink-local.sh"
KAFKA="$ROOT/scripts/kafka-local.sh"
CHECKPOINTS="$ROOT/.local/flink/checkpoints"

RUN="$ROOT/.local/chaos/run-$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$RUN/output"
mkdir -p "$RUN" "$OUT"
LOG="$RUN/chaos.log"
T_START=$SECONDS

log() { printf '[chaos +%4ds] %s\n' "$((SECONDS - T_START))" "$*" | tee -a "$LOG" >&2; }
now_ms() { date +%s%3N; }
secs_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN {printf "%.1f", (b - a) / 1000}'; }

PRODUCER=""
cleanup() {
  local rc=$?
  set +e
  if [[ -n "$PRODUCER" ]] && kill -0 "$PRODUCER" 2>/dev/null; then
    kill "$PRODUCER" 2>/dev/null; wait "$PRODUCER" 2>/dev/null
  fi
  if ((KEEP)); then
    log "--keep: Kafka ($BOOT) and Flink ($REST) left running"
  else
    log "stopping Flink and Kafka"
    "$FLINK" stop >>"$LOG" 2>&1
    "$KAFKA" stop >>"$LOG" 2>&1
  fi
  # The next start/reset rotates or deletes these: keep a copy with the run.
  if [[ "${STARTED:-0}" == 1 ]]; then
    mkdir -p "$RUN/logs"
    for d in log log.prev; do
      [[ -d "$ROOT/.local/flink/$d" ]] && cp -r "$ROOT/.local/flink/$d" "$RUN/logs/flink-$d"
    done
    cp "$ROOT/.local/kafka/broker.log" "$RUN/logs/" 2>/dev/null
  fi
  log "logs and output of this run: $RUN"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tool() { java -cp "$(job_jar)" "$@"; }

# ---------------------------------------------------------------------------------------------
# REST helpers
job_json() { curl -fsS --max-time 5 "$REST/jobs/$1" 2>/dev/null || true; }
job_state() { job_json "$1" | jq -r '.state // empty' 2>/dev/null || true; }
# "yes" when the job is RUNNING and every task of every vertex is RUNNING.
all_running() {
  job_json "$1" | jq -r 'if .state == "RUNNING" and (.vertices | length) > 0
      and ([.vertices[] | .tasks | to_entries[] | select(.key != "RUNNING" and .value > 0)] | length) == 0
      then "yes" else "no" end' 2>/dev/null || echo no
}
num_restarts() {
  curl -fsS --max-time 5 "$REST/jobs/$1/metrics?get=numRestarts" 2>/dev/null \
    | jq -r '.[0].value // empty' 2>/dev/null || true
}
completed_checkpoints() {
  curl -fsS --max-time 5 "$REST/jobs/$1/checkpoints" 2>/dev/null \
    | jq -r '.counts.completed // 0' 2>/dev/null || echo 0
}

# Trigger time (epoch ms) of the job's latest completed checkpoint, or 0.
last_checkpoint_ms() {
  curl -fsS --max-time 5 "$REST/jobs/$1/checkpoints" 2>/dev/null \
    | jq -r '.latest.completed.trigger_timestamp // 0' 2>/dev/null || echo 0
}

# Waits until all tasks of job $1 run (max $2 s).
wait_all_running() {
  local job=$1 timeout=$2 t0=$SECONDS
  while [[ "$(all_running "$job")" != yes ]]; do
    if ((SECONDS - t0 > timeout)); then
      log "job $job not fully RUNNING after ${timeout}s (state $(job_state "$job"))"; return 1
    fi
    sleep 0.5
  done
}

# Waits until job $1 completes a checkpoint triggered after epoch ms $2 (max $3 s). A job that only
# looks RUNNING between two failures of a restart loop never gets there.
wait_checkpoint_after() {
  local job=$1 after=$2 timeout=$3 t0=$SECONDS
  while (($(last_checkpoint_ms "$job") <= after)); do
    if ((SECONDS - t0 > timeout)); then
      log "job $job completed no checkpoint triggered after the fault within ${timeout}s (state $(job_state "$job"), restarts $(num_restarts "$job"))"
      return 1
    fi
    sleep 0.5
  done
}

# Example records in the output topic, read_committed.
kafka_output_count() {
  tool org.in2stream.runners.tools.ChaosReport "--bootstrapServers=$BOOT" "--topic=$OUT_TOPIC" --docs=0 2>/dev/null \
    | sed -n 's/^kafka_records_read_committed\t//p' || true
}

# Create time (epoch ms) of the first example record in the output topic, or "-".
kafka_first_created() {
  tool org.in2stream.runners.tools.ChaosReport "--bootstrapServers=$BOOT" "--topic=$OUT_TOPIC" --docs=0 2>/dev/null \
    | sed -n 's/^kafka_first_created_ms\t//p' || true
}

# Path of job $1's newest completed checkpoint that completed before epoch ms $2, or empty.
checkpoint_completed_before() {
  curl -fsS --max-time 5 "$REST/jobs/$1/checkpoints" 2>/dev/null \
    | jq -r --argjson t "$2" '[.history[] | select(.status == "COMPLETED" and .latest_ack_timestamp < $t)]
        | max_by(.id) | .external_path // empty' 2>/dev/null | sed 's|^file:||' || true
}

# CHAOS_EARLY_FAULT=1: the fault Beam's exactly-once writer cannot restore from by itself. The whole
# cluster is stopped and the job restored from the last checkpoint that completed *before* the
# first output record, i.e. before any shard's writer id was in a checkpoint, while Kafka already
# holds the shards' metadata. The writer refuses ("Kafka metadata exists for shard N ..."), and
# recovered() applies the README's runbook.
fault_early_restore() {
  local name=$1 t0 first chk
  first="$(kafka_first_created)"
  [[ "$first" =~ ^[0-9]+$ ]] || { log "no output record yet"; record_fault "$name" "$(now_ms)" never never "no output"; return 1; }
  chk="$(checkpoint_completed_before "$JOB" "$first")"
  [[ -n "$chk" && -f "$chk/_metadata" ]] || { log "no retained checkpoint completed before the first output ($first)"; record_fault "$name" "$(now_ms)" never never "no early checkpoint"; return 1; }
  r="$(num_restarts "$JOB")"; RESTARTS_DONE=$((RESTARTS_DONE + ${r:-0}))
  log "FAULT $name: stop the whole Flink cluster; restore $(basename "$chk"), completed before the first output record"
  t0=$(now_ms)
  "$FLINK" stop >>"$LOG" 2>&1
  "$FLINK" start >>"$LOG" 2>&1
  submit "--savepointPath=$chk" || { record_fault "$name" "$t0" never never "resubmit failed"; return 1; }
  recovered "$name" "$t0" "whole cluster stopped, restored $(basename "$chk") (before the first output) as job $JOB"
}

JOB_OPTS=(--mode=stream "--bootstrapServers=$BOOT" "--inputTopic=$IN_TOPIC" "--outputTopic=$OUT_TOPIC"
  "--deadLetterTopic=$DEAD_TOPIC" "--output=$OUT" "--windowSeconds=$WINDOW_SECONDS" --maxDelaySeconds=2
  --checkpointingInterval=3000 --minContextTokens=2048 --maxContextTokens=8192 --parallelism=2
  --consumerGroup=chaos)

JOB=""
JOBS=()
# Submits the job (extra options in $@) and sets JOB; waits until all its tasks run.
submit() {
  local out
  out="$("$ROOT/scripts/submit.sh" --detach "--flinkMaster=localhost:$FLINK_REST_PORT" "${JOB_OPTS[@]}" "$@" 2>>"$LOG")" \
    || { echo "$out" >>"$LOG"; log "submit failed (see $LOG)"; return 1; }
  echo "$out" >>"$LOG"
  JOB="$(sed -n 's/^Job \([0-9a-f]\{32\}\) submitted.*/\1/p' <<<"$out" | head -n 1)"
  [[ -n "$JOB" ]] || { log "no job id in the submit output"; return 1; }
  JOBS+=("$JOB")
  for a in "$@"; do [[ "$a" == --savepointPath=* ]] && RESTORED_FROM[$JOB]="${a#--savepointPath=}"; done
  wait_all_running "$JOB" 180
}

# ---------------------------------------------------------------------------------------------
# Faults; each appends to the FAULTS table: name, epoch ms, seconds until all tasks RUNNING again.
FAULT_NAMES=() FAULT_MS=() FAULT_RUN_MS=() FAULT_RUNNING=() FAULT_CHECKPOINT=() FAULT_NOTE=()
RESTARTS_DONE=0   # restarts of jobs that have ended (their metrics are gone afterwards)

record_fault() { FAULT_NAMES+=("$1"); FAULT_MS+=("$2"); FAULT_RUN_MS+=("${RUN_MS:-$2}"); FAULT_RUNNING+=("$3"); FAULT_CHECKPOINT+=("$4"); FAULT_NOTE+=("$5"); RUN_MS=""; }

fault_kill_tm() {
  local name=$1 t0 down run
  log "FAULT $name: kill -9 the TaskManager of job $JOB"
  t0=$(now_ms)
  "$FLINK" kill-tm >>"$LOG" 2>&1
  sleep "${TM_DOWN_SECONDS:-3}"
  "$FLINK" start-tm >>"$LOG" 2>&1
  down=$(secs_since "$t0")
  recovered "$name" "$t0" "TM down ${down}s, job restarted in place"
}

# Records the recovery of fault $1 (at epoch ms $2): all tasks RUNNING, then a checkpoint triggered
# after the fault completed. Returns 1 (and records FAILED) if the job does not get there.
recovered() {
  local name=$1 t0=$2 note=$3 run ck
  RUN_MS=""
  if wait_all_running "$JOB" 240; then run=$(secs_since "$t0"); RUN_MS=$(now_ms); else run=never; fi
  if wait_checkpoint_after "$JOB" "$t0" 120; then ck=$(secs_since "$t0"); else ck=never; fi
  # A job whose exactly-once writer refuses the restored state restarts for ever, and may still
  # look RUNNING and complete checkpoints between two failures: look for that failure too.
  if [[ -n "$(eos_restore_failures "$JOB")" ]]; then
    if apply_eos_runbook "$name"; then
      note="$note; EOS runbook applied, restored again as job $JOB"
      if wait_all_running "$JOB" 240; then run=$(secs_since "$t0"); RUN_MS=$(now_ms); else run=never; fi
      if wait_checkpoint_after "$JOB" "$(now_ms)" 120; then ck=$(secs_since "$t0"); else ck=never; fi
    else
      ck=never
    fi
  fi
  record_fault "$name" "$t0" "$run" "$ck" "$note"
  log "  $name: tasks RUNNING after $run s, first checkpoint after the fault completed after $ck s"
  [[ "$ck" != never ]]
}

# "topic shard" lines for each restore refusal of Beam's exactly-once writer in job $1's exceptions
# ("Kafka metadata exists for shard N, but there is no stored state for it"; README, "The
# exactly-once Kafka output").
eos_restore_failures() {
  curl -fsS --max-time 10 "$REST/jobs/$1/exceptions?maxExceptions=20" 2>/dev/null \
    | jq -r '(.exceptionHistory.entries // [])[] | .stacktrace // empty' 2>/dev/null \
    | grep -o "Kafka metadata exists for shard [0-9]*, but there is no stored state for it. This mostly indicates groupId 'in2-stream-sink-[^']*'" \
    | sed -E "s/.*shard ([0-9]+),.*groupId 'in2-stream-sink-([^']*)'/\2 \1/" | sort -u || true
}

EOS_RESENT=0          # records the runbook's resets allow to be written again (EosSinkState's bound)
EOS_RUNBOOK_RUNS=0
declare -A RESTORED_FROM=()
# The README's runbook, for the current job: cancel it, reset the named shards with EosSinkState,
# resubmit from the same checkpoint (the job's newest retained one, else the one it started from).
apply_eos_runbook() {
  local name=$1 failures chk topic shard out n i
  failures="$(eos_restore_failures "$JOB")"
  log "  $name: the exactly-once writer refuses the restored state ($(tr '\n' ';' <<<"$failures")); applying the runbook"
  chk="$(newest_checkpoint "$JOB")"
  [[ -n "$chk" ]] || chk="${RESTORED_FROM[$JOB]:-}"
  [[ -n "$chk" ]] || { log "  no checkpoint of job $JOB to restore from"; return 1; }
  r="$(num_restarts "$JOB")"; RESTARTS_DONE=$((RESTARTS_DONE + ${r:-0}))
  curl -fsS --max-time 10 -X PATCH "$REST/jobs/$JOB?mode=cancel" >/dev/null || true
  for ((i = 0; i < 120; i++)); do [[ "$(job_state "$JOB")" == CANCELED ]] && break; sleep 0.5; done
  while read -r topic shard; do
    [[ -n "$topic" ]] || continue
    out="$(tool org.in2stream.runners.tools.EosSinkState "--bootstrapServers=$BOOT" "--topic=$topic" \
      "--shards=$shard" --reset=true 2>&1)"
    echo "$out" >>"$LOG"
    n="$(sed -n 's/.*re-sends at most \([0-9]*\) record.*/\1/p' <<<"$out")"
    EOS_RESENT=$((EOS_RESENT + ${n:-0}))
    log "  reset shard $shard of $topic: at most ${n:-?} records may be written again"
  done <<<"$failures"
  EOS_RUNBOOK_RUNS=$((EOS_RUNBOOK_RUNS + 1))
  submit "--savepointPath=$chk"
}

newest_checkpoint() {
  local job=$1
  find "$CHECKPOINTS/$job" -maxdepth 2 -name _metadata -path '*/chk-*/_metadata' -printf '%T@ %h\n' 2>/dev/null \
    | sort -n | tail -n 1 | cut -d' ' -f2-
}

fault_cluster_restart() {
  local name=$1 t0 chk r
  r="$(num_restarts "$JOB")"; RESTARTS_DONE=$((RESTARTS_DONE + ${r:-0}))
  log "FAULT $name: stop the whole Flink cluster (job $JOB, ${r:-?} restarts so far)"
  t0=$(now_ms)
  "$FLINK" stop >>"$LOG" 2>&1
  chk="$(newest_checkpoint "$JOB")"
  [[ -n "$chk" ]] || { log "no retained checkpoint with _metadata under $CHECKPOINTS/$JOB"; record_fault "$name" "$t0" never never "no retained checkpoint"; return 1; }
  log "  cluster stopped; newest retained checkpoint: $chk"
  "$FLINK" start >>"$LOG" 2>&1
  submit "--savepointPath=$chk" || { record_fault "$name" "$t0" never never "resubmit failed"; return 1; }
  recovered "$name" "$t0" "whole cluster stopped, restored $(basename "$chk") as job $JOB"
}

# kill -9 the broker (no clean shutdown: open transactions, the readers' fetches and the writers'
# sends all break), keep it down BROKER_DOWN_SECONDS, start it on the same data. The job keeps
# running or restarts from its last checkpoint; either way it must lose and duplicate nothing.
fault_broker_restart() {
  local name=$1 t0 down
  log "FAULT $name: kill -9 the Kafka broker under job $JOB"
  t0=$(now_ms)
  "$KAFKA" kill >>"$LOG" 2>&1
  sleep "${BROKER_DOWN_SECONDS:-5}"
  "$KAFKA" start >>"$LOG" 2>&1 || { record_fault "$name" "$t0" never never "broker did not start"; return 1; }
  down=$(secs_since "$t0")
  recovered "$name" "$t0" "broker down ${down}s, same data"
}

fault_stop_with_savepoint() {
  local name=$1 t0 trig st loc r i
  r="$(num_restarts "$JOB")"; RESTARTS_DONE=$((RESTARTS_DONE + ${r:-0}))
  log "FAULT $name: stop job $JOB with a savepoint (${r:-?} restarts so far)"
  t0=$(now_ms)
  trig="$(curl -fsS --max-time 10 -X POST "$REST/jobs/$JOB/stop" -H 'Content-Type: application/json' \
    -d '{"drain":false}' | jq -r '."request-id"')"
  loc=""
  for ((i = 0; i < 240; i++)); do
    st="$(curl -fsS --max-time 5 "$REST/jobs/$JOB/savepoints/$trig" 2>/dev/null || true)"
    if [[ "$(jq -r '.status.id // empty' <<<"$st" 2>/dev/null)" == COMPLETED ]]; then
      loc="$(jq -r '.operation.location // empty' <<<"$st")"
      if [[ -z "$loc" ]]; then
        log "savepoint failed: $(jq -c '.operation."failure-cause"."stack-trace" // .operation' <<<"$st" | head -c 600)"
        record_fault "$name" "$t0" never never "stop-with-savepoint failed"
        return 1
      fi
      break
    fi
    sleep 0.5
  done
  [[ -n "$loc" ]] || { log "savepoint of $JOB did not complete in 120 s"; record_fault "$name" "$t0" never never "savepoint timed out"; return 1; }
  log "  savepoint at $loc after $(secs_since "$t0") s; job state $(job_state "$JOB")"
  for ((i = 0; i < 60; i++)); do [[ "$(job_state "$JOB")" == FINISHED ]] && break; sleep 0.5; done
  submit "--savepointPath=${loc#file:}" || { record_fault "$name" "$t0" never never "resubmit failed"; return 1; }
  recovered "$name" "$t0" "stopped with $(basename "$loc"), restored as job $JOB"
}

# ---------------------------------------------------------------------------------------------
log "chaos run: $DOCS documents in $BATCHES batches, $GAP s apart; run dir $RUN"
# The run resets <repo>/.local/{kafka,flink}: refuse if a broker or cluster of this checkout runs.
if "$KAFKA" status >/dev/null 2>&1 || "$FLINK" status >/dev/null 2>&1; then
  KEEP=1
  echo "chaos: a Kafka broker or Flink cluster of this checkout is running (it would be reset);" \
    "stop it first: scripts/kafka-local.sh stop; scripts/flink-local.sh stop" >&2
  exit 2
fi
ensure_jar
command -v jq >/dev/null || { echo "chaos: jq is needed" >&2; exit 2; }

log "resetting and starting Kafka ($BOOT) and Flink ($REST)"
STARTED=1
"$FLINK" reset >>"$LOG" 2>&1
"$KAFKA" reset >>"$LOG" 2>&1
"$KAFKA" start >>"$LOG" 2>&1 || { tail -n 30 "$LOG" >&2; exit 1; }
# Early mode restores a checkpoint from before the first output: keep every checkpoint until then.
[[ "${CHAOS_EARLY_FAULT:-0}" == 1 ]] && export FLINK_RETAINED_CHECKPOINTS=1000
"$FLINK" start >>"$LOG" 2>&1 || { tail -n 30 "$LOG" >&2; exit 1; }

log "generating the corpus ($BATCHES batches of up to $(((DOCS + BATCHES - 1) / BATCHES)) documents)"
tool org.in2stream.runners.tools.GenerateCorpus "--out=$RUN/corpus" "--docs=$DOCS" --bad=false >>"$LOG" 2>&1
mkdir -p "$RUN/empty"; : >"$RUN/empty/none.jsonl"  # no records: only (re)creates the topic
tool org.in2stream.runners.tools.ProduceDocs "--bootstrapServers=$BOOT" "--topic=$IN_TOPIC" \
  "--dir=$RUN/empty" --recreate=true --partitions=2 >>"$LOG" 2>&1
log "topic $IN_TOPIC created with 2 partitions"

log "submitting the streaming job"
submit
log "job $JOB RUNNING"

# The producer: one process (a broker restart delays its sends), one batch every GAP seconds, each
# batch inside one event-time window; its log marks each batch.
java -cp "$(job_jar)" org.in2stream.runners.tools.TrafficProducer "--bootstrapServers=$BOOT" \
  "--topic=$IN_TOPIC" "--dir=$RUN/corpus" "--batchSize=$(((DOCS + BATCHES - 1) / BATCHES))" \
  "--periodMillis=$((GAP * 1000))" "--alignMillis=$((WINDOW_SECONDS * 1000))" \
  --alignOffsetMillis=1000 >"$RUN/producer.log" 2>&1 &
PRODUCER=$!
T_PRODUCE=$(now_ms)

pause() { log "  running for $1 s"; sleep "$1"; }

# Beam's exactly-once Kafka writer stores its writer id in state when a shard writes its first
# transaction; restoring from a checkpoint taken before that while Kafka already holds the shard's
# metadata fails for good ("Kafka metadata exists for shard N, but there is no stored state for
# it"). So the first fault waits until output exists and a later checkpoint holds the writer ids;
# CHAOS_EARLY_FAULT=1 instead restores such a checkpoint on purpose (fault_early_restore).
# Polls the output topic every $1 s (60 polls at most) until it holds an example; sets n.
wait_first_output() {
  for ((i = 0; i < 60; i++)); do
    n="$(kafka_output_count)"
    [[ "${n:-0}" =~ ^[0-9]+$ ]] && ((n > 0)) && return 0
    sleep "$1"
  done
}
if [[ "${CHAOS_EARLY_FAULT:-0}" != 1 ]]; then
  log "waiting for the first examples in $OUT_TOPIC and a checkpoint after them"
  wait_first_output 3
  seen=$(now_ms)
  log "  $n examples in $OUT_TOPIC; waiting for a checkpoint"
  wait_checkpoint_after "$JOB" "$seen" 60 || true
else
  log "waiting for the first examples in $OUT_TOPIC (no wait for a checkpoint after them)"
  wait_first_output 1
  run_fault_early=1
fi

FAILED_FAULTS=()   # names of the faults that did not recover; ChaosReport fails the run on any
PLANNED_FAULTS=$((${#FAULT_LIST[@]} + ${run_fault_early:-0}))
run_fault() {  # runs one fault; after a failed one the job is gone, so the rest are skipped
  if ((${#FAILED_FAULTS[@]})); then log "skipping $2: an earlier fault did not recover"; return 0; fi
  "$@" || { FAILED_FAULTS+=("$2"); log "FAULT $2 did not recover"; }
}
declare -A FAULT_SEQ=()
if [[ "${run_fault_early:-0}" == 1 ]]; then
  run_fault fault_early_restore early-restore
  pause 4
fi
for ((k = 0; k < ${#FAULT_LIST[@]}; k++)); do
  f="${FAULT_LIST[$k]}"
  FAULT_SEQ[$f]=$((${FAULT_SEQ[$f]:-0} + 1))
  ((k == 0)) || pause 4
  case "$f" in
    kill-tm) run_fault fault_kill_tm "kill-tm-${FAULT_SEQ[$f]}" ;;
    cluster-restore) run_fault fault_cluster_restart "cluster-restore-${FAULT_SEQ[$f]}" ;;
    broker-restart) run_fault fault_broker_restart "broker-restart-${FAULT_SEQ[$f]}" ;;
    savepoint-restore) run_fault fault_stop_with_savepoint "savepoint-restore-${FAULT_SEQ[$f]}" ;;
  esac
done
log "faults done; waiting for the producer"
rc=0
wait "$PRODUCER" || rc=$?
PRODUCER=""
((rc == 0)) || { log "producer failed: $(tail -n 5 "$RUN/producer.log")"; exit 1; }
log "all $DOCS documents sent ($(secs_since "$T_PRODUCE") s after the first batch)"

# Quiet: the read_committed end of the output topic and the number of files stop changing.
log "waiting until the output is quiet (windows close ~15 s after the last document)"
sleep 20
last="" same=0
for ((i = 0; i < 60 && same < 3; i++)); do
  cur="$(curl -fsS "$REST/jobs/$JOB/checkpoints" 2>/dev/null | jq -r '.counts.completed') \
$(find "$OUT" -name 'part-*' 2>/dev/null | wc -l) \
$(kafka_output_count)"
  # ignore the checkpoint counter in the comparison, it always grows
  key="${cur#* }"
  if [[ "$key" == "$last" ]]; then same=$((same + 1)); else same=0; last="$key"; fi
  sleep 5
done
log "output quiet (files, Kafka records read_committed: $last)"

r="$(num_restarts "$JOB")"
RESTARTS=$((RESTARTS_DONE + ${r:-0}))
EXC=0
for j in "${JOBS[@]}"; do
  n="$(curl -fsS --max-time 5 "$REST/jobs/$j/exceptions" 2>/dev/null | jq -r '.exceptionHistory.entries | length' 2>/dev/null || true)"
  EXC=$((EXC + ${n:-0}))
done

# The REST metric is fetched every 10 s and dies with the cluster: also count the JobManager's log lines.
LOG_RESTARTS="$(cat "$ROOT"/.local/flink/log/jobmanager.log "$ROOT"/.local/flink/log.prev/jobmanager.log 2>/dev/null \
  | grep -c 'switched from state RUNNING to RESTARTING' || true)"

faults=""
for i in "${!FAULT_NAMES[@]}"; do faults+="${faults:+,}${FAULT_NAMES[$i]}@${FAULT_MS[$i]}@${FAULT_RUN_MS[$i]}"; done
log "reading the output back (Kafka read_committed and files)"
failed_csv="$(IFS=,; echo "${FAILED_FAULTS[*]}")"
tool org.in2stream.runners.tools.ChaosReport "--bootstrapServers=$BOOT" "--topic=$OUT_TOPIC" \
  "--deadLetterTopic=$DEAD_TOPIC" "--output=$OUT" "--docs=$DOCS" "--faults=$faults" \
  "--windowSeconds=$WINDOW_SECONDS" "--allowedReasons=$ALLOWED" "--failedFaults=$failed_csv" \
  "--plannedFaults=$PLANNED_FAULTS" "--eosResendAllowed=$EOS_RESENT" >"$RUN/report.tsv" 2>>"$LOG" \
  || log "ChaosReport failed (see $LOG)"
val() { sed -n "s/^$1\t//p" "$RUN/report.tsv" | head -n 1; }

{
  echo "chaos.sh: $DOCS documents in $BATCHES batches (one per ${GAP} s, each inside one ${WINDOW_SECONDS} s window)," \
    "$((SECONDS - T_START)) s, $(date -u +%Y-%m-%d), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo ?)"
  echo "allowed dead-letter reasons: $(val allowed_dead_letter_reasons)"
  echo
  printf '%-44s | %-22s | %-22s\n' "" "Kafka (read_committed)" "files"
  printf '%-44s | %-22s | %-22s\n' "expected document ids" "$(val expected_doc_ids)" "$(val expected_doc_ids)"
  printf '%-44s | %-22s | %-22s\n' "document ids with examples" "$(val kafka_distinct_doc_ids)" "$(val file_distinct_doc_ids)"
  printf '%-44s | %-22s | %-22s\n' "lost (no example, no allowed dead letter)" "$(val kafka_lost_doc_ids)" "$(val file_lost_doc_ids)"
  printf '%-44s | %-22s | %-22s\n' "example records" "$(val kafka_records)" "$(val file_records)"
  printf '%-44s | %-22s | %-22s\n' "distinct example ids" "$(val kafka_distinct_example_ids)" "$(val file_distinct_example_ids)"
  printf '%-44s | %-22s | %-22s\n' "ids more than once (extra records)" "$(val kafka_dup_example_ids) ($(val kafka_dup_extra_records))" "$(val file_dup_example_ids) ($(val file_dup_extra_records))"
  printf '%-44s | %-22s | %-22s\n' "ids sharing their content with another id" "$(val kafka_ids_sharing_content)" "$(val file_ids_sharing_content)"
  printf '%-44s | %-22s | %-22s\n' "ids with two different contents" "$(val kafka_ids_with_two_contents)" "$(val file_ids_with_two_contents)"
  printf '%-44s | %-22s | %-22s\n' "ids only in this sink" "$(val ids_only_in_kafka)" "$(val ids_only_in_files)"
  printf '%-44s | %-22s | %-22s\n' "dead letters" "$(val kafka_dead_letters)" "$(val file_dead_letters)"
  printf '%-44s | %-22s | %-22s\n' "dead letters by reason" "$(val kafka_dead_letters_by_reason)" "$(val file_dead_letters_by_reason)"
  printf '%-44s   %s\n' "ids with other content in files than Kafka" "$(val ids_with_other_content_in_files)"
  printf '%-44s   %s\n' "records read_uncommitted (aborted included)" "$(val kafka_records_read_uncommitted)"
  printf '%-44s   %s\n' "invariant violations in the files" "$(val file_violations)"
  ((EOS_RUNBOOK_RUNS == 0)) || printf '%-44s   %s\n' "EOS restore runbook applied" "$EOS_RUNBOOK_RUNS time(s); at most $EOS_RESENT record(s) may be written again"
  printf '%-44s   %s\n' "restarts (JobManager log: RUNNING->RESTARTING)" "${LOG_RESTARTS:-?} (+ $((${#JOBS[@]} - 1)) resubmissions; REST numRestarts summed: $RESTARTS)"
  printf '%-44s   %s\n' "faults planned / injected / not recovered" "$(val faults_planned) / $(val faults_recorded) / $(val faults_failed)"
  echo
  echo "recovery per fault (s): fault -> all tasks RUNNING | -> checkpoint completed | -> first output record after RUNNING"
  for i in "${!FAULT_NAMES[@]}"; do
    printf '  %-18s %8s | %8s | %8s   %s\n' "${FAULT_NAMES[$i]}" "${FAULT_RUNNING[$i]}" "${FAULT_CHECKPOINT[$i]}" \
      "$(val "output_resumed_s:${FAULT_NAMES[$i]}")" "${FAULT_NOTE[$i]}"
  done
  echo
  echo "latency, document in -> example out (Kafka create times; offline generator; ${WINDOW_SECONDS} s windows, checkpoints every 3 s):"
  printf '  %-40s %s\n' "input record -> output record (ms)" "$(val latency_ms)"
  printf '  %-40s %s\n' "window end -> output record (ms)" "$(val latency_after_window_ms)"
  ((${#FAULT_NAMES[@]} == 0)) || echo "  (this run had faults: its latency includes the recoveries; measure with --faults=none)"
  echo
  echo "verdict: $(val verdict)"
  sed -n 's/^problem\t/  - /p' "$RUN/report.tsv"
} >"$RUN/table.txt"
{ echo; echo "================"; cat "$RUN/table.txt"; echo "================"; } | tee -a "$LOG"

if ((WRITE_DOC)); then
  { echo '```'; cat "$RUN/table.txt"; echo '```'; } >"$RUN/table.md"
  tool org.in2stream.runners.tools.DocSection "--file=$ROOT/docs/fault-tests.md" --section=chaos \
    "--from=$RUN/table.md" >>"$LOG" 2>&1 && log "table written to docs/fault-tests.md (section chaos)"
fi
if [[ "$(val verdict)" == PASS ]]; then
  if ((EOS_RUNBOOK_RUNS > 0)); then
    log "PASS with the runbook: 0 lost; $(val kafka_dup_extra_records) record(s) written twice, within the $EOS_RESENT the resets allowed (same content)"
  else
    log "PASS: nothing lost or duplicated in Kafka or the files, equal id sets, no dead letter off the allowed list, every fault recovered"
  fi
else
  log "FAIL: $(sed -n 's/^problem\t//p' "$RUN/report.tsv" | paste -sd ';' -)"
  exit 1
fi
