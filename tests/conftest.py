"""Named, seeded datasets shared by the tests."""
import numpy as np
import pytest

import datacf as dcf


def _blobs(seed, n, n_classes=2, n_features=2, spread=1.0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % n_classes
    centres = rng.normal(scale=2.0, size=(n_classes, n_features))
    return dcf.Dataset(centres[y] + rng.normal(scale=spread, size=(n, n_features)), y)


def _build():
    rng = np.random.default_rng(7)
    duplicated = rng.normal(size=(4, 2))
    return {
        "blobs6": _blobs(0, 6),
        "overlap6": _blobs(1, 6, spread=3.0),
        "blobs5_3d": _blobs(2, 5, n_features=3),
        "three_class6": _blobs(3, 6, n_classes=3),
        "three_class7": _blobs(4, 7, n_classes=3, spread=2.0),
        "imbalanced5": dcf.Dataset(rng.normal(size=(5, 2)), [0, 0, 0, 0, 1]),
        "xor4": dcf.Dataset([[0, 0], [1, 1], [0, 1], [1, 0]], [0, 0, 1, 1]),
        # points 0 and 3 are exact duplicates with the same label: symmetric players
        "duplicates5": dcf.Dataset(np.vstack([duplicated, duplicated[:1]]), [0, 1, 0, 1, 0]),
        # integer grid: many equal distances, to exercise the tie-breaking rules
        "ties6": dcf.Dataset([[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1], [2, 0]], [0, 1, 1, 0, 0, 1]),
    }


DATASETS = _build()


@pytest.fixture(scope="session")
def datasets():
    return DATASETS
