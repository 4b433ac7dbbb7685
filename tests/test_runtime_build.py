"""The build side of Python in the page: the runner, the wheel, the settings, the pinned runtime."""
import base64
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import datacf as dcf
from datacf._browser import display_of, find_imports, run_cell
from sitebuild import runtime_config
from sitebuild.pyodide_runtime import CORE_INTEGRITY, FILE_SIZES, ensure_runtime, package_closure
from sitebuild.wheel import build_wheel

ROOT = Path(__file__).resolve().parents[1]


class TestRunCell:
    def test_last_expression_is_displayed_as_text(self):
        """The repr of the last expression is the display; earlier statements just run."""
        assert json.loads(run_cell("x = 2\nx * 21")) == {"display": {"kind": "text", "text": "42"}, "error": None}

    def test_statement_at_the_end_displays_nothing(self):
        """A cell ending in a statement has no display."""
        assert json.loads(run_cell("x = 1"))["display"] is None

    def test_grid_displays_as_its_json(self):
        """A Grid displays as Grid.to_json, which round-trips."""
        out = json.loads(run_cell("import datacf as dcf\ndcf.Grid([[0.0], [1.0]], point_names=['A'])"))
        assert out["display"]["kind"] == "grid"
        np.testing.assert_array_equal(dcf.Grid.from_json(out["display"]["json"]).values, [[0.0], [1.0]])

    def test_anything_with_a_2d_values_table_displays_as_a_grid(self):
        """An object with a (2**n, m) `.values` is shown as a grid; a dict's .values() is not."""
        class Table:
            values = np.zeros((4, 2))

        assert display_of(Table())["kind"] == "grid"
        assert display_of({"a": 1}) == {"kind": "text", "text": "{'a': 1}"}

    def test_traceback_keeps_only_the_cells_frames(self):
        """Frames of the runner and of libraries are dropped; the reader's lines are quoted."""
        error = json.loads(run_cell("import datacf as dcf\ndef f():\n    return dcf.Grid([[1.0]])\nf()"))["error"]
        assert error["type"] == "ValueError"
        assert error["traceback"].count('File "<cell>"') == 2
        assert "return dcf.Grid([[1.0]])" in error["traceback"]
        assert "_browser.py" not in error["traceback"] and "_grid.py" not in error["traceback"]
        assert "more frames inside libraries" in error["traceback"]

    def test_syntax_error_is_reported_with_its_line(self):
        """A syntax error names the cell's line, with no traceback frames."""
        error = json.loads(run_cell("x = (1,"))["error"]
        assert error["type"] == "SyntaxError" and '"<cell>", line 1' in error["traceback"]

    def test_missing_module_is_named(self):
        """A ModuleNotFoundError names the module, so the worker can load its package."""
        assert json.loads(run_cell("import no_such_module_xyz"))["error"]["module"] == "no_such_module_xyz"

    def test_system_exit_is_reported_not_raised(self):
        """sys.exit() in a cell is an error of the cell, not the end of the worker."""
        assert json.loads(run_cell("import sys\nsys.exit(3)"))["error"]["type"] == "SystemExit"

    def test_scopes(self):
        """scope=None is fresh each run; a named scope keeps its variables."""
        run_cell("kept = 5", scope="page")
        assert json.loads(run_cell("kept", scope="page"))["display"]["text"] == "5"
        assert json.loads(run_cell("kept"))["error"]["type"] == "NameError"

    def test_find_imports(self):
        """Top-level module names of import statements, none from relative imports."""
        assert find_imports("import a.b\nfrom c.d import e\nfrom . import f\nimport sklearn") == ["a", "c", "sklearn"]
        assert find_imports("x = (") == []


class TestWheel:
    def test_wheel_holds_the_package_without_the_site_side(self, tmp_path):
        """The wheel has every datacf module but sitebuild, and a valid RECORD."""
        wheel = build_wheel(tmp_path)
        assert wheel.name == f"datacf-{dcf.__version__}-py3-none-any.whl"
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
            record = archive.read(f"datacf-{dcf.__version__}.dist-info/RECORD").decode()
            for line in record.splitlines():
                name, digest, size = line.split(",")
                if digest:
                    data = archive.read(name)
                    expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                    assert digest == f"sha256={expected}" and int(size) == len(data)
        assert "datacf/__init__.py" in names and "datacf/_browser.py" in names
        assert not [n for n in names if not n.startswith(("datacf/", "datacf-")) or "__pycache__" in n]

    def test_distribution_leaves_out_the_site_side(self):
        """pyproject's package list ships datacf and its subpackages, never sitebuild."""
        import tomllib

        from setuptools import find_packages

        config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
        packages = find_packages(str(ROOT), **config)
        assert "datacf" in packages and "datacf.models" in packages
        assert not [p for p in packages if not (p == "datacf" or p.startswith("datacf."))]

    def test_wheel_is_reproducible(self, tmp_path):
        """The same source gives the same bytes."""
        first = build_wheel(tmp_path / "a").read_bytes()
        assert build_wheel(tmp_path / "b").read_bytes() == first

    def test_wheel_imports_with_numpy_alone(self, tmp_path):
        """Installed on its own path, the wheel's datacf imports and computes a grid."""
        wheel = build_wheel(tmp_path)
        target = tmp_path / "unpacked"
        zipfile.ZipFile(wheel).extractall(target)
        code = ("import sys; sys.path.insert(0, sys.argv[1]); import datacf; "
                "assert datacf.__file__.startswith(sys.argv[1]), datacf.__file__; "
                "print(datacf.compute_grid(datacf.toy_dataset('four_points'), datacf.models.KNN(k=1)).values.shape)")
        out = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True, text=True, cwd=tmp_path)
        assert out.stdout.strip() == "(16, 4)", out.stderr


class TestRuntimeConfig:
    def test_defaults_are_the_pinned_cdn(self):
        """With nothing set, pages load Pyodide 0.27.7 from jsDelivr, with a 30 s budget."""
        settings = runtime_config.resolve({}, environ={})
        assert settings["pyodide_url"] == "https://cdn.jsdelivr.net/pyodide/v0.27.7/full/"
        assert (settings["self_host"], settings["time_budget_ms"]) == (False, 30_000)

    def test_environment_overrides_mkdocs_yml(self):
        """DATACF_PYODIDE_URL and DATACF_PYODIDE_SELF_HOST win over mkdocs.yml."""
        settings = runtime_config.resolve({"datacf_runtime": {"pyodide_url": "https://a.example/p/"}},
                                          environ={"DATACF_PYODIDE_URL": "http://127.0.0.1:9/x",
                                                   "DATACF_PYODIDE_SELF_HOST": "1"})
        assert settings["pyodide_url"] == "http://127.0.0.1:9/x/" and settings["self_host"] is True

    @pytest.mark.parametrize("given, match", [
        ({"pyodide_urll": "x"}, "unknown extra.datacf_runtime keys"),
        ({"pyodide_version": "0.26.0"}, "pins Pyodide 0.27.7"),
        ({"time_budget_ms": 0}, "positive integer"),
        ({"pyodide_url": "ftp://x/"}, "must start with https://"),
    ])
    def test_bad_settings_fail(self, given, match):
        """Unknown keys and bad values fail the build with the fix."""
        with pytest.raises(runtime_config.RuntimeConfigError, match=match):
            runtime_config.resolve({"datacf_runtime": given}, environ={})

    def test_mkdocs_yml_settings_resolve(self):
        """The settings in mkdocs.yml are valid."""
        import yaml

        class _Loader(yaml.SafeLoader):
            pass

        _Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
        extra = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_Loader)["extra"]
        assert runtime_config.resolve(extra, environ={})["pyodide_version"] == "0.27.7"


@pytest.fixture(scope="module")
def runtime_dir():
    """The verified runtime files (assembled offline on first use, then cached)."""
    return ensure_runtime()


class TestPinnedRuntime:
    def test_integrity_hashes_match_the_official_files(self, runtime_dir):
        """Each pinned SRI hash is the sha384 of the official file."""
        for name, integrity in CORE_INTEGRITY.items():
            digest = base64.b64encode(hashlib.sha384((runtime_dir / name).read_bytes()).digest()).decode()
            assert integrity == f"sha384-{digest}", name

    def test_sizes_and_dependencies_match_the_lock_file(self, runtime_dir):
        """The pinned sizes and dependencies are those of the files and the official lock file."""
        lock = json.loads((runtime_dir / "pyodide-lock.json").read_text())
        for name, depends in runtime_config.DEPENDS.items():
            assert sorted(lock["packages"][name]["depends"]) == sorted(depends), name
            assert FILE_SIZES[name] == (runtime_dir / lock["packages"][name]["file_name"]).stat().st_size, name
        assert set(package_closure(lock)) == set(runtime_config.DEPENDS)
        for name in CORE_INTEGRITY:
            assert FILE_SIZES[name] == (runtime_dir / name).stat().st_size, name
        for module, package in runtime_config.IMPORTS.items():
            assert module in lock["packages"][package]["imports"], module

    def test_self_hosted_build_ships_the_runtime(self, runtime_dir, tmp_path):
        """DATACF_PYODIDE_SELF_HOST=1 copies the verified runtime into the site and points pages at it."""
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1", DATACF_PYODIDE_SELF_HOST="1", DATACF_PYODIDE_DIR=str(runtime_dir))
        env.pop("DATACF_PYODIDE_URL", None)
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(tmp_path / "site")],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        shipped = tmp_path / "site" / "pyodide" / "0.27.7"
        assert {"pyodide.js", "pyodide.asm.wasm", "pyodide-lock.json", "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl",
                "scikit_learn-1.6.1-cp312-cp312-pyodide_2024_0_wasm32.whl"} <= {p.name for p in shipped.iterdir()}
        assert not (shipped / "micropip-0.9.0-py3-none-any.whl").exists()
        page = (tmp_path / "site" / "index.html").read_text()
        assert '&quot;indexURL&quot;:&quot;pyodide/0.27.7/&quot;' in page
        assert "cdn.jsdelivr.net" not in page.split('name="datacf-runtime"')[1].split(">")[0]
        assert list((tmp_path / "site" / "wheels").glob("datacf-*-py3-none-any.whl"))


def test_runtime_cache_lives_in_the_repository():
    """The offline runtime is cached under the repository's git-ignored .cache/, not beside it."""
    from sitebuild.pyodide_runtime import DEFAULT_CACHE

    assert DEFAULT_CACHE.is_relative_to(ROOT / ".cache")
