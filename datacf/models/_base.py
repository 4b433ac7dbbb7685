"""What every fast learner shares: parameters stored as given, a repr, and the refusal rule.

A fast learner predicts class probabilities for many training subsets at once. It is only
asked about subsets holding at least two classes; the grid fills the empty and one-class
rows from its convention (DESIGN.md §3), so every learner treats those rows the same way.

The learner protocol (``_predict_proba_subsets``) names the subsets in one of two ways:

- the exact grid's encoding, a 1-D integer array of row indices r (the subset
  {i : (r >> i) & 1}, n <= 16), which lets a learner use tables shared by all 2**n subsets;
- a 2-D boolean membership matrix of shape (n_rows, n_points), for sampled grids over
  pools of any size (``datacf.sample_grid``).

``membership`` turns either form into the matrix; a learner with a faster route for the
bit encoding (KNN) checks ``rows.ndim`` itself.

Edit grids (``compute_grid(..., edit=...)``) train every row on a subset of a 2n-point pool,
point i clean at index 2i and edited at 2i + 1 (``datacf._edit_grid``), given as membership
rows. ``_edit_pool_learner`` names the learner that fits those rows: the learner itself by
default, or one that reads the pool's layout for a faster route (KNN with label edits).
"""
import inspect

from .._memory import CHUNK_BYTES
from .._subsets import subset_bits

__all__ = ["FastLearner", "membership"]


def membership(rows, n_points):
    """Boolean membership matrix (len(rows), n_points) of ``rows`` in either protocol form."""
    return rows if rows.ndim == 2 else subset_bits(n_points)[rows]


class FastLearner:
    """Base class: subclasses implement ``_check_params``, ``_predict_proba_subsets`` and the
    memory formulas ``_fixed_bytes`` and ``_row_bytes`` that ``compute_grid`` checks first."""

    def get_params(self):
        """Constructor arguments by name, as given (scikit-learn's convention)."""
        signature = inspect.signature(type(self).__init__)
        return {name: getattr(self, name) for name in signature.parameters if name != "self"}

    def __repr__(self):
        params = ", ".join(f"{name}={value!r}" for name, value in self.get_params().items())
        return f"{type(self).__name__}({params})"

    def __eq__(self, other):
        return type(self) is type(other) and self.get_params() == other.get_params()

    __hash__ = None

    def _check_params(self):
        """Raise a clear error for a bad parameter; called by ``compute_grid`` before fitting."""

    def _edit_pool_learner(self):
        """The learner an exact edit grid hands its 2n-point pool rows to (see the module docstring)."""
        return self

    def _refuses(self, sizes, n_present):
        """Rows scikit-learn would refuse to fit: no points, or a single class."""
        return n_present < 2

    def _fixed_bytes(self, n_points, n_features, n_eval, n_classes):
        """Working bytes that do not depend on the number of subsets (distance tables, ...)."""
        return 0

    def _row_bytes(self, n_points, n_features, n_eval, n_classes):
        """Working bytes per subset in a chunk, besides the (n_eval, n_classes) output row."""
        raise NotImplementedError

    def _chunk_size(self, n_points, n_features, n_eval, n_classes):
        """Subsets per chunk: as many as fit in ``CHUNK_BYTES`` of working memory, at least one."""
        return max(1, CHUNK_BYTES // max(1, self._row_bytes(n_points, n_features, n_eval, n_classes)))

    def _peak_bytes(self, n_points, n_features, n_eval, n_classes, rows):
        """Estimated peak working bytes of ``_predict_proba_subsets`` over ``rows`` subsets.

        The output table itself is counted by ``compute_grid`` (``datacf._memory.grid_bytes``).
        """
        chunk = min(rows, self._chunk_size(n_points, n_features, n_eval, n_classes))
        per_row = self._row_bytes(n_points, n_features, n_eval, n_classes)
        return self._fixed_bytes(n_points, n_features, n_eval, n_classes) + chunk * per_row

    def _chunks(self, rows, X, n_classes, X_eval):
        """Slices of ``rows``, each small enough for ``CHUNK_BYTES`` of working memory."""
        size = self._chunk_size(X.shape[0], X.shape[1], X_eval.shape[0], n_classes)
        return [slice(start, start + size) for start in range(0, len(rows), size)]

    def _predict_proba_subsets(self, X, codes, n_classes, X_eval, rows):
        """Probabilities of shape (len(rows), n_eval, n_classes) for the subsets ``rows``.

        ``codes`` are labels as class indices 0..n_classes-1; ``rows`` are subset row
        indices (DESIGN.md §3 encoding, 1-D integers) or a boolean membership matrix of
        shape (n_rows, n_points) (see the module docstring); each subset holds at least
        two classes.
        """
        raise NotImplementedError
