"""Learners that fit every training subset at once, vectorized in numpy.

Any scikit-learn classifier also works with ``compute_grid`` (one fit per subset); these
fast learners give the same numbers in milliseconds.
"""
from ._base import FastLearner
from ._knn import KNN
from ._logistic import ConvergenceWarning, LogisticRegression
from ._nearest_centroid import NearestCentroid

__all__ = ["KNN", "LogisticRegression", "NearestCentroid", "FastLearner", "ConvergenceWarning"]

for _obj in (KNN, LogisticRegression, NearestCentroid, FastLearner, ConvergenceWarning):
    _obj.__module__ = "datacf.models"
