"""Error paths of datacf/ that no other test reached: each raises its own clear message.

Every ``raise`` in the core should be exercised by a ``pytest.raises(..., match=...)`` somewhere
in tests/; this file holds the ones that had none (issue 12), one class per unit. Messages are
matched whole (``exact``), so a changed word is caught, not only a missing one.
"""
import json
import warnings

import numpy as np
import pytest
from sklearn.naive_bayes import GaussianNB

import datacf as dcf
from tests.matching import exact

TRAIN = dcf.Dataset([[0.0], [1.0], [3.0]], [0, 1, 1])



class TestComputeGrid:
    def test_eval_must_be_a_dataset(self):
        """eval given as a raw array is a TypeError naming its type."""
        with pytest.raises(TypeError, match=exact("eval must be a datacf.Dataset or None; got ndarray.")):
            dcf.compute_grid(TRAIN, dcf.models.KNN(k=1), eval=np.zeros((2, 1)))

    def test_train_must_be_a_dataset(self):
        """train given as a list is a TypeError naming its type and the way to wrap it."""
        with pytest.raises(TypeError, match=exact("train must be a datacf.Dataset; got list. Wrap it: Dataset(X, y).")):
            dcf.compute_grid([[0.0]], dcf.models.KNN())

    def test_model_must_be_a_classifier(self):
        """An object that is neither a fast learner nor a classifier is named by its type."""
        message = ("model must be a datacf fast learner (dcf.models.KNN, ...) or a scikit-learn classifier "
                   "with fit and predict; got object.")
        with pytest.raises(TypeError, match=exact(message)):
            dcf.compute_grid(TRAIN, object())

    def test_eval_must_share_the_feature_space(self):
        """Evaluation points with another number of features are refused, with both counts."""
        message = "eval has 2 features but train has 1; evaluation points must live in the same feature space."
        with pytest.raises(ValueError, match=exact(message)):
            dcf.compute_grid(TRAIN, dcf.models.KNN(), eval=dcf.Dataset([[0.0, 1.0]], [0]))

    def test_zero_convention_refuses_log_loss_with_the_reason(self):
        """convention='zero' with log_loss says why (0 is the best loss) and what to use instead."""
        message = ("convention='zero' cannot score metric='log_loss': a loss of 0 is the best score, so scoring "
                   "the subsets a model refuses as 0 would reward refusing to fit. Use convention='fallback', "
                   "or metric='prob_correct' or 'accuracy', where 0 is the worst score.")
        with pytest.raises(ValueError, match=exact(message)):
            dcf.compute_grid(TRAIN, dcf.models.KNN(), metric="log_loss", convention="zero")

    def test_too_many_points_for_an_exact_grid(self):
        """21 points: the row count, the limit and both ways out (sampling, estimates)."""
        message = ("An exact grid over 21 points needs 2**21 = 2,097,152 rows (one trained model per subset); "
                   "exact grids are limited to n <= 16. Use a smaller dataset, or switch to sampling: "
                   "dcf.sample_grid(train, model, sampler=dcf.samplers.Uniform(1000)) trains on sampled subsets, "
                   "and dcf.estimate_values(train, model, method='permutation_shapley') gives values with "
                   "standard errors.")
        train = dcf.Dataset(np.arange(21.0)[:, None], [0, 1] * 10 + [0])
        with pytest.raises(ValueError, match=exact(message)):
            dcf.compute_grid(train, dcf.models.KNN())

    def test_a_one_byte_limit_is_a_limit(self):
        """max_memory=1 is a valid (tiny) limit: the grid is refused as too large, not the limit as invalid."""
        with pytest.raises(ValueError, match=r"^this grid would need about .* the limit is 9\.54e-07 MiB; "):
            dcf.compute_grid(TRAIN, dcf.models.KNN(), max_memory=1)

    @pytest.mark.parametrize("edit", [None, dcf.edits.FlipLabels()], ids=["subsets", "edits"])
    def test_grid_rows_keep_the_dataset_names(self, edit):
        """The grid's points carry the dataset's own names, not default letters."""
        train = dcf.Dataset([[0.0], [1.0]], [0, 1], names=["p", "q"])
        assert dcf.compute_grid(train, dcf.models.KNN(k=1), edit=edit).point_names == ("p", "q")


class TestDataset:
    @pytest.mark.parametrize("X, y, message", [
        (np.zeros((0, 1)), [], "The dataset is empty: X has no rows. Give at least one point."),
        (np.zeros((2, 0)), [0, 1], "X has no columns. Give at least one feature per point."),
        ([[np.nan], [0.0], [np.inf]], [0, 1, 0],
         "X has NaN or infinite values in row 0 ([nan]) and 1 more row(s). Remove or impute them first."),
        ([[1.0], [np.nan]], [0, 1], "X has NaN or infinite values in row 1 ([nan]). Remove or impute them first."),
        ([[0.0], [1.0]], [-1e19, 0.0], "y must hold integer class labels; y[0] = -1e+19 does not fit in int64. "
                                       "Encode classes as 0, 1, ... (e.g. sklearn's LabelEncoder)."),
    ], ids=["no-rows", "no-columns", "two-bad-rows", "one-bad-row", "label-below-int64"])
    def test_bad_data_is_refused_whole(self, X, y, message):
        """Empty data, missing values and labels outside int64 get their whole message."""
        with pytest.raises(ValueError, match=exact(message)):
            dcf.Dataset(X, y)

    def test_labels_numpy_cannot_read_are_refused_with_numpy_s_reason(self):
        """y whose conversion to an array fails is refused, quoting the conversion's own error."""
        class Unreadable:
            def __array__(self, *args, **kwargs):
                raise ValueError("no array here")

        with pytest.raises(ValueError, match=exact("y must be a sequence of integer class labels (no array here).")):
            dcf.Dataset([[0.0], [1.0]], Unreadable())

    def test_the_smallest_int64_is_a_label(self):
        """-2**63 as a float still fits in int64, so it is a valid label."""
        assert dcf.Dataset([[0.0], [1.0]], [-(2.0**63), 0.0]).classes.tolist() == [-(2**63), 0]


class TestRecordedModelAndEval:
    def test_a_model_description_must_be_an_object(self):
        """A recorded model that is a string names its place and its type."""
        from datacf._model_spec import check_model_spec

        with pytest.raises(ValueError, match=exact(
                "inputs['model'] must be a model description (a JSON object); got str.")):
            check_model_spec("x", "inputs['model']")

    def test_a_malformed_eval_set_names_its_place(self):
        """An evaluation set recorded as a string is refused under inputs['eval']."""
        document = json.loads(dcf.compute_grid(TRAIN, dcf.models.KNN(k=1)).to_json())
        document["inputs"]["eval"] = "x"
        message = ("inputs['eval'] is not a valid dataset: A dataset must be a dict with keys 'X', 'y' and "
                   "'names'; got str.")
        with pytest.raises(ValueError, match=exact(message)):
            dcf.Grid.from_json(json.dumps(document))


class TestGridTable:
    @pytest.mark.parametrize("values, message", [
        (np.zeros((4, 0)), "A grid needs at least one evaluation column."),
        (np.zeros((3, 1)), "A grid has one row per subset, 2**n rows for n points; got 3 rows, "
                           "which is not a power of two >= 2."),
    ], ids=["no-columns", "three-rows"])
    def test_malformed_tables_are_refused_whole(self, values, message):
        """A table without columns, or without 2**n rows, is refused with its whole message."""
        with pytest.raises(ValueError, match=exact(message)):
            dcf.Grid(values)


class TestRecomputeGrid:
    def test_needs_a_grid(self):
        """A JSON dict is not a grid: TypeError naming its type."""
        with pytest.raises(TypeError, match=exact("recompute_grid needs a datacf.Grid; got dict.")):
            dcf.recompute_grid({"values": [[0.0], [1.0]]})

    def test_bare_table_records_no_inputs(self):
        """A grid built from a bare table cannot be recomputed."""
        message = "This grid records no inputs (it was built from a bare table), so it cannot be recomputed."
        with pytest.raises(ValueError, match=exact(message)):
            dcf.recompute_grid(dcf.Grid([[0.0], [1.0]]))


class TestDatasetFromDict:
    def test_not_a_dict(self):
        """A list is not a dataset record; the message names its type."""
        with pytest.raises(ValueError, match=exact("A dataset must be a dict with keys 'X', 'y' and 'names'; got list.")):
            dcf.Dataset.from_dict([[0.0], [0]])

    def test_missing_labels(self):
        """A record without "y" is refused, listing the keys it has."""
        with pytest.raises(ValueError, match=exact("A dataset must be a dict with keys 'X', 'y' and 'names'; got ['X'].")):
            dcf.Dataset.from_dict({"X": [[0.0]]})


class TestGridRows:
    def test_subset_naming_a_point_twice(self):
        """"AA" is not a subset: a point is in it or not."""
        with pytest.raises(ValueError, match=exact("The subset 'AA' names a point twice.")):
            dcf.Grid(np.zeros((4, 1))).row_index("AA")

    def test_subset_sequence_naming_a_point_twice(self):
        """The same point by name and by index is still twice."""
        with pytest.raises(ValueError, match=exact("The subset ['A', 0] names a point twice.")):
            dcf.Grid(np.zeros((4, 1))).row(["A", 0])


    def test_subset_of_the_wrong_type(self):
        """A float is neither a row name nor a sequence of points."""
        message = "A subset is a row name such as 'AB' or a sequence of point names or indices; got float."
        with pytest.raises(TypeError, match=exact(message)):
            dcf.Grid(np.zeros((4, 1))).row_index(1.5)


    def test_row_name_of_unknown_points(self):
        """A row name made of letters that are not points ("XXXX") is refused, not read as the empty set."""
        message = "'X' is not a training point; the points are ['A', 'B']. Pass an index in range(2) or one of these names."
        with pytest.raises(ValueError, match=exact(message)):
            dcf.Grid(np.zeros((4, 1))).row_index("XXXX")

    def test_index_past_the_last_point(self):
        """Index n is not a point of an n-point grid."""
        message = "2 is not a training point; the points are ['A', 'B']. Pass an index in range(2) or one of these names."
        with pytest.raises(ValueError, match=exact(message)):
            dcf.Grid(np.zeros((4, 1))).row_index([2])


class TestSemivalueWeights:
    def test_wrong_length(self):
        """The message gives the sizes 0..n-1 and both shapes."""
        message = "weights must have one entry per coalition size 0..1, i.e. shape (2,); got shape (3,)."
        with pytest.raises(ValueError, match=exact(message)):
            dcf.Grid(np.zeros((4, 1))).semivalue([1.0, 2.0, 3.0])

    def test_first_non_finite_weight_is_named(self):
        """The message names the first weight that is not finite."""
        with pytest.raises(ValueError, match=exact("weights must be finite numbers; weights[1] is inf.")):
            dcf.Grid(np.zeros((4, 1))).semivalue([0.5, float("inf")])

    @pytest.mark.parametrize("weights", [[True, 0.5], np.array([True, False])], ids=["list", "array"])
    def test_bools_are_not_weights(self, weights):
        """A bool among the weights, in a list or a bool array, is refused."""
        with pytest.raises(TypeError, match=r"^weights must be a sequence of 2 real numbers \(not bools or strings\)"):
            dcf.Grid(np.zeros((4, 1))).semivalue(weights)

    def test_a_string_names_its_type(self):
        """A string is not a sequence of weights."""
        with pytest.raises(TypeError, match=exact("weights must be a sequence of 2 numbers; got str.")):
            dcf.Grid(np.zeros((4, 1))).semivalue("ab")

    @pytest.mark.parametrize("weights", [np.array([1, 2], dtype="timedelta64[s]"),
                                         np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]")],
                             ids=["durations", "dates"])
    def test_dates_and_durations_are_not_weights(self, weights):
        """numpy dates and durations are not real numbers, though numpy would convert them."""
        with pytest.raises(TypeError, match=r"^weights must be a sequence of 2 real numbers \(not bools or strings\)"):
            dcf.Grid(np.zeros((4, 1))).semivalue(weights)

    def test_an_integer_beyond_float64(self):
        """10**400 is a real number but no float: a ValueError, not an OverflowError."""
        with pytest.raises(ValueError, match=r"^weights must be finite numbers; got \[10{78}\.$"):   # repr cut at 80
            dcf.Grid(np.zeros((4, 1))).semivalue([10**400, 1])

    def test_objects_that_are_not_numbers(self):
        """Weights that cannot become floats are refused, showing them."""
        with pytest.raises(TypeError, match=r"^weights must be a sequence of 2 real numbers \(not bools or strings\); got \[None, 1.0\]\.$"):
            dcf.Grid(np.zeros((4, 1))).semivalue([None, 1.0])

    def test_beta_parameter_of_the_wrong_type(self):
        """alpha given as a string is a TypeError naming the value and its type."""
        with pytest.raises(TypeError, match=exact("Beta Shapley's alpha must be a real number; got alpha='1' (str).")):
            dcf.Grid(np.zeros((4, 1))).beta_shapley("1", 1)


class TestGridReadings:
    def test_empty_focus(self):
        """An empty focus list is refused, suggesting None for all columns."""
        with pytest.raises(ValueError, match=exact("focus is empty; give at least one evaluation column, or None for all.")):
            dcf.Grid(np.zeros((4, 2))).utility(focus=[])

    def test_focus_index_past_the_last_column(self):
        """Index n_eval is not a column: a clear ValueError, not an IndexError."""
        message = ("focus=2 is not an evaluation column; the columns are ['A', 'B']. "
                   "Pass an index in range(2) or one of these names.")
        with pytest.raises(ValueError, match=exact(message)):
            dcf.Grid(np.zeros((4, 2))).utility(focus=2)

    def test_group_loo_of_an_empty_group(self):
        """group_loo needs a group with at least one point."""
        with pytest.raises(ValueError, match=exact("group_loo needs at least one point in the group.")):
            dcf.Grid(np.zeros((4, 1))).group_loo([])

    def test_interaction_of_a_point_with_itself(self):
        """The interaction index needs two different points, by index or name."""
        with pytest.raises(ValueError, match=exact("interaction needs two different points; got 'A' twice.")):
            dcf.Grid(np.zeros((4, 1))).interaction("A", 0)


class TestKnnShapley:
    @pytest.mark.parametrize("which", ["train", "test"])
    def test_arguments_must_be_datasets(self, which):
        """train and test must be Datasets; the message names the argument."""
        arguments = {"train": TRAIN, "test": TRAIN, which: np.zeros((3, 1))}
        with pytest.raises(TypeError, match=exact(f"{which} must be a datacf.Dataset; got ndarray.")):
            dcf.knn_shapley(arguments["train"], arguments["test"], k=1)


class NaNProbabilities(GaussianNB):
    """A classifier whose predict_proba breaks: NaN everywhere."""

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), np.nan)


class TestGenericPath:
    def test_nan_probabilities_are_refused(self):
        """NaN from predict_proba fails the grid, naming the model and the subset, not a NaN grid."""
        with pytest.raises(ValueError, match=r"NaNProbabilities.predict_proba returned NaN or infinite values "
                                             r"on the subset 'AB'.*metric='accuracy'"):
            dcf.compute_grid(TRAIN, NaNProbabilities())


class TestLogisticRegression:
    @pytest.mark.parametrize("max_iter", [0, 2.5])
    def test_bad_max_iter(self, max_iter):
        """max_iter must be a positive integer."""
        with pytest.raises(ValueError, match=exact(f"max_iter must be a positive integer; got {max_iter!r}.")):
            dcf.compute_grid(TRAIN, dcf.models.LogisticRegression(max_iter=max_iter))


    def test_features_whose_squares_overflow_are_refused_whole(self):
        """Features near 1e200: the whole message, and no overflow RuntimeWarning on the way to it."""
        train = dcf.Dataset([[1e200], [-1e200], [0.0]], [0, 1, 0])
        message = ("LogisticRegression cannot fit features as large as 1e+200: their squares overflow float64. "
                   "Standardise the features (e.g. divide by their scale).")
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            with pytest.raises(ValueError, match=exact(message)):
                dcf.compute_grid(train, dcf.models.LogisticRegression())

    def test_features_whose_squares_are_finite_are_fitted(self):
        """1e130 squared is 1e260, still finite: the refusal is for overflowing squares only."""
        train = dcf.Dataset([[1e130], [-1e130], [0.0]], [0, 1, 0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", dcf.models.ConvergenceWarning)
            grid = dcf.compute_grid(train, dcf.models.LogisticRegression())
        assert np.isfinite(grid.values).all()

    def test_convergence_warning_says_what_to_do(self):
        """Too few Newton steps: the warning counts the subsets, names max_iter and the two ways out."""
        train = dcf.Dataset([[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1])
        pattern = (r"^Logistic regression did not converge on \d+ subset\(s\) within max_iter=1 Newton steps "
                   r"\(largest score change \d\.\d\de[+-]\d\d\); their probabilities may be inexact\. "
                   r"Increase max_iter or lower C\.$")
        with pytest.warns(dcf.models.ConvergenceWarning, match=pattern):
            dcf.compute_grid(train, dcf.models.LogisticRegression(max_iter=1))


class TestModelParameters:
    """Recorded scikit-learn parameters are plain JSON, decoded with their place in the file."""

    @staticmethod
    def _grid_json(max_depth):
        document = json.loads(dcf.compute_grid(TRAIN, dcf.models.KNN(k=1)).to_json())
        document["inputs"]["model"] = {"library": "scikit-learn", "class": "sklearn.tree._classes.DecisionTreeClassifier",
                                       "params": {"max_depth": max_depth}}
        return json.dumps(document)

    @staticmethod
    def _nested(levels):
        value = 1
        for _ in range(levels):
            value = [value]
        return value

    def test_eight_levels_of_nesting_are_read(self):
        """MAX_PARAM_DEPTH is 8: a value inside eight lists is still decoded."""
        dcf.Grid.from_json(self._grid_json(self._nested(8)))

    def test_nine_levels_of_nesting_are_refused_naming_the_place(self):
        """A ninth list is refused, with the path down to the value."""
        where = "inputs['model']['params']['max_depth']" + "[0]" * 9
        with pytest.raises(ValueError, match=exact(f"{where} nests deeper than 8 levels.")):
            dcf.Grid.from_json(self._grid_json(self._nested(9)))

    def test_tuple_tag_must_hold_a_list(self):
        """The tuple form {"__tuple__": [...]} with anything but a list inside is refused."""
        message = "inputs['model']['params']['max_depth']['__tuple__'] must be a list."
        with pytest.raises(ValueError, match=exact(message)):
            dcf.Grid.from_json(self._grid_json({"__tuple__": 3}))

    @staticmethod
    def _check(value):
        """check_model_spec on a description recorded from Python, where a NaN can occur (not in JSON)."""
        from datacf._model_spec import check_model_spec

        check_model_spec({"library": "scikit-learn", "class": "sklearn.tree._classes.DecisionTreeClassifier",
                          "params": {"max_depth": value}})

    def test_tuples_count_towards_the_nesting_limit(self):
        """A value inside eight tuples is read; inside nine it is refused, like lists."""
        def tuples(levels):
            value = 1
            for _ in range(levels):
                value = {"__tuple__": [value]}
            return value

        self._check(tuples(8))
        where = "model['params']['max_depth']" + "[0]" * 9
        with pytest.raises(ValueError, match=exact(f"{where} nests deeper than 8 levels.")):
            self._check(tuples(9))

    def test_dict_keys_count_towards_the_nesting_limit(self):
        """A key is one level below its dict: a key inside seven lists is only not a scalar, inside eight too deep."""
        where = "model['params']['max_depth'] key 0"
        with pytest.raises(ValueError, match=exact(
                f"{where} must be a number, a string or null; got {self._nested(7)!r}.")):
            self._check({"__items__": [[self._nested(7), 1]]})
        with pytest.raises(ValueError, match=exact(f"{where}{'[0]' * 8} nests deeper than 8 levels.")):
            self._check({"__items__": [[self._nested(8), 1]]})

    def test_key_value_lists_count_towards_the_nesting_limit(self):
        """A value in the key-value form is one level down: inside seven more lists it is read, eight too deep."""
        self._check({"__items__": [["a", self._nested(7)]]})
        where = "model['params']['max_depth']['a']" + "[0]" * 8
        with pytest.raises(ValueError, match=exact(f"{where} nests deeper than 8 levels.")):
            self._check({"__items__": [["a", self._nested(8)]]})

    @pytest.mark.parametrize("value, message", [
        ([1.5, float("nan")], "model['params']['max_depth'][1] = nan is not a finite number."),
        ({"__tuple__": [1.0, float("nan")]}, "model['params']['max_depth'][1] = nan is not a finite number."),
        ({"__items__": [[float("nan"), 2]]}, "model['params']['max_depth'] key 0 = nan is not a finite number."),
        ({"__items__": [["a", float("inf")]]}, "model['params']['max_depth']['a'] = inf is not a finite number."),
        ({"__items__": [[1, 2, 3]]}, "model['params']['max_depth']['__items__'] must be a list of [key, value] pairs."),
        ({"__items__": [(1, 2)]}, "model['params']['max_depth']['__items__'] must be a list of [key, value] pairs."),
        ({"__items__": "ab"}, "model['params']['max_depth']['__items__'] must be a list of [key, value] pairs."),
    ], ids=["list", "tuple", "key", "dict-value", "triple", "pair-as-tuple", "not-a-list"])
    def test_bad_values_are_refused_naming_their_place(self, value, message):
        """Non-finite numbers and malformed key-value lists are refused with the path to them."""
        with pytest.raises(ValueError, match=exact(message)):
            self._check(value)


class TestGridJson:
    def test_not_text(self):
        """A number is not JSON text: TypeError naming its type."""
        with pytest.raises(TypeError, match=exact("Grid.from_json needs JSON text; got int.")):
            dcf.Grid.from_json(42)

    def test_longer_than_max_chars(self):
        """Text over the limit is refused before parsing, with the way out."""
        message = ("The grid JSON is 12 characters long, more than the limit of 10. "
                   "If you trust the file, pass a larger max_chars to Grid.from_json.")
        with pytest.raises(ValueError, match=exact(message)):
            dcf.Grid.from_json('{"a": [1.0]}', max_chars=10)

    def test_nested_too_deeply(self):
        """Deep nesting is refused as not a grid, not a RecursionError."""
        message = "This is not valid grid JSON: it is nested too deeply to be a grid."
        with pytest.raises(ValueError, match=exact(message)):
            dcf.Grid.from_json("[" * 100_000 + "]" * 100_000, max_chars=10**6)

    def test_values_not_a_list_of_rows(self):
        """A flat list of numbers is not a table."""
        document = json.loads(dcf.Grid([[0.0], [1.0]]).to_json())
        document["values"] = [0.0, 1.0]
        message = "The grid JSON field 'values' must be a list of rows, each a list of numbers."
        with pytest.raises(ValueError, match=exact(message)):
            dcf.Grid.from_json(json.dumps(document))

    def test_text_keeps_non_ascii_names(self):
        """Names are written as UTF-8 text ("é"), not as \\u escapes."""
        assert '"é"' in dcf.Grid([[0.0], [1.0]], point_names=["é"]).to_json()

    @pytest.mark.parametrize("version", [0, -1])
    def test_schema_version_below_one(self, version):
        """Versions start at 1: 0 and negatives are invalid, not an old format."""
        document = json.loads(dcf.Grid([[0.0], [1.0]]).to_json())
        document["version"] = version
        with pytest.raises(ValueError, match=exact(f"The grid JSON has an invalid schema version {version}.")):
            dcf.Grid.from_json(json.dumps(document))

    @pytest.mark.parametrize("field, value, message", [
        ("inputs", [], "The grid JSON field 'inputs' must be an object or null."),
        ("provenance", "numpy 2", "The grid JSON field 'provenance' must be an object."),
    ])
    def test_inputs_and_provenance_must_be_objects(self, field, value, message):
        """inputs is an object or null; provenance an object."""
        document = json.loads(dcf.Grid([[0.0], [1.0]]).to_json())
        document[field] = value
        with pytest.raises(ValueError, match=exact(message)):
            dcf.Grid.from_json(json.dumps(document))
