#!/usr/bin/env bash
# What the running job(s) of a Flink cluster are doing, in one compact table:
#   scripts/status.sh [--rest=URL] [--prometheus=auto|off|host:port,...] [--job=JOB_ID]
#                     [--bootstrapServers=HOST:PORT [--consumerGroup=in2-stream] [--topics=T1,T2]
#                      [--kafkaProperties=FILE]]
# State, uptime, restarts, the last checkpoint (age, size, duration) and records in/out per Flink
# task from the REST API (--rest, default http://localhost:$FLINK_REST_PORT, else :8081); the job's
# Beam counters (examples by kind, dead letters by reason and their share, LLM calls, cache hits,
# dedup drops, ...) from the Prometheus reporters that scripts/flink-local.sh configures (auto:
# the port range in the JobManager's configuration, on the JobManager's and TaskManagers' hosts).
# With --bootstrapServers, a streaming job's input lag per Kafka partition too: log end offset minus
# the offset its consumer group (--consumerGroup, the job's option of that name) committed at the
# last checkpoint; the topics are the group's unless --topics names them.
# Counter names: docs/metrics.md. Exit status 3 when the REST API does not answer.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ensure_jar
args=("$@")
if ! printf '%s\n' ${args[@]+"${args[@]}"} | grep -q '^--rest='; then
  args=("--rest=http://localhost:${FLINK_REST_PORT:-8081}" ${args[@]+"${args[@]}"})
fi
exec java -cp "$(job_jar)" org.in2stream.runners.tools.JobStatus "${args[@]}"
