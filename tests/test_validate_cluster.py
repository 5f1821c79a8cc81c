"""Validating on Dask: a real scheduler and two workers on 127.0.0.1, started here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import nxschema
from archive import write_archive
from nxschema.errors import WorkerError

distributed = pytest.importorskip("distributed", reason="pip install 'nxschema[dask]'")

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """`dask scheduler` and two `dask worker` processes, as a facility would run them."""
    where = tmp_path_factory.mktemp("dask")
    scheduler_file = where / "scheduler.json"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    procs = [subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(scheduler_file)], env=ENV, cwd=where,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 120
        while not scheduler_file.exists():
            assert time.monotonic() < deadline, "the scheduler did not start"
            assert procs[0].poll() is None, "the scheduler exited"
            time.sleep(0.2)
        for _ in range(2):  # from another folder: the workers must not depend on our cwd
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", "--nworkers", "1",
                 "--nthreads", "1", "--no-dashboard", "--scheduler-file", str(scheduler_file)],
                env=ENV, cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        address = json.loads(scheduler_file.read_text())["address"]
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    write_archive(root, n=60, broken=3, unreadable=2)
    return root


def _cli(*args, cwd=None):
    proc = subprocess.run([sys.executable, "-m", "nxschema", "validate", *map(str, args)],
                          capture_output=True, text=True, env=ENV, cwd=cwd, timeout=600)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def test_dask_cluster_gives_the_same_results_as_the_local_run(cluster, folder):
    local = _cli("--format", "jsonl", "--sort", "--jobs", "2", folder.name, cwd=folder.parent)
    remote = _cli("--format", "jsonl", "--sort", "--dask", cluster, folder.name,
                  cwd=folder.parent)  # a relative path: made absolute for the workers
    assert remote.returncode == local.returncode == 2
    assert remote.stdout == local.stdout
    assert len(local.stdout.splitlines()) == 61
    # and through the API, with a Client of the caller's own
    with distributed.Client(cluster) as client:
        on_dask = {r.file: sorted(map(str, r.findings))
                   for r in nxschema.validate_many([folder], client=client)}
    here = {r.file: sorted(map(str, r.findings))
            for r in nxschema.validate_many([folder], jobs=2)}
    assert on_dask == here and len(here) == 60


class _BlindCluster:
    """A client whose workers see none of our files (another machine, no shared filesystem)."""

    def run(self, function, paths):
        return {"tcp://10.0.0.9:40000": list(paths)}


def test_paths_the_workers_cannot_see_are_refused(folder):
    with pytest.raises(WorkerError, match="cannot see .*share this filesystem"):
        list(nxschema.validate_many([folder], client=_BlindCluster()))
