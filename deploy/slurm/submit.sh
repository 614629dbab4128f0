#!/usr/bin/env bash
# Submit a tranche study (or experiment) as a Slurm job array (study.sbatch) and its merge
# (merge.sbatch), which starts only when every array task has succeeded. Prints both job IDs.
#
#   deploy/slurm/submit.sh [SCENARIO [SBATCH_OPTION...]]
#
#   SHARDS=32 CPUS=8 ARGS='--reps 1000000 --seed 3' deploy/slurm/submit.sh default --partition=long
#   EXPERIMENT=sweep.toml SHARDS=16 deploy/slurm/submit.sh        # an experiment's design points
#
# Environment:
#   SCENARIO    bundled scenario name or TOML file (or the first argument); default: default
#   EXPERIMENT  bundled experiment name or experiment file: run it (tranche explore) instead
#   SHARDS      number of shards = array tasks; default 8
#   CPUS        --cpus-per-task of each shard; default 4 (WORKERS defaults to it)
#   OUT         folder for the shards and the merged results, on a shared file system;
#               default: $PWD/tranche-out/NAME-slurm; logs go to $OUT/logs
#   TRANCHE     the tranche binary; default: tranche on PATH, made absolute
#   WORKERS, ARGS, MERGE_ARGS, MERGED   passed to the jobs (see study.sbatch and merge.sbatch)
# Further arguments are given to both sbatch calls (partition, account, time limit, ...); Slurm's
# own SBATCH_PARTITION, SBATCH_ACCOUNT, ... variables work too.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -gt 0 ]; then
  SCENARIO=$1
  shift
fi
SCENARIO=${SCENARIO:-default}
EXPERIMENT=${EXPERIMENT:-}
what=${EXPERIMENT:-$SCENARIO}
SHARDS=${SHARDS:-8}
CPUS=${CPUS:-4}
OUT=${OUT:-$PWD/tranche-out/$(basename "${what%.toml}")-slurm}
TRANCHE=${TRANCHE:-$(command -v tranche || true)}

if ! [[ $SHARDS =~ ^[0-9]+$ ]] || [ "$SHARDS" -lt 1 ]; then
  echo "submit.sh: SHARDS=$SHARDS: want a whole number of shards, at least 1" >&2
  exit 2
fi
if [ -z "$TRANCHE" ] || [ ! -x "$TRANCHE" ]; then
  echo "submit.sh: no tranche binary (TRANCHE=${TRANCHE:-unset}, none on PATH);" \
    "build one with: CGO_ENABLED=0 go build -o tranche ./cmd/tranche" >&2
  exit 2
fi
# Absolute paths, so the jobs find them wherever they start.
TRANCHE=$(cd "$(dirname "$TRANCHE")" && pwd)/$(basename "$TRANCHE")
if [ -f "$SCENARIO" ]; then
  SCENARIO=$(cd "$(dirname "$SCENARIO")" && pwd)/$(basename "$SCENARIO")
fi
if [ -n "$EXPERIMENT" ] && [ -f "$EXPERIMENT" ]; then
  EXPERIMENT=$(cd "$(dirname "$EXPERIMENT")" && pwd)/$(basename "$EXPERIMENT")
fi
mkdir -p "$OUT/logs"
OUT=$(cd "$OUT" && pwd)
export SCENARIO EXPERIMENT OUT TRANCHE WORKERS="${WORKERS:-}" ARGS="${ARGS:-}" MERGE_ARGS="${MERGE_ARGS:-}"
export MERGED="${MERGED:-$OUT/merged}"

array=$(sbatch --parsable --export=ALL --array="0-$((SHARDS - 1))" --cpus-per-task="$CPUS" \
  --output="$OUT/logs/shard-%A_%a.out" "$@" "$here/study.sbatch")
array=${array%%;*} # --parsable prints JOBID or JOBID;CLUSTER
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --output="$OUT/logs/merge-%j.out" "$@" "$here/merge.sbatch")
merge=${merge%%;*}

echo "study array job: $array ($SHARDS shards of $what, $CPUS CPUs each, into $OUT/shard-*)"
echo "merge job:       $merge (after every task of $array succeeds, into $MERGED)"
echo "follow with: squeue -j $array,$merge; logs in $OUT/logs"
