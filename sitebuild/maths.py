"""Formulas typeset at build time: the TeX that ``pymdownx.arithmatex`` marks becomes KaTeX.

Authors write ``$…$`` (inline) and ``$$ … $$`` (display) in Markdown. ``pymdownx.arithmatex``
(``generic: true`` in mkdocs.yml) leaves each formula's TeX in a ``<span class="arithmatex">``
or ``<div class="arithmatex">``; ``typeset_html`` replaces each with KaTeX's HTML and MathML,
rendered by Node (``sitebuild/katex_render.mjs``, KaTeX pinned in package-lock.json). The
page needs no script and no CDN: the site ships KaTeX's stylesheet and fonts (``site_files``,
``CSS_PATH``), so the maths reads with JavaScript off and under the site's
Content-Security-Policy, and a screen reader reads the MathML.

Without Node or without ``node_modules/katex`` (``npm ci`` not run), each formula is shown as
its TeX source in a ``<code class="dcf-tex">`` and the build says so once; with
``DATACF_REQUIRE_EDITOR=1`` (the Pages workflow, which also requires the code editor bundle)
that is an error instead. A formula KaTeX cannot typeset fails the build with its page.
"""
import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

__all__ = ["CSS_PATH", "MathsError", "Typesetter", "typeset_html", "source_html", "require_katex", "site_files"]

ROOT = Path(__file__).resolve().parent.parent
CSS_PATH = "vendor/katex/katex.min.css"      # in the built site; fonts go to vendor/katex/fonts/
_SCRIPT = Path(__file__).with_name("katex_render.mjs")
_MATH = re.compile(r'<(?P<tag>span|div) class="arithmatex">(?P<tex>.*?)</(?P=tag)>', re.S)
_DELIMITERS = {"span": (r"\(", r"\)"), "div": (r"\[", r"\]")}
_NODE_SECONDS = 120      # one Node run typesets a page's formulas in well under a second


class MathsError(ValueError):
    """Raised when a formula cannot be typeset, or KaTeX is required and missing."""


def source_html(tex, display):
    """The fallback without KaTeX: the TeX source as code, readable as it stands."""
    code = f'<code class="dcf-tex">{html.escape(tex)}</code>'
    return f'<div class="dcf-tex-display">{code}</div>' if display else code


class Typesetter:
    """Typesets formulas with KaTeX in Node, remembering each one for later pages and rebuilds.

    ``node`` is the Node executable (default: ``node`` on the PATH) and ``katex_dir`` the
    package's ``dist`` directory; if either is missing, ``available`` is False and
    ``render`` gives ``source_html``.
    """

    def __init__(self, node="default", katex_dir=ROOT / "node_modules" / "katex" / "dist"):
        self.node = shutil.which("node") if node == "default" else node
        self.katex_dir = Path(katex_dir)
        self.version = None
        self._cache = {}

    @property
    def available(self):
        return bool(self.node) and (self.katex_dir / "katex.mjs").is_file()

    @property
    def missing(self):
        """Why formulas fall back to TeX source (None when KaTeX is available)."""
        if not self.node:
            return "Node.js was not found"
        if not self.available:
            return f"KaTeX is not installed ({self.katex_dir} is missing; run npm ci)"
        return None

    def render(self, formulas, where="page"):
        """HTML for each ``(tex, display)`` in ``formulas``: KaTeX's, or the TeX source."""
        if not self.available:
            return [source_html(tex, display) for tex, display in formulas]
        todo = sorted({f for f in formulas if f not in self._cache})
        if todo:
            request = json.dumps([{"tex": tex, "display": display} for tex, display in todo])
            try:
                run = subprocess.run([self.node, str(_SCRIPT)], input=request, capture_output=True, text=True,
                                     cwd=ROOT, timeout=_NODE_SECONDS, check=False)
            except (OSError, subprocess.TimeoutExpired) as error:
                raise MathsError(f"{where}: running KaTeX in Node failed: {error}") from None
            if run.returncode != 0:
                raise MathsError(f"{where}: KaTeX in Node exited with {run.returncode}: {run.stderr.strip()[-2000:]}")
            reply = json.loads(run.stdout)
            self.version = reply["version"]
            for (tex, display), result in zip(todo, reply["formulas"]):
                if "error" in result:
                    raise MathsError(f"{where}: KaTeX cannot typeset the formula {tex!r}: {result['error']}")
                self._cache[tex, display] = result["html"]
        return [self._cache[f] for f in formulas]


def typeset_html(page_html, typesetter, where="page"):
    """``page_html`` with every arithmatex formula typeset (or shown as TeX without KaTeX)."""
    found = []
    for match in _MATH.finditer(page_html):
        tag, body = match.group("tag"), html.unescape(match.group("tex")).strip()
        start, end = _DELIMITERS[tag]
        if not (body.startswith(start) and body.endswith(end)):
            raise MathsError(f"{where}: an arithmatex {tag} without its {start} {end} delimiters: {body[:80]!r}; "
                             "set generic: true for pymdownx.arithmatex in mkdocs.yml.")
        found.append((body[len(start):-len(end)].strip(), tag == "div"))
    if not found:
        return page_html
    rendered = iter(typesetter.render(found, where))
    return _MATH.sub(lambda match: next(rendered), page_html)


def require_katex(typesetter):
    """Raise ``MathsError`` if KaTeX is missing and ``DATACF_REQUIRE_EDITOR=1`` demands Node's tools."""
    if typesetter.missing and os.environ.get("DATACF_REQUIRE_EDITOR") == "1":
        raise MathsError(f"{typesetter.missing}, and DATACF_REQUIRE_EDITOR=1 requires typeset maths.")


def site_files(typesetter):
    """``[(path in the site, source file)]``: KaTeX's stylesheet and fonts, or [] without KaTeX."""
    if not typesetter.available:
        return []
    css = typesetter.katex_dir / "katex.min.css"
    fonts = sorted((typesetter.katex_dir / "fonts").glob("KaTeX_*"))
    folder = CSS_PATH.rsplit("/", 1)[0]
    return [(CSS_PATH, css)] + [(f"{folder}/fonts/{font.name}", font) for font in fonts]
