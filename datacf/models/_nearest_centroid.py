"""Nearest centroid over every training subset at once.

Class sums and counts for all subsets come from one matrix product of the membership
matrix with the one-hot labels, so every centroid of every subset costs one pass.
"""
import numpy as np

from .._memory import FLOAT
from ._base import FastLearner, membership
from ._knn import TIE_RTOL

__all__ = ["NearestCentroid"]


class NearestCentroid(FastLearner):
    """Predict the class whose centroid (mean of its points in S) is nearest, with certainty.

    The prediction equals scikit-learn's ``NearestCentroid().predict`` (Euclidean metric,
    uniform priors). A distance tie goes to the smallest label, where distances within a
    relative ``TIE_RTOL`` (1e-9, as for KNN) of the nearest count as equal: a point midway
    between two centroids in exact arithmetic is a tie, whatever float rounding says.
    The predicted probability is 1 for that class: scikit-learn's own ``predict_proba``
    (since 1.5) is a softmax over distances scaled by the within-class spread, which is
    undefined whenever a subset has one point per class, so it cannot serve as a score on
    every subset.

    Examples
    --------
    >>> import datacf as dcf
    >>> train = dcf.Dataset([[0.0], [2.0], [10.0]], [0, 0, 1])
    >>> dcf.compute_grid(train, dcf.models.NearestCentroid()).row("ABC").tolist()
    [1.0, 1.0, 1.0]
    """

    def __init__(self):
        pass

    def _row_bytes(self, n_points, n_features, n_eval, n_classes):
        # one class's gaps and their squares (n_eval x n_features each), the centroids,
        # the distances to every class and the membership row
        return FLOAT * (2 * n_eval * n_features + 3 * n_classes * n_features + 3 * n_eval * n_classes + n_points)

    def _predict_proba_subsets(self, X, codes, n_classes, X_eval, rows):
        one_hot = np.eye(n_classes)[codes]
        nearest = np.empty((len(rows), X_eval.shape[0]), dtype=np.int64)
        for chunk in self._chunks(rows, X, n_classes, X_eval):
            weights = membership(rows[chunk], X.shape[0]).astype(np.float64)
            counts = weights @ one_hot                                   # (rows, classes)
            distances = np.full((weights.shape[0], X_eval.shape[0], n_classes), np.inf)
            for c in range(n_classes):
                present = counts[:, c] > 0
                centroids = (weights[present] * one_hot[:, c]) @ X / counts[present, c, None]
                gaps = X_eval[None, :, :] - centroids[:, None, :]        # (rows, eval, features)
                distances[present, :, c] = (gaps**2).sum(axis=2)
            closest = distances.min(axis=2, keepdims=True)
            # the first class within TIE_RTOL of the nearest: ties go to the smallest label
            nearest[chunk] = (distances <= closest * (1.0 + TIE_RTOL)).argmax(axis=2)
        return np.eye(n_classes)[nearest]
