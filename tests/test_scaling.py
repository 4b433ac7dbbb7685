"""Scaling laws: the power-law fit, its bootstrap intervals, the extrapolation check (issue 10)."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

import datacf as dcf
from datacf._scaling import _fit_means
from tests.matching import exact

SIZES = np.array([4, 8, 16, 32, 64, 128, 256])
TRUE = {"a": 0.8, "b": 0.6, "c": 0.05}


def _law(k, a=TRUE["a"], b=TRUE["b"], c=TRUE["c"]):
    return a * np.asarray(k, dtype=float) ** (-b) + c


def _noisy(seed, sd=0.01, per_size=40, sizes=SIZES):
    """Per-subset errors: the true law plus Gaussian noise of standard deviation ``sd``."""
    rng = np.random.default_rng(seed)
    return [_law(k) + rng.normal(0.0, sd, per_size) for k in sizes]


class TestPowerLawFit:
    @pytest.mark.parametrize(("a", "b", "c"), [(0.8, 0.6, 0.05), (2.0, 0.3, 0.0), (0.1, 1.5, 0.2), (5.0, 0.05, -1.0)])
    def test_exact_on_noise_free_data(self, a, b, c):
        """Noise-free a·k^-b + c is recovered to 1e-7."""
        fit = dcf.fit_power_law(SIZES, [[e] for e in _law(SIZES, a, b, c)], n_bootstrap=0)
        assert_allclose([fit.a, fit.b, fit.c], [a, b, c], rtol=1e-7, atol=1e-9)
        assert_allclose(fit.predict(SIZES), _law(SIZES, a, b, c), rtol=0, atol=1e-10)

    def test_recovers_parameters_within_bootstrap_intervals(self):
        """With small noise, each true parameter lies inside its 95% bootstrap interval."""
        fit = dcf.fit_power_law(SIZES, _noisy(0), n_bootstrap=300, rng=1)
        for name, value in TRUE.items():
            low, high = fit.intervals[name]
            assert low <= value <= high, (name, low, value, high)
        assert fit.intervals["b"][1] - fit.intervals["b"][0] < 0.3

    def test_interval_coverage_is_sane(self):
        """Over 40 seeded data sets the 90% interval of c covers the truth at least 70% of the time."""
        covered = 0
        for seed in range(40):
            fit = dcf.fit_power_law(SIZES, _noisy(seed, sd=0.02, per_size=20), n_bootstrap=100, level=0.9, rng=seed)
            low, high = fit.intervals["c"]
            covered += low <= TRUE["c"] <= high
        assert 28 <= covered <= 40

    def test_more_noise_gives_wider_intervals(self):
        """Ten times the noise gives a wider interval for every parameter."""
        narrow = dcf.fit_power_law(SIZES, _noisy(3, sd=0.002), n_bootstrap=200, rng=0)
        wide = dcf.fit_power_law(SIZES, _noisy(3, sd=0.02), n_bootstrap=200, rng=0)
        for name in "abc":
            assert np.diff(wide.intervals[name]) > np.diff(narrow.intervals[name])

    def test_seeded_fit_is_reproducible(self):
        """The same seed gives the same bootstrap replicates."""
        one = dcf.fit_power_law(SIZES, _noisy(5), n_bootstrap=20, rng=7)
        two = dcf.fit_power_law(SIZES, _noisy(5), n_bootstrap=20, rng=7)
        assert_allclose(one.bootstrap, two.bootstrap, rtol=0, atol=0)

    def test_predict_interval_contains_the_prediction(self):
        """The bootstrap prediction interval brackets the point prediction at a fitted size."""
        fit = dcf.fit_power_law(SIZES, _noisy(2), n_bootstrap=200, rng=0)
        low, high = fit.predict_interval(64)
        assert low <= fit.predict(64) <= high
        lows, highs = fit.predict_interval([64, 1000])
        assert lows.shape == highs.shape == (2,)

    def test_repr(self):
        """The repr names the parameters and the replicate count."""
        fit = dcf.fit_power_law(SIZES, [[e] for e in _law(SIZES)], n_bootstrap=0)
        assert repr(fit) == "PowerLawFit(a=0.8, b=0.6, c=0.05, n_bootstrap=0)"

    def test_fits_a_learning_curve_error(self):
        """A LearningCurve of prob_correct scores is fitted on 1 - score."""
        curve = dcf.LearningCurve(SIZES, [1.0 - np.array([e]) for e in _law(SIZES)])
        fit = dcf.fit_power_law(curve, n_bootstrap=0)
        assert_allclose([fit.a, fit.b, fit.c], list(TRUE.values()), rtol=1e-7)

    def test_profile_search_beats_a_fine_grid(self):
        """The golden-section fit is no worse than the best of 20,000 exponents on noisy means."""
        means = np.array([m.mean() for m in _noisy(11, sd=0.03)])
        a, b, c = _fit_means(SIZES, means)
        sse = np.sum((a * SIZES ** (-b) + c - means) ** 2)
        best = np.inf
        for bb in np.linspace(0.001, 4.0, 20000):
            x = SIZES ** (-bb)
            design = np.column_stack([x, np.ones_like(x)])
            coef = np.linalg.lstsq(design, means, rcond=None)[0]
            best = min(best, np.sum((design @ coef - means) ** 2))
        assert sse <= best * (1 + 1e-9)


class TestExtrapolationCheck:
    def test_arithmetic_matches_a_hand_computation(self):
        """Predicted, observed, absolute and relative errors follow from the small-size fit."""
        errors = _noisy(4)
        check = dcf.extrapolation_check(SIZES, errors, n_fit=5, n_bootstrap=0)
        a, b, c = _fit_means(SIZES[:5], np.array([e.mean() for e in errors[:5]]))
        predicted = a * SIZES[5:] ** (-b) + c
        observed = np.array([errors[5].mean(), errors[6].mean()])
        assert_allclose(check.predicted, predicted, rtol=0, atol=1e-15)
        assert_allclose(check.observed, observed, rtol=0, atol=0)
        assert_allclose(check.abs_error, predicted - observed, rtol=0, atol=1e-15)
        assert_allclose(check.rel_error, (predicted - observed) / observed, rtol=0, atol=1e-15)
        assert check.fit_sizes.tolist() == [4, 8, 16, 32, 64]
        assert check.test_sizes.tolist() == [128, 256]

    def test_noise_free_extrapolation_is_exact(self):
        """A true power law extrapolates with zero error."""
        check = dcf.extrapolation_check(SIZES, [[e] for e in _law(SIZES)], n_fit=4, n_bootstrap=0)
        assert_allclose(check.abs_error, 0.0, rtol=0, atol=1e-9)

    def test_interval_brackets_the_error(self):
        """The bootstrap interval of the prediction error contains the observed error."""
        check = dcf.extrapolation_check(SIZES, _noisy(6), n_bootstrap=200, rng=0)
        low, high = check.abs_interval
        assert np.all(low <= check.abs_error) and np.all(check.abs_error <= high)
        assert check.fit_sizes.tolist() == SIZES[:-2].tolist()


class TestBadInput:
    def test_learning_curve_names_its_scores(self):
        """A LearningCurve with too few score arrays says they are scores (not errors), in its whole message."""
        with pytest.raises(ValueError, match=exact("got 1 arrays of scores for 2 sizes; pass one array per size.")):
            dcf.LearningCurve([1, 2], [[0.1]])

    @pytest.mark.parametrize(
        ("sizes", "errors", "message"),
        [
            ([4, 8], [[0.5], [0.4]], "needs at least 3 sizes; got 2"),
            ([8, 4, 16], [[0.5], [0.4], [0.3]], "sizes must be strictly increasing; got \\[8, 4, 16\\]"),
            ([0, 4, 16], [[0.5], [0.4], [0.3]], "sizes must be positive integers"),
            ([2.5, 4, 16], [[0.5], [0.4], [0.3]], "sizes must be positive integers"),
            ([2, 4, 16], [[0.5], [0.4]], "got 2 arrays of errors for 3 sizes"),
            ([2, 4, 16], [[0.5], [np.nan], [0.3]], "the errors for size 4 hold NaN or infinity"),
            ([2, 4, 16], [[0.5], [], [0.3]], "the errors for size 4 must be a non-empty 1-D array"),
        ],
    )
    def test_bad_sizes_and_errors(self, sizes, errors, message):
        """Malformed sizes or errors are refused with a message naming the problem."""
        with pytest.raises(ValueError, match=message):
            dcf.fit_power_law(sizes, errors)

    def test_errors_without_sizes(self):
        """Sizes without errors is a TypeError that says what to pass."""
        with pytest.raises(TypeError, match="pass a LearningCurve, or sizes and errors"):
            dcf.fit_power_law([1, 2, 3])

    @pytest.mark.parametrize("level", [0.0, 1.0, 95, "0.95"])
    def test_bad_level(self, level):
        """A level outside (0, 1) is refused."""
        with pytest.raises(ValueError, match="level must be a float strictly between 0 and 1"):
            dcf.fit_power_law(SIZES, _noisy(0), level=level)

    def test_bad_bootstrap_count(self):
        """A negative replicate count is refused."""
        with pytest.raises(ValueError, match="n_bootstrap must be a non-negative integer; got -1"):
            dcf.fit_power_law(SIZES, _noisy(0), n_bootstrap=-1)

    def test_bad_rng(self):
        """A string seed is refused."""
        with pytest.raises(TypeError, match="rng must be None, a non-negative int seed or a numpy Generator"):
            dcf.fit_power_law(SIZES, _noisy(0), rng="seed")

    @pytest.mark.parametrize("n_fit", [2, 7, 1.5, True])
    def test_bad_split(self, n_fit):
        """The fit needs at least three sizes and must leave one to test."""
        with pytest.raises(ValueError, match="n_fit must be an integer from 3 to 6"):
            dcf.extrapolation_check(SIZES, _noisy(0), n_fit=n_fit)

    @pytest.mark.parametrize("n", [0, -3, np.inf])
    def test_bad_prediction_size(self, n):
        """Predicting at a non-positive size is refused."""
        fit = dcf.fit_power_law(SIZES, _noisy(0), n_bootstrap=0)
        with pytest.raises(ValueError, match="n must be positive and finite"):
            fit.predict(n)

    def test_learning_curve_bad_metric(self):
        """An unknown metric names the choices."""
        with pytest.raises(ValueError, match="metric='mse' is not supported"):
            dcf.LearningCurve([1, 2, 3], [[0.1], [0.2], [0.3]], metric="mse")


def _tiny_pool():
    X = np.array([[0.0, 0.1], [0.4, 0.9], [1.0, 0.2], [3.0, 3.1], [3.5, 2.6], [2.9, 4.0]])
    return dcf.Dataset(X, [0, 0, 1, 1, 1, 0])


class TestLearningCurve:
    def test_all_subsets_give_the_exact_size_reading(self):
        """With every subset of each size drawn, the curve's means equal the exact grid's scaling()."""
        train = _tiny_pool()
        model = dcf.models.LogisticRegression(C=1.0)
        curve = dcf.learning_curve(train, model, sizes=[1, 2, 3, 4, 5, 6], n_subsets=100, rng=0)
        exact = dcf.compute_grid(train, model).scaling()
        assert [len(s) for s in curve.scores] == [6, 15, 20, 15, 6, 1]
        assert_allclose(curve.mean, exact[1:], rtol=0, atol=1e-12)

    def test_seeded_curve_is_reproducible(self):
        """The same seed draws the same subsets and gives the same scores."""
        train = _tiny_pool()
        one = dcf.learning_curve(train, dcf.models.KNN(k=1), sizes=[2, 3, 4], n_subsets=4, rng=3)
        two = dcf.learning_curve(train, dcf.models.KNN(k=1), sizes=[2, 3, 4], n_subsets=4, rng=3)
        for a, b in zip(one.scores, two.scores):
            assert_allclose(a, b, rtol=0, atol=0)

    def test_from_grid_groups_rows_by_size(self):
        """A hand-made sampled grid is grouped by subset size, the empty row left out."""
        grid = dcf.SampledGrid([[False, False], [True, False], [False, True], [True, True]],
                               [[0.5], [0.6], [0.8], [0.9]])
        curve = dcf.LearningCurve.from_grid(grid)
        assert curve.sizes.tolist() == [1, 2]
        assert_allclose(curve.mean, [0.7, 0.9], rtol=0, atol=1e-15)

    def test_ci_is_mean_plus_minus_z_sem(self):
        """The 95% interval is the mean ± 1.96 standard errors (sample sd, ddof=1)."""
        curve = dcf.LearningCurve([1, 2], [[0.2, 0.4, 0.9], [0.5, 0.7]])
        sem = np.array([np.std([0.2, 0.4, 0.9], ddof=1) / np.sqrt(3), np.std([0.5, 0.7], ddof=1) / np.sqrt(2)])
        low, high = curve.ci(0.95)
        assert_allclose(low, curve.mean - 1.959963984540054 * sem, rtol=0, atol=1e-15)
        assert_allclose(high, curve.mean + 1.959963984540054 * sem, rtol=0, atol=1e-15)
        assert_allclose(curve.ci(0.8)[1] - curve.mean, 1.2815515655446004 * sem, rtol=1e-9)

    def test_log_loss_errors_are_the_loss(self):
        """For log_loss the fitted error is the score itself, not 1 - score."""
        curve = dcf.LearningCurve([1, 2, 3], [[0.9], [0.5], [0.3]], metric="log_loss")
        assert_allclose(np.concatenate(curve.errors()), [0.9, 0.5, 0.3], rtol=0, atol=0)

    def test_repr(self):
        """The repr names the sizes, the subsets per size and the metric."""
        curve = dcf.LearningCurve([1, 2], [[0.2, 0.4], [0.5]])
        assert repr(curve) == "LearningCurve(sizes=[1, 2], subsets_per_size=1-2, metric='prob_correct')"

    def test_sizes_beyond_the_pool(self):
        """Sizes larger than the pool are refused with the pool's size."""
        with pytest.raises(ValueError, match="sizes go up to 7 but the pool has 6 points; pass sizes <= 6"):
            dcf.learning_curve(_tiny_pool(), dcf.models.KNN(k=1), sizes=[2, 7])

    def test_bad_subset_count(self):
        """A zero subset count is refused."""
        with pytest.raises(ValueError, match="n_subsets must be a positive integer; got 0"):
            dcf.learning_curve(_tiny_pool(), dcf.models.KNN(k=1), sizes=[2, 3], n_subsets=0)

    def test_train_must_be_a_dataset(self):
        """A bare array as train is a TypeError that says how to wrap it."""
        with pytest.raises(TypeError, match="train must be a datacf.Dataset; got ndarray. Wrap it"):
            dcf.learning_curve(np.zeros((3, 2)), dcf.models.KNN(k=1))

    def test_from_grid_needs_a_sampled_grid(self):
        """An exact Grid is not a SampledGrid."""
        with pytest.raises(TypeError, match="grid must be a datacf.SampledGrid; got Grid"):
            dcf.LearningCurve.from_grid(dcf.Grid([[0.0], [1.0]]))
