"""A small labelled dataset: finite float features, integer class labels, one name per point.

Validation happens here, once, so that learners and grids can trust their inputs.
"""
import math
import numbers

import numpy as np

from ._subsets import check_name

__all__ = ["Dataset", "default_names"]


def default_names(n_points):
    """Spreadsheet-style point names: "A" ... "Z", then "AA", "AB", ...

    >>> default_names(3)
    ('A', 'B', 'C')
    >>> default_names(28)[-2:]
    ('AA', 'AB')
    """
    names = []
    for i in range(n_points):
        name, i = "", i + 1
        while i:
            i, rest = divmod(i - 1, 26)
            name = chr(ord("A") + rest) + name
        names.append(name)
    return tuple(names)


def _check_features(X):
    try:
        X = np.array(X, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as error:
        raise ValueError(f"X must hold numbers; could not convert it to floats ({error}).") from None
    if X.ndim != 2:
        raise ValueError(
            f"X must be 2-D with shape (n_points, n_features); got {X.ndim}-D with shape "
            f"{X.shape}. Reshape a single feature with X.reshape(-1, 1)."
        )
    if X.shape[0] == 0:
        raise ValueError("The dataset is empty: X has no rows. Give at least one point.")
    if X.shape[1] == 0:
        raise ValueError("X has no columns. Give at least one feature per point.")
    bad_rows = np.flatnonzero(~np.isfinite(X).all(axis=1))
    if bad_rows.size:
        row = int(bad_rows[0])
        raise ValueError(
            f"X has NaN or infinite values in row {row} ({X[row].tolist()})"
            + (f" and {bad_rows.size - 1} more row(s)" if bad_rows.size > 1 else "")
            + ". Remove or impute them first."
        )
    return X


_LABEL_HINT = "Encode classes as 0, 1, ... (e.g. sklearn's LabelEncoder)."
_INT64 = np.iinfo(np.int64)


def _label_problem(value):
    """How ``value`` fails to be an int64 class label ("= 0.5 is not an integer"), or None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, numbers.Integral):
        if _INT64.min <= value <= _INT64.max:
            return None
        shown = int(value) if int(value).bit_length() <= 256 else f"an integer of {int(value).bit_length()} bits"
        return f"= {shown} does not fit in int64 (labels must lie in [-2**63, 2**63 - 1])"
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value) or value != math.floor(value):
            return f"= {float(value)!r} is not an integer"
        return None if -(2.0**63) <= value < 2.0**63 else f"= {float(value)!r} does not fit in int64"
    if isinstance(value, (str, bytes)):
        return f"= {value!r:.40} is a string, not an integer"
    return f"= {value!r:.40} is of type {type(value).__name__}, not an integer"


def _check_labels(y, n_points):
    if not isinstance(y, np.ndarray):
        try:   # object dtype keeps Python ints exact (numpy would round 2**63 to a float)
            y = np.array(y, dtype=object)
        except (TypeError, ValueError) as error:
            raise ValueError(f"y must be a sequence of integer class labels ({error}).") from None
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D with one label per point; got shape {y.shape}.")
    if y.shape[0] != n_points:
        raise ValueError(
            f"X has {n_points} rows but y has {y.shape[0]} labels; give one label per point."
        )
    if y.dtype.kind in "bi":
        return y.astype(np.int64)
    if y.dtype.kind not in "ufO":
        raise ValueError(f"y must hold integer class labels; got values of type {y.dtype}. {_LABEL_HINT}")
    for i, value in enumerate(y.tolist()):
        problem = _label_problem(value)
        if problem:
            raise ValueError(f"y must hold integer class labels; y[{i}] {problem}. {_LABEL_HINT}")
    return np.array([int(value) for value in y.tolist()], dtype=np.int64)


def _check_names(names, n_points):
    if names is None:
        return default_names(n_points)
    if isinstance(names, str):
        raise TypeError(f"names must be a sequence of strings, one per point; got the string {names!r}.")
    try:
        names = tuple(names)
    except TypeError:
        raise TypeError(f"names must be a sequence of strings, one per point; got {type(names).__name__}.") from None
    if len(names) != n_points:
        raise ValueError(f"names has {len(names)} entries but there are {n_points} points.")
    for i, name in enumerate(names):
        check_name(name, f"names[{i}]")
    seen = {}
    for i, name in enumerate(names):
        if name in seen:
            raise ValueError(
                f"names must be unique; {name!r} is used by points {seen[name]} and {i}."
            )
        seen[name] = i
    return names


class Dataset:
    """An immutable labelled dataset of ``n_points`` points.

    Parameters
    ----------
    X : array-like of shape (n_points, n_features)
        Finite float features.
    y : array-like of shape (n_points,)
        Integer class labels that fit in int64 (integral floats such as ``1.0`` and bools
        are accepted; strings, None and complex numbers are not).
    names : sequence of str, default=None
        One unique name per point; None gives "A", "B", "C", ... A name must have a visible
        character and may not contain "," or "∅", which row names use (see ``Grid.row``).

    Raises
    ------
    ValueError
        If X is not 2-D, is empty or has NaN or infinite values (the message names the row),
        if a label is not an integer that fits in int64 (the message names it) or y's length
        differs from X, or if names are duplicated, of the wrong length or hold "," or "∅".
    TypeError
        If names is not a sequence of strings.

    Examples
    --------
    >>> from datacf import Dataset
    >>> data = Dataset([[0.0, 1.0], [2.0, 3.0]], [0, 1])
    >>> data.names, data.classes
    (('A', 'B'), array([0, 1]))
    """

    __slots__ = ("_X", "_y", "_names")

    def __init__(self, X, y, names=None):
        X = _check_features(X)
        y = _check_labels(y, X.shape[0])
        names = _check_names(names, X.shape[0])
        X.flags.writeable = False
        y.flags.writeable = False
        object.__setattr__(self, "_X", X)
        object.__setattr__(self, "_y", y)
        object.__setattr__(self, "_names", names)

    def __setattr__(self, name, value):
        raise AttributeError("Dataset is immutable; build a new one instead.")

    @property
    def X(self):
        """Read-only features, shape (n_points, n_features)."""
        return self._X

    @property
    def y(self):
        """Read-only integer labels, shape (n_points,)."""
        return self._y

    @property
    def names(self):
        """Point names, a tuple of str."""
        return self._names

    @property
    def n_points(self):
        return self._X.shape[0]

    @property
    def n_features(self):
        return self._X.shape[1]

    @property
    def classes(self):
        """Sorted distinct labels."""
        return np.unique(self._y)

    def __len__(self):
        return self.n_points

    def __eq__(self, other):
        if not isinstance(other, Dataset):
            return NotImplemented
        return (
            self._names == other._names
            and np.array_equal(self._X, other._X)
            and np.array_equal(self._y, other._y)
        )

    __hash__ = None

    def __repr__(self):
        return (
            f"Dataset(n_points={self.n_points}, n_features={self.n_features}, "
            f"classes={self.classes.tolist()}, names={list(self._names)})"
        )

    def to_dict(self):
        """Plain JSON-ready form; floats keep every bit (``repr`` round trips)."""
        return {"X": self._X.tolist(), "y": self._y.tolist(), "names": list(self._names)}

    @classmethod
    def from_dict(cls, data):
        """Inverse of :meth:`to_dict`, with the same validation as the constructor."""
        if not isinstance(data, dict) or not {"X", "y"} <= data.keys() <= {"X", "y", "names"}:
            shown = sorted(map(str, data)) if isinstance(data, dict) else type(data).__name__
            raise ValueError(f"A dataset must be a dict with keys 'X', 'y' and 'names'; got {shown}.")
        return cls(data["X"], data["y"], data.get("names"))
