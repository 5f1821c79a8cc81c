"""nxschema.open: reading through definitions, whatever link kind leads to the data, from master
files too; lazy members, slices that read only the slice, clear errors for missing members."""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import h5py
import numpy as np
import pytest

import nxschema

E = np.linspace(7.0, 8.0, 10)
I0 = np.arange(10.0) + 1
IT = I0 / 2
KINDS = ("dataset", "soft", "hard", "external")


def write_scans(folder):
    """One NXentry per link kind, each with an ESRF NXxas subentry whose energy, i0 and it are
    datasets, soft links into measurement, hard links, or external links into raw.h5."""
    with h5py.File(folder / "raw.h5", "w") as r:
        r["data/energy"], r["data/i0"], r["data/it"] = E, I0, IT
        r["data/energy"].attrs["units"] = "keV"
    with h5py.File(folder / "scan.h5", "w") as f:
        f.attrs["NX_class"] = "NXroot"
        for number, kind in enumerate(KINDS, start=1):
            entry = f.create_group(f"{number}.1")
            entry.attrs["NX_class"] = "NXentry"
            meas = entry.create_group("measurement")
            meas.attrs["NX_class"] = "NXcollection"
            meas["energy"], meas["i0"], meas["it"] = E, I0, IT
            meas["energy"].attrs["units"] = "keV"
            sub = entry.create_group("xas")
            sub.attrs["NX_class"] = "NXsubentry"
            sub["definition"] = "NXxas"
            for name in ("energy", "i0", "it"):
                if kind == "dataset":
                    sub[name] = meas[name][()]
                    if name == "energy":
                        sub[name].attrs["units"] = "keV"
                elif kind == "soft":
                    sub[name] = h5py.SoftLink(f"/{number}.1/measurement/{name}")
                elif kind == "hard":
                    sub[name] = meas[name]
                else:
                    sub[name] = h5py.ExternalLink("raw.h5", f"/data/{name}")
    with h5py.File(folder / "master.h5", "w") as m:
        m.attrs["NX_class"] = "NXroot"
        for number in range(1, len(KINDS) + 1):
            m[f"{number}.1"] = h5py.ExternalLink("scan.h5", f"/{number}.1")


EXPECTED_TARGET = {"dataset": ("scan.h5", "/{n}.1/xas/{m}"),
                   "soft": ("scan.h5", "/{n}.1/measurement/{m}"),
                   "hard": ("scan.h5", "/{n}.1/xas/{m}"),  # one object, the path as reached
                   "external": ("raw.h5", "/data/{m}")}


@pytest.mark.parametrize("opened", ["scan.h5", "master.h5"])
def test_every_link_kind_reads_the_same(tmp_path, opened):
    write_scans(tmp_path)
    with nxschema.open(tmp_path / opened) as f:
        views = f.views("NXxas")
        assert [v.path for v in views] == [f"/{n}.1/xas" for n in range(1, 5)]
        for number, (kind, xas) in enumerate(zip(KINDS, views), start=1):
            assert xas.definition == "NXxas@subentry"
            for name, expected in (("energy", E), ("i0", I0), ("it", IT)):
                field = getattr(xas, name)
                assert np.array_equal(np.asarray(field), expected), (kind, name)
                file, path = EXPECTED_TARGET[kind]
                assert field.target == (str(tmp_path / file),
                                        path.format(n=number, m=name)), (kind, name)
            assert xas.energy.units == "keV"
            assert xas.energy.link == ("dataset" if kind == "dataset" else kind)
            assert np.array_equal(xas.energy[2:4], E[2:4])
            assert xas.findings == []


def test_the_full_niac_entry_reads_through_nested_views():
    with nxschema.open("docs/examples/esrf_xas.h5") as f:
        full = [v for v in f.views("NXxas") if v.definition == "NXxas"]
        sub = [v for v in f.views("NXxas") if v.definition == "NXxas@subentry"]
        assert [v.path for v in full] == ["/1.1", "/2.1"] and len(sub) == 2
        energy = full[0].instrument.monochromator.energy
        assert energy.units == "keV" and energy.shape == (50,)
        assert np.array_equal(np.asarray(full[0].data.energy), np.asarray(energy))
        assert full[0].data.energy.link == "soft"
        assert list(full[0].members("(NXinstrument)")) == ["instrument"]
        assert full[0].title.read().startswith("Fe K-edge")
        assert np.array_equal(np.asarray(sub[0].energy), np.asarray(energy))


def test_missing_members_name_the_finding(tmp_path):
    write_scans(tmp_path)
    with h5py.File(tmp_path / "scan.h5", "a") as f:
        del f["1.1/xas/it"]
        del f["2.1/xas/i0"]
        f["2.1/xas/i0"] = h5py.SoftLink("/nowhere/i0")
        del f["4.1/xas/energy"]
        f["4.1/xas/energy"] = h5py.ExternalLink("gone.h5", "/data/energy")
    with nxschema.open(tmp_path / "scan.h5") as f:
        one, two, _, four = f.views("NXxas")
        with pytest.raises(nxschema.errors.MissingMemberError, match="missing"):
            one.it
        with pytest.raises(AttributeError, match="dangling"):
            two.i0
        with pytest.raises(nxschema.errors.NxschemaError, match="dangling-external-link"):
            four.energy
        assert np.array_equal(np.asarray(four.i0), I0)  # the rest of the view still reads
        codes = {x.code for x in four.findings}
        assert "dangling-external-link" in codes
        with pytest.raises(AttributeError, match="no concept"):
            one.energie


def test_strict_refuses_an_invalid_file(tmp_path):
    write_scans(tmp_path)
    with h5py.File(tmp_path / "scan.h5", "a") as f:
        del f["1.1/xas/it"]
    with pytest.raises(nxschema.errors.NxschemaError, match="validation error"):
        nxschema.open(tmp_path / "scan.h5", strict=True)
    nxschema.open(tmp_path / "raw.h5", strict=True).close()  # no errors: opens


def test_the_external_policy_holds(tmp_path):
    write_scans(tmp_path)
    with nxschema.open(tmp_path / "scan.h5", external="never") as f:
        external = f.views("NXxas")[3]
        with pytest.raises(AttributeError, match="not followed"):
            external.energy
    with nxschema.open(tmp_path / "master.h5", external="never") as f:
        assert f.views("NXxas") == []
        assert all(code == "external-link-not-followed" for _, code, _ in f.problems)


def _virtual_and_external_storage(folder, elsewhere):
    """folder/scan.h5 with an NXxas subentry whose energy is a virtual dataset over a file in
    ``elsewhere`` and whose i0 is stored in a raw file there; it is a plain dataset."""
    folder.mkdir()
    elsewhere.mkdir()
    with h5py.File(elsewhere / "secret.h5", "w") as f:
        f["energy"] = E
    np.asarray(I0, dtype="<f8").tofile(elsewhere / "raw.bin")
    layout = h5py.VirtualLayout(shape=E.shape, dtype="f8")
    layout[:] = h5py.VirtualSource(str(elsewhere / "secret.h5"), "energy", shape=E.shape)
    with h5py.File(folder / "scan.h5", "w") as f:
        f.attrs["NX_class"] = "NXroot"
        entry = f.create_group("1.1")
        entry.attrs["NX_class"] = "NXentry"
        sub = entry.create_group("xas")
        sub.attrs["NX_class"] = "NXsubentry"
        sub["definition"] = "NXxas"
        sub.create_virtual_dataset("energy", layout)
        sub.create_dataset("i0", shape=np.shape(I0), dtype="<f8",
                           external=[(str(elsewhere / "raw.bin"), 0, 8 * len(I0))])
        sub["it"] = IT
    return folder / "scan.h5"


@pytest.mark.parametrize("policy", ["below", "never"])
def test_virtual_and_external_storage_outside_the_policy_are_never_read(tmp_path, policy):
    path = _virtual_and_external_storage(tmp_path / "folder", tmp_path / "elsewhere")
    with nxschema.open(path, external=policy) as f:
        (xas,) = f.views("NXxas")
        with pytest.raises(nxschema.errors.UnreadableFileError, match="secret.h5"):
            np.asarray(xas.energy)
        with pytest.raises(nxschema.errors.UnreadableFileError, match="raw.bin"):
            xas.i0.read()
        assert np.array_equal(np.asarray(xas.it), IT)
    with nxschema.open(path, external="follow") as f:  # allowed: read as HDF5 reads them
        (xas,) = f.views("NXxas")
        assert np.array_equal(np.asarray(xas.energy), E)
        assert np.array_equal(np.asarray(xas.i0), np.asarray(I0, dtype="<f8"))
    strace = shutil.which("strace")
    if strace is None or subprocess.run([strace, "-o", os.devnull, "true"]).returncode:
        pytest.skip("strace not usable here: the files the run opens cannot be listed")
    script = textwrap.dedent(f"""\
        import numpy as np, nxschema
        with nxschema.open({str(path)!r}, external={policy!r}) as f:
            for xas in f.views("NXxas"):
                for name in ("energy", "i0", "it"):
                    try:
                        np.asarray(getattr(xas, name))
                    except nxschema.errors.UnreadableFileError:
                        pass
        """)
    log = tmp_path / "trace.txt"
    subprocess.run([strace, "-f", "-e", "trace=openat", "-o", str(log), sys.executable, "-c",
                    script], check=True, capture_output=True, timeout=120,
                   env={**os.environ, "PYTHONPATH": str(Path(nxschema.__file__).parents[1])})
    trace = log.read_text()
    assert "scan.h5" in trace  # the trace did record the run
    assert "secret.h5" not in trace and "raw.bin" not in trace


def test_a_slice_reads_only_the_slice(tmp_path):
    """A 16 GB dataset (chunked, never written: nothing on disk) in a process limited to 2 GB
    of address space: the whole would not fit, a slice reads only its chunks."""
    with h5py.File(tmp_path / "big.h5", "w") as f:
        f.attrs["NX_class"] = "NXroot"
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        sub = entry.create_group("xas")
        sub.attrs["NX_class"] = "NXsubentry"
        sub["definition"] = "NXxas"
        sub.create_dataset("energy", shape=(2_000_000, 1000), dtype="f8", chunks=(10, 1000),
                           fillvalue=7.5)
        sub["i0"], sub["it"] = I0, IT
    code = textwrap.dedent(f"""
        import resource, numpy as np, nxschema
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        with nxschema.open({str(tmp_path / 'big.h5')!r}) as f:
            energy = f.views("NXxas")[0].energy
            assert energy.shape == (2_000_000, 1000)
            part = energy[10:20]
            assert part.shape == (10, 1000) and float(part.mean()) == 7.5
            try:
                np.asarray(energy)
            except MemoryError:
                print("whole read refused")
        """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "whole read refused" in result.stdout


def test_views_of_a_file_without_them(tmp_path):
    with h5py.File(tmp_path / "plain.h5", "w") as f:
        f["x"] = 1
    with nxschema.open(tmp_path / "plain.h5") as f:
        assert f.views() == [] and f.views("NXxas") == []
    with pytest.raises(nxschema.errors.NxschemaError):
        nxschema.open(tmp_path / "missing.h5")


def test_a_broken_member_carries_the_validators_code(tmp_path):
    """The code a view names for a member that does not resolve is the resolver's own (the one
    the validator reports at that path), for every way a link can fail."""
    write_scans(tmp_path)
    with h5py.File(tmp_path / "scan.h5", "a") as f:
        f["2.1/xas/i0"].parent.pop("i0")
        f["2.1/xas/i0"] = h5py.SoftLink("/nowhere/i0")  # dangling soft link
        f["2.1/xas/it"].parent.pop("it")
        f["2.1/xas/it"] = h5py.SoftLink("/2.1/xas/it")  # a link to itself: a cycle
        del f["4.1/xas/energy"]
        f["4.1/xas/energy"] = h5py.ExternalLink("gone.h5", "/data/energy")  # no such file
        del f["4.1/xas/i0"]
        f["4.1/xas/i0"] = h5py.ExternalLink("raw.h5", "/data/nothing")  # no such path
    expected = {"/2.1/xas/i0": "dangling-link", "/4.1/xas/energy": "dangling-external-link",
                "/4.1/xas/i0": "dangling-external-link"}
    report = nxschema.validate(tmp_path / "scan.h5")
    by_path = {f.path: f.code for f in report.findings}
    with nxschema.open(tmp_path / "scan.h5") as f:
        views = {v.path: v for v in f.views("NXxas")}
        for path, code in expected.items():
            assert by_path[path] == code
            view, name = path.rsplit("/", 1)
            with pytest.raises(nxschema.errors.MissingMemberError, match=code):
                getattr(views[view], name)
        assert by_path["/2.1/xas/it"] == "link-cycle"
        with pytest.raises(nxschema.errors.MissingMemberError, match="link-cycle"):
            views["/2.1/xas"].it
    with nxschema.open(tmp_path / "scan.h5", external="never") as f:
        with pytest.raises(nxschema.errors.MissingMemberError,
                           match="external-link-not-followed"):
            f.views("NXxas")[3].i0  # 4.1: a path raw.h5 lacks, but raw.h5 is never opened


def write_listing(path, names, *, via=None):
    """An NXtest_image_files scan at ``path`` listing ``names`` (relative to its folder); with
    ``via``, a master file there that reaches the scan through an external link."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for name in names:
        (path.parent / name).parent.mkdir(parents=True, exist_ok=True)
        (path.parent / name).write_bytes(b"image")
    with h5py.File(path, "w") as f:
        f.attrs["NX_class"] = "NXroot"
        entry = f.create_group("scan")
        entry.attrs["NX_class"] = "NXentry"
        entry["definition"] = "NXtest_image_files"
        meas = entry.create_group("measurement")
        meas.attrs["NX_class"] = "NXcollection"
        meas.create_dataset("detector_image_files", data=names, dtype=h5py.string_dtype())
        meas["energy"] = E
        meas["energy"].attrs["units"] = "keV"
    if via is not None:
        with h5py.File(via, "w") as m:
            m.attrs["NX_class"] = "NXroot"
            m["scan"] = h5py.ExternalLink(os.path.relpath(path, via.parent), "/scan")


LISTING = nxschema.load(Path(__file__).parent / "data" / "file_lists")


def test_a_file_list_reads_as_paths_from_the_holding_files_folder(tmp_path):
    names = ["images/img_0000.h5", "images/img_0001.h5"]
    raw = tmp_path / "raw" / "scan.h5"
    write_listing(raw, names, via=tmp_path / "master.h5")
    expected = [tmp_path / "raw" / n for n in names]
    for opened in (raw, tmp_path / "master.h5"):
        with nxschema.open(opened, definitions=LISTING) as f:
            (view,) = f.views("NXtest_image_files")
            listing = view.measurement.detector_image_files
            assert listing.refers_to == "files"
            assert listing.paths() == expected  # from raw/, where the list is, not master's
            assert all(p.is_file() for p in listing.paths())
        # the validator takes the names from the same folder: every file is there
        codes = {x.code for x in nxschema.validate(opened, definitions=LISTING).findings}
        assert "missing-listed-file" not in codes
        with pytest.raises(nxschema.errors.ArgumentTypeError, match="does not list files"):
            nxschema.open(opened, definitions=LISTING).views()[0].measurement.energy.paths()


@pytest.mark.parametrize("data", [
    np.linspace(7, 8, 5).astype(">f8"),  # big-endian: read as stored, like h5py
    np.arange(6, dtype="<i1").reshape(2, 3),
    np.array([2**63 + 5], dtype="u8"),
    np.float32(7.25),  # a scalar
    np.zeros((0, 3)),  # empty
    np.array([True, False]),  # an HDF5 enum: h5py's own reading
    np.array([b"a", b"bc"]),  # text: h5py's own reading
    np.array([(1, 2.5)], dtype=[("a", "i4"), ("b", "f8")]),  # compound: h5py's own reading
])
def test_a_field_reads_whole_exactly_as_h5py_does(tmp_path, data):
    with h5py.File(tmp_path / "t.h5", "w") as f:
        f.attrs["NX_class"] = "NXroot"
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        sub = entry.create_group("xas")
        sub.attrs["NX_class"] = "NXsubentry"
        sub["definition"] = "NXxas"
        sub["energy"], sub["i0"], sub["it"] = data, I0, IT
    with h5py.File(tmp_path / "t.h5") as f:
        expected = np.asarray(f["entry/xas/energy"][()])
    with nxschema.open(tmp_path / "t.h5") as f:
        energy = f.views("NXxas")[0].energy
        got = np.asarray(energy)
        assert got.dtype == expected.dtype and got.shape == expected.shape == energy.shape
        assert np.array_equal(got, expected)
        if data.dtype.kind in "iuf":
            assert np.array_equal(np.asarray(energy, dtype="f8"), expected.astype("f8"))
