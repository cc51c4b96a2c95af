#!/usr/bin/env python3
"""Writes the benchmark scenarios in tests/fixtures/bench/ (deterministic).

    python3 benches/gen_scenarios.py

bench-small.toml   52 weekly steps, 3 suppliers, 3 substitutes, 2 events
bench-large.toml   8760 hourly steps, 50 suppliers, 5 substitutes, 10 events
growth-suppliers-{10,100,1000}.toml
                   365 daily steps; n suppliers sharing a fixed total outage
                   rate (6 per year), so the expected number of outages per
                   trial is the same for every n
growth-outages-{1,4,16}.toml
                   365 daily steps, 50 suppliers; outage rates x1, x4, x16

The numbers are invented but of realistic form: lognormal outage durations,
partial losses (PERT, uniform, empirical), events with supply, substitute and
demand effects, substitutes of every trigger (one of them with its own
outages), storage with a floor and a random initial level.
"""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "bench")

PROFILE = "[1.25, 1.35, 1.1, 0.85, 0.8, 0.9, 0.95, 0.95, 0.9, 0.9, 0.95, 1.1]"
PROFILE_B = "[1.3, 1.3, 1.15, 0.8, 0.8, 0.9, 1.0, 0.95, 0.9, 0.85, 0.95, 1.1]"
LOSSES = [
    'loss = { dist = "pert", min = 0.05, mode = 0.2, max = 0.6 }',
    'loss = { dist = "uniform", min = 0.1, max = 0.5 }',
    'loss = { dist = "empirical", values = [0.5, 1.0], weights = [0.7, 0.3] }',
    "loss = 1.0",
]


def header(name, title, step, steps, trials, annual, cap, minimum, init, noise_phi):
    return f'''# Benchmark scenario written by benches/gen_scenarios.py; do not edit by hand.
[scenario]
name = "{name}"
title = "{title}"
unit = "Mt"

[time]
start = "2024-01-01"
step = "{step}"
steps = {steps}

[simulation]
trials = {trials}
seed = 20240101

[demand]
annual = {annual}
seasonality = {PROFILE}
level = {{ dist = "normal", mean = 1.0, sd = 0.03, min = 0.85, max = 1.15 }}
noise = {{ sd = 0.04, autocorrelation = {noise_phi} }}

[storage]
capacity = {cap}
minimum = {minimum}
initial = {{ dist = "pert", min = {minimum}, mode = {init}, max = {cap} }}
'''


def supplier(rng, i, volume, rate, profile=PROFILE, median=None):
    median = median or rng.choice([10, 20, 45, 60, 90])
    sigma = rng.choice([0.6, 0.8, 1.0, 1.2])
    loss = LOSSES[i % len(LOSSES)]
    lines = [
        "",
        "[[supplier]]",
        f'id = "s{i:04d}"',
        f"volume = {volume:.4f}",
        f"transit_days = {rng.randint(1, 25)}",
    ]
    if profile:
        lines.append(f"profile = {profile}")
    lines.append(
        f"outage = {{ rate_per_year = {rate:.5g}, duration_days = "
        f'{{ dist = "lognormal", median = {median}, sigma = {sigma} }}, {loss} }}'
    )
    return "\n".join(lines) + "\n"


def substitutes(scale, with_outage=True):
    s = f'''
[[substitute]]
id = "flex"
trigger = "loss"
capacity = {6.0 * scale:.4g}
lead_days = 21
cost = 12
'''
    if with_outage:
        s += '''outage = { rate_per_year = 1.0, duration_days = { dist = "lognormal", median = 20, sigma = 0.8 }, loss = { dist = "uniform", min = 0.3, max = 1.0 } }
'''
    s += f'''
[[substitute]]
id = "pipeline"
trigger = "loss"
capacity = {2.0 * scale:.4g}
lead_days = 3
volume = {1.0 * scale:.4g}
cost = 8

[[substitute]]
id = "spot"
trigger = "storage"
capacity = {4.0 * scale:.4g}
lead_days = 18
target = {4.0 * scale:.4g}
cost = 15

[[substitute]]
id = "reserve"
trigger = "shortfall"
capacity = {0.84 * scale:.4g}
volume = {0.84 * scale:.4g}
cost = 20

[[substitute]]
id = "restraint"
trigger = "shortfall"
capacity = {5.0 * scale:.4g}
volume = {1.5 * scale:.4g}
cost = 40
'''
    return s


def write(name, text):
    with open(os.path.join(OUT, name + ".toml"), "w") as f:
        f.write(text)


def small():
    t = header("bench-small", "Benchmark: small system (52 weekly steps)",
               "week", 52, 100000, 36.5, 3.0, 0.3, 2.0, 0.6)
    t += '''
[[supplier]]
id = "a"
volume = 22.0
transit_days = 7
profile = [1.25, 1.35, 1.1, 0.85, 0.8, 0.9, 0.95, 0.95, 0.9, 0.9, 0.95, 1.1]
outage = { rate_per_year = 1.5, duration_days = { dist = "lognormal", median = 20, sigma = 0.8 }, loss = { dist = "pert", min = 0.1, mode = 0.3, max = 0.8 } }

[[supplier]]
id = "b"
volume = 10.0
transit_days = 14
profile = [1.2, 1.3, 1.1, 0.9, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.2]
outage = { rate_per_year = 0.5, duration_days = { dist = "lognormal", median = 45, sigma = 1.0 }, loss = { dist = "empirical", values = [0.5, 1.0], weights = [0.7, 0.3] } }

[[supplier]]
id = "c"
volume = 5.0
transit_days = 2
outage = { rate_per_year = 0.3, duration_days = { dist = "lognormal", median = 60, sigma = 1.2 }, loss = 1.0 }

[[substitute]]
id = "flex"
trigger = "loss"
capacity = 5.0
lead_days = 21
cost = 12
outage = { rate_per_year = 0.5, duration_days = { dist = "lognormal", median = 20, sigma = 0.8 }, loss = { dist = "uniform", min = 0.3, max = 1.0 } }

[[substitute]]
id = "spot"
trigger = "storage"
capacity = 3.0
lead_days = 14
target = 2.0
cost = 15

[[substitute]]
id = "reserve"
trigger = "shortfall"
capacity = 1.0
volume = 0.3
cost = 20

[[event]]
id = "cutoff"
probability = 0.1
start_day = { dist = "uniform", min = 0, max = 365 }
supply = { b = 1.0 }

[[event]]
id = "tight_market"
rate_per_year = 0.3
start_day = { dist = "uniform", min = 0, max = 365 }
duration_days = { dist = "pert", min = 30, mode = 90, max = 270 }
substitute = { flex = { dist = "pert", min = 0.1, mode = 0.4, max = 0.8 }, spot = 0.5 }
demand = { dist = "uniform", min = 1.0, max = 1.1 }
'''
    write("bench-small", t)


def large():
    rng = random.Random(8760)
    n = 50
    t = header("bench-large", "Benchmark: large system (8760 hourly steps, 50 suppliers, 10 events)",
               "hour", 8760, 10000, 87.6, 5.5, 3.0, 4.2, 0.995)
    vols = [rng.uniform(0.5, 3.0) for _ in range(n)]
    k = 93.0 / sum(vols)
    for i in range(n):
        # Two seasonal profiles (two shape classes besides the flat one).
        t += supplier(rng, i, vols[i] * k, rng.choice([0.1, 0.2, 0.3, 0.5, 1.0, 2.0]),
                      profile=(PROFILE if i % 2 == 0 else PROFILE_B))
    t += substitutes(1.0)
    for e in range(10):
        hit = rng.sample(range(n), rng.randint(1, 6))
        supply = ", ".join(
            f's{i:04d} = {{ dist = "pert", min = 0.2, mode = 0.6, max = 1.0 }}' if j % 2 else f"s{i:04d} = 1.0"
            for j, i in enumerate(hit))
        t += f'''
[[event]]
id = "e{e:02d}"
'''
        t += "probability = 0.1\n" if e % 2 == 0 else f"rate_per_year = {0.2 + 0.1 * e:.2g}\n"
        t += 'start_day = { dist = "uniform", min = 0, max = 365 }\n'
        t += f'duration_days = {{ dist = "lognormal", median = {rng.choice([7, 30, 60, 120])}, sigma = 1.0 }}\n'
        t += f"supply = {{ {supply} }}\n"
        if e % 3 == 0:
            t += 'substitute = { flex = { dist = "pert", min = 0.1, mode = 0.4, max = 0.8 }, spot = 0.5 }\n'
        if e % 4 == 1:
            t += 'demand = { dist = "uniform", min = 1.0, max = 1.15 }\n'
    write("bench-large", t)


def growth():
    for n in (10, 100, 1000):
        rng = random.Random(n)
        t = header(f"growth-suppliers-{n}", f"Growth: {n} suppliers, 6 outages per year in total",
                   "day", 365, 100000, 65.9, 5.5, 3.0, 4.2, 0.9)
        for i in range(n):
            t += supplier(rng, i, 70.0 / n, 6.0 / n, median=30)
        t += substitutes(1.0, with_outage=False)
        write(f"growth-suppliers-{n}", t)
    for m in (1, 4, 16):
        rng = random.Random(50)
        t = header(f"growth-outages-{m}", f"Growth: 50 suppliers, outage rates x{m}",
                   "day", 365, 100000, 65.9, 5.5, 3.0, 4.2, 0.9)
        for i in range(50):
            t += supplier(rng, i, 70.0 / 50, 0.2 * m, median=10)
        t += substitutes(1.0, with_outage=False)
        write(f"growth-outages-{m}", t)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    small()
    large()
    growth()
