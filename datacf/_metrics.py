"""Per-cell scores: how well one trained model does on one evaluation point.

``prob_correct`` is the predicted probability of the true label, ``accuracy`` is 1 when the
hard prediction is right, and ``log_loss`` is ``-log(prob_correct)``, clipped at
``LOG_LOSS_EPS`` so that a confident mistake costs a large but finite amount.
"""
import numpy as np

__all__ = ["METRICS", "LOG_LOSS_EPS", "check_metric", "needs_proba", "score_cells"]

# scikit-learn's historical log_loss clip: -log(1e-15) = 34.5, finite and JSON-safe.
LOG_LOSS_EPS = 1e-15
METRICS = ("prob_correct", "accuracy", "log_loss")


def check_metric(metric):
    if metric not in METRICS:
        raise ValueError(f"metric={metric!r} is not supported; choose one of {list(METRICS)}.")


def needs_proba(metric):
    return metric != "accuracy"


def score_cells(metric, proba, hard, target):
    """Scores of shape (n_rows, n_eval).

    ``proba`` is (n_rows, n_eval, n_classes) and ``hard`` holds the predicted class indices
    (n_rows, n_eval); each metric reads only the one it needs, so the other may be None.
    ``target`` is the true class index of each
    evaluation point, or -1 for a label the training data never had.
    """
    if metric == "accuracy":
        return (hard == target[None, :]).astype(np.float64)
    known = target >= 0
    correct = np.zeros(proba.shape[:2])
    columns = np.flatnonzero(known)
    correct[:, columns] = proba[:, columns, target[columns]]
    if metric == "prob_correct":
        return correct
    return -np.log(np.clip(correct, LOG_LOSS_EPS, 1.0))
