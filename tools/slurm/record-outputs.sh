#!/usr/bin/env bash
# Records what the Slurm commands print for the states day0 maps, from the local cluster
# (tools/slurm/local-cluster.sh start), into src/test/resources/slurm/: the parsers' unit tests replay them.
# Takes about 90 s: one job runs into its one-minute time limit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=src/test/resources/slurm
work="$(mktemp -d /tmp/day0-slurm-record.XXXXXX)"
mkdir -p "$out"
tools/slurm/local-cluster.sh status >/dev/null || { echo "start the cluster first: tools/slurm/local-cluster.sh start" >&2; exit 1; }

submit() { # name time body
  sbatch --parsable --job-name="$1" --output="$work/$1.out" ${2:+--time=$2} --comment="day0:record:$1" <<EOF
#!/bin/bash
$3
EOF
}

wait_done() {
  for _ in $(seq 1 300); do
    state="$(squeue -h --states=all -j "$1" -o %T 2>/dev/null || true)"
    case "$state" in PENDING | RUNNING | CONFIGURING | COMPLETING | "") sleep 0.5 ;; *) return ;; esac
  done
}

submit record-ok "" 'echo hello from $SLURM_JOB_ID' >"$out/sbatch-parsable.txt"
ok="$(cat "$out/sbatch-parsable.txt")"
failed="$(submit record-failed "" 'echo failing; exit 3')"
long="$(submit record-cancelled "" 'sleep 300')"
timeout="$(submit record-timeout 1 'sleep 300')"
for _ in $(seq 1 40); do
  [ "$(squeue -h -j "$long" -o %T)" = RUNNING ] && break
  sleep 0.25
done
scontrol -o show job "$long" >"$out/scontrol-running.txt"
squeue -h --states=all -o '%i|%j|%T|%r' >"$out/squeue-running.txt"
scancel "$long"
wait_done "$ok"
wait_done "$failed"
wait_done "$long"
scontrol -o show job "$ok" >"$out/scontrol-completed.txt"
scontrol show job "$ok" >"$out/scontrol-completed-multiline.txt"
scontrol -o show job "$failed" >"$out/scontrol-failed.txt"
scontrol -o show job "$long" >"$out/scontrol-cancelled.txt"
scontrol -o show job 999999 >"$out/scontrol-unknown.stdout.txt" 2>"$out/scontrol-unknown.stderr.txt" || true
sacct -n -P -X -o JobID,JobName,State,ExitCode,Reason -j "$ok" \
  >"$out/sacct-disabled.stdout.txt" 2>"$out/sacct-disabled.stderr.txt" || true
scontrol show config | grep -E '^(JobComp|MinJobAge|OverTimeLimit|KillWait)' >"$out/scontrol-config.txt"
wait_done "$timeout"
scontrol -o show job "$timeout" >"$out/scontrol-timeout.txt"
squeue -h --states=all -o '%i|%j|%T|%r' >"$out/squeue-all.txt"
grep -E "^JobId=($ok|$failed|$long|$timeout) " /var/log/slurm/jobcomp.txt >"$out/jobcomp.txt"
rm -rf "$work"
echo "recorded into $out (jobs $ok $failed $long $timeout)"
