"""The "When the columns change" page's measurement: one set of rows, two sets of columns.

Logistic regression and one-nearest-neighbour are trained on every subset of 12 breast-cancer
points (the small part of ``sitebuild.sampled_example``, same split) and each grid is scored
twice: on the 12 training points themselves (``compute_grid(train, model)``) and on the
held-out points (``compute_grid(train, model, eval=held_out)``). Per point: leave-one-out and
Shapley values under both column sets, and the memorisation score v(N, i) - v(N \\ {i}, i)
(Feldman 2020), the part of the training-column leave-one-out value that is point i's own column.
"""
import numpy as np

from . import sampled_example

__all__ = ["INPUTS", "MODELS", "compute", "grids"]

INPUTS = {key: sampled_example.INPUTS[key]
          for key in ("dataset", "split_seed", "n_small", "test_from", "model", "metric")}
INPUTS["models"] = {"logistic": {"name": "LogisticRegression", "C": 1.0}, "knn1": {"name": "KNN", "k": 1}}
MODELS = {"logistic": "logistic regression (C = 1)", "knn1": "one-nearest-neighbour"}


def _model(spec):
    import datacf as dcf

    params = {key: value for key, value in spec.items() if key != "name"}
    return getattr(dcf.models, spec["name"])(**params)


def grids(inputs=INPUTS):
    """``(train, {model key: (training-column Grid, held-out-column Grid)})``."""
    import datacf as dcf

    train, held_out, _ = sampled_example.small_grid(inputs)
    out = {}
    for key, spec in inputs["models"].items():
        model = _model(spec)
        out[key] = (dcf.compute_grid(train, model, metric=inputs["metric"]),
                    dcf.compute_grid(train, model, eval=held_out, metric=inputs["metric"]))
    return train, out


def memorisation(grid):
    """(n,) v(N, i) - v(N without i, i): each point's own column of leave-one-out, on a training-column grid."""
    n = grid.n_points
    full = 2**n - 1
    return np.array([grid.values[full, i] - grid.values[full & ~(1 << i), i] for i in range(n)])


def _rank(values, i):
    """Rank of ``values[i]`` from the top: 1 + how many values are strictly larger."""
    return int(1 + np.sum(np.asarray(values) > values[i]))


def _rank_correlation(a, b):
    """Spearman's rank correlation (tied values share their mean rank)."""
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).statistic)


def _summary(own, held):
    return {"u_train": float(own.utility()[-1]), "u_heldout": float(held.utility()[-1]),
            "loo_rank_corr": _rank_correlation(own.loo(), held.loo()),
            "shapley_rank_corr": _rank_correlation(own.shapley(), held.shapley())}


def _lowest_on_training_columns(train, own, held):
    """The point with the lowest training-column LOO value, and what the held-out columns say of it."""
    loo_own, loo_held = own.loo(), held.loo()
    i = int(np.argmin(loo_own))
    return {"name": train.names[i], "loo_train": float(loo_own[i]), "loo_heldout": float(loo_held[i]),
            "heldout_rank": _rank(loo_held, i), "memorisation": float(memorisation(own)[i])}


def compute(inputs=INPUTS):
    train, pairs = grids(inputs)
    n = train.n_points
    models = {key: _summary(own, held) for key, (own, held) in pairs.items()}
    own, held = pairs["logistic"]
    mem = memorisation(own)
    return {
        "n_points": n, "n_features": int(train.X.shape[1]), "n_eval": int(held.values.shape[1]),
        "models": models,
        "logistic_lowest": _lowest_on_training_columns(train, own, held),
        "tables": {
            "summary": {
                "columns": ["model", "U(N), training columns", "U(N), held-out columns",
                            "rank correlation of LOO", "rank correlation of Shapley"],
                "formats": [None, ".3f", ".3f", ".2f", ".2f"],
                "rows": [[MODELS[key], m["u_train"], m["u_heldout"], m["loo_rank_corr"], m["shapley_rank_corr"]]
                         for key, m in models.items()],
            },
            "logistic": {
                "columns": ["point", "label", "memorisation", "LOO, training columns", "LOO, held-out columns",
                            "Shapley, training columns", "Shapley, held-out columns"],
                "formats": [None, None, "+.3f", "+.4f", "+.4f", "+.4f", "+.4f"],
                "rows": [[name, int(label), float(mem[i]), float(own.loo()[i]), float(held.loo()[i]),
                          float(own.shapley()[i]), float(held.shapley()[i])]
                         for i, (name, label) in enumerate(zip(train.names, train.y))],
            },
        },
    }
