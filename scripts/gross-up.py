#!/usr/bin/env python3
"""Scheduled supplier volumes grossed up for their outage processes.

The 2024 import figures are *realised* deliveries: they already net out the outages
that happened in 2024. In the model a supplier's `volume` is what it ships in normal
operation, and its random outage process removes a part of it. So that a supplier's
expected realised delivery equals its 2024 delivery, its scheduled volume is

    volume = delivered / (1 - E[fraction lost])

with, for an outage process started in its stationary state (initial = "stationary",
the default), at steps of `step_days` days (docs/SCENARIO.md, "Per-trial process"):

    E[fraction lost] = pi_down * E[loss]
    pi_down  = E[down] / (E[up] + E[down])                       (in steps)
    E[up]    = 1 / p,  p = 1 - exp(-rate_per_year / steps_per_year)
    E[down]  = E[max(1, ceil(D / step_days))] = 1 + sum_{k>=1} P(D > k * step_days)
    E[loss]  = E[min(1, max(0, L))]                              (L the loss distribution)

Only the outage process is grossed up. Events (a cut-off, a closed strait) are the
shocks the scenarios study, so they stay on top of the scheduled volume.

Usage (from the repository root; standard library only):

    python3 scripts/gross-up.py            # prints the derivation table in Markdown
    python3 scripts/gross-up.py --check    # also checks the baseline's volumes

Inputs: the delivered volumes are the `volume`s of scenarios/japan-2024-realised.toml
(the v1 baseline, which used the 2024 deliveries as they are); the outage processes,
the time step and the scheduled volumes to check are read from scenarios/japan-2024.toml.
Volumes are rounded to 0.001 Mt/yr. --check exits with status 1 if a baseline volume
differs from the rounded result.
"""

import math
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DELIVERED = ROOT / "scenarios" / "japan-2024-realised.toml"
BASELINE = ROOT / "scenarios" / "japan-2024.toml"
STEPS_PER_YEAR = {"hour": 8760, "day": 365, "week": 52, "month": 12}


def norm_cdf(z):
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def survival(d, x):
    """P(X > x) for a distribution table `d` (or a bare number)."""
    if not isinstance(d, dict):
        return 1.0 if d > x else 0.0
    kind = d["dist"]
    if kind == "fixed":
        return 1.0 if d["value"] > x else 0.0
    if kind == "lognormal":
        if x <= 0:
            return 1.0
        return 1.0 - norm_cdf((math.log(x) - math.log(d["median"])) / d["sigma"])
    if kind == "exponential":
        return 1.0 if x <= 0 else math.exp(-x / d["mean"])
    if kind == "uniform":
        lo, hi = d["min"], d["max"]
        if x < lo:
            return 1.0
        if x >= hi:
            return 0.0
        return (hi - x) / (hi - lo)
    if kind == "triangular":
        a, c, b = d["min"], d["mode"], d["max"]
        if x <= a:
            return 1.0
        if x >= b:
            return 0.0
        if x <= c:
            return 1.0 - (x - a) ** 2 / ((b - a) * (c - a))
        return (b - x) ** 2 / ((b - a) * (b - c))
    if kind == "empirical":
        vals = d["values"]
        w = d.get("weights", [1.0] * len(vals))
        return sum(wi for v, wi in zip(vals, w) if v > x) / sum(w)
    if kind == "pert":
        a, c, b = d["min"], d["mode"], d["max"]
        if x <= a:
            return 1.0
        if x >= b:
            return 0.0
        al = 1.0 + 4.0 * (c - a) / (b - a)
        be = 1.0 + 4.0 * (b - c) / (b - a)
        return 1.0 - beta_cdf((x - a) / (b - a), al, be)
    raise SystemExit(f"gross-up.py: distribution {kind!r} is not implemented here")


def beta_cdf(u, al, be, n=20000):
    """Regularised incomplete beta I_u(al, be) by Simpson's rule (al, be >= 1 for PERT)."""
    if u <= 0:
        return 0.0
    if u >= 1:
        return 1.0
    lognorm = math.lgamma(al) + math.lgamma(be) - math.lgamma(al + be)

    def f(t):
        if t <= 0 or t >= 1:
            return 0.0 if (t <= 0 and al > 1) or (t >= 1 and be > 1) else math.exp(-lognorm)
        return math.exp((al - 1) * math.log(t) + (be - 1) * math.log(1 - t) - lognorm)

    h = u / n
    s = f(0.0) + f(u)
    for i in range(1, n):
        s += f(i * h) * (4 if i % 2 else 2)
    return s * h / 3.0


def mean_duration_steps(d, step_days):
    """E[max(1, ceil(D / step_days))] = 1 + sum_{k>=1} P(D > k * step_days)."""
    total, k = 1.0, 1
    while True:
        term = survival(d, k * step_days)
        if term < 1e-15 or k > 10_000_000:
            return total
        total += term
        k += 1


def mean_clamped_loss(d):
    """E[min(1, max(0, L))] = integral over [0, 1] of P(L > x) dx."""
    if not isinstance(d, dict):
        return min(1.0, max(0.0, d))
    kind = d["dist"]
    if kind == "fixed":
        return min(1.0, max(0.0, d["value"]))
    if kind == "empirical":
        vals = d["values"]
        w = d.get("weights", [1.0] * len(vals))
        return sum(wi * min(1.0, max(0.0, v)) for v, wi in zip(vals, w)) / sum(w)
    if kind == "pert" and 0.0 <= d["min"] and d["max"] <= 1.0:
        return (d["min"] + 4.0 * d["mode"] + d["max"]) / 6.0
    if kind in ("uniform", "triangular") and 0.0 <= d["min"] and d["max"] <= 1.0:
        return (d["min"] + d["max"] + (d["mode"] if kind == "triangular" else 0.0)) / (
            3.0 if kind == "triangular" else 2.0
        )
    n = 4000  # Simpson on [0, 1]
    s = survival(d, 0.0) + survival(d, 1.0)
    for i in range(1, n):
        s += survival(d, i / n) * (4 if i % 2 else 2)
    return s / (3.0 * n)


def fmt_dist(d):
    if not isinstance(d, dict):
        return f"{d:g}"
    args = ", ".join(
        f"{k} {v:g}" if not isinstance(v, list) else f"{k} [{', '.join(f'{x:g}' for x in v)}]"
        for k, v in d.items()
        if k != "dist"
    )
    return f"{d['dist']}({args})"


def main():
    check = "--check" in sys.argv[1:]
    realised = tomllib.loads(DELIVERED.read_text())
    base = tomllib.loads(BASELINE.read_text())
    steps_per_year = STEPS_PER_YEAR[base.get("time", {}).get("step", "day")]
    step_days = 365.0 / steps_per_year
    delivered = {s["id"]: s["volume"] for s in realised["supplier"]}

    print(
        "| supplier | delivered 2024 (Mt/yr) | outage rate (/yr) | duration (days) "
        "| E[up] (steps) | E[down] (steps) | pi_down | E[loss] | E[fraction lost] "
        "| scheduled volume (Mt/yr) |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    bad = []
    tot_d = tot_v = 0.0
    for s in base["supplier"]:
        sid = s["id"]
        dv = delivered[sid]
        out = s.get("outage")
        if out is None or out.get("rate_per_year", 0) == 0:
            f, row = 0.0, "| – | – | – | – | – | – | 0 "
        else:
            if s.get("initial", "stationary") != "stationary":
                raise SystemExit(f"{sid}: initial = {s['initial']!r}; the formula assumes a stationary start")
            rate = out["rate_per_year"]
            p = 1.0 - math.exp(-rate / steps_per_year)
            e_up = 1.0 / p
            e_down = mean_duration_steps(out["duration_days"], step_days)
            pi = e_down / (e_up + e_down)
            e_loss = mean_clamped_loss(out.get("loss", 1.0))
            f = pi * e_loss
            row = (
                f"| {rate:g} | {fmt_dist(out['duration_days'])} | {e_up:.1f} | {e_down:.2f} "
                f"| {pi:.5f} | {e_loss:.4f} | {f:.5f} "
            )
        v = round(dv / (1.0 - f), 3)
        tot_d += dv
        tot_v += v
        print(f"| {sid} | {dv:g} {row}| {v:.3f} |")
        vol = s["volume"]
        if check and (isinstance(vol, dict) or abs(vol - v) > 5e-7):
            bad.append(f"supplier.{sid}.volume is {vol}, the derivation gives {v:.3f}")
    print(f"| **total** | {tot_d:.1f} | | | | | | | | {tot_v:.3f} |")
    if bad:
        print("\n".join(["", "gross-up.py --check failed:"] + bad), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
