#!/usr/bin/env bash
# Mutation testing of the core package: mutmut plants one small bug at a time in datacf/ and
# runs the fast tests that reach the mutated function; a mutant that no test notices survives.
#
#   scripts/mutation.sh                      # fresh run over the working tree (hours on 1 core)
#   scripts/mutation.sh --committed          # the same over HEAD, ignoring uncommitted edits
#   scripts/mutation.sh --again              # keep the last run's results: test only mutants of
#                                            # changed functions, those not tested yet and those
#                                            # no test reached
#   scripts/mutation.sh --again --recheck    # only test the last run's survivors again
#   scripts/mutation.sh --only '_grid.py models/*.py'  # only these core modules
#   scripts/mutation.sh --again --jobs 2     # two test processes at once (default one)
#   scripts/mutation.sh --again --sample 250 # ...but test only a random sample of 250 of the
#                                            # mutants not tested yet (fixed seed), and estimate
#   scripts/mutation.sh --again --mutants 'datacf._grid.*'  # only these mutants (names or
#                                            # patterns), whatever their last result
#   scripts/mutation.sh --rest --sample 250  # the rest of the package (below), sampled
#   scripts/mutation.sh results | show NAME  # then: list the survivors, show one as a diff
#                                            # (--rest results, --rest show NAME for the rest)
#
# It works on a copy in .cache/mutation/ (.cache/mutation-rest/ with --rest; mutmut mutates its own mutants/ copy inside it), so
# the working tree is never touched, and runs one test process at a time (--jobs N for more)
# with one BLAS thread.
# What is mutated, the score and the surviving equivalent mutants: tests/README.md.
source "$(dirname "$0")/_venv.sh"
cd "$ROOT"
MUTMUT_VERSION="3.8.1"
WORK="$ROOT/.cache/mutation"
# The core: the grid, its readings, subsets, metrics, compute_grid, the dataset, the JSON schema,
# KNN-Shapley and the fast learners. Not the site build (sitebuild/), nor the browser runner.
CORE=(_grid.py _semivalues.py _subsets.py _metrics.py _compute.py _model_spec.py _memory.py
      _dataset.py _knn_shapley.py _schema.py "models/*.py")
# The rest of the package's computation, with --rest: sampled grids and their estimators, scaling
# fits, the scikit-learn path, edits and edit grids, influence and unlearning, the least core and
# the regression views. Not the site's runtime, explorer and view models, or the toy datasets.
REST=(_sampled_grid.py _sampled_schema.py _scaling.py estimate.py samplers.py _sklearn_path.py edits.py
      _edit_grid.py _edit_readings.py _influence.py _least_core.py _regression_views.py _plain.py _provenance.py)
if [ "${1:-}" = "--rest" ]; then
  WORK="$ROOT/.cache/mutation-rest"; CORE=("${REST[@]}"); shift
fi
SAMPLE_SEED=0
# Tests that never reach the core (the site build), or test other modules slowly: the explorer
# and view models, the tutorials and presets, and the pages' claims over their build-time
# measurements. These call the core, but their fixtures take from seconds to two minutes to
# set up, time mutmut does not see: it orders a mutant's tests by their own duration only, so
# a cheap test behind a 45-second fixture would run first for every mutant. And the Dask
# cluster tests: mutmut forks each mutant's test process, and the cluster's threads do not
# survive a fork, so they wait forever.
SKIP_TESTS=(tests/browser tests/test_site_build.py tests/test_runtime_build.py tests/test_code_cells_build.py
            tests/test_cluster_backend.py
            tests/test_glossary.py tests/test_story_links.py tests/test_maths_plots_site.py
            tests/test_explorer_state.py tests/test_view.py tests/test_tutorials.py tests/test_explorer_presets.py
            tests/test_valuation_page.py tests/test_influence_pages.py tests/test_poisoning_page.py
            tests/test_collective_page.py tests/test_evaluation_page.py tests/test_scaling_pages.py)

if [ "$("$PY" -c 'import importlib.metadata as m; print(m.version("mutmut"))' 2>/dev/null)" != "$MUTMUT_VERSION" ]; then
  "$PY" -m pip install --quiet "mutmut==$MUTMUT_VERSION"
fi

case "${1:-}" in
  results|show|browse|print-time-estimates|tests-for-mutant)
    cd "$WORK" && exec "$VENV/bin/mutmut" "$@" ;;
esac

source_ref=""; again=""; recheck=""; jobs=1; sample=""; mutants=""
while [ $# -gt 0 ]; do
  case "$1" in
    --committed) source_ref="HEAD"; shift ;;
    --again) again=1; shift ;;
    --recheck) recheck=1; shift ;;
    --only) read -ra CORE <<< "$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --sample) sample="$2"; shift 2 ;;
    --mutants) mutants="$2"; shift 2 ;;
    --rest) echo "mutation.sh: --rest must be the first argument" >&2; exit 2 ;;
    *) echo "mutation.sh: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done

# Mutants of the last run with one of the given mutmut exit codes (0 survived, 33 no test
# reached it), to test again against today's tests.
last_with_codes() {
  [ -d "$WORK/mutants" ] || return 0
  (cd "$WORK" && CODES="$*" "$PY" - <<'EOF'
import json, os, pathlib
codes = {int(code) for code in os.environ["CODES"].split()}
for meta in pathlib.Path("mutants").rglob("*.meta"):
    for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
        if code in codes:
            print(name)
EOF
  )
}
# A copy of the project (tracked and new files, not what .gitignore hides); --again keeps mutmut's
# mutants/ directory, whose per-function hashes tell it which results still hold. Files get the
# current time (tar -m), so mutmut re-reads every source file. It drops mutmut's record of which
# tests reach which function, so that every test is traced again: mutmut re-traces only tests
# that are new, and a new or renamed function would otherwise have no tests ("no tests").
survivors=""
if [ -n "$again" ] && [ -d "$WORK/mutants" ]; then
  # Reached by no test last time: the fresh tracing may find one now.
  survivors="$(last_with_codes 33)"
  [ -z "$recheck" ] || survivors="$(last_with_codes 0 33)"
  find "$WORK" -mindepth 1 -maxdepth 1 ! -name mutants -exec rm -rf {} +
  rm -rf "$WORK/mutants/tests" "$WORK/mutants/mutmut-stats.json"
else
  rm -rf "$WORK" && mkdir -p "$WORK"
fi
if [ -n "$source_ref" ]; then
  git archive "$source_ref" | tar -x -m -C "$WORK"
else
  git ls-files -z --cached --others --exclude-standard \
    | tar --null --ignore-failed-read -c -T - 2>/dev/null | tar -x -m -C "$WORK"
fi
rm -rf "${SKIP_TESTS[@]/#/$WORK/}"
# A pytest plugin for the runs. Hypothesis: no deadline (a mutant may be slow, which is not a
# failure), 25 examples, derandomized, so two runs over the same code give the same score; and
# no "differing executors" check, which a test method fails when mutmut's second session in the
# same process calls it on a new instance of its class.
# joblib's worker processes (the n_jobs tests) are stopped after each session, because mutmut
# waits for any child process and must see only its own. And mutmut's opening check, that a
# failure planted in every function fails the tests, is answered before tests/conftest.py runs:
# conftest builds datasets at import, and pytest reports an error there as a usage error (4),
# which mutmut takes for a broken command line.
cat > "$WORK/mutation_plugin.py" <<'EOF'
"""pytest plugin used by scripts/mutation.sh only."""
import sys

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("mutation", deadline=None, derandomize=True, max_examples=25,
                          suppress_health_check=[HealthCheck.differing_executors])
settings.load_profile("mutation")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    from mutmut.core import MutmutProgrammaticFailException
    from mutmut.mutation.trampoline import get_mutant_under_test

    if get_mutant_under_test() == "fail":
        raise MutmutProgrammaticFailException("every mutated function fails: the tests would fail")


def pytest_sessionfinish(session):
    loky = sys.modules.get("joblib.externals.loky.reusable_executor")
    if loky is not None and loky._executor is not None:
        loky._executor.shutdown(wait=True, kill_workers=True)
EOF

only=""; for module in "${CORE[@]}"; do only+="\"datacf/$module\", "; done
also=""; for entry in "$WORK"/* "$WORK"/.[!.]*; do
  name="$(basename "$entry")"
  case "$name" in datacf|tests|pyproject.toml|mutants|'.[!.]*') ;; *) also+="\"$name\", " ;; esac
done
# mutmut reads its settings from pyproject.toml: only the copy's gets them.
cat >> "$WORK/pyproject.toml" <<EOF

[tool.mutmut]
source_paths = ["datacf"]
only_mutate = [${only%, }]
also_copy = [${also%, }]
pytest_add_cli_args = ["-p", "mutation_plugin", "-p", "no:cacheprovider", "-m", "not browser", "-o", "addopts="]
pytest_add_cli_args_test_selection = ["tests"]
use_setproctitle = false
EOF

cd "$WORK"
if [ -n "$recheck" ]; then
  :   # only the survivors, below
elif [ -n "$mutants" ]; then
  set -f   # patterns are mutmut's, not file names
  # shellcheck disable=SC2086  # one name or pattern per word
  "$VENV/bin/mutmut" run --max-children "$jobs" $mutants
  set +f
elif [ -n "$sample" ]; then
  # mutmut has no sampling: a first run whose name filter matches no mutant generates the
  # mutants and traces the tests, then stops; the sample is drawn from the mutants with no
  # result yet and kept in mutants/sample.txt for the score (until the next --sample).
  "$VENV/bin/mutmut" run --max-children "$jobs" "datacf.no_such_function__mutmut_0" >/dev/null 2>&1 || true
  names="$(SAMPLE="$sample" SEED="$SAMPLE_SEED" "$PY" - <<'EOF'
import json, os, pathlib, random
untested = sorted(name for meta in pathlib.Path("mutants").rglob("*.meta")
                  for name, code in json.loads(meta.read_text())["exit_code_by_key"].items() if code is None)
for name in random.Random(int(os.environ["SEED"])).sample(untested, min(int(os.environ["SAMPLE"]), len(untested))):
    print(name)
EOF
  )"
  [ -n "$names" ] || { echo "mutation.sh: no untested mutant is left to sample" >&2; exit 1; }
  printf '%s\n' $names > mutants/sample.txt
  # shellcheck disable=SC2086  # one mutant name per word
  "$VENV/bin/mutmut" run --max-children "$jobs" $names
else
  "$VENV/bin/mutmut" run --max-children "$jobs"
fi
if [ -n "$survivors" ]; then
  # shellcheck disable=SC2086  # one mutant name per word
  "$VENV/bin/mutmut" run --max-children "$jobs" $survivors
fi
"$PY" - <<'EOF'
"""The score: mutants some test noticed (killed or timed out) over all that were tried. After
--sample, also the sample's own score, with its 95% Wilson interval for the untested mutants
it was drawn from."""
import collections
import json
import math
import pathlib

from mutmut.stats import status_by_exit_code

status, untested = {}, 0
for meta in pathlib.Path("mutants").rglob("*.meta"):
    for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
        if status_by_exit_code[code] == "not checked":
            untested += 1
        else:
            status[name] = status_by_exit_code[code]
CAUGHT = ("killed", "timeout", "segfault")
counts = collections.Counter(status.values())
caught, tried = sum(counts[s] for s in CAUGHT), len(status)
print(f"\n{tried} mutants tried, {untested} not: " + ", ".join(f"{n} {s}" for s, n in counts.most_common()))
print(f"score: {caught}/{tried} = {caught / max(1, tried):.1%} caught")
sample_file = pathlib.Path("mutants/sample.txt")
if sample_file.exists():
    sample = [status.get(name, "not checked") for name in sample_file.read_text().split()]
    n, k = len(sample), sum(s in CAUGHT for s in sample)
    z, p = 1.96, k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    print(f"sample: {k}/{n} = {p:.1%} caught; 95% interval for the {untested + n} mutants it was drawn "
          f"from: {centre - half:.1%} to {centre + half:.1%}")
print("not caught (scripts/mutation.sh show NAME):")
for name, s in sorted(status.items()):
    if s in ("survived", "no tests", "suspicious"):
        print(f"  {s:9} {name}")
EOF
