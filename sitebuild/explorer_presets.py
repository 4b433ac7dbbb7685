"""Grid Explorer presets: declared in ``docs/explorer_presets.toml``, computed into JSON.

A preset is a small declaration (data, model, params, metric, convention, focus, lens,
selection; the keys are documented at the top of the TOML file and in ``PRESET_KEYS``) that
this module turns into an explorer state (``datacf._explorer.check_state``) and computes with
``datacf._explorer.explore_result``, the function the page's Python worker runs too. Each
preset becomes ``<grids dir>/explorer/NAME.json``::

    {"schema": "datacf.explorer-preset", "version": 1, "preset": NAME, "title": ...,
     "description": ..., "input_hash": SHA256, "state": {...}, "result": {...},
     "grid": <the Grid.to_json() document>}

As for the example grids (``sitebuild/examples.py``) the build is incremental (keyed on the
state, the texts, the datacf version and a digest of its source) and writes atomically.
"""
import hashlib
import json
import time
import tomllib
from pathlib import Path

from .examples import _code_digest, _write_atomic

__all__ = [
    "PresetError",
    "Preset",
    "PRESET_SCHEMA",
    "PRESET_KEYS",
    "PRESETS_FILE",
    "parse_presets",
    "load_presets",
    "build_presets",
    "presets_dir",
    "PresetStore",
    "build_for_site",
    "add_site_files",
]

PRESET_SCHEMA = "datacf.explorer-preset"
PRESET_SCHEMA_VERSION = 1
PRESETS_FILE = "explorer_presets.toml"   # inside docs_dir; excluded from the site by mkdocs.yml
PRESET_KEYS = {
    "title": "short title",
    "description": "one or two sentences shown with the explorer",
    "dataset": "a toy dataset name",
    "points": "training points [[x1, x2, label, name], ...]",
    "eval_dataset": "a toy dataset name to evaluate on",
    "eval_points": "evaluation points [[x1, x2, label, name], ...]",
    "model": "KNN, LogisticRegression or NearestCentroid",
    "params": "model parameters, e.g. { k = 3 }",
    "metric": "prob_correct, accuracy or log_loss",
    "convention": "fallback or zero",
    "focus": "evaluation columns by name",
    "lens": "the lens shown first",
    "lens_options": "the lens' point, group, pair, column (by name), alpha, beta, size",
    "selection": "a row name whose decision regions are shaded",
    "tutorial": "a guided tutorial: goal, do, notice, question, answer, step (sitebuild/tutorials.py)",
}
_REQUIRED = ("title", "description", "model")


class PresetError(ValueError):
    """Raised when a preset declaration is wrong or its JSON file is missing."""


def _points(spec, dataset_key, points_key, where):
    import datacf as dcf

    if dataset_key in spec and points_key in spec:
        raise PresetError(f"{where}: give {dataset_key} or {points_key}, not both.")
    if dataset_key in spec:
        try:
            data = dcf.toy_dataset(spec[dataset_key])
        except (TypeError, ValueError) as error:
            raise PresetError(f"{where}: {error}") from None
        return {"X": data.X.tolist(), "y": data.y.tolist(), "names": list(data.names)}
    rows = spec.get(points_key)
    if rows is None:
        return None
    if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) == 4 for r in rows):
        raise PresetError(f"{where}: {points_key} must list points as [x1, x2, label, \"name\"].")
    return {"X": [[r[0], r[1]] for r in rows], "y": [r[2] for r in rows], "names": [r[3] for r in rows]}


def _index(names, name, what, where):
    if name not in names:
        raise PresetError(f"{where}: {name!r} is not {what}; they are {names}.")
    return names.index(name)


def _row(names, text, where):
    if text in ("", "∅"):
        return 0
    members = list(text) if all(len(n) == 1 for n in names) else text.split(",")
    row = 0
    for member in members:
        row |= 1 << _index(names, member, "a training point", where)
    return row


def _lens(lens, options, names, columns, where):
    """``lens`` updated by TOML ``lens_options`` (points and columns by name)."""
    lens = dict(lens)
    if not isinstance(options, dict):
        raise PresetError(f"{where}: lens_options must be a table.")
    for key, value in options.items():
        if key == "point":
            value = _index(names, value, "a training point", where)
        elif key in ("group", "pair"):
            if not isinstance(value, list):
                raise PresetError(f"{where}: lens_options.{key} must list point names.")
            value = [_index(names, v, "a training point", where) for v in value]
        elif key == "column":
            value = _index(columns, value, "an evaluation column", where)
        lens[key] = value
    return lens


def _after_step(state, step, where):
    """The state after a tutorial's ``step`` (sitebuild.tutorials.STEP_KEYS), checked."""
    from datacf._explorer import ExplorerStateError, check_state

    from .tutorials import STEP_KEYS

    if not isinstance(step, dict) or not step:
        raise PresetError(f"{where}: step must be a non-empty table.")
    unknown = sorted(set(step) - set(STEP_KEYS))
    if unknown:
        raise PresetError(f"{where}: unknown key {unknown[0]!r}; the keys are {sorted(STEP_KEYS)}.")
    after = json.loads(json.dumps(state))
    names = after["train"]["names"]
    for key in ("move", "relabel"):
        if not isinstance(step.get(key, {}), dict):
            raise PresetError(f"{where}: step.{key} must be a table of point names.")
    for name, xy in step.get("move", {}).items():
        after["train"]["X"][_index(names, name, "a training point", where)] = xy
    for name, label in step.get("relabel", {}).items():
        after["train"]["y"][_index(names, name, "a training point", where)] = label
    if "model" in step:
        after["model"], after["params"] = step["model"], {}
    for key in ("params", "metric", "convention"):
        if key in step:
            after[key] = step[key]
    if "eval" in step:
        if step["eval"] != "train":
            raise PresetError(f"{where}: step.eval may only be \"train\" (score on the training points).")
        after["eval"], after["focus"], after["view"] = None, None, None
        after["lens"]["column"] = 0
    columns = (after["eval"] or after["train"])["names"]
    if "focus" in step:
        if not isinstance(step["focus"], list):
            raise PresetError(f"{where}: step.focus must list column names.")
        after["focus"] = [_index(columns, c, "an evaluation column", where) for c in step["focus"]]
    if "lens" in step:
        after["lens"]["name"] = step["lens"]
    after["lens"] = _lens(after["lens"], step.get("lens_options", {}), names, columns, where)
    if "selection" in step:
        after["selection"] = _row(names, step["selection"], where)
    try:
        after = check_state(after)
    except ExplorerStateError as error:
        raise PresetError(f"{where}: {error}") from None
    if after == state:
        raise PresetError(f"{where}: the step changes nothing.")
    return after


def _check_tutorial(spec, where):
    from .tutorials import TUTORIAL_KEYS, TUTORIAL_REQUIRED, TutorialError, readings_in

    if not isinstance(spec, dict):
        raise PresetError(f"{where}: tutorial must be a table.")
    unknown = sorted(set(spec) - set(TUTORIAL_KEYS))
    if unknown:
        raise PresetError(f"{where}: unknown key {unknown[0]!r}; the keys are {sorted(TUTORIAL_KEYS)}.")
    for key in TUTORIAL_REQUIRED:
        if not isinstance(spec.get(key), str) or not spec[key].strip():
            raise PresetError(f"{where}: tutorial.{key} must be non-empty text ({TUTORIAL_KEYS[key]}).")
    try:
        for key in TUTORIAL_REQUIRED:
            readings_in(spec[key], f"{where}, tutorial.{key}")
    except TutorialError as error:
        raise PresetError(str(error)) from None
    if any(ch.isdigit() for ch in _without_readings(spec["answer"])):
        raise PresetError(f"{where}: tutorial.answer has a typed-in number; read every number from the grid with {{{{ … }}}}.")
    return spec


def _without_readings(text):
    import re

    return re.sub(r"\{\{.*?\}\}", "", text, flags=re.S)


class Preset:
    """One declared preset: its validated explorer state, title, description and tutorial."""

    def __init__(self, name, spec):
        from datacf._explorer import ExplorerStateError, check_state

        where = f"Preset {name!r}"
        if not name.replace("_", "").replace("-", "").isalnum() or not name.isascii():
            raise PresetError(f"{where}: the name must use only ASCII letters, digits, '_' and '-'.")
        if not isinstance(spec, dict):
            raise PresetError(f"{where}: expected a table of keys.")
        unknown = sorted(set(spec) - set(PRESET_KEYS))
        if unknown:
            raise PresetError(f"{where}: unknown key {unknown[0]!r}; the keys are {sorted(PRESET_KEYS)}.")
        missing = [key for key in _REQUIRED if key not in spec]
        if missing:
            raise PresetError(f"{where}: missing the required key {missing[0]!r} ({PRESET_KEYS[missing[0]]}).")
        for key in ("title", "description"):
            if not isinstance(spec[key], str) or not spec[key].strip():
                raise PresetError(f"{where}: {key} must be non-empty text.")
        train = _points(spec, "dataset", "points", where)
        if train is None:
            raise PresetError(f"{where}: give the training points as dataset = NAME or points = [...].")
        evaluation = _points(spec, "eval_dataset", "eval_points", where)
        columns = (evaluation or train)["names"]
        state = {"train": train, "eval": evaluation, "model": spec["model"], "params": spec.get("params", {}),
                 "metric": spec.get("metric", "prob_correct"), "convention": spec.get("convention", "fallback")}
        try:
            if "focus" in spec:
                if not isinstance(spec["focus"], list):
                    raise PresetError(f"{where}: focus must list column names.")
                state["focus"] = [_index(columns, c, "an evaluation column", where) for c in spec["focus"]]
            state["lens"] = _lens({"name": spec.get("lens", "loo")}, spec.get("lens_options", {}), train["names"],
                                  columns, where)
            if "selection" in spec:
                state["selection"] = _row(train["names"], spec["selection"], where)
            self.state = check_state(state)
        except ExplorerStateError as error:
            raise PresetError(f"{where}: {error}") from None
        self.name = name
        self.title = spec["title"]
        self.description = spec["description"]
        self.tutorial = None
        self.after = None
        if "tutorial" in spec:
            self.tutorial = _check_tutorial(spec["tutorial"], where)
            if "step" in self.tutorial:
                self.after = _after_step(self.state, self.tutorial["step"], f"{where}, tutorial.step")

    def __repr__(self):
        return f"Preset({self.name!r}, model={self.state['model']!r}, n={len(self.state['train']['X'])})"

    def input_hash(self, code_digest=None):
        import datacf as dcf

        from . import tutorials

        key = {"state": self.state, "title": self.title, "description": self.description,
               "tutorial": self.tutorial, "datacf": dcf.__version__,
               "code": _code_digest() if code_digest is None else code_digest,
               "readings": hashlib.sha256(Path(tutorials.__file__).read_bytes()).hexdigest(),   # the reading language
               "schema": PRESET_SCHEMA_VERSION}
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()

    def document(self, code_digest=None):
        """JSON text of the preset file (same inputs, same bytes)."""
        from datacf._explorer import explore_result

        grid, result = explore_result(self.state)
        document = {"schema": PRESET_SCHEMA, "version": PRESET_SCHEMA_VERSION, "preset": self.name,
                    "title": self.title, "description": self.description,
                    "input_hash": self.input_hash(code_digest), "state": self.state, "result": result,
                    "grid": json.loads(grid.to_json())}
        if self.tutorial is not None:
            document["tutorial"] = self.render_tutorial(dict(result, values=grid.values.tolist()))
        return json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"


    def readers(self, out=None):
        """``{"": Reader, "after.": Reader}`` of this preset's state and its step's (if any)."""
        from datacf._explorer import explore

        from .tutorials import Reader

        readers = {"": Reader(out or explore(self.state))}
        if self.after is not None:
            readers["after."] = Reader(explore(self.after))
        return readers

    def render_tutorial(self, out=None):
        """The tutorial's texts with their readings filled in, and what the page needs to go live."""
        from .tutorials import TutorialError, render_text

        where = f"Preset {self.name!r}, tutorial"
        readers = self.readers(out)
        try:
            texts = {key: render_text(self.tutorial[key], readers, f"{where}.{key}")
                     for key in ("goal", "do", "notice", "question")}
            asked = readers["after." if self.after is not None else ""]
            texts["answer"] = render_text(self.tutorial["answer"], {"": asked}, f"{where}.answer",
                                          allow_build=False, strict=True)
        except TutorialError as error:
            raise PresetError(str(error)) from None
        texts["answer_template"] = self.tutorial["answer"]
        texts["after_state"] = self.after
        return texts


def parse_presets(text, source=PRESETS_FILE):
    """Parse and validate TOML preset declarations into ``{name: Preset}`` (file order)."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PresetError(f"{source} is not valid TOML: {error}.") from None
    if not table:
        raise PresetError(f"{source} declares no presets.")
    return {name: Preset(name, spec) for name, spec in table.items()}


def load_presets(path):
    path = Path(path)
    return parse_presets(path.read_text(encoding="utf-8"), source=str(path))


def presets_dir(grids_dir):
    """Where preset JSON goes: ``explorer/`` inside the grids directory."""
    return Path(grids_dir) / "explorer"


def _stored_hash(path):
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document.get("input_hash") if isinstance(document, dict) else None


def build_presets(presets, out_dir, force=False, log=print):
    """Write every preset's JSON into ``out_dir``, skipping those up to date; remove orphans.

    Returns the names of the presets that were (re)computed.
    """
    out_dir = Path(out_dir)
    digest = _code_digest()
    written = []
    for name, preset in presets.items():
        path = out_dir / f"{name}.json"
        if not force and _stored_hash(path) == preset.input_hash(digest):
            continue
        start = time.perf_counter()
        _write_atomic(path, preset.document(digest))
        written.append(name)
        log(f"explorer preset {name}: computed in {time.perf_counter() - start:.2f} s -> {path}")
    if out_dir.is_dir():
        for orphan in sorted(out_dir.glob("*.json")):
            if orphan.stem not in presets:
                orphan.unlink()
                log(f"removed {orphan} (no such explorer preset is declared)")
    return written


class PresetStore:
    """The preset files of one build, read on first use."""

    def __init__(self, directory, presets):
        self.dir = Path(directory)
        self.presets = presets
        self._cache = {}

    def names(self):
        return list(self.presets)

    def get(self, name):
        """The parsed JSON document of preset ``name``."""
        if not isinstance(name, str) or name not in self.presets:
            raise PresetError(f"unknown explorer preset {name!r}; the presets are {self.names()} ({PRESETS_FILE}).")
        if name not in self._cache:
            path = self.dir / f"{name}.json"
            try:
                self._cache[name] = json.loads(path.read_text(encoding="utf-8"))
            except OSError:
                raise PresetError(f"the preset file {path} is missing; build the site again.") from None
        return self._cache[name]


# --- the MkDocs hook's three calls (sitebuild/hooks.py) ----------------------------------------


def build_for_site(docs_dir, grids_dir, log=print):
    """``on_pre_build``: build every declared preset; the store pages read from."""
    from mkdocs.exceptions import PluginError

    try:
        presets = load_presets(Path(docs_dir) / PRESETS_FILE)
        out_dir = presets_dir(grids_dir)
        build_presets(presets, out_dir, log=log)
    except (PresetError, OSError) as error:
        raise PluginError(f"datacf explorer presets: {error}") from None
    return PresetStore(out_dir, presets)


def add_site_files(files, store, config):
    """``on_files``: ship each preset's JSON as ``grids/explorer/NAME.json``."""
    from mkdocs.structure.files import File

    for name in store.names():
        files.append(File.generated(config, f"grids/explorer/{name}.json", abs_src_path=str(store.dir / f"{name}.json")))
