#!/usr/bin/env bash
# Converts the examples of an output folder (all windows) into files a trainer loads as they are.
#   scripts/export.sh --input=DIR --output=DIR --format=parquet|jsonl
#       --schema=messages|prompt-completion|text|raw [--shardMb=256]
#       [--maxSequenceTokens=N --tokenizer=hf:/path/tokenizer.json|tiktoken:NAME [--templateTokens=64]]
#       [--system=TEXT] [--card=DIR] [--split=train] [--sampleInto=FILE]
# Streams the Avro files (never the whole dataset in memory), writes <split>-NNNNN-of-NNNNN.<format>
# shards under --output, the trainer configs (LLaMA-Factory, axolotl, torchtune, datasets) into
# <card>/trainers/, and prints rows/s and MB/s. Options: scripts/export.sh --help
# An output in a bucket: --input=s3://bucket/prefix --card=DIR with the job's S3 options
# (--awsRegion=... --endpoint=... --s3ClientFactoryClass=...), credentials from AWS_* variables.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ensure_jar
exec java -cp "$(job_jar)" org.in2stream.runners.tools.Export "$@"
