"""Generated writers with mode="a": one entry per call added to an existing file, atomically.

The writers are generated through the real CLI (``nxschema codegen``), imported and run; the
files are checked with h5py and with ``nxschema.validate`` / ``nxschema validate``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import h5py
import numpy as np
import pytest

import nxschema
from tests.test_write_codegen import cli, load_module

N = 9


def generated(tmp_path: Path, key: str):
    out = tmp_path / f"{key.replace('@', '_')}_writer.py"
    proc = cli("codegen", key, "-o", out)
    assert proc.returncode == 0, proc.stderr
    module = load_module(out, out.stem)
    return getattr(module, "write_" + key.lower().replace("@", "_")), module


def scan(n: int, size: int = N) -> dict[str, np.ndarray]:
    """The arrays of scan ``n``: different for every scan, so a mix-up shows."""
    energy = np.linspace(7.0, 7.5, size) + n
    return {"energy": energy, "i0": np.full(size, 100.0 + n), "it": np.arange(size) * 0.5 + n}


def subentry_values(n: int) -> dict[str, np.ndarray]:
    return scan(n)


def full_values(n: int) -> dict[str, object]:
    v = scan(n)
    return {"title": f"scan {n}", "start_time": "2026-12-01T10:00:00+01:00",
            "source_type": "Synchrotron X-ray Source", "source_name": "ESRF",
            "energy": v["energy"], "incoming_beam_data": v["i0"],
            "absorbed_beam_data": v["it"], "sample_name": f"sample {n}",
            "monitor_mode": "timer", "preset": 1.0, "monitor_data": v["i0"],
            "data_mode": "Transmission"}


def errors(path: Path) -> list[str]:
    return [str(f) for f in nxschema.validate(path).errors]


def test_three_scans_in_the_subentry_form_validate(tmp_path):
    write, _ = generated(tmp_path, "NXxas@subentry")
    out = tmp_path / "scans.h5"
    for n in (1, 2, 3):
        write(out, mode="a", entry_name=f"{n}.1", **subentry_values(n))
    assert errors(out) == []
    proc = cli("validate", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with h5py.File(out, "r") as f:
        assert list(f) == ["1.1", "2.1", "3.1"]
        for n in (1, 2, 3):
            xas = f[f"{n}.1/xas"]
            for name, value in subentry_values(n).items():
                # the subentry's members are soft links into this scan's own measurement
                link = xas.get(name, getlink=True)
                assert isinstance(link, h5py.SoftLink)
                assert link.path == f"/{n}.1/measurement/{name}"
                np.testing.assert_array_equal(xas[name][()], value)
        assert f.attrs["file_name"] == "scans.h5"
        assert "file_update_time" in f.attrs  # set by the 2nd and 3rd call


def test_three_scans_in_the_entry_form_validate(tmp_path):
    write, _ = generated(tmp_path, "NXxas")
    out = tmp_path / "scans.h5"
    write(out, entry_name="scan1", **full_values(1))  # mode "w": a new file
    for n in (2, 3):
        write(out, mode="a", entry_name=f"scan{n}", **full_values(n))
    assert errors(out) == []
    assert cli("validate", out).returncode == 0
    with h5py.File(out, "r") as f:
        assert list(f) == ["scan1", "scan2", "scan3"]
        assert f.attrs["default"] == "scan1"  # the first entry stays the file's default
        for n in (1, 2, 3):
            assert f[f"scan{n}/title"][()].decode() == f"scan {n}"
            np.testing.assert_array_equal(f[f"scan{n}/instrument/monochromator/energy"][()],
                                          scan(n)["energy"])


def test_an_existing_entry_name_is_refused_and_nothing_is_written(tmp_path):
    write, _ = generated(tmp_path, "NXxas@subentry")
    out = tmp_path / "scans.h5"
    write(out, mode="a", entry_name="1.1", **subentry_values(1))
    before = out.read_bytes()
    with pytest.raises(ValueError, match=r"already holds /1\.1"):
        write(out, mode="a", entry_name="1.1", **subentry_values(2))
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".py") == ["scans.h5"]


@pytest.mark.parametrize("bad", ["", ".", "a/b", ".."])
def test_an_entry_name_that_is_not_one_hdf5_name_is_refused(tmp_path, bad):
    write, _ = generated(tmp_path, "NXxas@subentry")
    with pytest.raises(ValueError, match="entry_name"):
        write(tmp_path / "x.h5", mode="a", entry_name=bad, **subentry_values(1))
    assert not (tmp_path / "x.h5").exists()


def test_mode_w_is_unchanged_and_mode_a_is_checked(tmp_path):
    write, _ = generated(tmp_path, "NXxas@subentry")
    out = tmp_path / "scans.h5"
    write(out, **subentry_values(1))
    with pytest.raises(FileExistsError, match="mode='a'"):
        write(out, **subentry_values(2))
    with pytest.raises(ValueError, match="mode must be"):
        write(out, mode="x", entry_name="b", **subentry_values(2))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="overwrite"):
        write(out, mode="a", overwrite=True, entry_name="b", **subentry_values(2))
    write(out, overwrite=True, entry_name="only", **subentry_values(3))
    with h5py.File(out, "r") as f:
        assert list(f) == ["only"]


def test_a_file_changed_by_another_writer_meanwhile_is_not_replaced(tmp_path, monkeypatch):
    write, module = generated(tmp_path, "NXxas@subentry")
    out = tmp_path / "scans.h5"
    write(out, mode="a", entry_name="1.1", **subentry_values(1))
    put = module._put

    def meddling_put(*args, **kw):
        """While our entry is being written into the copy, another writer changes the file."""
        if not meddling_put.done:
            with h5py.File(out, "a") as f:
                f.create_group("other")
            meddling_put.done = True
        return put(*args, **kw)

    meddling_put.done = False
    monkeypatch.setattr(module, "_put", meddling_put)
    with pytest.raises(RuntimeError, match="another writer"):
        write(out, mode="a", entry_name="2.1", **subentry_values(2))
    assert meddling_put.done
    with h5py.File(out, "r") as f:
        assert sorted(f) == ["1.1", "other"]  # the other writer's work, not ours over it
    assert not list(tmp_path.glob(".*.partial"))


CHILD = textwrap.dedent("""
    import importlib.util, sys
    import h5py, numpy as np
    spec = importlib.util.spec_from_file_location("w", sys.argv[1])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path, size = sys.argv[2], int(sys.argv[3])
    n = 0
    try:
        with h5py.File(path, "r") as f:
            n = len(f)
    except FileNotFoundError:
        pass
    print("ready", flush=True)
    while True:
        energy = np.linspace(7.0, 7.5, size) + n
        module.write_nxxas_subentry(
            path, mode="a", entry_name=f"scan{n}", energy=energy,
            i0=np.full(size, 100.0 + n), it=np.arange(size) * 0.5 + n)
        n += 1
""")


def test_sigkill_while_appending_never_corrupts_the_file(tmp_path):
    """20 writers killed at random moments: every time the file opens, the earlier entries
    are intact and the last one is absent or complete."""
    generated(tmp_path, "NXxas@subentry")  # writes NXxas_subentry_writer.py for the children
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    writer_py = tmp_path / "NXxas_subentry_writer.py"
    out = tmp_path / "scans.h5"
    size = 20_000  # large enough that copying and writing take a while, so kills land inside
    rng = random.Random(14)
    seen: list[str] = []
    killed_inside = 0
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    for _ in range(20):
        child = subprocess.Popen([sys.executable, str(script), str(writer_py), str(out),
                                  str(size)], stdout=subprocess.PIPE, env=env, text=True)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        try:
            child.wait(timeout=rng.uniform(0.0, 0.6))
        except subprocess.TimeoutExpired:
            pass
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
        assert child.returncode == -signal.SIGKILL  # it was still writing: never finished
        partial = list(tmp_path.glob(".scans.h5.*.partial"))
        killed_inside += bool(partial)
        for p in partial:  # what a killed writer leaves: its hidden copy, safe to delete
            p.unlink()
        if not out.exists():
            assert not seen
            continue
        with h5py.File(out, "r") as f:
            names = list(f)
            assert names[: len(seen)] == seen  # nothing earlier lost or renamed
            assert names == [f"scan{n}" for n in range(len(names))]
            for n, name in enumerate(names):  # every entry complete, values equal
                xas = f[name]["xas"]
                for key, value in scan(n, size).items():
                    np.testing.assert_array_equal(xas[key][()], value)
                    np.testing.assert_array_equal(f[name]["measurement"][key][()], value)
            seen = names
    print(f"{killed_inside} of 20 kills landed inside a call; {len(seen)} entries written")
    assert killed_inside >= 1, "no kill landed inside a call: the test proved nothing"
    assert seen, "no entry was ever completed"
    assert errors(out) == []
