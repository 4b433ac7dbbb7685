"""Semivalue weights: how much a marginal gain U(S ∪ {i}) - U(S) counts, by coalition size |S|.

value_i = sum over S not containing i of w[|S|] * (U(S ∪ {i}) - U(S)).

- Shapley (Shapley 1953): w[k] = 1 / (n * C(n-1, k)).
- Banzhaf (Banzhaf 1965; Wang & Jia 2023): w[k] = 1 / 2**(n-1).
- Beta(alpha, beta) Shapley (Kwon & Zou 2022, as in pyDVL): w[k] = B(k+beta, n-1-k+alpha) / B(alpha, beta),
  so Beta(1, 1) is Shapley and Beta(16, 1) favours small coalitions.
- Leave-one-out: all weight on k = n - 1.

Weights are computed in log space (``math.lgamma``) so that large n cannot overflow.
A semivalue's weights satisfy sum_k C(n-1, k) * w[k] = 1.
"""
import math

import numpy as np

__all__ = ["shapley_weights", "banzhaf_weights", "beta_weights", "loo_weights", "check_weights"]


def _log_comb(n, k):
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _log_beta(a, b):
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def shapley_weights(n_points):
    """w[k] = 1 / (n C(n-1, k)) for k = 0..n-1.

    >>> shapley_weights(3) * 6
    array([2., 1., 2.])
    """
    return np.array([math.exp(-math.log(n_points) - _log_comb(n_points - 1, k)) for k in range(n_points)])


def banzhaf_weights(n_points):
    """w[k] = 1 / 2**(n-1): every coalition counts equally."""
    return np.full(n_points, 2.0 ** -(n_points - 1))


def beta_weights(n_points, alpha, beta):
    """w[k] = B(k + beta, n - 1 - k + alpha) / B(alpha, beta) (Kwon & Zou 2022)."""
    for name, value in (("alpha", alpha), ("beta", beta)):
        if not isinstance(value, (int, float, np.number)) or not np.isfinite(value) or value <= 0:
            raise ValueError(f"Beta Shapley needs a positive finite {name}; got {name}={value!r}.")
    log_norm = _log_beta(alpha, beta)
    return np.array(
        [math.exp(_log_beta(k + beta, n_points - 1 - k + alpha) - log_norm) for k in range(n_points)]
    )


def loo_weights(n_points):
    """All weight on the full coalition: value_i = U(N) - U(N minus i)."""
    w = np.zeros(n_points)
    w[-1] = 1.0
    return w


def check_weights(weights, n_points):
    """Validate user weights: n finite numbers, one per coalition size 0..n-1."""
    try:
        w = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"weights must be a sequence of {n_points} numbers; got {weights!r:.80}.") from None
    if w.shape != (n_points,):
        raise ValueError(
            f"weights must have one entry per coalition size 0..{n_points - 1}, i.e. shape "
            f"({n_points},); got shape {w.shape}."
        )
    if not np.isfinite(w).all():
        raise ValueError("weights must be finite numbers.")
    return w
