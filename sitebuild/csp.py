"""The site's Content-Security-Policy: written once in docs/security.md, applied by the build.

docs/security.md is the one place the policy is written down: the fenced block after the line
``<!-- csp-policy -->``. The build (``on_post_build`` in ``sitebuild/hooks.py``)

- reads that policy and puts the configured runtime's origin (``extra.datacf_runtime`` /
  ``DATACF_PYODIDE_URL``) where the page names the default one, ``https://cdn.jsdelivr.net``,
  or drops it when the site hosts the runtime itself; the result is ``_csp.txt`` at the root of
  the built site, the policy a host should send (the test server sends exactly that file);
- fails if any built page has code the policy would block: an inline ``<script>``, an ``on…=``
  attribute or a ``javascript:`` URL (Material's own inline scripts are moved into files by
  the theme overrides in ``overrides/partials/javascripts/``).
"""
import re
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

from .pyodide_runtime import CDN_URL

__all__ = ["CspError", "POLICY_FILE", "DOC_PAGE", "DEFAULT_RUNTIME_ORIGIN", "documented_policy", "parse",
           "policy_for", "blocked_code", "check_site", "write_policy"]

POLICY_FILE = "_csp.txt"             # in the built site: the policy for this build's settings
DOC_PAGE = "security.md"             # in docs_dir: the policy as documented
MARKER = "<!-- csp-policy -->"       # the fenced block after this line is the policy
DEFAULT_RUNTIME_ORIGIN = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(CDN_URL))
# <script type=...> values a browser runs; anything else (application/json, ...) is data.
_SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href"}


class CspError(ValueError):
    """Raised when the documented policy cannot be read or built pages break it."""


def documented_policy(docs_dir):
    """The policy in ``docs_dir/security.md`` as one line, ``"default-src 'self'; script-src ..."``."""
    page = Path(docs_dir) / DOC_PAGE
    text = page.read_text(encoding="utf-8")
    match = re.search(re.escape(MARKER) + r"\s*\n(`{3,})[^\n]*\n(.*?)\n\1", text, re.S)
    if not match:
        raise CspError(f"{page}: no fenced code block after the line {MARKER!r}; the build reads the "
                       "Content-Security-Policy from there.")
    return _join(parse(match.group(2)))


def parse(policy):
    """``{directive: [sources]}`` of a policy written with ``;`` between directives (any whitespace)."""
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if not words:
            continue
        name = words[0].lower()
        if name in directives:
            raise CspError(f"the Content-Security-Policy names {name!r} twice; browsers ignore the second.")
        directives[name] = words[1:]
    return directives


def _join(directives):
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def _origin(url):
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def policy_for(documented, runtime):
    """The *documented* policy for one build's runtime settings (``runtime_config.resolve``).

    The documented default runtime origin becomes the configured one, or goes when self-hosting
    (``'self'`` covers the runtime then).
    """
    directives = parse(documented)
    if not any(DEFAULT_RUNTIME_ORIGIN in sources for sources in directives.values()):
        raise CspError(f"the documented Content-Security-Policy never names the default runtime origin "
                       f"{DEFAULT_RUNTIME_ORIGIN}, so the build cannot put the configured one in its place.")
    origin = None if runtime["self_host"] else _origin(runtime["pyodide_url"])
    for name, sources in directives.items():
        replaced = [origin if s == DEFAULT_RUNTIME_ORIGIN else s for s in sources]
        directives[name] = [s for i, s in enumerate(replaced) if s and s not in replaced[:i]]
    return _join(directives)


class _Blocked(HTMLParser):
    """Collects what a policy without 'unsafe-inline' blocks: inline scripts, handlers, javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self._script = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...> (an inline event handler)")
            elif name in _URL_ATTRS and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}> (a javascript: URL)")
        if tag == "script" and "src" not in attrs and (attrs.get("type") or "").strip().lower() in _SCRIPT_TYPES:
            self._script = ""

    def handle_data(self, data):
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            if self._script.strip():
                self.found.append(f"<script>{self._script.strip()[:60]}...</script> (an inline script)")
            self._script = None


def blocked_code(html_text):
    """What in one HTML page a policy without ``'unsafe-inline'`` for scripts would block."""
    parser = _Blocked()
    parser.feed(html_text)
    parser.close()
    return parser.found


def check_site(site_dir, skip=()):
    """Raise :class:`CspError` naming every built page with code the policy blocks.

    *skip* lists folders (relative to *site_dir*) not to scan, e.g. a self-hosted runtime.
    """
    site_dir = Path(site_dir)
    problems = []
    for page in sorted(site_dir.rglob("*.html")):
        where = page.relative_to(site_dir).as_posix()
        if any(where.startswith(folder.rstrip("/") + "/") for folder in skip):
            continue
        problems += [f"{where}: {item}" for item in blocked_code(page.read_text(encoding="utf-8"))]
    if problems:
        raise CspError("the site's Content-Security-Policy (docs/security.md) allows no inline script, "
                       "but these pages have some; move each into a file with a theme override "
                       "(as overrides/partials/javascripts/ does for Material's):\n  " + "\n  ".join(problems))


def write_policy(site_dir, policy):
    """Write *policy* to ``_csp.txt`` in *site_dir*, one line; return its path."""
    path = Path(site_dir) / POLICY_FILE
    path.write_text(policy + "\n", encoding="utf-8")
    return path
