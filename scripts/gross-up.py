#!/usr/bin/env python3
"""Scheduled supplier volumes grossed up for their outage processes.

The 2024 import figures are *realised* deliveries: they already net out the outages
that happened in 2024. In the model a supplier's `volume` is what it ships in normal
operation, and its random outage process removes a part of it. So that a supplier's
expected realised delivery over the scenario's horizon equals its 2024 delivery, its
scheduled volume is

    volume = delivered / (1 - f),    f = E[fraction of the horizon's volume lost]

and f is computed exactly for the engine's process (docs/SCENARIO.md, "Per-trial
process", point 2; src/engine/outage.rs) over the scenario's n = time.steps steps of
`step_days` = 365 / steps_per_year days:

    p        = 1 - exp(-rate_per_year / steps_per_year)         per-step failure probability
    up       U geometric on {1, 2, ...}: P(U = j) = p (1 - p)^(j-1)
    down     D = max(1, ceil(X / step_days)), X the duration_days distribution:
             q_1 = P(X <= step_days), q_k = P((k-1) step_days < X <= k step_days)
    start    initial = "stationary" (the default): down at step 0 with probability
             pi = E[D] / (1/p + E[D]), with a FRESH duration D (up again from step D);
             otherwise up from step 0. initial = "up": pi = 0.
    renewal  a[s] = P(an outage starts at step s), b[s] = P(an up period starts at s):
             a[0] = pi, b[0] = 1 - pi; for s ascending,
             b[s+k] += a[s] q_k (k >= 1),  a[s+j] += b[s] p (1-p)^(j-1) (j >= 1)
    down     P(down at t) = sum_{s<=t} a[s] P(D > t-s)
    f        = E[L] * sum_t profile(t) P(down at t) / sum_t profile(t)
    E[L]     = E[min(1, max(0, L))]                               (L the loss distribution)

profile(t) is the supplier's 12-value `profile` at the calendar month of step t (step
t's date is time.start + t x step_days days), or 1 without a profile: the loss is in
proportion to the volume scheduled at the steps spent down.

Why not the long-run share of time down, pi_down = E[down] / (E[up] + E[down])? That
is what a process started in its stationary state would lose on average at every step,
but the engine's start is stationary only for exponential durations: a trial that
starts in an outage draws a fresh duration, not the remaining part of a running one
(which is longer for heavy-tailed durations and shorter for light-tailed ones). So
within one year the engine's expected share of time down differs from pi_down (for
Australia, lognormal sigma 1.2, 0.129 against 0.146), and a volume grossed up with
pi_down would not make the engine's expected delivery equal the 2024 figure. The table
still prints pi_down beside the within-horizon figure for the reader.

Only the outage process is grossed up. Events (a cut-off, a closed strait) are the
shocks the scenarios study, so they stay on top of the scheduled volume.

Usage (from the repository root; standard library only):

    python3 scripts/gross-up.py            # prints the derivation table in Markdown
    python3 scripts/gross-up.py --check    # also checks the baseline's volumes

Inputs: the delivered volumes are the `volume`s of scenarios/japan-2024-realised.toml
(the v1 baseline, which used the 2024 deliveries as they are); the outage processes,
profiles, time axis and the scheduled volumes to check are read from
scenarios/japan-2024.toml. Volumes are rounded to 0.001 Mt/yr. --check exits with
status 1 if a baseline volume differs from the rounded result.
"""

import datetime
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


def duration_pmf(d, steps_per_year, n):
    """q[k] = P(D = k) for k = 1..n-1, D = max(1, ceil(X * steps_per_year / 365)) steps.

    Durations of n steps or more never end within the horizon; they are not needed.
    Fixed and empirical durations are discretised as the engine does, draw by draw;
    the others through the survival function at whole steps.
    """
    q = [0.0] * n
    if not isinstance(d, dict) or d["dist"] in ("fixed", "empirical"):
        if not isinstance(d, dict):
            vals, w = [d], [1.0]
        elif d["dist"] == "fixed":
            vals, w = [d["value"]], [1.0]
        else:
            vals, w = d["values"], d.get("weights", [1.0] * len(d["values"]))
        for v, wi in zip(vals, w):
            k = max(1, math.ceil(v * steps_per_year / 365.0))
            if k < n:
                q[k] += wi / sum(w)
        return q
    step_days = 365.0 / steps_per_year
    prev = 1.0  # P(X > 0 steps), taken as 1: a duration of 0 or less is one step
    for k in range(1, n):
        sk = survival(d, k * step_days)
        q[k] = (1.0 - sk) if k == 1 else (prev - sk)
        prev = sk
    return q


def down_probabilities(p, q, pi, n):
    """P(down at step t), t = 0..n-1, by the renewal recursion in the module docstring.

    p: per-step failure probability; q: duration_pmf; pi: P(down at step 0).
    The recursion is evaluated in its pull form, step by step:
    a[t] = sum_{s<t} b[s] p (1-p)^(t-s-1) (kept as a running sum) and
    b[t] = sum_{s<t} a[s] q[t-s].
    """
    a = [0.0] * n  # P(an outage starts at step s)
    b = [0.0] * n  # P(an up period starts at step s)
    a[0], b[0] = pi, 1.0 - pi
    g = 0.0  # sum_{s<t} b[s] (1-p)^(t-1-s)
    for t in range(1, n):
        g = g * (1.0 - p) + b[t - 1]
        a[t] = p * g
        b[t] = sum(a[s] * q[t - s] for s in range(t))
    tail, acc = [0.0] * n, 1.0  # tail[m] = P(D > m)
    for m in range(n):
        acc -= q[m]
        tail[m] = max(acc, 0.0)
    return [sum(a[s] * tail[t - s] for s in range(t + 1)) for t in range(n)]


def step_months(time, n):
    """The calendar month (0-11) of each step, as the engine dates steps."""
    start = datetime.date.fromisoformat(str(time.get("start", "2024-01-01")))
    step = time.get("step", "day")
    months = []
    for t in range(n):
        if step == "hour":
            date = start + datetime.timedelta(days=t // 24)
        elif step == "day":
            date = start + datetime.timedelta(days=t)
        elif step == "week":
            date = start + datetime.timedelta(days=math.floor(t * 365.0 / 52.0))
        else:  # month
            m = start.month - 1 + t
            date = datetime.date(start.year + m // 12, m % 12 + 1, 1)
        months.append(date.month - 1)
    return months


def step_profile(profile, months, n):
    """The supplier's volume multiplier at each step (1 without a profile)."""
    if profile is None:
        return [1.0] * n
    if len(profile) == 12:
        return [profile[m] for m in months]
    return list(profile)


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
    time = base.get("time", {})
    steps_per_year = STEPS_PER_YEAR[time.get("step", "day")]
    n = time.get("steps", steps_per_year)
    step_days = 365.0 / steps_per_year
    months = step_months(time, n)
    delivered = {s["id"]: s["volume"] for s in realised["supplier"]}

    print(
        "| supplier | delivered 2024 (Mt/yr) | outage rate (/yr) | duration (days) "
        "| E[up] (steps) | E[down] (steps) | pi_down (long run) | P(down), horizon (weighted) "
        "| E[loss] | E[fraction lost] | scheduled volume (Mt/yr) |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    bad = []
    tot_d = tot_v = 0.0
    for s in base["supplier"]:
        sid = s["id"]
        dv = delivered[sid]
        out = s.get("outage")
        if out is None or out.get("rate_per_year", 0) == 0:
            f, row = 0.0, "| – | – | – | – | – | – | – | 0 "
        else:
            rate = out["rate_per_year"]
            p = 1.0 - math.exp(-rate / steps_per_year)
            e_up = 1.0 / p
            e_down = mean_duration_steps(out["duration_days"], step_days)
            pi = e_down / (e_up + e_down)  # long-run share of steps down
            initial = s.get("initial", "stationary")
            pi0 = pi if initial == "stationary" else 0.0
            q = duration_pmf(out["duration_days"], steps_per_year, n)
            down = down_probabilities(p, q, pi0, n)
            w = step_profile(s.get("profile"), months, n)
            p_down = sum(wi * di for wi, di in zip(w, down)) / sum(w)
            e_loss = mean_clamped_loss(out.get("loss", 1.0))
            f = p_down * e_loss
            row = (
                f"| {rate:g} | {fmt_dist(out['duration_days'])} | {e_up:.1f} | {e_down:.2f} "
                f"| {pi:.5f} | {p_down:.5f} | {e_loss:.4f} | {f:.5f} "
            )
        v = round(dv / (1.0 - f), 3)
        tot_d += dv
        tot_v += v
        print(f"| {sid} | {dv:g} {row}| {v:.3f} |")
        vol = s["volume"]
        if check and (isinstance(vol, dict) or abs(vol - v) > 5e-7):
            bad.append(f"supplier.{sid}.volume is {vol}, the derivation gives {v:.3f}")
    print(f"| **total** | {tot_d:.1f} | | | | | | | | | {tot_v:.3f} |")
    if bad:
        print("\n".join(["", "gross-up.py --check failed:"] + bad), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
