"""Real data a user already has: the small datasets bundled with scikit-learn, as ``Dataset``.

``load_sklearn_dataset`` reads ``load_breast_cancer`` (569 points, 30 features, 2 classes),
``load_digits`` (1797 points, 64 features, 10 classes) or ``load_iris`` (150 points, 4
features, 3 classes). Their files ship inside scikit-learn's own wheel, so they need no
download, in CPython and in Pyodide 0.27.7 alike. An optional stratified subsample keeps
each class's share (largest remainders, at least one point of every class that fits), so
a pool of a few hundred points, or an exact grid of 16, is one call.
"""
import numbers

import numpy as np

from ._dataset import Dataset

__all__ = ["load_sklearn_dataset", "SKLEARN_DATASETS"]

SKLEARN_DATASETS = ("breast_cancer", "digits", "iris")


def _stratified(y, n_points, rng):
    """Indices of a stratified sample of ``n_points`` from labels ``y``, in their original order."""
    classes, counts = np.unique(y, return_counts=True)
    share = counts * n_points / y.size
    take = np.floor(share).astype(np.int64)
    if n_points >= classes.size:
        take = np.maximum(take, 1)   # every class appears when there is room for it
    while take.sum() > n_points:     # the minimum of one may overshoot: trim the largest
        take[np.argmax(take - share)] -= 1
    remainder = share - take
    for c in np.argsort(-remainder, kind="stable")[: n_points - take.sum()]:
        take[c] += 1
    chosen = [rng.choice(np.flatnonzero(y == c), size=t, replace=False) for c, t in zip(classes, take)]
    return np.sort(np.concatenate(chosen))


def load_sklearn_dataset(name, n_points=None, features=None, rng=None, standardize=False):
    """A dataset bundled with scikit-learn, optionally subsampled (stratified) and with fewer features.

    Parameters
    ----------
    name : {"breast_cancer", "digits", "iris"}
    n_points : int or None, default=None
        Keep this many points, drawn without replacement with each class's share kept
        (stratified); None keeps all of them, in their original order.
    features : int, sequence of int or str, or None, default=None
        Keep the first ``features`` columns (an int), or the given columns by index or by
        scikit-learn's feature name; None keeps all.
    rng : int, numpy Generator or None, default=None
        Seed for the subsample (the global numpy random state is never used).
    standardize : bool, default=False
        Scale each kept feature to mean 0 and standard deviation 1 over the whole dataset
        (constant features are only centred).

    Returns
    -------
    Dataset
        Points named "p0", "p1", ... in the order kept.

    Raises
    ------
    ValueError
        For an unknown name, an ``n_points`` outside 1..the dataset's size, or an unknown
        or repeated feature.

    Examples
    --------
    >>> import datacf as dcf
    >>> data = dcf.load_sklearn_dataset("iris", n_points=12, features=["petal length (cm)", 3], rng=0)
    >>> data.n_points, data.n_features, data.classes.tolist(), data.names[:3]
    (12, 2, [0, 1, 2], ('p0', 'p1', 'p2'))
    >>> [int((data.y == c).sum()) for c in range(3)]   # 4 of each class: stratified
    [4, 4, 4]
    """
    if name not in SKLEARN_DATASETS:
        raise ValueError(f"name={name!r:.60} is not a bundled scikit-learn dataset; choose one of "
                         f"{list(SKLEARN_DATASETS)}.")
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")()
    X, y = np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.int64)
    feature_names = [str(f) for f in bunch.feature_names]
    columns = _columns(features, feature_names)
    X = X[:, columns]
    if standardize:
        scale = X.std(axis=0)
        X = (X - X.mean(axis=0)) / np.where(scale > 0, scale, 1.0)
    if n_points is not None:
        if isinstance(n_points, bool) or not isinstance(n_points, numbers.Integral) or not 1 <= n_points <= y.size:
            raise ValueError(f"n_points must be an integer in 1..{y.size} for {name}; got {n_points!r:.60}.")
        generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        keep = _stratified(y, int(n_points), generator)
        X, y = X[keep], y[keep]
    return Dataset(X, y, names=[f"p{i}" for i in range(y.size)])


def _columns(features, feature_names):
    width = len(feature_names)
    if features is None:
        return np.arange(width)
    if isinstance(features, numbers.Integral) and not isinstance(features, bool):
        if not 1 <= features <= width:
            raise ValueError(f"features={features!r} must be in 1..{width} (the number of columns to keep).")
        return np.arange(int(features))
    if isinstance(features, (str, bytes)) or not np.iterable(features):
        raise ValueError(f"features must be None, a count, or a sequence of column indices or names; "
                         f"got {features!r:.60}.")
    columns = []
    for feature in features:
        if isinstance(feature, numbers.Integral) and not isinstance(feature, bool) and 0 <= feature < width:
            columns.append(int(feature))
        elif isinstance(feature, str) and feature in feature_names:
            columns.append(feature_names.index(feature))
        else:
            shown = feature_names if width <= 8 else feature_names[:8] + ["..."]
            raise ValueError(f"features holds {feature!r:.60}, which is not a column; pass an index in "
                             f"range({width}) or a feature name such as {shown}.")
    if not columns:
        raise ValueError("features is empty; keep at least one column, or pass None for all.")
    if len(set(columns)) != len(columns):
        raise ValueError(f"features names a column twice: {list(features)!r:.120}.")
    return np.array(columns)
