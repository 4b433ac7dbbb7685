"""The "Unlearning" page's measurement: removing points one by one, by retraining and by a step.

Deletion requests arrive one at a time (``INPUTS["order"]``). After k requests the reference
is the model retrained without the first k points: its scores are a row of the grid, and its
parameters come from ``datacf.unlearn(..., method="exact")``. The approximations start from
the full-data model and remove all k points with one step (``datacf.unlearn``): the Newton
step of certified removal (Guo et al. 2020) and the first-order influence step. For each k
the document records how far each is from the retrained model, in parameters and in scores,
and the norm of the gradient of the objective without the k points at each (the quantity a
removal certificate bounds).

The last part is sharded training (SISA, Bourtoule et al. 2021) on the same points: one model
per shard, an ensemble that averages their predicted probabilities, and removal by retraining
only the shard that held the point. Every deletion outcome of the ensemble is read from the
shards' small grids.
"""
import numpy as np

__all__ = ["INPUTS", "compute", "curve_data", "released_scores"]

INPUTS = {
    "dataset": "mislabelled",
    "C": 1.0,
    "metric": "prob_correct",
    "order": ["A", "F", "B", "G", "C", "H"],     # alternate the classes, so both stay in
    "shards": [["A", "B", "E", "F"], ["C", "D", "G", "H"]],   # SISA: each shard holds both classes
}


def curve_data(inputs=INPUTS):
    """(train, model, grid, groups): group k holds the first k + 1 removed points, by index."""
    import datacf as dcf

    train = dcf.toy_dataset(inputs["dataset"])
    model = dcf.models.LogisticRegression(C=inputs["C"])
    grid = dcf.compute_grid(train, model, metric=inputs["metric"])
    order = [train.names.index(name) for name in inputs["order"]]
    return train, model, grid, [order[:k] for k in range(1, len(order) + 1)]


def released_scores(train, parameters):
    """prob_correct at every training point of the logistic models with these parameters (rows)."""
    design = np.hstack([train.X, np.ones((train.n_points, 1))])
    p1 = 1.0 / (1.0 + np.exp(-(np.atleast_2d(parameters) @ design.T)))
    return np.where(train.y == train.classes[1], p1, 1.0 - p1)


def shard_grids(inputs=INPUTS):
    """(train, single-model grid, [grid of each shard, evaluated on every training point])."""
    import datacf as dcf

    train, model, grid, _ = curve_data(inputs)
    grids = []
    for shard in inputs["shards"]:
        index = [train.names.index(name) for name in shard]
        grids.append(dcf.compute_grid(dcf.Dataset(train.X[index], train.y[index], names=list(shard)), model,
                                      eval=train, metric=inputs["metric"]))
    return train, grid, grids


def _sharded(inputs):
    """SISA (Bourtoule et al. 2021) on the same points: removing one retrains only its shard's model."""
    train, grid, grids = shard_grids(inputs)
    full = grid.values.shape[0] - 1
    u_full = [g.utility()[-1] for g in grids]
    rows = []
    for i, name in enumerate(train.names):
        k = next(k for k, shard in enumerate(inputs["shards"]) if name in shard)
        shard = inputs["shards"][k]
        after = list(u_full)
        u = grids[k].utility()
        after[k] = u[(len(u) - 1) ^ (1 << shard.index(name))]           # that shard retrained without the point
        rows.append([name, float(grid.utility()[full ^ (1 << i)]), float(np.mean(after)), train.n_points - 1,
                     len(shard) - 1])
    return {
        "n_shards": len(grids), "shard_rows": int(sum(g.values.shape[0] for g in grids)),
        "single_rows": int(grid.values.shape[0]),
        "full_single": float(grid.utility()[full]), "full_sharded": float(np.mean(u_full)),
        "table": {"columns": ["removed", "single model, retrained: mean score", "shards, one retrained: mean score",
                              "points retrained (single)", "points retrained (shards)"],
                  "formats": [None, ".3f", ".3f", None, None], "rows": rows},
    }


def _floats(values):
    return [float(v) for v in np.asarray(values, dtype=float).ravel()]


def compute(inputs=INPUTS):
    """The measurement document (plain JSON data)."""
    import sklearn

    import datacf as dcf

    train, model, grid, groups = curve_data(inputs)
    full = grid.values.shape[0] - 1
    rows = [full & ~sum(1 << i for i in group) for group in groups]
    retrained_scores = grid.values[rows]
    runs = {method: dcf.unlearn(train, model, groups=groups, method=method) for method in ("exact", "newton", "influence")}
    exact = runs["exact"].removed
    steps = list(range(1, len(groups) + 1))
    per_method = {}
    for method in ("newton", "influence"):
        scores = released_scores(train, runs[method].removed)
        per_method[method] = {
            "parameter_gap": _floats(np.linalg.norm(runs[method].removed - exact, axis=1)),
            "score_gap": _floats(np.abs(scores - retrained_scores).max(axis=1)),
            "gradient_norm": _floats(runs[method].gradient_norm),
        }
    moved = _floats(np.linalg.norm(exact - runs["exact"].full, axis=1))
    full_gap = _floats(np.abs(grid.values[full] - retrained_scores).max(axis=1))
    newton, first = per_method["newton"], per_method["influence"]
    ratio = [f / n for f, n in zip(first["parameter_gap"], newton["parameter_gap"])]

    def curve(key, title, y_label, what):
        return {"title": title, "x_label": "points removed so far", "y_label": y_label,
                "description": (f"{what} after each deletion request, for the Newton step (solid) and the "
                                "first-order influence step (dashed), both from the full-data model. The table "
                                "below gives the numbers."),
                "series": [{"label": "Newton step", "kind": "line", "x": steps, "y": newton[key]},
                           {"label": "first-order step", "kind": "dashed", "x": steps, "y": first[key]}],
                "y_min": 0.0}

    removed_names = ["".join(inputs["order"][:k]) for k in steps]
    sharded = _sharded(inputs)
    return {
        "schema": "datacf.measured", "version": 1, "kind": "unlearning",
        "inputs": inputs,
        "versions": {"datacf": dcf.__version__, "numpy": np.__version__, "scikit-learn": sklearn.__version__},
        "n_points": train.n_points, "n_requests": len(groups), "n_rows": int(grid.values.shape[0]),
        "remaining": "".join(n for i, n in enumerate(train.names) if i not in groups[-1]),
        "removed": removed_names,
        "full_parameters": _floats(runs["exact"].full),
        "moved": moved, "full_model_gap": full_gap,
        "newton": newton, "first_order": first,
        "exact_gradient_norm_max": float(runs["exact"].gradient_norm.max()),
        "sharded": sharded,
        "first": {"newton_parameter_gap": newton["parameter_gap"][0], "first_parameter_gap": first["parameter_gap"][0],
                  "newton_score_gap": newton["score_gap"][0], "moved": moved[0]},
        "last": {"newton_parameter_gap": newton["parameter_gap"][-1], "first_parameter_gap": first["parameter_gap"][-1],
                 "newton_score_gap": newton["score_gap"][-1], "first_score_gap": first["score_gap"][-1],
                 "moved": moved[-1], "full_model_gap": full_gap[-1],
                 "newton_gradient_norm": newton["gradient_norm"][-1]},
        "largest": {"newton_parameter_gap": max(newton["parameter_gap"]), "newton_score_gap": max(newton["score_gap"]),
                    "first_score_gap": max(first["score_gap"]), "min_ratio": min(ratio),
                    "newton_gradient_norm_min": min(newton["gradient_norm"])},
        "plots": {
            "parameters": curve("parameter_gap", "Distance from the retrained model's parameters",
                                "parameter gap (Euclidean)", "The distance between the step's parameters and "
                                "the retrained model's"),
            "scores": curve("score_gap", "Largest score difference from the retrained model",
                            "largest |score difference|", "The largest difference in predicted probability of "
                            "the true label, over the eight training points,"),
        },
        "tables": {
            "newton": {
                "columns": ["removed", "retraining moves the parameters", "full model: largest score gap",
                            "Newton: parameter gap", "Newton: largest score gap", "Newton: gradient norm"],
                "formats": [None] + [".3f"] * 5,
                "rows": [[removed_names[k], moved[k], full_gap[k], newton["parameter_gap"][k], newton["score_gap"][k],
                          newton["gradient_norm"][k]] for k in range(len(groups))],
            },
            "sharded": sharded.pop("table"),
            "first_order": {
                "columns": ["removed", "first-order: parameter gap", "first-order: largest score gap",
                            "first-order: gradient norm"],
                "formats": [None] + [".3f"] * 3,
                "rows": [[removed_names[k], first["parameter_gap"][k], first["score_gap"][k], first["gradient_norm"][k]]
                         for k in range(len(groups))],
            },
        },
    }
