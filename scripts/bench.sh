#!/usr/bin/env bash
# All benchmarks in one run, one generated report: builds once, then
#   rows 1-2  JMH micro-benchmarks (benchmarks/: segmentation vs raw token counting, assembly of
#             32K-token examples vs Avro encode + deflate only)
#   row 3     LLM saturation on Flink against the fake server (runners' LlmSaturationBenchmark)
#   rows 4-6  the real job end to end at steady state (local Kafka broker, Flink MiniCluster in a child
#             JVM with -Xmx3g): a start-up run over a few documents (shown, not subtracted), then the
#             offline generator at p=2 x 8K/32K, at p=1 on one core (taskset) x 8K/32K and at p=1
#             unpinned x 32K, and the fake LLM at p=2/32K, each over a prefix
#             of a generated corpus streamed to the topic at a fixed event-time rate; the offline
#             p=2/32K settings run once more, recorded with JFR, for the profile
#   rows 7-8  the goal rows (ratios) and the IN2-scale projection (1.55M examples)
#   rows 5g,9 with --cluster or --full: the standalone session cluster (scripts/flink-local.sh): the
#             row-5d replay submitted to it, and the streaming job fed a live stream at a fixed rate
#             (documents/s, CPU, checkpoint size and duration, TaskManager heap)
# BenchReport fills benchmarks/src/main/resources/bench/BENCHMARKS.md.template and writes
# docs/BENCHMARKS.md (tables and prose from this run; refused if a prose figure is not in a table).
#   scripts/bench.sh [--docs=20000] [--quick] [--cluster] [--full]
#     --docs   documents in the generated corpus (the topic holds all of them)
#     --quick  shorter JMH iterations, fewer LLM requests (a smoke run)
#     --cluster  also the standalone-cluster rows (a longer run than the default's twenty-minute
#              budget); the report's machine table gives the mode and the duration of its run
#     --full   the cluster rows, and every end-to-end run reads the whole corpus instead of its
#              default prefix (about ten times its start-up), the streaming row measures 300 s
#              instead of 90 s; much longer (its duration goes into the machine table)
# Env: KAFKA_PORT (59092), KAFKA_CONTROLLER_PORT (59093), BENCH_FAKE_LLM_PORT (18190),
#   BENCH_FLINK_REST_PORT (18191), BENCH_FLINK_RPC_PORT (16191), FLINK_TM_MEMORY (4096m).
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DOCS=20000
QUICK=0
FULL=0
CLUSTER=0
STREAM_SECONDS=90
for arg in "$@"; do
  case "$arg" in
    --docs=*) DOCS="${arg#*=}" ;;
    --quick) QUICK=1 ;;
    --full) FULL=1; CLUSTER=1; STREAM_SECONDS=300 ;;
    --cluster) CLUSTER=1 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "bench: unexpected argument '$arg'" >&2; exit 2 ;;
  esac
done
export KAFKA_PORT="${KAFKA_PORT:-59092}"
export KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-59093}"
FAKE_PORT="${BENCH_FAKE_LLM_PORT:-18190}"
BOOTSTRAP="localhost:$KAFKA_PORT"
TOPIC="in2-bench-docs"
OUT="$ROOT/.local/bench"
RES="$OUT/results"
T0=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log() { echo "[bench $(($(date +%s) - T0))s] $*" >&2; }

# ---- build once: every module, test classpaths written for the test-scope tools ----
log "building (mvn -DskipTests package, once)"
(cd "$ROOT" && mvn -B -q -DskipTests package dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt) >&2
BENCH_CP="$ROOT/benchmarks/target/classes:$(cat "$ROOT/benchmarks/target/test-classpath.txt")"

rm -rf "$RES"
mkdir -p "$RES"
STARTED_KAFKA=0
STARTED_FLINK=0
FAKE_PID=""
PRODUCER_PID=""
cleanup() {
  [[ -n "$FAKE_PID" ]] && kill "$FAKE_PID" 2>/dev/null || true
  [[ -n "$PRODUCER_PID" ]] && kill "$PRODUCER_PID" 2>/dev/null || true
  if [[ $STARTED_FLINK == 1 ]]; then "$ROOT/scripts/flink-local.sh" stop >&2 || true; fi
  if [[ $STARTED_KAFKA == 1 ]]; then "$ROOT/scripts/kafka-local.sh" stop >&2 || true; fi
}
trap cleanup EXIT

log "corpus: $DOCS generated documents"
rm -rf "$OUT/corpus"
run_tool org.in2stream.runners.tools.GenerateCorpus --out="$OUT/corpus" --docs="$DOCS" --bad=false >&2

# ---- rows 1-2: JMH ----
JMH_ARGS=()
[[ $QUICK == 1 ]] && JMH_ARGS=(-wi 1 -w 1 -i 2 -r 1)
log "JMH: segmentation and assembly"
java -cp "$BENCH_CP" org.openjdk.jmh.Main 'SegmentationBench|AssemblyBench' \
  -p corpus="$OUT/corpus" -rf json -rff "$RES/jmh.json" ${JMH_ARGS[@]+"${JMH_ARGS[@]}"} \
  > "$RES/jmh.log" 2>&1 || { tail -40 "$RES/jmh.log" >&2; exit 1; }
grep -A8 '^Benchmark ' "$RES/jmh.log" >&2 || true

# ---- row 3: LLM saturation (the existing benchmark, unchanged) ----
LLM_DOCS=2000
[[ $QUICK == 1 ]] && LLM_DOCS=600
log "LLM saturation: fake server L=200 ms, C=32, $LLM_DOCS documents (sync DoFn: 50)"
"$ROOT/scripts/bench-llm.sh" --latencyMs=200 --concurrency=32 --docs="$LLM_DOCS" --syncDocs=50 \
  > "$RES/llm.txt" 2>"$RES/llm.log" || { tail -40 "$RES/llm.log" >&2; exit 1; }
cat "$RES/llm.txt" >&2

# ---- rows 4-6: the job end to end, at steady state ----
# The corpus goes to the topic in file order, record i to partition i % 2 with the event time
# start + i / DOCS_PER_SECOND, so a window of WINDOW_SECONDS holds the same number of documents in
# every run; a run over the first N documents reads offsets [0, N/2) of both partitions.
# Density: a window's filler pool covers --fillerHorizonWindows (12) windows and travels as one
# record through the pool join. Before In2Main turned on Flink's large-record handler for replays
# (docs/deploy.md), a horizon of 12 x 600 documents of this corpus made that record too large for a
# sort buffer; the runs keep 200 documents per window so that their rows compare with earlier ones.
DOCS_PER_SECOND=4
WINDOW_SECONDS=50
if ! "$ROOT/scripts/kafka-local.sh" status >/dev/null 2>&1; then
  "$ROOT/scripts/kafka-local.sh" start >&2
  STARTED_KAFKA=1
fi
SENT=$(java -cp "$BENCH_CP" org.in2stream.benchmarks.BenchProducer --bootstrapServers="$BOOTSTRAP" \
  --topic="$TOPIC" --dir="$OUT/corpus" --docsPerSecond="$DOCS_PER_SECOND" --partitions=2 \
  2>>"$RES/producer.log" | awk '/^Sent/ {print $2}')
log "sent $SENT records to $TOPIC"
[[ "$SENT" == "$DOCS" ]] || { echo "bench: sent $SENT of $DOCS documents" >&2; exit 1; }

# documents each run reads: the same prefix at p=1 and p=2 of one length, so that the two differ
# only in parallelism; sized so that a run lasts about ten times the start-up at the rates of this
# machine (default), or the whole corpus (--full)
run_docs() {
  local n=$1
  if [[ $FULL == 1 || $n -gt $DOCS ]]; then n=$DOCS; fi
  echo $((n / 2 * 2))
}
e2e() {
  local label=$1 docs=$2
  shift 2
  local half=$((docs / 2))
  log "end to end: $label over $docs documents $*"
  rm -rf "$OUT/out-$label"
  ${E2E_PREFIX[@]+"${E2E_PREFIX[@]}"} java "${JAVA_OPENS[@]}" "-Xmx$E2E_XMX" ${E2E_JVM_ARGS[@]+"${E2E_JVM_ARGS[@]}"} \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$BENCH_CP" \
    org.in2stream.benchmarks.EndToEndRun --benchOut="$RES/e2e-$label.json" --benchLabel="$label" \
    --benchRecords="$docs" --bootstrapServers="$BOOTSTRAP" --inputTopic="$TOPIC" \
    --replayTo="0:$half,1:$half" --windowSeconds="$WINDOW_SECONDS" \
    --output="$OUT/out-$label" "$@" > "$RES/e2e-$label.log" 2>&1 \
    || { tail -40 "$RES/e2e-$label.log" >&2; exit 1; }
}
# -Xmx3g: a bounded replay of thousands of documents at -Xmx1g dies in the pool join's sort
# (OutOfMemoryError: every window's pool record, a horizon of windows each, is sorted at once)
E2E_XMX=3g
E2E_JVM_ARGS=()
E2E_PREFIX=()
# One core for the "-1core" runs: the first CPU this script may run on. p=1 alone keeps more than
# one core busy (a replay runs its stages side by side), so the per-core scaling rows (7e, 7f)
# compare p=2 on every core with p=1 on one; row 7b compares p=1 and p=2 both unpinned.
ONE_CORE="$(taskset -pc $$ | sed 's/.*: *//; s/[-,].*//')"
e2e startup-p2 20 --parallelism=2 --maxContextTokens=8192
E2E_PREFIX=(taskset -c "$ONE_CORE")
e2e offline-p1-8k-1core "$(run_docs 16000)" --parallelism=1 --maxContextTokens=8192
E2E_PREFIX=()
e2e offline-p2-8k "$(run_docs 16000)" --parallelism=2 --maxContextTokens=8192
e2e offline-p1-32k "$(run_docs 8000)" --parallelism=1
E2E_PREFIX=(taskset -c "$ONE_CORE")
e2e offline-p1-32k-1core "$(run_docs 8000)" --parallelism=1
E2E_PREFIX=()
e2e offline-p2-32k "$(run_docs 8000)" --parallelism=2
# The profile comes from a second run of the same settings, so that the recording's own CPU stays
# out of the rows the goals use (it cost row 5d about a tenth when that run was the recorded one).
E2E_JVM_ARGS=("-XX:StartFlightRecording=filename=$RES/offline-p2-32k.jfr")
e2e profile-p2-32k "$(run_docs 8000)" --parallelism=2
E2E_JVM_ARGS=()

java -cp "$(test_classpath pipeline)" org.in2stream.pipeline.synth.llm.FakeLlmServer \
  --port="$FAKE_PORT" --latencyMs=100 --concurrency=32 > "$RES/fake-llm.log" 2>&1 &
FAKE_PID=$!
for _ in $(seq 1 300); do
  grep -q "listening on" "$RES/fake-llm.log" 2>/dev/null && break
  kill -0 "$FAKE_PID" 2>/dev/null || { cat "$RES/fake-llm.log" >&2; exit 1; }
  sleep 0.2
done
e2e fakellm-p2-32k "$(run_docs 8000)" --parallelism=2 --generator=openai \
  --llmUrl="http://127.0.0.1:$FAKE_PORT/v1" --llmModel=fake-model --llmCache=none
kill "$FAKE_PID" 2>/dev/null || true
FAKE_PID=""

# ---- rows 5g and 9: the standalone session cluster (a JobManager and a TaskManager process) ----
# The same replay as row 5d, submitted to the cluster; then the streaming job fed a live stream at a
# fixed rate, with checkpoints every 10 s: documents/s, CPU, checkpoint size and duration,
# TaskManager heap. Only with --cluster/--full.
if [[ $CLUSTER == 1 ]]; then
  export FLINK_REST_PORT="${BENCH_FLINK_REST_PORT:-18191}" FLINK_RPC_PORT="${BENCH_FLINK_RPC_PORT:-16191}"
  export FLINK_TM_MEMORY="${FLINK_TM_MEMORY:-4096m}" FLINK_PROMETHEUS_PORTS=off
  log "standalone cluster: starting (REST port $FLINK_REST_PORT)"
  "$ROOT/scripts/flink-local.sh" reset >&2
  "$ROOT/scripts/flink-local.sh" start >&2
  STARTED_FLINK=1
  SUBMIT=("$ROOT/scripts/submit.sh" --detach "--flinkMaster=localhost:$FLINK_REST_PORT"
    "--bootstrapServers=$BOOTSTRAP" "--inputTopic=$TOPIC" "--windowSeconds=$WINDOW_SECONDS")
  cluster_run() {
    local label=$1
    shift
    log "standalone cluster: $label $*"
    java -cp "$BENCH_CP" org.in2stream.benchmarks.ClusterRun --benchOut="$RES/e2e-$label.json" \
      --benchLabel="$label" --rest="http://localhost:$FLINK_REST_PORT" --flinkDir="$ROOT/.local/flink" \
      "$@" > "$RES/e2e-$label.log" 2>&1 || { tail -40 "$RES/e2e-$label.log" >&2; exit 1; }
  }
  docs=$(run_docs 8000)
  rm -rf "$OUT/out-cluster-offline-p2-32k"
  cluster_run cluster-offline-p2-32k --benchRecords="$docs" --output="$OUT/out-cluster-offline-p2-32k" \
    --maxContextTokens=32768 -- "${SUBMIT[@]}" --parallelism=2 \
    "--replayTo=0:$((docs / 2)),1:$((docs / 2))" "--output=$OUT/out-cluster-offline-p2-32k"
  rm -rf "$OUT/out-cluster-stream"
  # The live stream: BenchProducer sends STREAM_RATE documents a second in real time (timestamps =
  # send times) to a topic of its own, 5 s windows, so a window holds 200 documents as in the replays
  # and the 12-window horizon is full after a minute; the warm-up covers that, the measurement follows.
  STREAM_RATE=40 STREAM_WARMUP=75 STREAM_WINDOW=5
  java -cp "$BENCH_CP" org.in2stream.benchmarks.BenchProducer --bootstrapServers="$BOOTSTRAP" \
    --topic="$TOPIC-live" --dir="$OUT/corpus" --docsPerSecond="$STREAM_RATE" --partitions=2 \
    --paced=true --limit=$((STREAM_RATE * (STREAM_WARMUP + STREAM_SECONDS + 90))) \
    > "$RES/stream-producer.log" 2>&1 &
  PRODUCER_PID=$!
  sleep 5
  cluster_run stream-cluster-p2-32k --streamSeconds="$STREAM_SECONDS" --warmupSeconds="$STREAM_WARMUP" \
    --inputRate="$STREAM_RATE" --windowSeconds="$STREAM_WINDOW" --maxContextTokens=32768 \
    -- "$ROOT/scripts/submit.sh" --detach "--flinkMaster=localhost:$FLINK_REST_PORT" \
    "--bootstrapServers=$BOOTSTRAP" "--inputTopic=$TOPIC-live" --windowSeconds="$STREAM_WINDOW" --parallelism=2 \
    --mode=stream --consumerGroup="bench-$T0" --streamStart=earliest --checkpointingInterval=10000 \
    "--output=$OUT/out-cluster-stream"
  kill "$PRODUCER_PID" 2>/dev/null || true
  PRODUCER_PID=""
  "$ROOT/scripts/flink-local.sh" stop >&2
  STARTED_FLINK=0
fi

# ---- the table ----
SECS=$(($(date +%s) - T0))
mkdir -p "$ROOT/docs"
java -cp "$BENCH_CP" org.in2stream.benchmarks.BenchReport --dir="$RES" --corpus="$OUT/corpus" \
  --markdown="$ROOT/docs/BENCHMARKS.md" --mode="$([[ $FULL == 1 ]] && echo full || { [[ $CLUSTER == 1 ]] && echo cluster || echo default; })" \
  --corpusDocs="$DOCS" --docsPerWindow="$((DOCS_PER_SECOND * WINDOW_SECONDS))" \
  --seconds="$SECS" --loadStart="$LOAD_START" --loadEnd="$(cut -d' ' -f1-3 /proc/loadavg)" \
  --llmNote="L=100 ms, C=32" > "$RES/report.md"
log "done in ${SECS} s; report in docs/BENCHMARKS.md, raw results in $RES"
