#!/usr/bin/env bash
# Wall-clock time of the README's first command, `bin/day0 release run --plan examples/quickstart/release.yaml`,
# JVM start included: the whole chain (setup, replayed PTQ, checkpoint inspection, two replayed evals with their
# inspection and run gates, compare, reports). Target (issue 6): under 30 s on a 2-core machine after the build.
# Usage: bench/release-quickstart.sh [runs]   (default 11; run on an otherwise idle machine)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-11}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$here/bin/day0" --version >/dev/null   # builds the jar and the class-data archive once, outside the timing

times=()
for i in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  "$here/bin/day0" release run --plan "$here/examples/quickstart/release.yaml" --workdir "$work/run-$i" \
    >/dev/null 2>&1 || { echo "run $i failed with exit $?" >&2; exit 1; }
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
max=$(echo "$sorted" | tail -n 1)
echo "release run (quick start): median ${median} ms, max ${max} ms over ${runs} runs (target: < 30000 ms)"
