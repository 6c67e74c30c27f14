#!/usr/bin/env bash
# Submits the job to a Flink 1.19 cluster through its REST address (Beam's FlinkRunner, classic
# translation): the local one of scripts/flink-local.sh or any existing session cluster.
#
#   scripts/submit.sh [--flinkMaster=host:port] [--detach] [--fullJar] <pipeline options...>
#
#   --flinkMaster=host:port  the cluster's REST address (default: $FLINK_MASTER, else
#                            localhost:$FLINK_REST_PORT, else localhost:8081)
#   --detach                 submit with --attachedMode=false and return once the cluster has
#                            accepted the job (for streaming jobs, which never end by themselves);
#                            prints the job id. Without it the script waits for the job to end and
#                            exits 0 only if it finished.
#   --fullJar                stage the full job jar instead of the slim -flink-job jar
#   anything else            pipeline and Flink runner options, passed on (--parallelism=2,
#                            --checkpointingInterval=10000, --streaming=true, ...)
#
# The job jar is built if missing or older than the sources. The submitting JVM runs the full
# runners/target/in2-stream-runners-*-flink.jar; the cluster receives (--filesToStage) the slim
# in2-stream-runners-*-flink-job.jar, which leaves out what every Flink cluster has (Flink, Kryo,
# slf4j) and Scala. Env: SUBMIT_HEAP (client heap, default 1g).
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

die() { echo "submit: $*" >&2; exit 2; }

MASTER="${FLINK_MASTER:-localhost:${FLINK_REST_PORT:-8081}}"
DETACH=0
FULL_JAR=0
STAGE=""
PASS=()
for arg in "$@"; do
  case "$arg" in
    --flinkMaster=*) MASTER="${arg#*=}" ;;
    --detach) DETACH=1 ;;
    --fullJar) FULL_JAR=1 ;;
    --filesToStage=*) STAGE="${arg#*=}" ;;
    --attachedMode=*) [[ "${arg#*=}" == false ]] && DETACH=1 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    --output=*)
      out="${arg#*=}"
      # A relative path would be resolved by each TaskManager against its own working directory;
      # on a cluster of this machine, make it relative to the caller's instead.
      if [[ "$out" != /* && "$out" != *://* && "$MASTER" =~ ^(http://)?(localhost|127\.0\.0\.1): ]]; then
        out="$PWD/$out"
      fi
      PASS+=("--output=$out") ;;
    --*) PASS+=("$arg") ;;
    *) die "unexpected argument '$arg' (options are --name=value)" ;;
  esac
done
MASTER="${MASTER#http://}"
MASTER="${MASTER%/}"
[[ "$MASTER" == *:* ]] || die "--flinkMaster must be host:port (the REST address), got '$MASTER'"
[[ "$MASTER" != "[local]" && "$MASTER" != "[auto]" ]] \
  || die "use scripts/demo.sh or In2Main for the embedded cluster; this script submits to a REST address"

command -v curl >/dev/null || die "curl not found (used to check the REST address)"
if ! overview="$(curl -fsS --max-time 5 "http://$MASTER/overview" 2>&1)"; then
  echo "submit: no Flink REST API at http://$MASTER ($overview)" >&2
  echo "        start one with scripts/flink-local.sh start, or pass --flinkMaster=host:port" >&2
  exit 1
fi
slots="$(sed -n 's/.*"slots-total":\([0-9]*\).*/\1/p' <<<"$overview")"
version="$(curl -fsS --max-time 5 "http://$MASTER/config" 2>/dev/null | sed -n 's/.*"flink-version":"\([^"]*\)".*/\1/p' || true)"
if [[ -n "$version" && "$version" != 1.19.* ]]; then
  echo "submit: warning: the cluster runs Flink $version; the job is built for Flink 1.19" >&2
fi

ensure_jar
JAR="$(job_jar)"
[[ -n "$JAR" ]] || die "no job jar under $ROOT/runners/target after the build"
if [[ -z "$STAGE" ]]; then
  SLIM="${JAR%-flink.jar}-flink-job.jar"
  if [[ $FULL_JAR == 0 && -f "$SLIM" && ! "$SLIM" -ot "$JAR" ]]; then STAGE="$SLIM"; else STAGE="$JAR"; fi
fi
((DETACH)) && PASS+=("--attachedMode=false")

echo "Submitting to http://$MASTER (Flink ${version:-?}, ${slots:-?} slots), staging $(basename "$STAGE")" \
  "($(du -m "$STAGE" | cut -f1) MB)" >&2

CMD=(java "${JAVA_OPENS[@]}" "-Xmx${SUBMIT_HEAP:-1g}"
  # Log the submission itself (job id, upload done) on the console; the rest stays at WARN.
  -Dorg.slf4j.simpleLogger.log.org.apache.flink.client.program.rest.RestClusterClient=info
  -cp "$JAR" org.in2stream.runners.In2Main
  "--flinkMaster=$MASTER" "--filesToStage=$STAGE" "${PASS[@]}")

START_NS=$(date +%s%N)
elapsed() { awk -v a="$START_NS" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}'; }

# Echoes the client's output and notes the moment the cluster accepted the job.
watch_client() {
  local line
  while IFS= read -r line; do
    printf '%s\n' "$line"
    if [[ "$line" == *"Successfully submitted job"* ]]; then
      echo "submit: job accepted by the cluster after $(elapsed) s" \
        "(id $(sed -n 's/.*(\([0-9a-f]\{32\}\)).*/\1/p' <<<"$line"))" >&2
    fi
  done
}

if ((DETACH == 0)); then
  set +e
  "${CMD[@]}" 2>&1 | watch_client
  rc=${PIPESTATUS[0]}
  set -e
  echo "submit: client exited with $rc after $(elapsed) s" >&2
  exit "$rc"
fi

# Detached: Beam's In2Main still polls the job state until it ends (FlinkDetachedRunnerResult), so
# run the client in the background and stop it once the cluster has accepted the job and it runs.
LOG="$(mktemp "${TMPDIR:-/tmp}/in2-submit.XXXXXX.log")"
"${CMD[@]}" >"$LOG" 2>&1 &
CLIENT=$!
trap 'kill "$CLIENT" 2>/dev/null || true' INT TERM
JOB=""
while kill -0 "$CLIENT" 2>/dev/null; do
  JOB="$(sed -n 's/.*Successfully submitted job .*(\([0-9a-f]\{32\}\)).*/\1/p' "$LOG" | head -n 1)"
  if [[ -n "$JOB" ]]; then
    state="$(curl -fsS --max-time 5 "http://$MASTER/jobs/$JOB" 2>/dev/null \
      | sed -n 's/.*"state":"\([A-Z]*\)".*/\1/p' | head -n 1 || true)"
    if [[ "$state" == RUNNING || "$state" == FINISHED ]]; then break; fi
  fi
  sleep 0.5
done
if [[ -z "$JOB" ]]; then
  rc=0
  wait "$CLIENT" || rc=$?
  cat "$LOG" >&2
  echo "submit: the client exited ($rc) before the cluster accepted a job" >&2
  exit 1
fi
# The client is either polling the job's state or has already seen a short job end.
kill "$CLIENT" 2>/dev/null || true
wait "$CLIENT" 2>/dev/null || true
cat "$LOG"
rm -f "$LOG"
echo "Job $JOB submitted in $(elapsed) s and ${state:-accepted} on http://$MASTER"
echo "  follow:  curl -s http://$MASTER/jobs/$JOB | head -c 300; or the web UI at http://$MASTER/#/job/running/$JOB/overview"
echo "  stop:    curl -s -X POST http://$MASTER/jobs/$JOB/stop -H 'Content-Type: application/json' -d '{\"drain\":false}'  (savepoint, then stop)"
echo "  cancel:  curl -s -X PATCH 'http://$MASTER/jobs/$JOB?mode=cancel'"
