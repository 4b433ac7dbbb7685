"""Edits: ways to change training points, for grids whose rows are the sets of points changed.

``compute_grid(train, model, edit=EDIT)`` trains every row on all n points, with ``EDIT``
applied to the points of row r's set F = {i : (r >> i) & 1} and the other points unchanged;
row 0 is the clean dataset. An edit changes each point on its own, never looking at others:

- ``FlipLabels(mapping=None)``: a binary label becomes the other class; with a mapping
  (``{0: 1, 1: 2, 2: 0}``) a label found in it becomes its image, other labels stay.
- ``SetLabel(label)``: the label becomes ``label``.
- ``Shift(delta)``: the features move by ``delta`` (a number, or one number per feature).
- ``PlantSignal(feature, value, label)``: feature ``feature`` becomes ``value`` and the label
  becomes ``label``: the signal a collective plants in its own data in algorithmic collective
  action (Hardt, Mazumdar, Mendler-Dünner & Zrnic, "Algorithmic collective action in machine
  learning", ICML 2023).

Edits are plain, immutable data. ``to_dict`` gives their JSON form, ``{"kind": class name,
field: value, ...}``, and ``from_dict`` rebuilds one from an allow-list of the four kinds: a
description from outside (a grid file, a share link) never names code. A label an edit
writes must be one of the training set's classes (``check``): an edit cannot invent a class.
"""
import math
import numbers
from collections.abc import Mapping

import numpy as np

from ._dataset import Dataset
from ._plain import Plain

__all__ = ["Edit", "FlipLabels", "SetLabel", "Shift", "PlantSignal", "from_dict"]

_INT64 = np.iinfo(np.int64)


def _label(value, owner, name="label"):
    """An int64 class label, or a TypeError/ValueError saying what is wrong with ``value``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{owner}: {name} must be an integer class label (got {value!r:.60} of type {type(value).__name__})."
        )
    if not _INT64.min <= value <= _INT64.max:
        raise ValueError(f"{owner}: {name} = {value!r:.40} does not fit in int64, so it is no class label.")
    return int(value)


def _real(value, owner, name):
    """A finite float, or a TypeError/ValueError saying what is wrong with ``value``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number (got {value!r:.60} of type {type(value).__name__}).")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{owner}: {name} must be a finite number (got {value!r:.40}).")
    return number


def _check_classes(owner, labels, classes):
    """Refuse a label the training set does not have: an edit cannot invent a class."""
    missing = sorted(set(labels) - set(classes.tolist()))
    if missing:
        raise ValueError(
            f"{owner} writes the label {missing[0]}, which no training point has; the training classes are "
            f"{classes.tolist()}. An edit may only use labels of the training set."
        )


def _as_lists(value):
    """A field's JSON form: tuples (Shift's delta, FlipLabels' pairs) become lists."""
    return [_as_lists(item) for item in value] if isinstance(value, tuple) else value


class Edit(Plain):
    """Base class of the edits: equality, repr and a JSON form from the fields; immutable."""
    _optional = ()   # fields a description may leave out, for their default

    def to_dict(self):
        """Plain JSON form: ``{"kind": class name, field: value, ...}`` (tuples become lists)."""
        return {"kind": type(self).__name__, **{name: _as_lists(getattr(self, name)) for name in self._fields}}

    def check(self, train):
        """Raise ValueError unless this edit can be applied to the points of ``train``.

        Checks the features (a feature index in range, a shift of the right length that
        keeps every feature finite) and the labels (every label the edit writes is one of
        ``train.classes``). A ``TypeError`` if ``train`` is not a Dataset.
        """
        _check_dataset(train, f"{type(self).__name__}.check")
        self._check_features(train.X)
        self._check_labels(train.classes)

    def apply(self, dataset, points=None):
        """The dataset with this edit applied to ``points`` (all of them by default).

        Parameters
        ----------
        dataset : Dataset
        points : sequence of int or str, or None, default=None
            The points to edit, by index or name; the others are unchanged.

        Returns
        -------
        Dataset
            Same names and order as ``dataset``.

        Raises
        ------
        ValueError
            If the edit does not fit ``dataset`` (see ``check``) or a point is unknown.

        Examples
        --------
        >>> import datacf as dcf
        >>> data = dcf.Dataset([[0.0], [1.0], [2.0]], [0, 1, 1])
        >>> dcf.edits.FlipLabels().apply(data, points=["A", "C"]).y.tolist()
        [1, 1, 0]
        """
        _check_dataset(dataset, f"{type(self).__name__}.apply")
        self.check(dataset)
        chosen = np.zeros(dataset.n_points, dtype=bool)
        chosen[_point_indices(points, dataset.names)] = True
        X, y = self._edited(dataset.X, dataset.y, dataset.classes)
        return Dataset(np.where(chosen[:, None], X, dataset.X), np.where(chosen, y, dataset.y), dataset.names)

    # --- what each kind defines ----------------------------------------------------------

    def _check_features(self, X):
        """Raise ValueError unless the edit fits features ``X`` (n_points, n_features)."""

    def _check_labels(self, classes):
        """Raise ValueError unless every label the edit writes is in ``classes``."""

    def _edited(self, X, y, classes):
        """Features and labels of every point edited: arrays shaped like ``X`` and ``y``."""
        raise NotImplementedError


def _check_dataset(dataset, where):
    if not isinstance(dataset, Dataset):
        raise TypeError(f"{where} needs a datacf.Dataset; got {type(dataset).__name__}.")


def _point_indices(points, names):
    """Indices of ``points`` (None for all; indices or names otherwise)."""
    if points is None:
        return np.arange(len(names))
    if isinstance(points, (str, bytes)) or not np.iterable(points):
        raise TypeError(f"points must be a sequence of point indices or names; got {type(points).__name__}.")
    indices = []
    for point in points:
        if isinstance(point, str) and point in names:
            indices.append(names.index(point))
        elif isinstance(point, numbers.Integral) and not isinstance(point, bool) and 0 <= point < len(names):
            indices.append(int(point))
        else:
            raise ValueError(
                f"{point!r:.40} is not a point; give an index in range({len(names)}) or a name such as {names[0]!r}."
            )
    return np.array(indices, dtype=np.int64)


class FlipLabels(Edit):
    """Flip a binary label to the other class, or relabel by a mapping.

    Parameters
    ----------
    mapping : dict or sequence of (from, to) pairs, or None, default=None
        None: the training set must have exactly two classes, and each label becomes the
        other. A mapping: a label that is a key becomes its value, other labels stay as they
        are; keys and values must be classes of the training set.

    Examples
    --------
    >>> from datacf.edits import FlipLabels
    >>> FlipLabels({2: 0, 0: 1})
    FlipLabels(mapping=((0, 1), (2, 0)))
    """

    _fields = ("mapping",)
    _optional = ("mapping",)

    def __init__(self, mapping=None):
        if mapping is not None:
            pairs = mapping.items() if isinstance(mapping, Mapping) else mapping
            if isinstance(pairs, (str, bytes)) or not np.iterable(pairs):
                raise TypeError(
                    f"FlipLabels: mapping must be a dict of labels or a list of [from, to] pairs "
                    f"(got {type(mapping).__name__})."
                )
            checked = {}
            for pair in pairs:
                if isinstance(pair, (str, bytes, Mapping)) or not np.iterable(pair) or len(pair) != 2:
                    raise TypeError(f"FlipLabels: every mapping entry must be a [from, to] pair (got {pair!r:.60}).")
                source = _label(pair[0], "FlipLabels", "a mapping key")
                if source in checked:
                    raise ValueError(f"FlipLabels: the mapping names the label {source} twice.")
                checked[source] = _label(pair[1], "FlipLabels", "a mapping value")
            if not checked:
                raise ValueError("FlipLabels: the mapping is empty; give at least one pair, or None for two classes.")
            mapping = tuple(sorted(checked.items()))
        self.mapping = mapping

    def _check_labels(self, classes):
        if self.mapping is None:
            if classes.size != 2:
                raise ValueError(
                    f"FlipLabels() flips between exactly two classes, but the training set has the classes "
                    f"{classes.tolist()}. Give a mapping for other cases, e.g. FlipLabels({{0: 1, 1: 2, 2: 0}})."
                )
            return
        _check_classes("FlipLabels", [label for pair in self.mapping for label in pair], classes)

    def _edited(self, X, y, classes):
        pairs = ((classes[0], classes[1]), (classes[1], classes[0])) if self.mapping is None else self.mapping
        flipped = y.copy()
        for source, target in pairs:
            flipped[y == source] = target
        return X, flipped


class SetLabel(Edit):
    """Set the label to one class.

    Parameters
    ----------
    label : int
        A class of the training set.

    Examples
    --------
    >>> from datacf.edits import SetLabel
    >>> SetLabel(1).to_dict()
    {'kind': 'SetLabel', 'label': 1}
    """

    _fields = ("label",)

    def __init__(self, label):
        self.label = _label(label, "SetLabel")

    def _check_labels(self, classes):
        _check_classes("SetLabel", [self.label], classes)

    def _edited(self, X, y, classes):
        return X, np.full_like(y, self.label)


class Shift(Edit):
    """Move the features by ``delta``; labels stay.

    Parameters
    ----------
    delta : float or sequence of float
        One finite number added to every feature, or one per feature.

    Examples
    --------
    >>> from datacf.edits import Shift
    >>> Shift([0.5, -1]).to_dict()
    {'kind': 'Shift', 'delta': [0.5, -1.0]}
    """

    _fields = ("delta",)

    def __init__(self, delta):
        if isinstance(delta, np.ndarray) and delta.ndim == 0:
            delta = delta.item()
        if isinstance(delta, (str, bytes, Mapping)):
            raise TypeError(f"Shift: delta must be a number or a sequence of numbers (got {delta!r:.60}).")
        if np.iterable(delta):
            delta = tuple(_real(value, "Shift", f"delta[{i}]") for i, value in enumerate(delta))
            if not delta:
                raise ValueError("Shift: delta is empty; give a number, or one number per feature.")
        else:
            delta = _real(delta, "Shift", "delta")
        self.delta = delta

    def _check_features(self, X):
        if isinstance(self.delta, tuple) and len(self.delta) != X.shape[1]:
            raise ValueError(
                f"Shift: delta has {len(self.delta)} numbers but the points have {X.shape[1]} features; "
                "give one number per feature, or a single number for all."
            )
        with np.errstate(over="ignore"):
            finite = np.isfinite(X + np.asarray(self.delta)).all()
        if not finite:
            raise ValueError(f"Shift: delta={self.delta!r:.60} moves features beyond the float64 range.")

    def _edited(self, X, y, classes):
        return X + np.asarray(self.delta), y


class PlantSignal(Edit):
    """Plant a signal: set one feature to a value and the label to a target class.

    The collective's strategy in Hardt et al. (2023): each member changes its own point
    to carry the signal ``x[feature] = value`` and the target label ``label``.
    Collective-action success is read on evaluation points carrying the signal
    (``signal_points``); see ``datacf.compute_success_grid``.

    Parameters
    ----------
    feature : int
        Index of the feature that carries the signal.
    value : float
        The signal's value.
    label : int
        The target class, one of the training set's classes.

    Examples
    --------
    >>> import datacf as dcf
    >>> data = dcf.Dataset([[0.0, 0.0], [1.0, 1.0]], [0, 1])
    >>> dcf.edits.PlantSignal(1, 5.0, 0).apply(data, points=[1]).X.tolist()
    [[0.0, 0.0], [1.0, 5.0]]
    """

    _fields = ("feature", "value", "label")

    def __init__(self, feature, value, label):
        if isinstance(feature, (bool, np.bool_)) or not isinstance(feature, numbers.Integral):
            raise TypeError(
                f"PlantSignal: feature must be a feature index, an integer (got {feature!r:.60} of type "
                f"{type(feature).__name__})."
            )
        if feature < 0:
            raise ValueError(f"PlantSignal: feature must be a feature index >= 0 (got {feature}).")
        self.feature = int(feature)
        self.value = _real(value, "PlantSignal", "value")
        self.label = _label(label, "PlantSignal")

    def _check_features(self, X):
        if self.feature >= X.shape[1]:
            raise ValueError(
                f"PlantSignal: feature {self.feature!r:.40} is out of range; the points have {X.shape[1]} features "
                f"(indices 0..{X.shape[1] - 1})."
            )

    def _check_labels(self, classes):
        _check_classes("PlantSignal", [self.label], classes)

    def _edited(self, X, y, classes):
        planted = X.copy()
        planted[:, self.feature] = self.value
        return planted, np.full_like(y, self.label)

    def signal_points(self, dataset):
        """Every point of ``dataset`` with the signal planted and labelled with the target.

        These are the evaluation points of collective-action success (Hardt et al. 2023):
        success is the fraction of them the model assigns the target label. The target need
        not be a label of ``dataset`` (it must be one of the training set's).

        Returns
        -------
        Dataset
            Same names and order as ``dataset``.
        """
        _check_dataset(dataset, "PlantSignal.signal_points")
        self._check_features(dataset.X)
        X, y = self._edited(dataset.X, dataset.y, dataset.classes)
        return Dataset(X, y, dataset.names)


_KINDS = {cls.__name__: cls for cls in (FlipLabels, SetLabel, Shift, PlantSignal)}


def from_dict(document):
    """Rebuild an edit from ``to_dict`` output, treated as untrusted data.

    Only the four kinds of this module can be built, each from its fields: all of them,
    except that ``FlipLabels``' ``mapping`` may be left out (None), and no others.

    Raises
    ------
    ValueError
        If the document is not an edit description: not an object, an unknown kind,
        missing or extra fields, or a field the edit's constructor refuses (wrong type,
        NaN or infinity, a label beyond int64); the message says which.

    Examples
    --------
    >>> from_dict({"kind": "SetLabel", "label": 0})
    SetLabel(label=0)
    >>> from_dict({"kind": "os.system", "label": 0})
    Traceback (most recent call last):
    ...
    ValueError: An edit must be an object with 'kind' one of ['FlipLabels', 'SetLabel', 'Shift', 'PlantSignal']; got 'os.system'.
    """
    kind = document.get("kind") if isinstance(document, dict) else type(document).__name__
    if not isinstance(document, dict) or not isinstance(kind, str) or kind not in _KINDS:
        raise ValueError(f"An edit must be an object with 'kind' one of {list(_KINDS)}; got {kind!r:.60}.")
    cls = _KINDS[kind]
    fields = set(document) - {"kind"}
    if not set(cls._fields) - set(cls._optional) <= fields <= set(cls._fields):
        raise ValueError(f"A {kind} edit has the fields {list(cls._fields)}; got {sorted(map(str, fields))}.")
    for name in fields:
        _check_plain(document[name], f"{kind}.{name}")
    try:
        return cls(**{name: document[name] for name in fields})
    except (TypeError, ValueError) as error:
        raise ValueError(f"Invalid edit: {error}") from None


def _check_plain(value, where):
    """Edit fields from JSON are null, numbers, or lists of numbers or of [number, number] pairs."""
    if value is None or type(value) in (int, float):
        return
    if type(value) is list and all(type(item) in (int, float) for item in value):
        return
    if type(value) is list and all(type(item) is list and all(type(x) in (int, float) for x in item)
                                   for item in value):
        return
    raise ValueError(f"{where} must be a number, null or a list of numbers; got {type(value).__name__} {value!r:.60}.")


for _cls in (Edit, *_KINDS.values()):
    _cls.__module__ = "datacf.edits"
