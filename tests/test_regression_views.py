"""Grid.datamodel: Banzhaf and Shapley values as regression slopes of U on membership."""
import doctest
import math

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

import datacf as dcf
from datacf._regression_views import shapley_kernel
from datacf._subsets import subset_bits


def random_grid(n, n_eval, seed):
    rng = np.random.default_rng(seed)
    return dcf.Grid(rng.normal(size=(2**n, n_eval)))


def real_grids():
    logistic = dcf.compute_grid(dcf.toy_dataset("mislabelled"), dcf.models.LogisticRegression(C=1.0))
    knn = dcf.compute_grid(dcf.toy_dataset("near_duplicates"), dcf.models.KNN(k=1))
    fresh = dcf.compute_grid(
        dcf.toy_dataset("four_points"), dcf.models.KNN(k=3), eval=dcf.toy_dataset("four_points_fresh"),
        metric="log_loss",
    )
    return [logistic, knn, fresh]


class TestBanzhafView:
    @pytest.mark.parametrize("n", range(2, 9))
    def test_equals_banzhaf_on_random_grids(self, n):
        """OLS slopes over all rows are the Banzhaf values of a random grid, for every focus."""
        grid = random_grid(n, 3, seed=n)
        for focus in (None, 0, [1, 2]):
            np.testing.assert_allclose(grid.datamodel("banzhaf", focus), grid.banzhaf(focus), rtol=0, atol=1e-12)

    def test_equals_banzhaf_on_real_grids(self):
        """On grids of trained models the slopes are the Banzhaf values too."""
        for grid in real_grids():
            np.testing.assert_allclose(grid.datamodel(), grid.banzhaf(), rtol=0, atol=1e-12)

    def test_is_ordinary_least_squares(self):
        """The slopes are scikit-learn's OLS coefficients on the membership indicators."""
        grid = random_grid(6, 2, seed=11)
        ols = LinearRegression().fit(subset_bits(6).astype(float), grid.utility())
        np.testing.assert_allclose(grid.datamodel("banzhaf"), ols.coef_, rtol=0, atol=1e-12)

    def test_one_point_is_refused(self):
        """One point gives two rows for two coefficients: refused with the reason."""
        with pytest.raises(ValueError, match=r"^The Banzhaf regression view needs at least 2 points: with 1 point "
                           r"the grid has 2 rows for 2 coefficients, and the OLS fit has no residual degrees "
                           r"of freedom\.$"):
            dcf.Grid([[0.0], [1.0]]).datamodel("banzhaf")


class TestShapleyView:
    @pytest.mark.parametrize("n", range(1, 9))
    def test_equals_shapley_on_random_grids(self, n):
        """Kernel-weighted, constrained slopes are the Shapley values of a random grid, for every focus."""
        grid = random_grid(n, 3, seed=100 + n)
        for focus in (None, 2, [0, 1]):
            np.testing.assert_allclose(grid.datamodel("shapley", focus), grid.shapley(focus), rtol=0, atol=1e-11)

    def test_equals_shapley_on_real_grids(self):
        """On grids of trained models the slopes are the Shapley values too."""
        for grid in real_grids():
            np.testing.assert_allclose(grid.datamodel("shapley"), grid.shapley(), rtol=0, atol=1e-12)

    def test_kernel_weights_by_hand(self):
        """The Shapley kernel (n - 1) / (C(n, k) k (n - k)) for n = 4, worked out by hand."""
        np.testing.assert_allclose(shapley_kernel(4), [3 / 12, 3 / 24, 3 / 12], rtol=1e-15)

    def test_matches_kernelshap_with_heavy_end_rows(self):
        """KernelSHAP's own trick, the empty and full rows given a huge weight in a plain weighted
        regression, gives the same slopes to within the trick's 1 / weight error."""
        n, heavy = 5, 1e7
        grid = random_grid(n, 1, seed=7)
        bits, sizes = subset_bits(n).astype(float), subset_bits(n).sum(axis=1)
        weight = np.array([heavy if k in (0, n) else (n - 1) / (math.comb(n, k) * k * (n - k)) for k in sizes])
        fit = LinearRegression().fit(bits, grid.utility(), sample_weight=weight)
        np.testing.assert_allclose(grid.datamodel("shapley"), fit.coef_, rtol=0, atol=100 / heavy)

    def test_slopes_are_efficient(self):
        """The constraints make the slopes sum to U(N) - U(∅)."""
        grid = random_grid(7, 1, seed=3)
        u = grid.utility()
        assert grid.datamodel("shapley").sum() == pytest.approx(u[-1] - u[0], abs=1e-12)


class TestErrors:
    def test_unknown_weights(self):
        """An unknown view names the choices."""
        with pytest.raises(ValueError, match=r"^weights='beta' is not a regression view; choose one of "
                           r"\['banzhaf', 'shapley'\]\.$"):
            random_grid(3, 1, 0).datamodel("beta")

    def test_weights_not_a_string(self):
        """Numeric weights (a semivalue's) are refused with a pointer to the choices."""
        with pytest.raises(TypeError, match=r"^weights must be a string, one of \['banzhaf', 'shapley'\]; "
                           r"got list\.$"):
            random_grid(3, 1, 0).datamodel([0.25, 0.25, 0.25])


def test_docstring_example():
    """Grid.datamodel's example runs (pytest's doctest collection skips Grid, whose __module__ is "datacf")."""
    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(dcf.Grid.datamodel, globs={"Grid": dcf.Grid}):
        runner.run(test)
    assert runner.tries > 0 and runner.failures == 0
