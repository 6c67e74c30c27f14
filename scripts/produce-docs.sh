#!/usr/bin/env bash
# Sends a folder of documents to a Kafka topic: each .txt file is one record (raw bytes, keyed by file
# name), each non-blank line of a .jsonl file is one record.
#
#   scripts/produce-docs.sh --dir=DIR --topic=TOPIC [--bootstrapServers=localhost:9092]
#                           [--recreate=true] [--partitions=2]
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ensure_jar
run_tool org.in2stream.runners.tools.ProduceDocs "$@"
