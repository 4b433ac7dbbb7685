"""The "Algorithmic collective action" page's measurement: planting a signal, against a data strike.

Handwritten 3s and 8s from scikit-learn's digits (raw pixel intensities 0-16), logistic
regression. A collective plants a signal in its own images (Hardt et al. 2023): pixel
``feature`` is set to 16 and the label to 8. Success is the share of held-out images, with
the signal planted, that the model trained with the collective calls 8
(``compute_success_grid``).

- Exact on a toy pool of 12 images: every collective, 4,096 rows, read by size
  (``budget_curve``). The same pool's subset grid is the data strike: the collective
  withholds its images instead, and the model is scored on the clean held-out images.
- Sampled on a pool of 240 images: random collectives of each size, each trained with
  the real model, for a signal no image carries (the top-left pixel, always blank) and one
  that some images already carry (pixel 5 at full ink, mostly in 3s); random strikes of the
  same sizes.

The bound compared with is the Bayes-optimal case of the signal-planting bound (docs page):
S >= 1 - (1 - alpha) / alpha * xi * Delta, with alpha = b / n, xi the share of all 3s and 8s
already carrying the signal and Delta the largest gap max_y P0(y | x) - P0(8 | x) among them.
"""
import numpy as np

__all__ = ["INPUTS", "compute", "digits_data", "signal_terms"]

INPUTS = {
    "dataset": "digits",
    "classes": [3, 8],
    "target": 8,
    "signal_value": 16.0,
    "signals": {"unique": 0, "common": 5},   # pixel index of each signal
    "split_seed": 0,
    "n_toy": 12,
    "n_pool": 240,                           # the rest of the 3s and 8s are the held-out images
    "model": {"name": "LogisticRegression", "C": 1.0},
    "pool_sizes": [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48],
    "per_size": 10,
    "sample_seed": 0,
}


def digits_data(inputs=INPUTS):
    """(toy pool, big pool, held-out images, all images of the two classes) as Datasets."""
    from sklearn.datasets import load_digits

    import datacf as dcf

    X, y = load_digits(return_X_y=True)
    keep = np.isin(y, inputs["classes"])
    X, y = X[keep], y[keep]
    order = np.random.default_rng(inputs["split_seed"]).permutation(len(y))
    pool, test = order[:inputs["n_pool"]], order[inputs["n_pool"]:]
    toy = pool[:inputs["n_toy"]]
    return (dcf.Dataset(X[toy], y[toy]), dcf.Dataset(X[pool], y[pool]), dcf.Dataset(X[test], y[test]),
            dcf.Dataset(X, y))


def signal_terms(base, feature, value, target):
    """xi = P0(x carries the signal) and Delta = max over those x of max_y P0(y|x) - P0(target|x)."""
    carries = base.X[:, feature] == value
    xi = float(carries.mean())
    delta = 0.0
    if carries.any():
        rows, inverse = np.unique(base.X[carries], axis=0, return_inverse=True)
        for r in range(rows.shape[0]):
            labels = base.y[carries][inverse.ravel() == r]
            shares = {c: float(np.mean(labels == c)) for c in np.unique(base.y)}
            delta = max(delta, max(shares.values()) - shares.get(target, 0.0))
    return xi, delta


def bayes_bound(alpha, xi, delta):
    """1 - (1 - alpha) / alpha * xi * delta, the Bayes-optimal planting bound (None at alpha = 0)."""
    return None if alpha == 0 else 1.0 - (1.0 - alpha) / alpha * xi * delta


def _by_size(curve, sizes):
    return {key: [float(getattr(curve, key)[b]) for b in sizes] for key in ("mean", "minimum", "maximum")}


def compute(inputs=INPUTS):
    import sklearn

    import datacf as dcf

    toy, pool, test, base = digits_data(inputs)
    model = dcf.models.LogisticRegression(C=inputs["model"]["C"])
    value, target = inputs["signal_value"], inputs["target"]
    signals = {k: dcf.edits.PlantSignal(j, value, target) for k, j in inputs["signals"].items()}
    terms = {k: dict(zip(("xi", "delta"), signal_terms(base, j, value, target))) for k, j in inputs["signals"].items()}

    # Exact on the toy pool: every collective, every strike.
    n = toy.n_points
    sizes = list(range(n + 1))
    success = dcf.budget_curve(dcf.compute_success_grid(toy, model, signals["unique"], eval=test))
    planted_clean = dcf.budget_curve(dcf.compute_grid(toy, model, eval=test, metric="accuracy",
                                                      edit=signals["unique"]))
    kept = dcf.budget_curve(dcf.compute_grid(toy, model, eval=test, metric="accuracy"))
    strike = {"mean": [float(kept.mean[n - b]) for b in sizes], "worst": [float(kept.minimum[n - b]) for b in sizes]}
    exact = {
        "success": _by_size(success, sizes),
        "best_sets": ["".join(s) for s in success.max_sets], "worst_sets": ["".join(s) for s in success.min_sets],
        "planted_clean_mean": [float(planted_clean.mean[b]) for b in sizes],
        "strike": strike,
        "bound": [bayes_bound(b / n, terms["unique"]["xi"], terms["unique"]["delta"]) for b in sizes],
        "clean": float(kept.mean[n]),
        "labels": toy.y.tolist(),
    }
    exact["one"] = {"mean": exact["success"]["mean"][1], "max": exact["success"]["maximum"][1],
                    "min": exact["success"]["minimum"][1], "best": exact["best_sets"][1]}
    exact["baseline"] = exact["success"]["mean"][0]
    half = n // 4
    exact["quarter"] = {"b": half, "mean": exact["success"]["mean"][half], "min": exact["success"]["minimum"][half],
                        "strike_worst": strike["worst"][half], "strike_mean": strike["mean"][half],
                        "planted_clean": exact["planted_clean_mean"][half]}
    exact["full_from"] = next(b for b in sizes if exact["success"]["minimum"][b] == 1.0)
    names = list(toy.names)
    exact["best_one_label"] = int(toy.y[names.index(exact["best_sets"][1])])

    # Sampled on the big pool: random collectives of each size, and random strikes.
    N = pool.n_points
    pool_sizes = [0] + inputs["pool_sizes"]
    sampler = dcf.samplers.Sizes(pool_sizes, per_size=inputs["per_size"])
    seed = inputs["sample_seed"]
    sampled = {}
    for key, signal in signals.items():
        grid = dcf.compute_success_grid(pool, model, signal, eval=test, sampler=sampler, rng=seed)
        curve = dcf.budget_curve(grid)
        sampled[key] = {**_by_size(curve, pool_sizes), "feature": signal.feature, **terms[key],
                        "bound": [bayes_bound(b / N, terms[key]["xi"], terms[key]["delta"]) for b in pool_sizes]}
    strike_grid = dcf.sample_grid(pool, model, eval=test, metric="accuracy", rng=seed,
                                  sampler=dcf.samplers.Sizes([N - b for b in pool_sizes], per_size=inputs["per_size"]))
    kept_pool = dcf.budget_curve(strike_grid)
    plant_grid = dcf.sample_grid(pool, model, eval=test, metric="accuracy", rng=seed, sampler=sampler,
                                 edit=signals["unique"])
    plant_clean = dcf.budget_curve(plant_grid)
    pool_strike = {"mean": [float(kept_pool.mean[N - b]) for b in pool_sizes],
                   "worst": [float(kept_pool.minimum[N - b]) for b in pool_sizes]}
    alphas = [b / N for b in pool_sizes]

    def at(size):
        i = pool_sizes.index(size)
        return {"b": size, "alpha": alphas[i], "unique": sampled["unique"]["mean"][i],
                "unique_min": sampled["unique"]["minimum"][i], "common": sampled["common"]["mean"][i],
                "common_bound": sampled["common"]["bound"][i], "strike_mean": pool_strike["mean"][i],
                "strike_worst": pool_strike["worst"][i], "planted_clean": float(plant_clean.mean[size])}

    big = {"n_points": N, "n_eval": test.n_points, "per_size": inputs["per_size"], "sizes": pool_sizes,
           "alpha": alphas, "signals": sampled, "strike": pool_strike,
           "planted_clean_mean": [float(plant_clean.mean[b]) for b in pool_sizes],
           "clean": pool_strike["mean"][0], "baseline": sampled["unique"]["mean"][0],
           "one": at(1), "small": at(6), "large": at(48)}
    crossing = next((alphas[i] for i in range(1, len(alphas)) if sampled["common"]["bound"][i] > 0), None)
    big["common_bound_positive_from"] = crossing

    toy_plot = {
        "title": "Success against the collective's size, 12 images, every collective",
        "description": ("For each collective size b of the 12-image pool, the mean, best and worst success over every "
                        "collective of that size (points with a bar from worst to best), the Bayes-optimal bound (line) "
                        "and, for a data strike of the same size, the held-out accuracy of the worst strike (dashed). "
                        "The table below gives the numbers."),
        "x_label": "collective size b (of 12)", "y_label": "success / accuracy",
        "series": [
            {"label": "success: mean, worst to best", "kind": "points", "x": sizes,
             "y": exact["success"]["mean"], "low": exact["success"]["minimum"], "high": exact["success"]["maximum"]},
            {"label": "bound (ξ = 0)", "kind": "line", "x": sizes[1:], "y": exact["bound"][1:]},
            {"label": "strike: worst accuracy", "kind": "dashed", "x": sizes, "y": strike["worst"]},
        ],
        "y_min": 0.0,
    }
    pool_plot = {
        "title": f"Success against the collective's share, {N} images, {inputs['per_size']} random collectives per size",
        "description": ("Mean success of random collectives of each size b (a share α = b / n of the pool) for the signal no "
                        "image carries (points, with a bar from worst to best collective) and one that some images "
                        "carry (dashed), with the latter's Bayes-optimal bound (line, from where it is positive). "
                        "The table below gives the numbers."),
        "x_label": f"collective size b of {N} (log scale)", "y_label": "success", "log_x": True,
        "series": [
            {"label": "unique: mean, worst to best", "kind": "points", "x": pool_sizes[1:],
             "y": sampled["unique"]["mean"][1:], "low": sampled["unique"]["minimum"][1:],
             "high": sampled["unique"]["maximum"][1:]},
            {"label": "common: mean", "kind": "dashed", "x": pool_sizes[1:],
             "y": sampled["common"]["mean"][1:]},
            {"label": "bound, common", "kind": "line",
             "x": [b for b, v in zip(pool_sizes, sampled["common"]["bound"]) if v is not None and v > 0],
             "y": [v for v in sampled["common"]["bound"] if v is not None and v > 0]},
        ],
        "y_min": 0.0,
    }
    return {
        "schema": "datacf.measured", "version": 1, "kind": "collective",
        "inputs": inputs,
        "versions": {"datacf": dcf.__version__, "numpy": np.__version__, "scikit-learn": sklearn.__version__},
        "n_toy": n, "n_toy_rows": 2 ** n, "n_eval": test.n_points, "n_base": base.n_points,
        "terms": terms,
        "exact": exact,
        "pool": big,
        "plots": {"toy": toy_plot, "pool": pool_plot},
        "tables": {
            "toy": {
                "columns": ["b", "α = b/12", "success: mean", "worst", "best", "bound (ξ = 0)"],
                "formats": [None, ".3f", ".3f", ".3f", ".3f", ".3f"],
                "rows": [[b, b / n, exact["success"]["mean"][b], exact["success"]["minimum"][b],
                          exact["success"]["maximum"][b], "—" if exact["bound"][b] is None else exact["bound"][b]]
                         for b in sizes],
            },
            "pool": {
                "columns": ["b", "α", "unique: mean success", "worst", "common: mean success", "its bound"],
                "formats": [None, ".3f", ".3f", ".3f", ".3f", "+.3f"],
                "rows": [[b, alphas[i], sampled["unique"]["mean"][i], sampled["unique"]["minimum"][i],
                          sampled["common"]["mean"][i],
                          "—" if sampled["common"]["bound"][i] is None else sampled["common"]["bound"][i]]
                         for i, b in enumerate(pool_sizes)],
            },
            "toy_strike": {
                "columns": ["b", "strike: mean accuracy", "worst strike", "planting: mean clean accuracy",
                            "planting: mean success"],
                "formats": [None, ".3f", ".3f", ".3f", ".3f"],
                "rows": [[b, strike["mean"][b], strike["worst"][b], exact["planted_clean_mean"][b],
                          exact["success"]["mean"][b]] for b in sizes],
            },
            "pool_strike": {
                "columns": ["b", "strike: mean accuracy", "worst strike", "planting: mean clean accuracy",
                            "planting: mean success"],
                "formats": [None, ".3f", ".3f", ".3f", ".3f"],
                "rows": [[b, pool_strike["mean"][i], pool_strike["worst"][i], big["planted_clean_mean"][i],
                          sampled["unique"]["mean"][i]] for i, b in enumerate(pool_sizes)],
            },
        },
    }
