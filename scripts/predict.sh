#!/usr/bin/env bash
# Sends evaluation probes to any OpenAI-compatible server and writes its answers (docs/eval-probes.md):
#   scripts/predict.sh --probes=DIR --predictions=FILE.jsonl --llmUrl=URL --llmModel=NAME
#     [--llmCache=file:DIR] [--maxInFlight=16] [--llmApiKeyEnv=OPENAI_API_KEY]
#     [--llmRequestTimeoutMs=N] [--llmMaxRetries=N] [--llmTemperature=0] [any other --llm* option]
# Same client, response cache and in-flight bound as generation; the API key only from the
# environment variable or file named (never on the command line).
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
for arg in "$@"; do
  case "$arg" in
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
  esac
done
ensure_jar
exec java -cp "$(job_jar)" org.in2stream.runners.tools.PredictProbes "$@"
