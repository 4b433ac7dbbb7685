"""Sampled grids and estimators, side by side with pyDVL (issue 10).

Same data for both: logistic regression (C=1) on 200 points of scikit-learn's breast-cancer
data (standardised, seeded split), scored by accuracy on the other 369 points. Same utility:
pyDVL's ``ModelUtility`` scores 0 where scikit-learn refuses to fit (the empty set, one
class), which is datacf's ``convention="zero"``. Same budget: the number of utility
evaluations (trained models), counted in pyDVL by wrapping its utility. pyDVL fits
scikit-learn's ``LogisticRegression(C=1.0)`` with its defaults (lbfgs, ``tol=1e-4``); datacf
solves the same objective to its own, much tighter tolerance (DESIGN.md §3), so the timing
does not favour datacf.

Cases, each printed as pyDVL | datacf | ratio in words:

1. time per utility evaluation (target: datacf at least 20x faster): for each seed pyDVL
   runs, then datacf, back to back in this process; the ratio is taken per seed, on wall
   time and on this process's CPU time (one thread, so CPU time is what an idle machine's
   wall time would be), and printed as the median with its range over seeds;
2. error of permutation Shapley and of MSR Banzhaf at equal budget, as root-mean-square
   distance to a high-budget datacf reference, mean and standard error over seeds
   (target: datacf's error no larger; "equal within noise" when the difference is under
   two standard errors);
3. a 1,000-point pool (breast cancer resampled with small noise), 10,000 uniform subsets,
   datacf alone (target: under 30 s and 1 GB peak memory).

Run it on one thread, in an environment that has pyDVL (a benchmark-only dependency; it pins
numpy < 2, so give it its own virtual environment)::

    python -m venv /tmp/pydvl-venv && /tmp/pydvl-venv/bin/pip install pydvl==0.10.0
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH=. /tmp/pydvl-venv/bin/python benchmarks/bench_sampled.py

``BENCH_SEEDS=permutation_shapley:10,msr_banzhaf:5`` sets the seeds per method (these are the
defaults), ``BENCH_METHODS=permutation_shapley`` runs one method, ``BENCH_SKIP_BIG=1`` skips
case 3. Without pyDVL it benchmarks against a plain scikit-learn loop instead and says so.
"""
import os
import resource
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
SEEDS = {method: int(count) for method, count in (
    item.split(":") for item in os.environ.get("BENCH_SEEDS", "permutation_shapley:10,msr_banzhaf:5").split(","))}
REFERENCE = {"permutation_shapley": 400, "msr_banzhaf": 100000}   # permutations / uniform rows
BIG_POINTS, BIG_ROWS = 1000, 10000


def _clock():
    """(wall seconds, CPU seconds of this process and its children)."""
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return time.perf_counter(), sum(u.ru_utime + u.ru_stime for u in usage)


def _since(start):
    wall, cpu = _clock()
    return wall - start[0], cpu - start[1]


def _mean_se(values):
    return statistics.mean(values), statistics.stdev(values) / len(values) ** 0.5 if len(values) > 1 else float("nan")


def _error_verdict(base, ours):
    """Compare mean RMS errors over seeds: better, equal within noise (two standard errors), or worse."""
    (mb, sb), (mo, so) = _mean_se(base), _mean_se(ours)
    noise = 2 * (sb**2 + so**2) ** 0.5
    if abs(mb - mo) <= noise:
        return "equal within noise"
    return "datacf better" if mo < mb else "datacf WORSE"


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
    """(estimate values, utility evaluations, (wall, CPU) seconds)."""
    train, test = dcf.Dataset(X, y), dcf.Dataset(Xt, yt)
    model = dcf.models.LogisticRegression(C=1.0)
    n = len(y)
    if method == "permutation_shapley":
        sampler = dcf.samplers.Permutations(max(1, round((budget - 2) / (n - 1))))
    else:
        sampler = dcf.samplers.Uniform(budget)
    start = _clock()
    grid = dcf.sample_grid(train, model, eval=test, metric="accuracy", convention="zero", sampler=sampler, rng=seed)
    result = getattr(dcf.estimate, method)(grid)
    return result.values, result.n_evaluations, _since(start)


def pydvl_draws(method, n, seed, count):
    """The permutations or subsets pyDVL 0.10 draws with ``seed``, rebuilt from its generator.

    Its ``PermutationSampler`` takes ``default_rng(seed).permutation(n)`` once per sample,
    its ``MSRSampler`` ``default_rng(seed).uniform(size=n) < 0.5`` (pydvl.utils.numeric).
    """
    rng = np.random.default_rng(seed)
    if method == "permutation_shapley":
        return np.array([rng.permutation(n) for _ in range(count)])
    return np.array([rng.uniform(size=n) < 0.5 for _ in range(count)])


def datacf_on_draws(method, X, y, Xt, yt, draws):
    """datacf's estimate from given draws (pyDVL's), through the public API: the paired comparison.

    The rows are trained as an ``Explicit`` sampled grid, then read as the grid the sampler
    would have made (``SampledGrid`` with the permutation layout, or uniform rows).
    """
    train, test = dcf.Dataset(X, y), dcf.Dataset(Xt, yt)
    n = len(y)
    if method == "permutation_shapley":
        rank = np.argsort(draws, axis=1)
        prefixes = (rank[:, None, :] < np.arange(1, n)[None, :, None]).reshape(-1, n)
        members = np.concatenate([np.zeros((1, n), bool), np.ones((1, n), bool), prefixes])
        sampler, extra = dcf.samplers.Permutations(len(draws)), {"orders": draws,
                                                                 "lengths": np.full(len(draws), n - 1)}
    else:
        members, sampler, extra = draws, dcf.samplers.Uniform(len(draws)), {}
    rows = dcf.sample_grid(train, dcf.models.LogisticRegression(C=1.0), eval=test, metric="accuracy",
                           convention="zero", sampler=dcf.samplers.Explicit(members), rng=0)
    grid = dcf.SampledGrid(members, rows.values, sampler=sampler, **extra)
    return getattr(dcf.estimate, method)(grid).values


# --- pyDVL ----------------------------------------------------------------------------------


def pydvl_estimate(method, X, y, Xt, yt, budget, seed):
    """(values, utility evaluations, (wall, CPU) seconds) with pyDVL 0.10, stopped at ``budget`` evaluations."""
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
    start = _clock()
    with warnings.catch_warnings(), parallel_config(n_jobs=1):
        warnings.simplefilter("ignore")
        valuation.fit(train)
    seconds = _since(start)
    result = valuation.result
    values = np.asarray(result.values, dtype=float)[np.argsort(np.asarray(result.indices))]
    return values, calls[0], seconds


def sklearn_loop(method, X, y, Xt, yt, budget, seed):
    """Baseline without pyDVL: one scikit-learn fit per uniform subset (timing only)."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    start = _clock()
    for _ in range(budget):
        members = rng.random(len(y)) < 0.5
        if len(np.unique(y[members])) < 2:
            continue
        LogisticRegression(C=1.0).fit(X[members], y[members]).score(Xt, yt)
    return None, budget, _since(start)


def many_seeds(X, y, Xt, yt, reference, name, seeds=40):
    """Permutation Shapley's error over many seeds, for both libraries' draws, computed by datacf.

    The paired runs above show that datacf on pyDVL's permutations gives pyDVL's values (the
    two differ only by scikit-learn's fitting tolerance), so datacf can stand in for pyDVL
    here and the comparison of the two samplers' errors gets 40 seeds in seconds.
    """
    n = len(y)
    errors = {"datacf's draws": [], f"{name}'s draws": []}
    for seed in range(seeds):
        own = datacf_estimate("permutation_shapley", X, y, Xt, yt, 10 * (n + 1), seed)[0]
        theirs = datacf_on_draws("permutation_shapley", X, y, Xt, yt, pydvl_draws("permutation_shapley", n, seed, 10))
        for key, values in zip(errors, (own, theirs)):
            errors[key].append(float(np.sqrt(np.mean((values - reference) ** 2))))
    shown = " | ".join(f"{key} {m:.5f} ± {se:.5f}" for key, (m, se) in ((k, _mean_se(v)) for k, v in errors.items()))
    mine, theirs = errors.values()
    print(f"\npermutation_shapley, 10 permutations, RMS error over {seeds} seeds (mean ± standard error), all fitted "
          f"by datacf: {shown} ({_error_verdict(theirs, mine)})")


def big_grid():
    """A 1,000-point pool, 10,000 uniform rows: wall and CPU seconds, peak memory (a fresh process).

    Memory is the child's own peak resident set (``VmHWM``): ``ru_maxrss`` would carry this
    script's peak across fork and exec (see bench_grid.py).
    """
    code = (
        "import re, resource, time, numpy as np, datacf as dcf\n"
        "from sklearn.datasets import load_breast_cancer\n"
        "X, y = load_breast_cancer(return_X_y=True); X = (X - X.mean(0)) / X.std(0)\n"
        f"rng = np.random.default_rng(0); idx = rng.integers(0, len(y), {BIG_POINTS})\n"
        "Xp = X[idx] + rng.normal(0, 0.05, (len(idx), X.shape[1])); yp = y[idx]\n"
        "train, test = dcf.Dataset(Xp[:], yp), dcf.Dataset(X[:100], y[:100])\n"
        "t, c = time.perf_counter(), time.process_time()\n"
        f"g = dcf.sample_grid(train, dcf.models.LogisticRegression(C=1.0), eval=test, "
        f"sampler=dcf.samplers.Uniform({BIG_ROWS}), rng=0)\n"
        "s, c = time.perf_counter() - t, time.process_time() - c\n"
        "peak = re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1)\n"
        "print(s, c, peak, g.n_rows)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    if out.returncode:
        raise RuntimeError(out.stderr)
    seconds, cpu, peak_kib, rows = out.stdout.split()
    return float(seconds), float(cpu), int(peak_kib) / 1024, int(rows)


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
          f"convention='zero'; budget {BUDGET} utility evaluations; seeds per method {SEEDS}\n")

    methods = os.environ.get("BENCH_METHODS", ",".join(REFERENCE)).split(",")   # e.g. permutation_shapley
    references = {}
    for method in methods:
        start = _clock()
        count = REFERENCE[method]
        budget = count * (len(y) - 1) + 2 if method == "permutation_shapley" else count
        references[method], used, _ = datacf_estimate(method, X, y, Xt, yt, budget, seed=12345)
        wall, cpu = _since(start)
        print(f"reference {method}: datacf, {used} utility evaluations, {wall:.1f} s ({cpu:.1f} s CPU)")

    for method in methods:
        seeds = range(SEEDS.get(method, 3))
        print(f"\n{method}, seeds {list(seeds)}: per seed, {name} then datacf")
        print(f"{'seed':>4s} {'evals':>11s} {'ms/eval wall':>19s} {'ms/eval CPU':>19s} {'ratio wall':>10s} "
              f"{'ratio CPU':>9s} {'RMS error (own draws)':>22s} {'datacf on ' + name + ' draws':>22s}")
        base_err, ours_err, paired_err, wall_ratio, cpu_ratio, base_t, ours_t = [], [], [], [], [], [], []

        def rms(values):
            return float(np.sqrt(np.mean((values - references[method]) ** 2)))

        for seed in seeds:
            values, used, (wall, cpu) = baseline(method, X, y, Xt, yt, BUDGET, seed)
            base = (wall / used, cpu / used)
            ours_values, used_ours, (wall, cpu) = datacf_estimate(method, X, y, Xt, yt, used, seed)
            ours = (wall / used_ours, cpu / used_ours)
            base_t.append(base), ours_t.append(ours)
            wall_ratio.append(base[0] / ours[0]), cpu_ratio.append(base[1] / ours[1])
            ours_err.append(rms(ours_values))
            paired = ""
            if values is not None:
                base_err.append(rms(values))
                count = used // (len(y) + 1) if method == "permutation_shapley" else used   # pyDVL: ∅ + n per order
                paired_err.append(rms(datacf_on_draws(method, X, y, Xt, yt, pydvl_draws(method, len(y), seed, count))))
                paired = f"{paired_err[-1]:.5f} ({count} draws)"
            err = "" if values is None else f"{base_err[-1]:.5f} "
            print(f"{seed:4d} {used:5d} {used_ours:5d} {base[0] * 1e3:9.3f} {ours[0] * 1e3:9.4f} "
                  f"{base[1] * 1e3:9.3f} {ours[1] * 1e3:9.4f} {wall_ratio[-1]:9.1f}x {cpu_ratio[-1]:8.1f}x "
                  f"{err:>14s}{ours_err[-1]:.5f} {paired:>22s}")

        def spread(ratios):
            return f"{statistics.median(ratios):.1f}x faster (range {min(ratios):.1f}-{max(ratios):.1f}x)"

        print(f"{method}: ms per utility evaluation (median over seeds), {name} | datacf | ratio per seed")
        for kind, k in (("wall", 0), ("CPU", 1)):
            ratios = wall_ratio if k == 0 else cpu_ratio
            verdict = "meets" if min(ratios) >= 20 else ("meets at the median" if statistics.median(ratios) >= 20
                                                          else "MISSES")
            print(f"  {kind:4s} {statistics.median(t[k] for t in base_t) * 1e3:10.3f} | "
                  f"{statistics.median(t[k] for t in ours_t) * 1e3:8.4f} | {spread(ratios)}; {verdict} the 20x target")
        if base_err:
            (mb, sb), (mo, so) = _mean_se(base_err), _mean_se(ours_err)
            print(f"{method}: RMS error vs reference (mean ± standard error over seeds): "
                  f"{name} {mb:.5f} ± {sb:.5f} | "
                  f"datacf {mo:.5f} ± {so:.5f} | datacf/{name} {mo / mb:.2f} ({_error_verdict(base_err, ours_err)})")
            gaps = [o - b for o, b in zip(paired_err, base_err)]
            print(f"{method}: paired, datacf on {name}'s own draws: RMS error {statistics.mean(paired_err):.5f} "
                  f"(mean); datacf minus {name}, per seed, from {min(gaps):+.5f} to {max(gaps):+.5f}")

    if "permutation_shapley" in methods and baseline is pydvl_estimate:
        many_seeds(X, y, Xt, yt, references["permutation_shapley"], name)

    if os.environ.get("BENCH_SKIP_BIG"):
        return
    seconds, cpu, peak_mib, rows = big_grid()
    verdict = "meets" if seconds < 30 and peak_mib < 1024 else "MISSES"
    print(f"\n{BIG_POINTS}-point pool, {rows} uniform subsets (datacf): {seconds:.1f} s ({cpu:.1f} s CPU), "
          f"peak RSS {peak_mib:.0f} MiB ({verdict} the 30 s / 1 GB target on wall time)")


if __name__ == "__main__":
    main()
