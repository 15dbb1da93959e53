#!/bin/sh
# The eval stages of the examples. They run no model: they replay recorded lm-evaluation-harness results
# (RECORDED_DIR/results_*.json) into the stage directory, where day0 reads them as it would a fresh run's output.
# RUNS_DIR (default RECORDED_DIR/runs), when it exists, holds the run directories the verbosity gate reads
# (<run>/<harness>.<task>/artifacts/eval_factory_metrics.json); it is replayed to STAGE_DIR/runs.
#
# usage: eval-replay.sh RECORDED_DIR [RUNS_DIR]
set -eu

recorded=$1
runs=${2:-$recorded/runs}
echo "$DAY0_STAGE $DAY0_RUN" >> "$DAY0_WORKDIR/stage-runs.log"
mkdir -p "$DAY0_STAGE_DIR/results"
for file in "$recorded"/results_*.json; do
  cp "$file" "$DAY0_STAGE_DIR/results/"
  echo "replayed $(basename "$file") for $DAY0_MODEL (recorded, not measured here)"
done
if [ -d "$runs" ]; then
  cp -R "$runs" "$DAY0_STAGE_DIR/runs"
  echo "replayed the run directories of $runs (eval_factory_metrics.json)"
fi
