"""Which library versions produced a grid, so any grid can be recomputed and checked."""
import copy
import functools
import platform
from importlib import metadata

from ._version import __version__

__all__ = ["current_provenance", "check_provenance", "Recorded"]


def _installed(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def current_provenance():
    """Versions of datacf, Python, numpy and scikit-learn (None if not installed)."""
    return dict(_versions())


@functools.cache
def _versions():
    # Looking versions up reads package metadata from disk (milliseconds); they cannot
    # change while the process runs, so once is enough.
    return {
        "datacf": __version__,
        "python": platform.python_version(),
        "numpy": _installed("numpy"),
        "scikit-learn": _installed("scikit-learn"),
    }


def check_provenance(provenance):
    """Library versions by name: a dict of str to str (or None), so the JSON always writes."""
    if not isinstance(provenance, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in provenance.items()
    ):
        raise ValueError(
            f"provenance must map library names to version strings (or None); got {provenance!r:.120}."
        )
    return dict(provenance)


class Recorded:
    """What a grid records (``_inputs``, ``_provenance``), handed out as copies so the grid stays immutable."""

    @property
    def inputs(self):
        """What the grid was computed from (a copy: the grid cannot be changed through it), or None."""
        return copy.deepcopy(self._inputs)

    @property
    def provenance(self):
        """Which datacf, numpy and Python computed it (a copy)."""
        return copy.deepcopy(self._provenance)
