#!/usr/bin/env bash
# Runs a small tranche study on a real single-node Slurm cluster, set up here and torn down
# afterwards, and checks that the merged shards are identical to the same study run in one process.
#
#   sudo bash deploy/slurm/test-local.sh        # about 30 s once the packages are installed
#
# Needs root and apt-get (Debian or Ubuntu); without them it prints "SKIP: ..." and exits 0, as it
# does when the Slurm packages cannot be installed (no network). It refuses to touch a machine that
# already has a Slurm configuration or controller of its own (SKIP). It:
#   1. installs munge, slurmctld, slurmd and slurm-client (apt-get), writes /etc/slurm/slurm.conf
#      for one node with $(nproc) CPUs, starts munged, slurmctld and slurmd, waits for the node;
#   2. builds tranche from this repository;
#   3. runs the study (default scenario, $REPS replications, seed $SEED) as a 4-task job array with
#      deploy/slurm/study.sbatch, then merges it with deploy/slurm/merge.sbatch, submitted with
#      --dependency=afterok on the array;
#   4. resubmits one array task (SHARDS=4) and checks it reports "already complete";
#   5. submits the same study with deploy/slurm/submit.sh (array + dependent merge, 2 shards);
#   6. runs the study in one process and compares every results file of both merges with cmp;
#   7. runs a factorial experiment (tranche explore) as a 3-task array, merges it, and compares it
#      with the experiment run in one process;
#   8. always shuts the cluster down (scontrol shutdown, munged if it started it) and removes its
#      files and /etc/slurm/slurm.conf.
# Prints "PASS: merged Slurm shards identical to a single run (N files)" or what differs (exit 1).
set -euo pipefail

REPS=${REPS:-2000}
SEED=${SEED:-5}
MARK="# written by tranche deploy/slurm/test-local.sh"
CONF=/etc/slurm/slurm.conf
FILES=(summary.json summary.csv comparison.json comparison.csv rounds.csv replications.csv histories.csv scenario.toml)

skip() {
  echo "SKIP: $*"
  exit 0
}
say() { echo "-- $*"; }

if [ "$(id -u)" != 0 ]; then
  skip "not root (installing and starting Slurm daemons needs root)"
fi
if ! command -v apt-get >/dev/null 2>&1; then
  skip "apt-get is unavailable (the test installs Slurm from Debian/Ubuntu packages)"
fi
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if ! command -v go >/dev/null 2>&1; then
  echo "FAIL: go is not on PATH (needed to build tranche)" >&2
  exit 1
fi

# One run at a time on this machine (the daemons and /etc/slurm are shared).
exec 9>/run/tranche-slurm-test.lock
if ! flock -w 300 9; then
  echo "FAIL: another deploy/slurm/test-local.sh has held /run/tranche-slurm-test.lock for 5 minutes" >&2
  exit 1
fi

rm -rf /tmp/tranche-slurm-test.* # work folders of earlier runs that were killed (we hold the lock)

T0=$SECONDS
WORK=""
STARTED_SLURM=""
MUNGED_PID=""

# is_proc PID NAME: PID is a live process called NAME (pid files may be stale, their pids reused).
is_proc() {
  [ -n "${1:-}" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] &&
    [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ] # an ended, unreaped one does not count
}
pidfile_pid() { [ -s "$1" ] && cat "$1" || true; }

# Stop slurmctld and slurmd of our configuration (this run's, or an earlier run's left over).
stop_slurm() {
  local ctld slurmd i
  ctld=$(pidfile_pid /run/slurmctld.pid)
  slurmd=$(pidfile_pid /run/slurmd.pid)
  if is_proc "$ctld" slurmctld || is_proc "$slurmd" slurmd; then
    scontrol shutdown >/dev/null 2>&1 || true
    for i in $(seq 1 50); do
      is_proc "$ctld" slurmctld || is_proc "$slurmd" slurmd || break
      sleep 0.2
    done
    # Still there (controller not answering): end them by their own pids.
    if is_proc "$ctld" slurmctld; then kill "$ctld" 2>/dev/null || true; fi
    if is_proc "$slurmd" slurmd; then kill "$slurmd" 2>/dev/null || true; fi
  fi
}

cleanup() {
  local rc=$?
  set +e
  if [ -n "$STARTED_SLURM" ]; then
    stop_slurm
  fi
  if is_proc "$MUNGED_PID" munged; then
    kill "$MUNGED_PID" 2>/dev/null
    rm -f /run/tranche-slurm-test.munged.pid
  fi
  if [ -f "$CONF" ] && head -1 "$CONF" | grep -qxF "$MARK"; then
    rm -f "$CONF"
  fi
  if [ -n "$WORK" ]; then
    rm -rf "$WORK"
  fi
  if [ -n "$WORK$STARTED_SLURM" ]; then
    say "cleaned up (exit $rc) after $((SECONDS - T0)) s"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. Slurm ---------------------------------------------------------------------------------
if [ -f "$CONF" ] && ! head -1 "$CONF" | grep -qxF "$MARK"; then
  skip "$CONF exists and is not this test's: this machine has a Slurm setup of its own; not touching it"
fi
running_ctld() {
  local p
  for p in $(pgrep -x slurmctld); do
    is_proc "$p" slurmctld && return 0
  done
  return 1
}
if [ ! -f "$CONF" ] && running_ctld; then
  skip "a slurmctld not started by this test is running; not touching it"
fi

pkgs=(munge slurmctld slurmd slurm-client)
if ! dpkg -s "${pkgs[@]}" >/dev/null 2>&1 || ! command -v sbatch >/dev/null 2>&1; then
  say "installing ${pkgs[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  if ! { apt-get install -y -qq "${pkgs[@]}" || { apt-get update -qq && apt-get install -y -qq "${pkgs[@]}"; }; } >"$log" 2>&1; then
    reason=$(grep -E '^(E|W):' "$log" | head -3 | tr '\n' ' ')
    rm -f "$log"
    skip "could not install Slurm: ${reason:-apt-get failed}"
  fi
  rm -f "$log"
fi
say "Slurm $(dpkg-query -W -f='${Version}' slurmctld 2>/dev/null) installed ($((SECONDS - T0)) s)"

WORK=$(mktemp -d /tmp/tranche-slurm-test.XXXXXX)
chmod 755 "$WORK"

# A run killed before its cleanup may have left our daemons running: stop them first.
if [ -f "$CONF" ]; then
  stop_slurm
fi
mkdir -p /etc/slurm
cat >"$CONF" <<EOF
$MARK
# (removed when the test ends; a leftover copy is recognised by the line above)
ClusterName=ci
SlurmctldHost=localhost
SlurmUser=slurm
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MaxArraySize=1001
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

install -d -o munge -g munge -m 0755 /run/munge
install -d -o slurm -g slurm /var/spool/slurmctld /var/log/slurm
install -d /var/spool/slurmd
: >/var/log/slurm/slurmctld.log
: >/var/log/slurm/slurmd.log
chown slurm:slurm /var/log/slurm/slurmctld.log

# munged: reuse one this test started in an earlier, interrupted run (and end it this time); reuse
# but leave alone one started otherwise; else start it.
MUNGED_MINE=/run/tranche-slurm-test.munged.pid
if is_proc "$(pidfile_pid "$MUNGED_MINE")" munged && [ "$(pidfile_pid "$MUNGED_MINE")" = "$(pidfile_pid /run/munge/munged.pid)" ]; then
  MUNGED_PID=$(pidfile_pid "$MUNGED_MINE")
  say "reusing munged $MUNGED_PID left by an earlier run of this test"
elif munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  say "munged already running, not started by this test: using it (and leaving it running)"
else
  runuser -u munge -- /usr/sbin/munged 9>&- # 9>&-: the daemons must not hold the lock
  for i in $(seq 1 25); do
    MUNGED_PID=$(pidfile_pid /run/munge/munged.pid)
    is_proc "$MUNGED_PID" munged && munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
    sleep 0.2
  done
  echo "$MUNGED_PID" >"$MUNGED_MINE"
fi

STARTED_SLURM=1
/usr/sbin/slurmctld -c 9>&- # -c: start clean, without the jobs an earlier run may have left
/usr/sbin/slurmd -N localhost 9>&-

show_logs() {
  for f in /var/log/slurm/*.log; do
    echo "---- $f"
    tail -n 40 "$f"
  done
}
state=""
for i in $(seq 1 60); do
  state=$(sinfo -h -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 1
done
if [ "$state" != idle ]; then
  echo "FAIL: the Slurm node is not idle after 60 s (sinfo says: ${state:-nothing})" >&2
  show_logs >&2
  exit 1
fi
say "single-node cluster up, node idle, $(nproc) CPUs ($((SECONDS - T0)) s)"

# --- 2. tranche --------------------------------------------------------------------------------
(cd "$REPO" && go build -o "$WORK/tranche" ./cmd/tranche)
say "built $WORK/tranche ($((SECONDS - T0)) s)"

# --- 3. the study as a job array, then the merge ------------------------------------------------
fail_job() {
  echo "FAIL: $1" >&2
  for f in "$WORK"/logs/*; do
    echo "---- $f" >&2
    cat "$f" >&2
  done
  show_logs >&2
  exit 1
}
mkdir -p "$WORK/logs" "$WORK/out"
cd "$WORK"
ARGS="--reps $REPS --seed $SEED"
common="ALL,SCENARIO=default,TRANCHE=$WORK/tranche"
t=$SECONDS
array=$(sbatch --parsable --wait --array=0-3 --cpus-per-task=1 \
  --export="$common,OUT=$WORK/out,WORKERS=1,ARGS=$ARGS" \
  --output="$WORK/logs/study-%A_%a.out" "$REPO/deploy/slurm/study.sbatch") ||
  fail_job "the study array failed (sbatch --wait exit $?)"
array=${array%%;*}
say "array job $array: 4 shards done ($((SECONDS - t)) s)"
t=$SECONDS
merge=$(sbatch --parsable --wait --dependency="afterok:$array" --cpus-per-task=1 \
  --export="$common,OUT=$WORK/out,MERGE_ARGS=--no-plots" \
  --output="$WORK/logs/merge-%j.out" "$REPO/deploy/slurm/merge.sbatch") ||
  fail_job "the merge job failed (sbatch --wait exit $?)"
merge=${merge%%;*}
say "merge job $merge done ($((SECONDS - t)) s): $(grep -m1 '^merged' "$WORK/logs/merge-$merge.out" || true)"
for i in 0 1 2 3; do
  grep -q "^shard $i of 4: " "$WORK/logs/study-${array}_$i.out" ||
    fail_job "array task $i did not run shard $i of 4"
done

# --- 4. a rerun of one task is harmless --------------------------------------------------------
rerun=$(sbatch --parsable --wait --array=2 --cpus-per-task=1 \
  --export="$common,OUT=$WORK/out,WORKERS=1,SHARDS=4,ARGS=$ARGS" \
  --output="$WORK/logs/rerun-%A_%a.out" "$REPO/deploy/slurm/study.sbatch") ||
  fail_job "rerunning array task 2 failed"
rerun=${rerun%%;*}
grep -q "already complete" "$WORK/logs/rerun-${rerun}_2.out" ||
  fail_job "rerunning array task 2 did not find its shard complete"
say "rerun of task 2: $(grep -m1 'already complete' "$WORK/logs/rerun-${rerun}_2.out")"

# --- 5. submit.sh: array and dependent merge, as a user would ----------------------------------
t=$SECONDS
submitted=$(SHARDS=2 CPUS=1 OUT="$WORK/out2" TRANCHE="$WORK/tranche" ARGS="$ARGS" MERGE_ARGS=--no-plots \
  bash "$REPO/deploy/slurm/submit.sh" default) || fail_job "submit.sh failed: $submitted"
echo "$submitted" | sed 's/^/   /'
merge2=$(echo "$submitted" | awk '/^merge job:/ {print $3}')
[ -n "$merge2" ] || fail_job "submit.sh printed no merge job ID"
jobstate=""
for i in $(seq 1 120); do
  jobstate=$(scontrol show job "$merge2" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 || true)
  case "$jobstate" in
  COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | "") break ;;
  esac
  sleep 0.5
done
cp "$WORK"/out2/logs/* "$WORK/logs/" 2>/dev/null || true
[ "$jobstate" = COMPLETED ] || fail_job "submit.sh's merge job $merge2 ended ${jobstate:-out of sight}, not COMPLETED"
say "submit.sh: array and merge job $merge2 done ($((SECONDS - t)) s)"

# --- 6. the same study in one process, and the comparison ---------------------------------------
t=$SECONDS
env -u SLURM_ARRAY_TASK_ID -u JOB_COMPLETION_INDEX \
  "$WORK/tranche" run default --reps "$REPS" --seed "$SEED" --quiet --no-plots --out "$WORK/whole" >/dev/null
say "single-process run ($((SECONDS - t)) s)"
differ=()
for merged in "$WORK/out/merged" "$WORK/out2/merged"; do
  for f in "${FILES[@]}"; do
    cmp -s "$WORK/whole/$f" "$merged/$f" || differ+=("${merged#"$WORK"/}/$f")
  done
done
if [ ${#differ[@]} -gt 0 ]; then
  echo "FAIL: merged Slurm shards differ from a single run in: ${differ[*]}"
  for f in "${differ[@]}"; do
    cmp "$WORK/whole/${f##*/}" "$WORK/$f" || true
  done
  exit 1
fi
say "compared ${FILES[*]} of both merges (4-shard array + merge.sbatch, 2-shard submit.sh) with the single run"

# --- 7. an experiment: its design points split between array tasks -----------------------------
cat >"$WORK/sweep.toml" <<'EOF'
policies = ["phased-snapback", "reciprocal", "max-pressure"]
replications = 100
seed = 3
design = "factorial"
[[parameters]]
key = "verifier.quality"
levels = [0.3, 0.6, 0.95]
[[parameters]]
key = "spoilers.factions[*].strength"
steps = 2
EOF
EFILES=(experiment.toml scenario.toml design.csv definitions.json points.csv best.csv effects.csv)
t=$SECONDS
xarray=$(sbatch --parsable --wait --array=0-2 --cpus-per-task=1 \
  --export="ALL,EXPERIMENT=$WORK/sweep.toml,TRANCHE=$WORK/tranche,OUT=$WORK/xout,WORKERS=1" \
  --output="$WORK/logs/explore-%A_%a.out" "$REPO/deploy/slurm/study.sbatch") ||
  fail_job "the experiment array failed (sbatch --wait exit $?)"
xarray=${xarray%%;*}
xmerge=$(sbatch --parsable --wait --dependency="afterok:$xarray" --cpus-per-task=1 \
  --export="ALL,TRANCHE=$WORK/tranche,OUT=$WORK/xout,MERGE_ARGS=--no-plots" \
  --output="$WORK/logs/xmerge-%j.out" "$REPO/deploy/slurm/merge.sbatch") ||
  fail_job "the experiment's merge job failed (sbatch --wait exit $?)"
xmerge=${xmerge%%;*}
say "experiment array job $xarray (3 shards) and merge job $xmerge done ($((SECONDS - t)) s): $(grep -m1 '^merged' "$WORK/logs/xmerge-$xmerge.out" || true)"
for i in 0 1 2; do
  grep -q "^shard $i of 3: design points" "$WORK/logs/explore-${xarray}_$i.out" ||
    fail_job "experiment array task $i did not run shard $i of 3"
done
env -u SLURM_ARRAY_TASK_ID -u JOB_COMPLETION_INDEX \
  "$WORK/tranche" explore "$WORK/sweep.toml" --quiet --no-plots --out "$WORK/xwhole" >/dev/null
xdiffer=()
for f in "${EFILES[@]}"; do
  cmp -s "$WORK/xwhole/$f" "$WORK/xout/merged/$f" || xdiffer+=("$f")
done
if [ ${#xdiffer[@]} -gt 0 ]; then
  echo "FAIL: the merged experiment differs from a single run in: ${xdiffer[*]}"
  exit 1
fi
say "compared ${EFILES[*]} of the merged experiment with the single run"
echo "PASS: merged Slurm shards identical to a single run (${#FILES[@]} files of a study, ${#EFILES[@]} of an experiment)"

