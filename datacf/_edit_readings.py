"""Readings of edit grids: what an attacker or a collective can reach with a budget of b edits.

In an edit grid (``compute_grid(..., edit=...)``) row F trains on all points with the points
of F edited, so |F| is the budget, and with U(F) the mean score over the focus columns:

- best and worst case by budget: max and min of U(F) over the rows with |F| = b, and a row
  attaining each (exhaustive search over every F of size b, in an exact grid; over the
  sampled rows, in a sampled grid);
- the mean curve: the mean of U(F) over the rows with |F| = b (for an exact grid this is
  ``Grid.scaling``, read on an edit grid);
- collective-action success (Hardt et al. 2023): S(F) = the fraction of evaluation points
  carrying the signal that the model trained with the collective F assigns the target
  label. ``compute_success_grid`` builds the grid whose utility is S.
"""
import numpy as np

from ._compute import _check_inputs, compute_grid
from ._grid import Grid
from ._sampled_grid import SampledGrid, sample_grid
from ._subsets import subset_bits
from .edits import PlantSignal

__all__ = ["BudgetCurve", "budget_curve", "compute_success_grid"]


class BudgetCurve:
    """Mean, minimum and maximum utility over the rows of each budget |F| = 0..n.

    Attributes
    ----------
    budgets : ndarray of shape (n_points + 1,)
        0, 1, ..., n: the number of edited points.
    n_rows : ndarray of shape (n_points + 1,)
        Rows of each budget (C(n, b) in an exact grid; those sampled in a sampled grid).
    mean, minimum, maximum : ndarray of shape (n_points + 1,)
        Mean, smallest and largest U(F) over the rows with |F| = b; NaN with no such row.
    argmin, argmax : ndarray of shape (n_points + 1,)
        A row attaining the minimum / maximum: the lowest row index among equal values
        (an exact grid's row r is the set {i : (r >> i) & 1}); -1 with no such row.
    min_sets, max_sets : tuple
        Those rows as tuples of point names (None with no such row).

    For ``prob_correct`` and ``accuracy`` higher is better, so an attacker's worst case with
    b edits is ``minimum[b]``; for ``log_loss`` it is ``maximum[b]``.
    """

    def __init__(self, budgets, n_rows, mean, minimum, maximum, argmin, argmax, min_sets, max_sets):
        self.budgets, self.n_rows = budgets, n_rows
        self.mean, self.minimum, self.maximum = mean, minimum, maximum
        self.argmin, self.argmax = argmin, argmax
        self.min_sets, self.max_sets = min_sets, max_sets

    def __repr__(self):
        return f"BudgetCurve(budgets=0..{self.budgets[-1]}, rows={int(self.n_rows.sum())})"


def _membership(grid):
    if isinstance(grid, Grid):
        return subset_bits(grid.n_points)
    if isinstance(grid, SampledGrid):
        return grid.members
    raise TypeError(f"budget_curve reads a datacf.Grid or SampledGrid; got {type(grid).__name__}.")


def _extreme_rows(u, sizes, n_sizes, sign):
    """For each size, the first row (lowest index) of the smallest ``sign * u``; -1 if none."""
    rows = np.arange(u.size)
    order = np.lexsort((rows, sign * u, sizes))   # by size, then value, then row index
    first = np.ones(order.size, dtype=bool)
    first[1:] = sizes[order][1:] != sizes[order][:-1]
    chosen = np.full(n_sizes, -1, dtype=np.int64)
    chosen[sizes[order][first]] = order[first]
    return chosen


def budget_curve(grid, focus=None):
    """Best, worst and mean utility by edit budget |F|, with the rows that attain them.

    Parameters
    ----------
    grid : Grid or SampledGrid
        Usually an edit grid (its rows are the edited sets F); on a subset grid the same
        numbers are the extremes and mean over training sets of each size.
    focus : int, str, sequence of those, or None, default=None
        Evaluation columns U averages over, by index or name. None means all.

    Returns
    -------
    BudgetCurve

    Raises
    ------
    TypeError
        If ``grid`` is not a Grid or SampledGrid.

    Examples
    --------
    Flipping labels against 1-nearest-neighbour: each flip costs exactly its own point.

    >>> import datacf as dcf
    >>> train = dcf.Dataset([[0.0], [1.0], [5.0]], [0, 0, 1])
    >>> grid = dcf.compute_grid(train, dcf.models.KNN(k=1), metric="accuracy", edit=dcf.edits.FlipLabels())
    >>> curve = dcf.budget_curve(grid)
    >>> curve.minimum.tolist(), curve.min_sets[1]
    ([1.0, 0.6666666666666666, 0.3333333333333333, 0.0], ('A',))
    """
    members = _membership(grid)
    u = grid.utility(focus)
    n = grid.n_points
    sizes = members.sum(axis=1)
    n_rows = np.bincount(sizes, minlength=n + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(sizes, weights=u, minlength=n + 1) / n_rows
    argmin = _extreme_rows(u, sizes, n + 1, 1.0)
    argmax = _extreme_rows(u, sizes, n + 1, -1.0)
    names = grid.point_names

    def value_and_sets(chosen):
        values = np.where(chosen >= 0, u[chosen], np.nan)
        sets = tuple(None if r < 0 else tuple(names[i] for i in np.flatnonzero(members[r])) for r in chosen)
        return values, sets

    minimum, min_sets = value_and_sets(argmin)
    maximum, max_sets = value_and_sets(argmax)
    return BudgetCurve(np.arange(n + 1), n_rows, np.where(n_rows > 0, mean, np.nan), minimum, maximum,
                       argmin, argmax, min_sets, max_sets)


def compute_success_grid(train, model, signal, eval=None, convention="fallback", n_jobs=None, max_memory=None,
                         sampler=None, rng=None):
    """Collective-action success for every collective: the grid whose utility is S(F).

    A collective F plants ``signal`` in its own points (``PlantSignal(feature, value,
    label)``: the feature set to the value, the label to the target); every row trains on
    all points with F's points planted. Success (Hardt et al. 2023, the empirical form of
    S = P_x[f(g(x)) = y*] over the evaluation distribution) is measured on the evaluation
    points *carrying the signal*: every evaluation point with the signal planted
    (``signal.signal_points(eval)``), including points whose own label already is the
    target, each scored 1 when the model's hard prediction is the target and 0 otherwise
    (``metric="accuracy"`` against the target label). So ``utility()[r]`` is S for the
    collective of row r, and row 0 (no collective) is the rate the clean model already
    predicts the target on signal-carrying points.

    Parameters
    ----------
    train : Dataset
        The points; the collective is any subset of them.
    model : datacf fast learner or scikit-learn classifier
    signal : datacf.edits.PlantSignal
    eval : Dataset, default=None
        The points the signal is planted into for measuring success; None uses ``train``.
    convention, n_jobs, max_memory
        As for ``compute_grid``.
    sampler : sampler from ``datacf.samplers`` or None, default=None
        None: every collective (an exact grid, n <= 16). A sampler: the collectives it draws,
        through ``sample_grid`` (any pool size).
    rng : int, numpy Generator or None, default=None
        The sampler's seed (as for ``sample_grid``); only with a sampler.

    Returns
    -------
    Grid or SampledGrid
        Cells are 1 where the model trained with the row's collective predicts the target at
        that signal-carrying evaluation point; ``inputs`` record the signal-carrying
        evaluation set, so ``recompute_grid`` reproduces the grid.

    Raises
    ------
    TypeError
        If ``signal`` is not a ``PlantSignal``.
    ValueError
        If ``rng`` is given without a sampler, or as for ``compute_grid`` / ``sample_grid``.

    Examples
    --------
    >>> import datacf as dcf
    >>> train = dcf.Dataset([[0.0, 0.0], [0.0, 1.0], [4.0, 0.0], [4.0, 1.0]], [0, 0, 1, 1])
    >>> signal = dcf.edits.PlantSignal(feature=1, value=9.0, label=1)
    >>> grid = dcf.compute_success_grid(train, dcf.models.KNN(k=1), signal)
    >>> float(grid.utility()[0]), float(grid.row("B").mean())
    (0.5, 1.0)
    """
    if not isinstance(signal, PlantSignal):
        raise TypeError(
            f"compute_success_grid needs a datacf.edits.PlantSignal as signal; got {type(signal).__name__}."
        )
    if sampler is None and rng is not None:
        raise ValueError("rng seeds a sampler; pass sampler=... with it, or leave rng=None for the exact grid.")
    exact = sampler is None
    _check_inputs(train, model, eval, "accuracy", convention, n_jobs if exact else None, max_memory, exact, signal)
    carriers = signal.signal_points(train if eval is None else eval)
    arguments = dict(eval=carriers, metric="accuracy", convention=convention, n_jobs=n_jobs,
                     max_memory=max_memory, edit=signal)
    if exact:
        return compute_grid(train, model, **arguments)
    return sample_grid(train, model, sampler=sampler, rng=rng, **arguments)
