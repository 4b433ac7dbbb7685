"""The grid: one row per training subset, one column per evaluation point, a score in each cell.

Every reading of a grid is a weighted comparison of rows. With ``u`` the utility (mean
score over the focus columns) of every row:

- leave-one-out: u(N) - u(N minus i); group leave-one-out: u(N) - u(N minus G);
- semivalues (Shapley, Banzhaf, Beta Shapley): sum_S w[|S|] (u(S ∪ {i}) - u(S));
- Shapley interaction index (Grabisch & Roubens 1999) of i and j:
  sum over S without i, j of |S|! (n-|S|-2)! / (n-1)! * (u(S∪ij) - u(S∪i) - u(S∪j) + u(S));
- scaling: the mean of u over subsets of each size.
"""
import copy
import math

import numpy as np

from . import _semivalues
from ._dataset import default_names
from ._least_core import least_core
from ._provenance import Recorded, check_provenance, current_provenance
from ._regression_views import datamodel_slopes
from ._schema import MAX_JSON_CHARS, check_inputs, dump_grid, parse_grid
from ._subsets import EMPTY_SET_NAME, ROW_SEPARATOR, check_exact_size, check_name, subset_bits, subset_name

__all__ = ["Grid"]


def _check_values(values):
    try:
        values = np.array(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as error:
        raise ValueError(f"Grid values must be numbers that fit in a float64 ({error}).") from None
    if values.ndim != 2:
        raise ValueError(
            f"Grid values must be 2-D, shape (2**n, n_eval); got {values.ndim}-D with shape {values.shape}."
        )
    n_rows, n_eval = values.shape
    if n_rows < 2 or n_rows & (n_rows - 1):
        raise ValueError(
            f"A grid has one row per subset, 2**n rows for n points; got {n_rows} rows, "
            "which is not a power of two >= 2."
        )
    n_points = n_rows.bit_length() - 1
    check_exact_size(n_points)   # the same refusal as compute_grid, naming the sampling alternative
    if n_eval == 0:
        raise ValueError("A grid needs at least one evaluation column.")
    bad = np.argwhere(~np.isfinite(values))
    if bad.size:
        r, c = bad[0]
        raise ValueError(f"Grid values must be finite; cell (row {r}, column {c}) is {values[r, c]}.")
    return values


def _check_name_list(names, count, what):
    if names is None:
        return default_names(count)
    if isinstance(names, str) or not np.iterable(names):
        raise TypeError(f"{what} must be a sequence of {count} strings; got {type(names).__name__}.")
    names = tuple(names)
    if len(names) != count:
        raise ValueError(f"{what} must be {count} strings; got {len(names)}: {list(names)!r:.120}.")
    for i, name in enumerate(names):
        check_name(name, f"{what}[{i}]")
    if len(set(names)) != count:
        raise ValueError(f"{what} must be unique; got {list(names)}.")
    return names


class Grid(Recorded):
    """A data-counterfactual grid and every reading of it.

    Parameters
    ----------
    values : array-like of shape (2**n, n_eval)
        Row r is the model trained on the subset {i : (r >> i) & 1}; row 0 is the empty set.
    point_names : sequence of str, default=None
        Names of the n training points ("A", "B", ... by default).
    eval_names : sequence of str, default=None
        Names of the evaluation columns ("A", "B", ... by default).
    inputs : dict, default=None
        What the grid was computed from (set by ``compute_grid``; None for a bare table).
    provenance : dict, default=None
        Library versions; None records the running ones.

    Examples
    --------
    Two redundant points: LOO gives each 0, Shapley splits the credit.

    >>> from datacf import Grid
    >>> grid = Grid([[0.0], [1.0], [1.0], [1.0]])     # rows: {}, {A}, {B}, {A, B}
    >>> grid.loo()
    array([0., 0.])
    >>> grid.shapley()
    array([0.5, 0.5])
    >>> grid.row_names
    ('∅', 'A', 'B', 'AB')
    """

    def __init__(self, values, point_names=None, eval_names=None, inputs=None, provenance=None):
        values = _check_values(values)
        values.flags.writeable = False
        self._values = values
        self.n_points = values.shape[0].bit_length() - 1
        self.point_names = _check_name_list(point_names, self.n_points, "point_names")
        self.eval_names = _check_name_list(eval_names, values.shape[1], "eval_names")
        check_inputs(inputs, values)
        self._inputs = copy.deepcopy(inputs)
        self._provenance = current_provenance() if provenance is None else copy.deepcopy(check_provenance(provenance))

    # --- shape and names ---------------------------------------------------------------

    @property
    def values(self):
        """Read-only scores, shape (2**n, n_eval)."""
        return self._values

    @property
    def n_eval(self):
        return self._values.shape[1]

    @property
    def row_names(self):
        """Name of every row: "∅", "A", "B", "AB", ... in row order."""
        return tuple(subset_name(r, self.point_names) for r in range(self._values.shape[0]))

    def __repr__(self):
        return f"Grid(n_points={self.n_points}, n_eval={self.n_eval}, points={list(self.point_names)})"

    def __eq__(self, other):
        if not isinstance(other, Grid):
            return NotImplemented
        return (
            np.array_equal(self._values, other._values)
            and self.point_names == other.point_names
            and self.eval_names == other.eval_names
            and self._inputs == other._inputs
            and self._provenance == other._provenance
        )

    __hash__ = None

    def _point(self, point):
        """Index of a training point given by index or name."""
        if isinstance(point, (int, np.integer)) and not isinstance(point, bool):
            if 0 <= point < self.n_points:
                return int(point)
        elif isinstance(point, str) and point in self.point_names:
            return self.point_names.index(point)
        raise ValueError(
            f"{point!r} is not a training point; the points are {list(self.point_names)}. "
            f"Pass an index in range({self.n_points}) or one of these names."
        )

    def row_index(self, subset):
        """Row of a subset given as a name ("ABD", "∅"), or a sequence of point names or indices.

        >>> Grid([[0.0]] * 8).row_index("AC")
        5
        """
        if isinstance(subset, str):
            if subset in ("", EMPTY_SET_NAME):
                return 0
            if subset in self.point_names:
                members = [subset]
            elif all(len(n) == 1 for n in self.point_names):
                members = list(subset)
            else:
                members = subset.split(ROW_SEPARATOR)
        elif np.iterable(subset):
            members = list(subset)
        else:
            raise TypeError(
                f"A subset is a row name such as 'AB' or a sequence of point names or indices; "
                f"got {type(subset).__name__}."
            )
        indices = [self._point(m) for m in members]
        if len(set(indices)) != len(indices):
            raise ValueError(f"The subset {subset!r} names a point twice.")
        return sum(1 << i for i in indices)

    def row(self, subset):
        """Scores of the model trained on ``subset`` (see ``row_index``), shape (n_eval,)."""
        return self._values[self.row_index(subset)]

    def _focus_columns(self, focus):
        if focus is None:
            return np.arange(self.n_eval)
        items = [focus] if isinstance(focus, (str, int, np.integer)) else list(focus)
        if not items:
            raise ValueError("focus is empty; give at least one evaluation column, or None for all.")
        columns = []
        for item in items:
            if isinstance(item, (int, np.integer)) and not isinstance(item, bool) and 0 <= item < self.n_eval:
                columns.append(int(item))
            elif isinstance(item, str) and item in self.eval_names:
                columns.append(self.eval_names.index(item))
            else:
                raise ValueError(
                    f"focus={item!r} is not an evaluation column; the columns are "
                    f"{list(self.eval_names)}. Pass an index in range({self.n_eval}) or one of these names."
                )
        return np.array(columns)

    # --- readings -------------------------------------------------------------------------

    def utility(self, focus=None):
        """Mean score over the focus columns for every row, shape (2**n,).

        Parameters
        ----------
        focus : int, str, sequence of those, or None, default=None
            Evaluation columns to average over, by index or name. None means all.
        """
        return self._values[:, self._focus_columns(focus)].mean(axis=1)

    def loo(self, focus=None):
        """Leave-one-out value of every point, U(N) - U(N minus i), shape (n_points,)."""
        u = self.utility(focus)
        full = len(u) - 1
        return u[full] - u[full ^ (1 << np.arange(self.n_points))]

    def group_loo(self, points, focus=None):
        """U(N) - U(N minus G) for a group G of points (names, indices or a name like "BD")."""
        group = self.row_index(points)
        if group == 0:
            raise ValueError("group_loo needs at least one point in the group.")
        u = self.utility(focus)
        full = len(u) - 1
        return float(u[full] - u[full ^ group])

    def semivalue(self, weights, focus=None):
        """Any semivalue: sum over S without i of weights[|S|] (U(S ∪ {i}) - U(S)), shape (n_points,).

        Parameters
        ----------
        weights : sequence of n floats
            ``weights[k]`` is the weight of a marginal gain over a coalition of size k.
            A semivalue's weights satisfy sum_k C(n-1, k) weights[k] = 1, but that is not
            required: any finite weights give the corresponding weighted sum of gains.

        Raises
        ------
        TypeError
            If ``weights`` are not real numbers (bools and strings are refused).
        ValueError
            If there is not exactly one finite weight per coalition size 0..n-1.
        """
        w = _semivalues.check_weights(weights, self.n_points)
        u = self.utility(focus)
        rows = np.arange(len(u))
        bits = subset_bits(self.n_points)
        gain = u[rows[:, None] | (1 << np.arange(self.n_points))] - u[:, None]
        weight = np.append(w, 0.0)[bits.sum(axis=1)][:, None] * ~bits   # only S without i counts
        return (weight * gain).sum(axis=0)

    def shapley(self, focus=None):
        """Exact Shapley value of every point, shape (n_points,).

        The values sum to ``utility()[-1] - utility()[0]`` (efficiency).
        """
        return self.semivalue(_semivalues.shapley_weights(self.n_points), focus)

    def banzhaf(self, focus=None):
        """Banzhaf value: the mean marginal gain over all 2**(n-1) coalitions, shape (n_points,)."""
        return self.semivalue(_semivalues.banzhaf_weights(self.n_points), focus)

    def beta_shapley(self, alpha, beta, focus=None):
        """Beta(alpha, beta) Shapley value (Kwon & Zou 2022), shape (n_points,).

        Beta(1, 1) is Shapley; Beta(16, 1) emphasises small coalitions; equal and very
        large parameters approach Banzhaf. Any positive finite alpha and beta work, from
        1e-3 to 1e16: the weights are computed without cancellation (``datacf._semivalues``).

        Raises
        ------
        TypeError
            If alpha or beta is not a real number (bools are refused).
        ValueError
            If alpha or beta is not positive and finite.
        """
        return self.semivalue(_semivalues.beta_weights(self.n_points, alpha, beta), focus)

    def scaling(self, focus=None):
        """Mean utility over the subsets of each size 0..n, shape (n_points + 1,)."""
        u = self.utility(focus)
        sizes = subset_bits(self.n_points).sum(axis=1)
        return np.bincount(sizes, weights=u) / np.bincount(sizes)

    def budget_curve(self, focus=None):
        """Best, worst and mean utility by |F| with the rows attaining them: ``datacf.budget_curve(self, focus)``.

        Meant for edit grids, whose rows are the sets F of edited points (budget b = |F|).
        """
        from ._edit_readings import budget_curve   # _edit_readings builds on Grid

        return budget_curve(self, focus)

    def interaction(self, i, j, focus=None):
        """Shapley interaction index of points i and j (Grabisch & Roubens 1999).

        Positive when the two points are worth more together than apart (complements),
        negative when each makes the other redundant (substitutes).

        >>> xor = Grid([[0.0], [0.0], [0.0], [1.0]])   # only the pair together scores
        >>> float(xor.interaction("A", "B"))
        1.0
        """
        a, b = self._point(i), self._point(j)
        if a == b:
            raise ValueError(f"interaction needs two different points; got {i!r} twice.")
        u = self.utility(focus)
        n = self.n_points
        rows = np.flatnonzero(~subset_bits(n)[:, [a, b]].any(axis=1))   # S without i and j
        sizes = subset_bits(n)[rows].sum(axis=1)
        log_w = [math.lgamma(s + 1) + math.lgamma(n - s - 1) - math.lgamma(n) for s in sizes]
        ia, ib = 1 << a, 1 << b
        delta = u[rows | ia | ib] - u[rows | ia] - u[rows | ib] + u[rows]
        return float((np.exp(log_w) * delta).sum())

    def least_core(self, focus=None):
        """Least-core payoff and e*, by linear programming (SciPy's ``linprog``).

        e* is the smallest e for which some payoff x satisfies sum_i x_i = U(N) and
        x(S) + e >= U(S) for every non-empty proper subset S; e* <= 0 means the core is not
        empty. U(∅) plays no part (the game has v(∅) = 0), so x sums to U(N), not to
        U(N) - U(∅) as ``shapley()`` does.

        Parameters
        ----------
        focus : int, str, sequence of those, or None, default=None
            Evaluation columns U averages over.

        Returns
        -------
        LeastCore
            A named tuple ``(payoff, e)``: ``payoff`` of shape (n_points,) and ``e`` = e*.
            When the least core holds many payoffs, ``payoff`` is the one closest in L1
            distance to the Shapley value of the same game, ``shapley() + U(∅) / n`` (a second
            LP; it is that Shapley value whenever the least core contains it). The constraints
            hold to within about 1e-9 times the utility's scale.

        Raises
        ------
        ValueError
            With fewer than 2 points (there is no proper coalition).
        ImportError
            If SciPy is not installed.

        References
        ----------
        Maschler, Peleg & Shapley (1979); Yan & Procaccia (2021), "If you like Shapley then
        you'll love the core", AAAI.

        Examples
        --------
        A glove game: A holds a left glove, B and C right ones; a pair is worth 1. The core
        is the single payoff that gives A everything.

        >>> glove = Grid([[0.0], [0.0], [0.0], [1.0], [0.0], [1.0], [0.0], [1.0]])
        >>> payoff, e = glove.least_core()
        >>> payoff.round(6).tolist(), bool(abs(e) < 1e-9)
        ([1.0, 0.0, 0.0], True)
        """
        return least_core(self, focus)

    def datamodel(self, weights="banzhaf", focus=None):
        """Regression view: slopes of U(S) regressed on the membership indicators 1[i in S].

        Parameters
        ----------
        weights : {"banzhaf", "shapley"}, default="banzhaf"
            "banzhaf": ordinary least squares with an intercept over all 2**n rows, the
            linear datamodel of Ilyas et al. (2022); its slopes are the Banzhaf values.
            "shapley": least squares weighted by the Shapley kernel
            (n - 1) / (C(n, |S|) |S| (n - |S|)) over the rows 0 < |S| < n, with the intercept
            fixed to U(∅) and intercept + sum of slopes to U(N) (KernelSHAP, Lundberg & Lee
            2017); its slopes are the Shapley values.
        focus : int, str, sequence of those, or None, default=None
            Evaluation columns U averages over.

        Returns
        -------
        ndarray of shape (n_points,)
            The slopes, equal to ``banzhaf()`` or ``shapley()`` up to rounding.

        Raises
        ------
        ValueError
            For an unknown ``weights``, or "banzhaf" with 1 point (no residual degrees of freedom).
        TypeError
            If ``weights`` is not a string.

        Examples
        --------
        >>> grid = Grid([[0.0], [1.0], [0.0], [3.0]])      # A alone 1; A and B together 3
        >>> grid.datamodel("banzhaf").round(12).tolist(), grid.banzhaf().tolist()
        ([2.0, 1.0], [2.0, 1.0])
        >>> grid.datamodel("shapley").round(12).tolist(), grid.shapley().tolist()
        ([2.0, 1.0], [2.0, 1.0])
        """
        return datamodel_slopes(self.utility(focus), self.n_points, weights)

    # --- JSON -------------------------------------------------------------------------------

    def to_json(self, indent=None):
        """Lossless JSON text with a versioned schema (see ``datacf._schema``)."""
        return dump_grid(
            {
                "point_names": list(self.point_names),
                "eval_names": list(self.eval_names),
                "values": self._values.tolist(),
                "inputs": self._inputs,
                "provenance": self._provenance,
            },
            indent=indent,
        )

    @classmethod
    def from_json(cls, text, max_chars=MAX_JSON_CHARS):
        """Rebuild a grid from ``to_json`` text, which is treated as untrusted data.

        Parameters
        ----------
        text : str or bytes
            JSON written by ``to_json``.
        max_chars : int, default=MAX_JSON_CHARS (64 Mi)
            Longer text is refused before it is parsed; raise it for a large file you trust.

        Raises
        ------
        ValueError
            If the text is too long, not valid JSON, nested too deeply, from a newer schema,
            or any field is malformed: names, values, recorded inputs (datasets, model
            description, metric, convention) or values outside the recorded metric's range.
            Reading never rebuilds the model; ``recompute_grid`` does, from an allow-list.
        TypeError
            If ``text`` is not a string or bytes.
        """
        return cls(**parse_grid(text, max_chars))
