"""The least core of the grid's game, by linear programming (SciPy's HiGHS).

The game is v(S) = U(S) for every non-empty S. A payoff x (one number per point) is in the
e-core when it shares out U(N) exactly and no coalition is short by more than e:

    sum_i x_i = U(N)   and   x(S) + e >= U(S) for every non-empty proper subset S.

The least core is the e-core with the smallest such e, called e*. When e* <= 0 the core is not
empty: no coalition could do better on its own. U(∅) plays no part (cooperative games have
v(∅) = 0), so least-core payoffs sum to U(N), while the grid's Shapley values sum to
U(N) - U(∅).

The least core is often a set, not a point. ``least_core`` picks the payoff closest, in L1
distance, to the Shapley value of the same game (v(∅) = 0), which is
``grid.shapley() + U(∅) / n``: a second LP minimises sum_i |x_i - phi_i| over the least core.
When that Shapley value is itself in the least core (e.g. every symmetric game) it is the
answer.

References
----------
Maschler, M., Peleg, B. & Shapley, L. S. (1979). Geometric properties of the kernel,
nucleolus, and related solution concepts. Mathematics of Operations Research 4(4), 303-338.
Yan, T. & Procaccia, A. D. (2021). If you like Shapley then you'll love the core. AAAI.
"""
from typing import NamedTuple

import numpy as np

from ._subsets import subset_bits

__all__ = ["LeastCore", "least_core"]

# HiGHS is asked for feasibility well below the scores' resolution; the second LP may use
# e* plus this slack (relative to the largest |U|), so rounding in the first LP's e* cannot
# make it infeasible. Constraints hold within about 1e-9 of the utility's scale.
LP_TOLERANCE = 1e-10
E_SLACK = 1e-9


class LeastCore(NamedTuple):
    """A least-core payoff and the least-core value e* (unpacks as ``payoff, e = ...``)."""

    payoff: np.ndarray
    """Shape (n_points,): sums to U(N); x(S) + e >= U(S) for every non-empty proper S."""
    e: float
    """The smallest e for which the e-core is not empty; e <= 0 means the core is not empty."""


def _linprog(*args, **kwargs):
    try:
        from scipy.optimize import linprog
    except ImportError:      # Pyodide's numpy-only tier; the name lets the page's worker load SciPy and retry
        raise ModuleNotFoundError(
            "least_core solves linear programs with SciPy, which is not installed. Install it "
            "(pip install scipy; in the browser, load scikit-learn, which brings SciPy).", name="scipy"
        ) from None
    options = {"primal_feasibility_tolerance": LP_TOLERANCE, "dual_feasibility_tolerance": LP_TOLERANCE}
    result = linprog(*args, method="highs", options=options, **kwargs)
    if result.status != 0:
        raise RuntimeError(f"The least-core linear program failed ({result.message}); this is a bug in datacf.")
    return result.x


def least_core(grid, focus=None):
    """Least-core payoff and e* of the grid's utility; see ``Grid.least_core``."""
    n = grid.n_points
    if n < 2:
        raise ValueError(
            "The least core needs at least 2 points: with 1 point there is no proper coalition, "
            "and the single point simply receives U(N)."
        )
    u = grid.utility(focus)
    coalitions = subset_bits(n)[1:-1].astype(np.float64)       # every non-empty proper S
    # First LP over (x, e): minimise e subject to -x(S) - e <= -U(S) and sum(x) = U(N).
    first = _linprog(
        c=np.append(np.zeros(n), 1.0),
        A_ub=-np.hstack([coalitions, np.ones((coalitions.shape[0], 1))]), b_ub=-u[1:-1],
        A_eq=np.append(np.ones(n), 0.0)[None], b_eq=[u[-1]], bounds=[(None, None)] * (n + 1),
    )
    e_star = float(first[n])
    # Second LP over (x, t): minimise sum(t) with t >= |x - reference|, x in the least core.
    reference = grid.shapley(focus) + u[0] / n
    e_bound = e_star + E_SLACK * (1.0 + np.abs(u).max())
    eye = np.eye(n)
    second = _linprog(
        c=np.append(np.zeros(n), np.ones(n)),
        A_ub=np.vstack([
            np.hstack([-coalitions, np.zeros_like(coalitions)]),
            np.hstack([eye, -eye]),
            np.hstack([-eye, -eye]),
        ]),
        b_ub=np.concatenate([e_bound - u[1:-1], reference, -reference]),
        A_eq=np.append(np.ones(n), np.zeros(n))[None], b_eq=[u[-1]], bounds=[(None, None)] * (2 * n),
    )
    return LeastCore(second[:n], e_star)
