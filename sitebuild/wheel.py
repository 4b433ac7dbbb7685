"""A pure-Python wheel of datacf built from the working tree, for the browser's Pyodide.

The site build (``hooks.py``) puts it at ``wheels/datacf-VERSION-py3-none-any.whl`` in the
site, so the page runs exactly the datacf the example JSON was computed with. The wheel is
written directly with :mod:`zipfile` (no pip, no build isolation, no network): it holds the
package's Python modules (the site's build side lives outside the package, in ``sitebuild/``)
and the ``.dist-info`` metadata that ``importlib.metadata`` reads. Entries carry a fixed
timestamp, so the same source always gives the same bytes, and the same sha256.
"""
import base64
import hashlib
import zipfile
from pathlib import Path

from datacf._version import __version__

__all__ = ["build_wheel", "wheel_name", "package_sources", "PACKAGE_DIR"]

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "datacf"
# Caches never reach the browser.
_SKIP_PARTS = {"__pycache__"}
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold: reproducible bytes


def package_sources():
    """``(path inside the package, bytes)`` of every module the wheel ships, in a fixed order."""
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        relative = path.relative_to(PACKAGE_DIR)
        if not _SKIP_PARTS.intersection(relative.parts):
            yield relative.as_posix(), path.read_bytes()


def wheel_name(version=__version__):
    """File name of the wheel, e.g. ``datacf-0.1.0-py3-none-any.whl``."""
    return f"datacf-{version}-py3-none-any.whl"


def _record_hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest},{len(data)}"


def build_wheel(dest_dir):
    """Write the wheel into *dest_dir* (created if needed) and return its path."""
    version = __version__
    dist_info = f"datacf-{version}.dist-info"
    entries = [(f"datacf/{relative}", data) for relative, data in package_sources()]
    metadata = (f"Metadata-Version: 2.1\nName: datacf\nVersion: {version}\n"
                "Summary: Data counterfactual grids (browser build of the site's working tree)\n"
                "Requires-Python: >=3.11\nRequires-Dist: numpy>=1.24\n").encode()
    wheel = b"Wheel-Version: 1.0\nGenerator: sitebuild.wheel\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    entries += [(f"{dist_info}/METADATA", metadata), (f"{dist_info}/WHEEL", wheel)]
    record = "".join(f"{name},{_record_hash(data)}\n" for name, data in entries) + f"{dist_info}/RECORD,,\n"
    entries.append((f"{dist_info}/RECORD", record.encode()))
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / wheel_name(version)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return target
