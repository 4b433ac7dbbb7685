"""The "Influence functions against the truth" page's measurement: two approximations of leave-one-out.

For each case (a toy dataset, datacf's logistic regression with a given C, and the groups of
a given size that are removed), the exact effect of removing a group G comes from the grid:
``values[N minus G] - values[N]`` at every evaluation column, and its mean over the columns is
minus the (group) leave-one-out value U(N) - U(N minus G). ``datacf.influence`` estimates the
same effects by the first-order influence function (``method="influence"``) and by one Newton
step (``method="newton"``). The document holds, per case, the three leave-one-out values of
every group (the scatter the page draws), and the largest errors over the groups and over
the single cells, so the page can say where each approximation breaks.

Groups that would leave a single class are skipped: the grid scores such a row by its
one-class convention (certainty), which no optimum reaches.
"""
import itertools

import numpy as np

__all__ = ["INPUTS", "compute", "case_groups", "case_data", "CHART_ID"]

CHART_ID = "influence-scatter"

INPUTS = {
    "metric": "prob_correct",
    "format": "+.3f",
    "cases": [
        {"key": "strong", "label": "mislabelled, C = 0.1, one point at a time",
         "dataset": "mislabelled", "C": 0.1, "group_size": 1},
        {"key": "groups", "label": "mislabelled, C = 0.1, groups of three",
         "dataset": "mislabelled", "C": 0.1, "group_size": 3},
        {"key": "pairs", "label": "near-duplicates, C = 1, pairs",
         "dataset": "near_duplicates", "C": 1.0, "group_size": 2},
        {"key": "outlier", "label": "outlier, C = 0.1, one point at a time",
         "dataset": "outlier", "C": 0.1, "group_size": 1},
        {"key": "separable", "label": "four points, C = 100, one point at a time",
         "dataset": "four_points", "C": 100.0, "group_size": 1},
    ],
}


def case_data(case):
    """(train, model, grid) of one case."""
    import datacf as dcf

    train = dcf.toy_dataset(case["dataset"])
    model = dcf.models.LogisticRegression(C=case["C"])
    return train, model, dcf.compute_grid(train, model, metric=INPUTS["metric"])


def case_groups(train, size):
    """Every group of ``size`` points, by index, whose removal leaves both classes."""
    labels = np.asarray(train.y)
    groups = []
    for group in itertools.combinations(range(train.n_points), size):
        left = np.delete(labels, group)
        if np.unique(left).size == 2:
            groups.append(list(group))
    return groups


def _name(train, group):
    names = [train.names[i] for i in group]
    return "".join(names) if all(len(n) == 1 for n in names) else ",".join(names)


def _case(case, fmt):
    import datacf as dcf

    train, model, grid = case_data(case)
    groups = case_groups(train, case["group_size"])
    full = grid.values.shape[0] - 1
    rows = [full & ~sum(1 << i for i in group) for group in groups]
    truth = grid.values[rows] - grid.values[full]                       # (n_groups, n_eval)
    estimates = {method: dcf.influence(train, model, metric=INPUTS["metric"], method=method, groups=groups)
                 for method in ("influence", "newton")}
    utility = grid.utility()
    loo = {"exact": utility[full] - utility[rows]}
    loo.update({method: -estimate.mean(axis=1) for method, estimate in estimates.items()})
    names = [_name(train, g) for g in groups]
    errors = {method: np.abs(loo[method] - loo["exact"]) for method in estimates}
    cell_errors = {method: np.abs(estimate - truth) for method, estimate in estimates.items()}
    worst = {method: int(np.argmax(errors[method])) for method in estimates}
    what = "leave-one-out value" if case["group_size"] == 1 else "group leave-one-out value"
    plot = {"id": f"{CHART_ID}-{case['key']}", "chart": "scatter",
            "title": f"Estimated against exact {what}: {case['label']}",
            "x_label": f"exact {what} (grid)", "y_label": "estimate", "format": fmt,
            "names": names, "x": [float(v) for v in loo["exact"]], "identity": True,
            "series": [{"label": "first-order influence", "y": [float(v) for v in loo["influence"]]},
                       {"label": "Newton step", "y": [float(v) for v in loo["newton"]]}]}
    summary = {
        "label": case["label"], "dataset": case["dataset"], "C": case["C"], "group_size": case["group_size"],
        "n_points": train.n_points, "n_groups": len(groups), "n_eval": int(truth.shape[1]),
        "names": names,
        "loo": {key: [float(v) for v in values] for key, values in loo.items()},
        "max_abs_loo": float(np.abs(loo["exact"]).max()),
        "max_abs_cell": float(np.abs(truth).max()),
        "rank_exact_top": names[int(np.argmax(loo["exact"]))],
    }
    for method, short in (("influence", "first_order"), ("newton", "newton")):
        summary[short] = {
            "max_error": float(errors[method].max()),
            "relative_error": float(errors[method].max() / np.abs(loo["exact"]).max()),
            "max_cell_error": float(cell_errors[method].max()),
            "worst": names[worst[method]], "worst_exact": float(loo["exact"][worst[method]]),
            "worst_estimate": float(loo[method][worst[method]]),
            "top": names[int(np.argmax(loo[method]))],
        }
    moved = {method: dcf.unlearn(train, model, groups=[groups[worst["newton"]]], method=method)
             for method in ("exact", "newton", "influence")}
    summary["newton"]["worst_moves"] = {method: float(np.linalg.norm(result.removed[0] - result.full))
                                        for method, result in moved.items()}
    members = groups[worst["influence"]]
    summary["first_order"]["worst_members_exact_sum"] = float(sum(utility[full] - utility[full & ~(1 << i)]
                                                                  for i in members))
    return summary, plot


def compute(inputs=INPUTS):
    """The measurement document (plain JSON data)."""
    import sklearn

    import datacf as dcf

    fmt = inputs["format"]
    cases, charts = {}, {}
    for case in inputs["cases"]:
        summary, plot = _case(case, fmt)
        cases[case["key"]] = summary
        charts[case["key"]] = {"id": plot["id"], "views": [{"label": case["label"], "plot": plot}]}
    columns = ["case", "groups", "largest |exact value|", "first-order: largest error", "Newton: largest error"]
    rows = [[c["label"], c["n_groups"], c["max_abs_loo"], c["first_order"]["max_error"], c["newton"]["max_error"]]
            for c in cases.values()]
    return {
        "schema": "datacf.measured", "version": 1, "kind": "influence",
        "inputs": inputs,
        "versions": {"datacf": dcf.__version__, "numpy": np.__version__, "scikit-learn": sklearn.__version__},
        "cases": cases,
        "charts": charts,
        "tables": {"summary": {"columns": columns, "formats": [None, None] + [".3f"] * 3, "rows": rows}},
    }
