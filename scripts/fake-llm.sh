#!/usr/bin/env bash
# A fake OpenAI-compatible server (test scope, real HTTP) for demos and benchmarks; runs until killed.
#   scripts/fake-llm.sh [--port=8089] [--latencyMs=200] [--concurrency=16] [--rate429=0.3]
#     [--rate429RetryAfterShare=0.5] [--rate5xx=0.05] [--rateHang=0.02] [--rateMalformed=0.05]
#     [--retryAfterSeconds=1] [--hangMs=60000] [--apiKey=KEY] [--rejectJsonSchema=true] [--seed=7]
#     [--defects=ungrounded=0.05,swapped_digits=0.05,quote_not_in_text=0.05,single_piece_multi=0.2,
#       closed_book_trivia=0.05,near_duplicate_question=0.05,injected_instruction=0.05]
#     [--defectLog=FILE.jsonl]
# Base URL: http://127.0.0.1:PORT/v1 ; counts: GET .../v1/stats ; defect labels: GET .../v1/defects
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
for arg in "$@"; do
  case "$arg" in
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
  esac
done
ensure_test_classpath
HAS_PORT=0
for arg in "$@"; do [[ "$arg" == --port=* ]] && HAS_PORT=1; done
EXTRA=()
[[ $HAS_PORT == 0 ]] && EXTRA+=(--port=8089)
exec java -cp "$(test_classpath pipeline)" org.in2stream.pipeline.synth.llm.FakeLlmServer "${EXTRA[@]}" "$@"
