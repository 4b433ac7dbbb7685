"""L2-regularised logistic regression over every training subset at once (batched Newton).

Each subset solves scikit-learn's ``LogisticRegression(C=C)`` problem,

    minimise  C * sum_{i in S} loss_i(w, b) + ||w||^2 / 2      (intercept b not penalised),

binary (sigmoid) when S holds two classes and multinomial (softmax) when it holds more, as
scikit-learn does. Subsets are batched by weighting each point's loss by its membership, and
all of them take damped Newton steps together: exact Hessians, a backtracking line search
that guarantees descent, and a stop on the gradient norm. Subsets are grouped by the set of
classes they contain, because that decides the shape of the model.
"""
import numbers
import warnings

import numpy as np

from ._base import FastLearner

__all__ = ["LogisticRegression", "ConvergenceWarning"]

# Newton converges quadratically, so a subset is done when its gradient max-norm is below
# GRADIENT_TOL or its Newton step (an estimate of the distance to the optimum) is below
# STEP_TOL. The step test matters for large C, where rounding keeps the gradient above any
# fixed threshold; either leaves probabilities far inside the 1e-6 agreement with
# scikit-learn that DESIGN.md requires.
GRADIENT_TOL = 1e-10
STEP_TOL = 1e-10   # relative to 1 + the largest parameter
MAX_NEWTON_STEPS = 100
# Backtracking halves the step at most this often; 2**-40 of a Newton step is already
# below float64 resolution for any sensible problem.
MAX_HALVINGS = 40
ARMIJO_SLOPE = 1e-4
# Near the optimum a Newton step lowers the objective by less than float64 can resolve;
# this slack (in units of the objective's size) lets such steps through instead of stalling.
ROUNDING_SLACK = 64 * np.finfo(np.float64).eps


class ConvergenceWarning(UserWarning):
    """Raised as a warning when some subsets' Newton iterations did not reach tolerance."""


class LogisticRegression(FastLearner):
    """Logistic regression with scikit-learn's objective, fitted on all subsets at once.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength, exactly as in scikit-learn.
    max_iter : int, default=100
        Newton steps before giving up on a subset (with a ``ConvergenceWarning``).

    Examples
    --------
    >>> import datacf as dcf
    >>> train = dcf.Dataset([[0.0], [1.0], [3.0], [4.0]], [0, 0, 1, 1])
    >>> grid = dcf.compute_grid(train, dcf.models.LogisticRegression(C=1.0), metric="accuracy")
    >>> grid.row("ABCD").tolist()
    [1.0, 1.0, 1.0, 1.0]
    """

    def __init__(self, C=1.0, max_iter=MAX_NEWTON_STEPS):
        self.C = C
        self.max_iter = max_iter

    def _check_params(self):
        if not isinstance(self.C, numbers.Real) or not np.isfinite(self.C) or self.C <= 0:
            raise ValueError(f"LogisticRegression needs a positive finite C; got C={self.C!r}.")
        if not isinstance(self.max_iter, numbers.Integral) or self.max_iter < 1:
            raise ValueError(f"max_iter must be a positive integer; got {self.max_iter!r}.")

    def _predict_proba_subsets(self, X, codes, n_classes, X_eval, members):
        design = np.hstack([X, np.ones((X.shape[0], 1))])
        design_eval = np.hstack([X_eval, np.ones((X_eval.shape[0], 1))])
        one_hot = np.eye(n_classes, dtype=bool)[codes]
        patterns = (members.astype(np.int64) @ one_hot.astype(np.int64)) > 0   # classes in S
        keys = patterns @ (1 << np.arange(n_classes))
        proba = np.zeros((members.shape[0], X_eval.shape[0], n_classes))
        for key in np.unique(keys):
            rows = np.flatnonzero(keys == key)
            classes = np.flatnonzero(patterns[rows[0]])
            weights = members[rows].astype(np.float64)
            targets = one_hot[:, classes].astype(np.float64)
            model = _Binary if classes.size == 2 else _Multinomial
            problem = model(design, targets, weights, float(self.C))
            theta = _newton(problem, self.max_iter)
            proba[np.ix_(rows, np.arange(X_eval.shape[0]), classes)] = problem.proba(theta, design_eval)
        return proba


def _newton(problem, max_iter):
    """Minimise ``problem`` for every batch item with damped Newton steps; return parameters."""
    theta = problem.start()
    active = np.arange(theta.shape[0])
    for _ in range(max_iter):
        grad, step = _newton_step(problem, theta, active)
        small_step = np.abs(step).max(axis=1) <= STEP_TOL * (1.0 + np.abs(theta[active]).max(axis=1))
        theta[active[small_step]] -= step[small_step]
        done = small_step | (np.abs(grad).max(axis=1) <= GRADIENT_TOL)
        active, grad, step = active[~done], grad[~done], step[~done]
        if active.size == 0:
            return theta
        _line_search(problem, theta, active, grad, step)
    grad, step = _newton_step(problem, theta, active)
    stuck = (np.abs(grad).max(axis=1) > GRADIENT_TOL) & (
        np.abs(step).max(axis=1) > STEP_TOL * (1.0 + np.abs(theta[active]).max(axis=1))
    )
    if stuck.any():
        warnings.warn(
            f"Logistic regression did not converge on {stuck.sum()} subset(s) within "
            f"max_iter={max_iter} Newton steps (largest gradient {np.abs(grad).max():.2e}); "
            "their probabilities may be inexact. Increase max_iter or lower C.",
            ConvergenceWarning,
            stacklevel=4,
        )
    return theta


def _newton_step(problem, theta, active):
    grad, hess = problem.derivatives(theta[active], active)
    return grad, np.linalg.solve(hess, grad[:, :, None])[:, :, 0]


def _line_search(problem, theta, active, grad, step):
    """Backtrack each item's step until the Armijo condition holds; update theta in place."""
    current = problem.value(theta[active], active)
    slope = (grad * step).sum(axis=1)
    scale = np.ones(active.size)
    pending = np.ones(active.size, dtype=bool)
    for _ in range(MAX_HALVINGS):
        idx = np.flatnonzero(pending)
        trial = theta[active[idx]] - scale[idx, None] * step[idx]
        accepted = problem.value(trial, active[idx]) <= (
            current[idx] - ARMIJO_SLOPE * scale[idx] * slope[idx] + ROUNDING_SLACK * (1.0 + np.abs(current[idx]))
        )
        theta[active[idx[accepted]]] = trial[accepted]
        pending[idx[accepted]] = False
        scale[idx[~accepted]] /= 2
        if not pending.any():
            return


class _Binary:
    """Sigmoid model: parameters (weights..., intercept); class 1 is the larger label."""

    def __init__(self, design, targets, weights, C):
        self.design, self.t, self.m, self.C = design, targets[:, 1], weights, C
        self.penalty = np.ones(design.shape[1])
        self.penalty[-1] = 0.0   # intercept not penalised

    def start(self):
        return np.zeros((self.m.shape[0], self.design.shape[1]))

    def value(self, theta, rows):
        z = theta @ self.design.T
        loss = np.logaddexp(0.0, np.where(self.t == 1, -z, z))   # log(1 + e^{∓z}) without cancellation
        return self.C * (self.m[rows] * loss).sum(axis=1) + 0.5 * (self.penalty * theta**2).sum(axis=1)

    def derivatives(self, theta, rows):
        z = theta @ self.design.T
        p = _expit(z)
        m = self.m[rows]
        residual = np.where(self.t == 1, -_expit(-z), p)   # p - t, exact even when p is near 1
        grad = self.C * (m * residual) @ self.design + self.penalty * theta
        curvature = self.C * m * p * (1.0 - p)
        hess = np.einsum("bi,ij,ik->bjk", curvature, self.design, self.design)
        hess += np.diag(self.penalty)
        return grad, hess

    def proba(self, theta, design_eval):
        z = theta @ design_eval.T
        return np.stack([_expit(-z), _expit(z)], axis=2)


class _Multinomial:
    """Softmax model with one (weights, intercept) block per class, flattened class-major.

    Shifting every intercept by the same amount leaves the objective unchanged, so the
    Hessian is singular along that direction. The gradient is always orthogonal to it, so
    adding its outer product to the Hessian makes the system solvable without changing
    the Newton step.
    """

    def __init__(self, design, targets, weights, C):
        self.design, self.t, self.m, self.C = design, targets, weights, C
        self.n_classes, self.width = targets.shape[1], design.shape[1]
        block = np.ones(self.width)
        block[-1] = 0.0
        self.penalty = np.tile(block, self.n_classes)
        shift = np.tile(1.0 - block, self.n_classes)
        self.null = np.outer(shift, shift)

    def start(self):
        return np.zeros((self.m.shape[0], self.n_classes * self.width))

    def _scores(self, theta):
        blocks = theta.reshape(theta.shape[0], self.n_classes, self.width)
        return np.einsum("ij,bcj->bic", self.design, blocks)   # (batch, points, classes)

    def value(self, theta, rows):
        z = self._scores(theta)
        top = z.max(axis=2, keepdims=True)
        log_norm = top[:, :, 0] + np.log(np.exp(z - top).sum(axis=2))
        loss = log_norm - (self.t[None] * z).sum(axis=2)
        return self.C * (self.m[rows] * loss).sum(axis=1) + 0.5 * (self.penalty * theta**2).sum(axis=1)

    def derivatives(self, theta, rows):
        p = _softmax(self._scores(theta))
        m = self.m[rows]
        residual = (m[:, :, None] * (p - self.t[None])) * self.C
        grad = np.einsum("bic,ij->bcj", residual, self.design).reshape(theta.shape)
        grad += self.penalty * theta
        k = self.n_classes
        cross = -np.einsum("bic,bid->bicd", p, p)
        cross[:, :, np.arange(k), np.arange(k)] += p
        cross *= (self.C * m)[:, :, None, None]
        hess = np.einsum("bicd,ij,il->bcjdl", cross, self.design, self.design)
        hess = hess.reshape(theta.shape[0], k * self.width, k * self.width)
        hess += np.diag(self.penalty) + self.null
        return grad, hess

    def proba(self, theta, design_eval):
        blocks = theta.reshape(theta.shape[0], self.n_classes, self.width)
        return _softmax(np.einsum("ij,bcj->bic", design_eval, blocks))


def _expit(z):
    """The logistic function, without overflow warnings for large |z|."""
    return np.exp(-np.logaddexp(0.0, -z))


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
