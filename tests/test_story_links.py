"""The reading order: each story page ends with a "Next: ..., because ..." line that resolves.

The pages are read in the order of ``nav`` in mkdocs.yml. Each page listed in ``STORY_PAGES``
ends with one paragraph ``**Next: [Title](page.md)**, because ...``; in the built site its link
must reach a page that exists, and that page must be the one after it in the nav, so the story
and the sidebar agree. The site is built once per test process (``test_glossary.built_site``);
DATACF_BUILT_SITE names an already built site to check instead.
"""
import posixpath
import re
from pathlib import Path

import pytest
import yaml

from test_glossary import broken_link, built_site, page_html, page_url, paragraphs

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# The pages whose closing "Next" line this suite owns, in reading order.
STORY_PAGES = ["index.md", "grid.md", "explorer.md", "leave-one-out.md", "valuation.md", "influence.md",
               "unlearning.md", "evaluation.md", "poisoning.md", "collective-action.md", "sampled.md",
               "scaling-laws.md", "try-it.md", "notebook.md", "glossary.md"]
NEXT_LINE = re.compile(r"\*\*Next: \[[^\]]+\]\(([^)#\s]+)\)\*\*, because \S.*\.\Z", re.S)


def nav_pages():
    """The source pages of mkdocs.yml's nav, in order (a section contributes its pages in order)."""
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!ENV", lambda loader, node: None)
    nav = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)["nav"]

    def walk(item):
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for value in item.values():
                yield from walk(value)
        elif isinstance(item, list):
            for value in item:
                yield from walk(value)

    return [page for page in walk(nav) if page.endswith(".md")]


def next_target(page):
    """The page the source's closing Next line links to."""
    text = (DOCS / page).read_text(encoding="utf-8").rstrip()
    last = text.split("\n\n")[-1]
    match = NEXT_LINE.match(last)
    assert match, f"{page} does not end with '**Next: [Title](page.md)**, because ...': {last[:120]!r}"
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), match.group(1)))


@pytest.mark.parametrize("page", STORY_PAGES)
def test_page_ends_with_a_next_line_that_says_why(page):
    """The last paragraph is '**Next: [Title](page.md)**, because ...', pointing at a page in docs/."""
    assert (DOCS / next_target(page)).is_file()


@pytest.mark.parametrize("page", STORY_PAGES)
def test_next_is_the_following_page_in_the_nav(page):
    """The story's next page is the sidebar's next page (where both are listed)."""
    nav = nav_pages()
    if page not in nav:
        pytest.skip(f"{page} is not in the nav yet")
    following = nav[nav.index(page) + 1]
    assert next_target(page) == following, (
        f"{page} says Next is {next_target(page)}, but the nav continues with {following}: "
        "update the page's closing Next line or the nav order")


@pytest.mark.parametrize("page", STORY_PAGES)
def test_next_link_resolves_in_the_built_site(page):
    """In the built HTML the Next paragraph's link reaches an existing page."""
    site = built_site()
    found = [p for p in paragraphs(page_html(site, page)) if p["strong_first"] and p["text"].startswith("Next: ")]
    assert len(found) == 1, f"{page}: expected one Next paragraph, found {len(found)}"
    assert "because" in found[0]["text"] and found[0]["hrefs"]
    for href in found[0]["hrefs"]:
        assert broken_link(site, page_url(page), href) is None, broken_link(site, page_url(page), href)


def test_story_runs_from_the_home_page_through_the_grid_and_leave_one_out():
    """Following Next from the home page reaches the grid, then leave-one-out, in the nav's order."""
    nav = nav_pages()
    assert nav[:2] == ["index.md", "grid.md"] and next_target("index.md") == "grid.md"
    assert nav.index("grid.md") < nav.index("leave-one-out.md")
