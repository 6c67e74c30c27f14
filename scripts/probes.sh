#!/usr/bin/env bash
# Cuts the evaluation probes from the evaluation side of a run with --evalSplit (docs/eval-probes.md):
#   scripts/probes.sh --output=DIR [--out=DIR] [--lengths=2048,4096,8192,16384] [--depthBins=10]
#     [--perCell=1] [--kinds=qa,document,structured,needle] [--seed=42]
#     [--tokenizer=tiktoken:cl100k_base] [--minSegmentTokens=128] [--maxParagraphTokens=512]
# Reads DIR/eval/documents and DIR/eval/qa; writes probes.jsonl and probes.parquet into --out
# (default DIR/eval/probes).
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
for arg in "$@"; do
  case "$arg" in
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
  esac
done
ensure_jar
exec java -cp "$(job_jar)" org.in2stream.runners.tools.BuildProbes "$@"
