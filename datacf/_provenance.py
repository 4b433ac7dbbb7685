"""Which library versions produced a grid, so any grid can be recomputed and checked."""
import platform
from importlib import metadata

from ._version import __version__

__all__ = ["current_provenance"]


def _installed(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def current_provenance():
    """Versions of datacf, Python, numpy and scikit-learn (None if not installed)."""
    return {
        "datacf": __version__,
        "python": platform.python_version(),
        "numpy": _installed("numpy"),
        "scikit-learn": _installed("scikit-learn"),
    }
