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
        "Two clusters with one mislabelled point (F sits among class 0 but is labelled 1): "
        "it hurts the model, and leave-one-out and Shapley both give it a negative value.",
        [[0.0, 0.0], [0.6, 0.4], [0.2, 1.0], [3.0, 3.0], [3.6, 2.4], [0.5, 0.7], [3.2, 3.6]],
        [0, 0, 0, 1, 1, 1, 1],
    ),
    "near_duplicates": (
        "A redundant pair: B and C are near-duplicates. Leave-one-out says each is worthless "
        "(the other covers for it); Shapley splits their shared value between them.",
        [[0.0, 0.0], [3.0, 3.0], [3.05, 2.95], [0.8, 0.3], [0.4, 0.9]],
        [0, 1, 1, 0, 0],
    ),
    "outlier": (
        "Class 1 has one point (E) far from the rest: it pulls a centroid or a linear boundary "
        "towards itself and costs the model accuracy on its own class.",
        [[0.0, 0.0], [0.5, 0.6], [2.0, 2.0], [2.5, 1.6], [9.0, -6.0], [0.2, 1.0]],
        [0, 0, 1, 1, 1, 0],
    ),
    "xor": (
        "An XOR layout: opposite corners share a label, so no single point helps a nearest "
        "neighbour predict the others; points matter only together (positive interactions).",
        [[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0], [0.1, 0.1], [0.9, 0.9], [0.1, 0.9], [0.9, 0.1]],
        [0, 0, 1, 1, 0, 0, 1, 1],
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
