"""A model as plain JSON data, and back.

``describe_model`` records a learner as ``{"library", "class", "params"}``; ``build_model``
rebuilds it. Grid JSON is untrusted data, so the data never names code: ``build_model``
constructs only datacf's own learners (``KNN``, ``LogisticRegression``, ``NearestCentroid``)
or a scikit-learn classifier from an allow-list (``allowed_sklearn_classifiers``: the public
classifiers of ``sklearn.utils.all_estimators``, minus meta-estimators that take other
estimators), with only the parameters its constructor declares, each a plain JSON value.
No module or attribute is ever looked up by a name from the data.

Plain JSON values are None, bool, int, finite float, str, lists of them and dicts with string
keys. Two Python values JSON cannot hold are stored in a tagged form that round-trips exactly:
a tuple as ``{"__tuple__": [...]}`` and a dict with other keys (e.g. ``class_weight={0: 1,
1: 2}``) as ``{"__items__": [[key, value], ...]}``; numpy scalars are stored as Python ones.
A model whose parameters cannot be stored this way (a nested estimator, a callable, an
array) is recorded as not recomputable, with its repr kept only as a note for people::

    {"library": ..., "class": ..., "recomputable": false, "reason": ..., "note": "SVC(...)"}
"""
import functools
import inspect
import math
import numbers

import numpy as np

from .models import KNN, FastLearner, LogisticRegression, NearestCentroid

__all__ = ["describe_model", "check_model_spec", "build_model", "allowed_sklearn_classifiers"]

LIBRARIES = ("datacf", "scikit-learn")
DATACF_LEARNERS = {cls.__name__: cls for cls in (KNN, LogisticRegression, NearestCentroid)}
# Constructor parameters that take other estimators: a description cannot rebuild those safely.
_META_PARAMETERS = frozenset({"estimator", "estimators", "base_estimator", "final_estimator"})
_TUPLE_TAG, _ITEMS_TAG = "__tuple__", "__items__"
_SPEC_KEYS = frozenset({"library", "class", "params"})
_UNRECOMPUTABLE_KEYS = frozenset({"library", "class", "recomputable", "reason", "note"})
# Parameters nest a few levels at most (class_weight, hidden_layer_sizes); deeper is hostile.
MAX_PARAM_DEPTH = 8
NOTE_CHARS = 300   # the human-readable repr of an unrecomputable model, truncated


class _Unrecordable(Exception):
    """A parameter value that plain JSON cannot hold (internal to ``describe_model``)."""


def _encode(value, depth=0):
    """Plain JSON form of a parameter value; raise ``_Unrecordable`` saying why there is none."""
    if depth > MAX_PARAM_DEPTH:
        raise _Unrecordable(f"it nests deeper than {MAX_PARAM_DEPTH} levels")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        if not math.isfinite(value):
            raise _Unrecordable(f"it is {float(value)}, which JSON cannot hold")
        return float(value)
    if isinstance(value, list):
        return [_encode(item, depth + 1) for item in value]
    if isinstance(value, tuple):
        return {_TUPLE_TAG: [_encode(item, depth + 1) for item in value]}
    if isinstance(value, dict):
        plain_keys = all(isinstance(key, str) for key in value) and not (
            len(value) == 1 and {_TUPLE_TAG, _ITEMS_TAG} & value.keys()
        )
        if plain_keys:
            return {key: _encode(item, depth + 1) for key, item in value.items()}
        if not all(_is_scalar(key) for key in value):
            raise _Unrecordable("it is a dict whose keys are not all numbers or strings")
        return {_ITEMS_TAG: [[_encode(key), _encode(item, depth + 1)] for key, item in value.items()]}
    raise _Unrecordable(f"it holds a {type(value).__name__} object, which a JSON description cannot record")


def _is_scalar(value):
    return value is None or isinstance(value, (bool, np.bool_, numbers.Real, str))


def _decode(value, where, depth=0):
    """The parameter value a plain JSON form stands for; ValueError if it is not plain JSON."""
    if depth > MAX_PARAM_DEPTH:
        raise ValueError(f"{where} nests deeper than {MAX_PARAM_DEPTH} levels.")
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        if not math.isfinite(value):
            raise ValueError(f"{where} = {value} is not a finite number.")
        return value
    if type(value) is list:
        return [_decode(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value)]
    if type(value) is dict and len(value) == 1 and _TUPLE_TAG in value:
        items = value[_TUPLE_TAG]
        if type(items) is not list:
            raise ValueError(f"{where}[{_TUPLE_TAG!r}] must be a list.")
        return tuple(_decode(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(items))
    if type(value) is dict and len(value) == 1 and _ITEMS_TAG in value:
        pairs = value[_ITEMS_TAG]
        if type(pairs) is not list or not all(type(pair) is list and len(pair) == 2 for pair in pairs):
            raise ValueError(f"{where}[{_ITEMS_TAG!r}] must be a list of [key, value] pairs.")
        decoded = {}
        for i, (key, item) in enumerate(pairs):
            key = _decode(key, f"{where} key {i}", depth + 1)
            if not _is_scalar(key):
                raise ValueError(f"{where} key {i} must be a number, a string or null; got {key!r:.60}.")
            decoded[key] = _decode(item, f"{where}[{key!r}]", depth + 1)
        return decoded
    if type(value) is dict:
        if not all(type(key) is str for key in value):
            raise ValueError(f"{where} has a key that is not a string.")
        return {key: _decode(item, f"{where}[{key!r}]", depth + 1) for key, item in value.items()}
    raise ValueError(
        f"{where} is a {type(value).__name__}; parameter values must be plain JSON "
        "(null, true/false, numbers, strings, lists and objects of those)."
    )


def describe_model(model):
    """JSON-ready description of a model: enough to rebuild it, or why it cannot be.

    Parameters
    ----------
    model : datacf fast learner or scikit-learn classifier

    Returns
    -------
    dict
        ``{"library", "class", "params"}``, or ``{"library", "class", "recomputable": False,
        "reason", "note"}`` when a parameter cannot be stored as plain JSON.

    Examples
    --------
    >>> import numpy as np
    >>> import datacf as dcf
    >>> describe_model(dcf.models.KNN(k=np.int64(1)))
    {'library': 'datacf', 'class': 'KNN', 'params': {'k': 1}}
    """
    cls = type(model)
    if isinstance(model, FastLearner):
        library, name, params = "datacf", cls.__name__, model.get_params()
    else:
        library, name, params = "scikit-learn", f"{cls.__module__}.{cls.__qualname__}", model.get_params(deep=False)
    try:
        if DATACF_LEARNERS.get(name) is not cls and not (library == "scikit-learn" and name.startswith("sklearn.")):
            raise _Unrecordable(f"{name} is not one of datacf's learners or a scikit-learn class")
        encoded = {}
        for key, value in params.items():
            try:
                encoded[key] = _encode(value)
            except _Unrecordable as problem:
                raise _Unrecordable(f"the parameter {key}={value!r:.80}: {problem}") from None
    except _Unrecordable as problem:
        return {"library": library, "class": name, "recomputable": False,
                "reason": str(problem), "note": repr(model)[:NOTE_CHARS]}
    return {"library": library, "class": name, "params": encoded}


def check_model_spec(spec, where="model"):
    """Raise ValueError unless ``spec`` is a well-formed description (shape and plain values).

    This needs no scikit-learn; whether the class may be built is ``build_model``'s check.
    """
    if not isinstance(spec, dict):
        raise ValueError(f"{where} must be a model description (a JSON object); got {type(spec).__name__}.")
    expected = _UNRECOMPUTABLE_KEYS if "recomputable" in spec else _SPEC_KEYS
    if spec.keys() != expected:
        raise ValueError(
            f"{where} must have exactly the keys {sorted(expected)}; got {sorted(map(str, spec))}."
        )
    if spec["library"] not in LIBRARIES:
        raise ValueError(f"{where}['library'] = {spec['library']!r:.80}; it must be one of {list(LIBRARIES)}.")
    if not isinstance(spec["class"], str) or not spec["class"]:
        raise ValueError(f"{where}['class'] must be a non-empty string; got {spec['class']!r:.80}.")
    if "recomputable" in spec:
        if spec["recomputable"] is not False:
            raise ValueError(f"{where}['recomputable'] can only be false (omit it for a recomputable model).")
        for key in ("reason", "note"):
            if not isinstance(spec[key], str):
                raise ValueError(f"{where}[{key!r}] must be a string.")
        return
    if not isinstance(spec["params"], dict):
        raise ValueError(f"{where}['params'] must be an object mapping parameter names to values.")
    for key, value in spec["params"].items():
        if not isinstance(key, str):
            raise ValueError(f"{where}['params'] has a parameter name that is not a string: {key!r:.60}.")
        _decode(value, f"{where}['params'][{key!r}]")


@functools.cache
def allowed_sklearn_classifiers():
    """The scikit-learn classes a description may name: ``{"module.Class": class}``.

    Every public classifier ``sklearn.utils.all_estimators`` finds in a public
    ``sklearn.*`` module, except meta-estimators whose parameters are other estimators.
    """
    from sklearn.utils import all_estimators

    allowed = {}
    for _, cls in all_estimators(type_filter="classifier"):
        if cls.__module__.startswith("sklearn.") and _META_PARAMETERS.isdisjoint(_declared_parameters(cls)):
            allowed[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return allowed


def _declared_parameters(cls):
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return [name for name, p in inspect.signature(cls).parameters.items() if p.kind in kinds]


def build_model(spec):
    """Rebuild the model a description names, constructing only allow-listed classes.

    Parameters
    ----------
    spec : dict
        A description from ``describe_model`` (possibly read from untrusted JSON).

    Returns
    -------
    datacf fast learner or scikit-learn classifier
        A new, unfitted model with the recorded parameters.

    Raises
    ------
    ValueError
        If the description is malformed, marked not recomputable, names a class outside the
        allow-list, or gives a parameter the class does not declare or a value it refuses.

    Examples
    --------
    >>> build_model({"library": "datacf", "class": "KNN", "params": {"k": 1}})
    KNN(k=1)
    >>> build_model({"library": "scikit-learn", "class": "os.system", "params": {}})
    Traceback (most recent call last):
    ...
    ValueError: The model class 'os.system' is not allowed: ...
    """
    check_model_spec(spec)
    name = spec["class"]
    if "recomputable" in spec:
        raise ValueError(
            f"The model {name} was recorded as not recomputable: {spec['reason']}. "
            "Pass the model itself, e.g. recompute_grid(grid, model=...)."
        )
    if spec["library"] == "datacf":
        cls = DATACF_LEARNERS.get(name)
        known = f"datacf's learners are {sorted(DATACF_LEARNERS)}"
    else:
        cls = allowed_sklearn_classifiers().get(name)
        known = "scikit-learn models must be one of its classifiers, named by module and class"
    if cls is None:
        raise ValueError(
            f"The model class {name!r:.120} is not allowed: {known} "
            "(e.g. 'sklearn.tree._classes.DecisionTreeClassifier'); meta-estimators are not rebuilt."
        )
    params = {key: _decode(value, f"{name} parameter {key!r}") for key, value in spec["params"].items()}
    unknown = sorted(set(params) - set(_declared_parameters(cls)))
    if unknown:
        raise ValueError(
            f"{name} has no parameter(s) {unknown}; its parameters are {_declared_parameters(cls)}."
        )
    if spec["library"] == "scikit-learn":
        # scikit-learn's validation counts a dict as "array-like"; allow one only where declared.
        constraints = getattr(cls, "_parameter_constraints", {})
        for key, value in params.items():
            if isinstance(value, dict) and dict not in constraints.get(key, ()):
                raise ValueError(f"{name} parameter {key!r} does not take a dict; got {value!r:.80}.")
    model = cls(**params)
    try:
        if spec["library"] == "datacf":
            model._check_params()
        else:
            model._validate_params()
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} refuses its recorded parameters: {error}") from None
    return model
