"""The scaling-laws page's measurement: a real learning curve, its power law, an extrapolation test.

Logistic regression on scikit-learn's breast-cancer data (569 tumours, 30 features,
standardised): a seeded split gives a pool to train on and held-out points to score on;
``datacf.learning_curve`` trains on random subsets of each size, ``datacf.fit_power_law``
fits err(k) = a·k^(−b) + c with bootstrap intervals, and ``datacf.extrapolation_check`` fits
on the small sizes only and predicts the large ones. ``compute`` returns the JSON document
``sitebuild.measured`` caches: the numbers the page quotes, a plot and a table.
"""
import numpy as np

__all__ = ["INPUTS", "compute"]

INPUTS = {
    "dataset": "breast_cancer",
    "split_seed": 0,
    "n_pool": 400,                       # the rest (169 points) is the held-out test set
    "model": {"name": "LogisticRegression", "C": 1.0},
    "metric": "accuracy",
    "sizes": [5, 8, 12, 20, 32, 50, 80, 128, 200, 320],
    "n_subsets": 40,
    "seed": 0,
    "n_bootstrap": 1000,
    "level": 0.95,
    "n_fit": 7,                          # extrapolation: fit on sizes 5..80, predict 128..320
}


def load_split(inputs=INPUTS):
    """(pool, test) Datasets: the standardised breast-cancer data, split by a seeded permutation."""
    import datacf as dcf
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    order = np.random.default_rng(inputs["split_seed"]).permutation(len(y))
    pool, test = order[:inputs["n_pool"]], order[inputs["n_pool"]:]
    return dcf.Dataset(X[pool], y[pool]), dcf.Dataset(X[test], y[test])


def _floats(values):
    return [float(v) for v in np.asarray(values, dtype=float).ravel()]


def compute(inputs=INPUTS):
    """The measurement document (plain JSON data)."""
    import sklearn

    import datacf as dcf

    pool, test = load_split(inputs)
    model = dcf.models.LogisticRegression(C=inputs["model"]["C"])
    curve = dcf.learning_curve(pool, model, eval=test, metric=inputs["metric"], sizes=inputs["sizes"],
                               n_subsets=inputs["n_subsets"], rng=inputs["seed"])
    level = inputs["level"]
    fit = dcf.fit_power_law(curve, n_bootstrap=inputs["n_bootstrap"], level=level, rng=inputs["seed"])
    check = dcf.extrapolation_check(curve, n_fit=inputs["n_fit"], n_bootstrap=inputs["n_bootstrap"], level=level,
                                    rng=inputs["seed"])
    sizes = curve.sizes
    errors = [e for e in curve.errors()]
    err_mean = np.array([e.mean() for e in errors])
    err_low, err_high = 1.0 - curve.ci(level)[1], 1.0 - curve.ci(level)[0]
    dense = np.geomspace(sizes[0], sizes[-1], 60)
    band_low, band_high = fit.predict_interval(dense)
    small_dense = np.geomspace(sizes[0], sizes[-1], 60)
    small_pred = check.fit.predict(small_dense)
    last = len(check.test_sizes) - 1

    per_size = {str(int(k)): {"size": int(k), "subsets": len(e), "error": float(e.mean()), "ci": [float(lo), float(hi)],
                              "accuracy": float(1.0 - e.mean()), "fit": float(fit.predict(float(k)))}
                for k, e, lo, hi in zip(sizes, errors, err_low, err_high)}
    document = {
        "schema": "datacf.measured", "version": 1, "kind": "scaling",
        "inputs": inputs,
        "versions": {"datacf": dcf.__version__, "numpy": np.__version__, "scikit-learn": sklearn.__version__},
        "n_pool": pool.n_points, "n_test": test.n_points, "n_features": pool.n_features,
        "n_models": int(sum(len(e) for e in errors)),
        "sizes": [int(k) for k in sizes],
        "per_size": per_size,
        "first": per_size[str(int(sizes[0]))], "last": per_size[str(int(sizes[-1]))],
        "fit": {"a": fit.a, "b": fit.b, "c": fit.c,
                "a_ci": list(fit.intervals["a"]), "b_ci": list(fit.intervals["b"]), "c_ci": list(fit.intervals["c"]),
                "n_bootstrap": len(fit.bootstrap)},
        "extrapolation": {
            "fit_sizes": [int(k) for k in check.fit_sizes], "test_sizes": [int(k) for k in check.test_sizes],
            "a": check.fit.a, "b": check.fit.b, "c": check.fit.c,
            "predicted": _floats(check.predicted), "observed": _floats(check.observed),
            "abs_error": _floats(check.abs_error), "rel_error": _floats(check.rel_error),
            "abs_ci_low": _floats(check.abs_interval[0]), "abs_ci_high": _floats(check.abs_interval[1]),
            "rel_ci_low": _floats(check.rel_interval[0]), "rel_ci_high": _floats(check.rel_interval[1]),
            "largest": {"size": int(check.test_sizes[last]), "predicted": float(check.predicted[last]),
                        "observed": float(check.observed[last]), "abs_error": float(check.abs_error[last]),
                        "rel_error": float(check.rel_error[last]),
                        "abs_ci": [float(check.abs_interval[0][last]), float(check.abs_interval[1][last])],
                        "rel_ci": [float(check.rel_interval[0][last]), float(check.rel_interval[1][last])]},
            "fit_max": int(check.fit_sizes[-1]), "n_fit_sizes": len(check.fit_sizes),
            "n_test_sizes": len(check.test_sizes),
        },
        "plots": {
            "curve": {
                "title": "Learning curve of logistic regression on breast-cancer data, with its power-law fit",
                "description": (
                    f"Test error (1 - accuracy on {test.n_points} held-out points) of logistic regression trained "
                    f"on random subsets of {len(sizes)} sizes from {sizes[0]} to {sizes[-1]} points, "
                    f"{inputs['n_subsets']} subsets per size, with {int(level * 100)}% confidence intervals; the "
                    "power law fitted on all sizes with its bootstrap band, and the law fitted on the sizes up to "
                    f"{int(check.fit_sizes[-1])} only, extended to the larger sizes. The table below gives every number."
                ),
                "x_label": "training-set size k (log scale)",
                "y_label": "test error",
                "log_x": True,
                "series": [
                    {"label": f"{int(level * 100)}% band of the fit", "kind": "band", "x": _floats(dense),
                     "y": _floats(fit.predict(dense)), "low": _floats(band_low), "high": _floats(band_high)},
                    {"label": "fit on all sizes", "kind": "line", "x": _floats(dense), "y": _floats(fit.predict(dense))},
                    {"label": f"fit on k ≤ {int(check.fit_sizes[-1])}", "kind": "dashed", "x": _floats(small_dense),
                     "y": _floats(small_pred)},
                    {"label": "mean error, 95% CI", "kind": "points", "x": _floats(sizes), "y": _floats(err_mean),
                     "low": _floats(err_low), "high": _floats(err_high)},
                ],
            },
        },
        "tables": {
            "curve": {
                "columns": ["size k", "subsets", "mean test error", f"{int(level * 100)}% CI", "fit (all sizes)",
                            f"fit on k ≤ {int(check.fit_sizes[-1])}"],
                "formats": [None, None, ".4f", ".4f", ".4f", ".4f"],
                "rows": [[int(k), len(e), float(m), [float(lo), float(hi)], float(fit.predict(float(k))),
                          float(check.fit.predict(float(k)))]
                         for k, e, m, lo, hi in zip(sizes, errors, err_mean, err_low, err_high)],
            },
            "params": {
                "columns": ["parameter", "all sizes", f"{int(level * 100)}% interval",
                            f"sizes ≤ {int(check.fit_sizes[-1])}", f"{int(level * 100)}% interval"],
                "formats": [None, ".3f", ".3f", ".3f", ".3f"],
                "rows": [[name, getattr(fit, name), list(fit.intervals[name]), getattr(check.fit, name),
                          list(check.fit.intervals[name])] for name in "abc"],
            },
            "extrapolation": {
                "columns": ["size k", "predicted error", "observed error", "prediction − observed",
                            f"{int(level * 100)}% interval", "relative", f"{int(level * 100)}% interval"],
                "formats": [None, ".4f", ".4f", "+.4f", "+.4f", "+.1%", "+.1%"],
                "rows": [[int(k), float(p), float(o), float(d), [float(dl), float(dh)], float(r), [float(rl), float(rh)]]
                         for k, p, o, d, dl, dh, r, rl, rh in zip(
                             check.test_sizes, check.predicted, check.observed, check.abs_error,
                             check.abs_interval[0], check.abs_interval[1], check.rel_error,
                             check.rel_interval[0], check.rel_interval[1])],
            },
        },
    }
    return document
