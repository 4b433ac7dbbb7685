"""The glossary (docs/glossary.md): at least 30 terms, each short, each linked to where it is shown.

A term is a paragraph ``**Term**: definition. [Where](page.md#anchor)`` followed by an
attribute line ``{: #term-id }``, so other pages can link to ``glossary.md#term-id``. In the
built site every link of every term must reach an existing page and anchor (mkdocs' strict mode
checks pages but not anchors). The built site and the link checker here are shared with
``test_story_links.py``; the site is built once per test process, or DATACF_BUILT_SITE names an
already built one.
"""
import functools
import os
import posixpath
import re
import subprocess
import sys
import tempfile
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("mkdocs")

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SOURCE = DOCS / "glossary.md"
# The terms issue 9 asks for by name (case-insensitive prefixes of a term's name).
REQUIRED = ["grid", "row", "column", "utility", "leave-one-out", "group leave-one-out", "semivalue",
            "shapley value", "banzhaf value", "beta shapley", "efficiency", "symmetry", "null player",
            "interaction index", "knn-shapley", "least core", "datamodel", "influence function", "newton step",
            "certified removal", "unlearning", "scaling law", "learning curve", "permutation sampling", "msr",
            "standard error", "data poisoning", "label flip", "collective action", "data strike", "data leverage",
            "memorisation", "held-out evaluation", "convention"]
ENTRY = re.compile(r"^\*\*(?P<term>[^*]+)\*\*: (?P<body>.+?)\n\{: #(?P<id>[a-z0-9-]+) \}$", re.S | re.M)
LINK = re.compile(r"\]\(([^)\s]+)\)")
MAX_DEFINITION_CHARS = 520      # "a sentence or two": the longest entry today is about 420 characters


@functools.cache
def built_site():
    """The site built with ``mkdocs build --strict`` (once per process), or DATACF_BUILT_SITE."""
    prebuilt = os.environ.get("DATACF_BUILT_SITE")
    if prebuilt:
        return Path(prebuilt)
    out = Path(tempfile.mkdtemp(prefix="datacf-story-")) / "site"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(out)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return out


def page_html(site, page):
    """The built HTML of a source page (``grid.md`` -> ``grid/index.html``)."""
    stem = page[:-len(".md")]
    path = site / ("index.html" if stem == "index" else
                   f"{stem[:-len('/index')]}/index.html" if stem.endswith("/index") else f"{stem}/index.html")
    return path.read_text(encoding="utf-8")


def page_url(page):
    """The site-relative directory URL of a source page: ``grid.md`` -> ``grid/``, ``index.md`` -> ````."""
    stem = page[:-len(".md")]
    if stem == "index":
        return ""
    return (stem[:-len("index")] if stem.endswith("/index") else stem + "/")


class Paragraphs(HTMLParser):
    """Every ``<p>`` of a page: its id, whether it opens with ``<strong>``, its text and its links."""

    def __init__(self):
        super().__init__()
        self.found, self._open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "p":
            self._open = {"id": attrs.get("id"), "strong_first": None, "text": "", "hrefs": []}
        elif self._open is not None:
            if self._open["strong_first"] is None:
                self._open["strong_first"] = tag == "strong" and not self._open["text"].strip()
            if tag == "a" and "href" in attrs:
                self._open["hrefs"].append(attrs["href"])

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag):
        if tag == "p" and self._open is not None:
            self.found.append(self._open)
            self._open = None


def paragraphs(html):
    parser = Paragraphs()
    parser.feed(html)
    return parser.found


def ids_in(html):
    return set(re.findall(r'\sid="([^"]+)"', html))


def resolve(site, from_url, href):
    """Where a link from the page at site-relative ``from_url`` lands: (file path, fragment), or None if outside."""
    parts = urllib.parse.urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    target = posixpath.normpath(posixpath.join("/" + from_url, parts.path)) if parts.path else "/" + from_url
    if parts.path.endswith("/") or not parts.path:
        target = target.rstrip("/") + "/index.html"
    return site / target.lstrip("/"), parts.fragment


def broken_link(site, from_url, href):
    """Why a site-internal link is broken (no such file, or no such anchor there), or None."""
    resolved = resolve(site, from_url, href)
    if resolved is None:
        return None
    path, fragment = resolved
    if not path.is_file():
        return f"{href}: no page {path.relative_to(site)}"
    if fragment and fragment not in ids_in(path.read_text(encoding="utf-8")):
        return f"{href}: no anchor #{fragment} in {path.relative_to(site)}"
    return None


def entries():
    """[(term, body, id)] from the Markdown source, in page order."""
    text = SOURCE.read_text(encoding="utf-8")
    return [(m["term"], m["body"], m["id"]) for m in ENTRY.finditer(text)]


def built_terms():
    """The term paragraphs of the built glossary: paragraphs with an id that open with <strong>."""
    return [p for p in paragraphs(page_html(built_site(), "glossary.md")) if p["id"] and p["strong_first"]]


def test_at_least_30_terms():
    """The source defines at least 30 terms, and every ``**Term**`` paragraph has an anchor."""
    found = entries()
    text = SOURCE.read_text(encoding="utf-8")
    assert len(found) >= 30
    assert len(found) == len(re.findall(r"^\*\*(?!Next:)[^*]+\*\*: ", text, flags=re.M))


def test_required_terms_are_defined():
    """Every term the issue names has an entry."""
    names = [term.lower() for term, _, _ in entries()]
    missing = [r for r in REQUIRED if not any(name.startswith(r) for name in names)]
    assert not missing


def test_terms_and_anchors_are_unique():
    """No term or anchor is defined twice."""
    found = entries()
    assert len({t.lower() for t, _, _ in found}) == len(found)
    assert len({i for _, _, i in found}) == len(found)


@pytest.mark.parametrize("term, body, anchor", entries(), ids=[e[2] for e in entries()])
def test_each_term_is_short_and_links_somewhere_else(term, body, anchor):
    """A definition of a sentence or two, with at least one link to another page of the site."""
    assert len(" ".join(body.split())) <= MAX_DEFINITION_CHARS
    targets = LINK.findall(body)
    assert targets, f"{term} links nowhere"
    assert any(not t.startswith(("#", "glossary.md", "http")) for t in targets), f"{term} links only to itself"


def test_every_term_link_resolves_in_the_built_site():
    """Each term paragraph of the built page has its anchor and only links that reach a page and anchor."""
    site = built_site()
    terms = built_terms()
    assert [p["id"] for p in terms] == [anchor for _, _, anchor in entries()]
    problems = [f"{p['id']}: {broken_link(site, 'glossary/', href)}" for p in terms for href in p["hrefs"]
                if broken_link(site, "glossary/", href)]
    assert not problems
    assert all(p["hrefs"] for p in terms)


class TestResolver:
    """The link checker itself, on a tiny site written here."""

    @pytest.fixture()
    def tiny(self, tmp_path):
        (tmp_path / "a").mkdir()
        (tmp_path / "a" / "index.html").write_text('<h2 id="here">x</h2>', encoding="utf-8")
        (tmp_path / "index.html").write_text("<p>home</p>", encoding="utf-8")
        return tmp_path

    @pytest.mark.parametrize("href", ["a/", "a/#here", "../", "#", "https://example.org/x"])
    def test_good_links_pass(self, tiny, href):
        """Existing pages and anchors, and outside links, are not reported."""
        assert broken_link(tiny, "" if not href.startswith("..") else "a/", href) is None

    @pytest.mark.parametrize("href, problem", [("b/", "no page b/index.html"), ("a/#gone", "no anchor #gone")])
    def test_bad_links_are_reported(self, tiny, href, problem):
        """A missing page or anchor is named."""
        assert problem in broken_link(tiny, "", href)
