#!/usr/bin/env bash
# Regenerates the tables of docs/results.md exactly: every scenario in scenarios/
# at 1,000,000 trials (seeds as in the files) with the cost of its substitutes, then
# "What the answer depends on" (the Sakhalin-2 cut-off headline rerun under each
# modelling choice of the model-v2 recalibration, old reading against new), then sweeps
# of the conditional tightness, the spot market's and the US flexible cargoes'
# capacity and the storage floor. Prints Markdown to stdout; run folders (with charts
# for the scenario runs) go to $OUT (default output/results).
#
#   bash scripts/results.sh > /tmp/results-tables.md
#
# TRIALS=100000 bash scripts/results.sh gives a quicker, noisier version.
#
# Pairs: every old reading is the headline file (scenarios/sakhalin2-cutoff.toml) with
# --set options, or the kept v1 baseline (scenarios/japan-2024-realised.toml) with the
# same cut-off, so both runs of a pair have the same seed and the same number of trials
# and their trials are paired (common random numbers: docs/SCENARIO.md,
# "Reproducibility"). `pair LABEL OLD_RUN NEW_RUN` prints one pair: both runs, then
# the new reading's paired differences from the old (`shortfall table --paired`).
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

costs() { # costs LABEL RUN [LABEL RUN ...]: the per-trial `cost` column of each run
  python3 - "$@" <<'EOF'
import json, sys
args = sys.argv[1:]
print("| Scenario | Currency | Cost, mean ± SE | P50 | P95 | P99 |")
print("|---|---|---:|---:|---:|---:|")
for label, run in zip(args[::2], args[1::2]):
    s = json.load(open(f"{run}/summary.json"))
    c = s["metrics"]["cost"]
    cur = s.get("currency", "(none)")
    print(f"| {label} | {cur} | {c['mean']:,.1f} ± {c['se']:,.1f} | {c['p50']:,.1f} | {c['p95']:,.1f} | {c['p99']:,.1f} |")
EOF
}

echo "### Every scenario ($trials trials each)"
echo
echo "Horizons differ: japan-winter-2024-25 and sakhalin2-cutoff-winter run 182 days"
echo "(1 Oct 2024 - 31 Mar 2025), japan-2024-2025 730 days, every other file 365 days."
echo
declare -A dir
dir[japan-2024]=$(run japan-2024 scenarios/japan-2024.toml)
names=(japan-2024)
for f in scenarios/*.toml; do
  base=$(basename "$f" .toml)
  [ "$base" = japan-2024 ] && continue
  dir[$base]=$(run "$base" "$f")
  names+=("$base")
done
all=()
for n in "${names[@]}"; do all+=("${dir[$n]}"); done
"$bin" table "${all[@]}"

echo
echo "### Cost of the substitutes ($trials trials each)"
echo
echo "The per-trial \`cost\` column: volume delivered by each substitute × its cost per Mt"
echo "(JPY bn per Mt), in JPY bn; japan-2024-realised (v1) has no costs."
echo
cargs=()
for n in "${names[@]}"; do cargs+=("$n" "${dir[$n]}"); done
costs "${cargs[@]}"

# ---------------------------------------------------------------------------------
echo
echo "## What the answer depends on"
echo
echo "The Sakhalin-2 cut-off from 1 January (\`sakhalin2-cutoff\`) under each modelling"
echo "choice of the recalibration: the old (v1) reading against the new one, all else as"
echo "in the new library. Both runs of a pair share the seed and the $trials trials."
headline=scenarios/sakhalin2-cutoff.toml
new=${dir[sakhalin2-cutoff]}
pair_labels=() pair_old=() pair_new=()

old() { # old SLUG [--set ...]: the headline rerun under an old reading
  local slug=$1
  shift
  run "depends-$slug" "$headline" --no-charts "$@"
}

pair() { # pair LABEL OLD_RUN NEW_RUN: one modelling choice, old reading against new
  local label=$1 old_run=$2 new_run=$3
  pair_labels+=("$label") pair_old+=("$old_run") pair_new+=("$new_run")
  echo
  echo "#### $label"
  echo
  "$bin" table --paired --labels "old reading (v1),new reading (v2)" "$old_run" "$new_run"
}

# Old readings, as --set options on the new files.
suppliers=(australia malaysia usa sakhalin2 qatar brunei png indonesia oman uae others)
delivered=(25.1 10.2 6.3 5.7 2.9 2.8 2.2 3.4 3.1 0.7 3.5)   # japan-2024-realised.toml
tolerance=(tol_australia tol_malaysia tol_usa tol_sakhalin2 tol_qatar tol_brunei tol_png tol_indonesia tol_oman tol_uae)
tolerance_mean=(1.506 0.612 0.378 0.342 0.174 0.168 0.132 0.204 0.186 0.042)   # means of their uniform capacities
restocking=("${tolerance[@]}" diversion spot)   # every storage-triggered substitute
realised_volumes=() no_tolerance=() flat_target=() fixed_means=()
for i in "${!suppliers[@]}"; do realised_volumes+=(--set "supplier.${suppliers[$i]}.volume=${delivered[$i]}"); done
for id in "${tolerance[@]}"; do no_tolerance+=(--set "substitute.$id.enabled=false"); done
for id in "${restocking[@]}"; do flat_target+=(--set "substitute.$id.target=4.0"); done
for i in "${!tolerance[@]}"; do fixed_means+=(--set "substitute.${tolerance[$i]}.capacity=${tolerance_mean[$i]}"); done
fixed_means+=(--set substitute.diversion.capacity=2.717 --set substitute.us_flex.capacity=6.6
  --set substitute.spot.capacity=4.333 --set substitute.demand_restraint.capacity=5.0)

pair "Supplier volumes: realised deliveries (v1) vs grossed up for outages" \
  "$(old volumes "${realised_volumes[@]}")" "$new"
pair "US route: Panama only 21 d (v1) vs drawn Panama 21 or Cape 36 d (14:24)" \
  "$(old us-route --set supplier.usa.transit_days=21 --set substitute.us_flex.lead_days=21 \
      --set substitute.tol_usa.lead_days=51)" "$new"
pair "Upward tolerance of term contracts: none (v1) vs source-linked" \
  "$(old tolerance "${no_tolerance[@]}")" "$new"
pair "Recalled resales: none (v1) vs a drawn pool" \
  "$(old diversion --set substitute.diversion.enabled=false)" "$new"
pair "Tightness: independent only (v1) vs also after the cut-off (p 0.5)" \
  "$(old tightness --set event.cutoff_tightness.enabled=false)" "$new"
pair "Storage target: 4.0 Mt all year (v1) vs seasonal path" \
  "$(old target "${flat_target[@]}")" "$new"
pair "SBL: a rate of 0.84 Mt per yr (v1) vs quick release" \
  "$(old sbl-rate --set substitute.sbl.capacity=0.84)" "$new"
pair "Substitute capacities: fixed at v1 values (us_flex 6; spot 4; restraint 5; new ones at means) vs drawn" \
  "$(old capacities-v1 "${fixed_means[@]}" --set substitute.us_flex.capacity=6.0 \
      --set substitute.spot.capacity=4.0)" "$new"
pair "Substitute capacities: fixed at their means vs drawn" \
  "$(old capacities-mean "${fixed_means[@]}")" "$new"
pair "All of v1 at once (japan-2024-realised with the same cut-off) vs v2" \
  "$(run depends-v1 scenarios/japan-2024-realised.toml --no-charts \
      --set event.russia_cutoff.probability=1.0 --set event.russia_cutoff.start_day=0)" "$new"

echo
echo "#### Storage floor"
echo
echo "Unchanged at 3.0 Mt (the lowest national stock observed, March 2022); what changed is"
echo "what it is said to be (scenarios/README.md). The sweep of \`storage.minimum\` below"
echo "shows how much the headline hangs on it."

echo
echo "#### Horizon (not paired: different horizons)"
echo
"$bin" table --labels "cut-off 1 Jan; calendar 2024 (365 d),cut-off 1 Dec; winter 2024/25 (182 d)" \
  "$new" "${dir[sakhalin2-cutoff-winter]}"

echo
echo "#### Cost of the headline under each reading"
echo
cargs=()
for i in "${!pair_labels[@]}"; do
  cargs+=("old: ${pair_labels[$i]}" "${pair_old[$i]}")
done
cargs+=("new (v2)" "$new")
costs "${cargs[@]}"

# ---------------------------------------------------------------------------------
sweep() { # sweep SCENARIO PATH UNIT VALUES...: one run per --set PATH=VALUE
  local file=$1 path=$2 unit=$3
  shift 3
  local base dirs=() labels=()
  base=$(basename "$file" .toml)
  for v in "$@"; do
    dirs+=("$(run "sweep-$base-$path-$v" "$file" --no-charts --set "$path=$v")")
    labels+=("$path = $v${unit:+ $unit}")
  done
  echo
  echo "### $base: $path swept ($trials trials each)"
  echo
  "$bin" table --labels "$(IFS=,; echo "${labels[*]}")" "${dirs[@]}"
}
# The conditional probability of tightness with a cut-off is an estimate (0.5).
sweep scenarios/sakhalin2-cutoff.toml event.cutoff_tightness.probability "" 0 0.25 0.5 0.75 1
# Capacities drawn in the files; each swept value replaces the distribution by a fixed number.
sweep scenarios/japan-2024.toml substitute.spot.capacity Mt/yr 0 2 4 8 12
sweep scenarios/sakhalin2-cutoff.toml substitute.spot.capacity Mt/yr 0 2 4 8 12
sweep scenarios/sakhalin2-cutoff.toml substitute.us_flex.capacity Mt/yr 0 3 6 9 12
# Usable storage is capacity − minimum; the floor is the lowest stock observed (scenarios/README.md).
sweep scenarios/japan-2024.toml storage.minimum Mt 2.0 2.5 3.0 3.5
sweep scenarios/sakhalin2-cutoff.toml storage.minimum Mt 2.0 2.5 3.0 3.5
