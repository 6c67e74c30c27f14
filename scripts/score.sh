#!/usr/bin/env bash
# Scores predictions of evaluation probes (docs/eval-probes.md):
#   scripts/score.sh --probes=DIR --predictions=FILE.jsonl [--out=DIR] [--threshold=0.5] [--title=TEXT]
# Exact match and token F1 (SQuAD normalisation) per probe kind and per length x depth cell; writes
# score.md (tables, the cells below --threshold, "lost in the middle") and heatmap.png into --out
# (default: a score/ folder next to the predictions) and prints the Markdown.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
for arg in "$@"; do
  case "$arg" in
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
  esac
done
ensure_jar
exec java -Djava.awt.headless=true -cp "$(job_jar)" org.in2stream.runners.tools.ScoreProbes "$@"
