"""Baselines of the search benchmark: scikit-optimize and Optuna on the bench's test functions.

`bench/search.ts` installs the pinned packages into a virtual environment under
`.cache/bench-python/` and runs this script there. Each test function is the same as in
`tests/policies/search/test_functions.ts` (same domains, same formulas, same minima). One line of JSON per
run on stdout: method, function, seed, the best value after each evaluation, and the CPU seconds
the optimiser itself spent per step (process CPU time minus the time inside the objective; CPU
rather than wall time, so a busy machine does not inflate it).

Usage: python search_baselines.py METHOD BUDGET RUN...
METHOD is skopt, optuna-tpe or optuna-gp; each RUN is FUNCTION:SEED (e.g. branin:12), all in one
process so the imports are paid once, in the order given.
"""

import json
import math
import sys
import time

FUNCTIONS = {}


def function(name, dimensions):
    """Registers a test function over `dimensions`: (name, kind, low, high) tuples."""

    def register(evaluate):
        FUNCTIONS[name] = (dimensions, evaluate)
        return evaluate

    return register


@function("branin", [("x1", "real", -5, 10), ("x2", "real", 0, 15)])
def branin(p):
    b = 5.1 / (4 * math.pi**2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    x1, x2 = p["x1"], p["x2"]
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


HARTMANN_ALPHA = [1, 1.2, 3, 3.2]
HARTMANN_A = [
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
]
HARTMANN_P = [
    [p * 1e-4 for p in row]
    for row in [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
]


@function("hartmann6", [(f"x{i}", "real", 0, 1) for i in range(6)])
def hartmann6(p):
    x = [p[f"x{i}"] for i in range(6)]
    total = 0.0
    for i, alpha in enumerate(HARTMANN_ALPHA):
        exponent = sum(HARTMANN_A[i][j] * (x[j] - HARTMANN_P[i][j]) ** 2 for j in range(6))
        total += alpha * math.exp(-exponent)
    return -total


@function("rosenbrock4", [(f"x{i}", "real", -2.048, 2.048) for i in range(4)])
def rosenbrock4(p):
    x = [p[f"x{i}"] for i in range(4)]
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(3))


@function("ackley5", [(f"x{i}", "real", -32.768, 32.768) for i in range(5)])
def ackley5(p):
    x = [p[f"x{i}"] for i in range(5)]
    n = len(x)
    square = sum(v * v for v in x) / n
    cosine = sum(math.cos(2 * math.pi * v) for v in x) / n
    return -20 * math.exp(-0.2 * math.sqrt(square)) - math.exp(cosine) + 20 + math.e


CEF_SPACE = [
    ("order", "integer", 1, 5),
    ("pMin", "log", 1e-4, 1e-2),
    ("gamma", "log", 1e-4, 1e-2),
    ("threshold", "real", 0, 1),
]


@function("cef-smooth", CEF_SPACE)
def cef_smooth(p):
    u, v = math.log10(p["pMin"]), math.log10(p["gamma"])
    return (
        0.05 * (p["order"] - 3) ** 2
        + (p["threshold"] - 0.6) ** 2
        + 0.5 * (u + 3.3) ** 2
        + 0.25 * (v + 3.5) ** 2
    )


@function("cef-coupled", CEF_SPACE)
def cef_coupled(p):
    order, threshold = p["order"], p["threshold"]
    u, v = math.log10(p["pMin"]), math.log10(p["gamma"])
    best_threshold = 0.3 + 0.1 * order
    best_u = -4.2 + 0.4 * order
    return (
        0.1 * abs(order - 4)
        + 4 * (threshold - best_threshold) ** 2
        + 0.1 * (1 - math.cos(6 * math.pi * (threshold - best_threshold)))
        + 2 * (u - best_u) ** 2
        + (v - u + 0.5) ** 2
    )


def skopt_run(dimensions, objective, seed, budget):
    from skopt import gp_minimize
    from skopt.space import Integer, Real

    space = [
        Integer(low, high, name=name)
        if kind == "integer"
        else Real(low, high, prior="log-uniform" if kind == "log" else "uniform", name=name)
        for name, kind, low, high in dimensions
    ]
    names = [name for name, *_ in dimensions]
    gp_minimize(
        lambda x: objective(dict(zip(names, (float(v) for v in x)))),
        space,
        n_calls=budget,
        random_state=seed,
    )


def optuna_run(sampler_name, dimensions, objective, seed, budget):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = (
        optuna.samplers.TPESampler(seed=seed)
        if sampler_name == "tpe"
        else optuna.samplers.GPSampler(seed=seed)
    )

    def trial_objective(trial):
        point = {}
        for name, kind, low, high in dimensions:
            if kind == "integer":
                point[name] = trial.suggest_int(name, low, high)
            else:
                point[name] = trial.suggest_float(name, low, high, log=kind == "log")
        return objective(point)

    study = optuna.create_study(sampler=sampler, direction="minimize")
    study.optimize(trial_objective, n_trials=budget)


def run(method, name, seed, budget):
    dimensions, evaluate = FUNCTIONS[name]
    values = []
    inside = [0.0]

    def objective(point):
        started = time.process_time()
        value = evaluate(point)
        inside[0] += time.process_time() - started
        values.append(value)
        return value

    started = time.process_time()
    if method == "skopt":
        skopt_run(dimensions, objective, seed, budget)
    elif method in ("optuna-tpe", "optuna-gp"):
        optuna_run(method.removeprefix("optuna-"), dimensions, objective, seed, budget)
    else:
        raise SystemExit(f"method must be skopt, optuna-tpe or optuna-gp: current value is {method}")
    spent = time.process_time() - started
    best = []
    for value in values:
        best.append(value if not best else min(best[-1], value))
    print(
        json.dumps(
            {
                "method": method,
                "function": name,
                "seed": seed,
                "best": best,
                "secondsPerStep": (spent - inside[0]) / len(values),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    method, budget = sys.argv[1], int(sys.argv[2])
    runs = [spec.rpartition(":") for spec in sys.argv[3:]]
    for spec, (name, _, seed) in zip(sys.argv[3:], runs):
        if name not in FUNCTIONS or not seed.isdigit():
            raise SystemExit(f"RUN must be FUNCTION:SEED, a known function: current value is {spec}")
    for name, _, seed in runs:
        run(method, name, int(seed), budget)
