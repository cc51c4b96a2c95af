#!/usr/bin/env python3
"""Whole-run timings and growth tables for BENCHMARKS.md.

    cargo build --release
    python3 benches/whole_run.py [--bin target/release/shortfall] [--only runs|growth|scaling]

Every run is `shortfall run ... --quiet --out <tmp>` under `/usr/bin/time -v`;
the tables give wall time and peak resident memory (from time -v) and the
engine's own timings from run.json (simulate, statistics, write seconds and
trials/s). Growth runs use one thread, so that time per trial is not blurred
by scheduling, and each is the fastest of three; the trial-count runs use all
cores, as a user would.

The scaling runs alternate `--threads 1` and `--threads 2` on the same case,
eleven pairs each, and report the median of the pairs' ratios and the ratio
of the fastest runs: on a 2-vCPU virtual machine single timings of the
2-thread run scatter by ±20% (the host decides where the two vCPUs run, and
other guests take time from them), which a mean over consecutive samples does
not average out. Interference only adds time, so the fastest of eleven runs
is the best estimate of what the code itself does; the median shows what a
user of a shared machine sees.
"""
import argparse
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
# The v1 baseline (scenarios/japan-2024.toml before model v2), for comparable numbers.
JAPAN = "scenarios/japan-2024-realised.toml"
BENCH = "tests/fixtures/bench"


def run(binary, scenario, trials, extra=(), threads=None):
    out = tempfile.mkdtemp(prefix="shortfall-bench-")
    cmd = [binary, "run", scenario, "--trials", str(trials), "--quiet", "--out", out]
    if threads:
        cmd += ["--threads", str(threads)]
    cmd += list(extra)
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        shutil.rmtree(out, ignore_errors=True)
        raise SystemExit(f"failed: {' '.join(cmd)}\n{p.stderr}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", p.stderr).group(1)
    parts = [float(x) for x in wall.split(":")]
    wall_s = sum(x * 60 ** i for i, x in enumerate(reversed(parts)))
    info = json.load(open(glob.glob(os.path.join(out, "*", "run.json"))[0]))
    files = sorted(os.path.basename(f) for f in glob.glob(os.path.join(out, "*", "*")))
    shutil.rmtree(out, ignore_errors=True)
    return {
        "cmd": " ".join(["/usr/bin/time -v", os.path.relpath(binary, ROOT)] + [c if not c.startswith(out) else "/tmp/out" for c in cmd[1:]]),
        "rss_mb": rss_kb / 1024,
        "rss_b": rss_kb * 1024,
        "wall": wall_s,
        "files": files,
        **info,
    }


def has_flag(binary, flag):
    p = subprocess.run([binary, "run", "--help"], capture_output=True, text=True)
    return flag in p.stdout


def median_run(binary, scenario, trials, extra=(), repeats=3):
    """The run with the median total time of `repeats`: the time to write
    trials.npy (100 MB per million trials) into the page cache varies by
    ±0.1 s from run to run on this VM, more than the charts cost."""
    rs = sorted((run(binary, scenario, trials, extra) for _ in range(repeats)),
                key=lambda r: r["total_seconds"])
    return rs[len(rs) // 2]


def runs(binary):
    print("### Whole runs (japan-2024, all cores; each the median of three runs by total time)\n")
    charts = has_flag(binary, "--no-charts")
    on = "charts on (default)" if charts else "default (no charts in this build)"
    rows = []
    for trials in (250_000, 1_000_000, 4_000_000):
        rows.append((on, trials, median_run(binary, JAPAN, trials)))
    if charts:
        for trials in (1_000_000, 4_000_000):
            rows.append(("--no-charts", trials, median_run(binary, JAPAN, trials, ["--no-charts"])))
    print("| run | trials | wall s | simulate s | statistics s | charts s | write s (incl. charts) | total s (run.json) | (statistics + charts) / simulate | (total − simulate) / simulate | trials/s (run.json) | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, trials, r in rows:
        charts_s = r.get("charts_seconds", 0.0)
        added = (r["statistics_seconds"] + charts_s) / r["simulate_seconds"]
        over = (r["total_seconds"] - r["simulate_seconds"]) / r["simulate_seconds"]
        print(f"| {label} | {trials:,} | {r['wall']:.2f} | {r['simulate_seconds']:.2f} | "
              f"{r['statistics_seconds']:.2f} | {charts_s:.2f} | {r['write_seconds']:.2f} | {r['total_seconds']:.2f} | "
              f"**{100 * added:.1f}%** | {100 * over:.1f}% | {r['trials_per_second']:,.0f} | {r['rss_mb']:.0f} |")
    if not charts:
        print("| charts on | 1,000,000 | not yet measured: this build has no charts and no `--no-charts` flag | | | | | | | |")
    print()
    for label in dict.fromkeys(l for l, _, _ in rows):
        by = {t: r for l, t, r in rows if l == label}
        if 1_000_000 in by and 4_000_000 in by:
            per = (by[4_000_000]["rss_b"] - by[1_000_000]["rss_b"]) / 3_000_000
            base = by[1_000_000]["rss_b"] - per * 1_000_000
            print(f"- {label}: peak RSS grows by **{per:.1f} bytes/trial** from 1M to 4M trials "
                  f"(intercept {base / 2**20:.0f} MB)")
        if 250_000 in by and 1_000_000 in by:
            per = (by[1_000_000]["rss_b"] - by[250_000]["rss_b"]) / 750_000
            print(f"  (from 250k to 1M: {per:.1f} bytes/trial)")
    if charts:
        a = next(r for l, t, r in rows if l == on and t == 1_000_000)
        b = next(r for l, t, r in rows if l == "--no-charts" and t == 1_000_000)
        print(f"- 1M trials: total seconds with charts minus without: {a['total_seconds'] - b['total_seconds']:+.2f} s; "
              f"and {a['rss_mb'] - b['rss_mb']:.0f} MB to peak memory")
    print("\nFiles written (charts on):", ", ".join(rows[0][2]["files"]))
    print("\nCommands:\n")
    for _, _, r in rows:
        print(f"    {r['cmd']}")
    print()


def fastest_run(binary, scenario, trials, extra=(), repeats=3):
    """The one-thread run with the least simulate time of `repeats`: other
    guests on the host only ever add time, and single runs scatter by ±10%,
    enough to bend a growth ratio."""
    return min((run(binary, scenario, trials, extra, threads=1) for _ in range(repeats)),
               key=lambda r: r["simulate_seconds"])


def growth(binary):
    def table(title, label, cases, trials):
        print(f"### {title}\n")
        print(f"| {label} | trials | simulate s | trials/s | µs/trial | relative µs/trial |")
        print("|---|---:|---:|---:|---:|---:|")
        first = None
        cmds = []
        for name, scenario, extra in cases:
            r = fastest_run(binary, scenario, trials, extra)
            us = 1e6 * r["simulate_seconds"] / trials
            first = first or us
            print(f"| {name} | {trials:,} | {r['simulate_seconds']:.3f} | {r['trials_per_second']:,.0f} | {us:.2f} | {us / first:.2f} |")
            cmds.append(r["cmd"])
        print("\nCommands:\n")
        for c in cmds:
            print(f"    {c}")
        print()

    print("### Growth in trials (japan-2024, 1 thread)\n")
    print("| trials | simulate s | trials/s | µs/trial |")
    print("|---:|---:|---:|---:|")
    cmds = []
    for trials in (100_000, 400_000, 1_600_000):
        r = fastest_run(binary, JAPAN, trials)
        print(f"| {trials:,} | {r['simulate_seconds']:.3f} | {r['trials_per_second']:,.0f} | {1e6 * r['simulate_seconds'] / trials:.2f} |")
        cmds.append(r["cmd"])
    print("\nCommands:\n")
    for c in cmds:
        print(f"    {c}")
    print()
    table("Growth in steps (japan-2024 with `--set time.steps=N`, 1 thread)", "steps",
          [(str(n), JAPAN, ["--set", f"time.steps={n}"]) for n in (365, 730, 1460)], 100_000)
    table("Growth in suppliers at a fixed total outage rate (6 outages/yr over all suppliers, 1 thread)",
          "suppliers",
          [(str(n), f"{BENCH}/growth-suppliers-{n}.toml", []) for n in (10, 100, 1000)], 100_000)
    table("Growth in outages (50 suppliers, outage rates ×1, ×4, ×16, 1 thread)", "outage rate",
          [(f"×{m}", f"{BENCH}/growth-outages-{m}.toml", []) for m in (1, 4, 16)], 100_000)

    print("### Suppliers × steps: the cost of a supplier does not grow with the horizon (1 thread)\n")
    print("| steps | µs/trial, 10 suppliers | µs/trial, 1000 suppliers | ns per extra supplier per trial |")
    print("|---:|---:|---:|---:|")
    cmds = []
    for steps in (365, 1460):
        us = []
        for n in (10, 1000):
            r = fastest_run(binary, f"{BENCH}/growth-suppliers-{n}.toml", 100_000, ["--set", f"time.steps={steps}"])
            us.append(1e6 * r["simulate_seconds"] / 100_000)
            cmds.append(r["cmd"])
        print(f"| {steps} | {us[0]:.2f} | {us[1]:.2f} | {1e3 * (us[1] - us[0]) / 990:.0f} |")
    print("\nCommands:\n")
    for c in cmds:
        print(f"    {c}")
    print()


def scaling(binary, pairs=11):
    print("### Thread scaling, interleaved runs (%d pairs, --no-charts)\n" % pairs)
    print("| case | trials | 1 thread: simulate s (median) | 2 threads: simulate s (median) "
          "| speed-up (median of pairs) | range of pairs | speed-up (fastest runs) |")
    print("|---|---:|---:|---:|---:|---|---:|")
    cmds = []
    cases = [
        ("japan-2024", JAPAN, 200_000),
        ("small", f"{BENCH}/bench-small.toml", 1_048_576),
        ("large", f"{BENCH}/bench-large.toml", 4_096),
    ]
    for name, scenario, trials in cases:
        one, two, ratio = [], [], []
        for _ in range(pairs):
            a = run(binary, scenario, trials, ["--no-charts"], threads=1)
            b = run(binary, scenario, trials, ["--no-charts"], threads=2)
            one.append(a["simulate_seconds"])
            two.append(b["simulate_seconds"])
            ratio.append(a["simulate_seconds"] / b["simulate_seconds"])
        cmds += [a["cmd"], b["cmd"]]
        print(f"| {name} | {trials:,} | {statistics.median(one):.3f} | {statistics.median(two):.3f} | "
              f"**{statistics.median(ratio):.2f}×** | {min(ratio):.2f}–{max(ratio):.2f}× | "
              f"**{min(one) / min(two):.2f}×** |")
    print("\nCommands (each pair, in turn):\n")
    for c in cmds:
        print(f"    {c}")
    print()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "shortfall"))
    ap.add_argument("--only", choices=["runs", "growth", "scaling"])
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    if a.only in (None, "runs"):
        runs(binary)
    if a.only in (None, "growth"):
        growth(binary)
    if a.only in (None, "scaling"):
        scaling(binary)
