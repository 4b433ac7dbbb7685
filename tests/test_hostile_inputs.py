"""Hostile inputs: whatever arrives, only a ValueError or TypeError with a message escapes (issue 7).

Random malformed datasets, mutated grid JSON and random parameters go to the public
boundary: ``Dataset``, ``compute_grid``, ``Grid``, ``Grid.from_json``, ``recompute_grid`` and
the readings. Warnings (e.g. ConvergenceWarning) are allowed; other exceptions are bugs.
"""
import json
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import datacf as dcf

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=4),
    st.sampled_from(["∅", ",", "A,B", " ", "", "os.system", "sklearn.utils._testing"]),
)
junk = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=3), children, max_size=3)),
    max_leaves=12,
)
small_floats = st.floats(-1e3, 1e3)
extreme_floats = st.one_of(small_floats, st.sampled_from([1e300, -1e300, 1e-300, 0.0, 2.0**63]))


def only_clear_errors(call):
    """Run ``call``; a ValueError or TypeError with a message is fine, anything else fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return call()
        except (ValueError, TypeError) as error:
            assert str(error).strip(), f"{type(error).__name__} without a message"
    return None


@st.composite
def datasets(draw, max_points=4):
    """Valid small datasets with extreme but finite features."""
    n = draw(st.integers(1, max_points))
    d = draw(st.integers(1, 2))
    X = draw(st.lists(st.lists(extreme_floats, min_size=d, max_size=d), min_size=n, max_size=n))
    y = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    return dcf.Dataset(X, y)


models = st.one_of(
    st.builds(dcf.models.KNN, k=st.one_of(st.integers(-2, 6), junk)),
    st.builds(dcf.models.LogisticRegression, C=st.one_of(st.floats(1e-3, 1e3), junk),
              max_iter=st.one_of(st.integers(1, 30), junk)),
    st.builds(dcf.models.NearestCentroid),
    junk,
)


@FUZZ
@given(X=st.one_of(junk, st.lists(st.lists(extreme_floats, max_size=3), max_size=4)), y=junk, names=junk)
def test_dataset_refuses_malformed_input_clearly(X, y, names):
    """Dataset(X, y, names) either builds or raises a clear ValueError/TypeError."""
    only_clear_errors(lambda: dcf.Dataset(X, y, names))


@FUZZ
@given(
    train=datasets(),
    model=models,
    metric=st.one_of(st.sampled_from(["prob_correct", "accuracy", "log_loss"]), junk),
    convention=st.one_of(st.sampled_from(["fallback", "zero"]), junk),
)
def test_compute_grid_refuses_bad_parameters_clearly(train, model, metric, convention):
    """compute_grid with random learners, metrics and conventions fails only clearly."""
    grid = only_clear_errors(lambda: dcf.compute_grid(train, model, metric=metric, convention=convention))
    if grid is not None:
        assert dcf.Grid.from_json(grid.to_json()) == grid


def _paths(node, prefix=()):
    """Every path into a JSON document (keys and indices), for mutating one place."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node[:3]):
            yield from _paths(value, (*prefix, i))


def _grid_documents():
    train = dcf.Dataset([[0.0, 1.0], [1.0, 0.5], [3.0, 2.0]], [0, 1, 1])
    from sklearn.tree import DecisionTreeClassifier

    return [
        json.loads(dcf.compute_grid(train, dcf.models.KNN(k=1)).to_json()),
        json.loads(dcf.compute_grid(train, dcf.models.LogisticRegression(), metric="log_loss").to_json()),
        json.loads(dcf.compute_grid(train, DecisionTreeClassifier(max_depth=1), metric="accuracy").to_json()),
    ]


DOCUMENTS = _grid_documents()


@st.composite
def mutated_grid_text(draw):
    """A real grid's JSON with one place deleted, replaced by junk or nested, or the text cut."""
    document = json.loads(json.dumps(draw(st.sampled_from(DOCUMENTS))))
    path = draw(st.sampled_from(list(_paths(document))))
    action = draw(st.sampled_from(["delete", "replace", "nest", "truncate"]))
    if action == "truncate":
        text = json.dumps(document)
        return text[: draw(st.integers(0, len(text) - 1))]
    if not path:
        return json.dumps(draw(junk))
    *parents, last = path
    parent = document
    for key in parents:
        parent = parent[key]
    if action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = draw(junk)
    else:
        parent[last] = [[[parent[last]]]] if draw(st.booleans()) else {"x": parent[last]}
    return json.dumps(document)


@FUZZ
@given(text=mutated_grid_text())
def test_mutated_grid_json_fails_only_with_value_error(text):
    """Grid.from_json turns every damaged file into a ValueError; recompute fails only clearly."""
    try:
        grid = dcf.Grid.from_json(text)
    except ValueError as error:
        assert str(error).strip()
        return
    if grid.inputs is not None:
        only_clear_errors(lambda: dcf.recompute_grid(grid))


@st.composite
def grids(draw):
    n = draw(st.integers(1, 4))
    m = draw(st.integers(1, 3))
    values = draw(st.lists(st.lists(extreme_floats, min_size=m, max_size=m), min_size=2**n, max_size=2**n))
    return dcf.Grid(values)


focus = st.one_of(st.none(), st.integers(-3, 5), st.sampled_from(["A", "B", "Z", "∅", ""]), junk)


@FUZZ
@given(grid=grids(), focus=focus, subset=st.one_of(junk, st.sampled_from(["∅", "AB", "A,B", "", "BA", "AA"])),
       alpha=st.one_of(st.floats(), junk), beta=st.one_of(st.floats(), junk), weights=junk)
def test_readings_refuse_bad_arguments_clearly(grid, focus, subset, alpha, beta, weights):
    """Readings with random focus, subsets and parameters fail only with clear errors."""
    only_clear_errors(lambda: grid.loo(focus))
    only_clear_errors(lambda: grid.shapley(focus))
    only_clear_errors(lambda: grid.row(subset))
    only_clear_errors(lambda: grid.group_loo(subset, focus))
    only_clear_errors(lambda: grid.semivalue(weights, focus))
    only_clear_errors(lambda: grid.beta_shapley(alpha, beta, focus))


@FUZZ
@given(values=junk, point_names=junk, eval_names=junk, inputs=junk)
def test_grid_constructor_refuses_junk_clearly(values, point_names, eval_names, inputs):
    """Grid(values, names, inputs) from arbitrary data fails only with clear errors."""
    only_clear_errors(lambda: dcf.Grid(values, point_names, eval_names, inputs))


@pytest.mark.parametrize("overrides", [{"modle": 1}, {"train": "x"}, {"metric": None}, {"n_jobs": "many"}])
def test_recompute_overrides_fail_clearly(overrides):
    """recompute_grid with wrong or misspelt overrides fails only clearly."""
    grid = dcf.Grid.from_json(json.dumps(DOCUMENTS[0]))
    only_clear_errors(lambda: dcf.recompute_grid(grid, **overrides))


def test_beta_shapley_with_huge_parameters_fails_clearly():
    """The fuzz's Beta(1.28e305, 1.28e305) once overflowed in lgamma; it must compute or fail clearly."""
    only_clear_errors(lambda: dcf.Grid([[0.0], [1.0]]).beta_shapley(1.2799916639258192e305, 1.2799916639258194e305))
