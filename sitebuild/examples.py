"""Example grids for the explainer: declared in ``docs/examples.toml``, computed into JSON.

Each example names a toy dataset, a fast learner and its parameters, a metric and a
convention. ``build_examples`` writes one file per example::

    {"schema": "datacf.example", "version": 1, "example": NAME, "title": ...,
     "input_hash": SHA256, "grid": <the Grid.to_json() document>}

The build is incremental: ``input_hash`` covers everything the grid is computed from (the
resolved dataset coordinates and labels, the model and its parameters, the metric and
convention), the datacf version and a digest of datacf's own source, so a file is rewritten
only when one of those changes. Writes are atomic (a temporary file, then ``os.replace``),
so an interrupted run never leaves a half-written file behind.
"""
import hashlib
import json
import os
import tempfile
import time
import tomllib
from pathlib import Path

from .wheel import package_sources

__all__ = [
    "ExampleError",
    "Example",
    "EXAMPLE_SCHEMA",
    "load_examples",
    "parse_examples",
    "build_examples",
    "check_examples",
    "read_example_file",
    "default_grids_dir",
]

EXAMPLE_SCHEMA = "datacf.example"
EXAMPLE_SCHEMA_VERSION = 1
_MODELS = ("KNN", "LogisticRegression", "NearestCentroid")
_KEYS = {
    "title": "short description, used in default captions",
    "dataset": "a toy dataset name",
    "model": f"one of {list(_MODELS)}",
    "params": "a table of model parameters",
    "metric": "prob_correct, accuracy or log_loss",
    "convention": "fallback or zero",
    "eval": "a toy dataset name to evaluate on",
}
_REQUIRED = ("title", "dataset", "model")


class ExampleError(ValueError):
    """Raised when an example declaration is wrong, or a grid file is missing or stale."""


def _code_digest():
    """Digest of datacf's numerical source (what the browser's wheel ships): a code change recomputes."""
    digest = hashlib.sha256()
    for relative, data in package_sources():
        digest.update(relative.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


class Example:
    """One declared example: validated spec, the datasets and model it resolves to."""

    def __init__(self, name, spec):
        import datacf as dcf

        self.name = name
        problem = _check_spec(name, spec)
        if problem:
            raise ExampleError(f"Example {name!r}: {problem}")
        self.spec = dict(spec)
        self.title = spec["title"]
        self.metric = spec.get("metric", "prob_correct")
        self.convention = spec.get("convention", "fallback")
        try:
            self.train = dcf.toy_dataset(spec["dataset"])
            self.eval = None if spec.get("eval") is None else dcf.toy_dataset(spec["eval"])
            self.model = getattr(dcf.models, spec["model"])(**spec.get("params", {}))
        except (TypeError, ValueError) as error:
            raise ExampleError(f"Example {name!r}: {error}") from None

    def __repr__(self):
        return f"Example({self.name!r}, dataset={self.spec['dataset']!r}, model={self.spec['model']!r})"

    def inputs(self):
        """Everything the grid is computed from, as JSON-ready data (what ``Grid.inputs`` records)."""
        from datacf._compute import grid_inputs

        return grid_inputs(self.train, self.model, self.eval, self.metric, self.convention)

    def input_hash(self, code_digest=None):
        """SHA-256 of the inputs, the title, the datacf version and datacf's source digest."""
        import datacf as dcf

        key = {
            "inputs": self.inputs(),
            "title": self.title,
            "datacf": dcf.__version__,
            "code": _code_digest() if code_digest is None else code_digest,
            "schema": EXAMPLE_SCHEMA_VERSION,
        }
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()

    def compute(self):
        """The example's grid, computed now."""
        import datacf as dcf

        try:
            return dcf.compute_grid(
                self.train, self.model, eval=self.eval, metric=self.metric, convention=self.convention
            )
        except (TypeError, ValueError) as error:
            raise ExampleError(f"Example {self.name!r}: {error}") from None

    def document(self, code_digest=None):
        """JSON text of the example file (deterministic: same inputs, same bytes)."""
        grid = self.compute()
        document = {
            "schema": EXAMPLE_SCHEMA,
            "version": EXAMPLE_SCHEMA_VERSION,
            "example": self.name,
            "title": self.title,
            "input_hash": self.input_hash(code_digest),
            "grid": json.loads(grid.to_json()),
        }
        return json.dumps(document, ensure_ascii=False, allow_nan=False) + "\n"


def _check_spec(name, spec):
    """The first problem with one example's spec, as text, or None."""
    import datacf as dcf
    from datacf._compute import CONVENTIONS
    from datacf._metrics import METRICS

    if not name.replace("_", "").replace("-", "").isalnum() or not name.isascii():
        return "the name must use only ASCII letters, digits, '_' and '-'."
    if not isinstance(spec, dict):
        return f"expected a table of keys, got {type(spec).__name__}."
    unknown = sorted(set(spec) - set(_KEYS))
    if unknown:
        return f"unknown key {unknown[0]!r}; the keys are {sorted(_KEYS)}."
    missing = [key for key in _REQUIRED if key not in spec]
    if missing:
        return f"missing the required key {missing[0]!r} ({_KEYS[missing[0]]})."
    if not isinstance(spec["title"], str) or not spec["title"].strip():
        return "title must be a non-empty string."
    for key in ("dataset", "eval"):
        if key in spec and spec[key] not in dcf.toy_dataset_names():
            return f"{key}={spec[key]!r} is not a toy dataset; choose one of {list(dcf.toy_dataset_names())}."
    if spec["model"] not in _MODELS:
        return f"model={spec['model']!r} is not supported; choose one of {list(_MODELS)}."
    if not isinstance(spec.get("params", {}), dict):
        return "params must be a table, e.g. params = { k = 3 }."
    if spec.get("metric", "prob_correct") not in METRICS:
        return f"metric={spec['metric']!r} is not supported; choose one of {list(METRICS)}."
    if spec.get("convention", "fallback") not in CONVENTIONS:
        return f"convention={spec['convention']!r} is not supported; choose one of {list(CONVENTIONS)}."
    return None


def parse_examples(text, source="examples.toml"):
    """Parse and validate TOML example declarations into ``{name: Example}`` (in file order)."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ExampleError(f"{source} is not valid TOML: {error}.") from None
    if not table:
        raise ExampleError(f"{source} declares no examples.")
    return {name: Example(name, spec) for name, spec in table.items()}


def load_examples(path):
    """Read and validate the example declarations in ``path`` (``docs/examples.toml``)."""
    path = Path(path)
    return parse_examples(path.read_text(encoding="utf-8"), source=str(path))


def read_example_file(path):
    """The parsed JSON document of one example file."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _stored_hash(path):
    try:
        document = read_example_file(path)
    except (OSError, ValueError):
        return None
    return document.get("input_hash") if isinstance(document, dict) else None


def _write_atomic(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the site serves it
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _orphans(examples, out_dir):
    """JSON files in ``out_dir`` that no declared example owns."""
    if not out_dir.is_dir():
        return []
    return sorted(p for p in out_dir.glob("*.json") if p.stem not in examples)


def build_examples(examples, out_dir, force=False, log=print):
    """Write every example's JSON into ``out_dir``, skipping those already up to date.

    Returns the list of example names that were (re)computed. Files for examples that are
    no longer declared are removed, so they are not shipped.
    """
    out_dir = Path(out_dir)
    digest = _code_digest()
    written = []
    total = len(examples)
    for number, (name, example) in enumerate(examples.items(), start=1):
        path = out_dir / f"{name}.json"
        expected = example.input_hash(digest)
        if not force and _stored_hash(path) == expected:
            log(f"[{number}/{total}] {name}: up to date")
            continue
        start = time.perf_counter()
        _write_atomic(path, example.document(digest))
        written.append(name)
        log(f"[{number}/{total}] {name}: computed {2**example.train.n_points} rows "
            f"in {time.perf_counter() - start:.2f} s -> {path}")
    for orphan in _orphans(examples, out_dir):
        orphan.unlink()
        log(f"removed {orphan} (no such example is declared)")
    return written


def check_examples(examples, out_dir):
    """Problems with the files in ``out_dir``: one line per missing, stale or undeclared file."""
    out_dir = Path(out_dir)
    digest = _code_digest()
    problems = []
    for name, example in examples.items():
        path = out_dir / f"{name}.json"
        if not path.exists():
            problems.append(f"missing: {path} (example {name!r})")
        elif _stored_hash(path) != example.input_hash(digest):
            problems.append(f"stale: {path} (example {name!r} changed since it was written)")
    for orphan in _orphans(examples, out_dir):
        problems.append(f"undeclared: {orphan} (no example named {orphan.stem!r})")
    return problems


def default_grids_dir(root):
    """Where the grid JSON goes: ``$DATACF_GRIDS_DIR`` if set, else ``ROOT/.cache/grids`` (git-ignored)."""
    override = os.environ.get("DATACF_GRIDS_DIR")
    return Path(override) if override else Path(root) / ".cache" / "grids"
