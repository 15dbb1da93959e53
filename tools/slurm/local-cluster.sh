#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the Slurm integration tests and examples/slurm.
#   tools/slurm/local-cluster.sh start    write slurm.conf, start munged, slurmctld and slurmd, wait until idle
#   tools/slurm/local-cluster.sh stop     stop the daemons this script started
#   tools/slurm/local-cluster.sh status   say whether the cluster answers (exit 0) or not (exit 1)
#
# Needs root and the Debian packages slurm-wlm (22.05) and munge. No cgroups (containers rarely allow them):
# proctrack/linuxproc and task/none. There is no slurmdbd, so sacct has no data; finished jobs stay visible to
# `scontrol show job` for MinJobAge seconds and are written to the job-completion file (JOBCOMP below) for good.
# OverTimeLimit=0 and a short KillWait keep a job that exceeds --time=1 close to one minute.
set -euo pipefail

CONF_DIR=/etc/slurm
CONF="$CONF_DIR/slurm.conf"
STATE_DIR=/var/spool/slurmctld
SPOOL_DIR=/var/spool/slurmd
LOG_DIR=/var/log/slurm
JOBCOMP="$LOG_DIR/jobcomp.txt"
MARKER="# written by day0 tools/slurm/local-cluster.sh"

die() {
  echo "local-cluster: $*" >&2
  exit 1
}

need_root() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (munged, slurmctld and slurmd are started here)"
  for tool in munged slurmctld slurmd sinfo; do
    command -v "$tool" >/dev/null 2>&1 \
      || die "$tool not found: apt-get install -y slurm-wlm munge"
  done
}

write_conf() {
  local host node_line
  host="$(hostname -s)"
  # The node offers at least 8 CPUs whatever the machine has (config_overrides lets slurmd accept that), so the
  # tests' short jobs and the one-minute TIMEOUT job run side by side instead of queueing behind each other.
  local cpus memory
  cpus="$(nproc)"
  [ "$cpus" -ge 8 ] || cpus=8
  memory="$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -n 1)"
  [ -n "$memory" ] || die "slurmd -C printed no RealMemory"
  node_line="NodeName=$host CPUs=$cpus RealMemory=$memory"
  if [ -f "$CONF" ] && ! grep -qF "$MARKER" "$CONF"; then
    cp "$CONF" "$CONF.before-day0"
    echo "local-cluster: kept the previous $CONF as $CONF.before-day0"
  fi
  mkdir -p "$CONF_DIR" "$STATE_DIR" "$SPOOL_DIR" "$LOG_DIR"
  cat >"$CONF" <<EOF
$MARKER
ClusterName=day0local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
SlurmdParameters=config_overrides
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
# Finished jobs stay in scontrol show job for an hour; the completion file keeps them after that.
MinJobAge=3600
JobCompType=jobcomp/filetxt
JobCompLoc=$JOBCOMP
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
# A job over its time limit ends at the limit, and is killed 2 s after its SIGTERM.
OverTimeLimit=0
KillWait=2
InactiveLimit=0
StateSaveLocation=$STATE_DIR
SlurmdSpoolDir=$SPOOL_DIR
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
$node_line State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  # The Debian package ships a cgroup.conf-less install; say explicitly that cgroups are not used.
  echo "# written by day0: no cgroups on this machine" >"$CONF_DIR/cgroup.conf"
}

start_munge() {
  if pgrep -x munged >/dev/null 2>&1 && munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
    return
  fi
  mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
  chmod 0700 /etc/munge
  chmod 0400 /etc/munge/munge.key
  chmod 0755 /run/munge
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 1 50); do
    munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && return
    sleep 0.1
  done
  die "munged did not answer; see /var/log/munge/munged.log"
}

node_state() {
  sinfo -h -N -o '%T' 2>/dev/null | head -n 1
}

start() {
  need_root
  if pgrep -x slurmctld >/dev/null 2>&1 && [ "$(node_state)" = "idle" ]; then
    echo "local-cluster: already running, node idle"
    return
  fi
  write_conf
  start_munge
  pgrep -x slurmctld >/dev/null 2>&1 || slurmctld
  pgrep -x slurmd >/dev/null 2>&1 || slurmd
  local state=""
  for _ in $(seq 1 120); do
    state="$(node_state)"
    case "$state" in
      idle | mixed | allocated) break ;;
      down* | drain* | *unknown*)
        scontrol update nodename="$(hostname -s)" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.5
  done
  case "$state" in
    idle | mixed | allocated) ;;
    *) die "node not idle after 60 s (state '${state:-none}'); see $LOG_DIR/slurmctld.log and slurmd.log" ;;
  esac
  echo "local-cluster: up: partition debug, node $(hostname -s) $state; completion file $JOBCOMP"
}

stop() {
  need_root
  local daemon
  for daemon in slurmd slurmctld; do
    if [ -f "/run/$daemon.pid" ] && kill -0 "$(cat "/run/$daemon.pid")" 2>/dev/null; then
      kill "$(cat "/run/$daemon.pid")"
    fi
  done
  for _ in $(seq 1 50); do
    pgrep -x slurmctld >/dev/null 2>&1 || pgrep -x slurmd >/dev/null 2>&1 || break
    sleep 0.1
  done
  if [ -f /run/munge/munged.pid ] && kill -0 "$(cat /run/munge/munged.pid)" 2>/dev/null; then
    kill "$(cat /run/munge/munged.pid)"
  fi
  echo "local-cluster: stopped"
}

status() {
  local state
  state="$(node_state)"
  if [ -n "$state" ]; then
    echo "local-cluster: node $(hostname -s) $state"
    return 0
  fi
  echo "local-cluster: not running"
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
