"""Sampled grids and estimators, side by side with pyDVL (issue 10).

Same data for both: logistic regression (C=1) on 200 points of scikit-learn's breast-cancer
data (standardised, seeded split), scored by accuracy on the other 369 points. Same utility:
pyDVL's ``ModelUtility`` scores 0 where scikit-learn refuses to fit (the empty set, one
class), which is datacf's ``convention="zero"``. Same budget: the number of utility
evaluations (trained models), counted in pyDVL by wrapping its utility.

Cases, each printed as pyDVL | datacf | ratio in words, medians over seeds:

1. time per utility evaluation (target: datacf at least 20x faster);
2. error of permutation Shapley and of MSR Banzhaf at equal budget, as root-mean-square
   distance to a high-budget datacf reference (target: datacf's error no larger);
3. a 1,000-point pool (breast cancer resampled with small noise), 10,000 uniform subsets,
   datacf alone (target: under 30 s and 1 GB peak memory).

Run it on one thread, in an environment that has pyDVL (a benchmark-only dependency; it pins
numpy < 2, so give it its own virtual environment)::

    python -m venv /tmp/pydvl-venv && /tmp/pydvl-venv/bin/pip install pydvl==0.10.0
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH=. /tmp/pydvl-venv/bin/python benchmarks/bench_sampled.py

Without pyDVL it benchmarks against a plain scikit-learn loop instead and says so.
"""
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import datacf as dcf  # noqa: E402

N_POOL = 200
BUDGET = 2000                  # utility evaluations per estimate, both libraries
SEEDS = tuple(range(int(os.environ.get("BENCH_SEEDS", "3"))))   # BENCH_SEEDS=8 for tighter medians
REFERENCE = {"permutation_shapley": 100, "msr_banzhaf": 60000}   # permutations / uniform rows
BIG_POINTS, BIG_ROWS = 1000, 10000


def _ratio(slow, fast):
    if fast <= 0:
        return "n/a"
    r = slow / fast
    return f"{r:.1f}x faster" if r >= 1 else f"{1 / r:.1f}x slower"


def load():
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    order = np.random.default_rng(0).permutation(len(y))
    return X[order[:N_POOL]], y[order[:N_POOL]], X[order[N_POOL:]], y[order[N_POOL:]]


def versions():
    import sklearn

    lines = [f"python {sys.version.split()[0]}", f"datacf {dcf.__version__}", f"numpy {np.__version__}",
             f"scikit-learn {sklearn.__version__}"]
    try:
        import pydvl

        lines.append(f"pydvl {pydvl.__version__}")
    except ImportError as error:
        lines.append(f"pydvl: not importable ({error}); baseline is a plain scikit-learn loop")
    lines.append(f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')} "
                 f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    try:
        lines.append("load: " + subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    except OSError:
        pass
    return lines


# --- datacf ---------------------------------------------------------------------------------


def datacf_estimate(method, X, y, Xt, yt, budget, seed):
    """(estimate values, utility evaluations, seconds)."""
    train, test = dcf.Dataset(X, y), dcf.Dataset(Xt, yt)
    model = dcf.models.LogisticRegression(C=1.0)
    n = len(y)
    if method == "permutation_shapley":
        sampler = dcf.samplers.Permutations(max(1, round((budget - 2) / (n - 1))))
    else:
        sampler = dcf.samplers.Uniform(budget)
    start = time.perf_counter()
    grid = dcf.sample_grid(train, model, eval=test, metric="accuracy", convention="zero", sampler=sampler, rng=seed)
    result = getattr(dcf.estimate, method)(grid)
    return result.values, result.n_evaluations, time.perf_counter() - start


# --- pyDVL ----------------------------------------------------------------------------------


def pydvl_estimate(method, X, y, Xt, yt, budget, seed):
    """(values, utility evaluations, seconds) with pyDVL 0.10, stopped at ``budget`` evaluations."""
    from joblib import parallel_config
    from pydvl.valuation import (Dataset, ModelUtility, MSRBanzhafValuation, PermutationSampler,
                                 ShapleyValuation, SupervisedScorer)
    from pydvl.valuation.stopping import StoppingCriterion
    from pydvl.valuation.result import ValuationResult
    from pydvl.utils.status import Status
    from sklearn.linear_model import LogisticRegression

    calls = [0]

    class CountingUtility(ModelUtility):
        def __call__(self, sample):
            calls[0] += 1
            return super().__call__(sample)

    class Budget(StoppingCriterion):
        """Stop once the utility has been evaluated ``budget`` times."""

        def _check(self, result: ValuationResult) -> Status:
            return Status.Converged if calls[0] >= budget else Status.Pending

        def completion(self):
            return min(1.0, calls[0] / budget)

        def reset(self):
            return self

        def __str__(self):
            return f"Budget({budget})"

    train, test = Dataset(X, y), Dataset(Xt, yt)
    utility = CountingUtility(LogisticRegression(C=1.0), SupervisedScorer("accuracy", test_data=test, default=0.0),
                              show_warnings=False)
    if method == "permutation_shapley":
        valuation = ShapleyValuation(utility, sampler=PermutationSampler(seed=seed), is_done=Budget(),
                                     show_warnings=False)
    else:
        valuation = MSRBanzhafValuation(utility, is_done=Budget(), seed=seed, show_warnings=False)
    start = time.perf_counter()
    with warnings.catch_warnings(), parallel_config(n_jobs=1):
        warnings.simplefilter("ignore")
        valuation.fit(train)
    seconds = time.perf_counter() - start
    result = valuation.result
    values = np.asarray(result.values, dtype=float)[np.argsort(np.asarray(result.indices))]
    return values, calls[0], seconds


def sklearn_loop(method, X, y, Xt, yt, budget, seed):
    """Baseline without pyDVL: one scikit-learn fit per uniform subset (timing only)."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    for _ in range(budget):
        members = rng.random(len(y)) < 0.5
        if len(np.unique(y[members])) < 2:
            continue
        LogisticRegression(C=1.0).fit(X[members], y[members]).score(Xt, yt)
    return None, budget, time.perf_counter() - start


def big_grid():
    """A 1,000-point pool, 10,000 uniform rows: seconds and peak memory (a fresh process)."""
    code = (
        "import resource, time, numpy as np, datacf as dcf\n"
        "from sklearn.datasets import load_breast_cancer\n"
        "X, y = load_breast_cancer(return_X_y=True); X = (X - X.mean(0)) / X.std(0)\n"
        f"rng = np.random.default_rng(0); idx = rng.integers(0, len(y), {BIG_POINTS})\n"
        "Xp = X[idx] + rng.normal(0, 0.05, (len(idx), X.shape[1])); yp = y[idx]\n"
        "train, test = dcf.Dataset(Xp[:], yp), dcf.Dataset(X[:100], y[:100])\n"
        "t = time.perf_counter()\n"
        f"g = dcf.sample_grid(train, dcf.models.LogisticRegression(C=1.0), eval=test, "
        f"sampler=dcf.samplers.Uniform({BIG_ROWS}), rng=0)\n"
        "s = time.perf_counter() - t\n"
        "print(s, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, g.n_rows)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    if out.returncode:
        raise RuntimeError(out.stderr)
    seconds, rss_kib, rows = out.stdout.split()
    return float(seconds), int(rss_kib) / 1024, int(rows)


def main():
    for line in versions():
        print(line)
    try:
        import pydvl  # noqa: F401

        baseline, name = pydvl_estimate, "pyDVL"
    except ImportError:
        baseline, name = sklearn_loop, "sklearn loop"
    X, y, Xt, yt = load()
    print(f"\ndata: breast cancer, {len(y)} training points, {len(yt)} test points, accuracy, "
          f"convention='zero'; budget {BUDGET} utility evaluations; seeds {list(SEEDS)}\n")

    references = {}
    for method, count in REFERENCE.items():
        if method not in os.environ.get("BENCH_METHODS", method):
            continue
        start = time.perf_counter()
        budget = count * (len(y) - 1) + 2 if method == "permutation_shapley" else count
        references[method], used, _ = datacf_estimate(method, X, y, Xt, yt, budget, seed=12345)
        print(f"reference {method}: datacf, {used} utility evaluations, {time.perf_counter() - start:.1f} s")

    print(f"\n{'case':44s} {name:>14s} {'datacf':>14s}   ratio")
    per_eval = {}
    methods = os.environ.get("BENCH_METHODS", ",".join(REFERENCE)).split(",")   # e.g. permutation_shapley
    for method in methods:
        base_err, ours_err, base_t, ours_t = [], [], [], []
        for seed in SEEDS:
            values, used, seconds = baseline(method, X, y, Xt, yt, BUDGET, seed)
            base_t.append(seconds / used)
            if values is not None:
                base_err.append(float(np.sqrt(np.mean((values - references[method]) ** 2))))
            values, used_ours, seconds = datacf_estimate(method, X, y, Xt, yt, used, seed)
            ours_t.append(seconds / used_ours)
            ours_err.append(float(np.sqrt(np.mean((values - references[method]) ** 2))))
        bt, ot = statistics.median(base_t), statistics.median(ours_t)
        per_eval[method] = (bt, ot)
        print(f"{method + ': ms per utility evaluation':44s} {bt * 1e3:14.3f} {ot * 1e3:14.4f}   {_ratio(bt, ot)}")
        if base_err:
            be, oe = statistics.median(base_err), statistics.median(ours_err)
            overlap = min(ours_err) <= max(base_err) and min(base_err) <= max(ours_err)
            verdict = "datacf equal or better" if oe <= be else "datacf worse"
            if overlap:
                verdict += ", not significant: the per-seed ranges overlap"
            print(f"{method + ': RMS error vs reference':44s} {be:14.5f} {oe:14.5f}   "
                  f"{be / oe:.2f}x the error ({verdict}; per seed {name} "
                  f"{[round(e, 5) for e in base_err]}, datacf {[round(e, 5) for e in ours_err]})")

    if os.environ.get("BENCH_SKIP_BIG"):
        return
    seconds, peak_mib, rows = big_grid()
    verdict = "meets" if seconds < 30 and peak_mib < 1024 else "MISSES"
    print(f"\n{BIG_POINTS}-point pool, {rows} uniform subsets (datacf): {seconds:.1f} s, peak RSS {peak_mib:.0f} MiB "
          f"({verdict} the 30 s / 1 GB target)")


if __name__ == "__main__":
    main()
