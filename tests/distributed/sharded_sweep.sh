#!/bin/bash
# ctest -L distributed: a sharded sweep through a real distributed engine, with the
# recipes of docs/recipes as they are, then refbench merge, and the merged result checked
# against the plan (every planned point once).
#   sharded_sweep.sh parallel|slurm REFBENCH RECIPES_DIR
# Exit 77 (ctest: skipped) with the reason on stdout where the engine cannot run here.
set -euo pipefail
engine=$1
refbench=$(realpath "$2")
recipes=$(realpath "$3")
work=$(mktemp -d /tmp/refbench-distributed.XXXXXX)
daemons=()
cleanup() {
  for pid in "${daemons[@]}"; do kill "$pid" 2>/dev/null || true; done
  # slurmctld saves its state into $work/state as it stops, after the signal: remove the
  # folder only once every daemon is gone (SIGKILL after 10 s), or rm races its last writes.
  for pid in "${daemons[@]}"; do
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
skip() { echo "SKIPPED: $*"; exit 77; }
cd "$work"

export REFBENCH="$refbench"
export REFBENCH_SWEEP="--pairs all --strategy immortal,atomic --workload stream --messages 2000 --warmup 100 --repetitions 2 --counters none"
export SHARDS=3

case "$engine" in
  parallel)
    command -v parallel >/dev/null || skip "GNU parallel is not installed (scripts/setup installs it)"
    bash "$recipes/sweep-parallel.sh" >log.txt 2>&1 || { cat log.txt; exit 1; }
    ;;
  slurm)
    for tool in munged slurmctld slurmd sbatch squeue; do
      command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/setup installs slurm-wlm and munge)"
    done
    [ "$(id -u)" -eq 0 ] || skip "a one-node SLURM cluster here needs root (slurmd runs jobs as their user)"
    # munge with its own key and socket, slurmctld and slurmd on this host, on free ports.
    mkdir -m 700 munge && mkdir state spool
    head -c 1024 /dev/urandom >munge/key && chmod 600 munge/key
    munged --force --key-file="$work/munge/key" --socket="$work/munge/sock" \
      --log-file="$work/munge/log" --pid-file="$work/munge/pid" --seed-file="$work/munge/seed" \
      || skip "munged would not start: $(tail -n 1 munge/log 2>/dev/null)"
    daemons+=("$(cat munge/pid)")
    port=$((20000 + RANDOM % 20000))
    cat >slurm.conf <<CONF
ClusterName=refbench
SlurmctldHost=$(hostname)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$work/munge/sock
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
NodeName=$(hostname) CPUs=$(nproc) State=UNKNOWN
PartitionName=refbench Nodes=$(hostname) Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF="$work/slurm.conf"
    slurmctld -f "$SLURM_CONF" -L "$work/slurmctld.log" || skip "slurmctld would not start"
    sleep 1
    daemons+=("$(cat slurmctld.pid)")
    slurmd -f "$SLURM_CONF" -L "$work/slurmd.log" || skip "slurmd would not start"
    sleep 1
    daemons+=("$(cat slurmd.pid)")
    for _ in $(seq 60); do
      sinfo -h -o %t 2>/dev/null | grep -q idle && break
      sleep 1
    done
    sinfo -h -o %t 2>/dev/null | grep -q idle ||
      skip "the one-node cluster did not come up: $(tail -n 2 slurmd.log slurmctld.log | tr '\n' ' ')"
    # The recipe of docs/sweeps.md: the array, then the merge that waits for it.
    array=$(sbatch --parsable --array=1-$SHARDS --export=ALL "$recipes/sweep.sbatch")
    sbatch --parsable --dependency="afterok:${array}" --job-name=refbench-merge --export=ALL \
      --output=merge.log --wrap "$REFBENCH merge shard-*.csv --out sweep.csv" >/dev/null
    for _ in $(seq 300); do
      [ -z "$(squeue -h 2>/dev/null)" ] && break
      sleep 1
    done
    [ -f sweep.csv ] || { cat shard-*.log merge.log 2>/dev/null; echo "no merged sweep.csv"; exit 1; }
    ;;
  *)
    echo "usage: sharded_sweep.sh parallel|slurm REFBENCH RECIPES_DIR" >&2
    exit 2
    ;;
esac

# Every planned point exactly once, whichever shard ran it.
planned=$("$refbench" sweep $REFBENCH_SWEEP --dry-run=all | grep -c '^  [0-9]')
merged=$(($(wc -l <sweep.csv) - 1))
shards=$(ls shard-[0-9]*.meta.json | wc -l)
echo "$engine: $shards shards, $merged merged rows, $planned planned points"
[ "$shards" -eq "$SHARDS" ] || { echo "expected $SHARDS shards"; exit 1; }
[ "$merged" -eq "$planned" ] || { echo "merged rows differ from the plan"; exit 1; }
dups=$(tail -n +2 sweep.csv | cut -d, -f1-12 | sort | uniq -d | wc -l)
[ "$dups" -eq 0 ] || { echo "$dups points twice"; exit 1; }
echo ok
