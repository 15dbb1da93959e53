#!/usr/bin/env bash
# day0's gates against plain Python references on the same input, whole processes (JVM start included), paired:
# each round runs day0 then the reference, so both see the same machine state. Prints per comparison the median
# of the per-round ratios day0 / reference, of wall time and of CPU time (user + sys). Below 1.0 day0 is faster.
# The references (bench/reference/*.py) implement each gate's documented rule with nothing else; they stand in
# for the upstream scripts, which are not vendored here. Needs python3 (any 3.x; no packages).
# Usage: bench/vs-python.sh [rounds] [gates|inspect|checkpoint|floor|all]   (default 15 rounds, gates; run idle)
#   floor: what the JVM itself allows: dev.day0.bench.JvmFloorCompare (compare.py's rule in plain Java on Jackson's
#   streaming parser, no picocli, no redaction, no report; started as bin/day0 starts the engine: serial GC, C1,
#   its own class-data archive) against compare.py, and the bare JVM start against python -c 'print(1)'. Needs
#   the test classes.
#   checkpoint: the inspect checkpoint row alone (its fixtures written with a token sample file).
#   inspect: inspect checkpoint (300 + 300 sparse shards, ~35.7k tensors), inspect eval (SAMPLE_LINES lm-eval
#   sample lines, default 3,000,000, about 1 GB, at -Xmx256m) and paired noise (12,032 items x 64 repeats per side)
#   against bench/reference/{checkpoint,samples,paired}.py. Needs the test classes (mvn -B -o -q test-compile): the
#   inputs are written by dev.day0.bench.Bench fixtures.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-15}"
which="${2:-gates}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
command -v python3 >/dev/null || { echo "vs-python: python3 is needed for the reference side" >&2; exit 2; }
# The interpreter itself, not a version manager's shim: a pyenv shim is a shell script that adds 50-90 ms to
# every Python start, which flattered every ratio measured before 2026-12-03.
py="$(python3 -c 'import sys; print(sys.executable)')"

"${DAY0_BIN:-$here/bin/day0}" --version >/dev/null   # builds the jar and the class-data archive once, outside the timing

python3 - "$work" <<'PY'
import json, os, sys
w = sys.argv[1]
for n in (2, 1000):
    base = {f"task_{i:04d}": round(50 + i % 40 + (i % 10) / 10, 1) for i in range(n)}
    cand = {k: round(v - 0.5, 1) for k, v in base.items()}
    json.dump(base, open(f"{w}/base-{n}.json", "w"))
    json.dump(cand, open(f"{w}/cand-{n}.json", "w"))
    tasks = {f"task_{i:04d}": {"status": "SUCCESS", "expected_samples": 200, "scored_samples": 200,
                               "score": 0.5 + (i % 40) / 100, "errors": []} for i in range(n)}
    json.dump({"tasks": tasks}, open(f"{w}/run-{n}.json", "w"))
    for side, tokens in (("b", 1500.0), ("c", 1520.0)):
        for i in range(n):
            d = f"{w}/verb-{n}-{side}/eval_run1/lm-evaluation-harness.task_{i:04d}/artifacts"
            os.makedirs(d)
            json.dump({"response_stats": {"avg_completion_tokens": tokens + i % 7, "successful_count": 200}},
                      open(f"{d}/eval_factory_metrics.json", "w"))
json.dump({"source_bytes": 16060522496, "output_bytes": 8546984448, "recipe": "fp8",
           "layer_precision_counts": {"fp8": 224, "excluded": 1, "unexpected_unquantized": 0,
                                      "declaration_mismatch": 0},
           "metadata_diffs": []}, open(f"{w}/ptq.json", "w"))
PY

# wall_ms and cpu_ms of one command, to a tenth of a millisecond (/usr/bin/time's 10 ms steps were a tenth of a
# Python start-up); exit 0 and 1 (gate failed) are both results, anything else aborts. The timer is Python's
# clock around the child alone; its own start-up is not counted.
one() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
before = resource.getrusage(resource.RUSAGE_CHILDREN)
start = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
wall = (time.perf_counter() - start) * 1000
after = resource.getrusage(resource.RUSAGE_CHILDREN)
if rc > 1:
    sys.exit("vs-python: '%s' exited %d" % (" ".join(sys.argv[1:]), rc))
cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
print("%.1f %.1f" % (wall, cpu))
PY
}

compare() {
  local label="$1" day0="$2" ref="$3"
  local walls=() cpus=() dw=() pw=()
  for _ in $(seq 1 "$rounds"); do
    read -r w1 c1 < <(one bash -c "$day0")
    read -r w2 c2 < <(one bash -c "$ref")
    walls+=("$(awk -v a="$w1" -v b="$w2" 'BEGIN { printf "%.3f", a / (b > 0 ? b : 1) }')")
    cpus+=("$(awk -v a="$c1" -v b="$c2" 'BEGIN { printf "%.3f", a / (b > 0 ? b : 1) }')")
    dw+=("$w1"); pw+=("$w2")
  done
  median() { printf '%s\n' "$@" | sort -g | awk -v n="$#" 'NR == int((n + 1) / 2)'; }
  printf '%-38s day0 %5s ms  python %5s ms  wall ratio %s  cpu ratio %s\n' "$label" \
    "$(median "${dw[@]}")" "$(median "${pw[@]}")" "$(median "${walls[@]}")" "$(median "${cpus[@]}")"
}

d="${DAY0_BIN:-$here/bin/day0}"   # DAY0_BIN: another launcher, e.g. an older checkout's, for before/after
r="$here/bench/reference"
echo "vs-python: $(uptime)"
if [ "$which" = gates ] || [ "$which" = all ]; then
  for n in 2 1000; do
    compare "gate compare, $n tasks" "$d gate compare --baseline $work/base-$n.json --candidate $work/cand-$n.json" \
      "$py $r/compare.py $work/base-$n.json $work/cand-$n.json"
    compare "gate run, $n tasks" "$d gate run --run $work/run-$n.json" "$py $r/run.py $work/run-$n.json"
    compare "gate verbosity, $n tasks" "$d gate verbosity --baseline $work/verb-$n-b --candidate $work/verb-$n-c" \
      "$py $r/verbosity.py $work/verb-$n-b $work/verb-$n-c"
  done
  compare "gate ptq" "$d gate ptq --summary $work/ptq.json" "$py $r/ptq.py $work/ptq.json"
  compare "--version (start-up only)" "$d --version" "$py -c 'print(1)'"
fi
if [ "$which" = floor ] || [ "$which" = all ]; then
  [ -f "$here/target/test-classes/dev/day0/bench/JvmFloorCompare.class" ] \
    || { echo "vs-python: run mvn -B -o -q test-compile first" >&2; exit 2; }
  # A jar, not the classes directory: Java 17 archives no class loaded from a directory.
  (cd "$here/target/test-classes" && jar cf "$work/floor.jar" dev/day0/bench/JvmFloorCompare.class)
  fcp="$work/floor.jar:$here/target/day0.jar"
  java -XX:DumpLoadedClassList="$work/floor.classes" -cp "$fcp" dev.day0.bench.JvmFloorCompare \
    "$work/base-2.json" "$work/cand-2.json" >/dev/null || true
  java -Xshare:dump -XX:SharedClassListFile="$work/floor.classes" -XX:SharedArchiveFile="$work/floor.jsa" \
    -cp "$fcp" >/dev/null 2>&1
  fj="java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:SharedArchiveFile=$work/floor.jsa -Xlog:cds=off -cp $fcp"
  for n in 2 1000; do
    compare "JVM floor compare, $n tasks" "$fj dev.day0.bench.JvmFloorCompare $work/base-$n.json $work/cand-$n.json" \
      "$py $r/compare.py $work/base-$n.json $work/cand-$n.json"
  done
  compare "JVM floor start (prints 1)" "$fj dev.day0.bench.JvmFloorCompare" "$py -c 'print(1)'"
fi
if [ "$which" = inspect ] || [ "$which" = all ] || [ "$which" = checkpoint ]; then
  [ -d "$here/target/test-classes/dev/day0/bench" ] || { echo "vs-python: run mvn -B -o -q test-compile first" >&2; exit 2; }
  java -cp "$here/target/test-classes:$here/target/day0.jar" dev.day0.bench.Bench fixtures --dir "$work/fx" \
    --lines "$([ "$which" = checkpoint ] && echo 1 || echo "${SAMPLE_LINES:-3000000}")" >/dev/null
  f="$work/fx"
  compare "inspect checkpoint, 300 + 300 shards" "$d inspect checkpoint --source $f/checkpoint/source \
    --output $f/checkpoint/output --recipe nvfp4 --out $work/validation-summary.json" \
    "$py $r/checkpoint.py $f/checkpoint/source $f/checkpoint/output"
fi
if [ "$which" = inspect ] || [ "$which" = all ]; then
  compare "inspect eval, ${SAMPLE_LINES:-3000000} lines, -Xmx256m" "DAY0_JAVA_OPTS=-Xmx256m $d inspect eval \
    --results $f/eval --run-summary $work/run-summary.json --scores $work/scores.json" \
    "$py $r/samples.py $f/eval/samples_bench_task_2026-01-01T00-00-00.000000.jsonl"
  compare "paired noise, 12,032 x 64 per side" "$d gate compare --baseline $f/pairing/b.json \
    --candidate $f/pairing/c.json --noise paired --baseline-samples $f/pairing/baseline \
    --candidate-samples $f/pairing/candidate" \
    "$py $r/paired.py $f/pairing/baseline/samples_bench_2026-01-01T00-00-00.jsonl \
    $f/pairing/candidate/samples_bench_2026-01-01T00-00-00.jsonl"
fi
echo "vs-python: $(uptime)"
