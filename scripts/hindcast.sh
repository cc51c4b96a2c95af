#!/usr/bin/env bash
# Regenerates the numbers of docs/hindcast.md exactly: the hindcast of the power
# utilities' LNG stocks through winter 2020/21 (scenarios/hindcast-winter-2020-21.toml),
# its crunch question, what drives it, how it moves with the two most uncertain
# estimates (the operating floor and the restocking plan), and the counterfactual with
# today's measures (scenarios/hindcast-winter-2020-21-today.toml). Prints Markdown to
# stdout; run folders (with charts) go to $OUT (default output/hindcast).
#
#   bash scripts/hindcast.sh > /tmp/hindcast-tables.md
#
# The crunch question, P(stocks below 1.2 Mt at some time in January), is read from the
# same scenario with the floor at 1.2 Mt and no fuel switching: up to the first step at
# which stocks would fall below 1.2 Mt every trial is the same as in the hindcast (the
# same draws; nothing acts differently above a floor), and that step is the run's
# first shortfall step (trials.npy, `first_shortfall_step`). So P(first passage below
# 1.2 Mt by 31 January) is exact, and P(below 1.2 Mt at some time in January) lies
# between P(first passage in January) and it. This needs every other shortfall-
# triggered substitute switched off too (it would act at 1.2 Mt instead of the floor):
# the hindcast has none, so the counterfactual's buffer is read in its own terms below.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/shortfall
out=${OUT:-output/hindcast}
base=scenarios/hindcast-winter-2020-21.toml
today=scenarios/hindcast-winter-2020-21-today.toml
crunch=(--set storage.minimum=1.2 --set substitute.fuel_switch.enabled=false)
mkdir -p "$out"

run() { # run FOLDER SCENARIO [options]: prints the run's folder
  local folder=$1 file=$2
  shift 2
  "$bin" run "$file" --quiet --out "$out/$folder" "$@" >&2
  echo "$out/$folder/$(ls "$out/$folder" | head -n 1)"
}

# The restocking plan scaled by another factor than the file's 0.70 (a scenario that
# extends the hindcast; every storage-triggered channel gets the same plan). With a
# FLOOR, months planned below it are raised to it (a plan must lie within [minimum,
# capacity]): at a factor of 0.6 that is February to June, whose orders come after
# 31 January and so do not touch the crunch question.
plan() { # plan FACTOR [FLOOR]: prints the path of the variant file
  local f=$1 floor=${2:-0} file="$out/plan-$1-${2:-0}.toml"
  python3 - "$f" "$floor" "$base" > "$file" <<'EOF'
import os, sys, tomllib
factor, floor, base = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
scenario = tomllib.load(open(base, "rb"))
national = [4.2, 3.9, 3.6, 3.6, 3.7, 3.8, 4.0, 4.2, 4.4, 4.6, 4.7, 4.7]  # japan-2024.toml
plan = ", ".join(f"{max(v / 2 * factor, floor):.3f}" for v in national)
print(f'[scenario]\nextends = "{os.path.abspath(base)}"')
print(f'name = "hindcast-plan-x{round(factor * 100)}"')
for s in scenario["substitute"]:
    if s.get("trigger") == "storage":
        print(f'\n[[substitute]]\nid = "{s["id"]}"\ntarget = [{plan}]')
EOF
  echo "$file"
}

# Storage percentiles on the dates of the prediction, and the crunch probabilities.
report() { # report LABEL MAIN_RUN CRUNCH_RUN [LABEL MAIN_RUN CRUNCH_RUN ...]
  python3 - "$@" <<'EOF'
import ast, array, csv, json, math, struct, sys

def table(run):
    b = open(f"{run}/trials.npy", "rb").read()
    n = struct.unpack("<H", b[8:10])[0]
    rows, cols = ast.literal_eval(b[10:10 + n].decode())["shape"]
    a = array.array("d")
    a.frombytes(b[10 + n:])
    names = json.load(open(f"{run}/summary.json"))["columns"]
    return rows, cols, a, names

def share(k, n):
    p = k / n
    return f"{100 * p:.2f}% ± {100 * math.sqrt(p * (1 - p) / n):.2f}"

dates = [(55, "9 Dec 2020"), (88, "11 Jan 2021"), (94, "17 Jan 2021")]
args = sys.argv[1:]
print("| Reading | " + " | ".join(f"{d}: P50 [P05, P95], Mt" for _, d in dates)
      + " | P(first below 1.2 Mt by 31 Jan) | of which before 1 Jan | P(below 1.2 Mt in January) |")
print("|---|" + "---:|" * (len(dates) + 3))
for label, main, crunch in zip(args[::3], args[1::3], args[2::3]):
    steps = list(csv.DictReader(open(f"{main}/timeseries.csv")))
    cells = [f"{float(steps[t]['storage_p50']):.3f} [{float(steps[t]['storage_p05']):.3f}, "
             f"{float(steps[t]['storage_p95']):.3f}]" for t, _ in dates]
    rows, cols, a, names = table(crunch)
    i = names.index("first_shortfall_step")
    first = [a[r * cols + i] for r in range(rows)]
    by_jan = sum(1 for f in first if 0 <= f <= 108)
    before = sum(1 for f in first if 0 <= f < 78)
    in_jan = by_jan - before
    print(f"| {label} | " + " | ".join(cells)
          + f" | {share(by_jan, rows)} | {share(before, rows)} | {100 * in_jan / rows:.1f}% to {100 * by_jan / rows:.1f}% |")
EOF
}

echo "## The prediction, and how it moves with the floor and the plan"
echo
args=()
args+=("Hindcast (floor 1.0 Mt, plan x 0.70)" "$(run base "$base")" "$(run crunch "$base" "${crunch[@]}" --no-charts)")
args+=("Floor 0.8 Mt" "$(run floor-0.8 "$base" --set storage.minimum=0.8 --no-charts)" "${args[2]}")
args+=("Floor 1.2 Mt" "$(run floor-1.2 "$base" --set storage.minimum=1.2 --no-charts)" "${args[2]}")
for f in 0.6 0.8; do
  args+=("Plan x $f" "$(run "plan-$f" "$(plan "$f")" --no-charts)" \
    "$(run "plan-$f-crunch" "$(plan "$f" 1.2)" "${crunch[@]}" --no-charts)")
done
report "${args[@]}"
echo
echo "(The floor does not move the crunch question: its runs put the floor at 1.2 Mt.)"
echo
echo "## What drives the crunch: stocks below 1.2 Mt by 31 January"
echo
"$bin" tornado "$base" "${crunch[@]}" --set time.steps=109 --metric p_shortfall \
  --quiet --out "$out/tornado" >&2
python3 - "$out/tornado" <<'EOF'
import csv, glob, sys
path = glob.glob(f"{sys.argv[1]}/*/tornado.csv")[0]
rows = list(csv.DictReader(open(path)))
print(f"Base: {100 * float(rows[0]['base']):.2f}%.\n")
print("| Input | Low | High | P at low | P at high | Swing (± SE) |")
print("|---|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| `{r['input']}` | {r['low']} | {r['high']} | {100 * float(r['at_low']):.2f}% "
          f"| {100 * float(r['at_high']):.2f}% | {100 * float(r['swing']):+.2f} ± {100 * float(r['swing_se']):.2f} points |")
EOF
echo
echo "## Would today's measures have prevented the crunch?"
echo
# Each measure alone: files that extend the hindcast (a removed entry can only be
# brought back by a file, not by --set).
ids="australia malaysia usa sakhalin2 qatar brunei png indonesia oman"
abs_base=$(realpath "$base")
{
  printf '[scenario]\nextends = "%s"\nname = "sbl-only"\n' "$abs_base"
  printf '\n[[substitute]]\nid = "sbl"\nenabled = true\n'
} > "$out/sbl-only.toml"
{
  printf '[scenario]\nextends = "%s"\nname = "tolerance-only"\n' "$abs_base"
  for id in $ids; do printf '\n[[substitute]]\nid = "tol_%s"\nenabled = true\n' "$id"; done
} > "$out/tolerance-only.toml"
# Two readings, paired: as the files are (the floor at 1.0 Mt, fuel switching and
# saving requests covering what stocks cannot: a shortfall is LNG demand not met even
# so), and without fuel switching (a shortfall is then what the utilities would have
# to restrict: the "fuel restrictions" of January 2021). The Strategic Buffer LNG acts
# at the floor, before fuel switching; the tolerance restocks toward the plan.
for reading in main restrictions; do
  sets=()
  [ "$reading" = restrictions ] && sets=(--set substitute.fuel_switch.enabled=false)
  "$bin" compare "$base" "$today" "$out/sbl-only.toml" "$out/tolerance-only.toml" \
    "${sets[@]}" --metric p_shortfall --quiet --out "$out/compare-$reading" >&2
done
python3 - "$out" <<'EOF'
import glob, json, sys
out = sys.argv[1]
readings = [
    ("main", "As the files are (floor 1.0 Mt, fuel switching on): LNG demand not met even with fuel switching"),
    ("restrictions", "Without fuel switching: what the utilities would have had to restrict"),
]
names = {"p_shortfall": "P(some)", "eue": "volume, Mt", "lole": "days"}
for key, title in readings:
    c = json.load(open(glob.glob(f"{out}/compare-{key}/compare-*/comparison.json")[0]))
    print(f"{title}:\n")
    print("| Run | P(some) | Difference ± paired SE | Volume, Mt | Difference ± paired SE | Days | Difference ± paired SE |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    base = {m["metric"]: m["value"] for m in c["runs"][0]["metrics"]}
    print(f"| {c['runs'][0]['label']} | {100 * base['p_shortfall']:.2f}% | | {base['eue']:.4f} | | {base['lole']:.2f} | |")
    for run in c["differences"]:
        d = {m["metric"]: m for m in run["metrics"]}
        cells = []
        for k, scale, fmt in (("p_shortfall", 100, ".2f"), ("eue", 1, ".4f"), ("lole", 1, ".2f")):
            m = d[k]
            unit = "%" if k == "p_shortfall" else ""
            pts = " points" if k == "p_shortfall" else ""
            cells.append(f"{scale * m['value']:{fmt}}{unit} | {scale * m['diff']:+{fmt}} ± {scale * m['se']:{fmt}}{pts}")
        print(f"| {run['label']} | " + " | ".join(cells) + " |")
    print()
EOF
echo "Stocks below 1.2 Mt: the Strategic Buffer LNG acts only at the floor, so of today's"
echo "measures only the tolerance (restocking toward the plan) can keep stocks above 1.2 Mt:"
echo
report "Tolerance only" "$(run tolerance-only "$out/tolerance-only.toml" --no-charts)" \
  "$(run tolerance-only-crunch "$out/tolerance-only.toml" "${crunch[@]}" --no-charts)"
echo
echo "## The hindcast's own metrics (floor 1.0 Mt, fuel switching on)"
echo
python3 - "$out/base/hindcast-winter-2020-21/summary.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
p = m["shortfall_probability"]
print(f"P(LNG demand unmet beyond fuel switching) = {100 * p['mean']:.2f}% ± {100 * p['se']:.2f}; "
      f"EUE {m['eue']:.4f} ± {m['eue_se']:.4f} Mt; LOLE {m['lole']:.2f} ± {m['lole_se']:.2f} days.")
EOF
