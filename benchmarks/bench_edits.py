"""Benchmark edit grids against a plain scikit-learn loop over every edited set (issue 11).

For KNN (k = 3), logistic regression (C = 1.0) and nearest centroid at n = 10 training points,
and for the edits FlipLabels(), Shift([0.5, -0.5]) and PlantSignal(1, 3.0, 1): the time to
fill the (2**n, n) "prob_correct" edit grid (every row trains on all 10 points, the edit
applied to the row's set F; evaluated on the clean training points) with
``dcf.compute_grid(..., edit=...)``, and with the loop a user would write: edit a copy of the
data, fit scikit-learn once (``KNeighborsClassifier(n_neighbors=3)``,
``LogisticRegression(C=1.0)`` with its default solver and tolerance, ``NearestCentroid()``
scored by its hard prediction, as datacf's is), and read ``predict_proba``. A row whose
edited labels hold one class predicts it with certainty, as datacf's convention does. The
subset grid (no edit) is timed too, for reference.

datacf: median of 15 runs after one warm-up, with the interquartile range; the loop: one run
(1,024 fits). The last column is the largest difference between the two tables (0 for KNN
and nearest centroid; scikit-learn's default logistic tolerance of 1e-4 shows for logistic
regression).

Run from the repository root:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_edits.py
"""
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import datacf as dcf  # noqa: E402
from benchmarks.bench_grid import format_time, make_blobs, ratio_in_words, report_versions, time_runs  # noqa: E402

N = 10
DATACF_REPEATS = 15
EDITS = {
    "FlipLabels()": dcf.edits.FlipLabels(),
    "Shift([0.5, -0.5])": dcf.edits.Shift([0.5, -0.5]),
    "PlantSignal(1, 3.0, 1)": dcf.edits.PlantSignal(1, 3.0, 1),
}


def make_models():
    """(datacf learner, scikit-learn counterpart, scored by its hard prediction?) by name."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier, NearestCentroid

    return {
        "KNN k=3": (lambda: dcf.models.KNN(k=3), lambda: KNeighborsClassifier(n_neighbors=3), False),
        "logistic C=1": (lambda: dcf.models.LogisticRegression(C=1.0), lambda: LogisticRegression(C=1.0), False),
        "centroid": (dcf.models.NearestCentroid, NearestCentroid, True),
    }


def edit_by_hand(edit, X, y, F):
    """The edit applied to the points F of copies of X and y, written out with numpy."""
    X, y = X.copy(), y.copy()
    if isinstance(edit, dcf.edits.FlipLabels):
        y[F] = 1 - y[F]
    elif isinstance(edit, dcf.edits.Shift):
        X[F] += np.asarray(edit.delta)
    else:
        X[F, edit.feature], y[F] = edit.value, edit.label
    return X, y


def sklearn_loop(X, y, edit, make_sklearn, hard):
    """(2**n, n) prob_correct at the clean points: one scikit-learn fit per edited set.

    ``hard``: score the hard prediction (1 if right), as datacf's certain nearest centroid does.
    """
    n = len(y)
    values = np.empty((2**n, n))
    for r in range(2**n):
        Xe, ye = edit_by_hand(edit, X, y, ((r >> np.arange(n)) & 1).astype(bool))
        present = np.unique(ye)
        if present.size == 1:
            values[r] = (y == present[0]).astype(float)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # NearestCentroid warns about zero within-class spread
            model = make_sklearn().fit(Xe, ye)
        if hard:
            values[r] = (model.predict(X) == y).astype(float)
        else:
            values[r] = model.predict_proba(X)[np.arange(n), np.searchsorted(model.classes_, y)]
    return values


def main():
    report_versions()
    X, y = make_blobs(N)
    train = dcf.Dataset(X, y)
    print(f"Edit grids at n = {N} (prob_correct, eval = the clean training points)")
    header = f"{'model':<14}{'edit':<24}{'sklearn loop':>14}{'datacf median':>15}{'(IQR)':>22}{'ratio':>15}{'max |diff|':>12}"
    print(header)
    print("-" * len(header))
    for name, (make_model, make_sklearn, hard) in make_models().items():
        t_subsets, _ = time_runs(lambda: dcf.compute_grid(train, make_model()), DATACF_REPEATS)
        print(f"{name:<14}{'(subset grid, no edit)':<24}{'':>14}{format_time(t_subsets.median):>15}")
        for label, edit in EDITS.items():
            dcf.compute_grid(train, make_model(), edit=edit)   # warm-up
            t_dcf, grid = time_runs(lambda: dcf.compute_grid(train, make_model(), edit=edit).values, DATACF_REPEATS)
            t_sk, table = time_runs(lambda: sklearn_loop(X, y, edit, make_sklearn, hard), 1)
            _, words = ratio_in_words(t_sk.median, t_dcf.median)
            spread = f"({format_time(t_dcf.q1)} - {format_time(t_dcf.q3)})"
            print(f"{name:<14}{label:<24}{format_time(t_sk.median):>14}{format_time(t_dcf.median):>15}{spread:>22}"
                  f"{words:>15}{float(np.abs(grid - table).max()):>12.1e}", flush=True)
    print(f"datacf: median of {DATACF_REPEATS} runs after one warm-up; sklearn loop: one run of {2**N:,} fits.")


if __name__ == "__main__":
    main()
