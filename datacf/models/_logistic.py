"""L2-regularised logistic regression over every training subset at once (batched Newton).

Each subset solves scikit-learn's ``LogisticRegression(C=C)`` problem,

    minimise  C * sum_{i in S} loss_i(w, b) + ||w||^2 / 2      (intercept b not penalised),

binary (sigmoid) when S holds two classes and multinomial (softmax) when it holds more, as
scikit-learn does. Subsets are batched by weighting each point's loss by its membership, and
all of them take damped Newton steps together: exact Hessians, a backtracking line search
that guarantees descent, and a stop once a step no longer moves any score. Subsets are
grouped by the set of classes they contain, because that decides the shape of the model.
Large batches start most subsets from an already solved neighbouring subset (``_warm_solve``),
which halves the Newton steps without changing the optimum reached.
"""
import copy
import numbers
import warnings

import numpy as np

from .._memory import FLOAT
from ._base import FastLearner, membership

__all__ = ["LogisticRegression", "ConvergenceWarning"]

# Newton converges quadratically, and its step estimates the distance to the optimum; a
# subset is done when that step moves no score z = x.theta (of a training or evaluation
# point) by more than SCORE_TOL times 1 + the largest score. Scores, not parameters or the
# gradient, are what the probabilities depend on, so the test does not depend on the units
# of the features or on C (a fixed gradient threshold stops far too early when features
# are scaled by 1e8 or C is tiny). The relative part matters for large C, where scores are
# large and rounding keeps the step above any fixed threshold. A probability moves by at
# most a quarter of its score, far inside the 1e-6 agreement DESIGN.md requires.
SCORE_TOL = 1e-10
MAX_NEWTON_STEPS = 100
# Backtracking halves the step at most this often; 2**-40 of a Newton step is already
# below float64 resolution for any sensible problem.
MAX_HALVINGS = 40
ARMIJO_SLOPE = 1e-4
# Near the optimum a Newton step lowers the objective by less than float64 can resolve;
# this slack (in units of the objective's size) lets such steps through instead of stalling.
ROUNDING_SLACK = 64 * np.finfo(np.float64).eps
# The Newton system is solved after symmetric diagonal (Jacobi) scaling, which makes it
# independent of the units of the features (data scaled by 1e8 is no harder than data in
# [0, 1]), and with SINGULAR_RCOND added to its unit diagonal (Levenberg damping). With a
# huge C on a rank-deficient subset the penalty is lost below rounding and the Hessian is
# singular, even indefinite, in float64; the damping keeps the system solvable and gives
# no step in directions float64 cannot resolve, while changing a well-conditioned step
# only by a relative 1e-13, far below the tolerances above. 1e3 * eps keeps the damped
# system's condition number below 1 / (1e3 * eps) = 4.5e12, so its solve keeps about
# three digits even in the worst direction.
SINGULAR_RCOND = 1e3 * np.finfo(np.float64).eps
# Warm starts (``_warm_solve``). Newton from a nearby optimum needs about half the steps
# of the cold start. The items of a batch are solved in waves: those at multiples of
# WARM_STRIDES[0] first, then those at the odd multiples of each following stride, each
# offered the solutions of its two neighbours at that distance, which earlier waves solved.
# Neighbouring rows are often nearly the same subset (permutation prefixes, the exact
# grid's bit order). The stopping rule is unchanged, so the results are the same optima.
# The waves cost a few dozen array operations each, whatever the batch, and save work in
# proportion to items x points x parameters^2; below WARM_MIN_WORK of that (e.g. an exact
# grid of 10 points in 2-D: 90,000) the plain batch is faster.
WARM_MIN_WORK = 10**6
WARM_STRIDES = (8, 4, 2, 1)
# The first wave also starts from anchors (``_anchors``): the whole pool solved with its
# losses weighted by the item's share of the points, rounded to this many levels.
ANCHOR_LEVELS = 16


class ConvergenceWarning(UserWarning):
    """Raised as a warning when some subsets' Newton iterations did not reach tolerance."""


class LogisticRegression(FastLearner):
    """Logistic regression with scikit-learn's objective, fitted on all subsets at once.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength, exactly as in scikit-learn. For 0.01 <= C <= 1000
        the probabilities agree within 1e-6 with scikit-learn's ``LogisticRegression(C=C,
        tol=1e-10)`` on every subset of the test datasets (DESIGN.md §3), against its
        ``newton-cholesky`` solver; its default lbfgs is itself off by more than 1e-6 from
        about C = 100. Larger C (up to 1e18) and features in any units (scaled by 1e8)
        still converge to finite probabilities, closer to the optimum than scikit-learn.
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
        if isinstance(self.C, bool) or not isinstance(self.C, numbers.Real) or not np.isfinite(self.C) or self.C <= 0:
            raise ValueError(f"LogisticRegression needs a positive finite C; got C={self.C!r}.")
        if isinstance(self.max_iter, bool) or not isinstance(self.max_iter, numbers.Integral) or self.max_iter < 1:
            raise ValueError(f"max_iter must be a positive integer; got {self.max_iter!r}.")

    def _predict_proba_subsets(self, X, codes, n_classes, X_eval, rows):
        with np.errstate(over="ignore"):
            overflows = not np.isfinite(np.concatenate([X, X_eval]) ** 2).all()
        if overflows:
            raise ValueError(
                f"LogisticRegression cannot fit features as large as {np.abs(np.concatenate([X, X_eval])).max():.3g}: "
                "their squares overflow float64. Standardise the features (e.g. divide by their scale)."
            )
        design = np.hstack([X, np.ones((X.shape[0], 1))])
        design_eval = np.hstack([X_eval, np.ones((X_eval.shape[0], 1))])
        one_hot = np.eye(n_classes)[codes]
        members = membership(rows, X.shape[0])
        patterns = (members.astype(np.int64) @ one_hot.astype(np.int64)) > 0   # which classes each subset holds
        keys = patterns @ (1 << np.arange(n_classes))
        proba = np.zeros((len(rows), X_eval.shape[0], n_classes))
        chunk = self._chunk_size(X.shape[0], X.shape[1], X_eval.shape[0], n_classes)
        for key in np.unique(keys):
            self._fit_group(np.flatnonzero(keys == key), patterns, members, one_hot, design, design_eval, proba, chunk)
        return proba

    def _fixed_bytes(self, n_points, n_features, n_eval, n_classes):
        width = n_features + 1
        # the upper triangles of the outer products x_i x_i^T (binary case) and the one-hot labels
        return FLOAT * n_points * (width * (width + 1) // 2 + n_classes)

    def _row_bytes(self, n_points, n_features, n_eval, n_classes):
        # Estimated as multinomial when there are more than two classes (binary subsets are
        # cheaper). Up to four Hessian-sized arrays are alive at once (the current one, its
        # damped copy, the trial point's, and the solver's), plus per-point class tables;
        # tracemalloc measures about three.
        params = (n_features + 1) * (n_classes if n_classes > 2 else 1)
        per_point = n_classes * (4 * n_classes + 16)
        return FLOAT * (4 * params * params + n_points * per_point + 2 * (n_points + n_eval) * n_classes)

    def _peak_bytes(self, n_points, n_features, n_eval, n_classes, rows):
        # Warm starts (_warm_solve) fit a batch in waves, the largest of which is half of it.
        params = (n_features + 1) * (n_classes if n_classes > 2 else 1)
        at_once = -(-rows // 2) if _warm_starts_pay(rows, n_points, params) else rows
        return super()._peak_bytes(n_points, n_features, n_eval, n_classes, at_once)

    def _fit_group(self, group, patterns, members, one_hot, design, design_eval, proba, chunk):
        """Fit the subsets ``group``, which hold the same classes, ``chunk`` at a time; write their probabilities."""
        classes = np.flatnonzero(patterns[group[0]])
        model = _Binary if classes.size == 2 else _Multinomial
        problem = model(design, one_hot[:, classes], members[group].astype(np.float64), float(self.C), design_eval)
        theta = _warm_solve(problem, self.max_iter, chunk)
        columns = np.arange(design_eval.shape[0])
        for start in range(0, group.size, chunk):
            part = slice(start, start + chunk)
            proba[np.ix_(group[part], columns, classes)] = problem.proba(theta[part], design_eval)


def _warm_solve(problem, max_iter, chunk):
    """Minimise every batch item of ``problem``, ``chunk`` items at a time; return the parameters.

    Above ``WARM_MIN_WORK`` they are solved in waves (``WARM_STRIDES``), each item starting
    from the candidate with the lowest objective among the cold start, its anchor
    (``_anchors``) and the two items at the wave's stride on either side of it, which
    earlier waves solved.
    """
    theta = problem.start()
    count = theta.shape[0]
    index = np.arange(count)
    if not _warm_starts_pay(count, problem.m.shape[1], theta.shape[1]):
        for start in range(0, count, chunk):
            _newton(problem, max_iter, theta, index[start:start + chunk])
        return theta
    anchors, anchor_of = _anchors(problem, max_iter)
    solved = np.zeros(count, dtype=bool)
    for stride in WARM_STRIDES:
        wave = index[~solved & (index % stride == 0)]
        for start in range(0, wave.size, chunk):
            items = wave[start:start + chunk]
            candidates = [theta[items], anchors[anchor_of[items]]]
            if solved.any():   # the neighbours at multiples of 2 * stride are solved
                last = (count - 1) // (2 * stride) * (2 * stride)
                candidates += [theta[items - stride], theta[np.minimum(items + stride, last)]]
            best = np.stack([problem.value(c, items) for c in candidates]).argmin(axis=0)
            theta[items] = np.stack(candidates)[best, np.arange(items.size)]
            _newton(problem, max_iter, theta, items)
        solved[wave] = True
    return theta


def _warm_starts_pay(count, n_points, n_params):
    """Whether ``count`` fits of ``n_points`` points and ``n_params`` parameters are worth solving in waves."""
    return count * n_points * n_params**2 >= WARM_MIN_WORK


def _anchors(problem, max_iter):
    """Solutions of the whole pool at the weight of each item's size, and each item's anchor.

    An item holding a fraction f of the group's points has, in expectation over subsets
    of that size, the objective of the whole pool with every loss weighted by f: its
    solution is a good start. Fractions are rounded to ``ANCHOR_LEVELS`` levels.
    """
    fraction = problem.m.sum(axis=1) / problem.pool.sum()
    level = np.clip(np.round(fraction * ANCHOR_LEVELS), 1, ANCHOR_LEVELS).astype(np.int64)
    levels, anchor_of = np.unique(level, return_inverse=True)
    anchor = copy.copy(problem)
    anchor.m = levels[:, None] / ANCHOR_LEVELS * problem.pool[None, :]
    return _newton(anchor, max_iter, warn=False), anchor_of


def _newton(problem, max_iter, theta=None, active=None, warn=True):
    """Minimise ``problem`` with damped Newton steps for the batch items ``active`` (default: all).

    Starts from ``theta`` (default: ``problem.start()``), updates it in place and returns it.
    """
    theta = problem.start() if theta is None else theta
    active = np.arange(theta.shape[0]) if active is None else active
    if active.size == 0:
        return theta
    value, grad, hess = problem.evaluate(theta[active], active)
    for steps_taken in range(max_iter + 1):
        step = _newton_direction(hess, grad)
        score_step, score = problem.largest_score(np.concatenate([step, theta[active]])).reshape(2, -1)
        keep = score_step > SCORE_TOL * (1.0 + score)
        theta[active[~keep]] -= step[~keep]
        active, value, grad, step = active[keep], value[keep], grad[keep], step[keep]
        if active.size == 0:
            break
        if steps_taken == max_iter:
            if not warn:
                break
            warnings.warn(
                f"Logistic regression did not converge on {active.size} subset(s) within "
                f"max_iter={max_iter} Newton steps (largest score change "
                f"{problem.largest_score(step).max():.2e}); "
                "their probabilities may be inexact. Increase max_iter or lower C.",
                ConvergenceWarning,
                stacklevel=6,   # _newton, _warm_solve, _fit_group, _predict_proba_subsets, compute_grid
            )
            break
        value, grad, hess = _damped_step(problem, theta, active, value, grad, step)
    return theta


def _newton_direction(hess, grad):
    """Damped Newton steps ``hess^-1 grad`` for a batch of systems.

    The system is Jacobi-scaled to a unit diagonal and damped by ``SINGULAR_RCOND`` (see
    there), so it is always solvable and directions float64 cannot resolve get no step.
    """
    diag = np.abs(np.diagonal(hess, axis1=1, axis2=2))
    floor = np.finfo(np.float64).tiny + SINGULAR_RCOND * diag.max(axis=1, keepdims=True)
    scale = 1.0 / np.sqrt(np.maximum(diag, floor))
    damped = hess * (scale[:, :, None] * scale[:, None, :])
    diagonal = np.arange(hess.shape[1])
    damped[:, diagonal, diagonal] += SINGULAR_RCOND
    step = np.linalg.solve(damped, (grad * scale)[:, :, None])[:, :, 0]
    return step * scale


def _sufficient_decrease(new_value, value, slope, scale):
    """Armijo's test, with slack for decreases below what float64 can resolve."""
    return new_value <= value - ARMIJO_SLOPE * scale * slope + ROUNDING_SLACK * (1.0 + np.abs(value))


def _damped_step(problem, theta, active, value, grad, step):
    """Move each active item by its Newton step, halved until the objective falls enough.

    Updates ``theta`` in place and returns the value, gradient and Hessian at the new
    points. The full step almost always passes, so it is evaluated together with the
    derivatives; only items that fail are backtracked.
    """
    slope = (grad * step).sum(axis=1)
    trial = theta[active] - step
    new_value, new_grad, new_hess = problem.evaluate(trial, active)
    failed = np.flatnonzero(~_sufficient_decrease(new_value, value, slope, 1.0))
    if failed.size:
        scale = np.zeros(failed.size)   # 0 keeps the old point if no halving passes
        candidate = np.ones(failed.size)
        pending = np.ones(failed.size, dtype=bool)
        for _ in range(MAX_HALVINGS):
            candidate[pending] /= 2
            idx = np.flatnonzero(pending)
            rows = failed[idx]
            passed = _sufficient_decrease(
                problem.value(theta[active[rows]] - candidate[idx, None] * step[rows], active[rows]),
                value[rows], slope[rows], candidate[idx],
            )
            scale[idx[passed]] = candidate[idx[passed]]
            pending[idx[passed]] = False
            if not pending.any():
                break
        trial[failed] = theta[active[failed]] - scale[:, None] * step[failed]
        new_value[failed], new_grad[failed], new_hess[failed] = problem.evaluate(trial[failed], active[failed])
    theta[active] = trial
    return new_value, new_grad, new_hess


class _Binary:
    """Sigmoid model: parameters (weights..., intercept); class 1 is the larger label.

    With s = z for class 0 and s = -z for class 1, each point's loss is softplus(s), its
    derivative in z is sign * sigmoid(s), and all three come from one exp(-|s|) without
    cancellation, however confident the model is.
    """

    def __init__(self, design, targets, weights, C, design_eval):
        self.design, self.t, self.m, self.C = design, targets[:, 1], weights, C
        self.pool = targets.sum(axis=1)   # 1 for the points of the problem's classes
        self.probe = np.unique(np.vstack([design, design_eval]), axis=0)   # points whose scores must converge
        self.sign = 1.0 - 2.0 * self.t
        width = design.shape[1]
        self.penalty = np.ones(width)
        self.penalty[-1] = 0.0   # intercept not penalised
        # Row i holds the upper triangle of the outer product x_i x_i^T: the Hessians of
        # all subsets are then one matrix product with the curvatures, and the symmetric
        # lower triangle is copied, which halves the dominant cost for wide designs.
        self.upper = np.triu_indices(width)
        self.outer = design[:, self.upper[0]] * design[:, self.upper[1]]

    def start(self):
        """Zero weights and the intercept of each subset's class balance: one Newton step saved."""
        theta = np.zeros((self.m.shape[0], self.design.shape[1]))
        positives = self.m @ self.t
        theta[:, -1] = np.log(positives / (self.m.sum(axis=1) - positives))
        return theta

    def largest_score(self, theta):
        """Largest |score| over the training and evaluation points, for each batch item."""
        return np.abs(theta @ self.probe.T).max(axis=1)

    def _signed_scores(self, theta):
        s = (theta @ self.design.T) * self.sign
        return s, np.exp(-np.abs(s))

    def _objective(self, theta, rows, s, e):
        softplus = np.maximum(s, 0.0) + np.log1p(e)
        return self.C * (self.m[rows] * softplus).sum(axis=1) + 0.5 * (self.penalty * theta**2).sum(axis=1)

    def value(self, theta, rows):
        return self._objective(theta, rows, *self._signed_scores(theta))

    def evaluate(self, theta, rows):
        """Objective, gradient and Hessian at ``theta`` for the batch items ``rows``."""
        s, e = self._signed_scores(theta)
        near, far = 1.0 / (1.0 + e), e / (1.0 + e)
        positive = s >= 0
        sig, rest = np.where(positive, near, far), np.where(positive, far, near)   # sigmoid(s), 1 - sigmoid(s)
        m = self.m[rows]
        grad = self.C * (m * self.sign * sig) @ self.design + self.penalty * theta
        width = self.design.shape[1]
        triangle = (self.C * m * sig * rest) @ self.outer
        hess = np.empty((triangle.shape[0], width, width))
        hess[:, self.upper[0], self.upper[1]] = triangle
        hess[:, self.upper[1], self.upper[0]] = triangle
        hess += np.diag(self.penalty)
        return self._objective(theta, rows, s, e), grad, hess

    def proba(self, theta, design_eval):
        z = theta @ design_eval.T
        return np.stack([_sigmoid(-z), _sigmoid(z)], axis=2)


class _Multinomial:
    """Softmax model with one (weights, intercept) block per class, flattened class-major.

    Shifting every intercept by the same amount leaves the objective unchanged, so the
    Hessian is singular along that direction. The gradient is always orthogonal to it, so
    adding its outer product to the Hessian makes the system solvable without changing
    the Newton step. It is added at the size of each item's intercept curvature: at a
    fixed size it would swamp that curvature (features scaled by 1e8, small C) or be lost
    below its rounding (huge C), making the system singular in float64 either way.
    """

    def __init__(self, design, targets, weights, C, design_eval):
        self.design, self.t, self.m, self.C = design, targets, weights, C
        self.pool = targets.sum(axis=1)   # 1 for the points of the problem's classes
        self.probe = np.unique(np.vstack([design, design_eval]), axis=0)   # points whose scores must converge
        self.n_classes, self.width = targets.shape[1], design.shape[1]
        block = np.ones(self.width)
        block[-1] = 0.0
        self.penalty = np.tile(block, self.n_classes)
        shift = np.tile(1.0 - block, self.n_classes)
        self.null = np.outer(shift, shift)
        self.intercepts = np.flatnonzero(shift)
        self.is_true = targets[None].astype(bool)          # (1, points, classes)
        self.others = 1.0 - np.eye(self.n_classes)         # sums the other classes

    def start(self):
        return np.zeros((self.m.shape[0], self.n_classes * self.width))

    def largest_score(self, theta):
        """Largest |score| over the training and evaluation points and classes, per batch item."""
        blocks = theta.reshape(theta.shape[0], self.n_classes, self.width)
        return np.abs(np.einsum("ij,bcj->bic", self.probe, blocks)).max(axis=(1, 2))

    def _scores(self, theta):
        blocks = theta.reshape(theta.shape[0], self.n_classes, self.width)
        return np.einsum("ij,bcj->bic", self.design, blocks)   # (batch, points, classes)

    def _softmax_parts(self, theta, rows):
        """Objective, class probabilities p and 1 - p, sharing one softmax.

        1 - p is summed from the other classes and the loss -log p_true is a softplus of
        the other classes' log-sum-exp, so neither cancels when the model is confident:
        with a huge C, C * (1 - p) is a large part of the gradient and Hessian.
        """
        z = self._scores(theta)
        ez = np.exp(z - z.max(axis=2, keepdims=True))
        norm = ez.sum(axis=2, keepdims=True)
        p, rest = ez / norm, (ez @ self.others) / norm
        gaps = np.where(self.is_true, -np.inf, z - (self.t[None] * z).sum(axis=2, keepdims=True))
        widest = gaps.max(axis=2)
        lse = widest + np.log(np.exp(gaps - widest[:, :, None]).sum(axis=2))   # log sum_{c != y} e^(z_c - z_y)
        loss = np.maximum(lse, 0.0) + np.log1p(np.exp(-np.abs(lse)))         # softplus: -log p_y
        value = self.C * (self.m[rows] * loss).sum(axis=1) + 0.5 * (self.penalty * theta**2).sum(axis=1)
        return value, p, rest

    def value(self, theta, rows):
        return self._softmax_parts(theta, rows)[0]

    def evaluate(self, theta, rows):
        """Objective, gradient and Hessian at ``theta`` for the batch items ``rows``."""
        value, p, rest = self._softmax_parts(theta, rows)
        m = self.m[rows]
        residual = (m[:, :, None] * np.where(self.is_true, -rest, p)) * self.C   # p - t
        grad = np.einsum("bic,ij->bcj", residual, self.design).reshape(theta.shape)
        grad += self.penalty * theta
        k = self.n_classes
        cross = -np.einsum("bic,bid->bicd", p, p)
        cross[:, :, np.arange(k), np.arange(k)] = p * rest                        # p (1 - p)
        cross *= (self.C * m)[:, :, None, None]
        hess = np.einsum("bicd,ij,il->bcjdl", cross, self.design, self.design)
        hess = hess.reshape(theta.shape[0], k * self.width, k * self.width)
        curvature = hess[:, self.intercepts, self.intercepts].mean(axis=1)
        hess += np.diag(self.penalty) + curvature[:, None, None] * self.null
        return value, grad, hess

    def proba(self, theta, design_eval):
        blocks = theta.reshape(theta.shape[0], self.n_classes, self.width)
        return _softmax(np.einsum("ij,bcj->bic", design_eval, blocks))


def _sigmoid(z):
    """1 / (1 + exp(-z)) without overflow, accurate to full relative precision."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
