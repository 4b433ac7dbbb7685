"""Estimators of data values from a sampled grid, each with a standard error.

Each estimator reads a ``SampledGrid`` (a fixed budget of rows) and returns an
``Estimate``: values, their standard errors, the number of rows it read, and the method.
``estimate_values`` samples rows in seeded batches until a target standard error or a
budget is reached. With U(S) the mean score over the focus columns of the model trained
on S:

- ``permutation_shapley`` (Ghorbani & Zou 2019, truncated Monte Carlo): the mean over
  permutations of i's marginal U(prefix + i) - U(prefix); marginals after a truncated
  permutation's last prefix count as 0. stderr = std of the per-permutation marginals /
  sqrt(permutations). Needs a ``Permutations`` grid.
- ``msr_banzhaf`` (maximum sample reuse, Wang & Jia 2023): mean U(S) over rows holding i
  minus mean U(S) over rows without i; stderr by the two-sample (Welch) formula,
  sqrt(var_in / n_in + var_out / n_out). Rows must be uniform: ``Uniform``, or every
  subset exactly once (then the estimate is the exact Banzhaf value).
- ``beta_shapley`` (Kwon & Zou 2022, by weighted sampling): the semivalue is the sum over
  all S of c_i(S) U(S), with c_i(S) = w[|S|-1] if i is in S and -w[|S|] if not. Rows drawn
  with probability p(S) give the unbiased mean of c_i(S) (U(S) - ū) / p(S); ū, the mean
  row utility, is a control variate (the c_i(S) sum to 0 over all S), which removes most of
  the variance. p(S) is known for ``BetaSizes`` (q(|S|) / C(n, |S|)) and ``Uniform``
  (2**-n) rows, and for every subset once (2**-n: then the estimate is exact).
  stderr = std of the per-row terms / sqrt(rows).
- ``datamodel`` (Ilyas et al. 2022): ordinary least squares of U(S) on the membership
  indicators and an intercept; stderr = classical OLS standard errors. Over ``Uniform``
  rows (and over every subset once, exactly) the slopes are Banzhaf values.
- ``size_curve``: mean U(S) by |S|, with stderr = std / sqrt(rows of that size); sizes
  with no row are NaN.
"""
import math
import numbers

import numpy as np

from ._sampled_grid import SampledGrid, _evaluate_permutations, _filler, _permutation_rows, _seed
from ._compute import _check_inputs, grid_inputs
from .samplers import BetaSizes, Permutations, Uniform, beta_size_distribution

__all__ = ["Estimate", "permutation_shapley", "msr_banzhaf", "beta_shapley", "datamodel", "size_curve",
           "estimate_values", "METHODS"]


class Estimate:
    """Estimated values with standard errors.

    Attributes
    ----------
    values : ndarray of shape (n_points,) (``size_curve``: (n_points + 1,))
    stderr : ndarray of the same shape
        Standard error of each value (NaN where it cannot be estimated).
    n_evaluations : int
        Rows (trained models) of the grid the estimate read.
    method : str
        The estimator's name.
    grid : SampledGrid or None
        The grid read (``estimate_values`` returns the one it sampled).
    converged : bool or None
        For ``estimate_values`` with a target: whether every stderr reached it.
    details : dict
        Method-specific extras (``datamodel``: the intercept and R²).
    """

    def __init__(self, values, stderr, n_evaluations, method, grid=None, converged=None, details=None):
        self.values = np.asarray(values, dtype=np.float64)
        self.stderr = np.asarray(stderr, dtype=np.float64)
        self.n_evaluations = int(n_evaluations)
        self.method = method
        self.grid = grid
        self.converged = converged
        self.details = {} if details is None else dict(details)

    def interval(self, z=1.96):
        """(low, high) = values -/+ z stderr: a normal-approximation confidence interval."""
        return self.values - z * self.stderr, self.values + z * self.stderr

    def __repr__(self):
        worst = np.nanmax(self.stderr) if np.isfinite(self.stderr).any() else float("nan")
        return (f"Estimate(method={self.method!r}, n_values={self.values.size}, "
                f"n_evaluations={self.n_evaluations}, max_stderr={worst:.3g})")


def _check_grid(grid, method):
    if not isinstance(grid, SampledGrid):
        raise TypeError(f"{method} reads a datacf.SampledGrid; got {type(grid).__name__}. "
                        "Sample one with dcf.sample_grid, or use dcf.estimate_values to sample as needed.")


def _is_enumeration(grid):
    """Does the grid hold every subset of its points exactly once?"""
    n = grid.n_points
    if n > 24 or grid.n_rows != 2**n:
        return False
    codes = grid.members.astype(np.int64) @ (np.int64(1) << np.arange(n, dtype=np.int64))
    return np.unique(codes).size == 2**n


def permutation_shapley(grid, focus=None):
    """Permutation-sampling Shapley values (truncated Monte Carlo, Ghorbani & Zou 2019).

    Parameters
    ----------
    grid : SampledGrid
        Sampled with ``samplers.Permutations`` (truncated or not).
    focus : int, str, sequence of those, or None, default=None
        Evaluation columns U averages over.

    Returns
    -------
    Estimate
        Without truncation the values sum exactly to U(N) - U(∅) (every permutation's
        marginals do).

    Raises
    ------
    ValueError
        If the grid was not sampled with ``Permutations``.

    Examples
    --------
    >>> import datacf as dcf
    >>> train = dcf.Dataset([[0.0], [1.0], [4.0]], [0, 0, 1])
    >>> grid = dcf.sample_grid(train, dcf.models.KNN(k=1), sampler=dcf.samplers.Permutations(20), rng=0)
    >>> est = dcf.estimate.permutation_shapley(grid)
    >>> round(float(est.values.sum()), 12) == round(float(grid.utility()[1] - grid.utility()[0]), 12)
    True
    """
    _check_grid(grid, "permutation_shapley")
    if grid.orders is None:
        raise ValueError("permutation_shapley needs a grid sampled with samplers.Permutations (it reads the "
                         "permutation orders); this grid has none.")
    u = grid.utility(focus)
    n, orders, lengths = grid.n_points, grid.orders, grid.lengths
    count = len(orders)
    steps = np.zeros((count, n + 1))        # U along each permutation: ∅, prefixes, N
    steps[:, 0] = u[0]
    offsets = 2 + np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    position = np.arange(1, n)
    inside = position[None, :] <= lengths[:, None]                      # (count, n - 1)
    rows = offsets[:, None] + position[None, :] - 1
    last = u[offsets + lengths - 1] if n > 1 else np.full(count, u[0])
    last = np.where(lengths > 0, last, u[0])
    steps[:, 1:n] = np.where(inside, u[np.where(inside, rows, 0)], last[:, None])
    steps[:, n] = np.where(lengths == n - 1, u[1], last)                # truncated: no last gain
    gains = np.diff(steps, axis=1)                                      # by position
    marginals = np.empty_like(gains)
    np.put_along_axis(marginals, orders, gains, axis=1)                 # by point
    stderr = marginals.std(axis=0, ddof=1) / math.sqrt(count) if count > 1 else np.full(n, np.nan)
    return Estimate(marginals.mean(axis=0), stderr, grid.n_rows, "permutation_shapley", grid,
                    details={"n_permutations": count})


def msr_banzhaf(grid, focus=None):
    """Maximum-sample-reuse Banzhaf values (Wang & Jia 2023): mean U with i minus mean U without i.

    Parameters
    ----------
    grid : SampledGrid
        Rows drawn with ``samplers.Uniform``, or every subset exactly once (then the
        values are the exact Banzhaf values).
    focus : int, str, sequence of those, or None, default=None

    Returns
    -------
    Estimate
        NaN for a point that is in every row or in none.

    Raises
    ------
    ValueError
        If the rows are not uniform subsets (other samplers would bias the estimate).

    Examples
    --------
    >>> import datacf as dcf
    >>> train = dcf.Dataset([[0.0], [1.0], [4.0]], [0, 0, 1])
    >>> grid = dcf.sample_grid(train, dcf.models.KNN(k=1), sampler=dcf.samplers.Sizes(range(4)), rng=0)
    >>> exact = dcf.compute_grid(train, dcf.models.KNN(k=1)).banzhaf()
    >>> bool(abs(dcf.estimate.msr_banzhaf(grid).values - exact).max() < 1e-12)
    True
    """
    _check_grid(grid, "msr_banzhaf")
    if not isinstance(grid.sampler, Uniform) and not _is_enumeration(grid):
        raise ValueError(f"msr_banzhaf needs uniform rows (samplers.Uniform) or every subset once; this grid was "
                         f"sampled with {grid.sampler!r}, which would bias it.")
    u = grid.utility(focus)
    centred = u - u.mean()   # the same difference of means, with less cancellation in the variances
    inside = grid.members.astype(np.float64)
    n_in = inside.sum(axis=0)
    n_out = grid.n_rows - n_in
    with np.errstate(divide="ignore", invalid="ignore"):
        sum_in, sum_sq_in = centred @ inside, (centred**2) @ inside
        sum_out, sum_sq_out = centred.sum() - sum_in, (centred**2).sum() - sum_sq_in
        mean_in, mean_out = sum_in / n_in, sum_out / n_out
        var_in = np.maximum(sum_sq_in - sum_in * mean_in, 0.0) / (n_in - 1)
        var_out = np.maximum(sum_sq_out - sum_out * mean_out, 0.0) / (n_out - 1)
        stderr = np.sqrt(var_in / n_in + var_out / n_out)
    values = np.where((n_in > 0) & (n_out > 0), mean_in - mean_out, np.nan)
    stderr = np.where((n_in > 1) & (n_out > 1), stderr, np.nan)
    return Estimate(values, stderr, grid.n_rows, "msr_banzhaf", grid)


def _log_beta_weights(n_points, alpha, beta):
    """log w[k], k = 0..n-1, of the Beta(alpha, beta) semivalue, for any n without underflow.

    As in ``datacf._semivalues.beta_weights``: w[k] is a product of n - 1 ratios, each in
    (0, 1], of rising-factorial factors; here their logarithms are summed instead of
    exponentiated, since for hundreds of points the weights underflow float64.
    """
    steps = np.arange(n_points - 1)
    denominator = alpha + beta + steps
    log_w = np.empty(n_points)
    for k in range(n_points):
        numerator = np.concatenate([beta + steps[:k], alpha + steps[: n_points - 1 - k]])
        log_w[k] = np.log(numerator / denominator).sum()
    return log_w


def _log_comb(n, k):
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def beta_shapley(grid, alpha=1.0, beta=1.0, focus=None):
    """Beta(alpha, beta) Shapley values by importance-weighted sampling, with standard errors.

    Parameters
    ----------
    grid : SampledGrid
        Rows from ``samplers.BetaSizes`` (any alpha, beta: the weights correct for it),
        ``samplers.Uniform``, or every subset once (then the values are exact).
    alpha, beta : float, default=1.0
        The semivalue (Kwon & Zou 2022); (1, 1) is Shapley, (16, 1) favours small sets.
    focus : int, str, sequence of those, or None, default=None

    Returns
    -------
    Estimate

    Raises
    ------
    ValueError
        If the rows' sampling probabilities are unknown (another sampler), or alpha or
        beta is not positive and finite.

    Examples
    --------
    >>> import datacf as dcf
    >>> train = dcf.Dataset([[0.0], [1.0], [4.0]], [0, 0, 1])
    >>> grid = dcf.sample_grid(train, dcf.models.KNN(k=1), sampler=dcf.samplers.Sizes(range(4)), rng=0)
    >>> exact = dcf.compute_grid(train, dcf.models.KNN(k=1)).beta_shapley(16, 1)
    >>> bool(abs(dcf.estimate.beta_shapley(grid, 16, 1).values - exact).max() < 1e-12)
    True
    """
    _check_grid(grid, "beta_shapley")
    target = BetaSizes(1, alpha, beta)   # validates alpha and beta
    n, sizes = grid.n_points, grid.sizes
    if isinstance(grid.sampler, BetaSizes):
        with np.errstate(divide="ignore"):
            log_q = np.log(beta_size_distribution(n, grid.sampler.alpha, grid.sampler.beta))
        log_p = log_q[sizes] - np.array([_log_comb(n, k) for k in range(n + 1)])[sizes]
    elif isinstance(grid.sampler, Uniform) or _is_enumeration(grid):
        log_p = np.full(grid.n_rows, -n * math.log(2.0))
    else:
        raise ValueError(f"beta_shapley needs rows with known probabilities (samplers.BetaSizes or Uniform, or "
                         f"every subset once); this grid was sampled with {grid.sampler!r}.")
    log_w = _log_beta_weights(n, target.alpha, target.beta)
    log_w_ext = np.concatenate([[-np.inf], log_w, [-np.inf]])          # w[-1] = w[n] = 0
    coef_in = np.exp(log_w_ext[sizes] - log_p)                          # w[|S| - 1] / p(S)
    coef_out = np.exp(log_w_ext[sizes + 1] - log_p)                     # w[|S|] / p(S)
    u = grid.utility(focus)
    d = u - u.mean()
    inside = grid.members.astype(np.float64)
    a, b = coef_in * d, coef_out * d
    rows = grid.n_rows
    mean = (a @ inside - b @ (1.0 - inside)) / rows
    square = ((a * a) @ inside + (b * b) @ (1.0 - inside)) / rows
    stderr = (np.sqrt(np.maximum(square - mean**2, 0.0) * rows / (rows - 1) / rows)
              if rows > 1 else np.full(n, np.nan))
    return Estimate(mean, stderr, rows, "beta_shapley", grid, details={"alpha": target.alpha, "beta": target.beta})


def datamodel(grid, focus=None):
    """Linear datamodel (Ilyas et al. 2022): OLS of U(S) on membership, with OLS standard errors.

    Parameters
    ----------
    grid : SampledGrid
        Any rows; over ``Uniform`` rows the slopes estimate Banzhaf values, and over every
        subset once they are exactly the Banzhaf values.
    focus : int, str, sequence of those, or None, default=None

    Returns
    -------
    Estimate
        The slopes; ``details`` holds the intercept and R².

    Raises
    ------
    ValueError
        With no more rows than coefficients (n_points + 1), or a membership matrix whose
        columns are collinear (e.g. all rows of one size).
    """
    _check_grid(grid, "datamodel")
    n, rows = grid.n_points, grid.n_rows
    if rows <= n + 1:
        raise ValueError(f"datamodel fits {n + 1} coefficients and needs more rows than that; the grid has {rows}.")
    design = np.hstack([np.ones((rows, 1)), grid.members.astype(np.float64)])
    u = grid.utility(focus)
    gram = design.T @ design
    if np.linalg.matrix_rank(gram) < n + 1:
        raise ValueError("datamodel cannot separate the points: the membership columns and the intercept are "
                         "collinear (e.g. every row has the same size). Sample Uniform rows.")
    coef = np.linalg.solve(gram, design.T @ u)
    residual = u - design @ coef
    dof = rows - n - 1
    sigma2 = residual @ residual / dof
    cov_diag = np.diag(np.linalg.inv(gram))
    stderr = np.sqrt(sigma2 * cov_diag[1:])
    total = ((u - u.mean()) ** 2).sum()
    r2 = 1.0 - (residual @ residual) / total if total > 0 else 1.0
    return Estimate(coef[1:], stderr, rows, "datamodel", grid, details={"intercept": float(coef[0]), "r2": float(r2)})


def size_curve(grid, focus=None):
    """Mean utility by training-set size, with standard errors: the sampled scaling curve.

    Returns
    -------
    Estimate
        ``values[k]`` is the mean U over rows of size k (k = 0..n), NaN with no such row;
        ``stderr[k]`` is NaN with fewer than two.

    Examples
    --------
    >>> import datacf as dcf
    >>> train = dcf.Dataset([[0.0], [1.0], [4.0]], [0, 0, 1])
    >>> grid = dcf.sample_grid(train, dcf.models.KNN(k=1), sampler=dcf.samplers.Sizes([1, 3]), rng=0)
    >>> dcf.estimate.size_curve(grid).values.round(3).tolist()
    [nan, 0.556, nan, 1.0]
    """
    _check_grid(grid, "size_curve")
    u, sizes, n = grid.utility(focus), grid.sizes, grid.n_points
    count = np.bincount(sizes, minlength=n + 1).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(sizes, weights=u, minlength=n + 1) / count
        spread = np.bincount(sizes, weights=(u - mean[sizes]) ** 2, minlength=n + 1) / (count - 1)
        stderr = np.sqrt(spread / count)
    return Estimate(np.where(count > 0, mean, np.nan), np.where(count > 1, stderr, np.nan), grid.n_rows,
                    "size_curve", grid, details={"rows_by_size": count.astype(np.int64)})


# --- the adaptive driver ---------------------------------------------------------------------

METHODS = ("permutation_shapley", "msr_banzhaf", "beta_shapley", "datamodel", "size_curve")


def _positive_int(name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r:.60}.")
    return int(value)


def estimate_values(train, model, method="msr_banzhaf", eval=None, metric="prob_correct", convention="fallback",
                    *, focus=None, target_stderr=None, max_evaluations=2000, batch_size=None, rng=None,
                    n_jobs=None, alpha=1.0, beta=1.0, truncation=None):
    """Estimate data values by sampling rows in seeded batches until a target standard error.

    Each batch trains ``model`` on new rows (``Permutations`` for permutation Shapley,
    ``Uniform`` for MSR Banzhaf and datamodels, ``BetaSizes(alpha, beta)`` for Beta
    Shapley, ``BetaSizes(1, 1)`` for the size curve, which spreads rows over all sizes), then
    re-estimates. It stops when every standard error is at most ``target_stderr``, or when
    ``max_evaluations`` rows have been trained. Samplers draw streams, so the returned
    ``Estimate.grid`` has exactly the rows of ``sample_grid`` with that sampler and its total
    count, and ``recompute_sampled_grid(estimate.grid)`` reproduces them. Its values agree to
    rounding (logistic regression's batched Newton solve may differ in the last bit when the
    rows are batched differently; KNN and nearest centroid agree exactly).

    Parameters
    ----------
    train, model, eval, metric, convention
        As for ``sample_grid``.
    method : {"permutation_shapley", "msr_banzhaf", "beta_shapley", "datamodel", "size_curve"}
    focus : int, str, sequence of those, or None, default=None
        Evaluation columns U averages over.
    target_stderr : float or None, default=None
        Stop once the largest standard error is at most this; None uses the whole budget.
    max_evaluations : int, default=2000
        Most rows (trained models) to use. A permutation costs n_points - 1 rows (fewer
        when truncated), and only whole permutations are drawn; a budget below one
        permutation still draws one.
    batch_size : int or None, default=None
        Rows per batch (permutations per batch for permutation Shapley); None picks
        max(100, 2 (n + 2)) rows or 10 permutations.
    rng : int, numpy Generator or None
        The seed, recorded in the grid.
    n_jobs : int or None
        Parallel fits through joblib (any backend; see ``sample_grid``).
    alpha, beta : float, default=1.0
        Beta Shapley's parameters.
    truncation : float or None, default=None
        Truncated Monte Carlo tolerance for permutation Shapley.

    Returns
    -------
    Estimate
        With ``grid`` (all rows sampled) and ``converged`` (whether the target was met).

    Raises
    ------
    ValueError
        For an unknown method, a bad budget or target, or what ``sample_grid`` refuses.

    Examples
    --------
    >>> import datacf as dcf
    >>> train = dcf.Dataset([[0.0], [1.0], [4.0], [5.0]], [0, 0, 1, 1])
    >>> est = dcf.estimate_values(train, dcf.models.KNN(k=1), "msr_banzhaf", target_stderr=0.05, rng=0)
    >>> est.converged, est.n_evaluations <= 2000
    (True, True)
    """
    if method not in METHODS:
        raise ValueError(f"method={method!r} is not an estimator; choose one of {list(METHODS)}.")
    if target_stderr is not None and (isinstance(target_stderr, bool) or not isinstance(target_stderr, numbers.Real)
                                      or not 0 < target_stderr < math.inf):
        raise ValueError(f"target_stderr must be a positive finite number or None; got {target_stderr!r:.60}.")
    max_evaluations = _positive_int("max_evaluations", max_evaluations)
    batch_size = _positive_int("batch_size", batch_size, allow_none=True)
    if truncation is not None and method != "permutation_shapley":
        raise ValueError("truncation applies to method='permutation_shapley' only.")
    _check_inputs(train, model, eval, metric, convention, None, None, exact=False)
    seed = _seed(rng)
    n = train.n_points
    eval_set = train if eval is None else eval
    fill = _filler(train, model, eval_set, metric, convention, n_jobs)
    if method == "permutation_shapley":
        Permutations(1, truncation)   # validates truncation
        stream = Permutations(1)._stream(n, seed)
        head = fill(_permutation_rows(np.zeros((0, n), dtype=np.int64), [], n))
        orders, lengths, bodies = [], [], []
        used = head.shape[0]
        per_batch = batch_size or 10
    else:
        sampler = Uniform(1) if method in ("msr_banzhaf", "datamodel") else (
            BetaSizes(1, alpha, beta) if method == "beta_shapley" else BetaSizes(1))
        stream = sampler._stream(n, seed)
        members, values = [], []
        used = 0
        per_batch = batch_size or max(100, 2 * (n + 2))
    while True:
        left = max_evaluations - used
        if method == "permutation_shapley":
            count = min(per_batch, left // max(1, n - 1))   # whole permutations only
            count = count or 1                                 # (a budget below one still gets one)
            batch_orders = stream(count)
            _, body, batch_lengths = _evaluate_permutations(batch_orders, truncation, fill, n, head=head)
            orders.append(batch_orders), lengths.append(batch_lengths), bodies.append(body)
            used += body.shape[0]
            all_orders, all_lengths = np.concatenate(orders), np.concatenate(lengths)
            grid = SampledGrid(_permutation_rows(all_orders, all_lengths, n), np.concatenate([head] + bodies),
                               train.names, eval_set.names, grid_inputs(train, model, eval, metric, convention),
                               Permutations(len(all_orders), truncation), seed, all_orders, all_lengths)
        else:
            count = max(1, min(per_batch, left))
            rows = stream(count)
            members.append(rows), values.append(fill(rows))
            used += count
            total = sum(len(m) for m in members)
            kind = type(sampler)
            recorded = kind(total) if kind is Uniform else kind(total, sampler.alpha, sampler.beta)
            grid = SampledGrid(np.concatenate(members), np.concatenate(values), train.names, eval_set.names,
                               grid_inputs(train, model, eval, metric, convention), recorded, seed)
        estimate = _read(grid, method, focus, alpha, beta)
        reached = (target_stderr is not None and np.isfinite(estimate.stderr).all()
                   and estimate.stderr.max() <= target_stderr)
        room = max(1, n - 1) if method == "permutation_shapley" else 1   # rows the next sample needs
        if reached or max_evaluations - used < room:
            estimate.converged = bool(reached) if target_stderr is not None else None
            return estimate


def _read(grid, method, focus, alpha, beta):
    """The ``method`` estimate of ``grid``; NaN (not converged) while a datamodel has too few rows."""
    if method == "datamodel" and grid.n_rows <= grid.n_points + 1:
        nan = np.full(grid.n_points, np.nan)
        return Estimate(nan, nan, grid.n_rows, "datamodel", grid)
    if method == "beta_shapley":
        return beta_shapley(grid, alpha, beta, focus)
    readers = {"permutation_shapley": permutation_shapley, "msr_banzhaf": msr_banzhaf, "datamodel": datamodel,
               "size_curve": size_curve}
    return readers[method](grid, focus)
