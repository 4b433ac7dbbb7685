"""Runnable code cells: a fenced ``datacf-run`` block becomes Python the reader can edit and run.

An author writes::

    ```datacf-run id=flip-e title="Flip E's label"
    import datacf as dcf
    grid = dcf.compute_grid(dcf.toy_dataset("four_points"), dcf.models.KNN(k=1))
    print(grid.loo())
    ```

and the build writes a normal highlighted Python code block inside a wrapper::

    <div class="dcf-cell" data-dcf-python data-cell="flip-e"> ...code block... </div>

so the page reads with JavaScript off. ``data-dcf-python`` tells the page's runtime
(``docs/js/runtime.js``) that the page needs Python; ``docs/js/code-cell.js`` turns the block
into an editor with Run, Stop and Reset. ``data-cell`` is the cell's stable id on its page: the
reader's edits are saved under it, so give cells an ``id`` when a page has several and may be
reordered (the default is ``cell-1``, ``cell-2``, ... in page order).

Options, on the opening fence line, each at most once:

- ``id=NAME``: lower-case letters, digits and hyphens, unique on the page;
- ``title="TEXT"``: a short title, shown above the code and used as the editor's label.

The code must parse as Python 3 (checked at build time), and anything else fails the build.
"""
import ast
import re
import shlex

__all__ = ["CELL_LANG", "CELL_OPTIONS", "CellError", "CellCounter", "render_cell"]

CELL_LANG = "datacf-run"
CELL_OPTIONS = ("id", "title")
_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_MAX_TITLE = 120             # characters: a title is a label, not a paragraph


class CellError(ValueError):
    """Raised for a malformed ``datacf-run`` block: bad options, a duplicate id, code that does not parse."""


class CellCounter:
    """The cell ids already used on one page, and the default id of the next cell."""

    def __init__(self):
        self.used = set()
        self.count = 0


def _options(info, where):
    """``{id, title}`` from the text after ``datacf-run`` on the opening fence line."""
    try:
        words = shlex.split(info)
    except ValueError as error:
        raise CellError(f"{where}: cannot read the options {info.strip()!r} ({error}); "
                        'write e.g. ```datacf-run id=flip-e title="Flip E\'s label"```.') from None
    options = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or key not in CELL_OPTIONS:
            raise CellError(f"{where}: unknown option {word!r}; the options are id=NAME and title=\"TEXT\".")
        if key in options:
            raise CellError(f"{where}: the option {key!r} is given twice.")
        options[key] = value
    return options


def _check_code(code, where):
    if not code.strip():
        raise CellError(f"{where}: the cell has no code; write the Python between the fences.")
    try:
        ast.parse(code, filename="<cell>")
    except SyntaxError as error:
        line = (error.text or "").strip()
        raise CellError(f"{where}: the code is not valid Python: {error.msg} on line {error.lineno} "
                        f"of the cell{f' ({line!r})' if line else ''}. Fix the code, or use a plain "
                        "```python block for code that is not meant to run.") from None


def render_cell(code, info, fence, counter, where="datacf-run block"):
    """Markdown lines for one ``datacf-run`` block.

    Parameters
    ----------
    code : str
        The block's body (the reader's starting code).
    info : str
        The rest of the opening fence line after ``datacf-run`` (the options).
    fence : str
        The author's fence (```` ``` ```` or longer), reused so the code may hold shorter ones.
    counter : CellCounter
        The page's cell ids so far; updated.
    where : str
        Where the block is, for error messages.

    Raises
    ------
    CellError
        For an unknown option, a bad or duplicate id, a bad title, or code that does not parse.
    """
    options = _options(info, where)
    counter.count += 1
    cell_id = options.get("id", f"cell-{counter.count}")
    if not _ID.match(cell_id):
        raise CellError(f"{where}: id={cell_id!r} is not a valid cell id; use 1 to 64 lower-case "
                        "letters, digits and hyphens, starting and ending with a letter or digit.")
    if cell_id in counter.used:
        raise CellError(f"{where}: the cell id {cell_id!r} is already used on this page; "
                        "give each cell its own id=NAME.")
    counter.used.add(cell_id)
    title = options.get("title")
    if title is not None and (not title.strip() or '"' in title or "\n" in title or len(title) > _MAX_TITLE):
        raise CellError(f"{where}: title={title!r} must be 1 to {_MAX_TITLE} characters of text "
                        "without double quotes.")
    _check_code(code, where)
    heading = f'```python title="{title}"' if title else "```python"
    return [
        "",
        f'<div class="dcf-cell" data-dcf-python data-cell="{cell_id}" markdown>',
        "",
        fence + heading[3:],
        *code.split("\n"),
        fence,
        "",
        "</div>",
        "",
    ]
