"""Model descriptions: a model as plain JSON data, rebuilt only from an allow-list (issue 7)."""
import json
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

import datacf as dcf
from tests.matching import exact

TRAIN = dcf.Dataset([[0.0, 0.0], [1.0, 0.2], [3.0, 1.0], [4.0, 1.5]], [0, 0, 1, 1])


def _grid_json_with_model(spec):
    """Text of a real grid's JSON whose recorded model is replaced by ``spec``."""
    document = json.loads(dcf.compute_grid(TRAIN, dcf.models.KNN(k=1)).to_json())
    document["inputs"]["model"] = spec
    return json.dumps(document)


def _recompute(text):
    """What a reader does with a grid file: load it and recompute it."""
    return dcf.recompute_grid(dcf.Grid.from_json(text))


def _rebuild(model):
    """describe, write as JSON text, read back, rebuild."""
    from datacf._model_spec import build_model, describe_model

    return build_model(json.loads(json.dumps(describe_model(model))))


def _sklearn(name, **params):
    return {"library": "scikit-learn", "class": name, "params": params}


@pytest.fixture
def nothing_may_run(monkeypatch):
    """Make every way of running a command or deleting a tree fail the test if it is called."""
    def forbidden(*args, **kwargs):
        raise AssertionError(f"a grid file ran code: {args!r:.200}")

    for module, name in [(os, "system"), (os, "popen"), (subprocess, "Popen"), (subprocess, "run"),
                         (subprocess, "call"), (subprocess, "check_output"), (shutil, "rmtree")]:
        monkeypatch.setattr(module, name, forbidden)


@pytest.mark.usefixtures("nothing_may_run")
class TestHostileDescriptions:
    def test_testing_helper_that_runs_a_script_is_not_built(self, tmp_path):
        """A scikit-learn testing helper that runs Python code is refused, and no file appears."""
        sentinel = tmp_path / "ran.txt"
        spec = _sklearn("sklearn.utils._testing.assert_run_python_script_without_output",
                        source_code=f"open({str(sentinel)!r}, 'w').close()")
        with pytest.raises(ValueError, match="'sklearn.utils._testing.assert_run_python_script_without_output' is not allowed"):
            _recompute(_grid_json_with_model(spec))
        assert not sentinel.exists()

    def test_dataset_helper_that_deletes_a_directory_is_not_built(self, tmp_path):
        """sklearn.datasets.clear_data_home is refused, and its target directory survives."""
        target = tmp_path / "data_home"
        target.mkdir()
        (target / "keep.txt").write_text("still here")
        spec = _sklearn("sklearn.datasets.clear_data_home", data_home=str(target))
        with pytest.raises(ValueError, match="'sklearn.datasets.clear_data_home' is not allowed"):
            _recompute(_grid_json_with_model(spec))
        assert (target / "keep.txt").read_text() == "still here"

    @pytest.mark.parametrize("name", [
        "os.system",
        "sklearn.os.system",
        "sklearn.utils.os.system",
        "sklearn.utils._testing.os.system",
        "sklearn.base.os.system",
        "sklearn.utils._testing.subprocess.run",
        "sklearn..os.system",
        "builtins.eval",
        "sklearn.tree.DecisionTreeClassifier.__init__.__globals__",
    ])
    def test_os_system_in_any_spelling_is_not_built(self, name, tmp_path):
        """No spelling of a module path reaches os.system or subprocess; the sentinel file stays absent."""
        sentinel = tmp_path / "ran.txt"
        spec = _sklearn(name, command=f"touch {sentinel}")
        with pytest.raises(ValueError, match="is not allowed"):
            _recompute(_grid_json_with_model(spec))
        assert not sentinel.exists()

    @pytest.mark.parametrize("name", ["FastLearner", "ConvergenceWarning", "__class__", "KNN.__init__"])
    def test_datacf_names_other_than_its_learners_are_not_built(self, name):
        """Only KNN, LogisticRegression and NearestCentroid can be named from datacf."""
        spec = {"library": "datacf", "class": name, "params": {}}
        with pytest.raises(ValueError, match=f"{name!r} is not allowed: datacf's learners are"):
            _recompute(_grid_json_with_model(spec))

    @pytest.mark.parametrize("name", [
        "sklearn.preprocessing._data.StandardScaler",        # a transformer
        "sklearn.tree._classes.DecisionTreeRegressor",       # a regressor
        "sklearn.ensemble._bagging.BaggingClassifier",       # a meta-estimator
        "sklearn.pipeline.Pipeline",
        "sklearn.tree.DecisionTreeClassifier",               # a public alias, not the recorded name
    ])
    def test_sklearn_classes_outside_the_allow_list_are_not_built(self, name):
        """Transformers, regressors, meta-estimators and unrecorded spellings are refused."""
        with pytest.raises(ValueError, match="is not allowed"):
            _recompute(_grid_json_with_model(_sklearn(name)))

    def test_undeclared_parameter_is_refused(self):
        """A parameter the class does not declare is named in the error."""
        spec = _sklearn("sklearn.tree._classes.DecisionTreeClassifier", max_depth=2, evil=1)
        with pytest.raises(ValueError, match=r"has no parameter\(s\) \['evil'\]"):
            _recompute(_grid_json_with_model(spec))

    @pytest.mark.parametrize("value, message", [
        ({"library": "scikit-learn", "class": "os.system", "params": {"command": "true"}},
         "parameter 'criterion' does not take a dict"),
        (["sklearn.utils._testing.assert_run_python_script_without_output", "true"],
         "refuses its recorded parameters: The 'criterion' parameter"),
    ])
    def test_parameter_naming_a_class_stays_data(self, value, message):
        """A dict or list that names a class stays data, and is refused before anything is fitted."""
        spec = _sklearn("sklearn.tree._classes.DecisionTreeClassifier", criterion=value)
        with pytest.raises(ValueError, match="DecisionTreeClassifier " + message):
            _recompute(_grid_json_with_model(spec))

    def test_datacf_learner_parameters_are_checked(self):
        """A datacf learner's recorded parameters go through its own checks."""
        spec = {"library": "datacf", "class": "KNN", "params": {"k": 0}}
        with pytest.raises(ValueError, match="KNN refuses its recorded parameters: KNN needs a positive integer k"):
            _recompute(_grid_json_with_model(spec))

    def test_datacf_learner_undeclared_parameter_is_refused(self):
        """A datacf learner gets only the parameters its constructor declares."""
        spec = {"library": "datacf", "class": "KNN", "params": {"k": 1, "weights": "distance"}}
        with pytest.raises(ValueError, match=r"KNN has no parameter\(s\) \['weights'\]; its parameters are \['k'\]"):
            _recompute(_grid_json_with_model(spec))

    @pytest.mark.parametrize("spec, message", [
        ({"library": "os", "class": "system", "params": {}}, r"\['library'\] = 'os'; it must be one of"),
        ({"library": "datacf", "class": "KNN"}, "must have exactly the keys"),
        ({"library": "datacf", "class": "KNN", "params": {}, "module": "os"}, "must have exactly the keys"),
        ("sklearn.tree.DecisionTreeClassifier", "must be a model description"),
        (["os.system"], "must be a model description"),
        ({"library": "datacf", "class": 3, "params": {}}, r"\['class'\] must be a non-empty string"),
        ({"library": "datacf", "class": "KNN", "params": [1]}, r"\['params'\] must be an object"),
        ({"library": "datacf", "class": "KNN", "recomputable": True, "reason": "", "note": ""}, "can only be false"),
    ])
    def test_malformed_description_is_refused_when_the_file_is_read(self, spec, message):
        """A model description of the wrong shape makes the grid file itself invalid."""
        with pytest.raises(ValueError, match=message):
            dcf.Grid.from_json(_grid_json_with_model(spec))

    def test_deeply_nested_parameter_is_refused_when_the_file_is_read(self):
        """Parameters nested deeper than a real model needs are refused."""
        value = 1
        for _ in range(50):
            value = [value]
        spec = _sklearn("sklearn.tree._classes.DecisionTreeClassifier", max_depth=value)
        with pytest.raises(ValueError, match="nests deeper than 8 levels"):
            dcf.Grid.from_json(_grid_json_with_model(spec))


class TestAllowList:
    def test_holds_only_plain_sklearn_classifiers(self):
        """Every allow-listed class is a scikit-learn classifier that takes no other estimator."""
        from sklearn.base import is_classifier

        from datacf._model_spec import allowed_sklearn_classifiers

        allowed = allowed_sklearn_classifiers()
        assert "sklearn.tree._classes.DecisionTreeClassifier" in allowed
        for name, cls in allowed.items():
            assert name == f"{cls.__module__}.{cls.__qualname__}" and name.startswith("sklearn.")
            assert is_classifier(cls())
            assert not {"estimator", "estimators", "base_estimator", "final_estimator"} & set(cls().get_params())


    def test_every_allowed_class_declares_a_constraint_for_every_parameter(self):
        """The dict check reads ``_parameter_constraints``: every allowed class has one entry per parameter."""
        from datacf._model_spec import _declared_parameters, allowed_sklearn_classifiers

        for name, cls in allowed_sklearn_classifiers().items():
            assert set(_declared_parameters(cls)) <= set(cls._parameter_constraints), name


def _sklearn_models():
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.tree import DecisionTreeClassifier

    return {
        "tree": DecisionTreeClassifier(max_depth=2, random_state=0),
        "logistic": LogisticRegression(C=0.5),
        "neighbours": KNeighborsClassifier(n_neighbors=1),
        "class_weight": LogisticRegression(class_weight={0: 1, 1: 2}),
    }


MODELS = {
    "knn": lambda: dcf.models.KNN(k=2),
    "knn_numpy_k": lambda: dcf.models.KNN(k=np.int64(1)),
    "logistic": lambda: dcf.models.LogisticRegression(C=np.float64(0.5), max_iter=50),
    "centroid": dcf.models.NearestCentroid,
    **{f"sklearn_{key}": (lambda key=key: _sklearn_models()[key]) for key in _sklearn_models()},
}


class TestRoundTrip:
    @pytest.mark.parametrize("make_model", MODELS.values(), ids=list(MODELS))
    def test_description_rebuilds_an_equal_model(self, make_model):
        """describe, JSON text, rebuild: the same class with equal parameters."""
        model = make_model()
        rebuilt = _rebuild(model)
        assert type(rebuilt) is type(model)
        assert rebuilt.get_params() == model.get_params()

    @pytest.mark.parametrize("make_model", MODELS.values(), ids=list(MODELS))
    def test_recompute_gives_the_same_values(self, make_model):
        """A grid read back from JSON recomputes to the same values."""
        grid = dcf.compute_grid(TRAIN, make_model())
        back = dcf.Grid.from_json(grid.to_json())
        np.testing.assert_array_equal(dcf.recompute_grid(back).values, grid.values)

    def test_numpy_scalar_parameters_are_stored_as_python_numbers(self):
        """KNN(k=np.int64(1)) is recorded as k=1, so the grid writes and reads back."""
        grid = dcf.compute_grid(TRAIN, dcf.models.KNN(k=np.int64(1)))
        assert json.loads(grid.to_json())["inputs"]["model"]["params"] == {"k": 1}

    def test_int_keyed_dict_round_trips_exactly(self):
        """class_weight={0: 1, 1: 2} keeps its int keys through JSON (a tagged list of pairs)."""
        from sklearn.linear_model import LogisticRegression

        grid = dcf.compute_grid(TRAIN, LogisticRegression(class_weight={0: 1, 1: 2}))
        assert json.loads(grid.to_json())["inputs"]["model"]["params"]["class_weight"] == {"__items__": [[0, 1], [1, 2]]}
        assert _rebuild(LogisticRegression(class_weight={0: 1, 1: 2})).class_weight == {0: 1, 1: 2}

    def test_tuple_round_trips_exactly(self):
        """hidden_layer_sizes=(3, 2) comes back as a tuple, not a list."""
        from sklearn.neural_network import MLPClassifier

        assert _rebuild(MLPClassifier(hidden_layer_sizes=(3, 2))).hidden_layer_sizes == (3, 2)


class TestNotRecomputable:
    def _pipeline(self):
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(StandardScaler(), LogisticRegression())

    def test_nested_estimator_is_recorded_as_not_recomputable(self):
        """A Pipeline is recorded with recomputable false, a reason naming the parameter and a repr note."""
        spec = dcf.compute_grid(TRAIN, self._pipeline()).inputs["model"]
        assert spec["recomputable"] is False
        assert spec["reason"].startswith("the parameter steps=")
        assert spec["note"].startswith("Pipeline(")

    def test_recompute_says_which_parameter_blocks_it(self):
        """recompute_grid explains why the model cannot be rebuilt and how to supply it."""
        back = dcf.Grid.from_json(dcf.compute_grid(TRAIN, self._pipeline()).to_json())
        with pytest.raises(ValueError, match=r"recorded as not recomputable: the parameter steps=.*model=\.\.\."):
            dcf.recompute_grid(back)

    def test_model_override_recomputes_it(self):
        """Passing the model itself recomputes a grid whose model was not recorded."""
        grid = dcf.compute_grid(TRAIN, self._pipeline())
        back = dcf.Grid.from_json(grid.to_json())
        np.testing.assert_array_equal(dcf.recompute_grid(back, model=self._pipeline()).values, grid.values)

    @pytest.mark.parametrize("params, reason", [
        ({"p": float("inf")}, "p=inf: it is inf, which JSON cannot hold"),
        ({"weights": lambda d: 1.0 / (d + 1.0)}, "weights=.*holds a function object"),
        ({"metric_params": {"w": np.ones(2)}}, "metric_params=.*holds a ndarray object"),
    ])
    def test_unstorable_parameter_still_writes_json(self, params, reason):
        """to_json never raises for a computed grid: an unstorable parameter marks the model instead."""
        from sklearn.neighbors import KNeighborsClassifier

        grid = dcf.compute_grid(TRAIN, KNeighborsClassifier(n_neighbors=1, **params), metric="accuracy")
        spec = json.loads(grid.to_json())["inputs"]["model"]
        assert spec["recomputable"] is False
        assert re.search(reason, spec["reason"])


class TestOverrides:
    def test_unknown_override_is_refused(self):
        """recompute_grid accepts only compute_grid's parameters as overrides."""
        grid = dcf.compute_grid(TRAIN, dcf.models.KNN(k=1))
        with pytest.raises(TypeError, match=r"unknown override\(s\) \['modle'\]; overrides are compute_grid's parameters"):
            dcf.recompute_grid(grid, modle=dcf.models.KNN(k=2))

    def test_known_override_replaces_the_recorded_argument(self):
        """A metric override recomputes the grid under that metric."""
        grid = dcf.compute_grid(TRAIN, dcf.models.KNN(k=1))
        again = dcf.recompute_grid(grid, metric="accuracy")
        np.testing.assert_array_equal(again.values, dcf.compute_grid(TRAIN, dcf.models.KNN(k=1), metric="accuracy").values)


def test_dict_is_refused_where_the_classifier_does_not_declare_one():
    """A dict reaches a scikit-learn parameter only if the class declares that it takes one."""
    spec = _sklearn("sklearn.tree._classes.DecisionTreeClassifier", monotonic_cst={"x": None})
    with pytest.raises(ValueError, match="parameter 'monotonic_cst' does not take a dict"):
        _recompute(_grid_json_with_model(spec))


class TestDictKeys:
    def test_dict_with_a_tuple_key_is_not_recomputable(self):
        """Dict keys must be numbers, strings or null: a tuple key marks the model not recomputable."""
        from sklearn.linear_model import LogisticRegression

        from datacf._model_spec import describe_model

        spec = describe_model(LogisticRegression(class_weight={(0, 1): 2.0}))
        assert spec["recomputable"] is False
        assert spec["reason"] == ("the parameter class_weight={(0, 1): 2.0}: "
                                  "it is a dict whose keys are not all numbers or strings")

    def test_dict_with_a_null_key_round_trips(self):
        """A None key is allowed and comes back as None (a tagged list of pairs)."""
        from sklearn.linear_model import LogisticRegression

        assert _rebuild(LogisticRegression(class_weight={None: 1.0, 1: 2.0})).class_weight == {None: 1.0, 1: 2.0}

    def test_recorded_list_key_is_refused_when_the_file_is_read(self):
        """A key written as a list is not a number, string or null: the grid file is invalid."""
        spec = _sklearn("sklearn.linear_model._logistic.LogisticRegression",
                        class_weight={"__items__": [[[0, 1], 2.0]]})
        message = ("inputs['model']['params']['class_weight'] key 0 must be a number, a string or null; "
                   "got [0, 1].")
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            dcf.Grid.from_json(_grid_json_with_model(spec))


class TestBuildMessages:
    """build_model's refusals, matched whole so a reworded message is caught."""

    def test_not_recomputable_says_how_to_recompute(self):
        """A model recorded as not recomputable names the reason and the model= way out."""
        from datacf._model_spec import build_model

        spec = {"library": "scikit-learn", "class": "sklearn.pipeline.Pipeline", "recomputable": False,
                "reason": "the parameter steps=[...]: it holds a StandardScaler object", "note": "Pipeline()"}
        message = ("The model sklearn.pipeline.Pipeline was recorded as not recomputable: the parameter "
                   "steps=[...]: it holds a StandardScaler object. Pass the model itself, e.g. "
                   "recompute_grid(grid, model=...).")
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            build_model(spec)

    def test_sklearn_class_outside_the_allow_list(self):
        """A scikit-learn name outside the allow-list is refused with the rule and an example."""
        from datacf._model_spec import build_model

        message = ("The model class 'sklearn.pipeline.Pipeline' is not allowed: scikit-learn models must be "
                   "one of its classifiers, named by module and class (e.g. "
                   "'sklearn.tree._classes.DecisionTreeClassifier'); meta-estimators are not rebuilt.")
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            build_model(_sklearn("sklearn.pipeline.Pipeline"))


class TestEncoding:
    """Parameters are written as plain JSON and read back to the same values."""

    @staticmethod
    def _nested(levels, as_dict):
        value = 1
        for _ in range(levels):
            value = {"a": value} if as_dict else [value]
        return value

    def test_a_dict_whose_one_key_is_a_tag_reads_back_as_that_dict(self):
        """{"__tuple__": 2.0} as a parameter is written in the key-value form, so it is not read as a tuple."""
        from sklearn.tree import DecisionTreeClassifier

        from datacf._model_spec import build_model, describe_model

        model = DecisionTreeClassifier(class_weight={"__tuple__": 2.0})
        assert build_model(describe_model(model)).class_weight == {"__tuple__": 2.0}

    @pytest.mark.parametrize("as_dict", [False, True], ids=["lists", "dicts"])
    def test_parameters_nested_eight_deep_are_recorded_nine_are_not(self, as_dict):
        """MAX_PARAM_DEPTH is 8 when writing too: nine levels make the model not recomputable, saying why."""
        from sklearn.tree import DecisionTreeClassifier

        from datacf._model_spec import describe_model

        assert "recomputable" not in describe_model(DecisionTreeClassifier(max_depth=self._nested(8, as_dict)))
        deep = self._nested(9, as_dict)
        spec = describe_model(DecisionTreeClassifier(max_depth=deep))
        assert spec["recomputable"] is False
        assert spec["reason"] == f"the parameter max_depth={deep!r}: it nests deeper than 8 levels"

    def test_dict_values_count_towards_the_nesting_limit_when_read(self):
        """Reading, a value inside eight dicts is decoded and inside nine refused, naming the path."""
        from datacf._model_spec import check_model_spec

        def spec(value):
            return {"library": "scikit-learn", "class": "sklearn.tree._classes.DecisionTreeClassifier",
                    "params": {"max_depth": value}}

        check_model_spec(spec(self._nested(8, True)))
        where = "model['params']['max_depth']" + "['a']" * 9
        with pytest.raises(ValueError, match=exact(f"{where} nests deeper than 8 levels.")):
            check_model_spec(spec(self._nested(9, True)))
        with pytest.raises(ValueError, match=exact(
                "model['params']['max_depth']['a'] = nan is not a finite number.")):
            check_model_spec(spec({"a": float("nan")}))

    def test_a_classifier_of_its_own_is_recorded_as_not_recomputable(self):
        """A classifier outside datacf and scikit-learn is described, with the reason it cannot be rebuilt."""
        from sklearn.base import BaseEstimator, ClassifierMixin

        from datacf._model_spec import describe_model

        class Mine(BaseEstimator, ClassifierMixin):
            pass

        spec = describe_model(Mine())
        name = f"{Mine.__module__}.{Mine.__qualname__}"
        assert spec["recomputable"] is False
        assert spec["reason"] == f"{name} is not one of datacf's learners or a scikit-learn class"
