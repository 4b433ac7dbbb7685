"""The "From exact to sampled" page's measurement: estimators against an exact grid, then a big pool.

Part 1: logistic regression on 12 breast-cancer points (4,096 rows, small enough to compute
exactly), scored on held-out points. Permutation Shapley and MSR Banzhaf
(``datacf.estimate``) are run at growing budgets of utility evaluations, with several seeds,
and compared with the exact ``Grid.shapley()`` and ``Grid.banzhaf()``: the error, the
standard error each estimator reports, and how often its 95% interval covers the truth.

Part 2: the same estimators on a pool of 200 points with 10 labels flipped, at one budget:
which points come out lowest, and how many intervals exclude zero.
"""
import numpy as np

__all__ = ["INPUTS", "compute"]

INPUTS = {
    "dataset": "breast_cancer",
    "split_seed": 1,
    "n_small": 12,
    "test_from": 300,                 # points order[300:] are the held-out evaluation set
    "model": {"name": "LogisticRegression", "C": 1.0},
    "metric": "prob_correct",
    "budgets": [100, 300, 1000, 3000],
    "seeds": [0, 1, 2],
    "n_pool": 200,
    "n_flipped": 10,
    "pool_budget": 2000,
    "pool_seed": 0,
    "z": 1.96,
}


def _data(inputs):
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    order = np.random.default_rng(inputs["split_seed"]).permutation(len(y))
    return X, y, order


def small_grid(inputs=INPUTS):
    """(train, eval, exact Grid) of the small part."""
    import datacf as dcf

    X, y, order = _data(inputs)
    small, test = order[:inputs["n_small"]], order[inputs["test_from"]:]
    train, evaluation = dcf.Dataset(X[small], y[small]), dcf.Dataset(X[test], y[test])
    model = dcf.models.LogisticRegression(C=inputs["model"]["C"])
    return train, evaluation, dcf.compute_grid(train, model, eval=evaluation, metric=inputs["metric"])


def pool_data(inputs=INPUTS):
    """(pool with flipped labels, eval, indices of the flipped points)."""
    import datacf as dcf

    X, y, order = _data(inputs)
    pool, test = order[:inputs["n_pool"]], order[inputs["test_from"]:]
    labels = y[pool].copy()
    flipped = np.arange(inputs["n_flipped"])
    labels[flipped] = 1 - labels[flipped]
    return dcf.Dataset(X[pool], labels), dcf.Dataset(X[test], y[test]), flipped


def _run(train, evaluation, model, method, budget, seed, metric):
    import datacf as dcf
    from datacf import estimate

    n = train.n_points
    if method == "permutation_shapley":
        sampler = dcf.samplers.Permutations(max(1, (budget - 2) // (n - 1)))
    else:
        sampler = dcf.samplers.Uniform(budget)
    grid = dcf.sample_grid(train, model, eval=evaluation, metric=metric, sampler=sampler, rng=seed)
    return getattr(estimate, method)(grid)


def compute(inputs=INPUTS):
    import sklearn

    import datacf as dcf

    z = inputs["z"]
    train, evaluation, exact = small_grid(inputs)
    model = dcf.models.LogisticRegression(C=inputs["model"]["C"])
    truth = {"permutation_shapley": exact.shapley(), "msr_banzhaf": exact.banzhaf()}
    names = {"permutation_shapley": "permutation Shapley", "msr_banzhaf": "MSR Banzhaf"}
    focus_point = int(np.argmax(truth["permutation_shapley"]))
    convergence, rows, one_point = {}, [], {m: [] for m in truth}
    for method, exact_values in truth.items():
        per_budget = []
        for budget in inputs["budgets"]:
            errors, stderrs, covered, used = [], [], [], []
            for seed in inputs["seeds"]:
                result = _run(train, evaluation, model, method, budget, seed, inputs["metric"])
                errors.append(float(np.sqrt(np.mean((result.values - exact_values) ** 2))))
                stderrs.append(float(np.mean(result.stderr)))
                covered.append(float(np.mean(np.abs(result.values - exact_values) <= z * result.stderr)))
                used.append(result.n_evaluations)
                if seed == inputs["seeds"][0]:
                    one_point[method].append((result.n_evaluations, float(result.values[focus_point]),
                                              float(result.stderr[focus_point])))
            entry = {"budget": budget, "evaluations": int(np.median(used)), "rmse": float(np.median(errors)),
                     "mean_stderr": float(np.median(stderrs)), "coverage": float(np.mean(covered))}
            per_budget.append(entry)
            rows.append([names[method], entry["evaluations"], entry["rmse"], entry["mean_stderr"], entry["coverage"]])
        convergence[method] = {"per_budget": per_budget, "first": per_budget[0], "last": per_budget[-1],
                               "error_ratio": per_budget[0]["rmse"] / per_budget[-1]["rmse"]}

    # Part 2: a pool of hundreds, flipped labels.
    pool, pool_eval, flipped = pool_data(inputs)
    big = {}
    for method in truth:
        result = _run(pool, pool_eval, model, method, inputs["pool_budget"], inputs["pool_seed"], inputs["metric"])
        low, high = result.interval(z)
        lowest = np.argsort(result.values, kind="stable")[:inputs["n_flipped"]]
        big[method] = {
            "evaluations": result.n_evaluations,
            "flipped_in_lowest": int(np.isin(flipped, lowest).sum()),
            "flipped_below_zero": int((high[flipped] < 0).sum()),
            "below_zero": int((high < 0).sum()), "above_zero": int((low > 0).sum()),
            "max_stderr": float(result.stderr.max()), "median_stderr": float(np.median(result.stderr)),
            "value_range": float(result.values.max() - result.values.min()),
            "relative_stderr": float(np.median(result.stderr) / (result.values.max() - result.values.min())),
        }

    exact_value = float(truth["permutation_shapley"][focus_point])
    point_plot = {
        "title": f"Permutation Shapley estimate of point {train.names[focus_point]} against its exact value",
        "description": (f"The estimate of point {train.names[focus_point]}'s Shapley value with its 95% interval "
                        f"(seed {inputs['seeds'][0]}) at each budget of utility evaluations, and the exact value "
                        "from the full grid as a horizontal line. The table below gives the numbers."),
        "x_label": "utility evaluations (log scale)", "y_label": "Shapley value", "log_x": True,
        "series": [
            {"label": "exact value", "kind": "dashed", "x": [p[0] for p in one_point["permutation_shapley"]],
             "y": [exact_value] * len(inputs["budgets"])},
            {"label": "estimate, 95% interval", "kind": "points",
             "x": [p[0] for p in one_point["permutation_shapley"]],
             "y": [p[1] for p in one_point["permutation_shapley"]],
             "low": [p[1] - z * p[2] for p in one_point["permutation_shapley"]],
             "high": [p[1] + z * p[2] for p in one_point["permutation_shapley"]]},
        ],
    }
    rmse_plot = {
        "title": "Error of the estimates against the exact values, by budget",
        "description": ("Root-mean-square error over the points (median over seeds) of permutation Shapley "
                        "(solid) and MSR Banzhaf (dashed) against the exact grid, with the mean standard error "
                        "each reported as a band. The table below gives the numbers."),
        "x_label": "utility evaluations (log scale)", "y_label": "RMS error vs exact", "log_x": True,
        "series": [
            {"label": "permutation Shapley", "kind": "line",
             "x": [e["evaluations"] for e in convergence["permutation_shapley"]["per_budget"]],
             "y": [e["rmse"] for e in convergence["permutation_shapley"]["per_budget"]]},
            {"label": "MSR Banzhaf", "kind": "dashed",
             "x": [e["evaluations"] for e in convergence["msr_banzhaf"]["per_budget"]],
             "y": [e["rmse"] for e in convergence["msr_banzhaf"]["per_budget"]]},
            {"label": "reported stderr (Shapley)", "kind": "points",
             "x": [e["evaluations"] for e in convergence["permutation_shapley"]["per_budget"]],
             "y": [e["mean_stderr"] for e in convergence["permutation_shapley"]["per_budget"]]},
        ],
        "y_min": 0.0,
    }
    return {
        "schema": "datacf.measured", "version": 1, "kind": "sampled",
        "inputs": inputs,
        "versions": {"datacf": dcf.__version__, "numpy": np.__version__, "scikit-learn": sklearn.__version__},
        "n_small": train.n_points, "exact_rows": int(exact.values.shape[0]), "n_eval": evaluation.n_points,
        "n_seeds": len(inputs["seeds"]),
        "budget_ratio": inputs["budgets"][-1] / inputs["budgets"][0],
        "sqrt_budget_ratio": (inputs["budgets"][-1] / inputs["budgets"][0]) ** 0.5,
        "first_budget": inputs["budgets"][0], "last_budget": inputs["budgets"][-1],
        "focus_point": train.names[focus_point], "focus_exact": exact_value,
        "focus_first": {"evaluations": one_point["permutation_shapley"][0][0],
                        "estimate": one_point["permutation_shapley"][0][1],
                        "stderr": one_point["permutation_shapley"][0][2]},
        "focus_last": {"evaluations": one_point["permutation_shapley"][-1][0],
                       "estimate": one_point["permutation_shapley"][-1][1],
                       "stderr": one_point["permutation_shapley"][-1][2]},
        "convergence": convergence,
        "pool": {"n_points": pool.n_points, "n_flipped": len(flipped), "budget": inputs["pool_budget"],
                 "n_eval": pool_eval.n_points, **big},
        "plots": {"point": point_plot, "rmse": rmse_plot},
        "tables": {
            "point": {
                "columns": ["utility evaluations", "estimate", "standard error", "95% interval", "exact"],
                "formats": [None, ".4f", ".4f", ".4f", ".4f"],
                "rows": [[p[0], p[1], p[2], [p[1] - z * p[2], p[1] + z * p[2]], exact_value]
                         for p in one_point["permutation_shapley"]],
            },
            "convergence": {
                "columns": ["estimator", "utility evaluations", "RMS error vs exact", "mean reported stderr",
                            "95% intervals covering the exact value"],
                "formats": [None, None, ".4f", ".4f", ".0%"],
                "rows": rows,
            },
            "pool": {
                "columns": ["estimator", "utility evaluations", f"flipped points among the {len(flipped)} lowest",
                            "flipped points with interval below 0", "median stderr", "median stderr / value range"],
                "formats": [None, None, None, None, ".5f", ".1%"],
                "rows": [[names[m], big[m]["evaluations"], big[m]["flipped_in_lowest"], big[m]["flipped_below_zero"],
                          big[m]["median_stderr"], big[m]["relative_stderr"]] for m in truth],
            },
        },
    }
