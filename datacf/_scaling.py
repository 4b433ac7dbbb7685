"""Scaling laws: learning curves from sampled subsets, a power-law fit with bootstrap intervals.

A **learning curve** is the size reading of the grid on a pool too large to enumerate: for each
training-set size k, the mean score of models trained on random subsets of k points of the
pool, with a confidence interval from the spread over subsets. The **power law**

    err(k) ≈ a · k^(−b) + c

(Hestness et al. 2017; Kaplan et al. 2020; Hoffmann et al. 2022) summarises how the error falls
with k: ``a`` is the scale, ``b`` the exponent and ``c`` the irreducible error.

The fit minimises the squared error of the size means (each size counts once). For a fixed
exponent b the model is linear in (a, c), so the fit profiles b: a coarse log-spaced grid over
b finds the basin, a golden-section search refines it, and (a, c) come from linear least
squares (numpy only, so it runs in the browser too). Noise-free data are fitted exactly.

Uncertainty comes from the **bootstrap**: resample the subsets within each size with
replacement, recompute the size means and refit; the percentile intervals of the refits are
the intervals of a, b, c and of any prediction. The **extrapolation check** fits on the small
sizes only and predicts the large ones, reporting the prediction's error (absolute and
relative) with its bootstrap interval.

References
----------
Hestness et al. (2017), Deep learning scaling is predictable, empirically, arXiv:1712.00409.
Kaplan et al. (2020), Scaling laws for neural language models, arXiv:2001.08361.
Hoffmann et al. (2022), Training compute-optimal large language models, arXiv:2203.15556.
"""
import math

import numpy as np

__all__ = [
    "LearningCurve",
    "PowerLawFit",
    "ExtrapolationCheck",
    "learning_curve",
    "fit_power_law",
    "extrapolation_check",
]

# The exponent is searched on [B_MIN, B_MAX]: error curves of learners fall no faster than
# k^-4 and a flat curve (b -> 0) is indistinguishable from its constant, so wider gains nothing.
B_MIN, B_MAX = 1e-3, 4.0
_B_GRID = 400            # coarse log-spaced grid over b before the golden-section refinement
_B_TOL = 1e-12           # golden-section stops when the bracket is this narrow (relative to b)
_MIN_SIZES = 3           # three parameters need at least three distinct sizes
_Z = {0.9: 1.6448536269514722, 0.95: 1.959963984540054, 0.99: 2.5758293035489004}


def _check_rng(rng):
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be None, a non-negative int seed or a numpy Generator; got {rng!r}.")


def _check_level(level):
    if not isinstance(level, float) or not 0.0 < level < 1.0:
        raise ValueError(f"level must be a float strictly between 0 and 1, e.g. 0.95; got {level!r}.")
    return level


def _z(level):
    """Two-sided normal quantile for ``level`` (numpy only: exact table, else Acklam-free bisection)."""
    if level in _Z:
        return _Z[level]
    target, lo, hi = 0.5 + level / 2.0, 0.0, 10.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if 0.5 * (1.0 + math.erf(mid / math.sqrt(2.0))) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0


def _check_samples(sizes, samples, what="errors"):
    """Validate sizes and per-size samples; return (int array, list of float arrays)."""
    try:
        sizes_arr = np.asarray(sizes, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"sizes must be a sequence of positive integers; got {sizes!r}.") from None
    if sizes_arr.ndim != 1 or sizes_arr.size == 0:
        raise ValueError(f"sizes must be a non-empty 1-D sequence of positive integers; got shape {sizes_arr.shape}.")
    if not np.all(np.isfinite(sizes_arr)) or np.any(sizes_arr < 1) or np.any(sizes_arr != np.round(sizes_arr)):
        raise ValueError(f"sizes must be positive integers; got {sizes_arr.tolist()}.")
    if np.any(np.diff(sizes_arr) <= 0):
        raise ValueError(f"sizes must be strictly increasing; got {sizes_arr.astype(int).tolist()}. Sort them.")
    if len(samples) != sizes_arr.size:
        raise ValueError(f"got {len(samples)} arrays of {what} for {sizes_arr.size} sizes; pass one array per size.")
    out = []
    for size, values in zip(sizes_arr.astype(int), samples):
        values = np.atleast_1d(np.asarray(values, dtype=float))
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"the {what} for size {size} must be a non-empty 1-D array; got shape {values.shape}.")
        if not np.all(np.isfinite(values)):
            raise ValueError(f"the {what} for size {size} hold NaN or infinity; every value must be finite.")
        out.append(values)
    return sizes_arr.astype(int), out


class LearningCurve:
    """Scores of models trained on random subsets of each size of a pool.

    Parameters
    ----------
    sizes : sequence of int
        Strictly increasing training-set sizes.
    scores : sequence of 1-D arrays
        ``scores[j]`` holds one score per sampled subset of size ``sizes[j]`` (the model's mean
        score over the evaluation points).
    metric : str, default="prob_correct"
        What the scores are. The error the power law fits is ``1 - score`` for ``prob_correct``
        and ``accuracy`` and the score itself for ``log_loss``.

    Attributes
    ----------
    sizes : ndarray of shape (n_sizes,)
    scores : list of ndarray
    metric : str

    Examples
    --------
    >>> from datacf import LearningCurve
    >>> curve = LearningCurve([1, 2], [[0.5, 0.7], [0.8, 0.8]])
    >>> curve.mean
    array([0.6, 0.8])
    >>> curve.errors()[1]
    array([0.2, 0.2])
    """

    def __init__(self, sizes, scores, metric="prob_correct"):
        from ._metrics import METRICS

        if metric not in METRICS:
            raise ValueError(f"metric={metric!r} is not supported; choose one of {list(METRICS)}.")
        self.sizes, self.scores = _check_samples(sizes, scores, what="scores")
        self.metric = metric

    def __repr__(self):
        counts = sorted({len(s) for s in self.scores})
        per = counts[0] if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
        return f"LearningCurve(sizes={self.sizes.tolist()}, subsets_per_size={per}, metric={self.metric!r})"

    @property
    def mean(self):
        """Mean score at each size, shape (n_sizes,)."""
        return np.array([s.mean() for s in self.scores])

    @property
    def sem(self):
        """Standard error of each mean (sample sd with ddof=1 over sqrt(count); 0 for one subset)."""
        return np.array([s.std(ddof=1) / math.sqrt(s.size) if s.size > 1 else 0.0 for s in self.scores])

    def ci(self, level=0.95):
        """Normal-approximation confidence interval of each mean: (low, high), each of shape (n_sizes,)."""
        half = _z(_check_level(level)) * self.sem
        return self.mean - half, self.mean + half

    @classmethod
    def from_grid(cls, grid, focus=None):
        """The size reading of a sampled grid: its rows' utilities grouped by subset size.

        Parameters
        ----------
        grid : SampledGrid
            Any sampled grid; rows of size 0 are left out (a power law needs k >= 1).
        focus : int, str, sequence of those, or None, default=None
            Evaluation columns to average over.
        """
        from ._sampled_grid import SampledGrid

        if not isinstance(grid, SampledGrid):
            raise TypeError(f"grid must be a datacf.SampledGrid; got {type(grid).__name__}.")
        utility, row_sizes = grid.utility(focus), grid.sizes
        sizes = np.unique(row_sizes[row_sizes > 0])
        if sizes.size == 0:
            raise ValueError("the grid has no non-empty rows; sample subsets of size >= 1.")
        metric = (grid.inputs or {}).get("metric", "prob_correct")
        return cls(sizes, [utility[row_sizes == k] for k in sizes], metric=metric)

    def errors(self):
        """Per-subset errors the power law fits: ``1 - score``, or the loss itself for log_loss."""
        if self.metric == "log_loss":
            return [s.copy() for s in self.scores]
        return [1.0 - s for s in self.scores]


def learning_curve(train, model, eval=None, metric="prob_correct", sizes=None, n_subsets=30,
                   convention="fallback", rng=None, n_jobs=None):
    """Learning curve of ``model`` on random subsets of ``train``, one batch of subsets per size.

    The subsets are the rows of ``datacf.sample_grid`` with the sampler
    ``datacf.samplers.Sizes(sizes, per_size=n_subsets)``; a size with fewer distinct subsets
    than ``n_subsets`` (the whole pool has one) uses all of them.

    Parameters
    ----------
    train : Dataset
        The pool to draw training subsets from (any size).
    model : a datacf fast learner or a scikit-learn classifier
    eval : Dataset or None, default=None
        Where to score each model; None scores on ``train`` itself (not a held-out estimate).
    metric : {"prob_correct", "accuracy", "log_loss"}, default="prob_correct"
    sizes : sequence of int or None, default=None
        Training-set sizes, strictly increasing, each at most ``train.n_points``. None takes
        eight sizes spaced geometrically from 2 to the whole pool.
    n_subsets : int, default=30
        Distinct subsets drawn uniformly at random at each size.
    convention : {"fallback", "zero"}, default="fallback"
    rng : None, int or numpy Generator, default=None
        The seed of the sampler.
    n_jobs : int or None, default=None
        Passed to ``sample_grid`` (joblib; any backend, e.g. Dask's).

    Returns
    -------
    LearningCurve

    Examples
    --------
    >>> import numpy as np, datacf as dcf
    >>> X = np.array([[0.0], [1.0], [2.0], [5.0], [6.0], [7.0]])
    >>> train = dcf.Dataset(X, [0, 0, 0, 1, 1, 1])
    >>> curve = dcf.learning_curve(train, dcf.models.KNN(k=1), sizes=[2, 4, 6], n_subsets=5, rng=0)
    >>> curve.sizes.tolist(), [len(s) for s in curve.scores]
    ([2, 4, 6], [5, 5, 1])
    """
    from ._dataset import Dataset
    from ._sampled_grid import sample_grid
    from .samplers import Sizes

    if not isinstance(train, Dataset):
        raise TypeError(f"train must be a datacf.Dataset; got {type(train).__name__}. Wrap it: Dataset(X, y).")
    if isinstance(n_subsets, bool) or not isinstance(n_subsets, (int, np.integer)) or n_subsets < 1:
        raise ValueError(f"n_subsets must be a positive integer; got {n_subsets!r}.")
    n = train.n_points
    if sizes is None:
        sizes = np.unique(np.round(np.geomspace(2, n, 8)).astype(int))
    sizes = np.atleast_1d(sizes)
    sizes, _ = _check_samples(sizes, [[0.0]] * len(sizes), what="scores")
    if sizes[-1] > n:
        raise ValueError(f"sizes go up to {sizes[-1]} but the pool has {n} points; pass sizes <= {n}.")
    grid = sample_grid(train, model, eval=eval, metric=metric, convention=convention,
                       sampler=Sizes(sizes.tolist(), per_size=int(n_subsets)), rng=rng, n_jobs=n_jobs)
    return LearningCurve.from_grid(grid)


class PowerLawFit:
    """A fitted power law err(k) = a · k^(−b) + c with bootstrap intervals.

    Attributes
    ----------
    a, b, c : float
        Point estimates from the observed size means.
    sizes : ndarray of shape (n_sizes,)
        The sizes the law was fitted on.
    level : float
        Coverage of the intervals.
    intervals : dict
        ``{"a": (low, high), "b": ..., "c": ...}``: bootstrap percentile intervals.
    bootstrap : ndarray of shape (n_bootstrap, 3)
        The refitted (a, b, c) of every bootstrap replicate.
    """

    def __init__(self, a, b, c, sizes, bootstrap, level):
        self.a, self.b, self.c = float(a), float(b), float(c)
        self.sizes = np.asarray(sizes, dtype=int)
        self.bootstrap = np.asarray(bootstrap, dtype=float).reshape(-1, 3)
        self.level = level
        self.intervals = {}
        for j, name in enumerate("abc"):
            self.intervals[name] = _percentile_interval(self.bootstrap[:, j], level)

    def __repr__(self):
        return f"PowerLawFit(a={self.a:.4g}, b={self.b:.4g}, c={self.c:.4g}, n_bootstrap={len(self.bootstrap)})"

    def predict(self, n):
        """The fitted error at size(s) ``n`` (scalar in, float out; array in, array out)."""
        n_arr = np.asarray(n, dtype=float)
        if np.any(~np.isfinite(n_arr)) or np.any(n_arr <= 0):
            raise ValueError(f"n must be positive and finite; got {n!r}.")
        out = self.a * n_arr ** (-self.b) + self.c
        return float(out) if out.ndim == 0 else out

    def predict_interval(self, n):
        """Bootstrap percentile interval of the prediction at ``n``: (low, high)."""
        n_arr = np.atleast_1d(np.asarray(n, dtype=float))
        if np.any(~np.isfinite(n_arr)) or np.any(n_arr <= 0):
            raise ValueError(f"n must be positive and finite; got {n!r}.")
        if len(self.bootstrap) == 0:
            raise ValueError("this fit has no bootstrap replicates; refit with n_bootstrap >= 1.")
        boot = self.bootstrap
        preds = boot[:, :1] * n_arr[None, :] ** (-boot[:, 1:2]) + boot[:, 2:3]
        low, high = _percentile_interval(preds, self.level)
        if np.ndim(n) == 0:
            return float(low[0]), float(high[0])
        return low, high


def _percentile_interval(samples, level):
    if len(samples) == 0:
        nan = np.full(np.shape(samples)[1:], np.nan)
        return (float("nan"), float("nan")) if nan.ndim == 0 else (nan, nan)
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(samples, [tail, 100.0 - tail], axis=0)
    if np.ndim(low) == 0:
        return float(low), float(high)
    return low, high


def _linear_ac(x, y):
    """Least-squares (a, c) of y ≈ a·x + c along the last axis, and the sum of squared residuals.

    ``x`` and ``y`` broadcast to (..., n_sizes); every output has the leading shape.
    """
    xm, ym = x.mean(axis=-1, keepdims=True), y.mean(axis=-1, keepdims=True)
    dx = x - xm
    sxx = (dx * dx).sum(axis=-1)
    sxy = (dx * (y - ym)).sum(axis=-1)
    a = np.divide(sxy, sxx, out=np.zeros_like(sxy), where=sxx > 0)
    c = ym[..., 0] - a * xm[..., 0]
    resid = y - (a[..., None] * x + c[..., None])
    return a, c, (resid * resid).sum(axis=-1)


def _fit_many(sizes, means):
    """(a, b, c) minimising sum_j (a·k_j^-b + c - means[r, j])^2 for every row r of ``means``.

    Profiles b: a coarse log-spaced grid over [B_MIN, B_MAX], then a golden-section search in
    the bracket around the best grid point, run for all rows at once. Returns shape (n_rows, 3).
    """
    log_k = np.log(np.asarray(sizes, dtype=float))
    means = np.atleast_2d(np.asarray(means, dtype=float))
    rows = np.arange(means.shape[0])

    def sse(b):                       # b: (n_rows,) -> (n_rows,)
        return _linear_ac(np.exp(-b[:, None] * log_k), means)[2]

    grid = np.geomspace(B_MIN, B_MAX, _B_GRID)
    x_grid = np.exp(-grid[:, None] * log_k)                        # (n_grid, n_sizes)
    values = _linear_ac(x_grid[None, :, :], means[:, None, :])[2]  # (n_rows, n_grid)
    best = values.argmin(axis=1)
    lo, hi = grid[np.maximum(best - 1, 0)], grid[np.minimum(best + 1, _B_GRID - 1)]
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    x1, x2 = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    f1, f2 = sse(x1), sse(x2)
    while np.any(hi - lo > _B_TOL * np.maximum(hi, 1e-3)):
        left = f1 <= f2               # the minimum lies in [lo, x2]
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
        new_x1, new_x2 = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        x1, x2 = np.where(left, new_x1, x2), np.where(left, x1, new_x2)
        f_new = sse(np.where(left, x1, x2))
        f1, f2 = np.where(left, f_new, f2), np.where(left, f1, f_new)
    candidates = np.column_stack([values[rows, best], f1, f2])
    b = np.column_stack([grid[best], x1, x2])[rows, candidates.argmin(axis=1)]
    a, c, _ = _linear_ac(np.exp(-b[:, None] * log_k), means)
    return np.column_stack([a, b, c])


def _fit_means(sizes, means):
    """(a, b, c) of one curve of size means (see ``_fit_many``)."""
    a, b, c = _fit_many(sizes, means)[0]
    return float(a), float(b), float(c)


def _bootstrap_means(samples, rng, n_bootstrap):
    """(n_bootstrap, n_sizes) size means of bootstrap replicates: each size's values resampled."""
    out = np.empty((n_bootstrap, len(samples)))
    for j, s in enumerate(samples):
        out[:, j] = s[rng.integers(0, s.size, (n_bootstrap, s.size))].mean(axis=1)
    return out


def _as_samples(curve_or_sizes, errors, where):
    if isinstance(curve_or_sizes, LearningCurve):
        if errors is not None:
            raise TypeError(f"{where}: pass either a LearningCurve or (sizes, errors), not both.")
        return curve_or_sizes.sizes, curve_or_sizes.errors()
    if errors is None:
        raise TypeError(f"{where}: pass a LearningCurve, or sizes and errors (one array of errors per size).")
    return _check_samples(curve_or_sizes, errors)


def _check_bootstrap(n_bootstrap):
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, (int, np.integer)) or n_bootstrap < 0:
        raise ValueError(f"n_bootstrap must be a non-negative integer; got {n_bootstrap!r}.")
    return int(n_bootstrap)


def fit_power_law(curve, errors=None, n_bootstrap=200, level=0.95, rng=None):
    """Fit err(k) = a · k^(−b) + c to a learning curve, with bootstrap intervals.

    Parameters
    ----------
    curve : LearningCurve or sequence of int
        A learning curve (its ``errors()`` are fitted), or the sizes when ``errors`` is given.
    errors : sequence of 1-D arrays or None, default=None
        One array of per-subset errors per size (only with sizes as ``curve``).
    n_bootstrap : int, default=200
        Bootstrap replicates; each resamples the subsets within every size and refits.
    level : float, default=0.95
        Coverage of the percentile intervals.
    rng : None, int or numpy Generator, default=None

    Returns
    -------
    PowerLawFit

    Raises
    ------
    ValueError
        Fewer than three sizes, non-finite errors, unsorted sizes or a bad level.

    Examples
    --------
    Noise-free data are fitted exactly:

    >>> import numpy as np
    >>> from datacf import fit_power_law
    >>> k = np.array([2, 4, 8, 16, 32])
    >>> fit = fit_power_law(k, [[e] for e in 0.5 * k**-0.7 + 0.1], n_bootstrap=0)
    >>> round(fit.a, 6), round(fit.b, 6), round(fit.c, 6)
    (0.5, 0.7, 0.1)
    """
    sizes, samples = _as_samples(curve, errors, "fit_power_law")
    level = _check_level(level)
    n_bootstrap = _check_bootstrap(n_bootstrap)
    if sizes.size < _MIN_SIZES:
        raise ValueError(
            f"a power law has three parameters and needs at least {_MIN_SIZES} sizes; got {sizes.size} "
            f"({sizes.tolist()}). Add sizes to the learning curve."
        )
    rng = _check_rng(rng)
    a, b, c = _fit_means(sizes, np.array([s.mean() for s in samples]))
    boot = _fit_many(sizes, _bootstrap_means(samples, rng, n_bootstrap)) if n_bootstrap else np.empty((0, 3))
    return PowerLawFit(a, b, c, sizes, boot, level)


class ExtrapolationCheck:
    """A power law fitted on the small sizes, tested on the large ones.

    Attributes
    ----------
    fit : PowerLawFit
        The law fitted on ``fit_sizes`` only.
    fit_sizes, test_sizes : ndarray of int
    predicted, observed : ndarray of shape (n_test,)
        The law's error at each test size and the observed mean error there.
    abs_error : ndarray of shape (n_test,)
        ``predicted - observed`` (signed: positive means the law was too pessimistic).
    rel_error : ndarray of shape (n_test,)
        ``abs_error / observed``.
    abs_interval, rel_interval : (ndarray, ndarray)
        Bootstrap percentile intervals of the two, from resampling every size's subsets
        (those fitted and those held out) and refitting.
    """

    def __init__(self, fit, fit_sizes, test_sizes, predicted, observed, boot_abs, boot_rel, level):
        self.fit = fit
        self.fit_sizes = np.asarray(fit_sizes, dtype=int)
        self.test_sizes = np.asarray(test_sizes, dtype=int)
        self.predicted = np.asarray(predicted, dtype=float)
        self.observed = np.asarray(observed, dtype=float)
        self.abs_error = self.predicted - self.observed
        self.rel_error = self.abs_error / self.observed
        self.level = level
        self.abs_interval = _percentile_interval(np.asarray(boot_abs).reshape(-1, len(self.test_sizes)), level)
        self.rel_interval = _percentile_interval(np.asarray(boot_rel).reshape(-1, len(self.test_sizes)), level)

    def __repr__(self):
        return (f"ExtrapolationCheck(fit_sizes={self.fit_sizes.tolist()}, test_sizes={self.test_sizes.tolist()}, "
                f"rel_error={np.round(self.rel_error, 4).tolist()})")


def extrapolation_check(curve, errors=None, n_fit=None, n_bootstrap=200, level=0.95, rng=None):
    """Fit the power law on the smallest sizes and predict the others.

    Parameters
    ----------
    curve, errors
        As in :func:`fit_power_law`.
    n_fit : int or None, default=None
        How many of the smallest sizes to fit on (at least 3, fewer than all). None fits on all
        but the largest two sizes.
    n_bootstrap, level, rng
        As in :func:`fit_power_law`.

    Returns
    -------
    ExtrapolationCheck
    """
    sizes, samples = _as_samples(curve, errors, "extrapolation_check")
    level = _check_level(level)
    n_bootstrap = _check_bootstrap(n_bootstrap)
    if n_fit is None:
        n_fit = sizes.size - 2
    if isinstance(n_fit, bool) or not isinstance(n_fit, (int, np.integer)) or not _MIN_SIZES <= n_fit < sizes.size:
        raise ValueError(
            f"n_fit must be an integer from {_MIN_SIZES} to {sizes.size - 1} (fit on the smallest sizes, "
            f"test on at least one); got {n_fit!r} for {sizes.size} sizes."
        )
    rng = _check_rng(rng)
    observed = np.array([s.mean() for s in samples])
    fit_sizes, test_sizes = sizes[:n_fit], sizes[n_fit:]
    means = _bootstrap_means(samples, rng, n_bootstrap)
    boot_fit = _fit_many(fit_sizes, means[:, :n_fit]) if n_bootstrap else np.empty((0, 3))
    k_test = test_sizes.astype(float)
    boot_pred = boot_fit[:, :1] * k_test[None, :] ** (-boot_fit[:, 1:2]) + boot_fit[:, 2:3]
    boot_abs = boot_pred - means[:, n_fit:]
    boot_rel = boot_abs / means[:, n_fit:]
    a, b, c = _fit_means(fit_sizes, observed[:n_fit])
    fit = PowerLawFit(a, b, c, fit_sizes, boot_fit, level)
    return ExtrapolationCheck(fit, fit_sizes, test_sizes, fit.predict(test_sizes.astype(float)),
                              observed[n_fit:], boot_abs, boot_rel, level)
