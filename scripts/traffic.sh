#!/usr/bin/env bash
# Traffic profiles of the streaming job on a standalone Flink cluster and Kafka broker (both reset
# first): a crawl at realistic rates rather than one steady batch. Each profile streams its corpus
# into its own topics and job, waits until the output is complete and quiet, and TrafficReport
# measures it: share of pages with examples, inputs lost, re-crawl copies that gave examples again,
# dead letters by reason, p50/p99 latency from a document's Kafka timestamp to its examples, and the
# state size of the latest completed checkpoint (Flink REST). Pass/fail is TrafficReport's rule.
#
#   scripts/traffic.sh [--profile=trickle,burst,recrawl] [--short] [--write-doc] [--keep]
#
#   --profile=LIST  profiles to run, in order, comma-separated (default: all three)
#     trickle   one document every 5 s for 30 min (360), the pipeline's default settings (600 s
#               windows, 60 s max delay, contexts of 4,096-32,768 tokens); ~42 min with the wait
#               for the last window. --short: one every 2 s for 3 min (90), 30 s windows, 5 s delay
#     burst     10,000 documents in one send (a few seconds); 60 s windows, 5 s delay, contexts of
#               2,048-8,192 tokens, 8 files per window (--numShards). --short: 3,000 documents
#     recrawl   1,000 pages at 10/s with crawl boilerplate (date line, ad block, site footer), then
#               two windows later the same pages again, half of them with a changed date line, ad
#               block and footer year (GenerateCorpus --crawl=1); 60 s windows, 5 s delay, contexts
#               2,048-8,192. --short: 200 pages, 30 s windows, the re-crawl one minute later
#   --short         the CI form (a few minutes per profile)
#   --write-doc     write each profile's table into docs/fault-tests.md (sections traffic-<profile>)
#   --keep          leave Kafka and Flink running at the end
# The cluster: one TaskManager of FLINK_TM_MEMORY (8192m) with the RocksDB state backend
# (FLINK_STATE_BACKEND=rocksdb; hashmap keeps state on the heap); see scripts/flink-local.sh.
#
# Ports (env): KAFKA_PORT=39092 KAFKA_CONTROLLER_PORT=39093 FLINK_REST_PORT=18081 FLINK_RPC_PORT=16123
# (the same defaults as chaos.sh: run one at a time). State: <repo>/.local/{kafka,flink} are RESET;
# each run's corpus, output and logs go to <repo>/.local/traffic/run-<time>/<profile>/.
# Exit status: 0 if every profile passed, 1 if one failed, 2 on bad arguments.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

PROFILES="trickle,burst,recrawl"
SHORT=0 WRITE_DOC=0 KEEP=0
for arg in "$@"; do
  case "$arg" in
    --profile=*) PROFILES="${arg#*=}" ;;
    --short) SHORT=1 ;;
    --write-doc) WRITE_DOC=1 ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "traffic: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done
IFS=, read -r -a PROFILE_LIST <<<"$PROFILES"
for p in "${PROFILE_LIST[@]}"; do
  case "$p" in trickle|burst|recrawl) ;; *) echo "traffic: unknown profile '$p'" >&2; exit 2 ;; esac
done

export KAFKA_PORT="${KAFKA_PORT:-39092}" KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-39093}"
export FLINK_REST_PORT="${FLINK_REST_PORT:-18081}" FLINK_RPC_PORT="${FLINK_RPC_PORT:-16123}"
# Keyed state on local disk (RocksDB). The heap still holds what Beam's exactly-once Kafka writer
# buffers until a checkpoint completes (operator state, on the heap with every backend): a whole
# window's examples when the window fires. 8 GiB with 20% managed memory (RocksDB's) leaves ~4.7 GB of
# heap for the burst's 60 s window; the heap each profile needed (the peak of samples taken every 2 s)
# is a column of its table.
export FLINK_TM_MEMORY="${FLINK_TM_MEMORY:-8192m}" FLINK_MANAGED_FRACTION="${FLINK_MANAGED_FRACTION:-0.2}"
export FLINK_STATE_BACKEND="${FLINK_STATE_BACKEND:-rocksdb}"
BOOT="localhost:$KAFKA_PORT"
REST="http://localhost:$FLINK_REST_PORT"
FLINK="$ROOT/scripts/flink-local.sh"
KAFKA="$ROOT/scripts/kafka-local.sh"
RUNS="$ROOT/.local/traffic/run-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUNS"
LOG="$RUNS/traffic.log"
T_START=$SECONDS
log() { printf '[traffic +%4ds] %s\n' "$((SECONDS - T_START))" "$*" | tee -a "$LOG" >&2; }
tool() { java -cp "$(job_jar)" "$@"; }

PRODUCER="" JOB="" SAMPLER=""
cleanup() {
  local rc=$?
  set +e
  [[ -n "$PRODUCER" ]] && kill "$PRODUCER" 2>/dev/null && wait "$PRODUCER" 2>/dev/null
  [[ -n "$SAMPLER" ]] && kill "$SAMPLER" 2>/dev/null && wait "$SAMPLER" 2>/dev/null
  if ((KEEP)); then
    log "--keep: Kafka ($BOOT) and Flink ($REST) left running"
  elif [[ "${STARTED:-0}" == 1 ]]; then
    log "stopping Flink and Kafka"
    "$FLINK" stop >>"$LOG" 2>&1
    "$KAFKA" stop >>"$LOG" 2>&1
  fi
  log "logs and output of this run: $RUNS"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if "$KAFKA" status >/dev/null 2>&1 || "$FLINK" status >/dev/null 2>&1; then
  KEEP=1
  echo "traffic: a Kafka broker or Flink cluster of this checkout is running (it would be reset);" \
    "stop it first: scripts/kafka-local.sh stop; scripts/flink-local.sh stop" >&2
  exit 2
fi
ensure_jar
command -v jq >/dev/null || { echo "traffic: jq is needed" >&2; exit 2; }

log "resetting and starting Kafka ($BOOT) and Flink ($REST)"
STARTED=1
"$FLINK" reset >>"$LOG" 2>&1
"$KAFKA" reset >>"$LOG" 2>&1
"$KAFKA" start >>"$LOG" 2>&1 || { tail -n 30 "$LOG" >&2; exit 1; }
"$FLINK" start >>"$LOG" 2>&1 || { tail -n 30 "$LOG" >&2; exit 1; }

all_running() {
  curl -fsS --max-time 5 "$REST/jobs/$1" 2>/dev/null | jq -r 'if .state == "RUNNING" and (.vertices | length) > 0
      and ([.vertices[] | .tasks | to_entries[] | select(.key != "RUNNING" and .value > 0)] | length) == 0
      then "yes" else "no" end' 2>/dev/null || echo no
}
# Samples the heap of every TaskManager every 2 s and keeps "PEAK:MAX" (bytes; the largest use
# seen by any TaskManager, and its heap size) in $1, until killed.
sample_heap() {
  local peak=0 max=0 ids id used size
  while true; do
    ids="$(curl -fsS --max-time 5 "$REST/taskmanagers" 2>/dev/null | jq -r '.taskmanagers[].id' 2>/dev/null)" || ids=""
    for id in $ids; do
      read -r used size < <(curl -fsS --max-time 5 \
        "$REST/taskmanagers/$id/metrics?get=Status.JVM.Memory.Heap.Used,Status.JVM.Memory.Heap.Max" 2>/dev/null \
        | jq -r '(map({(.id): .value}) | add) as $m | "\($m["Status.JVM.Memory.Heap.Used"] // 0) \($m["Status.JVM.Memory.Heap.Max"] // 0)"' \
        2>/dev/null) || continue
      [[ "$used" =~ ^[0-9]+$ && "$size" =~ ^[0-9]+$ ]] || continue
      if ((used > peak)); then peak=$used max=$size; echo "$peak:$max" >"$1"; fi
    done
    sleep 2
  done
}
# "yes" once every input watermark of every subtask of every operator with inputs is at least $2 (ms).
watermark_passed() {
  local v
  for v in $(curl -fsS --max-time 5 "$REST/jobs/$1" 2>/dev/null | jq -r '.vertices[].id' 2>/dev/null); do
    curl -fsS --max-time 5 "$REST/jobs/$1/vertices/$v/watermarks" 2>/dev/null || echo '[{"value":"-1"}]'
  done | jq -rs --argjson t "$2" '[.[][] | .value | tonumber] | if length > 0 and min >= $t then "yes" else "no" end' \
    2>/dev/null || echo no
}
completed_checkpoints() {
  curl -fsS --max-time 5 "$REST/jobs/$1/checkpoints" 2>/dev/null | jq -r '.counts.completed // 0' 2>/dev/null || echo 0
}
ends() { tool org.in2stream.runners.tools.TrafficReport "--bootstrapServers=$BOOT" "--endsOf=$1" 2>/dev/null || echo "?"; }

# Runs one profile: $1 name; the rest is set by the case below.
run_profile() {
  local name=$1 dir="$RUNS/$1" t0=$SECONDS in="traffic-$1-docs" out="traffic-$1-examples" dead="traffic-$1-dead"
  local docs batch period pause window delay ctx=() settings crawl=-1
  mkdir -p "$dir/output"
  case "$name" in
    trickle)
      if ((SHORT)); then docs=90 period=2000 window=30 delay=5; else docs=360 period=5000 window=600 delay=60; fi
      batch=1 pause=0 ;;
    burst)
      if ((SHORT)); then docs=3000; else docs=10000; fi
      # 8 files per window: a (window, file) group is sorted in memory when it is written
      batch=$docs period=0 pause=0 window=60 delay=5
      ctx=(--minContextTokens=2048 --maxContextTokens=8192 --numShards=8) ;;
    recrawl)
      if ((SHORT)); then docs=200 window=30; else docs=1000 window=60; fi
      batch=10 period=1000 delay=5 pause=$((2 * window)) crawl=0
      ctx=(--minContextTokens=2048 --maxContextTokens=8192) ;;
  esac
  settings="$docs documents$([[ $crawl == 0 ]] && echo " + $docs re-crawl copies ${pause} s later, half with changed boilerplate"),"
  if ((period == 0)); then settings+=" all in one send;"; else settings+=" $batch per batch every $((period / 1000)) s;"; fi
  settings+=" --windowSeconds=$window --maxDelaySeconds=$delay"
  settings+=" ${ctx[*]:-(contexts 4096-32768, the default)}; checkpoints every 5 s; parallelism 2;"
  settings+=" offline generator; TaskManager $FLINK_TM_MEMORY, state backend $FLINK_STATE_BACKEND; $(date -u +%Y-%m-%d), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo ?)"
  log "profile $name: $settings"

  tool org.in2stream.runners.tools.GenerateCorpus "--out=$dir/crawl0" "--docs=$docs" --bad=false \
    "--crawl=$crawl" >>"$LOG" 2>&1
  if ((crawl == 0)); then
    tool org.in2stream.runners.tools.GenerateCorpus "--out=$dir/crawl1" "--docs=$docs" --bad=false \
      --crawl=1 --changedShare=0.5 >>"$LOG" 2>&1
  fi
  mkdir -p "$dir/empty"; : >"$dir/empty/none.jsonl"
  tool org.in2stream.runners.tools.ProduceDocs "--bootstrapServers=$BOOT" "--topic=$in" \
    "--dir=$dir/empty" --recreate=true --partitions=2 >>"$LOG" 2>&1

  local sub
  sub="$("$ROOT/scripts/submit.sh" --detach "--flinkMaster=localhost:$FLINK_REST_PORT" --mode=stream \
    "--bootstrapServers=$BOOT" "--inputTopic=$in" "--outputTopic=$out" "--deadLetterTopic=$dead" \
    "--output=$dir/output" "--windowSeconds=$window" "--maxDelaySeconds=$delay" \
    --checkpointingInterval=5000 --parallelism=2 "--consumerGroup=traffic-$name" "${ctx[@]}" 2>>"$LOG")" \
    || { log "submit failed (see $LOG)"; return 1; }
  echo "$sub" >>"$LOG"
  JOB="$(sed -n 's/^Job \([0-9a-f]\{32\}\) submitted.*/\1/p' <<<"$sub" | head -n 1)"
  [[ -n "$JOB" ]] || { log "no job id in the submit output"; return 1; }
  for ((i = 0; i < 360; i++)); do [[ "$(all_running "$JOB")" == yes ]] && break; sleep 0.5; done
  log "  job $JOB running; streaming"
  sample_heap "$dir/tm-heap" &
  SAMPLER=$!

  tool org.in2stream.runners.tools.TrafficProducer "--bootstrapServers=$BOOT" "--topic=$in" \
    "--dir=$dir/crawl0" "--batchSize=$batch" "--periodMillis=$period" >"$dir/producer.log" 2>&1 &
  PRODUCER=$!
  wait "$PRODUCER" || { PRODUCER=""; log "producer failed: $(tail -n 3 "$dir/producer.log")"; return 1; }
  PRODUCER=""
  if ((crawl == 0)); then
    log "  first crawl sent; the re-crawl starts in $pause s"
    sleep "$pause"
    tool org.in2stream.runners.tools.TrafficProducer "--bootstrapServers=$BOOT" "--topic=$in" \
      "--dir=$dir/crawl1" "--batchSize=$batch" "--periodMillis=$period" >>"$dir/producer.log" 2>&1 \
      || { log "re-crawl producer failed"; return 1; }
  fi
  # Done when every operator has seen the watermark pass the end of the window of the last document
  # sent (so every window has fired), two more checkpoints have completed (the exactly-once writers
  # commit what a checkpoint released), and the output topics' ends then stay the same for 15 s.
  # Early dead letters cannot end the wait, however long a big window takes. At most 30 min.
  local sent_ms target ckpt=-1 c last="" same=0 cur wm
  sent_ms=$(date +%s%3N)
  target=$(( (sent_ms / (window * 1000) + 1) * window * 1000 ))
  log "  all sent after $((SECONDS - t0)) s; waiting for the watermark to pass $(date -u -d "@$((target / 1000))" +%H:%M:%S) (the last window's end), two checkpoints, and a quiet output"
  for ((i = 0; i < 360; i++)); do
    if ((ckpt < 0)); then
      wm="$(watermark_passed "$JOB" "$target")"
      if [[ "$wm" == yes ]]; then
        ckpt="$(completed_checkpoints "$JOB")"
        log "  watermark passed the last window's end; $ckpt checkpoints so far"
      fi
    else
      c="$(completed_checkpoints "$JOB")"
      if ((c >= ckpt + 2)); then
        cur="$(ends "$out,$dead")"
        if [[ "$cur" == "$last" ]]; then same=$((same + 1)); else same=0; last="$cur"; fi
        ((same >= 3)) && break
      fi
    fi
    sleep 5
  done
  ((same >= 3)) || log "  not quiet after 30 min (watermark passed: $( ((ckpt >= 0)) && echo yes || echo no)); measuring what there is"
  log "  output quiet (end offsets of $out and $dead: $last)"
  curl -fsS --max-time 10 "$REST/jobs/$JOB/checkpoints" >"$dir/checkpoints.json" 2>>"$LOG" || true
  kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null; SAMPLER=""
  local rc=0
  tool org.in2stream.runners.tools.TrafficReport "--bootstrapServers=$BOOT" "--inputTopic=$in" \
    "--topic=$out" "--deadLetterTopic=$dead" "--checkpoints=$dir/checkpoints.json" \
    "--profile=$name$( ((SHORT)) && echo -short)" "--settings=$settings ($((SECONDS - t0)) s)" \
    "--tmHeap=$(cat "$dir/tm-heap" 2>/dev/null)" $( ((WRITE_DOC)) && echo "--docsFile=$ROOT/docs/fault-tests.md") >"$dir/report.tsv" 2>>"$LOG" || rc=$?
  curl -fsS --max-time 10 -X PATCH "$REST/jobs/$JOB?mode=cancel" >/dev/null 2>&1 || true
  for ((i = 0; i < 240; i++)); do  # its slots are free for the next profile only once it is gone
    [[ "$(curl -fsS --max-time 5 "$REST/jobs/$JOB" 2>/dev/null | jq -r .state 2>/dev/null)" == CANCELED ]] && break
    sleep 0.5
  done
  RESULTS+=("$name" "$rc" "$dir/report.tsv")
  return 0
}

RESULTS=()
for p in "${PROFILE_LIST[@]}"; do
  run_profile "$p" || RESULTS+=("$p" 1 "")
done

val() { if [[ -f "$2" ]]; then sed -n "s/^$1\t//p" "$2" | head -n 1; fi; }
fail=0
for ((k = 1; k < ${#RESULTS[@]}; k += 3)); do ((RESULTS[k] == 0)) || fail=1; done
{
  echo
  echo "================ traffic.sh$( ((SHORT)) && echo " --short"): $((SECONDS - T_START)) s"
  printf '%-8s | %6s | %5s | %6s | %6s | %5s | %4s | %-30s | %-13s | %-21s | %s\n' profile inputs pages copies share "copy+" lost \
    "dead letters by reason" "latency p50/p99 s" "state bytes last/max" verdict
  for ((k = 0; k < ${#RESULTS[@]}; k += 3)); do
    f="${RESULTS[$((k + 2))]}"
    printf '%-8s | %6s | %5s | %6s | %6s | %5s | %4s | %-30s | %-13s | %-21s | %s\n' "${RESULTS[$k]}" \
      "$(val inputs "$f")" "$(val pages "$f")" "$(val recrawl_copies "$f")" "$(val share_with_examples "$f")" \
      "$(val copies_with_examples "$f")" "$(val inputs_lost "$f")" "$(val dead_letters_by_reason "$f")" \
      "$(val latency_p50_s "$f")/$(val latency_p99_s "$f")" "$(val state_bytes_latest "$f")/$(val state_bytes_max "$f")" \
      "$(if [[ -n "$f" ]]; then val verdict "$f"; else echo "did not run"; fi)"
    if [[ -n "$f" ]]; then sed -n 's/^problem\t/           - /p' "$f"; fi
  done
  echo "================"
} | tee -a "$LOG"
((WRITE_DOC)) && log "tables written to docs/fault-tests.md (sections traffic-<profile>)"
exit "$fail"
