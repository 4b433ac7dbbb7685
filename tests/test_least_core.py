"""Grid.least_core: the least-core payoff and e*, checked against games solved without an LP solver."""
import doctest
import itertools
import sys

import numpy as np
import pytest

import datacf as dcf
from datacf._subsets import subset_bits

# HiGHS is run with 1e-10 feasibility tolerances and the payoff is chosen at e* + 1e-9 times
# the utility's scale (datacf._least_core): constraints and e* are good to a few 1e-9.
TOL = 1e-8


def game(values):
    """A grid with one column holding v(S) for every row S."""
    return dcf.Grid(np.asarray(values, dtype=float)[:, None])


def glove_game(left, right):
    """v(S) = number of matched pairs: min(left gloves in S, right gloves in S)."""
    n = len(left) + len(right)
    bits = subset_bits(n)
    return game([min(bits[r, left].sum(), bits[r, right].sum()) for r in range(2**n)])


def shortfalls(u, payoff):
    """U(S) - x(S) for every non-empty proper S: the e a payoff needs."""
    coalitions = subset_bits(int(np.log2(len(u))))[1:-1]
    return u[1:-1] - coalitions @ payoff


def vertex_enumeration_e_star(u):
    """e* as the smallest e over the vertices of {(x, e): sum x = U(N), x(S) + e >= U(S)}.

    The polyhedron has no line in it (singletons and efficiency pin x and e), so the LP's
    minimum is at a vertex: efficiency plus n tight coalition constraints.
    """
    n = int(np.log2(len(u)))
    coalitions = subset_bits(n)[1:-1].astype(float)
    best = np.inf
    for tight in itertools.combinations(range(len(coalitions)), n):
        a = np.vstack([np.append(np.ones(n), 0.0), np.hstack([coalitions[list(tight)], np.ones((n, 1))])])
        if abs(np.linalg.det(a)) < 1e-12:
            continue
        solution = np.linalg.solve(a, np.concatenate([[u[-1]], u[1:-1][list(tight)]]))
        x, e = solution[:n], solution[n]
        if (shortfalls(u, x) <= e + 1e-12).all():
            best = min(best, e)
    return best


class TestDefinition:
    @pytest.mark.parametrize("n", [2, 3, 4])
    def test_e_star_matches_vertex_enumeration(self, n):
        """e* equals the minimum over the LP's vertices, found by brute force, on random games."""
        for seed in range(5):
            u = np.random.default_rng(10 * n + seed).normal(size=2**n)
            e = game(u).least_core().e
            assert e == pytest.approx(vertex_enumeration_e_star(u), abs=TOL)

    def test_e_star_matches_vertex_enumeration_on_a_real_grid(self):
        """The same on a grid of logistic-regression models, for all columns and for one."""
        grid = dcf.compute_grid(dcf.toy_dataset("four_points"), dcf.models.LogisticRegression(C=1.0))
        for focus in (None, "C"):
            assert grid.least_core(focus).e == pytest.approx(vertex_enumeration_e_star(grid.utility(focus)), abs=TOL)

    @pytest.mark.parametrize("n", [2, 3, 5, 8])
    def test_payoff_is_in_the_least_core(self, n):
        """The payoff shares out exactly U(N) and leaves no coalition short by more than e*."""
        u = np.random.default_rng(n).normal(size=2**n)
        payoff, e = game(u).least_core()
        assert payoff.sum() == pytest.approx(u[-1], abs=TOL)
        assert shortfalls(u, payoff).max() <= e + TOL

    def test_some_coalition_is_short_by_e_star(self):
        """e* is attained: the payoff leaves some coalition short by exactly e*."""
        u = np.random.default_rng(1).normal(size=2**5)
        payoff, e = game(u).least_core()
        assert shortfalls(u, payoff).max() == pytest.approx(e, abs=TOL)

    def test_two_players_by_hand(self):
        """With two players, x1 + e = v(1), x2 + e = v(2), x1 + x2 = v(12) solve it by hand."""
        payoff, e = game([0.0, 0.3, 0.5, 1.2]).least_core()
        assert e == pytest.approx((0.3 + 0.5 - 1.2) / 2, abs=TOL)
        np.testing.assert_allclose(payoff, [(1.2 + 0.3 - 0.5) / 2, (1.2 - 0.3 + 0.5) / 2], atol=TOL)

    def test_empty_row_plays_no_part(self):
        """Changing U(∅) changes neither e* nor the payoff: the game has v(∅) = 0."""
        u = np.random.default_rng(4).normal(size=2**4)
        shifted = u.copy()
        shifted[0] += 3.0
        first, second = game(u).least_core(), game(shifted).least_core()
        assert first.e == pytest.approx(second.e, abs=TOL)
        np.testing.assert_allclose(first.payoff, second.payoff, atol=TOL)


class TestKnownGames:
    def test_glove_game_with_one_left_glove(self):
        """One left glove and two right ones: the core is {(1, 0, 0)} and e* = 0."""
        payoff, e = glove_game([0], [1, 2]).least_core()
        assert e == pytest.approx(0.0, abs=TOL)
        np.testing.assert_allclose(payoff, [1.0, 0.0, 0.0], atol=TOL)

    def test_balanced_glove_game(self):
        """Two left and two right gloves: two disjoint pairs must each get 1 - e and share 2, so
        e* = 0; the Shapley value, 1/2 each, is in the core and is the payoff."""
        payoff, e = glove_game([0, 1], [2, 3]).least_core()
        assert e == pytest.approx(0.0, abs=TOL)
        np.testing.assert_allclose(payoff, [0.5, 0.5, 0.5, 0.5], atol=TOL)   # the Shapley value, in the core

    @pytest.mark.parametrize("f", [
        [0.0, 0.0, 1.0, 1.0, 1.0],          # majority of 4: the core is empty
        [0.0, 1.0, 4.0, 9.0, 16.0],         # |S|^2, convex: the core is not empty
        [0.0, 0.6, 0.8, 0.9, 1.0],          # diminishing returns, like a learning curve
    ])
    def test_symmetric_game(self, f):
        """v(S) = f(|S|): the equal split is in the least core, with e* = max_k f(k) - k f(n) / n."""
        n = len(f) - 1
        sizes = subset_bits(n).sum(axis=1)
        payoff, e = game(np.array(f)[sizes]).least_core()
        assert e == pytest.approx(max(f[k] - k * f[n] / n for k in range(1, n)), abs=TOL)
        np.testing.assert_allclose(payoff, np.full(n, f[n] / n), atol=TOL)

    def test_majority_game_core_is_empty(self):
        """In 2-of-3 majority every pair wins: e* = 1/3 > 0, so the core is empty."""
        sizes = subset_bits(3).sum(axis=1)
        assert game((sizes >= 2).astype(float)).least_core().e == pytest.approx(1 / 3, abs=TOL)


class TestTieBreak:
    def test_additive_game(self):
        """An additive game's least core is the single payoff x = w with e* = 0, whatever U(∅)."""
        weights = np.array([0.5, -0.2, 1.0, 0.3])
        u = subset_bits(4) @ weights
        u[0] = 0.7
        payoff, e = game(u).least_core()
        assert e == pytest.approx(0.0, abs=TOL)
        np.testing.assert_allclose(payoff, weights, atol=TOL)

    def test_closest_to_shapley_on_a_segment(self):
        """v(AB) = 1, v(AC) = 0.9, v(ABC) = 1, else 0: the least core (e* = 0) is the segment
        (a, 1 - a, 0) for a in [0.9, 1]; the Shapley value (0.65, 0.2, 0.15) lies off it, and
        the L1 distance |a - 0.65| + |0.8 - a| + 0.15 is smallest at a = 0.9 (worked by hand)."""
        grid = game([0.0, 0.0, 0.0, 1.0, 0.0, 0.9, 0.0, 1.0])
        np.testing.assert_allclose(grid.shapley(), [0.65, 0.2, 0.15], atol=1e-12)
        payoff, e = grid.least_core()
        assert e == pytest.approx(0.0, abs=TOL)
        np.testing.assert_allclose(payoff, [0.9, 0.1, 0.0], atol=TOL)


class TestErrors:
    def test_one_point(self):
        """One point has no proper coalition: refused with the reason."""
        with pytest.raises(ValueError, match=r"^The least core needs at least 2 points: with 1 point there is no "
                           r"proper coalition, and the single point simply receives U\(N\)\.$"):
            game([0.0, 1.0]).least_core()


def test_without_scipy_the_error_names_the_module_so_the_page_can_load_it(monkeypatch):
    """No SciPy (the page's numpy-only tier): a ModuleNotFoundError naming "scipy", which the worker loads and retries."""
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.optimize", None)
    with pytest.raises(ModuleNotFoundError, match=r"^least_core solves linear programs with SciPy") as caught:
        game([0.0, 0.5, 0.5, 1.0]).least_core()
    assert caught.value.name == "scipy"

def test_docstring_example():
    """Grid.least_core's example runs (pytest's doctest collection skips Grid, whose __module__ is "datacf")."""
    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(dcf.Grid.least_core, globs={"Grid": dcf.Grid}):
        runner.run(test)
    assert runner.tries > 0 and runner.failures == 0
