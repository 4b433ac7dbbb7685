"""The generic path: any scikit-learn classifier, cloned and fitted once per subset.

Only subsets that need a model are fitted (at most 2**n - 1), optionally in parallel with
joblib, so a joblib backend such as Dask or Ray can spread the fits over a cluster: with
``n_jobs`` set, the fits run under ``joblib.Parallel``, which uses whatever backend the
caller chose with ``joblib.parallel_config(backend=...)``. Each job's training data is cut
from the pool only when joblib dispatches it, so memory does not grow with the number of
rows. Sampled grids (``datacf.sample_grid``) use the same function with a membership matrix.
"""
import numpy as np

from ._subsets import subset_name

__all__ = ["is_sklearn_classifier", "check_sklearn_metric", "predict_subsets_sklearn", "PROBA_SUM_TOL"]

# predict_proba rows must sum to 1 and be non-negative within this. scikit-learn's own
# normalisations are exact to ~1e-15; 1e-6 also lets through classifiers that round their
# output (e.g. to float32), while anything larger is a wrong distribution, not rounding.
PROBA_SUM_TOL = 1e-6


def is_sklearn_classifier(model):
    return all(callable(getattr(model, name, None)) for name in ("fit", "predict", "get_params"))


def check_sklearn_metric(model, needs_proba):
    if needs_proba and not callable(getattr(model, "predict_proba", None)):
        name = type(model).__name__
        raise ValueError(
            f"{name} has no predict_proba, so it cannot be scored by probability; use "
            f"metric='accuracy', or a model with predict_proba (e.g. SVC(probability=True))."
        )


def _fit_one(estimator, X, y, X_eval, needs_proba, catch_refusal, subset):
    from sklearn.base import clone

    try:
        model = clone(estimator).fit(X, y)
        hard = model.predict(X_eval)
        proba = model.predict_proba(X_eval) if needs_proba else None
    except ValueError as error:
        if catch_refusal:
            return None
        raise ValueError(
            f"{type(estimator).__name__} failed on the subset {subset!r}: {error} Use "
            "convention='zero' to score subsets scikit-learn refuses as 0, or a datacf fast learner."
        ) from error
    except Exception as error:   # a bug or bad parameter, never a refusal: "zero" must not hide it
        raise ValueError(
            f"{type(estimator).__name__} raised {type(error).__name__} on the subset {subset!r}: {error}. "
            "Check the model's parameters; the original error is chained below."
        ) from error
    return np.asarray(model.classes_), hard, proba


def predict_subsets_sklearn(estimator, train, X_eval, members, rows, needs_proba, catch_refusal, n_jobs,
                            name_of=None):
    """Fit a clone on each row's subset; return (proba or None, hard codes, refused mask).

    ``members[r]`` is row r's boolean membership; ``name_of(r)`` names the row in error
    messages (default: the exact grid's ``subset_name(r, train.names)``). With
    ``catch_refusal`` a ``ValueError`` from fit or predict marks the row refused (the
    "zero" convention); otherwise it is re-raised naming the subset.
    """
    classes = train.classes
    if name_of is None:
        def name_of(r):
            return subset_name(r, train.names)
    jobs = (
        (train.X[members[r]], train.y[members[r]], X_eval, needs_proba, catch_refusal, name_of(r))
        for r in rows
    )
    if n_jobs is None:
        results = [_fit_one(estimator, *job) for job in jobs]
    else:
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=n_jobs)(delayed(_fit_one)(estimator, *job) for job in jobs)

    n_eval = X_eval.shape[0]
    proba = np.zeros((len(rows), n_eval, classes.size)) if needs_proba else None
    hard = np.zeros((len(rows), n_eval), dtype=np.int64)
    refused = np.zeros(len(rows), dtype=bool)
    for i, (r, result) in enumerate(zip(rows, results)):
        if result is None:
            refused[i] = True
            continue
        model_classes, labels, p = result
        _check_prediction(estimator, name_of(r), np.unique(train.y[members[r]]),
                          model_classes, labels, p, n_eval, needs_proba)
        columns = np.searchsorted(classes, model_classes)
        hard[i] = columns[np.searchsorted(model_classes, labels)]
        if needs_proba:
            proba[i][:, columns] = p
    return proba, hard, refused


def _check_prediction(estimator, subset, subset_classes, model_classes, labels, proba, n_eval, needs_proba):
    """Refuse, naming the subset, a fitted model whose classes_, predict or predict_proba are malformed."""
    name = type(estimator).__name__
    where = f"on the subset {subset!r}"
    if model_classes.shape != subset_classes.shape or not np.array_equal(model_classes, subset_classes):
        raise ValueError(
            f"{name}.classes_ is {model_classes.tolist()!r} {where}, but that subset's labels are "
            f"{subset_classes.tolist()!r}; a classifier must set classes_ to the sorted labels it was fitted on."
        )
    labels = np.asarray(labels)
    if labels.shape != (n_eval,) or not np.isin(labels, model_classes).all():
        raise ValueError(
            f"{name}.predict returned {labels.tolist()!r:.120} {where}: expected {n_eval} labels "
            f"from classes_ {model_classes.tolist()!r}."
        )
    if not needs_proba:
        return
    proba = np.asarray(proba)
    if proba.shape != (n_eval, model_classes.size):
        raise ValueError(
            f"{name}.predict_proba returned shape {proba.shape} {where}; expected ({n_eval}, "
            f"{model_classes.size}): one row per evaluation point, one column per class in classes_."
        )
    if not np.issubdtype(proba.dtype, np.number) or not np.isfinite(proba).all():
        raise ValueError(
            f"{name}.predict_proba returned NaN or infinite values {where}; score it with "
            "metric='accuracy' or use another model."
        )
    if (proba < -PROBA_SUM_TOL).any() or (np.abs(proba.sum(axis=1) - 1.0) > PROBA_SUM_TOL).any():
        raise ValueError(
            f"{name}.predict_proba is not a probability distribution {where} (smallest value "
            f"{proba.min():.3g}, row sums from {proba.sum(axis=1).min():.6g} to {proba.sum(axis=1).max():.6g}); "
            f"each row must be non-negative and sum to 1 within {PROBA_SUM_TOL:g}. Score it with "
            "metric='accuracy', or fix the classifier."
        )
