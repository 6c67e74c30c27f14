#!/usr/bin/env bash
# Saturation benchmark of the LLM transform: the fake server at latency L and concurrency cap C
# (at most C/L requests/s), SynthesizeQa with the OpenAI-compatible generator versus a plain
# synchronous DoFn, both on Flink's MiniCluster at parallelism 1. Prints requests/s and their share
# of C/L.
#   scripts/bench-llm.sh [--latencyMs=200] [--concurrency=32] [--docs=2000] [--syncDocs=50] [--maxInFlight=64]
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
for arg in "$@"; do
  case "$arg" in
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    --*=*) ;;
    *) echo "bench-llm: unexpected argument '$arg' (use --name=value)" >&2; exit 2 ;;
  esac
done
ensure_test_classpath
exec java "${JAVA_OPENS[@]}" -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$(test_classpath runners)" org.in2stream.runners.bench.LlmSaturationBenchmark "$@"
