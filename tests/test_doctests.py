"""The docstring examples of datacf's public names run and print what they say.

pytest's --doctest-modules skips objects whose ``__module__`` is rewritten to ``"datacf"``
(the package does so for its public API), so their examples are collected here explicitly.
"""
import copy
import doctest

import pytest

import datacf
from datacf import models


def _public_objects():
    """Every public object of datacf and datacf.models, methods of public classes included."""
    found = {}
    for namespace, prefix in ((datacf, "datacf"), (models, "datacf.models")):
        for name in namespace.__all__:
            obj = getattr(namespace, name)
            if callable(obj) and not isinstance(obj, type(datacf)):
                found[f"{prefix}.{name}"] = obj
    return found


def _examples():
    finder = doctest.DocTestFinder(recurse=True, exclude_empty=True)
    tests = []
    for name, obj in _public_objects().items():
        globs = {**vars(datacf), **getattr(obj, "__globals__", {}), "dcf": datacf}
        tests += [t for t in finder.find(obj, name, globs=globs) if t.examples]
    return sorted(tests, key=lambda t: t.name)


EXAMPLES = _examples()


def test_the_public_api_has_examples():
    """The collection finds the examples of the main entry points (so it cannot silently find none)."""
    names = {t.name for t in EXAMPLES}
    assert {"datacf.compute_grid", "datacf.Dataset"} <= names


@pytest.mark.parametrize("example", EXAMPLES, ids=[t.name for t in EXAMPLES])
def test_docstring_example_runs_as_written(example):
    """Each example prints exactly what its docstring shows."""
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    # A copy with its own namespace: the runner empties the namespace it ran in, and a second
    # session in the same process (mutmut runs several) would find the shared one empty.
    example = copy.copy(example)
    example.globs = dict(example.globs)
    result = runner.run(example, out=lambda text: pytest.fail(text))
    assert result.failed == 0 and result.attempted > 0
