"""The "Data valuation" page's exact readings: axioms, Beta Shapley, interactions, KNN-Shapley,
the regression views and the least core, each read from a real grid.

The page's examples (``docs/examples.toml``; their declarations are part of ``INPUTS``, so a
change to one recomputes this measurement) are near_duplicates_knn (five points, two of them
near-duplicates, one-nearest-neighbour), four_points_knn_accuracy (one-nearest-neighbour scored
by accuracy, where two points are null players at column C), xor_logistic (four interchangeable
points) and mislabelled_logistic (eight points, one mislabelled). KNN-Shapley is checked on
the mislabelled points: for K = 1 against the grid of ``KNN(k=1)`` with ``convention="zero"``,
which is exactly the game of Jia et al. (2019), and for K = 3 against that game written out on
every subset, next to the "global K neighbours restricted to S" game the closed form does not solve.
"""
import math
from pathlib import Path

import numpy as np

__all__ = ["INPUTS", "compute", "example_grid", "mean_gain_by_size", "knn_games", "subset_names"]

_DOCS = Path(__file__).resolve().parent.parent / "docs"
_EXAMPLES = ("near_duplicates_knn", "four_points_knn_accuracy", "xor_logistic", "mislabelled_logistic")


def _example_specs():
    from .examples import load_examples

    examples = load_examples(_DOCS / "examples.toml")
    return {name: examples[name].spec for name in _EXAMPLES}


INPUTS = {
    "examples": _example_specs(),
    "main": "near_duplicates_knn",          # axioms, Beta, interactions, least core
    "symmetric_pair": ["B", "C"],           # near-duplicates: interchangeable in every row
    "lookalike_pair": ["B", "D"],           # equal Shapley and Banzhaf values, not interchangeable
    "null": {"example": "four_points_knn_accuracy", "focus": "C"},
    "zero_sum": "xor_logistic",
    "regression": "mislabelled_logistic",
    "beta": [[16, 1], [4, 1]],
    "knn": {"dataset": "mislabelled", "k": [1, 3]},
    "tol": 1e-12,                           # "exactly equal": within rounding of sums of a few hundred terms
}
_READINGS = ("loo", "shapley", "banzhaf", "beta16", "beta4")


def example_grid(name, inputs=INPUTS):
    """The grid of one of the page's examples, computed now from its declaration in ``inputs``."""
    from .examples import Example

    return Example(name, inputs["examples"][name]).compute()


def subset_names(grid, rows):
    from datacf._subsets import subset_name

    return [subset_name(int(r), grid.point_names) for r in rows]


def mean_gain_by_size(grid, focus=None):
    """(n, n) array: [i, k] = mean of U(S ∪ {i}) - U(S) over the C(n-1, k) coalitions S of size k without i.

    Each is a semivalue with all its weight on one size, so every semivalue is the sum over k of
    its share C(n-1, k) w(k) times this mean gain.
    """
    n = grid.n_points
    columns = []
    for k in range(n):
        weights = np.zeros(n)
        weights[k] = 1.0 / math.comb(n - 1, k)
        columns.append(grid.semivalue(weights, focus))
    return np.stack(columns, axis=1)


def _readings(grid, inputs, focus=None):
    (a1, b1), (a2, b2) = inputs["beta"]
    return {"loo": grid.loo(focus), "shapley": grid.shapley(focus), "banzhaf": grid.banzhaf(focus),
            "beta16": grid.beta_shapley(a1, b1, focus), "beta4": grid.beta_shapley(a2, b2, focus)}


def _gaps(grid, i, j, focus=None):
    """U(S ∪ {i}) - U(S ∪ {j}) over every S holding neither, with S's names."""
    u, n = grid.utility(focus), grid.n_points
    rows = np.array([r for r in range(2**n) if not (r >> i) & 1 and not (r >> j) & 1])
    return rows, u[rows | (1 << i)] - u[rows | (1 << j)]


def _marginals(grid, i, focus=None):
    u, n = grid.utility(focus), grid.n_points
    rows = np.array([r for r in range(2**n) if not (r >> i) & 1])
    return u[rows | (1 << i)] - u[rows]


def _axioms(inputs):
    grid = example_grid(inputs["main"], inputs)
    names, u = list(grid.point_names), grid.utility()
    values = _readings(grid, inputs)
    sym_i, sym_j = (names.index(p) for p in inputs["symmetric_pair"])
    look_i, look_j = (names.index(p) for p in inputs["lookalike_pair"])
    _, sym_gaps = _gaps(grid, sym_i, sym_j)
    look_rows, look_gaps = _gaps(grid, look_i, look_j)
    first = int(np.argmax(np.abs(look_gaps) > inputs["tol"]))

    null = inputs["null"]
    null_grid = example_grid(null["example"], inputs)
    focus = null["focus"]
    null_values = _readings(null_grid, inputs, focus)
    gains = {p: _marginals(null_grid, k, focus) for k, p in enumerate(null_grid.point_names)}
    null_points = [p for p, g in gains.items() if np.all(np.abs(g) <= inputs["tol"])]

    zero = example_grid(inputs["zero_sum"], inputs)
    zero_u = zero.utility()
    zero_gains = np.concatenate([_marginals(zero, k) for k in range(zero.n_points)])
    pair = "".join(inputs["symmetric_pair"])
    return {
        "example": inputs["main"], "n": grid.n_points,
        "u_full": float(u[-1]), "u_empty": float(u[0]), "u_gain": float(u[-1] - u[0]),
        "sums": {key: float(v.sum()) for key, v in values.items()},
        "values": {key: {p: float(v[k]) for k, p in enumerate(names)} for key, v in values.items()},
        "symmetric": {"pair": pair, "coalitions": len(sym_gaps), "max_gap": float(np.abs(sym_gaps).max())},
        "lookalike": {"pair": "".join(inputs["lookalike_pair"]), "coalitions": len(look_gaps),
                      "unequal_coalitions": int((np.abs(look_gaps) > inputs["tol"]).sum()),
                      "max_gap": float(np.abs(look_gaps).max()),
                      "first_row": subset_names(grid, [look_rows[first]])[0], "first_gap": float(look_gaps[first])},
        "null": {"example": null["example"], "focus": focus, "points": "".join(null_points),
                 "n_null": len(null_points), "coalitions": 2**(null_grid.n_points - 1),
                 "values": {key: {p: float(v[k]) for k, p in enumerate(null_grid.point_names)}
                            for key, v in null_values.items()},
                 "max_abs_value": float(max(np.abs(v[[null_grid.point_names.index(p) for p in null_points]]).max()
                                            for v in null_values.values())),
                 "others_min_abs_shapley": float(min(abs(null_values["shapley"][k])
                                                     for k, p in enumerate(null_grid.point_names)
                                                     if p not in null_points))},
        "zero_sum": {"example": inputs["zero_sum"], "u_full": float(zero_u[-1]), "u_empty": float(zero_u[0]),
                     "max_abs_shapley": float(np.abs(zero.shapley()).max()),
                     "gain_min": float(zero_gains.min()), "gain_max": float(zero_gains.max())},
    }


def _beta(inputs):
    from datacf._semivalues import beta_weights

    grid = example_grid(inputs["main"], inputs)
    names, n = list(grid.point_names), grid.n_points
    gains = mean_gain_by_size(grid)
    values = _readings(grid, inputs)
    shares = {}
    for alpha, beta in inputs["beta"]:
        w = beta_weights(n, alpha, beta)
        shares[f"beta{alpha}"] = [math.comb(n - 1, k) * float(w[k]) for k in range(n)]
    negative = [p for k, p in enumerate(names) if values["beta16"][k] < 0]

    mis = example_grid(inputs["regression"], inputs)
    mis_values = _readings(mis, inputs)
    low = int(np.argmin(mis_values["shapley"]))
    mis_gains = mean_gain_by_size(mis)[low]
    w16 = beta_weights(mis.n_points, *inputs["beta"][0])
    return {
        "example": inputs["main"], "n": n,
        "shares": shares, "share0_16": shares["beta16"][0], "share01_16": shares["beta16"][0] + shares["beta16"][1],
        "shapley_share": 1.0 / n,
        "gains": {p: [float(g) for g in gains[k]] for k, p in enumerate(names)},
        "negative": "".join(negative), "n_negative": len(negative),
        "mislabelled": {"example": inputs["regression"], "point": mis.point_names[low],
                        "shapley": float(mis_values["shapley"][low]), "beta16": float(mis_values["beta16"][low]),
                        "gain0": float(mis_gains[0]), "share0_16": float(w16[0]),
                        "u_empty": float(mis.utility()[0]), "u_alone": float(mis.utility()[1 << low]),
                        "lowest_beta16": mis.point_names[int(np.argmin(mis_values["beta16"]))]},
        "chart": {"id": "valuation-gains", "views": [{"label": "mean marginal gain", "plot": {
            "id": "valuation-gains", "chart": "bars", "title": "Mean marginal gain of each point, by coalition size",
            "x_label": "coalition size k (points already in S)", "y_label": "mean marginal gain", "format": "+.3f",
            "categories": [f"k = {k}" for k in range(n)],
            "series": [{"label": p, "y": [float(g) for g in gains[k]]} for k, p in enumerate(names)]}}]},
        "table": {
            "columns": ["point", "Shapley", "Banzhaf", "Beta(4, 1)", "Beta(16, 1)", "LOO"],
            "formats": [None] + ["+.3f"] * 5,
            "rows": [[p] + [float(values[key][k]) for key in ("shapley", "banzhaf", "beta4", "beta16", "loo")]
                     for k, p in enumerate(names)],
        },
    }


def _interactions(inputs):
    grid = example_grid(inputs["main"], inputs)
    names = list(grid.point_names)
    pairs = {a + b: grid.interaction(a, b) for k, a in enumerate(names) for b in names[k + 1:]}
    low, high = min(pairs, key=pairs.get), max(pairs, key=pairs.get)
    twins = "".join(inputs["symmetric_pair"])
    return {
        "example": inputs["main"], "pairs": pairs,
        "twins": twins, "twins_value": pairs[twins],
        "most_negative": low, "most_negative_value": pairs[low],
        "most_positive": high, "most_positive_value": pairs[high],
        "twins_loo": [float(grid.loo()[names.index(p)]) for p in twins],
        "twins_group_loo": float(grid.group_loo(twins)),
        "table": {"columns": ["point"] + names, "formats": [None] + ["+.3f"] * len(names),
                  "rows": [[a] + [pairs["".join(sorted(a + b))] if a != b else "·" for b in names] for a in names]},
    }


def knn_games(train, test, k):
    """(Jia et al.'s game, the "global K restricted to S" game) on every subset, each (2**n, n_test).

    Jia et al. (2019): (1/K) times the matching labels among the min(K, |S|) nearest members of S.
    The other: (1/K) times the matching labels among the members of S that are among the K
    nearest points of the whole training set. Distance ties go to the lower index.
    """
    n = train.n_points
    jia, restricted = np.zeros((2**n, test.n_points)), np.zeros((2**n, test.n_points))
    for t, (x, y) in enumerate(zip(test.X, test.y)):
        order = np.argsort(((train.X - x) ** 2).sum(axis=1), kind="stable")
        match = train.y[order] == y
        global_k = set(order[:k].tolist())
        for row in range(1, 2**n):
            inside = [(r, i) for r, i in enumerate(order) if (row >> i) & 1]
            jia[row, t] = sum(match[r] for r, _ in inside[:k]) / k
            restricted[row, t] = sum(match[r] for r, i in inside if i in global_k) / k
    return jia, restricted


def _knn(inputs):
    import datacf as dcf

    train = dcf.toy_dataset(inputs["knn"]["dataset"])
    names = list(train.names)
    k1, k3 = inputs["knn"]["k"]
    closed1 = dcf.knn_shapley(train, train, k1)
    grid1 = dcf.compute_grid(train, dcf.models.KNN(k=k1), convention="zero")
    brute1 = grid1.shapley()
    closed3 = dcf.knn_shapley(train, train, k3)
    jia, restricted = knn_games(train, train, k3)
    brute3, trap3 = dcf.Grid(jia).shapley(), dcf.Grid(restricted).shapley()
    gap = np.abs(trap3 - closed3)
    worst = int(np.argmax(gap))
    return {
        "dataset": inputs["knn"]["dataset"], "n": train.n_points, "k1": k1, "k3": k3,
        "max_diff_k1": float(np.abs(closed1 - brute1).max()), "max_diff_k3": float(np.abs(closed3 - brute3).max()),
        "max_diff_k1_text": f"{np.abs(closed1 - brute1).max():.1e}", "max_diff_k3_text": f"{np.abs(closed3 - brute3).max():.1e}",
        "trap_max_gap": float(gap.max()), "trap_point": names[worst],
        "trap_point_closed": float(closed3[worst]), "trap_point_trap": float(trap3[worst]),
        "trap_zero_points": "".join(p for k, p in enumerate(names) if abs(trap3[k]) <= inputs["tol"]),
        "closed_zero_points": "".join(p for k, p in enumerate(names) if abs(closed3[k]) <= inputs["tol"]),
        "closed_sum": float(closed3.sum()), "trap_sum": float(trap3.sum()),
        "u_full": float(jia[-1].mean()),
        "chart": {"id": "valuation-knn-trap", "views": [{"label": "KNN-Shapley", "plot": {
            "id": "valuation-knn-trap", "chart": "bars",
            "title": f"KNN-Shapley values (K = {k3}) of two games on the mislabelled points",
            "x_label": "point", "y_label": "Shapley value", "format": ".3f", "categories": names,
            "series": [{"label": "closed form", "y": [float(v) for v in closed3]},
                       {"label": "brute force", "y": [float(v) for v in brute3]},
                       {"label": f"global {k3} restricted to S", "y": [float(v) for v in trap3]}]}}]},
        "table": {
            "columns": ["point", f"K = {k1}: closed form", f"K = {k1}: grid", f"K = {k3}: closed form",
                       f"K = {k3}: brute force", f"K = {k3}: restricted game"],
            "formats": [None, ".6f", ".6f", ".6f", ".6f", ".6f"],
            "rows": [[p, float(closed1[k]), float(brute1[k]), float(closed3[k]), float(brute3[k]), float(trap3[k])]
                     for k, p in enumerate(names)],
        },
    }


def _regression(inputs):
    grid = example_grid(inputs["regression"], inputs)
    names = list(grid.point_names)
    direct = {"banzhaf": grid.banzhaf(), "shapley": grid.shapley()}
    fitted = {key: grid.datamodel(weights=key) for key in direct}
    diffs = {key: float(np.abs(fitted[key] - direct[key]).max()) for key in direct}
    return {
        "example": inputs["regression"], "n": grid.n_points, "rows": 2**grid.n_points,
        "max_diff": diffs, "max_diff_text": {key: f"{d:.1e}" for key, d in diffs.items()},
        "table": {
            "columns": ["point", "banzhaf()", 'datamodel("banzhaf")', "shapley()", 'datamodel("shapley")'],
            "formats": [None, "+.6f", "+.6f", "+.6f", "+.6f"],
            "rows": [[p, float(direct["banzhaf"][k]), float(fitted["banzhaf"][k]), float(direct["shapley"][k]),
                      float(fitted["shapley"][k])] for k, p in enumerate(names)],
        },
    }


def _tight(grid, payoff, e, tol):
    """Names of the non-empty proper coalitions whose constraint x(S) + e >= U(S) holds with equality."""
    n, u = grid.n_points, grid.utility()
    rows = np.arange(1, 2**n - 1)
    members = (rows[:, None] >> np.arange(n)) & 1
    slack = members @ payoff + e - u[rows]
    return subset_names(grid, rows[np.abs(slack) <= tol])


def _least_core(inputs):
    import datacf as dcf

    grid = example_grid(inputs["main"], inputs)
    names, u, n = list(grid.point_names), grid.utility(), grid.n_points
    core = grid.least_core()
    shifted_grid = dcf.Grid(grid.values - grid.values[0], point_names=grid.point_names)
    shifted = shifted_grid.least_core()
    shapley = grid.shapley()
    tight = _tight(grid, core.payoff, core.e, 1e-6)
    shifted_tight = _tight(shifted_grid, shifted.payoff, shifted.e, 1e-6)
    singles = [name for name in tight if len(name) == 1]
    return {
        "example": inputs["main"], "e": float(core.e), "payoff_sum": float(core.payoff.sum()),
        "u_full": float(u[-1]), "u_empty": float(u[0]), "shapley_sum": float(shapley.sum()),
        "payoff": {p: float(core.payoff[k]) for k, p in enumerate(names)},
        "tight": ", ".join(tight), "n_tight": len(tight), "tight_singletons": "".join(singles),
        "singleton_min": float(min(u[1 << k] for k in range(n))),
        "shifted": {"e": float(shifted.e), "payoff_sum": float(shifted.payoff.sum()),
                    "payoff": {p: float(shifted.payoff[k]) for k, p in enumerate(names)},
                    "tight": ", ".join(shifted_tight)},
        "table": {
            "columns": ["point", "Shapley", "least core, v(S) = U(S)", "least core, v(S) = U(S) − U(∅)"],
            "formats": [None, "+.3f", "+.3f", "+.3f"],
            "rows": [[p, float(shapley[k]), float(core.payoff[k]), float(shifted.payoff[k])]
                     for k, p in enumerate(names)]
                    + [["sum", float(shapley.sum()), float(core.payoff.sum()), float(shifted.payoff.sum())],
                       ["e*", "", float(core.e), float(shifted.e)]],
        },
    }


def _split(section, keys):
    """A section without its chart and table entries (those go under the document's charts and tables)."""
    return {key: value for key, value in section.items() if key not in keys}


def compute(inputs=INPUTS):
    import scipy
    import sklearn

    import datacf as dcf

    beta, interactions, knn = _beta(inputs), _interactions(inputs), _knn(inputs)
    regression, core = _regression(inputs), _least_core(inputs)
    return {
        "schema": "datacf.measured", "version": 1, "kind": "valuation",
        "inputs": inputs,
        "versions": {"datacf": dcf.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
                     "scikit-learn": sklearn.__version__},
        "axioms": _axioms(inputs),
        "beta": _split(beta, ("chart", "table")),
        "interactions": _split(interactions, ("table",)),
        "knn": _split(knn, ("table", "chart")),
        "regression": _split(regression, ("table",)),
        "least_core": _split(core, ("table",)),
        "charts": {"gains": beta["chart"], "knn": knn["chart"]},
        "tables": {"values": beta["table"], "interactions": interactions["table"],
                   "knn": knn["table"], "regression": regression["table"], "least_core": core["table"]},
    }
