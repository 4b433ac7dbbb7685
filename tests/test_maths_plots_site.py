"""The built site's maths and plots: KaTeX served by the site, MathML, no CDN, charts with tables.

The site is built once for this module (``mkdocs build --strict``), or taken from
DATACF_BUILT_SITE while iterating.
"""
import html
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sitebuild.maths import CSS_PATH, Typesetter

from test_plots import PAGE_METHODS, PAGE_N, textbook_weight

pytest.importorskip("mkdocs")
ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not Typesetter().available, reason="KaTeX unavailable (npm ci)")
# Every inline $…$ and display $$…$$ formula of a page's Markdown (outside code blocks).
_FORMULA = re.compile(r"\$\$.+?\$\$|\$[^$\s][^$]*?\$", re.S)
_CDN_MATHS = re.compile(r"(?:https?:)?//[^\s\"'()<>]*(?:katex|mathjax)", re.IGNORECASE)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    prebuilt = os.environ.get("DATACF_BUILT_SITE")
    if prebuilt:
        return Path(prebuilt)
    tmp = tmp_path_factory.mktemp("site")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp / "site")],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return tmp / "site"


@pytest.fixture(scope="module")
def valuation(site):
    return (site / "valuation" / "index.html").read_text(encoding="utf-8")


def test_every_formula_is_typeset_with_mathml(valuation):
    """Each formula of docs/valuation.md is KaTeX markup with MathML; no TeX is left for a script."""
    markdown = (ROOT / "docs" / "valuation.md").read_text(encoding="utf-8")
    prose = re.sub(r"^```.*?^```", "", markdown, flags=re.S | re.M)
    expected = len(_FORMULA.findall(prose))
    assert expected >= 10
    assert valuation.count('<span class="katex">') == expected
    assert valuation.count('<math xmlns="http://www.w3.org/1998/Math/MathML"') == expected
    assert "arithmatex" not in valuation and "\\(" not in valuation.split('<div class="md-content"')[1]


def test_each_page_links_the_sites_own_katex_stylesheet(site):
    """Every page links KaTeX's stylesheet by a relative URL (instant navigation keeps the first page's head)."""
    pages = sorted(site.rglob("index.html"))
    assert len(pages) > 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        links = re.findall(r'<link rel="stylesheet" href="([^"]*katex[^"]*)"', text)
        assert len(links) == 1 and links[0].endswith(CSS_PATH) and "//" not in links[0], page
        assert (page.parent / links[0]).resolve() == (site / CSS_PATH).resolve()


def test_katex_fonts_are_in_the_site(site):
    """Every font the shipped stylesheet names is a file of the built site."""
    css = (site / CSS_PATH).read_text(encoding="utf-8")
    fonts = set(re.findall(r"url\(([^)]+)\)", css))
    assert len(fonts) >= 20
    assert [f for f in fonts if not (site / CSS_PATH).parent.joinpath(f).is_file()] == []


def test_no_cdn_serves_maths(site):
    """No page, stylesheet or script of the built site points at KaTeX or MathJax on another host."""
    found = {}
    for path in site.rglob("*"):
        if path.suffix in (".html", ".css", ".js", ".json") and path.is_file():
            hits = _CDN_MATHS.findall(path.read_text(encoding="utf-8", errors="replace"))
            if hits:
                found[str(path.relative_to(site))] = hits[:3]
    assert found == {}


def _weights_figure(page_html):
    (figure,) = re.findall(r'<figure class="dcf-plot" id="weights".*?</figure>', page_html, re.S)
    return figure


def test_weights_chart_has_title_description_and_tables(valuation):
    """The weights figure's SVG is a titled, described image, with a table for every n it offers."""
    figure = _weights_figure(valuation)
    svg = re.search(r"<svg [^>]*>", figure).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="weights-n10-t" aria-describedby="weights-n10-d"' in svg
    assert re.search(r'<title id="weights-n10-t">[^<]+, n = 10</title><desc id="weights-n10-d">[^<]{40,}</desc>',
                     figure)
    captions = re.findall(r"<table data-view=\"\d+\"><caption>(.*?)</caption>", figure)
    assert captions == [f"n = {n}" for n in PAGE_N]


def test_weights_tables_show_the_textbook_shares(valuation):
    """Every number in the weights tables is C(n-1, k) w(k) of the textbook formula, as shown (3 decimals)."""
    figure = _weights_figure(valuation)
    tables = re.findall(r"<table data-view=\"\d+\">(.*?)</table>", figure, re.S)
    for n, table in zip(PAGE_N, tables):
        rows = re.findall(r"<tr><th scope=\"row\">(\d+)</th>(.*?)</tr>", table)
        assert [int(k) for k, _ in rows] == list(range(n))
        for k, cells in rows:
            shown = [float(html.unescape(c).replace("\u2212", "-")) for c in re.findall(r"<td>(.*?)</td>", cells)]
            expected = [float(math.comb(n - 1, int(k)) * textbook_weight(m, n, int(k))) for m in PAGE_METHODS]
            assert shown == pytest.approx(expected, abs=0.0005 + 1e-12), (n, k)
