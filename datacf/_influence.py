"""Influence functions, Newton removal steps and exact removal for L2 logistic regression.

Each estimates what removing a group G of training points does to the model: to its
parameters (``unlearn``) or to the score at each evaluation point (``influence``), which in
grid terms is ``values[N minus G, j] - values[N, j]``. They start from the full-data optimum
theta of scikit-learn's binary objective

    J(theta) = C * sum_i loss(theta; z_i) + ||w||^2 / 2      (intercept not penalised),

fitted by datacf's own solver (``datacf.models.LogisticRegression``). Removing G changes the
objective to J_G = J - C * sum_{i in G} loss_i, and the approximations take one step from theta,

    step_G = A^-1 * C * sum_{i in G} grad loss(theta; z_i),

which is A^-1 times minus J_G's gradient at theta (J's gradient is zero there):

- ``method="influence"`` (Koh & Liang 2017; groups: Koh et al. 2019) uses A = H, the Hessian
  of J at theta; ``influence`` reports the first-order change of the score,
  grad f_j(theta) . step_G;
- ``method="newton"`` uses A = H_G, the Hessian of J_G at theta, which makes the step one exact
  Newton step on the objective without G, as in certified removal (Guo et al. 2020);
  ``influence`` reports the score's actual change f_j(theta + step_G) - f_j(theta);
- ``method="exact"`` retrains on N minus G with the same solver: the reference.

References
----------
Koh, P. W. & Liang, P. (2017). Understanding black-box predictions via influence functions. ICML.
Koh, P. W., Ang, K.-S., Teo, H. H. K. & Liang, P. (2019). On the accuracy of influence
functions for measuring group effects. NeurIPS.
Guo, C., Goldstein, T., Hannun, A. & van der Maaten, L. (2020). Certified data removal from
machine learning models. ICML.
Basu, S., Pope, P. & Feizi, S. (2021). Influence functions in deep learning are fragile. ICLR.
"""
import numbers
from typing import NamedTuple

import numpy as np

from ._dataset import Dataset
from ._metrics import LOG_LOSS_EPS, check_metric, score_cells
from .models import LogisticRegression
from .models._logistic import _Binary, _newton, _sigmoid

__all__ = ["influence", "unlearn", "Unlearning", "REMOVAL_METHODS"]

REMOVAL_METHODS = ("influence", "newton", "exact")


def _check_model(train, model, method, caller):
    if not isinstance(train, Dataset):
        raise TypeError(f"train must be a datacf.Dataset; got {type(train).__name__}. Wrap it: Dataset(X, y).")
    if not isinstance(model, LogisticRegression):
        raise TypeError(
            f"{caller} supports datacf.models.LogisticRegression only (its objective, Hessian and "
            f"optimum are known in closed form); got {type(model).__name__}. "
            "Use dcf.models.LogisticRegression(C=...)."
        )
    model._check_params()
    if train.classes.size != 2:
        raise ValueError(
            f"{caller} supports binary logistic regression only; the training labels hold "
            f"{train.classes.size} class(es), {train.classes.tolist()}."
        )
    if method not in REMOVAL_METHODS:
        raise ValueError(f"method={method!r} is not supported; choose one of {list(REMOVAL_METHODS)}.")


def _check_scoring(train, eval, metric, method):
    if eval is not None and not isinstance(eval, Dataset):
        raise TypeError(f"eval must be a datacf.Dataset or None; got {type(eval).__name__}.")
    if eval is not None and eval.n_features != train.n_features:
        raise ValueError(
            f"eval has {eval.n_features} features but train has {train.n_features}; "
            "evaluation points must live in the same feature space."
        )
    check_metric(metric)
    if metric == "accuracy" and method == "influence":
        raise ValueError(
            "method='influence' cannot estimate metric='accuracy': accuracy is piecewise constant "
            "in the parameters, so its gradient is 0 almost everywhere and the first-order change "
            "is always 0. Use method='newton' (the accuracy of the stepped model), or "
            "metric='prob_correct' or 'log_loss'."
        )


def _group_rows(train, groups):
    """Boolean matrix (n_groups, n_points): row g marks the points group g removes."""
    n = train.n_points
    if groups is None:
        return np.eye(n, dtype=bool)
    if isinstance(groups, (str, bytes)) or not np.iterable(groups):
        raise TypeError(f"groups must be a sequence of groups of points; got {type(groups).__name__}.")
    groups = list(groups)
    if not groups:
        raise ValueError("groups is empty; give at least one group, or None for one group per point.")
    rows = np.zeros((len(groups), n), dtype=bool)
    for g, group in enumerate(groups):
        if isinstance(group, (str, bytes)) or not np.iterable(group):
            raise TypeError(
                f"groups[{g}] must be a sequence of point indices or names, such as [0, 3] or "
                f"['A', 'D']; got {group!r:.60}."
            )
        for point in group:
            if isinstance(point, numbers.Integral) and not isinstance(point, bool) and 0 <= point < n:
                index = int(point)
            elif isinstance(point, str) and point in train.names:
                index = train.names.index(point)
            else:
                raise ValueError(
                    f"groups[{g}] holds {point!r:.40}, which is not a training point; pass indices "
                    f"in range({n}) or names from {list(train.names)!r:.120}."
                )
            if rows[g, index]:
                raise ValueError(f"groups[{g}] names point {train.names[index]!r} twice.")
            rows[g, index] = True
        if not rows[g].any():
            raise ValueError(f"groups[{g}] is empty; a group must remove at least one point.")
        if rows[g].all():
            raise ValueError(
                f"groups[{g}] removes every training point; at least one must remain for a model "
                "to be fitted (the grid's empty row is a convention, not a model)."
            )
    return rows


def _check_exact_groups(train, removed):
    """Exact retraining needs both classes left: with one, the optimum is at infinity."""
    t1 = train.y == train.classes[1]
    for g, row in enumerate(removed):
        if not (t1 & ~row).any() or not (~t1 & ~row).any():
            raise ValueError(
                f"groups[{g}] leaves a single class, so method='exact' has no optimum to retrain to (the "
                "unpenalised intercept runs off to infinity; the grid scores that row by its one-class "
                "convention). Remove fewer points, or use method='newton' or 'influence'."
            )


def _designs(train, eval_set):
    """Design matrices with a trailing column of ones for the intercept."""
    return (np.hstack([train.X, np.ones((train.n_points, 1))]),
            np.hstack([eval_set.X, np.ones((eval_set.n_points, 1))]))


def _problem(train, model, design, weights, design_eval):
    """datacf's binary logistic problem with one batch item per row of ``weights``."""
    one_hot = np.eye(2)[np.searchsorted(train.classes, train.y)]
    return _Binary(design, one_hot, weights, float(model.C), design_eval)


def _fit(train, model, design, design_eval):
    """The full-data optimum (weights..., intercept) from datacf's solver, and its problem."""
    problem = _problem(train, model, design, np.ones((1, train.n_points)), design_eval)
    return _newton(problem, model.max_iter)[0], problem


def _steps(train, model, design, theta, removed, method):
    """Parameter change for removing each group (rows of the boolean matrix ``removed``)."""
    if method == "exact":
        _check_exact_groups(train, removed)
        keep = (~removed).astype(np.float64)
        return _newton(_problem(train, model, design, keep, design), model.max_iter) - theta
    C = float(model.C)
    p1 = _sigmoid(design @ theta)
    t1 = (train.y == train.classes[1]).astype(np.float64)
    gradients = C * (p1 - t1)[:, None] * design              # C grad loss_i: (n, d + 1)
    curvature = C * p1 * (1.0 - p1)                           # C d2 loss_i / dz2
    penalty = np.append(np.ones(train.n_features), 0.0)
    hessian = design.T @ (curvature[:, None] * design) + np.diag(penalty)
    pushes = removed @ gradients                              # (n_groups, d + 1)
    if method == "influence":
        return np.linalg.solve(hessian, pushes.T).T
    outer = (design[:, :, None] * design[:, None, :]).reshape(train.n_points, -1)   # x_i x_i^T, flattened
    group_hessians = hessian - ((removed * curvature) @ outer).reshape(-1, *hessian.shape)
    return np.linalg.solve(group_hessians, pushes[:, :, None])[:, :, 0]


def _score_derivative(metric, p1, target):
    """d score / d z at every evaluation point, z = x . theta the log-odds of class 1."""
    slope = p1 * (1.0 - p1)                       # d p1 / d z
    p_true = np.where(target == 1, p1, 1.0 - p1)
    d_true = np.where(target == 1, slope, -slope)   # d p_true / d z
    d_true[target < 0] = 0.0                       # a label the training data never had scores 0
    if metric == "prob_correct":
        return d_true
    return np.where(p_true > LOG_LOSS_EPS, -d_true / np.maximum(p_true, LOG_LOSS_EPS), 0.0)   # log_loss, clipped


class Unlearning(NamedTuple):
    """Parameters before and after removing each group (see ``unlearn``)."""

    full: np.ndarray
    """Shape (n_features + 1,): the full-data optimum, weights then intercept."""
    removed: np.ndarray
    """Shape (n_groups, n_features + 1): the parameters after removing each group."""
    gradient_norm: np.ndarray
    """Shape (n_groups,): Euclidean norm of the gradient of the objective without the group at
    ``removed``; 0 at the retrained optimum, the quantity certified removal bounds."""


def unlearn(train, model, groups=None, method="newton"):
    """Remove training points from a fitted logistic regression, approximately or exactly.

    Starts from the full-data optimum theta of J(theta) = C sum_i loss(theta; z_i) +
    ||w||^2 / 2 (scikit-learn's objective, intercept not penalised) and, for each group G,
    returns the parameters without G and how far they are from optimal for the objective
    without G, J_G = J - C sum_{i in G} loss_i.

    Parameters
    ----------
    train : Dataset
        Training points with exactly two classes (any number of points; no grid is built).
    model : datacf.models.LogisticRegression
        Gives C and ``max_iter``.
    groups : sequence of sequences of int or str, default=None
        Sets of points removed together, by index or name, e.g. ``[[0, 3], ["F"]]``; None
        means each point on its own, ``[[0], [1], ..., [n - 1]]``. A group may not remove
        every point, and with ``method="exact"`` it must leave both classes.
    method : {"newton", "influence", "exact"}, default="newton"
        "newton": one exact Newton step on J_G from theta, theta + H_G^-1 C sum_G grad loss_i,
        with H_G the Hessian of J_G at theta (the removal step of Guo et al. 2020).
        "influence": the same step with H, the Hessian of J at theta (Koh & Liang 2017).
        "exact": retrain on N minus G with datacf's solver (the reference).

    Returns
    -------
    Unlearning
        A named tuple ``(full, removed, gradient_norm)``. Parameters are weights then
        intercept, for the log-odds of the larger label.

    Raises
    ------
    TypeError
        If ``model`` is not ``dcf.models.LogisticRegression``, ``train`` is not a Dataset, or
        ``groups`` is not a sequence of sequences.
    ValueError
        For labels without exactly two classes, an unknown method, or a malformed group.

    Notes
    -----
    Certified removal (Guo et al. 2020) releases theta + step_G plus noise scaled to a bound
    on ``gradient_norm``: the noise hides the gap between the Newton step and retraining.
    ``gradient_norm`` is that gap measured directly; retraining ("exact") makes it 0 up to
    the solver's tolerance.

    Examples
    --------
    >>> import datacf as dcf
    >>> train = dcf.Dataset([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]], [0, 0, 1, 0, 1, 1])
    >>> model = dcf.models.LogisticRegression(C=0.5)

    With six points, removing one moves the model a lot: the Newton step goes most of the
    way, and only retraining leaves a zero gradient.

    >>> dcf.unlearn(train, model, groups=[["C"]], method="exact").removed.round(3)
    array([[ 0.715, -2.46 ]])
    >>> newton = dcf.unlearn(train, model, groups=[["C"]])
    >>> newton.full.round(3), newton.removed.round(3), newton.gradient_norm.round(3)
    (array([ 0.601, -1.502]), array([[ 0.676, -2.302]]), array([0.036]))
    """
    _check_model(train, model, method, "unlearn")
    removed = _group_rows(train, groups)
    design, design_eval = _designs(train, train)
    theta, _ = _fit(train, model, design, design_eval)
    parameters = theta + _steps(train, model, design, theta, removed, method)
    t1 = (train.y == train.classes[1]).astype(np.float64)
    residuals = (~removed) * (_sigmoid(parameters @ design.T) - t1)          # (n_groups, n)
    penalty = np.append(np.ones(train.n_features), 0.0)
    gradients = float(model.C) * residuals @ design + penalty * parameters
    return Unlearning(theta, parameters, np.linalg.norm(gradients, axis=1))


def influence(train, model, eval=None, metric="prob_correct", method="influence", groups=None):
    """Estimate the effect of removing training points on each evaluation score, without retraining.

    For L2-regularised binary logistic regression, ``influence(...)[g, j]`` estimates
    ``f_j(theta_G) - f_j(theta)``, the change in the score at evaluation point j when the
    model is refitted without the points of group g: in grid terms, with ``grid =
    compute_grid(train, model, eval, metric)``, an estimate of ``grid.values[N minus G, j] -
    grid.values[N, j]``. Positive means removing the points raises the score (for
    ``log_loss``, raises the loss).

    Both approximations start from the full-data optimum theta of scikit-learn's objective
    J(theta) = C sum_i loss(theta; z_i) + ||w||^2 / 2 (intercept not penalised), fitted by
    datacf's solver, and take one step towards the optimum without G:
    step_G = A^-1 C sum_{i in G} grad loss(theta; z_i).

    Parameters
    ----------
    train : Dataset
        Training points with exactly two classes (any number of points; no grid is built).
    model : datacf.models.LogisticRegression
        Gives C and ``max_iter`` for the full-data fit.
    eval : Dataset, default=None
        Evaluation points (the columns); None evaluates on ``train`` itself.
    metric : {"prob_correct", "log_loss", "accuracy"}, default="prob_correct"
        The score f_j, as in ``compute_grid``. "accuracy" needs ``method="newton"`` or
        "exact": it is piecewise constant, so its first-order change is 0 almost everywhere.
    method : {"influence", "newton", "exact"}, default="influence"
        "influence" (Koh & Liang 2017): A = H, the Hessian of J at theta; the result is the
        first-order change grad f_j(theta) . step_G. For ``metric="log_loss"`` and a single
        point this is -1/n times Koh & Liang's I_up,loss(z_i, z_j) for the mean loss with
        regulariser ||w||^2 / (2 n C). "newton": A = H_G, the Hessian of the objective without
        G at theta, so theta + step_G is one exact Newton step towards the retrained optimum
        (Guo et al. 2020); the result is f_j(theta + step_G) - f_j(theta). "exact": retrain
        without G (the truth the other two estimate, for any number of points).
    groups : sequence of sequences of int or str, default=None
        Sets of points removed together, by index or name, e.g. ``[[0, 3], ["F"]]``; None
        means each point on its own, ``[[0], [1], ..., [n - 1]]``. A group may not remove
        every point, and with ``method="exact"`` it must leave both classes.

    Returns
    -------
    ndarray of shape (n_groups, n_eval)
        Row g estimates the change of every evaluation score when group g is removed
        (n_groups = n_points when ``groups`` is None). Leave-one-out of the grid is the
        opposite sign, averaged: ``grid.loo() ~ -influence(...).mean(axis=1)``.

    Raises
    ------
    TypeError
        If ``model`` is not ``dcf.models.LogisticRegression``, ``train`` or ``eval`` is not a
        Dataset, or ``groups`` is not a sequence of sequences.
    ValueError
        For labels without exactly two classes, an unknown metric or method, "accuracy" with
        "influence", or a group that is empty, repeats a point, names an unknown point or
        removes every point (or, for "exact", leaves one class).

    Notes
    -----
    Both approximations are local around theta. They are accurate when removing the points
    moves the parameters little: many points and strong regularisation (small C). They
    degrade with few points, high-leverage points and large groups (Koh et al. 2019), where
    the Newton step, which uses the Hessian without G, is much closer. On nearly separable
    data with weak regularisation (large C) both fail, and the Newton step can overshoot
    further than the first-order term. When removing G leaves one class, the grid's row is
    the one-class convention (certainty), which no single step reaches.

    References
    ----------
    Koh & Liang (2017), ICML; Koh, Ang, Teo & Liang (2019), NeurIPS; Guo, Goldstein, Hannun &
    van der Maaten (2020), ICML; Basu, Pope & Feizi (2021), ICLR.

    Examples
    --------
    >>> import datacf as dcf
    >>> train = dcf.Dataset([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]], [0, 0, 1, 0, 1, 1])
    >>> model = dcf.models.LogisticRegression(C=0.5)

    Removing point C (index 2) of six, against retraining:

    >>> grid = dcf.compute_grid(train, model)
    >>> (grid.row("ABDEF") - grid.row("ABCDEF")).round(3)
    array([ 0.103,  0.14 , -0.163,  0.153, -0.113, -0.065])
    >>> dcf.influence(train, model, groups=[["C"]]).round(3)
    array([[ 0.093,  0.117, -0.124,  0.11 , -0.081, -0.05 ]])
    >>> dcf.influence(train, model, method="newton", groups=[["C"]]).round(3)
    array([[ 0.091,  0.124, -0.147,  0.143, -0.112, -0.072]])
    """
    _check_model(train, model, method, "influence")
    _check_scoring(train, eval, metric, method)
    eval_set = train if eval is None else eval
    removed = _group_rows(train, groups)
    design, design_eval = _designs(train, eval_set)
    theta, problem = _fit(train, model, design, design_eval)
    steps = _steps(train, model, design, theta, removed, method)
    target = np.searchsorted(train.classes, eval_set.y)
    target[~np.isin(eval_set.y, train.classes)] = -1
    if method == "influence":
        p1_eval = _sigmoid(design_eval @ theta)
        return (steps @ design_eval.T) * _score_derivative(metric, p1_eval, target)[None, :]
    proba = problem.proba(np.vstack([theta, theta + steps]), design_eval)
    hard = proba.argmax(axis=2) if metric == "accuracy" else None
    scores = score_cells(metric, proba, hard, target)
    return scores[1:] - scores[:1]

