#!/usr/bin/env bash
# The gate fuzz campaign (issue 12): generated hostile inputs for gate compare, run and ptq, in one JVM.
# Prints per gate: inputs, how many break a rule, passes, exit-2s, false passes, exit-70s (the last two must be 0).
# Usage: bench/gate-fuzz.sh [cases per gate] [seed] [shards per gate]   (default 100000 cases, seed 20261201, 1 shard;
# more shards run in more threads)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mvn -B -o -q test-compile -Dday0.jenkins.lint.skip=true
mvn -B -o -q dependency:build-classpath -Dmdep.outputFile=target/fuzz-classpath.txt >/dev/null
exec java -cp "target/test-classes:target/classes:$(cat target/fuzz-classpath.txt)" dev.day0.fuzz.GateFuzz \
  "${1:-100000}" "${2:-20261201}" "${TMPDIR:-/tmp}" "${3:-1}"
