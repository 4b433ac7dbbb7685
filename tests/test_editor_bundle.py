"""The code editor's supply chain: CodeMirror pinned in the npm lock file, the bundle generated, not committed.

docs/vendor/codemirror.js is bundled by esbuild (``npm run build:editor``, run by scripts/_node.sh)
from the packages in package-lock.json; the site serves it itself, so the lock file is what
decides which code readers get.
"""
import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = "docs/vendor/codemirror.js"
EXACT = re.compile(r"^\d+\.\d+\.\d+$")
INTEGRITY = re.compile(r"^sha512-[A-Za-z0-9+/]{86}==$")
# What the bundle's entry (scripts/editor-bundle.mjs) imports; each must be a direct, exact pin.
EDITOR_PACKAGES = ["@codemirror/state", "@codemirror/view", "@codemirror/commands", "@codemirror/language",
                   "@codemirror/lang-python", "@codemirror/search", "@codemirror/autocomplete", "@lezer/highlight",
                   "esbuild"]


def _json(name):
    return json.loads((ROOT / name).read_text(encoding="utf-8"))


def _git(*args):
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


class TestPins:
    @pytest.mark.parametrize("name", EDITOR_PACKAGES)
    def test_package_json_pins_an_exact_version(self, name):
        """package.json names each package the editor is built from at one exact version, no range."""
        assert EXACT.match(_json("package.json")["devDependencies"][name])

    @pytest.mark.parametrize("name", EDITOR_PACKAGES)
    def test_lock_file_has_that_version_with_an_integrity_hash(self, name):
        """package-lock.json resolves each to package.json's version, with a SHA-512 integrity hash."""
        entry = _json("package-lock.json")["packages"][f"node_modules/{name}"]
        assert entry["version"] == _json("package.json")["devDependencies"][name]
        assert INTEGRITY.match(entry["integrity"])

    def test_every_codemirror_and_lezer_package_is_locked_with_a_hash(self):
        """Every @codemirror/ and @lezer/ package in the lock file (direct or not) has an exact version and a hash."""
        packages = _json("package-lock.json")["packages"]
        found = {path: entry for path, entry in packages.items() if re.match(r"node_modules/@(codemirror|lezer)/", path)}
        assert "node_modules/@codemirror/view" in found and "node_modules/@lezer/python" in found
        for path, entry in found.items():
            assert EXACT.match(entry["version"]), path
            assert INTEGRITY.match(entry["integrity"]), path

    def test_the_entry_imports_only_pinned_packages(self):
        """scripts/editor-bundle.mjs imports nothing that package.json does not pin."""
        entry = (ROOT / "scripts" / "editor-bundle.mjs").read_text(encoding="utf-8")
        imported = set(re.findall(r'from "([^"]+)"', entry))
        assert imported and imported <= set(_json("package.json")["devDependencies"])


class TestBundle:
    def test_bundle_is_git_ignored(self):
        """The generated bundle is ignored by git, so nobody commits a stale build of it."""
        assert _git("check-ignore", "--quiet", BUNDLE).returncode == 0

    def test_bundle_is_not_committed(self):
        """No file under docs/vendor/ is tracked."""
        assert _git("ls-files", "docs/vendor").stdout == ""

    def test_build_script_writes_the_bundle_the_page_imports(self):
        """``npm run build:editor`` writes the file docs/js/code-editor.js imports, relative to itself."""
        script = _json("package.json")["scripts"]["build:editor"]
        assert f"--outfile={BUNDLE}" in script and "--format=esm" in script and "--bundle" in script
        module = (ROOT / "docs" / "js" / "code-editor.js").read_text(encoding="utf-8")
        assert 'new URL("../vendor/codemirror.js", import.meta.url)' in module
