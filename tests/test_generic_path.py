"""Any scikit-learn classifier through the generic path: one fit per subset that needs one."""
import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.neighbors import KNeighborsClassifier, NearestCentroid as SkNearestCentroid
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

import datacf as dcf
from oracles import members_of

# scikit-learn's NearestCentroid divides by zero computing a spread it never uses in predict.
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")


class CountingTree(DecisionTreeClassifier):
    """A decision tree that counts how often it is fitted (in this process)."""

    fits = 0

    def fit(self, X, y, *args, **kwargs):
        type(self).fits += 1
        return super().fit(X, y, *args, **kwargs)


PAIRS = {
    "logistic": (lambda: SkLogisticRegression(C=1.0, tol=1e-10, max_iter=100_000), dcf.models.LogisticRegression(C=1.0), "prob_correct", 1e-6),
    "knn1": (lambda: KNeighborsClassifier(n_neighbors=1), dcf.models.KNN(k=1), "prob_correct", 1e-12),
    "centroid": (lambda: SkNearestCentroid(), dcf.models.NearestCentroid(), "accuracy", 0.0),
}


@pytest.mark.parametrize("pair", PAIRS.values(), ids=list(PAIRS))
@pytest.mark.parametrize("name", ["blobs6", "three_class6"])
def test_generic_path_equals_fast_path(datasets, name, pair):
    """Where both apply, a scikit-learn model and the matching fast learner give the same grid."""
    make_sklearn, fast, metric, atol = pair
    generic = dcf.compute_grid(datasets[name], make_sklearn(), metric=metric)
    vectorized = dcf.compute_grid(datasets[name], fast, metric=metric)
    np.testing.assert_allclose(generic.values, vectorized.values, rtol=0, atol=atol)


@pytest.mark.parametrize("convention", ["fallback", "zero"])
def test_fits_once_per_subset_that_needs_a_model(datasets, convention):
    """Fallback fits only subsets with two or more classes; zero also tries one-class subsets."""
    train = datasets["imbalanced5"]   # labels 0,0,0,0,1
    CountingTree.fits = 0
    dcf.compute_grid(train, CountingTree(random_state=0), convention=convention)
    n = train.n_points
    classes_per_row = [len(set(train.y[members_of(r, n)].tolist())) for r in range(2**n)]
    expected = sum(c >= (1 if convention == "zero" else 2) for c in classes_per_row)
    assert CountingTree.fits == expected
    assert CountingTree.fits <= 2**n - 1


@pytest.mark.parametrize("edit", [None, dcf.edits.FlipLabels()], ids=["subsets", "edits"])
def test_parallel_fits_give_the_same_grid(datasets, edit, monkeypatch):
    """n_jobs=2 hands the fits to joblib with two jobs, and gives exactly the sequential grid."""
    requested = []

    class RecordingParallel(joblib.Parallel):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            requested.append(self.n_jobs)

    model = DecisionTreeClassifier(random_state=0)
    sequential = dcf.compute_grid(datasets["blobs6"], model, edit=edit)
    monkeypatch.setattr(joblib, "Parallel", RecordingParallel)
    parallel = dcf.compute_grid(datasets["blobs6"], model, n_jobs=2, edit=edit)
    assert requested and set(requested) == {2}
    np.testing.assert_array_equal(sequential.values, parallel.values)


def test_model_without_predict_proba_works_with_accuracy(datasets):
    """LinearSVC has no predict_proba but scores with the accuracy metric, equal to its predict."""
    train = datasets["blobs6"]
    grid = dcf.compute_grid(train, LinearSVC(), metric="accuracy")
    full = LinearSVC().fit(train.X, train.y).predict(train.X)
    np.testing.assert_array_equal(grid.values[-1], (full == train.y).astype(float))


@pytest.mark.parametrize("metric", ["prob_correct", "log_loss"])
def test_model_without_predict_proba_refuses_probability_metrics(datasets, metric):
    """Asking LinearSVC for a probability metric gives a clear error naming the fix."""
    with pytest.raises(ValueError, match="LinearSVC has no predict_proba.*metric='accuracy'"):
        dcf.compute_grid(datasets["blobs6"], LinearSVC(), metric=metric)


def test_refused_fit_under_fallback_names_the_subset(datasets):
    """A scikit-learn KNN with more neighbours than points fails, naming the subset and the fix."""
    with pytest.raises(ValueError, match=r"KNeighborsClassifier failed on the subset 'AB'.*convention='zero'"):
        dcf.compute_grid(datasets["blobs6"], KNeighborsClassifier(n_neighbors=3))


def test_refused_fit_under_zero_scores_zero(datasets):
    """Under "zero", subsets scikit-learn refuses score 0; the rest equal the fast learner's."""
    train = datasets["blobs6"]
    generic = dcf.compute_grid(train, KNeighborsClassifier(n_neighbors=3), convention="zero")
    fast = dcf.compute_grid(train, dcf.models.KNN(k=3), convention="zero")
    np.testing.assert_allclose(generic.values, fast.values, rtol=0, atol=1e-12)
    sizes = np.array([len(members_of(r, 6)) for r in range(64)])
    assert (generic.values[sizes < 3] == 0).all() and (generic.values[sizes >= 3] > 0).any()


def test_not_a_model_is_a_type_error(datasets):
    """Anything without fit and predict is refused with a TypeError."""
    with pytest.raises(TypeError, match="model must be a datacf fast learner"):
        dcf.compute_grid(datasets["blobs6"], object())


def test_n_jobs_is_for_sklearn_models_only(datasets):
    """Fast learners reject n_jobs rather than silently ignore it."""
    with pytest.raises(ValueError, match="n_jobs applies to scikit-learn models only"):
        dcf.compute_grid(datasets["blobs6"], dcf.models.KNN(k=1), n_jobs=2)


class FakeClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the smallest class with the probabilities ``proba_rows`` decides; ``how`` breaks it."""

    def __init__(self, how="ok"):
        self.how = how

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        if self.how == "extra_class":
            self.classes_ = np.append(self.classes_, self.classes_.max() + 7)
        return self

    def predict(self, X):
        label = self.classes_[0] + (99 if self.how == "unknown_label" else 0)
        return np.full(len(X), label)

    def predict_proba(self, X):
        k = self.classes_.size
        p = np.full((len(X), k), 1.0 / k)
        if self.how == "wrong_shape":
            return p[:, :1]
        if self.how == "negative":
            p[:, 0], p[:, 1] = -0.5, 1.5
        if self.how == "not_normalised":
            p *= 0.9
        if self.how == "nan":
            p[0, 0] = np.nan
        return p


class TestMalformedClassifiers:
    def test_a_well_formed_fake_classifier_works(self, datasets):
        """The fake classifier, unbroken, gives a grid: the checks do not refuse valid output."""
        assert dcf.compute_grid(datasets["blobs6"], FakeClassifier()).values.shape == (64, 6)

    @pytest.mark.parametrize(
        "how, message",
        [
            ("wrong_shape", r"FakeClassifier.predict_proba returned shape \(6, 1\) on the subset 'AB'; expected \(6, 2\)"),
            ("negative", r"predict_proba is not a probability distribution on the subset 'AB' \(smallest value -0.5"),
            ("not_normalised", r"not a probability distribution .*row sums from 0.9 to 0.9.*sum to 1 within 1e-06"),
            ("nan", r"predict_proba returned NaN or infinite values on the subset 'AB'"),
            ("extra_class", r"FakeClassifier.classes_ is \[0, 1, 8\] on the subset 'AB', but that subset's labels are \[0, 1\]"),
            ("unknown_label", r"FakeClassifier.predict returned \[99, .*expected 6 labels from classes_ \[0, 1\]"),
        ],
    )
    def test_malformed_output_is_a_clear_error(self, datasets, how, message):
        """Each kind of malformed classes_, predict or predict_proba is refused, naming the subset."""
        with pytest.raises(ValueError, match=message):
            dcf.compute_grid(datasets["blobs6"], FakeClassifier(how))

    def test_unknown_label_is_refused_under_accuracy_too(self, datasets):
        """predict's labels are checked even when predict_proba is not used."""
        with pytest.raises(ValueError, match="FakeClassifier.predict returned"):
            dcf.compute_grid(datasets["blobs6"], FakeClassifier("unknown_label"), metric="accuracy")


class CrashingClassifier(ClassifierMixin, BaseEstimator):
    """A classifier whose fit has a bug: an IndexError, not a refusal."""

    def fit(self, X, y):
        raise IndexError("index 7 is out of bounds")

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


@pytest.mark.parametrize("convention", ["fallback", "zero"])
def test_a_crash_in_fit_is_a_clear_error_under_either_convention(datasets, convention):
    """A non-ValueError from fit becomes a ValueError naming the model and subset; "zero" does not hide it."""
    with pytest.raises(ValueError, match=r"CrashingClassifier raised IndexError on the subset .*index 7"):
        dcf.compute_grid(datasets["blobs6"], CrashingClassifier(), metric="accuracy", convention=convention)
