"""Real-file hygiene: bad files get one finding or one line, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

import nxschema
from h5files import write_xas_file
from nxschema._h5.access import FileProblem, open_file
from nxschema._h5.backend_c import load as load_c
from nxschema._h5.backend_h5py import H5pyIO


BACKENDS = [H5pyIO()] + [io for io in [load_c()] if io is not None]


def run_cli(*args):
    proc = subprocess.run([sys.executable, "-m", "nxschema", "validate", *map(str, args)],
                          capture_output=True, text=True)
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc


@pytest.mark.parametrize("make, words", [
    (lambda p: None, "no such file"),
    (lambda p: p.write_text("just text"), "not an HDF5 file"),
    (lambda p: p.write_bytes(b""), "empty"),
    (lambda p: p.mkdir(), "folder"),
])
def test_open_file_problems_are_one_line(tmp_path, make, words):
    path = tmp_path / "f.h5"
    make(path)
    with pytest.raises(FileProblem, match=words):
        open_file(path)
    report = nxschema.validate(path)
    assert [f.code for f in report.findings] == ["file-unreadable"]
    assert run_cli(path).returncode == 2


def test_truncated_file(tmp_path):
    path = tmp_path / "cut.h5"
    write_xas_file(path, n_entries=3)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    report = nxschema.validate(path)  # findings, whatever survives, and no exception
    assert not report.ok
    assert run_cli(path).returncode in (1, 2)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_permission_denied(tmp_path):
    path = tmp_path / "secret.h5"
    write_xas_file(path)
    path.chmod(0)
    assert "permission" in nxschema.validate(path).findings[0].message


def test_other_files_are_still_checked(tmp_path):
    good = tmp_path / "good.h5"
    write_xas_file(good)
    proc = run_cli(tmp_path / "missing.h5", good, "--format", "json")
    assert proc.returncode == 2  # one file could not be checked
    assert str(good) in proc.stdout and "missing.h5" in proc.stdout


def test_odd_attribute_dtypes_and_bad_utf8(tmp_path):
    path = tmp_path / "odd.h5"
    write_xas_file(path)
    with h5py.File(path, "r+") as f:
        entry = f["1.1"]
        entry.attrs["opaque"] = np.void(b"\x00\x01")
        entry.attrs["compound"] = np.array((1, 2.0), dtype=[("a", "i4"), ("b", "f8")])
        entry.attrs["bad_utf8"] = np.bytes_(b"\xff\xfe caf\xe9")
        entry.attrs["empty"] = h5py.Empty("f")
        sample = f["1.1/sample"]
        del sample["name"]
        sample.create_dataset("name", data=np.bytes_(b"h\xe9matite"))  # latin-1 bytes
    report = nxschema.validate(path)
    odd = [f for f in report.findings if f.code == "unreadable-attribute"]
    assert [f.path for f in odd] == ["/1.1@opaque"]  # reported at the attribute; walk goes on
    latin = {f.path for f in report.findings if f.code == "not-utf8"}
    assert latin == {"/1.1@bad_utf8"}  # sample/name's value is never read: nothing checks it
    with h5py.File(path, "r+") as f:
        del f["1.1/start_time"]
        f["1.1"].create_dataset("start_time", data=np.bytes_(b"2026-11-23T10:00\xe9"))
    found = {(x.code, x.path) for x in nxschema.validate(path).findings}
    assert {("not-utf8", "/1.1/start_time"), ("bad-date", "/1.1/start_time")} <= found
    assert report.ok, [str(f) for f in report.errors]
    for io in BACKENDS:
        with h5py.File(path, "r") as f:
            entry = io.wrap(f["1.1"].id)
            assert io.read_attr(entry, b"bad_utf8").endswith("caf\ufffd")
            assert io.read_value(io.open(entry, b"sample/name")) == "h\ufffdmatite"
            assert io.read_attr(entry, b"empty") is None
            with pytest.raises(ValueError, match="opaque"):
                io.read_attr(entry, b"opaque")
            del entry


def test_big_datasets_are_never_read(tmp_path):
    path = tmp_path / "big.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("big", shape=(10_000, 1000), dtype="f4", chunks=(100, 1000))
    for io in BACKENDS:
        with h5py.File(path, "r") as f:
            assert io.read_value(io.wrap(f["big"].id)) is None


def test_swmr_file_being_written_can_be_validated(tmp_path):
    path = tmp_path / "live.h5"
    writer = h5py.File(path, "w", libver="latest")
    writer.attrs["NX_class"] = "NXroot"
    entry = writer.create_group("entry")
    entry.attrs["NX_class"] = "NXentry"
    dset = entry.create_dataset("counts", shape=(0,), maxshape=(None,), dtype="i4")
    writer.swmr_mode = True
    dset.resize((10,))
    dset.flush()
    try:
        report = nxschema.validate(path)
        assert not [f for f in report.findings if f.code == "file-unreadable"]
    finally:
        writer.close()
