#!/usr/bin/env bash
# Measures the dedup state per million documents and writes docs/dedup-state-size.md.
#   scripts/dedup-state-size.sh [--docs=20000] [--recrawlShare=0.2]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mvn -B -q ${MVN_FLAGS:-} -pl pipeline -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt >&2
CP="pipeline/target/test-classes:pipeline/target/classes:$(cat pipeline/target/test-classpath.txt)"
java -cp "$CP" org.in2stream.pipeline.dedup.DedupStateSize --out=docs/dedup-state-size.md "$@"
