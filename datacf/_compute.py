"""compute_grid: train a model on every subset of a dataset and score it on every evaluation point.

The empty and one-class rows are filled from the convention, the same way for every
learner; only subsets that need a model are handed to the learner.

With ``edit=``, row r is instead the set F of points the edit changes, and every row trains
on all n points. Each such training set is a subset of a pool of 2n points (``datacf._edit_grid``):
point i's clean copy when i is not in F, its edited copy when it is. The rows are then
filled by ``fill_rows`` of the sampled grids with that membership matrix, so every learner's
membership path, and the conventions, apply unchanged.
"""
import inspect

import numpy as np

from . import edits
from ._dataset import Dataset
from ._edit_grid import check_edit, edited_pool, pool_members
from ._grid import Grid
from ._memory import check_memory
from ._metrics import check_metric, needs_proba, score_cells
from ._model_spec import build_model, describe_model
from ._schema import CONVENTIONS
from ._sklearn_path import check_sklearn_metric, is_sklearn_classifier, predict_subsets_sklearn
from ._subsets import check_exact_size, subset_bits, subset_name, subset_sizes
from .models import FastLearner

__all__ = ["compute_grid", "recompute_grid", "CONVENTIONS", "grid_inputs"]


def grid_inputs(train, model, eval, metric, convention, edit=None):
    """What a grid records it was computed from (``Grid.inputs``): enough to recompute it.

    The key "edit" is present only for an edit grid, so subset grids record what they always did.
    """
    inputs = {
        "train": train.to_dict(),
        "eval": None if eval is None else eval.to_dict(),
        "model": describe_model(model),
        "metric": metric,
        "convention": convention,
    }
    if edit is not None:
        inputs["edit"] = edit.to_dict()
    return inputs


def _check_inputs(train, model, eval, metric, convention, n_jobs, max_memory=None, exact=True, edit=None):
    """Validate ``compute_grid``'s arguments; ``exact=False`` (sampled grids) skips the
    16-point limit and the exact grid's memory estimate."""
    if not isinstance(train, Dataset):
        raise TypeError(f"train must be a datacf.Dataset; got {type(train).__name__}. Wrap it: Dataset(X, y).")
    if eval is not None and not isinstance(eval, Dataset):
        raise TypeError(f"eval must be a datacf.Dataset or None; got {type(eval).__name__}.")
    if eval is not None and eval.n_features != train.n_features:
        raise ValueError(
            f"eval has {eval.n_features} features but train has {train.n_features}; "
            "evaluation points must live in the same feature space."
        )
    if exact:
        check_exact_size(train.n_points)
    check_edit(edit, train)
    check_metric(metric)
    if convention not in CONVENTIONS:
        raise ValueError(f"convention={convention!r} is not supported; choose one of {list(CONVENTIONS)}.")
    if convention == "zero" and metric == "log_loss":
        raise ValueError(
            "convention='zero' cannot score metric='log_loss': a loss of 0 is the best score, so "
            "scoring the subsets a model refuses as 0 would reward refusing to fit. Use "
            "convention='fallback', or metric='prob_correct' or 'accuracy', where 0 is the worst score."
        )
    if isinstance(model, FastLearner):
        model._check_params()
        if n_jobs is not None:
            raise ValueError("n_jobs applies to scikit-learn models only; fast learners need no parallelism.")
    elif is_sklearn_classifier(model):
        check_sklearn_metric(model, needs_proba(metric))
    else:
        raise TypeError(
            f"model must be a datacf fast learner (dcf.models.KNN, ...) or a scikit-learn "
            f"classifier with fit and predict; got {type(model).__name__}."
        )
    if not exact:
        return
    n_eval = train.n_points if eval is None else eval.n_points
    learner = model if isinstance(model, FastLearner) else None
    check_memory(learner, train.n_points, train.n_features, n_eval, train.classes.size, max_memory)


def compute_grid(
    train, model, eval=None, metric="prob_correct", convention="fallback", n_jobs=None, max_memory=None,
    edit=None,
):
    """Train ``model`` on every subset of ``train`` (or every edited version) and score it on every evaluation point.

    Parameters
    ----------
    train : Dataset
        The n training points (n <= 16: the grid has 2**n rows).
    model : datacf fast learner or scikit-learn classifier
        ``dcf.models.KNN``, ``LogisticRegression`` and ``NearestCentroid`` fit all subsets
        at once; any other classifier is cloned and fitted once per subset that needs it.
    eval : Dataset, default=None
        Evaluation points (the columns), each scored against its own label; None evaluates
        on ``train`` itself, the clean training points (also for an edit grid).
    metric : {"prob_correct", "accuracy", "log_loss"}, default="prob_correct"
        Per-cell score; see ``datacf._metrics``.
    convention : {"fallback", "zero"}, default="fallback"
        "fallback": the empty set predicts the uniform distribution over the training
        classes (hard label: the smallest class) and a one-class subset predicts its class
        with certainty. "zero": every cell is 0 where scikit-learn would refuse to fit (the
        empty set; one class for logistic regression or nearest centroid; fewer than k
        points for KNN; a ValueError from a scikit-learn model), as pyDVL does. "zero" is
        refused with ``metric="log_loss"``, where 0 is the best loss, not the worst score.
    n_jobs : int or None, default=None
        Parallel fits through joblib, for scikit-learn models only.
    max_memory : int, str or None, default=None
        Largest memory the computation may use, in bytes or as "4GB"/"512MiB". None reads
        the environment variable ``DATACF_MAX_MEMORY``, else 2 GiB. The peak is estimated
        before anything is allocated (``datacf._memory``); fast learners work in chunks of
        subsets, so mostly the grid itself (2**n x n_eval x n_classes) counts.
    edit : edit from ``datacf.edits`` or None, default=None
        None: row r trains on the subset {i : (r >> i) & 1}. An edit (``FlipLabels()``,
        ``SetLabel(c)``, ``Shift(delta)``, ``PlantSignal(feature, value, label)``): row r
        trains on all n points, with the edit applied to the points F = {i : (r >> i) & 1}
        and the others unchanged; row 0 is the clean dataset. The conventions then matter
        only where the edited labels hold a single class (e.g. ``SetLabel`` on every point).

    Returns
    -------
    Grid
        Values of shape (2**n, n_eval); row r is the subset {i : (r >> i) & 1} (with an
        edit: the set of edited points). ``inputs`` records the edit.

    Raises
    ------
    ValueError
        For more than 16 points, an unknown metric or convention, a metric the model cannot
        produce, a scikit-learn model that fails on a subset under "fallback", a grid
        whose estimated memory exceeds ``max_memory`` (the message gives the estimate), or
        an edit that does not fit ``train`` (``datacf.edits.Edit.check``).
    TypeError
        If ``train`` or ``eval`` is not a Dataset, the model is not a classifier, or
        ``edit`` is not from ``datacf.edits``.

    Examples
    --------
    >>> import datacf as dcf
    >>> train = dcf.Dataset([[0.0], [1.0]], [0, 1])
    >>> dcf.compute_grid(train, dcf.models.KNN(k=1)).values.tolist()
    [[0.5, 0.5], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]

    Flipping labels: row "A" trains on both points with A's label flipped.

    >>> dcf.compute_grid(train, dcf.models.KNN(k=1), edit=dcf.edits.FlipLabels()).values.tolist()
    [[1.0, 1.0], [0.0, 1.0], [1.0, 0.0], [0.0, 0.0]]
    """
    _check_inputs(train, model, eval, metric, convention, n_jobs, max_memory, edit=edit)
    eval_set = train if eval is None else eval
    if edit is not None:
        values = _edit_values(train, model, eval_set, edit, metric, convention, n_jobs)
        inputs = grid_inputs(train, model, eval, metric, convention, edit)
        return Grid(values, point_names=train.names, eval_names=eval_set.names, inputs=inputs)
    classes = train.classes
    n_classes = classes.size
    codes = np.searchsorted(classes, train.y)
    position = {label: i for i, label in enumerate(classes.tolist())}
    target = np.array([position.get(label, -1) for label in eval_set.y.tolist()])

    n = train.n_points
    rows = np.arange(2**n)
    sizes = subset_sizes(n)
    class_masks = [int((1 << np.flatnonzero(codes == c)).sum()) for c in range(n_classes)]
    class_counts = np.stack([sizes[rows & mask] for mask in class_masks], axis=1)   # (2**n, classes)
    n_present = (class_counts > 0).sum(axis=1)

    # Convention rows first: uniform for the empty set, certainty for a single class.
    proba = np.empty((rows.size, eval_set.n_points, n_classes))
    proba[0] = 1.0 / n_classes
    single = np.flatnonzero(n_present == 1)
    proba[single] = np.eye(n_classes)[class_counts[single].argmax(axis=1)][:, None, :]
    refused = sizes == 0
    fit_rows = np.flatnonzero(n_present >= 2)

    if isinstance(model, FastLearner):
        if fit_rows.size:
            proba[fit_rows] = model._predict_proba_subsets(train.X, codes, n_classes, eval_set.X, fit_rows)
        hard = proba.argmax(axis=2) if metric == "accuracy" else None
        if convention == "zero":
            refused |= model._refuses(sizes, n_present)
    else:
        zero = convention == "zero"
        if zero:
            fit_rows = np.flatnonzero(n_present >= 1)   # "zero" asks scikit-learn about one class too
        hard = proba.argmax(axis=2)
        fitted, fitted_hard, failed = predict_subsets_sklearn(
            model, train, eval_set.X, subset_bits(n), fit_rows, needs_proba(metric), zero, n_jobs
        )
        if fitted is not None:
            proba[fit_rows] = fitted
        hard[fit_rows] = fitted_hard
        refused[fit_rows[failed]] = True

    values = score_cells(metric, proba, hard, target)
    if convention == "zero":
        values[refused] = 0.0
    inputs = grid_inputs(train, model, eval, metric, convention)
    return Grid(values, point_names=train.names, eval_names=eval_set.names, inputs=inputs)


def _edit_values(train, model, eval_set, edit, metric, convention, n_jobs):
    """Scores (2**n, n_eval) of the edit grid: row r trains on the pool rows of F = bits of r."""
    from ._sampled_grid import fill_rows   # imported here: _sampled_grid builds on this module

    names = train.names
    learner = model._edit_pool_learner() if isinstance(model, FastLearner) else model
    return fill_rows(edited_pool(train, edit), learner, eval_set, pool_members(subset_bits(train.n_points)),
                     metric, convention, n_jobs, lambda r: f"{subset_name(r, names)} (edited)")


def recompute_grid(grid, **overrides):
    """Recompute a grid from the inputs it records (e.g. to check a stored JSON file).

    The recorded model is rebuilt only if it is one of datacf's learners or an allow-listed
    scikit-learn classifier with plain JSON parameters (see ``datacf._model_spec``); the
    grid's data never names code that runs.

    Parameters
    ----------
    grid : Grid
        A grid whose ``inputs`` record what it was computed from.
    **overrides
        ``compute_grid`` arguments that replace the recorded ones (e.g. ``n_jobs=2``, or
        ``model=...`` for a model recorded as not recomputable).

    Returns
    -------
    Grid

    Raises
    ------
    ValueError
        If the grid records no inputs, or its model cannot be rebuilt (not allow-listed, an
        undeclared parameter, or recorded as not recomputable; the message says which).
    TypeError
        If an override is not a ``compute_grid`` parameter.
    """
    if not isinstance(grid, Grid):
        raise TypeError(f"recompute_grid needs a datacf.Grid; got {type(grid).__name__}.")
    allowed = list(inspect.signature(compute_grid).parameters)
    unknown = sorted(set(overrides) - set(allowed))
    if unknown:
        raise TypeError(f"recompute_grid got unknown override(s) {unknown}; overrides are compute_grid's parameters {allowed}.")
    if not grid.inputs:
        raise ValueError("This grid records no inputs (it was built from a bare table), so it cannot be recomputed.")
    inputs = grid.inputs
    arguments = {
        "train": Dataset.from_dict(inputs["train"]),
        "eval": None if inputs["eval"] is None else Dataset.from_dict(inputs["eval"]),
        "metric": inputs["metric"],
        "convention": inputs["convention"],
    }
    if "edit" in inputs:
        arguments["edit"] = edits.from_dict(inputs["edit"])
    arguments.update(overrides)
    if "model" not in arguments:
        arguments["model"] = build_model(inputs["model"])
    return compute_grid(**arguments)
