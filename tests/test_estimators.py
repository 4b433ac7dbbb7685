"""Estimators with standard errors (issue 10): exact on full enumeration, convergent when sampled."""
import math

import numpy as np
import pytest

import datacf as dcf
from datacf import estimate, samplers
from tests.conftest import DATASETS
from tests.matching import exact

MODELS = {
    "knn3": lambda: dcf.models.KNN(k=3),
    "logistic": lambda: dcf.models.LogisticRegression(C=1.0),
}

# Convergence tolerance. Each check compares one estimated value with the exact one at
# Z_BOUND reported standard errors. There are at most ~150 such comparisons in this file
# (7 points x ~20 cases); for a normal estimate P(|z| > 5) = 5.7e-7, so by Bonferroni the
# chance that any of them fails by bad luck is below 150 * 5.7e-7 < 1e-4 (a 3.9 sigma
# bound would already keep it below 1.5e-2). Rows are drawn from fixed seeds, so the test is
# deterministic; the bound says that a failure means a biased estimator or an understated
# standard error, not bad luck. ROUNDING covers values that are exact (stderr 0) up to float64
# rounding, e.g. the size curve at |S| = 0 and n, where every row is the same subset.
Z_BOUND = 5.0
ROUNDING = 1e-12


def _full_enumeration(train, model, explicit=False):
    n = train.n_points
    if explicit:
        sampler = samplers.Explicit([[i for i in range(n) if (r >> i) & 1] for r in range(2**n)])
    else:
        sampler = samplers.Sizes(range(n + 1))
    return dcf.sample_grid(train, model, sampler=sampler, rng=0)


class TestExactOnFullEnumeration:
    @pytest.mark.parametrize("explicit", [False, True], ids=["sizes", "explicit"])
    @pytest.mark.parametrize("make_model", MODELS.values(), ids=list(MODELS))
    @pytest.mark.parametrize("name", ["blobs6", "three_class7", "duplicates5"])
    def test_every_subset_once_gives_the_exact_readings(self, name, make_model, explicit):
        """MSR and datamodel slopes are Banzhaf, Beta sampling is exact, the size curve is the scaling curve."""
        train = DATASETS[name]
        exact = dcf.compute_grid(train, make_model())
        grid = _full_enumeration(train, make_model(), explicit)
        close = dict(rtol=0, atol=ROUNDING)
        np.testing.assert_allclose(estimate.msr_banzhaf(grid).values, exact.banzhaf(), **close)
        np.testing.assert_allclose(estimate.datamodel(grid).values, exact.banzhaf(), **close)
        for alpha, beta in [(1, 1), (16, 1), (1, 16), (0.5, 2.0)]:
            np.testing.assert_allclose(estimate.beta_shapley(grid, alpha, beta).values,
                                       exact.beta_shapley(alpha, beta), **close)
        np.testing.assert_allclose(estimate.size_curve(grid).values, exact.scaling(), **close)

    def test_focus_is_honoured(self):
        """Estimators read U over the focus columns, as the exact readings do."""
        train = DATASETS["blobs6"]
        exact = dcf.compute_grid(train, dcf.models.KNN(k=1))
        grid = _full_enumeration(train, dcf.models.KNN(k=1))
        np.testing.assert_allclose(estimate.msr_banzhaf(grid, focus=["A", 3]).values,
                                   exact.banzhaf(focus=["A", 3]), rtol=0, atol=ROUNDING)

    def test_permutation_shapley_is_efficient(self):
        """Without truncation each permutation's marginals sum to U(N) - U(∅), so the values do."""
        train = DATASETS["three_class7"]
        grid = dcf.sample_grid(train, dcf.models.LogisticRegression(), sampler=samplers.Permutations(7), rng=3)
        u = grid.utility()
        assert estimate.permutation_shapley(grid).values.sum() == pytest.approx(u[1] - u[0], abs=ROUNDING)


CASES = [
    ("permutation_shapley", {}, lambda g: g.shapley()),
    ("msr_banzhaf", {}, lambda g: g.banzhaf()),
    ("datamodel", {}, lambda g: g.banzhaf()),
    ("beta_shapley", {}, lambda g: g.shapley()),
    ("beta_shapley", {"alpha": 16, "beta": 1}, lambda g: g.beta_shapley(16, 1)),
    ("beta_shapley", {"alpha": 1, "beta": 4}, lambda g: g.beta_shapley(1, 4)),
    ("size_curve", {}, lambda g: g.scaling()),
]


class TestConvergence:
    @pytest.mark.parametrize("method,kwargs,reading", CASES, ids=[c[0] + str(c[1]) for c in CASES])
    @pytest.mark.parametrize("make_model", MODELS.values(), ids=list(MODELS))
    def test_estimates_reach_the_exact_values_within_their_stderr(self, method, kwargs, reading, make_model):
        """Sampled until stderr <= 0.01, each estimate is within Z_BOUND stderr of the exact reading."""
        train = DATASETS["three_class7"]
        exact = reading(dcf.compute_grid(train, make_model()))
        est = dcf.estimate_values(train, make_model(), method, target_stderr=0.01, max_evaluations=20000,
                                  rng=np.random.default_rng(11), **kwargs)
        assert est.converged and est.stderr.max() <= 0.01
        assert (np.abs(est.values - exact) <= Z_BOUND * est.stderr + ROUNDING).all(), (est.values, exact, est.stderr)

    def test_stderr_shrinks_like_one_over_root_budget(self):
        """Four times the rows halve MSR's standard error, within 20%."""
        train = DATASETS["blobs6"]
        small = estimate.msr_banzhaf(dcf.sample_grid(train, dcf.models.KNN(k=3), sampler=samplers.Uniform(500), rng=1))
        large = estimate.msr_banzhaf(dcf.sample_grid(train, dcf.models.KNN(k=3), sampler=samplers.Uniform(2000), rng=1))
        ratio = small.stderr / large.stderr
        assert ((ratio > 1.6) & (ratio < 2.4)).all(), ratio

    def test_truncation_saves_rows_and_keeps_efficiency_within_its_tolerance(self):
        """Each truncated permutation's marginals sum to U(prefix), within tol of U(N): so do the values."""
        rng = np.random.default_rng(8)
        X = rng.normal(size=(40, 2))
        train = dcf.Dataset(X, (X[:, 0] > 0).astype(int))
        tol = 0.02
        est = dcf.estimate_values(train, dcf.models.KNN(k=3), "permutation_shapley", truncation=tol,
                                  max_evaluations=800, rng=5)
        assert est.n_evaluations < est.details["n_permutations"] * 39 + 2   # truncation saved rows
        assert (est.grid.lengths < 39).any()
        u = est.grid.utility()
        assert abs(est.values.sum() - (u[1] - u[0])) < tol


class TestOracles:
    def test_msr_stderr_is_the_two_sample_formula(self):
        """Values and stderr equal a per-point loop with numpy's var(ddof=1)."""
        train = DATASETS["overlap6"]
        grid = dcf.sample_grid(train, dcf.models.KNN(k=3), sampler=samplers.Uniform(300), rng=2)
        est = estimate.msr_banzhaf(grid)
        u = grid.utility()
        for i in range(6):
            a, b = u[grid.members[:, i]], u[~grid.members[:, i]]
            assert est.values[i] == pytest.approx(a.mean() - b.mean(), abs=ROUNDING)
            se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
            assert est.stderr[i] == pytest.approx(se, rel=1e-9)

    def test_datamodel_matches_least_squares(self):
        """Slopes equal numpy's lstsq; stderr the classical sqrt(sigma^2 (X'X)^-1)."""
        train = DATASETS["overlap6"]
        grid = dcf.sample_grid(train, dcf.models.KNN(k=3), sampler=samplers.Uniform(200), rng=2)
        est = estimate.datamodel(grid)
        design = np.hstack([np.ones((200, 1)), grid.members])
        coef, rss, *_ = np.linalg.lstsq(design, grid.utility(), rcond=None)
        np.testing.assert_allclose(est.values, coef[1:], rtol=0, atol=1e-10)
        se = np.sqrt(rss[0] / (200 - 7) * np.diag(np.linalg.inv(design.T @ design)))[1:]
        np.testing.assert_allclose(est.stderr, se, rtol=1e-8)
        assert est.details["intercept"] == pytest.approx(coef[0], abs=1e-10) and 0 <= est.details["r2"] <= 1

    def test_permutation_marginals_by_hand(self):
        """One permutation truncated after its first point: that point gets U({2}) - U(∅), the rest 0."""
        members = [[False, False, False], [True, True, True], [False, False, True]]
        grid = dcf.SampledGrid(members, [[0.2], [0.9], [0.85]], orders=[[2, 0, 1]], lengths=[1])
        est = estimate.permutation_shapley(grid)
        np.testing.assert_allclose(est.values, [0.0, 0.0, 0.65], rtol=0, atol=ROUNDING)
        assert np.isnan(est.stderr).all()   # one permutation: no spread to estimate

    def test_size_curve_by_hand(self):
        """Mean and stderr by size, NaN where there are no or too few rows."""
        grid = dcf.SampledGrid([[False, False], [True, False], [False, True]], [[0.5], [0.6], [1.0]])
        est = estimate.size_curve(grid)
        np.testing.assert_allclose(est.values[:2], [0.5, 0.8], rtol=0, atol=ROUNDING)
        assert np.isnan(est.values[2]) and np.isnan(est.stderr[0])
        assert est.stderr[1] == pytest.approx(np.std([0.6, 1.0], ddof=1) / math.sqrt(2))

    def test_a_large_pool(self):
        """MSR Banzhaf on 200 points of a 2-class pool gives finite values and stderr."""
        rng = np.random.default_rng(0)
        X = rng.normal(size=(200, 4))
        train = dcf.Dataset(X, (X[:, 0] > 0).astype(int))
        est = dcf.estimate_values(train, dcf.models.LogisticRegression(), "msr_banzhaf", max_evaluations=600, rng=0)
        assert est.n_evaluations == 600 and np.isfinite(est.stderr).all() and est.converged is None


class TestErrors:
    def _grid(self, sampler):
        return dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(k=1), sampler=sampler, rng=0)

    @pytest.mark.parametrize("reader", [estimate.permutation_shapley, estimate.msr_banzhaf, estimate.beta_shapley,
                                        estimate.datamodel, estimate.size_curve])
    def test_estimators_read_sampled_grids(self, reader):
        """An exact Grid is not a SampledGrid: the message names the estimator and both ways to sample."""
        message = (f"{reader.__name__} reads a datacf.SampledGrid; got Grid. Sample one with dcf.sample_grid, "
                   "or use dcf.estimate_values to sample as needed.")
        with pytest.raises(TypeError, match=exact(message)):
            reader(dcf.Grid([[0.0], [1.0]]))

    def test_permutation_shapley_needs_permutations(self):
        """Uniform rows carry no permutation orders."""
        with pytest.raises(ValueError, match="needs a grid sampled with samplers.Permutations"):
            estimate.permutation_shapley(self._grid(samplers.Uniform(10)))

    def test_msr_needs_uniform_rows(self):
        """Permutation prefixes would bias MSR."""
        with pytest.raises(ValueError, match="msr_banzhaf needs uniform rows"):
            estimate.msr_banzhaf(self._grid(samplers.Permutations(3)))

    def test_beta_needs_known_probabilities(self):
        """Some rows of some sizes have no known sampling probability."""
        with pytest.raises(ValueError, match="beta_shapley needs rows with known probabilities"):
            estimate.beta_shapley(self._grid(samplers.Sizes([2], per_size=3)))

    def test_beta_refuses_bad_parameters(self):
        """alpha and beta must be positive."""
        with pytest.raises(ValueError, match="'alpha' must be finite and > 0"):
            estimate.beta_shapley(self._grid(samplers.Uniform(10)), alpha=-1)

    def test_datamodel_needs_more_rows_than_coefficients(self):
        """Seven coefficients need at least eight rows."""
        with pytest.raises(ValueError, match="needs more rows than that; the grid has 7"):
            estimate.datamodel(self._grid(samplers.Uniform(7)))

    def test_datamodel_refuses_collinear_membership(self):
        """Rows of one size cannot separate the points from the intercept."""
        with pytest.raises(ValueError, match="collinear"):
            estimate.datamodel(self._grid(samplers.Sizes([3])))

    def test_msr_is_nan_for_a_point_in_every_row(self):
        """A point never left out has no MSR estimate."""
        grid = dcf.SampledGrid([[True, False], [True, True], [True, False]], [[0.1], [0.5], [0.2]],
                               sampler=samplers.Uniform(3))
        est = estimate.msr_banzhaf(grid)
        assert np.isnan(est.values[0]) and np.isnan(est.stderr).all()

    @pytest.mark.parametrize("kwargs,message", [
        ({"method": "loo"}, "method='loo' is not an estimator"),
        ({"target_stderr": 0}, "target_stderr must be a positive finite number"),
        ({"target_stderr": True}, "target_stderr must be a positive finite number"),
        ({"max_evaluations": 0}, "max_evaluations must be a positive integer"),
        ({"batch_size": 2.5}, "batch_size must be a positive integer"),
        ({"truncation": 0.1}, "truncation applies to method='permutation_shapley' only"),
        ({"method": "permutation_shapley", "truncation": -1}, "'truncation' must be finite"),
        ({"method": "beta_shapley", "beta": 0}, "'beta' must be finite and > 0"),
        ({"metric": "f1"}, "metric='f1' is not supported"),
    ])
    def test_estimate_values_refuses_bad_arguments(self, kwargs, message):
        """Each bad argument is refused before any model is trained."""
        with pytest.raises(ValueError, match=message):
            dcf.estimate_values(DATASETS["blobs6"], dcf.models.KNN(k=1), **kwargs)


class TestDriver:
    @pytest.mark.parametrize("method,kwargs", [("msr_banzhaf", {}), ("permutation_shapley", {"truncation": 0.01}),
                                               ("beta_shapley", {"alpha": 4, "beta": 1}), ("size_curve", {})])
    def test_batches_equal_one_draw(self, method, kwargs):
        """The adaptive run's grid is sample_grid's with its recorded sampler and seed."""
        train = DATASETS["three_class7"]
        est = dcf.estimate_values(train, dcf.models.KNN(k=3), method, max_evaluations=400, batch_size=3, rng=4,
                                  **kwargs)
        assert dcf.recompute_sampled_grid(est.grid) == est.grid

    def test_an_odd_budget_is_kept_exactly(self):
        """max_evaluations=7 in batches of 2: the last batch is one row, so exactly 7 rows are trained."""
        est = dcf.estimate_values(DATASETS["blobs6"], dcf.models.KNN(k=1), "msr_banzhaf", max_evaluations=7,
                                  batch_size=2, rng=0)
        assert est.n_evaluations == est.grid.n_rows == 7

    def test_the_grid_keeps_the_evaluation_names(self):
        """The estimate's grid names its columns after the evaluation set's points."""
        train = DATASETS["blobs6"]
        eval_set = dcf.Dataset(train.X[:2], train.y[:2], names=["e1", "e2"])
        est = dcf.estimate_values(train, dcf.models.KNN(k=1), "msr_banzhaf", eval=eval_set, max_evaluations=20,
                                  rng=0)
        assert est.grid.eval_names == ("e1", "e2")

    def test_datamodel_names_its_method(self):
        """A datamodel estimate says it is one (method 'datamodel')."""
        grid = dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(k=1), sampler=samplers.Uniform(64), rng=1)
        assert estimate.datamodel(grid).method == "datamodel"

    def test_budget_without_target(self):
        """Without a target the whole budget is spent and converged is None."""
        est = dcf.estimate_values(DATASETS["blobs6"], dcf.models.KNN(k=1), "datamodel", max_evaluations=250, rng=0)
        assert est.n_evaluations == 250 and est.converged is None

    def test_permutations_stay_within_the_budget(self):
        """Only whole permutations that fit are drawn; a budget below one permutation still gets one."""
        train = DATASETS["three_class7"]
        est = dcf.estimate_values(train, dcf.models.KNN(k=3), "permutation_shapley", max_evaluations=100,
                                  batch_size=4, rng=0)
        assert est.n_evaluations == 2 + 16 * 6 and est.details["n_permutations"] == 16
        tiny = dcf.estimate_values(train, dcf.models.KNN(k=3), "permutation_shapley", max_evaluations=3, rng=0)
        assert tiny.details["n_permutations"] == 1

    def test_budget_reached_before_the_target(self):
        """A target out of reach within the budget reports converged=False."""
        est = dcf.estimate_values(DATASETS["blobs6"], dcf.models.KNN(k=1), "msr_banzhaf", target_stderr=1e-6,
                                  max_evaluations=300, rng=0)
        assert est.converged is False and est.n_evaluations == 300

    def test_repr_and_interval(self):
        """The repr summarises; interval is values -/+ z stderr."""
        est = dcf.estimate_values(DATASETS["blobs6"], dcf.models.KNN(k=1), "msr_banzhaf", max_evaluations=200, rng=0)
        assert repr(est).startswith("Estimate(method='msr_banzhaf', n_values=6, n_evaluations=200, max_stderr=")
        low, high = est.interval(2.0)
        np.testing.assert_allclose(high - low, 4.0 * est.stderr, rtol=1e-12)
