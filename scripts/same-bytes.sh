#!/usr/bin/env bash
# Proves that a change leaves every result as it was: runs every scenario in
# scenarios/ with the binary of a base revision and with the working tree's,
# at 1 and 2 threads, and compares every output file except run.json byte for
# byte (trials.csv and both chart formats included). It also compares
# `shortfall plot` re-renders, `shortfall table`, and the exit code and error
# text of `shortfall validate` on every file in tests/fixtures/bad/.
#
#   scripts/same-bytes.sh BASE [TRIALS]
#
# BASE is a git revision (built in a temporary worktree) or, with
# BASE_BIN=/path/to/shortfall, an already built binary. TRIALS defaults to
# 20000. Exits 0 when everything matches, 1 (listing the differences) when not.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: scripts/same-bytes.sh BASE [TRIALS]}
trials=${2:-20000}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

if [[ -n "${BASE_BIN:-}" ]]; then
  old=$BASE_BIN
else
  echo "== building $base"
  git worktree add --detach "$work/src" "$base" >/dev/null
  CARGO_TARGET_DIR="$work/target" cargo build --release --quiet --manifest-path "$work/src/Cargo.toml"
  old=$work/target/release/shortfall
fi
echo "== building the working tree"
cargo build --release --quiet
new=target/release/shortfall

differ=0
compare() { # compare DIR_A DIR_B WHAT
  if ! diff -r --exclude=run.json "$1" "$2" >"$work/diff" 2>&1; then
    echo "DIFFERS: $3"; sed 's/^/    /' "$work/diff" | head -20; differ=1
  fi
}

for s in scenarios/*.toml; do
  name=$(basename "$s" .toml)
  for t in 1 2; do
    for side in old new; do
      bin=${!side}
      "$bin" run "$s" --trials "$trials" --threads "$t" --csv --quiet --out "$work/$side/t$t" >/dev/null
    done
    compare "$work/old/t$t" "$work/new/t$t" "$name at $t thread(s)"
  done
done
# The same results at 1 and 2 threads.
compare "$work/new/t1" "$work/new/t2" "1 against 2 threads"

# Charts re-rendered from a finished run's files, and the comparison table.
for side in old new; do
  bin=${!side}
  cp -r "$work/$side/t1/japan-2024" "$work/$side/replot"
  "$bin" plot "$work/$side/replot" >/dev/null
  "$bin" table "$work/$side"/t1/* >"$work/$side/table.md"
done
compare "$work/old/replot" "$work/new/replot" "shortfall plot"
cmp -s "$work/old/table.md" "$work/new/table.md" || { echo "DIFFERS: shortfall table"; differ=1; }

# Error messages and exit codes for bad input.
for f in tests/fixtures/bad/*.toml; do
  for side in old new; do
    bin=${!side}
    set +e
    "$bin" validate "$f" >"$work/$side.out" 2>"$work/$side.err"
    echo "exit $?" >>"$work/$side.err"
    set -e
  done
  if ! cmp -s "$work/old.err" "$work/new.err" || ! cmp -s "$work/old.out" "$work/new.out"; then
    echo "DIFFERS: validate $f"; diff "$work/old.err" "$work/new.err" | head -10; differ=1
  fi
done

files=$(find "$work/new/t1" "$work/new/t2" -type f ! -name run.json | wc -l)
if [[ $differ -eq 0 ]]; then
  echo "same bytes: $files files of $(ls scenarios/*.toml | wc -l) scenarios at 1 and 2 threads ($trials trials), plot, table, $(ls tests/fixtures/bad/*.toml | wc -l) bad-input messages"
else
  exit 1
fi
