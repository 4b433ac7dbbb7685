"""Semivalue weights: how much a marginal gain U(S ∪ {i}) - U(S) counts, by coalition size |S|.

value_i = sum over S not containing i of w[|S|] * (U(S ∪ {i}) - U(S)).

- Shapley (Shapley 1953): w[k] = 1 / (n * C(n-1, k)).
- Banzhaf (Banzhaf 1965; Wang & Jia 2023): w[k] = 1 / 2**(n-1).
- Beta(alpha, beta) Shapley (Kwon & Zou 2022, as in pyDVL): w[k] = B(k+beta, n-1-k+alpha) / B(alpha, beta),
  so Beta(1, 1) is Shapley and Beta(16, 1) favours small coalitions.
- Leave-one-out: all weight on k = n - 1.

Shapley weights are computed in log space (``math.lgamma``) so that large n cannot overflow.
Beta weights are products of n - 1 ratios of rising factorials (below), each in (0, 1], so
they stay accurate for any alpha, beta > 0, from 1e-3 to 1e16, where differences of lgamma
values near 1e16 * 37 would cancel to nothing.
A semivalue's weights satisfy sum_k C(n-1, k) * w[k] = 1; ``Grid.semivalue`` also accepts
weights that do not (any weighted sum of marginal gains), and says so in its docstring.
"""
import math
import numbers

import numpy as np

__all__ = ["shapley_weights", "banzhaf_weights", "beta_weights", "loo_weights", "check_weights"]


def _log_comb(n, k):
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def shapley_weights(n_points):
    """w[k] = 1 / (n C(n-1, k)) for k = 0..n-1.

    >>> shapley_weights(3) * 6
    array([2., 1., 2.])
    """
    return np.array([math.exp(-math.log(n_points) - _log_comb(n_points - 1, k)) for k in range(n_points)])


def banzhaf_weights(n_points):
    """w[k] = 1 / 2**(n-1): every coalition counts equally."""
    return np.full(n_points, 2.0 ** -(n_points - 1))


def _check_beta_parameter(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"Beta Shapley's {name} must be a real number; got {name}={value!r} ({type(value).__name__}).")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"Beta Shapley needs a positive finite {name}; got {name}={value!r}.")
    return float(value)


def beta_weights(n_points, alpha, beta):
    """w[k] = B(k + beta, n - 1 - k + alpha) / B(alpha, beta) (Kwon & Zou 2022).

    With rising factorials, w[k] = beta^(k) alpha^(n-1-k) / (alpha + beta)^(n-1), where
    x^(m) = x (x+1) ... (x+m-1): the n - 1 numerator factors are paired with the n - 1
    denominator factors, and the product of those ratios (each in (0, 1]) is taken in log
    space. Exact in the limit of large alpha and beta: Beta(1e16, 1e16) gives Banzhaf's
    1 / 2**(n-1).

    >>> beta_weights(3, 1, 1) * 6          # Beta(1, 1) is Shapley
    array([2., 1., 2.])
    >>> beta_weights(3, 1e16, 1e16) * 4    # equal and large: Banzhaf
    array([1., 1., 1.])
    """
    alpha = _check_beta_parameter("alpha", alpha)
    beta = _check_beta_parameter("beta", beta)
    steps = np.arange(n_points - 1)
    denominator = alpha + beta + steps
    weights = np.empty(n_points)
    for k in range(n_points):
        numerator = np.concatenate([beta + steps[:k], alpha + steps[: n_points - 1 - k]])
        weights[k] = math.exp(np.log(numerator / denominator).sum())
    return weights


def loo_weights(n_points):
    """All weight on the full coalition: value_i = U(N) - U(N minus i)."""
    w = np.zeros(n_points)
    w[-1] = 1.0
    return w


def check_weights(weights, n_points):
    """Validate user weights: n finite real numbers, one per coalition size 0..n-1.

    Weights need not be normalised (sum_k C(n-1, k) w[k] = 1): any weighted sum of
    marginal gains is allowed, e.g. unnormalised Banzhaf counts.
    """
    if isinstance(weights, (str, bytes, dict, set)):
        raise TypeError(f"weights must be a sequence of {n_points} numbers; got {type(weights).__name__}.")
    raw = np.asarray(weights, dtype=object) if not isinstance(weights, np.ndarray) else weights
    # integer and float arrays, or objects that are all real numbers: not bools, complex
    # numbers, strings, dates or durations
    if raw.dtype.kind not in "iufO" or (raw.dtype == object and any(
        isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real) for v in raw.ravel()
    )):
        raise TypeError(f"weights must be a sequence of {n_points} real numbers (not bools or strings); got {weights!r:.80}.")
    try:
        w = np.asarray(weights, dtype=np.float64)
    except OverflowError:   # a Python int beyond float64
        raise ValueError(f"weights must be finite numbers; got {weights!r:.80}.") from None
    if w.shape != (n_points,):
        raise ValueError(
            f"weights must have one entry per coalition size 0..{n_points - 1}, i.e. shape "
            f"({n_points},); got shape {w.shape}."
        )
    if not np.isfinite(w).all():
        bad = int(np.flatnonzero(~np.isfinite(w))[0])
        raise ValueError(f"weights must be finite numbers; weights[{bad}] is {w[bad]}.")
    return w
