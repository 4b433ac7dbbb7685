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


class TestHostileText:
    """Grid JSON is untrusted: every malformed file is a ValueError naming the problem (issue 7)."""

    @pytest.mark.parametrize("text", ["[" * 100_000, '{"a":' * 100_000, '{"schema": ' + "[" * 50_000])
    def test_deep_nesting_is_a_value_error(self, text):
        """Nesting that would exhaust the parser's recursion gives ValueError, not RecursionError."""
        with pytest.raises(ValueError, match="nested too deeply"):
            dcf.Grid.from_json(text)

    def test_text_over_the_limit_is_refused_before_parsing(self):
        """Text longer than max_chars is refused with the limit and how to raise it."""
        with pytest.raises(ValueError, match=r"is 101 characters long, more than the limit of 100.*max_chars"):
            dcf.Grid.from_json(" " * 101, max_chars=100)

    def test_default_limit_refuses_a_huge_file(self):
        """The default limit (MAX_JSON_CHARS) applies without any argument."""
        from datacf._schema import MAX_JSON_CHARS

        with pytest.raises(ValueError, match="more than the limit"):
            dcf.Grid.from_json(b" " * (MAX_JSON_CHARS + 1))

    @pytest.mark.parametrize("text, message", [
        ("1" * 5000, "not valid grid JSON"),
        (b"\xff\xfe\x00", "not valid grid JSON"),
        ('{"schema": "datacf.grid", "schema": "x"}', "appears twice"),
        ('{"values": [[NaN]]}', "JSON has no NaN"),
        ('{"values": [[-Infinity]]}', "JSON has no -Infinity"),
    ])
    def test_unparseable_text_is_a_value_error(self, text, message):
        """Huge integers, bad bytes, duplicate keys and NaN constants are parse errors."""
        with pytest.raises(ValueError, match=message):
            dcf.Grid.from_json(text)

    @pytest.mark.parametrize("field, value, message", [
        ("values", [[10**400, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], "numbers that fit in a float64"),
        ("values", [[True, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], r"values\[0\]\[0\] = True is not"),
        ("values", [["0.5", 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], r"values\[0\]\[0\] = '0.5' is not"),
        ("values", [[[0.0]], [[1.0]], [[0.0]], [[1.0]]], r"values\[0\]\[0\] = \[0.0\] is not"),
        ("values", [0.0, 1.0], "must be a list of rows"),
        ("point_names", [1, 2], "'point_names' must be a list of strings"),
        ("eval_names", {"A": 1}, "'eval_names' must be a list of strings"),
        ("point_names", ["A", "∅"], r"point_names\[1\] = '∅' contains '∅'"),
        ("eval_names", ["x,y", "z"], r"eval_names\[0\] = 'x,y' contains ','"),
    ])
    def test_malformed_table_is_a_value_error(self, grid, field, value, message):
        """Values must be JSON numbers and names strings that row names can use."""
        document = _document(grid)
        document[field] = value
        with pytest.raises(ValueError, match=message):
            dcf.Grid.from_json(json.dumps(document))


def _computed_document(metric="prob_correct"):
    train = dcf.Dataset([[0.0], [1.0], [3.0]], [0, 1, 1])
    return json.loads(dcf.compute_grid(train, dcf.models.KNN(k=1), metric=metric).to_json())


class TestRecordedInputs:
    """A grid's recorded inputs are well-formed, or null, when the file is read (issue 7)."""

    @pytest.mark.parametrize("key, value, message", [
        ("train", [[0.0], [1.0]], r"inputs\['train'\] is not a valid dataset: A dataset must be a dict"),
        ("train", {"X": [[0.0]], "y": [0], "names": ["A"], "code": "x"}, r"inputs\['train'\] is not a valid dataset"),
        ("train", {"X": [[0.0], [1.0], [2.0]], "y": [0, None, 1], "names": ["A", "B", "C"]},
         r"inputs\['train'\] is not a valid dataset: .*y\[1\] = None"),
        ("train", {"X": [[0.0], [1.0]], "y": [0, 1], "names": ["A", "B"]}, r"inputs\['train'\] has 2 points but the grid has 8 rows"),
        ("train", {"X": [[0.0], [1.0], [2.0]], "y": [0, 1, 1], "names": 5}, r"inputs\['train'\] is not a valid dataset: names must be"),
        ("eval", {"X": [[0.0]], "y": [0], "names": ["P"]}, "evaluation set has 1 points but the grid has 3 columns"),
        ("eval", {"X": [[0.0, 1.0]] * 3, "y": [0, 1, 1], "names": ["P", "Q", "R"]}, "different numbers of features"),
        ("model", "KNN", r"inputs\['model'\] must be a model description"),
        ("metric", "f1", r"inputs\['metric'\] = 'f1' is not a metric"),
        ("metric", ["accuracy"], r"inputs\['metric'\] = \['accuracy'\] is not a metric"),
        ("convention", "lenient", r"inputs\['convention'\] = 'lenient' is not one of"),
    ])
    def test_malformed_piece_is_named(self, key, value, message):
        """Each malformed piece of the inputs gives a ValueError naming it."""
        document = _computed_document()
        document["inputs"][key] = value
        with pytest.raises(ValueError, match=message):
            dcf.Grid.from_json(json.dumps(document))

    @pytest.mark.parametrize("change", ["drop", "add"])
    def test_missing_or_extra_key_is_refused(self, change):
        """inputs holds exactly train, eval, model, metric and convention."""
        document = _computed_document()
        if change == "drop":
            del document["inputs"]["convention"]
        else:
            document["inputs"]["command"] = "rm -rf /"
        with pytest.raises(ValueError, match="Grid inputs must be null or an object with the keys"):
            dcf.Grid.from_json(json.dumps(document))

    def test_inputs_of_the_wrong_type_are_refused(self):
        """inputs must be an object or null."""
        document = _computed_document()
        document["inputs"] = ["train"]
        with pytest.raises(ValueError, match="'inputs' must be an object or null"):
            dcf.Grid.from_json(json.dumps(document))

    @pytest.mark.parametrize("metric, value, message", [
        ("prob_correct", 1.5, r"is 1.5, outside what the metric 'prob_correct' can give \(\[-1e-09, 1\]\)"),
        ("prob_correct", -0.25, "is -0.25, outside"),
        ("accuracy", 0.5, r"is 0.5, outside what the metric 'accuracy' can give \(0 or 1\)"),
        ("log_loss", 40.0, r"is 40.0, outside what the metric 'log_loss' can give \(\[0, 34.5388\]\)"),
        ("log_loss", -1.0, "is -1.0, outside"),
    ])
    def test_values_outside_the_metric_range_are_refused(self, metric, value, message):
        """Values are checked against the metric the inputs record."""
        document = _computed_document(metric)
        document["values"][3][1] = value
        with pytest.raises(ValueError, match=r"Cell \(row 3, column 1\) " + message):
            dcf.Grid.from_json(json.dumps(document))

    @pytest.mark.parametrize("metric", ["prob_correct", "accuracy", "log_loss"])
    def test_computed_values_are_in_range(self, metric, datasets):
        """Every metric's computed grid reads back, the extreme log loss included."""
        convention = "fallback" if metric == "log_loss" else "zero"   # "zero" refuses log_loss
        grid = dcf.compute_grid(datasets["three_class7"], dcf.models.KNN(k=1), metric=metric, convention=convention)
        assert dcf.Grid.from_json(grid.to_json()) == grid

    def test_bare_grid_accepts_any_finite_values(self):
        """With inputs null, any finite value is a valid cell."""
        assert dcf.Grid.from_json(dcf.Grid([[-1e300], [7.5]]).to_json()).values.tolist() == [[-1e300], [7.5]]


class TestLimit:
    def test_text_of_exactly_max_chars_is_read(self):
        """max_chars is the longest text accepted: a file of exactly that length is read."""
        text = dcf.Grid([[0.0], [1.0]]).to_json()
        assert dcf.Grid.from_json(text, max_chars=len(text)) == dcf.Grid([[0.0], [1.0]])
        with pytest.raises(ValueError, match="more than the limit"):
            dcf.Grid.from_json(text, max_chars=len(text) - 1)


class TestWriting:
    @pytest.mark.parametrize("value", [float("nan"), float("inf")])
    def test_a_non_finite_number_is_never_written(self, value):
        """JSON has no NaN or Infinity: the writer refuses them rather than write invalid JSON."""
        from datacf._schema import dump_grid

        fields = {"point_names": ["A"], "eval_names": ["a"], "values": [[0.0], [value]], "inputs": None,
                  "provenance": {}}
        with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
            dump_grid(fields)

    def test_indent_matches_the_json_module(self):
        """to_json(indent=2) is the compact text re-indented by Python's json module, non-ASCII kept."""
        grid = dcf.Grid([[0.0, 1.5], [2.0, -3.0]], point_names=["é"], eval_names=["p", "q"])
        compact = grid.to_json()
        assert grid.to_json(indent=2) == json.dumps(json.loads(compact), indent=2, ensure_ascii=False)
        assert "\n" not in compact and '"é"' in compact
