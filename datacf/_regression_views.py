"""Regression views of an exact grid: semivalues as slopes of U on membership.

Regress the utility U(S) of every row on the membership indicators 1[i in S]:

- Ordinary least squares over all 2**n rows, with an intercept, gives slopes equal to the
  Banzhaf values: the linear datamodel of Ilyas et al. (2022) fitted to the whole grid.
- Least squares weighted by the Shapley kernel
  pi(S) = (n - 1) / (C(n, |S|) |S| (n - |S|)) over the rows 0 < |S| < n, with the empty and
  full rows as constraints (intercept = U(∅), intercept + sum of slopes = U(N)), gives slopes
  equal to the Shapley values: the regression KernelSHAP samples (Lundberg & Lee 2017).

The Banzhaf view reuses ``datacf.estimate.datamodel`` (the same OLS that reads sampled grids);
the Shapley view solves its constrained least squares through the KKT system.

References
----------
Ilyas, A., Park, S. M., Engstrom, L., Leclerc, G. & Madry, A. (2022). Datamodels: Predicting
predictions from training data. ICML.
Lundberg, S. M. & Lee, S.-I. (2017). A unified approach to interpreting model predictions.
NeurIPS.
"""
import math

import numpy as np

from ._subsets import subset_bits

__all__ = ["REGRESSION_WEIGHTS", "datamodel_slopes", "shapley_kernel"]

REGRESSION_WEIGHTS = ("banzhaf", "shapley")


def shapley_kernel(n_points):
    """KernelSHAP weight of each coalition size k = 1..n-1: (n - 1) / (C(n, k) k (n - k)).

    >>> shapley_kernel(3).tolist()     # sizes 1 and 2 out of 3 points
    [0.3333333333333333, 0.3333333333333333]
    """
    n = n_points
    return np.array([(n - 1) / (math.comb(n, k) * k * (n - k)) for k in range(1, n)])


def _banzhaf_view(u, n_points):
    """OLS slopes of U on membership and an intercept, over every row (``estimate.datamodel``)."""
    from . import estimate                    # imported here: estimate imports the grid module
    from ._sampled_grid import SampledGrid
    if n_points < 2:
        raise ValueError(
            "The Banzhaf regression view needs at least 2 points: with 1 point the grid has 2 rows "
            "for 2 coefficients, and the OLS fit has no residual degrees of freedom."
        )
    rows = SampledGrid(np.array(subset_bits(n_points)), u[:, None])
    return estimate.datamodel(rows).values


def _shapley_view(u, n_points):
    """Slopes of the Shapley-kernel least squares with U(∅) and U(N) as constraints."""
    n = n_points
    bits = subset_bits(n)
    sizes = bits.sum(axis=1)
    inner = (sizes > 0) & (sizes < n)
    design = bits[inner].astype(np.float64)
    weight = np.append(0.0, shapley_kernel(n))[sizes[inner]]
    target = u[inner] - u[0]               # the intercept is pinned to U(∅)
    # KKT system of: minimise sum_S pi(S) (target_S - x_S . phi)^2 subject to sum(phi) = U(N) - U(∅).
    kkt = np.zeros((n + 1, n + 1))
    kkt[:n, :n] = design.T @ (weight[:, None] * design)
    kkt[:n, n] = kkt[n, :n] = 1.0
    rhs = np.append(design.T @ (weight * target), u[-1] - u[0])
    return np.linalg.solve(kkt, rhs)[:n]


def datamodel_slopes(u, n_points, weights):
    """Regression slopes of the utility ``u`` (one value per row of an exact grid)."""
    if not isinstance(weights, str):
        raise TypeError(
            f"weights must be a string, one of {list(REGRESSION_WEIGHTS)}; got {type(weights).__name__}."
        )
    if weights == "banzhaf":
        return _banzhaf_view(u, n_points)
    if weights == "shapley":
        return _shapley_view(u, n_points)
    raise ValueError(f"weights={weights!r} is not a regression view; choose one of {list(REGRESSION_WEIGHTS)}.")
