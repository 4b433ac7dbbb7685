"""Formulas typeset at build time (sitebuild/maths.py): KaTeX HTML and MathML, or the TeX source."""
import html
import json
import os
import re
from pathlib import Path

import pytest

from sitebuild.maths import CSS_PATH, MathsError, Typesetter, require_katex, site_files, typeset_html

KATEX = Typesetter()
needs_katex = pytest.mark.skipif(not KATEX.available, reason=f"KaTeX unavailable: {KATEX.missing} (npm ci)")
INLINE = r'<p>Each <span class="arithmatex">\(w(k) = 1/2^{n-1}\)</span> and <span class="arithmatex">\(a&lt;b\)</span>.</p>'
DISPLAY = '<div class="arithmatex">\\[\n\\frac{1}{n \\binom{n-1}{k}}\n\\]</div>'


def _annotations(page_html):
    """The TeX that KaTeX's MathML keeps in each ``<annotation encoding="application/x-tex">``."""
    return [html.unescape(tex) for tex in re.findall(r'<annotation encoding="application/x-tex">(.*?)</annotation>',
                                                     page_html, re.S)]


class TestTypeset:
    @needs_katex
    def test_inline_formulas_become_katex_with_mathml(self):
        """Each inline formula becomes KaTeX markup whose MathML annotation is the author's TeX."""
        out = typeset_html(INLINE, KATEX)
        assert "arithmatex" not in out
        assert out.count('<span class="katex">') == 2
        assert out.count("<math") == 2 and "katex-display" not in out
        assert _annotations(out) == ["w(k) = 1/2^{n-1}", "a<b"]

    @needs_katex
    def test_display_formula_is_a_block_with_mathml(self):
        """A display formula becomes a KaTeX display block, with block MathML for screen readers."""
        out = typeset_html(DISPLAY, KATEX)
        assert out.startswith('<span class="katex-display">')
        assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in out
        assert _annotations(out) == [r"\frac{1}{n \binom{n-1}{k}}"]

    @needs_katex
    def test_a_formula_katex_cannot_read_fails_with_its_page(self):
        """An unbalanced formula raises MathsError naming the page and the formula."""
        with pytest.raises(MathsError, match=r"^valuation\.md: KaTeX cannot typeset the formula '\\\\frac\{1\}\{': "):
            typeset_html(r'<span class="arithmatex">\(\frac{1}{\)</span>', KATEX, "valuation.md")

    @needs_katex
    def test_an_unknown_command_is_an_error_not_red_text(self):
        """KaTeX's strict mode turns an unknown command into a build error."""
        with pytest.raises(MathsError, match="cannot typeset the formula"):
            typeset_html(r'<span class="arithmatex">\(\nosuchcommand{x}\)</span>', KATEX)

    def test_a_page_without_maths_is_unchanged(self):
        """A page with no arithmatex element is returned as it is, without running Node."""
        page = "<p>No formulas, only $5 and \\(text\\).</p>"
        assert typeset_html(page, Typesetter(node="/nonexistent/node")) == page

    def test_markup_without_delimiters_is_refused(self):
        """An arithmatex element without \\( \\) is a configuration error, named as such."""
        with pytest.raises(MathsError, match=r"without its \\\( \\\) delimiters: 'x'; set generic: true"):
            typeset_html('<span class="arithmatex">x</span>', KATEX)


class TestWithoutNode:
    """Without Node or KaTeX the formulas show as their TeX source: readable, escaped, no script."""

    def test_source_is_shown_as_code(self):
        """Inline TeX becomes a code element holding the escaped source."""
        out = typeset_html(INLINE, Typesetter(node=None))
        assert out == ('<p>Each <code class="dcf-tex">w(k) = 1/2^{n-1}</code> and '
                       '<code class="dcf-tex">a&lt;b</code>.</p>')

    def test_display_source_is_a_block(self):
        """Display TeX becomes a block of code."""
        out = typeset_html(DISPLAY, Typesetter(node=None))
        assert out == '<div class="dcf-tex-display"><code class="dcf-tex">\\frac{1}{n \\binom{n-1}{k}}</code></div>'

    def test_missing_katex_is_reported(self, tmp_path):
        """A Typesetter without the KaTeX package says why, ships no files and falls back."""
        typesetter = Typesetter(katex_dir=tmp_path)
        assert not typesetter.available
        assert typesetter.missing == f"KaTeX is not installed ({tmp_path} is missing; run npm ci)"
        assert Typesetter(node=None).missing == "Node.js was not found"
        assert site_files(typesetter) == []

    def test_required_katex_fails_the_build(self, monkeypatch):
        """With DATACF_REQUIRE_EDITOR=1 (the Pages workflow) a missing KaTeX is an error."""
        monkeypatch.setenv("DATACF_REQUIRE_EDITOR", "1")
        with pytest.raises(MathsError, match="^Node.js was not found, and DATACF_REQUIRE_EDITOR=1 requires typeset "
                                             "maths.$"):
            require_katex(Typesetter(node=None))

    def test_not_required_by_default(self, monkeypatch):
        """Without that variable a missing KaTeX only falls back."""
        monkeypatch.delenv("DATACF_REQUIRE_EDITOR", raising=False)
        require_katex(Typesetter(node=None))


@needs_katex
def test_site_files_hold_every_font_the_stylesheet_names():
    """The shipped stylesheet's every url(...) is a shipped file, so no font is fetched elsewhere."""
    files = dict(site_files(KATEX))
    css = files[CSS_PATH].read_text(encoding="utf-8")
    folder = os.path.dirname(CSS_PATH)
    named = set(re.findall(r"url\(([^)]+)\)", css))
    assert named and all(not url.startswith(("http:", "https:", "//")) for url in named)
    assert {f"{folder}/{url}" for url in named} <= set(files)


@needs_katex
def test_katex_is_pinned_and_is_what_runs():
    """package.json pins KaTeX exactly, the lock resolves it with an integrity hash, and Node runs that version."""
    root = Path(__file__).resolve().parent.parent
    pinned = json.loads((root / "package.json").read_text(encoding="utf-8"))["devDependencies"]["katex"]
    locked = json.loads((root / "package-lock.json").read_text(encoding="utf-8"))["packages"]["node_modules/katex"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned) and locked["version"] == pinned
    assert locked["integrity"].startswith("sha512-")
    typesetter = Typesetter()
    typesetter.render([("x", False)])
    assert typesetter.version == pinned
