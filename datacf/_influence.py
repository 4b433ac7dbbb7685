"""Influence functions and Newton removal steps for L2 logistic regression.

Both estimate, without retraining, what removing a group G of training points does to the
score at each evaluation point: ``values[N minus G, j] - values[N, j]`` in grid terms. They
start from the full-data optimum theta of scikit-learn's binary objective

    J(theta) = C * sum_i loss(theta; z_i) + ||w||^2 / 2      (intercept not penalised),

fitted by datacf's own solver (``datacf.models.LogisticRegression``). Removing G changes the
objective to J_G = J - C * sum_{i in G} loss_i, and both methods take one step from theta,

    step_G = A^-1 * C * sum_{i in G} grad loss(theta; z_i),

which is minus J_G's gradient at theta (J's gradient is zero there) premultiplied by A^-1:

- ``method="influence"`` (Koh & Liang 2017; groups: Koh et al. 2019) uses A = H, the Hessian
  of J at theta, and reports the first-order change of the score, grad f_j(theta) . step_G;
- ``method="newton"`` uses A = H_G, the Hessian of J_G at theta, which makes the step one exact
  Newton step on the objective without G, as in certified removal (Guo et al. 2020), and
  reports the score's actual change f_j(theta + step_G) - f_j(theta).

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

import numpy as np

from ._dataset import Dataset
from ._metrics import LOG_LOSS_EPS, check_metric, score_cells
from .models import LogisticRegression
from .models._logistic import _Binary, _newton

__all__ = ["influence", "INFLUENCE_METHODS"]

INFLUENCE_METHODS = ("influence", "newton")


def _check_call(train, model, eval, metric, method):
    if not isinstance(train, Dataset):
        raise TypeError(f"train must be a datacf.Dataset; got {type(train).__name__}. Wrap it: Dataset(X, y).")
    if not isinstance(model, LogisticRegression):
        raise TypeError(
            "influence supports datacf.models.LogisticRegression only (its objective, Hessian and "
            f"optimum are known in closed form); got {type(model).__name__}. "
            "Use dcf.models.LogisticRegression(C=...)."
        )
    model._check_params()
    if train.classes.size != 2:
        raise ValueError(
            f"influence supports binary logistic regression only; the training labels hold "
            f"{train.classes.size} class(es), {train.classes.tolist()}."
        )
    if eval is not None and not isinstance(eval, Dataset):
        raise TypeError(f"eval must be a datacf.Dataset or None; got {type(eval).__name__}.")
    if eval is not None and eval.n_features != train.n_features:
        raise ValueError(
            f"eval has {eval.n_features} features but train has {train.n_features}; "
            "evaluation points must live in the same feature space."
        )
    check_metric(metric)
    if method not in INFLUENCE_METHODS:
        raise ValueError(f"method={method!r} is not supported; choose one of {list(INFLUENCE_METHODS)}.")
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


def _designs(train, eval_set):
    """Design matrices with a trailing column of ones for the intercept."""
    return (np.hstack([train.X, np.ones((train.n_points, 1))]),
            np.hstack([eval_set.X, np.ones((eval_set.n_points, 1))]))


def _fit(train, model, design, design_eval):
    """The full-data optimum (weights..., intercept) from datacf's solver, and its problem."""
    one_hot = np.eye(2)[np.searchsorted(train.classes, train.y)]
    problem = _Binary(design, one_hot, np.ones((1, train.n_points)), float(model.C), design_eval)
    return _newton(problem, model.max_iter)[0], problem


def _score_derivative(metric, p1, target):
    """d score / d z at every evaluation point, z = x . theta the log-odds of class 1."""
    slope = p1 * (1.0 - p1)                       # d p1 / d z
    p_true = np.where(target == 1, p1, 1.0 - p1)
    d_true = np.where(target == 1, slope, -slope)   # d p_true / d z
    d_true[target < 0] = 0.0                       # a label the training data never had scores 0
    if metric == "prob_correct":
        return d_true
    return np.where(p_true > LOG_LOSS_EPS, -d_true / np.maximum(p_true, LOG_LOSS_EPS), 0.0)   # log_loss, clipped


def influence(train, model, eval=None, metric="prob_correct", method="influence", groups=None):
    """Estimate the effect of removing training points on each evaluation score, without retraining.

    For L2-regularised binary logistic regression, ``influence(...)[g, j]`` estimates
    ``f_j(theta_G) - f_j(theta)``, the change in the score at evaluation point j when the
    model is refitted without the points of group g: in grid terms, with ``grid =
    compute_grid(train, model, eval, metric)``, an estimate of ``grid.values[N minus G, j] -
    grid.values[N, j]``. Positive means removing the points raises the score (for
    ``log_loss``, raises the loss).

    Both methods start from the full-data optimum theta of scikit-learn's objective
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
        The score f_j, as in ``compute_grid``. "accuracy" needs ``method="newton"``: it is
        piecewise constant, so its first-order change is 0 almost everywhere.
    method : {"influence", "newton"}, default="influence"
        "influence" (Koh & Liang 2017): A = H, the Hessian of J at theta; the result is the
        first-order change grad f_j(theta) . step_G. For ``metric="log_loss"`` and a single
        point this is -1/n times Koh & Liang's I_up,loss(z_i, z_j) for the mean loss with
        regulariser ||w||^2 / (2 n C). "newton": A = H_G, the Hessian of the objective without
        G at theta, so theta + step_G is one exact Newton step towards the retrained optimum
        (Guo et al. 2020); the result is f_j(theta + step_G) - f_j(theta).
    groups : sequence of sequences of int or str, default=None
        Sets of points removed together, by index or name, e.g. ``[[0, 3], ["F"]]``; None
        means each point on its own, ``[[0], [1], ..., [n - 1]]``. A group may not remove
        every point.

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
        removes every point.

    Notes
    -----
    Both are local approximations around theta. They are accurate when removing the points
    moves the parameters little: many points and strong regularisation (small C). They
    degrade with few points, weak regularisation on nearly separable data (the optimum is
    flat and far out), high-leverage points, and large groups (Koh et al. 2019). The Newton
    step corrects the leverage error of the first-order term (it uses the Hessian without
    G), but not the curvature of the loss along the step. When removing G leaves one class,
    the grid's row is the one-class convention (certainty), which no single step reaches.

    References
    ----------
    Koh & Liang (2017), ICML; Koh, Ang, Teo & Liang (2019), NeurIPS; Guo, Goldstein, Hannun &
    van der Maaten (2020), ICML; Basu, Pope & Feizi (2021), ICLR.

    Examples
    --------
    >>> import datacf as dcf
    >>> train = dcf.Dataset([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]], [0, 0, 1, 0, 1, 1])
    >>> model = dcf.models.LogisticRegression(C=0.5)
    >>> estimate = dcf.influence(train, model, method="newton")
    >>> exact = dcf.compute_grid(train, model)
    >>> full = exact.values[-1]
    >>> without_c = exact.row("ABDEF")            # retrained without C (index 2)
    >>> bool(abs(estimate[2] - (without_c - full)).max() < 0.01)
    True
    """
    _check_call(train, model, eval, metric, method)
    eval_set = train if eval is None else eval
    removed = _group_rows(train, groups).astype(np.float64)
    design, design_eval = _designs(train, eval_set)
    theta, problem = _fit(train, model, design, design_eval)
    C = float(model.C)

    target = np.searchsorted(train.classes, eval_set.y)
    target[~np.isin(eval_set.y, train.classes)] = -1
    p1 = problem.proba(theta[None], design)[0, :, 1]
    t1 = (train.y == train.classes[1]).astype(np.float64)
    gradients = C * (p1 - t1)[:, None] * design            # C grad loss_i: (n, d + 1)
    curvature = C * p1 * (1.0 - p1)                         # each point's C d2 loss / dz2
    penalty = np.append(np.ones(train.n_features), 0.0)
    hessian = design.T @ (curvature[:, None] * design) + np.diag(penalty)
    pushes = removed @ gradients                            # (n_groups, d + 1)
    if method == "influence":
        steps = np.linalg.solve(hessian, pushes.T).T
    else:
        outer = (design[:, :, None] * design[:, None, :]).reshape(train.n_points, -1)   # x_i x_i^T, flattened
        group_hessians = hessian - ((removed * curvature) @ outer).reshape(-1, *hessian.shape)
        steps = np.linalg.solve(group_hessians, pushes[:, :, None])[:, :, 0]

    if method == "influence":
        p1_eval = problem.proba(theta[None], design_eval)[0, :, 1]
        return (steps @ design_eval.T) * _score_derivative(metric, p1_eval, target)[None, :]
    proba = problem.proba(np.vstack([theta, theta + steps]), design_eval)
    hard = proba.argmax(axis=2) if metric == "accuracy" else None
    scores = score_cells(metric, proba, hard, target)
    return scores[1:] - scores[:1]
