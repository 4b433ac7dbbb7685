"""Sampled grids: a model trained on chosen or sampled subsets of a pool of any size.

An exact grid has one row per subset (2**n, n <= 16). A sampled grid keeps only some rows,
named by a boolean membership matrix ``members`` (n_rows, n_points), and their scores
``values`` (n_rows, n_eval). The rows come from a sampler (``datacf.samplers``) and a seed,
both recorded with the inputs, so ``recompute_sampled_grid`` rebuilds the same grid.

Rows are filled as in ``compute_grid``: the empty and one-class rows from the convention,
the rest by the same vectorised fast learners (given the membership matrix, in chunks of
bounded memory) or, for any other scikit-learn classifier, one fit per row through joblib.

Parallelism: with ``n_jobs`` set, chunks of rows (fast learners) or single fits
(scikit-learn models) run under ``joblib.Parallel``, so any joblib backend spreads them:
``joblib.parallel_config(backend="dask")`` inside a ``dask.distributed.Client`` context
sends them to a Dask cluster, ``ray.util.joblib.register_ray()`` then
``parallel_config(backend="ray")`` to a Ray cluster. The rows are drawn before dispatch,
so the result does not depend on the backend.
"""
import copy
import inspect
import numbers

import numpy as np

from . import edits
from ._compute import _check_inputs, grid_inputs
from ._dataset import Dataset
from ._edit_grid import edited_pool, pool_members
from ._grid import _check_name_list
from ._memory import CHUNK_BYTES, FLOAT, format_bytes, resolve_max_memory
from ._metrics import needs_proba, score_cells
from ._model_spec import build_model
from ._provenance import Recorded, check_provenance, current_provenance
from ._sampled_schema import check_sampled_inputs
from ._sklearn_path import predict_subsets_sklearn
from .models import FastLearner
from .samplers import Explicit, Permutations, _Sampler

__all__ = ["SampledGrid", "sample_grid", "recompute_sampled_grid", "fill_rows", "focus_columns", "MAX_SEED"]

# Seeds are non-negative integers below 2**63 (they are written to JSON as plain integers).
MAX_SEED = 2**63 - 1
# Truncated permutations are evaluated this many prefix positions at a time: a block wastes
# at most this many rows per permutation past its truncation point, and a block of all
# active permutations is one vectorised call.
TRUNCATION_BLOCK = 8


def _seed(rng):
    """The integer seed a run records: ``rng`` itself, a fresh one, or one drawn from a Generator."""
    if rng is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, MAX_SEED, dtype=np.int64, endpoint=True))
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral):
        raise TypeError(
            f"rng must be None, an integer seed or a numpy Generator; got {type(rng).__name__}. "
            "The global numpy random state is never used."
        )
    if not 0 <= rng <= MAX_SEED:
        raise ValueError(f"rng={rng!r} is not a seed; give an integer in [0, 2**63 - 1].")
    return int(rng)


def fill_rows(train, model, eval_set, members, metric, convention, n_jobs=None, describe=None):
    """Scores (n_rows, n_eval) of ``model`` trained on each membership row of ``train``.

    The same convention rows as ``compute_grid``; fast learners get the membership matrix
    in chunks (through joblib when ``n_jobs`` is set), scikit-learn models are fitted once
    per row. ``describe(r)`` names row r in the generic path's error messages.
    """
    classes = train.classes
    n_classes = classes.size
    codes = np.searchsorted(classes, train.y)
    position = {label: i for i, label in enumerate(classes.tolist())}
    target = np.array([position.get(label, -1) for label in eval_set.y.tolist()])
    n_eval = eval_set.n_points
    chunk = max(1, CHUNK_BYTES // (FLOAT * n_eval * (n_classes + 2)))
    starts = range(0, members.shape[0], chunk)
    if not isinstance(model, FastLearner):
        parts = [_sklearn_chunk(train, model, eval_set, members[s:s + chunk], codes, target, metric, convention,
                                n_jobs, describe, s) for s in starts]
    elif n_jobs is not None and len(starts) > 1:
        from joblib import Parallel, delayed

        parts = Parallel(n_jobs=n_jobs)(
            delayed(_fast_chunk)(model, train.X, codes, n_classes, eval_set.X, target, members[s:s + chunk],
                                 metric, convention)
            for s in starts
        )
    else:
        parts = [_fast_chunk(model, train.X, codes, n_classes, eval_set.X, target, members[s:s + chunk],
                             metric, convention) for s in starts]
    if not parts:
        return np.zeros((0, n_eval))
    return np.concatenate(parts)


def _convention_rows(members, codes, n_classes, n_eval):
    """Probabilities with the empty and one-class rows filled; class counts per row."""
    counts = members.astype(np.int64) @ np.eye(n_classes, dtype=np.int64)[codes]   # (rows, classes)
    n_present = (counts > 0).sum(axis=1)
    proba = np.empty((members.shape[0], n_eval, n_classes))
    proba[n_present == 0] = 1.0 / n_classes
    single = np.flatnonzero(n_present == 1)
    proba[single] = np.eye(n_classes)[counts[single].argmax(axis=1)][:, None, :]
    return proba, counts.sum(axis=1), n_present


def _fast_chunk(model, X, codes, n_classes, X_eval, target, members, metric, convention):
    """Scores of one chunk of rows by a fast learner (plain arrays in, so it pickles for joblib)."""
    proba, sizes, n_present = _convention_rows(members, codes, n_classes, X_eval.shape[0])
    fit_rows = np.flatnonzero(n_present >= 2)
    if fit_rows.size:
        proba[fit_rows] = model._predict_proba_subsets(X, codes, n_classes, X_eval, members[fit_rows])
    hard = proba.argmax(axis=2) if metric == "accuracy" else None
    values = score_cells(metric, proba, hard, target)
    if convention == "zero":
        values[(sizes == 0) | model._refuses(sizes, n_present)] = 0.0
    return values


def _sklearn_chunk(train, model, eval_set, members, codes, target, metric, convention, n_jobs, describe, offset):
    """Scores of one chunk of rows by a scikit-learn model: one fit per row, through joblib."""
    proba, sizes, n_present = _convention_rows(members, codes, train.classes.size, eval_set.n_points)
    refused = sizes == 0
    zero = convention == "zero"
    fit_rows = np.flatnonzero(n_present >= (1 if zero else 2))   # "zero" asks scikit-learn about one class too
    hard = proba.argmax(axis=2)
    fitted, fitted_hard, failed = predict_subsets_sklearn(
        model, train, eval_set.X, members, fit_rows, needs_proba(metric), zero, n_jobs,
        name_of=lambda r: describe(offset + r),
    )
    if fitted is not None:
        proba[fit_rows] = fitted
    hard[fit_rows] = fitted_hard
    refused[fit_rows[failed]] = True
    values = score_cells(metric, proba, hard, target)
    if zero:
        values[refused] = 0.0
    return values


def _describe_row(names, members):
    """A name for a row in error messages: its members, at most eight of them."""
    def describe(r):
        inside = [names[i] for i in np.flatnonzero(members[r])]
        shown = ",".join(inside[:8]) + (f",... ({len(inside)} points)" if len(inside) > 8 else "")
        return f"row {r}: {{{shown}}}"
    return describe


def _check_memory(n_rows, n_points, n_eval, max_memory):
    limit = resolve_max_memory(max_memory)
    needed = n_rows * (n_points + 2 * FLOAT * n_eval) + 2 * CHUNK_BYTES
    if needed > limit:
        raise ValueError(
            f"this sampled grid would need about {format_bytes(needed)} ({n_rows:,} rows x {n_eval:,} evaluation "
            f"points, plus the membership of {n_points:,} points); the limit is {format_bytes(limit)}; pass "
            "max_memory=... (or set DATACF_MAX_MEMORY), or sample fewer rows or evaluation points."
        )


def _permutation_rows(orders, lengths, n_points):
    """Membership rows of the permutation layout: ∅, N, then each order's prefixes 1..length."""
    parts = [np.zeros((1, n_points), dtype=bool), np.ones((1, n_points), dtype=bool)]
    for order, length in zip(orders, lengths):
        if length:
            rank = np.empty(n_points, dtype=np.int64)
            rank[order] = np.arange(n_points)
            parts.append(rank[None, :] < np.arange(1, length + 1)[:, None])
    return np.concatenate(parts)


def _evaluate_permutations(orders, truncation, fill, n_points, head=None):
    """Values of the permutation layout for ``orders``; with truncation, also each length.

    ``fill(members)`` scores membership rows; ``head`` are the already scored rows ∅ and N.
    """
    if head is None:
        head = fill(_permutation_rows(orders[:0], [], n_points))
    full = n_points - 1
    if truncation is None or full == 0:
        lengths = np.full(len(orders), full, dtype=np.int64)
        body = fill(_permutation_rows(orders, lengths, n_points)[2:])
        return head, body, lengths
    u_full = head[1].mean()
    lengths = np.full(len(orders), full, dtype=np.int64)
    blocks = [[] for _ in orders]
    active = np.arange(len(orders))
    rank = np.argsort(orders, axis=1)
    start = 1
    while active.size and start <= full:
        stop = min(full, start + TRUNCATION_BLOCK - 1)
        prefix = np.arange(start, stop + 1)
        members = (rank[active][:, None, :] < prefix[None, :, None]).reshape(-1, n_points)
        values = fill(members).reshape(active.size, prefix.size, -1)
        close = np.abs(u_full - values.mean(axis=2)) < truncation
        still = []
        for a, p in enumerate(active):
            hit = np.flatnonzero(close[a])
            if hit.size:
                lengths[p] = start + hit[0]
                blocks[p].append(values[a, :hit[0] + 1])
            else:
                blocks[p].append(values[a])
                still.append(p)
        active = np.array(still, dtype=np.int64)
        start = stop + 1
    n_eval = head.shape[1]
    body = np.concatenate([np.concatenate(b) if b else np.zeros((0, n_eval)) for b in blocks])
    return head, body, lengths


class SampledGrid(Recorded):
    """Scores of a model trained on some subsets (rows) of a pool, evaluated on every column.

    Parameters
    ----------
    members : array-like of bool, shape (n_rows, n_points)
        ``members[r, i]``: is point i in row r's training set?
    values : array-like of shape (n_rows, n_eval)
        ``values[r, j]``: the score at evaluation point j of the model trained on row r.
    point_names, eval_names : sequence of str, default=None
        Names of the points and of the evaluation columns ("p0", "p1", ... style defaults
        as for ``Dataset``).
    inputs : dict, default=None
        What the grid was computed from (set by ``sample_grid``).
    sampler : sampler from ``datacf.samplers``, default=None
        How the rows were chosen; None for rows given by hand.
    seed : int, default=None
        The seed the sampler drew the rows with.
    orders, lengths : array-like, default=None
        For ``Permutations`` grids only: the permutation orders (n_permutations, n_points)
        and how many prefixes of each are rows (n - 1, or fewer when truncated). The rows
        are then the empty set, the full pool, and each order's prefixes in turn.
    provenance : dict, default=None
        Library versions; None records the running ones.

    Examples
    --------
    >>> import datacf as dcf
    >>> sg = dcf.SampledGrid([[False, False], [True, True], [True, False]], [[0.5], [1.0], [0.75]])
    >>> sg.utility().tolist(), sg.sizes.tolist()
    ([0.5, 1.0, 0.75], [0, 2, 1])
    """

    def __init__(self, members, values, point_names=None, eval_names=None, inputs=None, sampler=None,
                 seed=None, orders=None, lengths=None, provenance=None):
        members = np.array(members)
        if members.dtype != bool or members.ndim != 2:
            raise ValueError(
                f"members must be a 2-D boolean matrix (n_rows, n_points); got dtype {members.dtype}, "
                f"shape {members.shape}."
            )
        try:
            values = np.array(values, dtype=np.float64)
        except (TypeError, ValueError, OverflowError) as error:
            raise ValueError(f"values must be numbers that fit in a float64 ({error}).") from None
        if values.ndim != 2 or values.shape[0] != members.shape[0] or values.shape[1] == 0:
            raise ValueError(
                f"values must be 2-D with one row per membership row ({members.shape[0]}) and at least one "
                f"column; got shape {values.shape}."
            )
        if members.shape[1] == 0:
            raise ValueError("members has no columns: a sampled grid needs at least one point.")
        bad = np.argwhere(~np.isfinite(values))
        if bad.size:
            r, c = bad[0]
            raise ValueError(f"values must be finite; cell (row {r}, column {c}) is {values[r, c]}.")
        if sampler is not None and not isinstance(sampler, _Sampler):
            raise TypeError(f"sampler must come from datacf.samplers or be None; got {type(sampler).__name__}.")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                                 or not 0 <= seed <= MAX_SEED):
            raise ValueError(f"seed must be None or an integer in [0, 2**63 - 1]; got {seed!r:.60}.")
        seed = None if seed is None else int(seed)
        members.flags.writeable = False
        values.flags.writeable = False
        self._members, self._values = members, values
        self.n_points = members.shape[1]
        self.point_names = _check_name_list(point_names, self.n_points, "point_names")
        self.eval_names = _check_name_list(eval_names, values.shape[1], "eval_names")
        check_sampled_inputs(inputs, self.n_points, values)
        self._inputs = copy.deepcopy(inputs)
        self.sampler = sampler
        self.seed = seed
        self.orders, self.lengths = _check_permutations(orders, lengths, members, sampler)
        self._provenance = current_provenance() if provenance is None else copy.deepcopy(check_provenance(provenance))

    @property
    def members(self):
        """Read-only membership, shape (n_rows, n_points): is point i in row r?"""
        return self._members

    @property
    def values(self):
        """Read-only scores, shape (n_rows, n_eval)."""
        return self._values

    @property
    def n_rows(self):
        return self._values.shape[0]

    @property
    def n_eval(self):
        return self._values.shape[1]

    @property
    def sizes(self):
        """|S| of every row, shape (n_rows,)."""
        return self._members.sum(axis=1)

    def __repr__(self):
        return (f"SampledGrid(n_rows={self.n_rows}, n_points={self.n_points}, n_eval={self.n_eval}, "
                f"sampler={self.sampler!r}, seed={self.seed!r})")

    def __eq__(self, other):
        if not isinstance(other, SampledGrid):
            return NotImplemented
        same_perm = (self.orders is None) == (other.orders is None) and (
            self.orders is None or (np.array_equal(self.orders, other.orders)
                                    and np.array_equal(self.lengths, other.lengths)))
        return (np.array_equal(self._members, other._members) and np.array_equal(self._values, other._values)
                and self.point_names == other.point_names and self.eval_names == other.eval_names
                and self._inputs == other._inputs and self.sampler == other.sampler and self.seed == other.seed
                and same_perm and self._provenance == other._provenance)

    __hash__ = None

    def _focus_columns(self, focus):
        return focus_columns(focus, self.eval_names)

    def utility(self, focus=None):
        """Mean score over the focus columns for every row, shape (n_rows,).

        Parameters
        ----------
        focus : int, str, sequence of those, or None, default=None
            Evaluation columns to average over, by index or name. None means all.
        """
        return self._values[:, self._focus_columns(focus)].mean(axis=1)

    def to_json(self, indent=None):
        """Lossless JSON text with a versioned schema (see ``datacf._sampled_schema``)."""
        from ._sampled_schema import dump_sampled_grid

        return dump_sampled_grid(self, indent)

    @classmethod
    def from_json(cls, text, max_chars=None):
        """Rebuild a sampled grid from ``to_json`` text, treated as untrusted data.

        Raises
        ------
        ValueError
            For text that is not a valid sampled grid (the message names the field).
        TypeError
            If ``text`` is not a string or bytes.
        """
        from ._sampled_schema import parse_sampled_grid

        return parse_sampled_grid(text, max_chars)


def focus_columns(focus, eval_names):
    """Column indices of ``focus`` (None, an index or name, or a sequence of those)."""
    n_eval = len(eval_names)
    if focus is None:
        return np.arange(n_eval)
    items = [focus] if isinstance(focus, (str, int, np.integer)) else list(focus)
    if not items:
        raise ValueError("focus is empty; give at least one evaluation column, or None for all.")
    columns = []
    for item in items:
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool) and 0 <= item < n_eval:
            columns.append(int(item))
        elif isinstance(item, str) and item in eval_names:
            columns.append(eval_names.index(item))
        else:
            shown = list(eval_names) if n_eval <= 20 else list(eval_names[:20]) + ["..."]
            raise ValueError(
                f"focus={item!r} is not an evaluation column; the columns are {shown}. "
                f"Pass an index in range({n_eval}) or one of these names."
            )
    return np.array(columns)


def _check_permutations(orders, lengths, members, sampler):
    is_perm = isinstance(sampler, Permutations)
    if orders is None and lengths is None:
        if is_perm:
            raise ValueError("A grid sampled with Permutations needs its orders and lengths.")
        return None, None
    if orders is None or lengths is None:
        raise ValueError("orders and lengths go together: give both or neither.")
    n = members.shape[1]
    orders = np.array(orders)
    lengths = np.array(lengths)
    if orders.ndim != 2 or orders.shape[1] != n or not np.issubdtype(orders.dtype, np.integer):
        raise ValueError(f"orders must be integers of shape (n_permutations, {n}); got shape {orders.shape}.")
    if orders.size and not (np.sort(orders, axis=1) == np.arange(n)).all():
        raise ValueError("Every row of orders must be a permutation of the point indices 0..n-1.")
    if lengths.shape != (orders.shape[0],) or not np.issubdtype(lengths.dtype, np.integer):
        raise ValueError(f"lengths must be {orders.shape[0]} integers, one per permutation.")
    if lengths.size and (lengths.min() < 0 or lengths.max() > n - 1):
        raise ValueError(f"lengths must lie in 0..{n - 1} (the prefixes 1..n-1 of each permutation).")
    if members.shape[0] != 2 + int(lengths.sum()) or not np.array_equal(
            members, _permutation_rows(orders, lengths, n)):
        raise ValueError("members do not match the permutation layout (∅, N, then each order's prefixes).")
    orders, lengths = orders.astype(np.int64), lengths.astype(np.int64)
    orders.flags.writeable = lengths.flags.writeable = False
    return orders, lengths


def sample_grid(train, model, eval=None, metric="prob_correct", convention="fallback", *, sampler, rng=None,
                n_jobs=None, max_memory=None, edit=None):
    """Train ``model`` on the subsets ``sampler`` picks from ``train`` and score each on every column.

    Parameters
    ----------
    train : Dataset
        The pool of points (any size).
    model : datacf fast learner or scikit-learn classifier
        As for ``compute_grid``; fast learners fit many rows at once.
    eval : Dataset, default=None
        Evaluation points (columns); None evaluates on ``train``.
    metric, convention
        As for ``compute_grid``.
    sampler : sampler from ``datacf.samplers``
        ``Sizes``, ``Uniform``, ``Permutations``, ``BetaSizes`` or ``Explicit``.
    rng : int, numpy Generator or None, default=None
        The seed (recorded in the grid). A Generator gives a seed drawn from it; None a
        fresh one. The global numpy random state is never used.
    n_jobs : int or None, default=None
        Parallel work through joblib: chunks of rows for fast learners, single fits for
        scikit-learn models. Any joblib backend works (``joblib.parallel_config``), e.g.
        Dask's or Ray's to use a cluster; the result is the same as serially.
    max_memory : int, str or None, default=None
        As for ``compute_grid``.
    edit : edit from ``datacf.edits`` or None, default=None
        As for ``compute_grid``: each sampled row is then the set F of edited points, and
        trains on the whole pool with F's points edited.

    Returns
    -------
    SampledGrid

    Raises
    ------
    TypeError
        For a sampler that is not from ``datacf.samplers``, or a bad ``rng``.
    ValueError
        As ``compute_grid`` (minus its 16-point limit), or for a sampler that does not fit
        the pool (a size larger than the pool, too many subsets to enumerate).

    Examples
    --------
    >>> import datacf as dcf
    >>> train = dcf.Dataset([[0.0], [1.0], [4.0], [5.0]], [0, 0, 1, 1])
    >>> sg = dcf.sample_grid(train, dcf.models.KNN(k=1), sampler=dcf.samplers.Sizes([4]), rng=0)
    >>> sg.utility().tolist()
    [1.0]
    """
    if not isinstance(sampler, _Sampler):
        raise TypeError(
            f"sampler must be one of datacf.samplers (Sizes, Uniform, Permutations, BetaSizes, Explicit); "
            f"got {type(sampler).__name__}."
        )
    _check_inputs(train, model, eval, metric, convention, None, max_memory, exact=False, edit=edit)
    seed = _seed(rng)
    sampler._check_points(train.n_points)
    eval_set = train if eval is None else eval
    n = train.n_points
    fill = _filler(train, model, eval_set, metric, convention, n_jobs, edit)
    orders = lengths = None
    if isinstance(sampler, Permutations):
        orders = sampler._stream(n, seed)(sampler.n_permutations)
        rows = sampler.n_permutations * (n - 1) + 2
        _check_memory(rows, n, eval_set.n_points, max_memory)
        head, body, lengths = _evaluate_permutations(orders, sampler.truncation, fill, n)
        values = np.concatenate([head, body])
        members = _permutation_rows(orders, lengths, n)
    else:
        count = len(sampler.subsets) if isinstance(sampler, Explicit) else getattr(sampler, "n_samples", None)
        if count is not None:
            _check_memory(count, n, eval_set.n_points, max_memory)
        if sampler._is_stream():
            members = sampler._stream(n, seed)(sampler.n_samples)
        else:
            members = sampler._members(n, np.random.default_rng(seed))
            _check_memory(members.shape[0], n, eval_set.n_points, max_memory)
        values = fill(members)
    return SampledGrid(members, values, point_names=train.names, eval_names=eval_set.names,
                       inputs=grid_inputs(train, model, eval, metric, convention, edit), sampler=sampler, seed=seed,
                       orders=orders, lengths=lengths)


def _filler(train, model, eval_set, metric, convention, n_jobs, edit=None):
    """``fill(members)``: scores of membership rows (with an edit: of edited sets, over the 2n-point pool)."""
    pool = train if edit is None else edited_pool(train, edit)

    def fill(members):
        rows = members if edit is None else pool_members(members)
        return fill_rows(pool, model, eval_set, rows, metric, convention, n_jobs, _describe_row(train.names, members))
    return fill


def recompute_sampled_grid(grid, **overrides):
    """Recompute a sampled grid from what it records: inputs, sampler and seed.

    Parameters
    ----------
    grid : SampledGrid
    **overrides
        ``sample_grid`` arguments that replace the recorded ones (e.g. ``n_jobs=2``).

    Returns
    -------
    SampledGrid
        Equal to ``grid`` (rows and values) when nothing is overridden.

    Raises
    ------
    ValueError
        If the grid records no inputs or no sampler and seed, or its model cannot be rebuilt.
    TypeError
        If ``grid`` is not a SampledGrid or an override is not a ``sample_grid`` parameter.
    """
    if not isinstance(grid, SampledGrid):
        raise TypeError(f"recompute_sampled_grid needs a datacf.SampledGrid; got {type(grid).__name__}.")
    allowed = list(inspect.signature(sample_grid).parameters)
    unknown = sorted(set(overrides) - set(allowed))
    if unknown:
        raise TypeError(f"recompute_sampled_grid got unknown override(s) {unknown}; overrides are sample_grid's "
                        f"parameters {allowed}.")
    if not grid.inputs or grid.sampler is None or grid.seed is None:
        raise ValueError("This sampled grid does not record its inputs, sampler and seed, so it cannot be recomputed.")
    inputs = grid.inputs
    arguments = {
        "train": Dataset.from_dict(inputs["train"]),
        "eval": None if inputs["eval"] is None else Dataset.from_dict(inputs["eval"]),
        "metric": inputs["metric"],
        "convention": inputs["convention"],
        "sampler": grid.sampler,
        "rng": grid.seed,
    }
    if "edit" in inputs:
        arguments["edit"] = edits.from_dict(inputs["edit"])
    arguments.update(overrides)
    if "model" not in arguments:
        arguments["model"] = build_model(inputs["model"])
    return sample_grid(**arguments)
