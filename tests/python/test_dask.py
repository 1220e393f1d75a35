"""ecsim.sweep on a real Dask LocalCluster with two worker processes: same table as serial.

Offline and bounded: the cluster listens on 127.0.0.1 with the dashboard off, every wait has a
timeout, and the conftest watchdog ends the process if anything still hangs.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

import ecsim

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, silence_logs=logging.ERROR, death_timeout=60)
    dask_client = distributed.Client(cluster, timeout="60s")
    try:
        dask_client.wait_for_workers(2, timeout=60)
        yield dask_client
    finally:
        dask_client.close(timeout=30)
        cluster.close(timeout=30)


def test_dask_local_cluster_matches_the_serial_run(client, source_dir: Path) -> None:
    spec = source_dir / "sweeps" / "batch-capacity.json"
    serial = ecsim.sweep(spec, jobs=1)
    on_dask = ecsim.sweep(spec, client=client, timeout=120)
    assert len(on_dask) == len(serial) == 675
    assert on_dask.csv == serial.csv
    assert on_dask.ran == 675
    # The runs really went to the two worker processes.
    # (A lambda is pickled by value: the workers need not import this test module.)
    assert list(client.run(lambda: "ecsim._ecsim" in sys.modules).values()) == [True, True]


def test_dask_sweep_resumes_from_an_output_folder(client, source_dir: Path,
                                                  tmp_path: Path) -> None:
    spec = source_dir / "sweeps" / "default-tiebreak.json"
    serial = ecsim.sweep(spec, jobs=1, out=tmp_path)
    (tmp_path / "runs" / f"{serial.rows[5]['hash']}.json").unlink()
    resumed = ecsim.sweep(spec, client=client, out=tmp_path, chunksize=1, timeout=120)
    assert (resumed.ran, resumed.reused) == (1, 7)
    assert resumed.csv == serial.csv == (tmp_path / "results.csv").read_text()
