"""Which subsets a sampled grid trains on: plain, validated, JSON round-trippable samplers.

A sampler describes the rows of ``datacf.sample_grid``; the seed is given separately, so
``(sampler, seed)`` fixes the rows exactly and a sampled grid records both.

- ``Sizes(sizes, per_size=None)``: every subset of each given size, or ``per_size`` of them
  drawn uniformly without replacement where there are more. ``Sizes(range(n + 1))`` is the
  exact grid's rows (in another order).
- ``Uniform(n_samples)``: each point in or out with probability 1/2, independently: the
  distribution maximum-sample-reuse Banzhaf (Wang & Jia 2023) and datamodels read.
- ``Permutations(n_permutations, truncation=None)``: the prefixes of random permutations,
  for permutation Shapley (Ghorbani & Zou 2019). With ``truncation=tol`` a permutation
  stops at its first prefix P with |U(N) - U(P)| < tol (truncated Monte Carlo; U is the
  mean score over all evaluation columns) and the marginals after it count as 0.
- ``BetaSizes(n_samples, alpha=1.0, beta=1.0)``: a coalition size k drawn from the
  Beta(alpha, beta) semivalue's size distribution, then a uniform subset of that size;
  importance weights in ``datacf.estimate.beta_shapley`` correct for it.
- ``Explicit(subsets)``: a given list of subsets (point indices).

Random draws are streams: the first m rows of ``Uniform(n)``, ``BetaSizes(n)`` and the
first m permutations of ``Permutations(n)`` under one seed are the rows of the same
sampler with m samples, so an adaptive run that draws batches equals one big draw.
"""
import itertools
import math
import numbers

import numpy as np

from ._plain import Plain

__all__ = ["Sizes", "Uniform", "Permutations", "BetaSizes", "Explicit", "from_dict", "MAX_SAMPLES"]

# At most this many rows (or permutations) per sampler: 10**8 rows of one bit per point
# is already more than any machine holds for a pool of hundreds; a JSON file asking for
# more is hostile or a typo.
MAX_SAMPLES = 10**8
# Sizes enumerates a size's subsets when it has at most this many (itertools, in Python).
MAX_ENUMERATED = 2**20


def _count(name, value, owner, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name!r} must be an integer (got {value!r:.60} of type {type(value).__name__}).")
    if not 1 <= value <= MAX_SAMPLES:
        raise ValueError(f"{owner}: {name!r} must be in [1, {MAX_SAMPLES:,}] (got {value!r}).")
    return int(value)


def _positive(name, value, owner, allow_zero=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name!r} must be a real number (got {value!r:.60} of type {type(value).__name__}).")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{owner}: {name!r} must be finite and {bound} (got {value!r}).")
    return value


class _Sampler(Plain):
    """Shared parts: equality and repr from the fields, a JSON form tagged by the class name."""

    def to_dict(self):
        """Plain JSON form: ``{"kind": class name, field: value, ...}``."""
        document = {"kind": type(self).__name__}
        for name in self._fields:
            value = getattr(self, name)
            document[name] = [list(item) for item in value] if name == "subsets" else (
                list(value) if isinstance(value, tuple) else value)
        return document

    def _check_points(self, n_points):
        """Raise ValueError if the sampler cannot draw from a pool of ``n_points``."""

    def _is_stream(self):
        return False


class Sizes(_Sampler):
    """All subsets of the given sizes, or ``per_size`` of each drawn without replacement.

    Parameters
    ----------
    sizes : int or sequence of int
        Subset sizes, each in 0..n_points (checked when the pool is known).
    per_size : int or None, default=None
        Where a size has more than ``per_size`` subsets, draw that many distinct ones
        uniformly; None means all (refused where a size has more than 2**20 subsets).

    Examples
    --------
    >>> from datacf.samplers import Sizes
    >>> Sizes([2, 1])
    Sizes(sizes=(1, 2), per_size=None)
    """

    _fields = ("sizes", "per_size")

    def __init__(self, sizes, per_size=None):
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = [sizes]
        if isinstance(sizes, (str, bytes)) or not np.iterable(sizes):
            raise TypeError(f"Sizes: 'sizes' must be an integer or a sequence of integers (got {sizes!r:.60}).")
        checked = set()
        for size in sizes:
            if isinstance(size, bool) or not isinstance(size, numbers.Integral):
                raise TypeError(f"Sizes: every size must be an integer (got {size!r:.60}).")
            if not 0 <= size <= MAX_SAMPLES:
                raise ValueError(f"Sizes: every size must be in [0, {MAX_SAMPLES:,}] (got {size!r}).")
            checked.add(int(size))
        if not checked:
            raise ValueError("Sizes: 'sizes' is empty; give at least one subset size.")
        self.sizes = tuple(sorted(checked))
        self.per_size = _count("per_size", per_size, "Sizes", allow_none=True)

    def _check_points(self, n_points):
        if self.sizes[-1] > n_points:
            raise ValueError(f"Sizes: size {self.sizes[-1]} is larger than the pool of {n_points} points.")
        for size in self.sizes:
            total = math.comb(n_points, size)
            if (self.per_size is None or self.per_size >= total) and total > MAX_ENUMERATED:
                raise ValueError(
                    f"Sizes: there are C({n_points}, {size}) = {total:.3g} subsets of size {size}, more than "
                    f"{MAX_ENUMERATED:,} to enumerate; pass per_size=... to draw some of them."
                )

    def _members(self, n_points, rng):
        blocks = []
        for size in self.sizes:
            total = math.comb(n_points, size)
            if self.per_size is None or self.per_size >= total:
                blocks.append(_combinations(n_points, size))
            elif total <= min(4 * self.per_size, MAX_ENUMERATED):
                chosen = np.sort(rng.choice(total, size=self.per_size, replace=False))
                blocks.append(_combinations(n_points, size)[chosen])
            else:   # rejection: draw, keep the first occurrence of each subset, top up
                found = np.zeros((0, n_points), dtype=bool)
                while found.shape[0] < self.per_size:
                    order = rng.random((2 * (self.per_size - found.shape[0]), n_points)).argsort(axis=1)
                    new = np.zeros(order.shape, dtype=bool)
                    np.put_along_axis(new, order[:, :size], True, axis=1)
                    pool = np.concatenate([found, new])
                    _, first = np.unique(np.packbits(pool, axis=1), axis=0, return_index=True)
                    found = pool[np.sort(first)]
                blocks.append(found[:self.per_size])
        return np.concatenate(blocks)


def _combinations(n_points, size):
    """Membership rows of every subset of ``size`` points, in itertools' order."""
    index = np.array(list(itertools.combinations(range(n_points), size)), dtype=np.int64).reshape(
        math.comb(n_points, size), size)
    members = np.zeros((index.shape[0], n_points), dtype=bool)
    np.put_along_axis(members, index, True, axis=1)
    return members


class Uniform(_Sampler):
    """Subsets with each point in or out with probability 1/2, independently.

    Parameters
    ----------
    n_samples : int
        Number of rows.

    Examples
    --------
    >>> from datacf.samplers import Uniform
    >>> Uniform(1000)
    Uniform(n_samples=1000)
    """

    _fields = ("n_samples",)

    def __init__(self, n_samples):
        self.n_samples = _count("n_samples", n_samples, "Uniform")

    def _is_stream(self):
        return True

    def _stream(self, n_points, seed):
        rng = np.random.default_rng(seed)
        return lambda count: rng.random((count, n_points)) < 0.5


class Permutations(_Sampler):
    """Prefixes of random permutations, for permutation Shapley; optionally truncated.

    The grid's rows are the empty set, the full pool, then for each permutation its
    prefixes of length 1..n-1 (fewer when truncated). The permutation orders are kept in
    ``SampledGrid.orders`` and the number of prefixes of each in ``SampledGrid.lengths``.

    Parameters
    ----------
    n_permutations : int
        Number of permutations.
    truncation : float or None, default=None
        Truncated Monte Carlo (Ghorbani & Zou 2019): stop a permutation at its first
        prefix P with |U(N) - U(P)| < truncation, U being the mean score over all
        evaluation columns; later marginals count as 0. None evaluates every prefix.
        Prefixes are trained in blocks of ``TRUNCATION_BLOCK`` (8) positions across all
        permutations at once, so up to 7 rows past each truncation point are trained and
        then dropped (about 3% extra on a 200-point pool); the grid keeps only the rows
        up to the truncation point, and ``n_evaluations`` counts those.

    Examples
    --------
    >>> from datacf.samplers import Permutations
    >>> Permutations(50, truncation=0.01)
    Permutations(n_permutations=50, truncation=0.01)
    """

    _fields = ("n_permutations", "truncation")

    def __init__(self, n_permutations, truncation=None):
        self.n_permutations = _count("n_permutations", n_permutations, "Permutations")
        self.truncation = None if truncation is None else _positive("truncation", truncation, "Permutations")

    def _is_stream(self):
        return True

    def _stream(self, n_points, seed):
        rng = np.random.default_rng(seed)
        return lambda count: rng.random((count, n_points)).argsort(axis=1, kind="stable")


def beta_size_distribution(n_points, alpha, beta):
    """P(|S| = k), k = 0..n, for ``BetaSizes``: (a_k) / 2 with a_k the Beta semivalue's mass.

    With w the Beta(alpha, beta) semivalue weights (``datacf._semivalues``), the subsets of
    size k enter point i's value with total weight a_k = C(n-1, k-1) w[k-1] (S holds i)
    + C(n-1, k) w[k] (it does not). Each sum over k is 1, so a / 2 is a distribution; the
    two parts are Beta-binomial(n-1, beta, alpha) probabilities, computed in log space.
    """
    k = np.arange(n_points)
    log_pmf = (np.array([math.lgamma(n_points) - math.lgamma(j + 1) - math.lgamma(n_points - j) for j in k])
               + np.array([math.lgamma(j + beta) + math.lgamma(n_points - 1 - j + alpha) for j in k])
               - math.lgamma(n_points - 1 + alpha + beta) - math.lgamma(beta) - math.lgamma(alpha)
               + math.lgamma(alpha + beta))
    mass = np.exp(log_pmf)            # C(n-1, k) w[k], k = 0..n-1
    mass /= mass.sum()                # exact in exact arithmetic; removes rounding
    q = np.zeros(n_points + 1)
    q[:-1] += mass                    # S without i, size k
    q[1:] += mass                     # S with i, size k + 1
    return q / 2


class BetaSizes(_Sampler):
    """A size from the Beta(alpha, beta) semivalue's size distribution, then a uniform subset.

    Parameters
    ----------
    n_samples : int
        Number of rows.
    alpha, beta : float, default=1.0
        Beta parameters (Kwon & Zou 2022); (1, 1) is Shapley's size distribution.

    Examples
    --------
    >>> from datacf.samplers import BetaSizes
    >>> BetaSizes(100, alpha=16, beta=1)
    BetaSizes(n_samples=100, alpha=16.0, beta=1.0)
    """

    _fields = ("n_samples", "alpha", "beta")

    def __init__(self, n_samples, alpha=1.0, beta=1.0):
        self.n_samples = _count("n_samples", n_samples, "BetaSizes")
        self.alpha = _positive("alpha", alpha, "BetaSizes")
        self.beta = _positive("beta", beta, "BetaSizes")

    def _is_stream(self):
        return True

    def _stream(self, n_points, seed):
        size_rng, subset_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
        q = beta_size_distribution(n_points, self.alpha, self.beta)

        def take(count):
            sizes = size_rng.choice(n_points + 1, size=count, p=q)
            rank = subset_rng.random((count, n_points)).argsort(axis=1).argsort(axis=1)
            return rank < sizes[:, None]
        return take


class Explicit(_Sampler):
    """A given list of subsets, each a sequence of point indices (or a boolean membership row).

    Parameters
    ----------
    subsets : sequence of sequences of int, or a 2-D boolean array
        The rows, in order; repeats are allowed, a point repeated within a subset is not.

    Examples
    --------
    >>> from datacf.samplers import Explicit
    >>> Explicit([[0, 2], [], [1]])
    Explicit(subsets=((0, 2), (), (1,)))
    """

    _fields = ("subsets",)

    def __init__(self, subsets):
        if isinstance(subsets, np.ndarray) and subsets.dtype == bool:
            if subsets.ndim != 2:
                raise ValueError(f"Explicit: a membership matrix must be 2-D (got shape {subsets.shape}).")
            subsets = [np.flatnonzero(row).tolist() for row in subsets]
        if isinstance(subsets, (str, bytes)) or not np.iterable(subsets):
            raise TypeError(f"Explicit: 'subsets' must be a sequence of subsets (got {type(subsets).__name__}).")
        rows = []
        for r, subset in enumerate(subsets):
            if len(rows) >= MAX_SAMPLES:
                raise ValueError(f"Explicit: more than {MAX_SAMPLES:,} subsets.")
            if isinstance(subset, (str, bytes)) or not np.iterable(subset):
                raise TypeError(f"Explicit: subsets[{r}] must be a sequence of point indices (got {subset!r:.60}).")
            members = []
            for index in subset:
                if isinstance(index, bool) or not isinstance(index, numbers.Integral) or index < 0:
                    raise ValueError(f"Explicit: subsets[{r}] holds {index!r:.40}, not a point index (an integer >= 0).")
                members.append(int(index))
            if len(set(members)) != len(members):
                raise ValueError(f"Explicit: subsets[{r}] = {members!r:.80} names a point twice.")
            rows.append(tuple(sorted(members)))
        if not rows:
            raise ValueError("Explicit: 'subsets' is empty; give at least one subset.")
        self.subsets = tuple(rows)

    def __repr__(self):
        shown = self.subsets if len(self.subsets) <= 8 else self.subsets[:8] + ("...",)
        return f"Explicit(subsets={shown!r})".replace("'...'", "...")

    def _check_points(self, n_points):
        largest = max((max(s) for s in self.subsets if s), default=-1)
        if largest >= n_points:
            raise ValueError(f"Explicit: point index {largest} is out of range for a pool of {n_points} points.")

    def _members(self, n_points, rng):
        members = np.zeros((len(self.subsets), n_points), dtype=bool)
        rows = np.repeat(np.arange(len(self.subsets)), [len(s) for s in self.subsets])
        members[rows, np.fromiter(itertools.chain.from_iterable(self.subsets), dtype=np.int64, count=rows.size)] = True
        return members


_KINDS = {cls.__name__: cls for cls in (Sizes, Uniform, Permutations, BetaSizes, Explicit)}


def from_dict(document):
    """Rebuild a sampler from ``to_dict`` output, treated as untrusted data.

    Raises
    ------
    ValueError
        If the document is not a sampler description (unknown kind, missing or extra
        fields, or a field the sampler's constructor refuses; the message says which).
    """
    if not isinstance(document, dict) or document.get("kind") not in _KINDS:
        kind = document.get("kind") if isinstance(document, dict) else type(document).__name__
        raise ValueError(f"A sampler must be an object with 'kind' one of {list(_KINDS)}; got {kind!r:.60}.")
    cls = _KINDS[document["kind"]]
    fields = set(document) - {"kind"}
    if fields != set(cls._fields):
        raise ValueError(f"A {cls.__name__} sampler has the fields {list(cls._fields)}; got {sorted(map(str, fields))}.")
    try:
        return cls(**{name: document[name] for name in cls._fields})
    except (TypeError, ValueError) as error:
        raise ValueError(f"Invalid sampler: {error}") from None


for _cls in _KINDS.values():
    _cls.__module__ = "datacf.samplers"
