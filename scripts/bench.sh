#!/usr/bin/env bash
# All benchmarks in one run, one table: builds once, then
#   rows 1-2  JMH micro-benchmarks (benchmarks/: segmentation vs raw token counting, assembly of
#             32K-token examples vs Avro encode + deflate only)
#   row 3     LLM saturation on Flink against the fake server (runners' LlmSaturationBenchmark)
#   rows 4-5  the real job end to end (local Kafka broker, Flink MiniCluster in a child JVM with
#             -Xmx1g): offline generator and fake LLM at p=2/32K, p=1/32K, p=2/8K
#   row 6     the IN2-scale projection derived from them
# prints the table and writes docs/BENCHMARKS.md (machine, table, docs/benchmarks-analysis.md).
#   scripts/bench.sh [--docs=400] [--quick]     --quick: shorter JMH iterations, fewer LLM requests
# Env: KAFKA_PORT (59092), KAFKA_CONTROLLER_PORT (59093), BENCH_FAKE_LLM_PORT (18190).
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DOCS=400
QUICK=0
for arg in "$@"; do
  case "$arg" in
    --docs=*) DOCS="${arg#*=}" ;;
    --quick) QUICK=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
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
FAKE_PID=""
cleanup() {
  [[ -n "$FAKE_PID" ]] && kill "$FAKE_PID" 2>/dev/null || true
  if [[ $STARTED_KAFKA == 1 ]]; then "$ROOT/scripts/kafka-local.sh" stop >&2 || true; fi
}
trap cleanup EXIT

log "corpus: $DOCS generated documents"
run_tool org.in2stream.runners.tools.GenerateCorpus --out="$OUT/corpus" --docs="$DOCS" >&2

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

# ---- rows 4-5: the job end to end ----
if ! "$ROOT/scripts/kafka-local.sh" status >/dev/null 2>&1; then
  "$ROOT/scripts/kafka-local.sh" start >&2
  STARTED_KAFKA=1
fi
SENT=$(run_tool org.in2stream.runners.tools.ProduceDocs --bootstrapServers="$BOOTSTRAP" \
  --topic="$TOPIC" --dir="$OUT/corpus" --recreate=true | awk '/^Sent/ {print $2}')
log "sent $SENT records to $TOPIC"
# the fixed cost of a run (JVM, MiniCluster start, job graph, Kafka discovery, shutdown): the same
# job over 3 documents, subtracted to give steady-state rates
run_tool org.in2stream.runners.tools.GenerateCorpus --out="$OUT/corpus-tiny" --docs=3 --bad=false >&2
TINY=$(run_tool org.in2stream.runners.tools.ProduceDocs --bootstrapServers="$BOOTSTRAP" \
  --topic="$TOPIC-tiny" --dir="$OUT/corpus-tiny" --recreate=true | awk '/^Sent/ {print $2}')

e2e() {
  local label=$1
  shift
  local topic=$TOPIC records=$SENT
  if [[ "$label" == startup-* ]]; then topic="$TOPIC-tiny"; records=$TINY; fi
  log "end to end: $label $*"
  rm -rf "$OUT/out-$label"
  java "${JAVA_OPENS[@]}" -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$BENCH_CP" \
    org.in2stream.benchmarks.EndToEndRun --benchOut="$RES/e2e-$label.json" --benchLabel="$label" \
    --benchRecords="$records" --bootstrapServers="$BOOTSTRAP" --inputTopic="$topic" \
    --output="$OUT/out-$label" "$@" > "$RES/e2e-$label.log" 2>&1 \
    || { tail -40 "$RES/e2e-$label.log" >&2; exit 1; }
}
e2e startup-p2 --parallelism=2 --maxContextTokens=8192 --minContextTokens=1024
e2e offline-p2-32k --parallelism=2
e2e offline-p1-32k --parallelism=1
e2e offline-p2-8k --parallelism=2 --maxContextTokens=8192

java -cp "$(test_classpath pipeline)" org.in2stream.pipeline.synth.llm.FakeLlmServer \
  --port="$FAKE_PORT" --latencyMs=100 --concurrency=32 > "$RES/fake-llm.log" 2>&1 &
FAKE_PID=$!
for _ in $(seq 1 300); do
  grep -q "listening on" "$RES/fake-llm.log" 2>/dev/null && break
  kill -0 "$FAKE_PID" 2>/dev/null || { cat "$RES/fake-llm.log" >&2; exit 1; }
  sleep 0.2
done
e2e fakellm-p2-32k --parallelism=2 --generator=openai --llmUrl="http://127.0.0.1:$FAKE_PORT/v1" \
  --llmModel=fake-model --llmCache=none
kill "$FAKE_PID" 2>/dev/null || true
FAKE_PID=""

# ---- the table ----
SECS=$(($(date +%s) - T0))
mkdir -p "$ROOT/docs"
java -cp "$BENCH_CP" org.in2stream.benchmarks.BenchReport --dir="$RES" --corpus="$OUT/corpus" \
  --markdown="$ROOT/docs/BENCHMARKS.md" --analysis="$ROOT/docs/benchmarks-analysis.md" \
  --seconds="$SECS" --loadStart="$LOAD_START" --loadEnd="$(cut -d' ' -f1-3 /proc/loadavg)" \
  --llmNote="L=100 ms, C=32"
log "done in ${SECS} s; table in docs/BENCHMARKS.md, raw results in $RES"
