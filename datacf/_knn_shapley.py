"""Exact Shapley values of the KNN utility in O(n log n) per test point (Jia et al. 2019).

The closed form is exact for one specific utility, for each test point (x, y):

    U(S) = (1 / K) * #{j among the min(K, |S|) nearest neighbours of x *within S* : y_j = y},

with U(empty set) = 0. The division is by K, not by min(K, |S|), so small subsets are not
rescaled, and the neighbours are the K nearest members of S; restricting the global K nearest
neighbours to S is a different game with different values. Distance ties (within a relative
``TIE_RTOL``) are broken by lower point index, by the same helper as ``dcf.models.KNN``.

Reference: R. Jia et al., "Efficient task-specific data valuation for nearest neighbor
algorithms", PVLDB 12(11), 2019, Theorem 1.
"""
import numbers

import numpy as np

from ._dataset import Dataset
from .models._knn import neighbour_order

__all__ = ["knn_shapley"]


def knn_shapley(train, test, k, per_test_point=False):
    """Exact KNN-Shapley values by the recursion of Jia et al. (2019).

    Parameters
    ----------
    train, test : Dataset
        Training points (no size limit: this needs no grid) and test points.
    k : int
        Number of neighbours K of the utility above.
    per_test_point : bool, default=False
        Return one row of values per test point instead of their mean.

    Returns
    -------
    ndarray of shape (n_points,), or (n_test, n_points) with ``per_test_point``
        Values that sum to U(N) for each test point (efficiency, as U(empty set) = 0).

    Examples
    --------
    A and B (label 0) are interchangeable nearest neighbours of the test point; C is never
    the nearest while either is present and has the wrong label.

    >>> import datacf as dcf
    >>> train = dcf.Dataset([[0.0], [1.0], [3.0]], [0, 0, 1])
    >>> dcf.knn_shapley(train, dcf.Dataset([[0.2]], [0]), k=1)
    array([0.5, 0.5, 0. ])
    """
    for name, value in (("train", train), ("test", test)):
        if not isinstance(value, Dataset):
            raise TypeError(f"{name} must be a datacf.Dataset; got {type(value).__name__}.")
    if not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 1:
        raise ValueError(f"knn_shapley needs a positive integer k; got k={k!r}.")
    if not isinstance(per_test_point, (bool, np.bool_)):
        raise TypeError(f"per_test_point must be True or False; got {per_test_point!r}.")
    if test.n_features != train.n_features:
        raise ValueError(f"test has {test.n_features} features but train has {train.n_features}.")
    n = train.n_points
    values = np.zeros((test.n_points, n))
    ranks = np.arange(1, n + 1)   # alpha_1 (nearest) .. alpha_n (farthest)
    k_cap, k = min(int(k), n), float(k)   # min(K, i) never exceeds n; K itself may be huge
    orders = neighbour_order(train.X, test.X)
    for t, (order, y) in enumerate(zip(orders, test.y)):
        match = (train.y[order] == y).astype(np.float64)
        s = np.zeros(n)
        s[-1] = match[-1] * k_cap / (n * k)   # Jia et al.'s match / n, also right for k > n
        # s_i = s_{i+1} + (match_i - match_{i+1}) / K * min(K, i) / i, from the farthest inwards
        steps = (match[:-1] - match[1:]) / k * np.minimum(k_cap, ranks[:-1]) / ranks[:-1]
        s[:-1] = s[-1] + np.cumsum(steps[::-1])[::-1]
        values[t, order] = s
    return values if per_test_point else values.mean(axis=0)
