"""The cluster backend (issue 10): fits spread through joblib's Dask backend give the serial result.

A ``dask.distributed.LocalCluster`` in this process (threads, not processes) stands in for a
real cluster: the code path is the same (joblib hands each batch to the Dask scheduler,
which ships it to a worker and back), only the workers are local. Kept light: one worker
with two threads, small pools.
"""
import joblib
import numpy as np
import pytest
from dask.distributed import Client, LocalCluster, get_task_stream
from sklearn.tree import DecisionTreeClassifier

import datacf as dcf
from datacf import _sampled_grid, samplers
from tests.conftest import DATASETS


@pytest.fixture(scope="module")
def client():
    with LocalCluster(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as cluster:
        with Client(cluster) as dask_client:
            yield dask_client


def _pool(n, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return dcf.Dataset(X, (X[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(int))


def test_scikit_learn_fits_on_dask_equal_the_serial_run(client):
    """A decision tree fitted per sampled row on the Dask cluster gives exactly the serial grid."""
    train = _pool(40)
    model = DecisionTreeClassifier(random_state=0)
    serial = dcf.sample_grid(train, model, sampler=samplers.Uniform(24), rng=3)
    with joblib.parallel_config(backend="dask"):
        spread = dcf.sample_grid(train, model, sampler=samplers.Uniform(24), rng=3, n_jobs=2)
    assert spread == serial
    assert client.run(lambda: 1)   # the cluster was up throughout


def test_fast_learner_chunks_on_dask_equal_the_serial_run(client, monkeypatch):
    """Chunks of rows for the batched logistic regression, sent to Dask, give the serial values bit for bit."""
    train = _pool(60, seed=1)
    model = dcf.models.LogisticRegression()
    serial = dcf.sample_grid(train, model, sampler=samplers.Uniform(30), rng=4)
    monkeypatch.setattr(_sampled_grid, "CHUNK_BYTES", 8 * 60 * 4 * 10)   # ten rows per chunk: three tasks
    with joblib.parallel_config(backend="dask"), get_task_stream(client) as tasks:
        spread = dcf.sample_grid(train, model, sampler=samplers.Uniform(30), rng=4, n_jobs=2)
    assert len(tasks.data) >= 1   # the chunks really ran as Dask tasks
    np.testing.assert_array_equal(spread.values, serial.values)
    np.testing.assert_array_equal(spread.members, serial.members)


def test_exact_grid_generic_path_on_dask(client):
    """compute_grid's generic path spreads its fits the same way."""
    train = DATASETS["blobs6"]
    model = DecisionTreeClassifier(random_state=0)
    serial = dcf.compute_grid(train, model)
    with joblib.parallel_config(backend="dask"):
        spread = dcf.compute_grid(train, model, n_jobs=2)
    np.testing.assert_array_equal(spread.values, serial.values)


def test_adaptive_estimates_on_dask_equal_the_serial_run(client):
    """estimate_values with the same seed gives the same estimate on the cluster."""
    train = _pool(20, seed=2)
    model = DecisionTreeClassifier(random_state=0)
    serial = dcf.estimate_values(train, model, "msr_banzhaf", max_evaluations=60, batch_size=30, rng=5)
    with joblib.parallel_config(backend="dask"):
        spread = dcf.estimate_values(train, model, "msr_banzhaf", max_evaluations=60, batch_size=30, rng=5, n_jobs=2)
    np.testing.assert_array_equal(spread.values, serial.values)
    np.testing.assert_array_equal(spread.stderr, serial.stderr)
