"""The package surface: what the browser's numpy-only tier and users import."""
import subprocess
import sys

import datacf as dcf

NUMPY_ONLY = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('sklearn', 'scipy', 'joblib'):
            raise ImportError('blocked ' + name)
sys.meta_path.insert(0, Block())
import datacf as dcf
grid = dcf.compute_grid(dcf.toy_dataset('four_points'), dcf.models.LogisticRegression())
print(round(float(grid.shapley().sum()), 6))
"""


def test_fast_path_needs_only_numpy():
    """import datacf and a fast-learner grid work with scikit-learn and scipy unavailable (Pyodide's fast tier)."""
    result = subprocess.run([sys.executable, "-c", NUMPY_ONLY], capture_output=True, text=True, check=True)
    u = dcf.compute_grid(dcf.toy_dataset("four_points"), dcf.models.LogisticRegression()).utility()
    assert float(result.stdout) == round(float(u[-1] - u[0]), 6)


def test_public_names_report_the_package():
    """Public objects say datacf / datacf.models in reprs and tracebacks."""
    assert dcf.Grid.__module__ == "datacf" and dcf.compute_grid.__module__ == "datacf"
    assert repr(dcf.models.KNN(k=2)) == "KNN(k=2)"
    assert dcf.models.KNN.__module__ == "datacf.models"
    assert all(hasattr(dcf, name) for name in dcf.__all__)
