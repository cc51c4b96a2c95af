#!/usr/bin/env python3
"""Tables for BENCHMARKS.md from criterion's results of `cargo bench --bench engine`.

    python3 benches/report.py [CRITERION_DIR]     (default: target/criterion)

Reads <dir>/<case>/<engine|floor>/<threads>/new/{benchmark,estimates}.json and
prints Markdown: time per iteration (criterion's mean, with its 95% interval),
trials per second, time per trial, the ratio engine / floor (the headline) and
the speed-up from 1 to 2 threads.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DIR = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "target", "criterion")
CASES = ["japan-2024", "small", "large"]


def load(case, kind, threads):
    d = os.path.join(DIR, case, kind, str(threads), "new")
    try:
        bench = json.load(open(os.path.join(d, "benchmark.json")))
        est = json.load(open(os.path.join(d, "estimates.json")))
    except FileNotFoundError:
        return None
    trials = bench["throughput"]["Elements"]
    m = est["mean"]
    ci = m["confidence_interval"]
    return {
        "trials": trials,
        "s": m["point_estimate"] / 1e9,
        "lo": ci["lower_bound"] / 1e9,
        "hi": ci["upper_bound"] / 1e9,
    }


def fmt_rate(x):
    return f"{x:,.0f}"


print("| case | threads | trials/iter | engine s/iter (95% CI) | engine trials/s | engine µs/trial | floor trials/s | floor µs/trial | engine / floor |")
print("|---|---:|---:|---|---:|---:|---:|---:|---:|")
res = {}
for case in CASES:
    for th in (1, 2):
        e, f = load(case, "engine", th), load(case, "floor", th)
        res[case, th] = (e, f)
        if not e:
            continue
        n = e["trials"]
        row = [case, str(th), f"{n:,}", f"{e['s']:.4f} ({e['lo']:.4f}–{e['hi']:.4f})",
               fmt_rate(n / e["s"]), f"{1e6 * e['s'] / n:.2f}"]
        if f:
            row += [fmt_rate(n / f["s"]), f"{1e6 * f['s'] / n:.3f}", f"**{e['s'] / f['s']:.1f}×**"]
        else:
            row += ["–", "–", "–"]
        print("| " + " | ".join(row) + " |")

print()
print("| case | engine speed-up 1 → 2 threads | floor speed-up 1 → 2 threads |")
print("|---|---:|---:|")
for case in CASES:
    (e1, f1), (e2, f2) = res[case, 1], res[case, 2]
    if not (e1 and e2):
        continue
    fs = f"{f1['s'] / f2['s']:.2f}×" if f1 and f2 else "–"
    print(f"| {case} | {e1['s'] / e2['s']:.2f}× | {fs} |")
