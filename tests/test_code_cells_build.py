"""Runnable code cells at build time: the ``datacf-run`` block, its HTML and its errors.

The browser side (editing, running, saving) is in ``tests/browser/test_code_cells.py``.
"""
import re
from html.parser import HTMLParser

import pytest

pytest.importorskip("mkdocs")

import markdown as md  # noqa: E402

from sitebuild.blocks import transform_markdown  # noqa: E402
from sitebuild.grid_store import PageError  # noqa: E402

CODE = 'import datacf as dcf\nprint("<b>LOO</b>", {"a": 1})'
# The Markdown extensions of mkdocs.yml that a cell's HTML goes through.
EXTENSIONS = ["md_in_html", "attr_list", "admonition", "pymdownx.superfences"]


class NoStore:
    """A page with cells and no grids needs no example store."""

    def get(self, name):
        raise AssertionError("a code cell must not read the example store")


def _transform(text):
    return transform_markdown(text, NoStore(), "page.md")


def _html(text):
    return md.markdown(_transform(text), extensions=EXTENSIONS)


class _Cells(HTMLParser):
    """The attributes of each ``div.dcf-cell`` and the text of the code inside it."""

    def __init__(self):
        super().__init__()
        self.cells, self.titles, self._depth, self._in_code = [], [], 0, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and "dcf-cell" in (attrs.get("class") or "").split():
            self.cells.append({"attrs": attrs, "code": ""})
        elif tag == "code" and self.cells:
            self._in_code = True
        elif tag == "span" and attrs.get("class") == "filename":
            self.titles.append("")

    def handle_endtag(self, tag):
        if tag == "code":
            self._in_code = False

    def handle_data(self, data):
        if self._in_code:
            self.cells[-1]["code"] += data
        elif self.titles and self.titles[-1] == "":
            self.titles[-1] = data


def _parse(html_text):
    parser = _Cells()
    parser.feed(html_text)
    return parser


class TestCellMarkup:
    def test_block_becomes_a_highlighted_code_block_in_a_cell(self):
        """A datacf-run block is a highlighted Python block inside div.dcf-cell[data-dcf-python]."""
        html_text = _html(f"Before.\n\n```datacf-run\n{CODE}\n```\n\nAfter.")
        (cell,) = _parse(html_text).cells
        assert cell["attrs"]["data-cell"] == "cell-1"
        assert "data-dcf-python" in cell["attrs"]
        assert cell["code"].rstrip("\n") == CODE
        assert '<span class="kn">import</span>' in html_text          # highlighted like any Python block
        assert "<b>" not in html_text and "&lt;b&gt;" in html_text      # the code is text, never HTML
        assert "<p>Before.</p>" in html_text and "<p>After.</p>" in html_text

    def test_default_ids_follow_page_order(self):
        """Cells without an id are cell-1, cell-2, ... in page order; an explicit id is kept."""
        text = "\n\n".join(["```datacf-run\nx = 1\n```", "```datacf-run id=flip-e\nx = 2\n```", "```datacf-run\nx = 3\n```"])
        ids = [cell["attrs"]["data-cell"] for cell in _parse(_html(text)).cells]
        assert ids == ["cell-1", "flip-e", "cell-3"]

    def test_title_labels_the_code(self):
        """title="..." is shown above the code, escaped."""
        parsed = _parse(_html('```datacf-run title="Flip <E>\'s label"\nx = 1\n```'))
        assert parsed.titles == ["Flip <E>'s label"]

    def test_longer_fence_may_hold_a_shorter_one(self):
        """A four-backtick cell keeps a triple-backtick string inside its code."""
        code = 'text = """\n```\n"""\nprint(text)'
        (cell,) = _parse(_html(f"````datacf-run\n{code}\n````")).cells
        assert cell["code"].rstrip("\n") == code

    def test_inline_numbers_are_not_read_inside_a_cell(self):
        """{{ dcf.… }} inside a cell's code is Python, not an inline reading."""
        code = 'print("{{ dcf.loo }}")'
        (cell,) = _parse(_html(f"```datacf-run\n{code}\n```")).cells
        assert cell["code"].rstrip("\n") == code


class TestCellErrors:
    @pytest.mark.parametrize(
        ("markdown", "message"),
        [
            ("```datacf-run\nprint(1\n```", r"page\.md, line 1, datacf-run block: the code is not valid Python: .* line 1"),
            ("```datacf-run\n\n   \n```", r"the cell has no code"),
            ("```datacf-run colour=red\nx = 1\n```", r"unknown option 'colour=red'; the options are id=NAME"),
            ("```datacf-run fast\nx = 1\n```", r"unknown option 'fast'"),
            ("```datacf-run id=Flip_E\nx = 1\n```", r"id='Flip_E' is not a valid cell id"),
            ("```datacf-run id=a id=b\nx = 1\n```", r"the option 'id' is given twice"),
            ('```datacf-run title="oops\nx = 1\n```', r"cannot read the options"),
            ('```datacf-run title=""\nx = 1\n```', r"title='' must be 1 to 120 characters"),
            ("```datacf-run id=a\nx = 1\n```\n\n```datacf-run id=a\nx = 2\n```", r"line 5.*'a' is already used"),
            ("```datacf-run id=cell-2\nx = 1\n```\n\n```datacf-run\nx = 2\n```", r"'cell-2' is already used"),
            ("```datacf-run\nx = 1\n", r"never closed"),
            ("```datacf-runnable\nx = 1\n```", r"unknown block type 'datacf-runnable'; use .*datacf-run"),
        ],
        ids=["syntax", "empty", "option", "flag", "bad-id", "twice", "quote", "empty-title", "duplicate",
             "default-clash", "unclosed", "typo"],
    )
    def test_malformed_block_fails_with_a_clear_message(self, markdown, message):
        """A malformed datacf-run block raises PageError naming the page, the line and the problem."""
        with pytest.raises(PageError, match=message):
            _transform(markdown)

    def test_plain_python_block_is_left_alone(self):
        """A ```python block is not runnable and not checked: it may hold a fragment."""
        text = "```python\nprint(1\n```"
        assert _transform(text) == text
        assert not re.search(r"dcf-cell", _html(text))
