#!/usr/bin/env bash
# Wall-clock latency of the engine as users start it (bin/day0, JVM start included).
# Targets (issue 2): `gate compare` on 1,000 tasks < 1 s; report the median start-up of `--version`.
# Usage: bench/cli-latency.sh [runs]   (default 21 runs each; run on an otherwise idle machine)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-21}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$here/bin/day0" --version >/dev/null   # builds the jar and the class-data archive once, outside the timing

# 1,000 tasks with drops inside the threshold, so the gate does its full per-task work and passes.
{
  printf '{'
  for i in $(seq 0 999); do
    [ "$i" -gt 0 ] && printf ','
    printf '"task_%04d": %d.%d' "$i" $((50 + i % 40)) $((i % 10))
  done
  printf '}\n'
} > "$work/baseline.json"
# The candidate loses 0.5 points on every task: inside the 1-point limit, so every task is computed and passes.
sed -E 's/"task_([0-9]+)": ([0-9]+)\.([0-9])/"task_\1": \2.\3 - 0.5/g' "$work/baseline.json" \
  | awk 'BEGIN { RS = ","; ORS = "," } { if (match($0, /[0-9]+\.[0-9] - 0\.5/)) { v = substr($0, RSTART, RLENGTH); split(v, p, " - "); sub(/[0-9]+\.[0-9] - 0\.5/, sprintf("%.1f", p[1] - p[2])) } print }' \
  | sed -E '$ s/,$//' > "$work/candidate.json"
head -c 120 "$work/candidate.json" >&2; echo >&2

measure() {
  local label="$1"; shift
  local times=()
  for _ in $(seq 1 "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { rc=$?; [ "$rc" -le 1 ] || { echo "$label failed with exit $rc" >&2; exit 1; }; }
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  local sorted
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  local median p90 max
  median=$(echo "$sorted" | awk -v n="$runs" 'NR == int((n + 1) / 2)')
  p90=$(echo "$sorted" | awk -v n="$runs" 'NR == int(n * 0.9 + 0.5)')
  max=$(echo "$sorted" | tail -n 1)
  printf '%-34s runs=%-3s median=%5s ms  p90=%5s ms  max=%5s ms\n' "$label" "$runs" "$median" "$p90" "$max"
}

measure "day0 --version" "$here/bin/day0" --version
measure "day0 gate compare (1,000 tasks)" "$here/bin/day0" gate compare \
  --baseline "$work/baseline.json" --candidate "$work/candidate.json"
measure "java -jar (no launcher tuning)" java -jar "$here/target/day0.jar" --version
