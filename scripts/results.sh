#!/usr/bin/env bash
# Regenerates the tables of docs/results.md exactly: every scenario in scenarios/
# at 1,000,000 trials (seeds as in the files), then sweeps of the spot market's
# and the US flexible cargoes' capacity and of the storage floor. Prints Markdown to stdout; run folders
# (with charts) go to $OUT (default output/results).
#
#   bash scripts/results.sh > /tmp/results-tables.md
#
# TRIALS=100000 bash scripts/results.sh gives a quicker, noisier version.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/shortfall
out=${OUT:-output/results}
trials=${TRIALS:-1000000}

run() { # run FOLDER SCENARIO [--set ...]
  local folder=$1 file=$2
  shift 2
  "$bin" run "$file" --trials "$trials" --quiet --out "$out/$folder" "$@" >&2
  echo "$out/$folder/$(ls "$out/$folder" | head -n 1)"
}

echo "### Every scenario ($trials trials each)"
echo
dirs=("$(run japan-2024 scenarios/japan-2024.toml)")
for f in scenarios/*.toml; do
  base=$(basename "$f" .toml)
  [ "$base" = japan-2024 ] && continue
  dirs+=("$(run "$base" "$f")")
done
"$bin" table "${dirs[@]}"

sweep() { # sweep SCENARIO PATH UNIT VALUES...: one run per --set PATH=VALUE
  local file=$1 path=$2 unit=$3
  shift 3
  local base dirs=() labels=()
  base=$(basename "$file" .toml)
  for v in "$@"; do
    dirs+=("$(run "sweep-$base-$path-$v" "$file" --no-charts --set "$path=$v")")
    labels+=("$path = $v $unit")
  done
  echo
  echo "### $base: $path swept ($trials trials each)"
  echo
  "$bin" table --labels "$(IFS=,; echo "${labels[*]}")" "${dirs[@]}"
}
sweep scenarios/japan-2024.toml substitute.spot.capacity Mt/yr 0 2 4 8 12
sweep scenarios/sakhalin2-cutoff.toml substitute.spot.capacity Mt/yr 0 2 4 8 12
sweep scenarios/sakhalin2-cutoff.toml substitute.us_flex.capacity Mt/yr 0 3 6 9 12
# Usable storage is capacity − minimum; the tank volume is an estimate (scenarios/README.md).
sweep scenarios/japan-2024.toml storage.minimum Mt 2.0 2.5 3.0 3.5
sweep scenarios/sakhalin2-cutoff.toml storage.minimum Mt 2.0 2.5 3.0 3.5
