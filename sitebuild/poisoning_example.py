"""The "Data poisoning" page's measurement: exhaustive label-flip and feature-shift attacks.

Logistic regression on 10 standardised breast-cancer points, scored by accuracy on held-out
points. Two edit grids (``compute_grid(..., edit=...)``) train the model once for every set F
of attacked points, 1,024 rows each: one flips F's labels (``FlipLabels``), one moves F's
features (``Shift``). ``budget_curve`` reads the worst accuracy an attacker reaches with a
budget of b points, found by exhaustive search, and the mean over all sets of that size (a
random attacker). The subset grid of the same points gives leave-one-out and Shapley
values, so the attacker's chosen points can be compared with the points valuation ranks
highest.
"""
import numpy as np

from datacf._view import format_number

__all__ = ["INPUTS", "compute", "attack_data"]

INPUTS = {
    "dataset": "breast_cancer",
    "split_seed": 1,
    "n_points": 10,
    "test_from": 300,                 # points order[300:] are the held-out evaluation set
    "model": {"name": "LogisticRegression", "C": 1.0},
    "metric": "accuracy",
    "shift": 2.0,                     # every standardised feature moved by +2 standard deviations
    "compare_budgets": [1, 2, 3],
}


def attack_data(inputs=INPUTS):
    """(train, eval, model) of the measurement: the attacked points and the held-out points."""
    from sklearn.datasets import load_breast_cancer

    import datacf as dcf

    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    order = np.random.default_rng(inputs["split_seed"]).permutation(len(y))
    train, test = order[:inputs["n_points"]], order[inputs["test_from"]:]
    model = dcf.models.LogisticRegression(C=inputs["model"]["C"])
    return dcf.Dataset(X[train], y[train]), dcf.Dataset(X[test], y[test]), model


def _row(names, members):
    """Row index of the set ``members`` (point names) in the subset encoding."""
    return int(sum(1 << names.index(p) for p in members))


def _top(values, b, names):
    """The b points with the largest values (ties to the lower index), in point order."""
    chosen = np.argsort(-np.asarray(values), kind="stable")[:b]
    return tuple(names[i] for i in sorted(chosen))


def _cell(points, accuracy):
    """A table cell naming the flipped points and the accuracy left, e.g. 'AJ: 0.520'."""
    return f"{points}: {format_number(accuracy, '.3f')}"


def _spearman(a, b):
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).statistic)


def _curve(grid):
    """Worst and mean utility by budget, the worst sets' names, and how many sets tie for the worst."""
    import datacf as dcf
    from datacf._subsets import subset_sizes

    curve = dcf.budget_curve(grid)
    u = grid.utility()
    counts = subset_sizes(grid.n_points)
    tied = [int(np.sum((counts == b) & (u == curve.minimum[b]))) for b in curve.budgets]
    return {"worst": curve.minimum.tolist(), "mean": curve.mean.tolist(),
            "worst_sets": ["".join(s) for s in curve.min_sets], "n_worst_sets": tied}


def compute(inputs=INPUTS):
    import sklearn

    import datacf as dcf

    train, evaluation, model = attack_data(inputs)
    metric, names, n = inputs["metric"], list(train.names), train.n_points
    flips = dcf.compute_grid(train, model, eval=evaluation, metric=metric, edit=dcf.edits.FlipLabels())
    shifts = dcf.compute_grid(train, model, eval=evaluation, metric=metric, edit=dcf.edits.Shift(inputs["shift"]))
    subsets = dcf.compute_grid(train, model, eval=evaluation, metric=metric)
    flip, shift = _curve(flips), _curve(shifts)
    u_flip = flips.utility()
    clean = float(u_flip[0])

    loo, shapley = subsets.loo(), subsets.shapley()
    damage = clean - u_flip[1 << np.arange(n)]           # accuracy lost by flipping one point alone
    comparisons = []
    for b in inputs["compare_budgets"]:
        attacker = tuple(flip["worst_sets"][b])
        by = {"loo": _top(loo, b, names), "shapley": _top(shapley, b, names), "damage": _top(damage, b, names)}
        comparisons.append({
            "budget": b, "attacker": "".join(attacker), "n_worst_sets": flip["n_worst_sets"][b],
            "worst": flip["worst"][b],
            **{f"top_{k}": "".join(v) for k, v in by.items()},
            **{f"overlap_{k}": len(set(v) & set(attacker)) for k, v in by.items()},
            **{f"accuracy_{k}": float(u_flip[_row(names, v)]) for k, v in by.items()},
        })
    first = comparisons[0]
    best_shift = int(np.nanargmin(shift["worst"]))
    points = {"names": names, "labels": train.y.tolist(), "loo": loo.tolist(), "shapley": shapley.tolist(),
              "flip_damage": damage.tolist()}
    budgets = list(range(n + 1))
    curve_plot = {
        "title": "Worst accuracy an attacker reaches with b points, by exhaustive search",
        "description": ("For each budget b, the lowest held-out accuracy over every set of b attacked points: "
                        "labels flipped (solid), features shifted (points), and the mean over all sets of b flipped "
                        "points, a random attacker (dashed). The table below gives the numbers."),
        "x_label": "attacked points b", "y_label": "held-out accuracy",
        "series": [
            {"label": "flip labels: worst case", "kind": "line", "x": budgets, "y": flip["worst"]},
            {"label": "flip labels: random set (mean)", "kind": "dashed", "x": budgets, "y": flip["mean"]},
            {"label": f"shift features by {inputs['shift']:+g}: worst case", "kind": "points", "x": budgets,
             "y": shift["worst"], "low": shift["worst"], "high": shift["worst"]},
        ],
        "y_min": 0.0,
    }
    return {
        "schema": "datacf.measured", "version": 1, "kind": "poisoning",
        "inputs": inputs,
        "versions": {"datacf": dcf.__version__, "numpy": np.__version__, "scikit-learn": sklearn.__version__},
        "n_points": n, "n_rows": int(u_flip.size), "n_eval": evaluation.n_points,
        "n_class0": int(np.sum(train.y == 0)), "n_class1": int(np.sum(train.y == 1)),
        "clean": clean,
        "flip": {**flip, "one": flip["worst"][1], "one_drop": clean - flip["worst"][1],
                 "two": flip["worst"][2], "half": flip["worst"][n // 2], "half_mean": flip["mean"][n // 2],
                 "all": flip["worst"][n]},
        "shift": {**shift, "delta": inputs["shift"], "one": shift["worst"][1], "lowest": shift["worst"][best_shift],
                  "lowest_budget": best_shift, "all": shift["worst"][n]},
        "points": points,
        "comparisons": comparisons,
        "first": first,
        "spearman": {"loo": _spearman(damage, loo), "shapley": _spearman(damage, shapley)},
        "plots": {"curve": curve_plot},
        "tables": {
            "curve": {
                "columns": ["attacked points b", "worst accuracy, flips", "attacked set", "mean accuracy, flips",
                            f"worst accuracy, shift {inputs['shift']:+g}", "attacked set (shift)"],
                "formats": [None, ".3f", None, ".3f", ".3f", None],
                "rows": [[b, flip["worst"][b], flip["worst_sets"][b] or "∅", flip["mean"][b], shift["worst"][b],
                          shift["worst_sets"][b] or "∅"] for b in budgets],
            },
            "points": {
                "columns": ["point", "label", "accuracy lost by flipping it alone", "leave-one-out", "Shapley"],
                "formats": [None, None, ".3f", "+.3f", "+.3f"],
                "rows": [[names[i], int(train.y[i]), float(damage[i]), float(loo[i]), float(shapley[i])]
                         for i in range(n)],
            },
            "compare": {
                "columns": ["points flipped", *[f"b = {c['budget']}" for c in comparisons]],
                "formats": [None] * (1 + len(comparisons)),
                "rows": [
                    ["the attacker's worst set", *[_cell(c["attacker"], c["worst"]) for c in comparisons]],
                    ["top b by leave-one-out", *[_cell(c["top_loo"], c["accuracy_loo"]) for c in comparisons]],
                    ["top b by Shapley", *[_cell(c["top_shapley"], c["accuracy_shapley"]) for c in comparisons]],
                    ["a random set (mean)", *[format_number(flip["mean"][c["budget"]], ".3f") for c in comparisons]],
                ],
            },
        },
    }
