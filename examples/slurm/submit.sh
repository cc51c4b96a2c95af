#!/bin/bash
# Submits a shortfall run to Slurm as a job array of N shards and a merge job
# that runs once they have all succeeded. Prints the two job ids.
#
#   examples/slurm/submit.sh SCENARIO OUT N [sbatch options for both jobs...]
#
# e.g. examples/slurm/submit.sh scenarios/japan-2024.toml /scratch/$USER/japan 16 --partition=short
#
# Environment: SHORTFALL (the binary; default: shortfall on PATH), TRIALS and SEED
# (override the scenario's), passed on to the jobs; MERGE_OPTIONS (sbatch options
# for the merge job only, e.g. "--mem=32G --time=01:00:00", given after the common
# ones so that they win).
#
# The binary is copied to OUT/bin/ and the jobs run that copy, so rebuilding
# shortfall while tasks are pending cannot mix two builds in one run. The
# scenario is checked here, but read by each task when it starts: do not edit
# it (or the files it extends) until every task has started.
set -euo pipefail
if (( $# < 3 )); then
  echo "usage: $0 SCENARIO OUT N [sbatch options...]" >&2
  exit 2
fi
scenario=$(realpath -e "$1")
out=$(realpath -m "$2")
n=$3
shift 3
if ! [[ $n =~ ^[1-9][0-9]*$ ]] || (( n > 1000000 )); then
  echo "N must be a whole number from 1 to 1000000, got '$n'" >&2
  exit 2
fi
here=$(dirname "$(realpath "$0")")
binary=$(command -v "${SHORTFALL:-shortfall}") || {
  echo "no shortfall binary: set SHORTFALL or put shortfall on PATH" >&2
  exit 2
}
# Bad input stops here, before anything is queued.
"$binary" validate "$scenario" >/dev/null

mkdir -p "$out/logs" "$out/bin"
cp "$binary" "$out/bin/shortfall.tmp" && mv "$out/bin/shortfall.tmp" "$out/bin/shortfall"
export SCENARIO="$scenario" OUT="$out" SHARDS="$n" SHORTFALL="$out/bin/shortfall"
array=$(sbatch --parsable --array="0-$((n - 1))" --export=ALL \
  --output="$out/logs/shard-%A_%a.out" "$@" "$here/shard.sbatch")
array=${array%%;*}
read -r -a merge_options <<< "${MERGE_OPTIONS:-}"
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes --export=ALL \
  --output="$out/logs/merge-%j.out" "$@" "${merge_options[@]}" "$here/merge.sbatch")
merge=${merge%%;*}
echo "shards: job array $array (tasks 0-$((n - 1))); merge: job $merge (after all succeed)"
echo "results: $out/<scenario name>/; logs: $out/logs/"
echo "$array $merge" > "$out/logs/jobs"
# What a rerun of one task needs (README, "Partitions and time limits").
{
  echo "SCENARIO=$scenario"; echo "OUT=$out"; echo "SHARDS=$n"; echo "SHORTFALL=$out/bin/shortfall"
  echo "TRIALS=${TRIALS:-}"; echo "SEED=${SEED:-}"
} > "$out/logs/env"
