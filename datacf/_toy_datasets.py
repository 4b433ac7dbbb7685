"""Named toy datasets for the explainer: 2-D so they can be drawn, 4-10 points, one lesson each.

Labels are 0 and 1; coordinates are chosen by hand so that each lesson is visible with the
fast learners (the tests in ``tests/test_toy_datasets.py`` check every lesson on real grids).
"""
from ._dataset import Dataset

__all__ = ["toy_dataset", "toy_dataset_names", "toy_lesson"]

_TOYS = {
    "four_points": (
        "Four labelled points A-D: the introduction's grid, small enough to show all 16 rows.",
        [[0.0, 0.0], [1.0, 0.4], [2.2, 1.6], [3.0, 2.0]],
        [0, 0, 1, 1],
    ),
    "mislabelled": (
        "Two clusters with one mislabelled point: E sits inside class 0 but is labelled 1. "
        "It hurts the model, and leave-one-out and Shapley both give it the lowest, negative value "
        "(with logistic regression or 3-nearest neighbours).",
        [[0.0, 0.0], [1.0, 0.2], [0.3, 1.1], [1.2, 1.0], [0.6, 0.5], [3.2, 2.8], [3.8, 3.4], [3.0, 3.6]],
        [0, 0, 0, 0, 1, 1, 1, 1],
    ),
    "near_duplicates": (
        "A redundant pair: B and C are near-duplicates. With a 1-nearest-neighbour model, "
        "leave-one-out says each is worthless (the other covers for it) while every other point "
        "is worth something; Shapley splits the pair's value between them.",
        [[0.0, 0.0], [2.0, 2.0], [2.05, 1.95], [1.0, 1.1], [-0.8, 0.6]],
        [0, 1, 1, 0, 1],
    ),
    "outlier": (
        "Class 1 has one point (E) far from the rest: it drags its class's centroid away, so a "
        "nearest-centroid model misclassifies class 1, and E's values are negative.",
        [[0.0, 0.0], [0.5, 0.6], [2.0, 2.0], [2.5, 1.6], [9.0, -6.0], [0.2, 1.0]],
        [0, 0, 1, 1, 1, 0],
    ),
    "xor": (
        "An XOR layout: opposite corners share a label. Alone, any point is right about half "
        "the grid, no better than knowing nothing; points only help a nearest-neighbour model "
        "in pairs, so every pair has a positive interaction.",
        [[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]],
        [0, 0, 1, 1],
    ),
    "four_points_fresh": (
        "Five fresh points from four_points' two classes, for evaluation only: on its own points, "
        "1-nearest neighbour trained on four_points is perfect and no single point matters; on "
        "these it misses E, and B and C each matter.",
        [[-0.2, 0.3], [1.5, 0.7], [1.8, 1.3], [2.9, 2.3], [2.0, 1.9]],
        [0, 0, 1, 1, 0],
    ),
}


def toy_dataset_names():
    """Names of the toy datasets, in teaching order."""
    return tuple(_TOYS)


def _entry(name):
    if name not in _TOYS:
        raise ValueError(f"Unknown toy dataset {name!r}; choose one of {list(_TOYS)}.")
    return _TOYS[name]


def toy_lesson(name):
    """The one-sentence lesson a toy dataset exists for."""
    return _entry(name)[0]


def toy_dataset(name):
    """A fresh ``Dataset`` for one of ``toy_dataset_names()``.

    >>> toy_dataset("four_points").names
    ('A', 'B', 'C', 'D')
    """
    _, X, y = _entry(name)
    return Dataset(X, y)
