# Shared helpers for the scripts; source it, do not run it.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ROOT

# Flink 1.19 on Java 17 needs these (the list Flink's own distribution passes).
JAVA_OPENS=(
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)
export JAVA_OPENS

# The shaded job jar (Flink job, local launcher and tools in one).
job_jar() {
  local jar
  jar=$(ls "$ROOT"/runners/target/in2-stream-runners-*-flink.jar 2>/dev/null | head -n 1 || true)
  echo "$jar"
}

# Builds the job jar unless it exists and is newer than every source file and pom.
ensure_jar() {
  local jar
  jar=$(job_jar)
  if [[ -n "$jar" ]] && [[ -z "$(find "$ROOT"/pom.xml "$ROOT"/schemas "$ROOT"/pipeline "$ROOT"/runners \
      \( -name '*.java' -o -name '*.avsc' -o -name 'pom.xml' -o -name '*.properties' \) \
      -not -path '*/target/*' -newer "$jar" -print -quit)" ]]; then
    return 0
  fi
  # package, not install: the shaded jar is all the scripts need, and ~/.m2 stays untouched.
  echo "Building the job jar (mvn -DskipTests package)..." >&2
  (cd "$ROOT" && mvn -B -q -DskipTests package) >&2
}

# Runs a tool class from the job jar.
run_tool() {
  local cls=$1
  shift
  java -cp "$(job_jar)" "$cls" "$@"
}

# Builds the modules (tests compiled, not run) and writes each module's test classpath to
# <module>/target/test-classpath.txt, for the tools that live in test scope (fake LLM server, benchmark).
ensure_test_classpath() {
  if [[ -f "$ROOT/runners/target/test-classpath.txt" ]] && [[ -d "$ROOT/runners/target/test-classes" ]] \
    && [[ -z "$(find "$ROOT"/pom.xml "$ROOT"/schemas "$ROOT"/pipeline "$ROOT"/runners \
      \( -name '*.java' -o -name '*.avsc' -o -name 'pom.xml' -o -name '*.txt' -o -name '*.properties' \) \
      -not -path '*/target/*' -newer "$ROOT/runners/target/test-classpath.txt" -print -quit)" ]]; then
    return 0
  fi
  echo "Building the modules and their test classpaths (mvn -DskipTests package)..." >&2
  (cd "$ROOT" && mvn -B -q -DskipTests package dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt) >&2
  # The plugin leaves an unchanged file alone: mark the build, or every later call would rebuild.
  touch "$ROOT/runners/target/test-classpath.txt"
}

# The classpath of a module's tests: its test classes, its classes and its test-scope dependencies.
test_classpath() {
  local module=$1
  echo "$ROOT/$module/target/test-classes:$ROOT/$module/target/classes:$(cat "$ROOT/$module/target/test-classpath.txt")"
}
