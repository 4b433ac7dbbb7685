"""What every fast learner shares: parameters stored as given, a repr, and the refusal rule.

A fast learner predicts class probabilities for many training subsets at once. It is only
asked about subsets holding at least two classes; the grid fills the empty and one-class
rows from its convention (DESIGN.md §3), so every learner treats those rows the same way.
"""
import inspect

__all__ = ["FastLearner"]


class FastLearner:
    """Base class: subclasses implement ``_check_params`` and ``_predict_proba_subsets``."""

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

    def _refuses(self, sizes, n_present):
        """Rows scikit-learn would refuse to fit: no points, or a single class."""
        return n_present < 2

    def _predict_proba_subsets(self, X, codes, n_classes, X_eval, rows):
        """Probabilities of shape (len(rows), n_eval, n_classes) for the subsets ``rows``.

        ``codes`` are labels as class indices 0..n_classes-1; ``rows`` are subset row
        indices (DESIGN.md §3 encoding), each holding at least two classes.
        """
        raise NotImplementedError
