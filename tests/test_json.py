"""Grid JSON: lossless round trips and clear errors for damaged or newer files."""
import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

import datacf as dcf


def any_grid():
    """Hypothesis strategy: grids of arbitrary finite floats, including tiny and huge ones."""
    return st.integers(1, 5).flatmap(
        lambda n: st.integers(1, 4).flatmap(
            lambda m: arrays(np.float64, (2**n, m), elements=st.floats(allow_nan=False, allow_infinity=False))
        )
    ).map(dcf.Grid)


@settings(max_examples=80, deadline=None)
@given(any_grid())
def test_round_trip_is_bit_exact(grid):
    """from_json(to_json(g)) equals g, every float bit for bit."""
    back = dcf.Grid.from_json(grid.to_json())
    assert back == grid
    assert back.values.tobytes() == grid.values.tobytes()


@pytest.mark.parametrize("metric", ["prob_correct", "accuracy", "log_loss"])
def test_computed_grid_round_trips_with_inputs_and_provenance(datasets, metric):
    """A computed grid keeps its inputs and provenance, and recomputes to the same values."""
    grid = dcf.compute_grid(datasets["three_class6"], dcf.models.LogisticRegression(C=0.5), metric=metric)
    back = dcf.Grid.from_json(grid.to_json(indent=1))
    assert back == grid
    assert back.inputs["model"] == {"library": "datacf", "class": "LogisticRegression", "params": {"C": 0.5, "max_iter": 100}}
    assert set(back.provenance) >= {"datacf", "numpy", "scikit-learn", "python"}
    np.testing.assert_array_equal(dcf.recompute_grid(back).values, grid.values)


def test_sklearn_model_is_recorded_and_rebuilt(datasets):
    """A scikit-learn model is recorded by import path and parameters, and recomputes."""
    from sklearn.tree import DecisionTreeClassifier

    grid = dcf.compute_grid(datasets["blobs6"], DecisionTreeClassifier(max_depth=2, random_state=0))
    assert grid.inputs["model"]["class"] == "sklearn.tree._classes.DecisionTreeClassifier"
    back = dcf.Grid.from_json(grid.to_json())
    np.testing.assert_array_equal(dcf.recompute_grid(back).values, grid.values)


def _document(grid):
    return json.loads(grid.to_json())


@pytest.fixture
def grid():
    return dcf.Grid([[0.25, 0.5], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])


class TestDamagedFiles:
    def test_truncated_file(self, grid):
        """Cut-off JSON says it may be truncated or corrupted."""
        with pytest.raises(ValueError, match="not valid grid JSON.*truncated or corrupted"):
            dcf.Grid.from_json(grid.to_json()[:-7])

    def test_future_version(self, grid):
        """A newer schema version asks for a newer datacf instead of guessing."""
        document = _document(grid)
        document["version"] = 99
        with pytest.raises(ValueError, match="schema version 99, newer than.*Upgrade datacf"):
            dcf.Grid.from_json(json.dumps(document))

    def test_not_a_grid(self):
        """Other JSON is recognised as not a datacf grid."""
        with pytest.raises(ValueError, match="not a datacf grid"):
            dcf.Grid.from_json('{"hello": 1}')

    @pytest.mark.parametrize(
        "field, value, message",
        [
            ("values", [[0.0], [1.0], [2.0]], "not a power of two"),
            ("values", [[0.0, "x"], [1.0, 1.0], [0, 0], [1, 1]], "must be numbers"),
            ("values", "nope", "'values' must be a list"),
            ("point_names", ["A", "A"], "point_names must be unique"),
            ("eval_names", ["A"], "eval_names must be 2 strings; got 1"),
            ("provenance", None, "'provenance' must be an object"),
            ("version", "1", "invalid schema version"),
        ],
    )
    def test_corrupted_fields(self, grid, field, value, message):
        """Each damaged field gives an error that names it."""
        document = _document(grid)
        document[field] = value
        with pytest.raises(ValueError, match=message):
            dcf.Grid.from_json(json.dumps(document))

    def test_missing_field(self, grid):
        """A missing field is named."""
        document = _document(grid)
        del document["eval_names"]
        with pytest.raises(ValueError, match=r"missing the field\(s\) \['eval_names'\]"):
            dcf.Grid.from_json(json.dumps(document))

    def test_not_text(self):
        """Passing a non-string is a TypeError."""
        with pytest.raises(TypeError, match="needs JSON text"):
            dcf.Grid.from_json({"schema": "datacf.grid"})

    def test_bare_grid_cannot_be_recomputed(self, grid):
        """A grid built from a bare table has no inputs to recompute from."""
        with pytest.raises(ValueError, match="records no inputs"):
            dcf.recompute_grid(grid)
