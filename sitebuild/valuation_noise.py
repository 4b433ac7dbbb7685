"""The "Data valuation" page's noise measurement: how stable each value's ranking is under a noisy learner.

Wang & Jia (2023) argue that the Banzhaf value is the semivalue most robust to noise in the
utility, such as the randomness of stochastic gradient descent. Here the learner is scikit-learn's
``SGDClassifier`` (logistic loss, a few epochs) with ``random_state=None``: every one of a grid's
fits shuffles the data with fresh randomness from numpy's global generator, which each run seeds
(and which is restored afterwards). For several draws of ``n`` breast-cancer points, the exact
grid is computed once per seed; each run gives a value vector per method, and the Spearman rank
correlation between runs says how stable its ranking of the points is.

Besides the rank correlations the document records where the noise is (the standard deviation
across runs of U(S), by coalition size), how much of it reaches each value (the standard
deviation across runs of each point's value), and what independent noise of that size per
coalition would predict for it: the variance of sum_T a_T U(T), where a_T is the weight the
semivalue puts on U(T).
"""
import itertools
import math
import warnings

import numpy as np

__all__ = ["INPUTS", "METHODS", "compute", "draw_data", "noisy_grid", "method_values", "coefficients"]

INPUTS = {
    "dataset": "breast_cancer",
    "n": 10,
    "draws": [1, 2, 3, 4, 5],           # seeds of the permutation that picks the points
    "test_from": 300,                   # order[300:] are the evaluation points
    "learner": {"name": "SGDClassifier", "loss": "log_loss", "max_iter": 5, "tol": None},
    "seeds": [0, 1, 2, 3, 4, 5],        # one exact grid per seed
    "metric": "prob_correct",
}
METHODS = {"loo": "leave-one-out", "shapley": "Shapley", "banzhaf": "Banzhaf", "beta16": "Beta(16, 1)",
           "beta4": "Beta(4, 1)"}


def draw_data(draw, inputs=INPUTS):
    """(train, eval) Datasets of one draw: standardised breast-cancer points, a permutation seeded by ``draw``."""
    from sklearn.datasets import load_breast_cancer

    import datacf as dcf

    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    order = np.random.default_rng(draw).permutation(len(y))
    train, test = order[:inputs["n"]], order[inputs["test_from"]:]
    return dcf.Dataset(X[train], y[train]), dcf.Dataset(X[test], y[test])


def _learner(inputs):
    from sklearn.linear_model import SGDClassifier

    params = {key: value for key, value in inputs["learner"].items() if key != "name"}
    return SGDClassifier(random_state=None, **params)


def noisy_grid(train, evaluation, seed, inputs=INPUTS):
    """The exact grid of the noisy learner, every fit drawing fresh randomness from numpy's global
    generator seeded with ``seed``; the generator's previous state is restored."""
    import datacf as dcf

    state = np.random.get_state()
    try:
        np.random.seed(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")      # few epochs on purpose: the convergence warning is expected
            return dcf.compute_grid(train, _learner(inputs), eval=evaluation, metric=inputs["metric"])
    finally:
        np.random.set_state(state)


def method_values(grid):
    """{method: (n,) values} for ``METHODS``."""
    return {"loo": grid.loo(), "shapley": grid.shapley(), "banzhaf": grid.banzhaf(),
            "beta16": grid.beta_shapley(16, 1), "beta4": grid.beta_shapley(4, 1)}


def coefficients(weights, point=0):
    """(2**n,) the coefficient a_T of U(T) in the value of ``point``, sum_T a_T U(T), for semivalue ``weights``.

    a_T = w[|T| - 1] if the point is in T, else -w[|T|] (w[n] taken as 0: no such T leaves it out).
    """
    n = len(weights)
    w = np.append(np.asarray(weights, dtype=float), 0.0)
    rows = np.arange(2**n)
    sizes = np.array([bin(r).count("1") for r in rows])
    inside = ((rows >> point) & 1).astype(bool)
    return np.where(inside, w[np.maximum(sizes - 1, 0)], -w[sizes])


def _weights(n):
    from datacf._semivalues import banzhaf_weights, beta_weights, loo_weights, shapley_weights

    return {"loo": loo_weights(n), "shapley": shapley_weights(n), "banzhaf": banzhaf_weights(n),
            "beta16": beta_weights(n, 16, 1), "beta4": beta_weights(n, 4, 1)}


def _spearman(a, b):
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).statistic)


def _one_draw(draw, inputs):
    train, evaluation = draw_data(draw, inputs)
    n = train.n_points
    utilities, runs = [], []
    for seed in inputs["seeds"]:
        grid = noisy_grid(train, evaluation, seed, inputs)
        utilities.append(grid.utility())
        runs.append(method_values(grid))
    utilities = np.array(utilities)
    sizes = np.array([bin(r).count("1") for r in range(2**n)])
    sd = utilities.std(axis=0, ddof=1)                         # per coalition, across runs
    pairs = list(itertools.combinations(range(len(runs)), 2))
    out = {"draw": draw, "n_class1": int(train.y.sum()),
           "sd_by_size": [float(sd[sizes == k].mean()) for k in range(n + 1)], "methods": {}}
    weights = _weights(n)
    for method in METHODS:
        values = np.array([run[method] for run in runs])        # (runs, n)
        rho = [_spearman(values[a], values[b]) for a, b in pairs]
        # Independent noise per coalition with the measured sd: the sd of sum_T a_T U(T), mean over points.
        predicted = float(np.mean([np.sqrt(np.sum(coefficients(weights[method], i) ** 2 * sd**2))
                                   for i in range(n)]))
        noise = float(values.std(axis=0, ddof=1).mean())
        spread = float(values.mean(axis=0).std(ddof=1))
        out["methods"][method] = {"mean_rho": float(np.mean(rho)), "min_rho": float(np.min(rho)),
                                  "noise": noise, "predicted_noise": predicted, "spread": spread,
                                  "noise_to_spread": noise / spread}
    return out


def _stability_chart(draws, summary):
    """Bars of the mean Spearman correlation between seeds: one group per draw and one for the mean."""
    plot = {"id": "valuation-noise-stability", "chart": "bars",
            "title": "Rank agreement between training seeds, by method",
            "x_label": "draw of the points", "y_label": "mean Spearman ρ", "format": ".3f",
            "categories": [f"draw {d['draw']}" for d in draws] + ["mean"],
            "series": [{"label": label, "y": [d["methods"][m]["mean_rho"] for d in draws] + [summary[m]["mean_rho"]]}
                       for m, label in METHODS.items()]}
    return {"id": plot["id"], "views": [{"label": plot["title"], "plot": plot}]}


def compute(inputs=INPUTS):
    import scipy
    import sklearn

    import datacf as dcf

    draws = [_one_draw(draw, inputs) for draw in inputs["draws"]]
    n = inputs["n"]
    summary = {}
    for method in METHODS:
        per = [d["methods"][method] for d in draws]
        summary[method] = {key: float(np.mean([p[key] for p in per]))
                           for key in ("mean_rho", "noise", "predicted_noise", "spread", "noise_to_spread")}
        summary[method]["min_rho"] = float(min(p["min_rho"] for p in per))
    beats = {f"{a}_over_{b}": sum(d["methods"][a]["mean_rho"] > d["methods"][b]["mean_rho"] for d in draws)
             for a, b in (("banzhaf", "shapley"), ("beta16", "banzhaf"), ("beta4", "banzhaf"), ("shapley", "loo"))}
    most_stable = [max(METHODS, key=lambda m: d["methods"][m]["mean_rho"]) for d in draws]
    weights = _weights(n)
    gain = {m: float(np.sqrt(np.sum(coefficients(weights[m]) ** 2))) for m in METHODS}
    sd_by_size = [float(np.mean([d["sd_by_size"][k] for d in draws])) for k in range(n + 1)]
    train, evaluation = draw_data(inputs["draws"][0], inputs)
    return {
        "schema": "datacf.measured", "version": 1, "kind": "valuation_noise",
        "inputs": inputs,
        "versions": {"datacf": dcf.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
                     "scikit-learn": sklearn.__version__},
        "n": n, "rows": 2**n, "n_eval": evaluation.n_points, "n_draws": len(draws),
        "n_seeds": len(inputs["seeds"]), "n_pairs": math.comb(len(inputs["seeds"]), 2),
        "n_grids": len(draws) * len(inputs["seeds"]),
        "max_iter": inputs["learner"]["max_iter"],
        "draws": draws, "summary": summary, "beats": beats,
        "most_stable": {m: most_stable.count(m) for m in METHODS},
        "noise_gain": gain,
        "beta16_share0": float(weights["beta16"][0]),        # C(n-1, 0) w(0): the share of k = 0
        "sd_by_size": sd_by_size, "sd_small": max(sd_by_size[:2]), "sd_max": max(sd_by_size),
        "charts": {"stability": _stability_chart(draws, summary)},
        "plots": {"sd": {
            "title": "Noise in the utility by coalition size, across training seeds",
            "description": (f"The standard deviation across {len(inputs['seeds'])} seeds of U(S), the mean "
                            "predicted probability of the right label for SGD logistic regression trained on S, "
                            f"averaged over the coalitions of each size and over {len(draws)} draws of {n} "
                            "breast-cancer points. Sizes 0 and 1 have none: the empty set and a one-class set "
                            "are filled by convention, with no training. The table below gives the numbers."),
            "x_label": "coalition size |S|", "y_label": "sd of U(S) across seeds", "y_min": 0.0,
            "series": [{"label": "sd across seeds", "kind": "line", "x": list(range(n + 1)), "y": sd_by_size}],
        }},
        "tables": {
            "stability": {
                "columns": ["method", "mean ρ", "sd of a value", "predicted sd", "spread", "sd / spread"],
                "formats": [None, ".3f", ".4f", ".4f", ".4f", ".2f"],
                "rows": [[METHODS[m], summary[m]["mean_rho"], summary[m]["noise"],
                          summary[m]["predicted_noise"], summary[m]["spread"], summary[m]["noise_to_spread"]]
                         for m in METHODS],
            },
            "draws": {
                "columns": ["draw", "points of class 1"] + [METHODS[m] for m in METHODS],
                "formats": [None, None] + [".3f"] * len(METHODS),
                "rows": [[d["draw"], d["n_class1"]] + [d["methods"][m]["mean_rho"] for m in METHODS] for d in draws],
            },
            "sd": {
                "columns": ["coalition size", "sd of U(S) across seeds"],
                "formats": [None, ".4f"],
                "rows": [[k, sd_by_size[k]] for k in range(n + 1)],
            },
        },
    }
