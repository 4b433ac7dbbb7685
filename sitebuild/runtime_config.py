"""The page's Python runtime settings: from mkdocs.yml and the environment to a ``<meta>`` tag.

mkdocs.yml holds them under ``extra: datacf_runtime:`` (every key optional)::

    extra:
      datacf_runtime:
        pyodide_version: "0.27.7"      # must be the pinned version (its integrity hashes are here)
        pyodide_url: https://cdn.jsdelivr.net/pyodide/v0.27.7/full/
        self_host: false               # true: copy the runtime into the site, load it from there
        time_budget_ms: 30000          # a run longer than this is stopped (worker restarted)

At build time ``DATACF_PYODIDE_URL`` overrides ``pyodide_url`` and ``DATACF_PYODIDE_SELF_HOST=1``
turns self-hosting on. Each page gets the result as ``<meta name="datacf-runtime" content=JSON>``
(no inline script: Material's instant navigation re-runs inline scripts), which
``docs/js/runtime.js`` reads. Unknown keys and bad values fail the build.
"""
import html
import json
import os

from .pyodide_runtime import CDN_URL, CORE_INTEGRITY, FILE_SIZES, PYODIDE_VERSION

__all__ = ["RuntimeConfigError", "DEFAULTS", "DEPENDS", "IMPORTS", "SELF_HOST_DIR", "resolve", "meta_tag"]

DEFAULTS = {"pyodide_version": PYODIDE_VERSION, "pyodide_url": CDN_URL, "self_host": False, "time_budget_ms": 30_000}
SELF_HOST_DIR = f"pyodide/{PYODIDE_VERSION}/"     # inside the built site
# The lock file's dependencies among the packages a page may load (tests check them against it).
DEPENDS = {
    "numpy": [],
    "openblas": [],
    "scipy": ["numpy", "openblas"],
    "joblib": [],
    "threadpoolctl": [],
    "scikit-learn": ["scipy", "joblib", "threadpoolctl"],
}
# Import name -> lock-file package, for the packages a page may load on demand.
IMPORTS = {"numpy": "numpy", "scipy": "scipy", "sklearn": "scikit-learn", "joblib": "joblib",
           "threadpoolctl": "threadpoolctl"}
_TRUE = {"1", "true", "yes", "on"}


class RuntimeConfigError(ValueError):
    """Raised for an unknown or invalid ``datacf_runtime`` setting."""


def resolve(extra, environ=None):
    """The runtime settings of one build: mkdocs.yml's ``extra.datacf_runtime``, then the env."""
    environ = os.environ if environ is None else environ
    given = (extra or {}).get("datacf_runtime") or {}
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise RuntimeConfigError(f"unknown extra.datacf_runtime keys {unknown} in mkdocs.yml; "
                                 f"the keys are {sorted(DEFAULTS)}.")
    settings = dict(DEFAULTS, **given)
    if str(settings["pyodide_version"]) != PYODIDE_VERSION:
        raise RuntimeConfigError(f"extra.datacf_runtime.pyodide_version is {settings['pyodide_version']!r}, "
                                 f"but datacf pins Pyodide {PYODIDE_VERSION} (its integrity hashes and "
                                 "package sizes are in sitebuild/pyodide_runtime.py).")
    if environ.get("DATACF_PYODIDE_URL"):
        settings["pyodide_url"] = environ["DATACF_PYODIDE_URL"]
    if environ.get("DATACF_PYODIDE_SELF_HOST"):
        settings["self_host"] = environ["DATACF_PYODIDE_SELF_HOST"].strip().lower() in _TRUE
    budget = settings["time_budget_ms"]
    if isinstance(budget, bool) or not isinstance(budget, int) or budget <= 0:
        raise RuntimeConfigError(f"extra.datacf_runtime.time_budget_ms must be a positive integer "
                                 f"(milliseconds), got {budget!r}.")
    url = str(settings["pyodide_url"])
    if not url.startswith(("https://", "http://")):
        raise RuntimeConfigError(f"the Pyodide base URL must start with https:// or http://, got {url!r} "
                                 "(set extra.datacf_runtime.pyodide_url or DATACF_PYODIDE_URL).")
    settings["pyodide_url"] = url if url.endswith("/") else url + "/"
    return settings


def meta_tag(settings, wheel_path, wheel_sha256):
    """The ``<meta name="datacf-runtime">`` element every page carries.

    URLs marked site-relative (the wheel, a self-hosted runtime) are resolved by the page
    against the site root.
    """
    content = {
        "pyodideVersion": settings["pyodide_version"],
        "indexURL": SELF_HOST_DIR if settings["self_host"] else settings["pyodide_url"],
        "selfHosted": bool(settings["self_host"]),
        "integrity": CORE_INTEGRITY,
        "sizes": FILE_SIZES,
        "depends": DEPENDS,
        "imports": IMPORTS,
        "wheel": f"wheels/{wheel_path.name}?v={wheel_sha256[:16]}",
        "wheelBytes": wheel_path.stat().st_size,
        "timeBudgetMs": settings["time_budget_ms"],
    }
    text = html.escape(json.dumps(content, separators=(",", ":")), quote=True)
    return f'<meta name="datacf-runtime" content="{text}">'
