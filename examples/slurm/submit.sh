#!/bin/bash
# Submits a shortfall run to Slurm as a job array of N shards and a merge job
# that runs once they have all succeeded. Prints the two job ids.
#
#   examples/slurm/submit.sh SCENARIO OUT N [sbatch options for both jobs...]
#
# e.g. examples/slurm/submit.sh scenarios/japan-2024.toml /scratch/$USER/japan 16 --partition=short
# Environment: SHORTFALL (the binary; default: shortfall on PATH), TRIALS and SEED
# (override the scenario's), passed on to the jobs.
set -euo pipefail
if (( $# < 3 )); then
  echo "usage: $0 SCENARIO OUT N [sbatch options...]" >&2
  exit 2
fi
scenario=$(realpath "$1") out=$(realpath -m "$2") n=$3
shift 3
here=$(dirname "$(realpath "$0")")
mkdir -p "$out/logs"
export SCENARIO="$scenario" OUT="$out" SHARDS="$n"
array=$(sbatch --parsable --array="0-$((n - 1))" --export=ALL \
  --output="$out/logs/shard-%A_%a.out" "$@" "$here/shard.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes --export=ALL \
  --output="$out/logs/merge-%j.out" "$@" "$here/merge.sbatch")
merge=${merge%%;*}
echo "shards: job array $array (tasks 0-$((n - 1))); merge: job $merge (after all succeed)"
echo "results: $out/<scenario name>/; logs: $out/logs/"
echo "$array $merge" > "$out/logs/jobs"
