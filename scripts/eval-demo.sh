#!/usr/bin/env bash
# The evaluation probes end to end, and the figures of docs/eval-probes.md:
#   scripts/eval-demo.sh [--output=DIR] [--docs=N] [--split=hash:0.2] [--lengths=2048,4096,8192,16384]
#     [--write-doc]
# 1. scripts/demo.sh --evalSplit=... --llm-url=fake: QA pairs from the fake LLM server, evaluation
#    documents apart; 2. scripts/probes.sh; 3. the fake server (scripts/fake-llm.sh, a free port)
#    answers the probes through scripts/predict.sh; 4. scripts/score.sh; 5. the dataset card again,
#    now with its probe overlap section. With --write-doc the score table, the heatmap and the
#    overlap section go to docs/generated/eval-probes/.
# Ports: KAFKA_PORT / KAFKA_CONTROLLER_PORT as for demo.sh; the fake servers take free ports.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

OUTPUT="$ROOT/out/eval-demo"
DOCS=400
SPLIT="hash:0.2"
LENGTHS="2048,4096,8192,16384"
WRITE_DOC=0
for arg in "$@"; do
  case "$arg" in
    --output=*) OUTPUT="${arg#*=}" ;;
    --docs=*) DOCS="${arg#*=}" ;;
    --split=*) SPLIT="${arg#*=}" ;;
    --lengths=*) LENGTHS="${arg#*=}" ;;
    --write-doc) WRITE_DOC=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "eval-demo: unexpected argument '$arg'" >&2; exit 2 ;;
  esac
done

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

FAKE_PID=""
cleanup() {
  if [[ -n "$FAKE_PID" ]]; then
    kill "$FAKE_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

ensure_jar
ensure_test_classpath
FAKE_LLM_PORT="$(free_port)" "$ROOT/scripts/demo.sh" --output="$OUTPUT" --docs="$DOCS" \
  --evalSplit="$SPLIT" --llm-url=fake --llmCache="file:$OUTPUT.llm-cache"

"$ROOT/scripts/probes.sh" --output="$OUTPUT" --lengths="$LENGTHS"

PORT="$(free_port)"
mkdir -p "$ROOT/.local"
LOG="$ROOT/.local/fake-llm-probes.log"
"$ROOT/scripts/fake-llm.sh" --port="$PORT" --latencyMs=20 --concurrency=16 --rate429=0.05 \
  > "$LOG" 2>&1 &
FAKE_PID=$!
for _ in $(seq 1 600); do
  grep -q "listening on" "$LOG" 2>/dev/null && break
  if ! kill -0 "$FAKE_PID" 2>/dev/null; then
    echo "eval-demo: the fake LLM server did not start; see $LOG" >&2
    exit 1
  fi
  sleep 0.2
done
"$ROOT/scripts/predict.sh" --probes="$OUTPUT/eval/probes" \
  --predictions="$OUTPUT/eval/predictions.jsonl" --llmUrl="http://127.0.0.1:$PORT/v1" \
  --llmModel=fake-model --llmCache="file:$OUTPUT/eval/probe-cache" --maxInFlight=8
kill "$FAKE_PID" 2>/dev/null || true
wait "$FAKE_PID" 2>/dev/null || true
FAKE_PID=""

SCORE="$OUTPUT/eval/score"
"$ROOT/scripts/score.sh" --probes="$OUTPUT/eval/probes" \
  --predictions="$OUTPUT/eval/predictions.jsonl" --out="$SCORE" \
  --title="The fake LLM server on the probes of scripts/eval-demo.sh ($DOCS documents, --evalSplit=$SPLIT)"
run_tool org.in2stream.runners.tools.DatasetCard --output="$OUTPUT" --card="$OUTPUT/card"

if [[ $WRITE_DOC == 1 ]]; then
  DOC="$ROOT/docs/generated/eval-probes"
  mkdir -p "$DOC"
  cp "$SCORE/score.md" "$DOC/score.md"
  cp "$SCORE/heatmap.png" "$DOC/heatmap.png"
  sed -n '/^## Evaluation probes and training data/,$p' "$OUTPUT/card/README.md" > "$DOC/overlap.md"
  echo "Wrote $DOC/score.md, $DOC/heatmap.png and $DOC/overlap.md"
fi
