#!/usr/bin/env bash
# Sends a folder of documents and its subfolders to a Kafka topic: each .txt file is one record (raw
# bytes, keyed by its path below DIR), each non-blank line of a .jsonl file is one record (streamed).
# A record it cannot send is listed with the reason on stderr and the rest are sent; exit status 3
# then, 0 when everything was sent.
#
#   scripts/produce-docs.sh --dir=DIR --topic=TOPIC [--bootstrapServers=localhost:9092]
#                           [--recreate=true] [--partitions=2] [--kafkaProperties=FILE]
#                           [--maxRecordBytes=16777216]
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ensure_jar
run_tool org.in2stream.runners.tools.ProduceDocs "$@"
