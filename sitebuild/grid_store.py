"""The example grids a build's pages read (``GridStore``), and ``PageError`` for a page's mistakes."""
import json
from pathlib import Path

__all__ = ["PageError", "GridStore", "names_list", "block_example"]


class PageError(ValueError):
    """Raised when a page refers to an unknown example, key, row, column, reading or format."""


class GridStore:
    """The example JSON files of one build, loaded on first use."""

    def __init__(self, grids_dir, examples=None):
        self.grids_dir = Path(grids_dir)
        self.examples = examples
        self._cache = {}

    def names(self):
        if self.examples is not None:
            return list(self.examples)
        return sorted(p.stem for p in self.grids_dir.glob("*.json"))

    def get(self, name):
        """``(document, Grid)`` of the example ``name``."""
        from datacf import Grid

        if not isinstance(name, str) or name not in self.names():
            raise PageError(f"unknown example {name!r}; the examples are {self.names()} (docs/examples.toml).")
        if name not in self._cache:
            path = self.grids_dir / f"{name}.json"
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except OSError:
                raise PageError(f"the grid file {path} is missing; run python build_grids.py.") from None
            self._cache[name] = document, Grid.from_json(json.dumps(document["grid"]))
        return self._cache[name]


def names_list(value, what, where):
    """A page option that lists names (``[AB, ABCD]``, or one name), checked to be text."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise PageError(f"{where}: {what} must be a non-empty list, e.g. [AB, ABCD]; got {value!r}.")
    for item in value:
        if not isinstance(item, str):
            raise PageError(f"{where}: {what} must list names as text; got {item!r} (quote it).")
    return value


def block_example(options, store, where):
    """(name, where, document, grid) of the example a block names; ``where`` now names it too."""
    name = options["example"]
    where = f"{where} (example {name!r})" if isinstance(name, str) else where
    try:
        document, grid = store.get(name)
    except PageError as error:
        raise PageError(f"{where}: {error}") from None
    return name, where, document, grid
