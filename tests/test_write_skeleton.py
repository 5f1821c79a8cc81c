"""Skeleton files: valid for every shipped definition, typed, linked, marked, written atomically."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import h5py
import numpy as np
import pytest

import nxschema
from nxschema._write import skeleton as _skeleton
from nxschema._write.layout import LayoutError
from nxschema._write.skeleton import PLACEHOLDER_ATTR, PLACEHOLDER_ATTRS_ATTR, write_skeleton

from nxdl_corpus import NXDL, needs_nxdl  # next to the checkout, or $NXSCHEMA_NXDL
CATALOG = nxschema.load()
KEYS = list(CATALOG)


def cli(*args, cwd=None):
    proc = subprocess.run([sys.executable, "-m", "nxschema", *map(str, args)],
                          check=False, capture_output=True, text=True, cwd=cwd)
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc


def errors(path):
    return [str(f) for f in nxschema.validate(path, definitions=CATALOG).errors]


# --- every shipped definition ----------------------------------------------------------------------

@pytest.mark.parametrize("key", KEYS)
def test_skeleton_of_every_definition_validates(tmp_path, key):
    required = tmp_path / "required.h5"
    write_skeleton(key, required, definitions=CATALOG)
    assert errors(required) == []
    full = tmp_path / "full.h5"
    write_skeleton(key, full, definitions=CATALOG, optional=True, fill_example=True,
                   dims={"nP": 9} if "nP" in _symbols(key) else None)
    assert errors(full) == []


def _symbols(key):
    return {s.name for s in CATALOG[key].symbols}


def test_definitions_we_rely_on_are_shipped():
    assert {"NXxas", "NXxas@subentry", "NXesrf_raw", "NXesrf_process_v2", "NXdata"} <= set(KEYS)


# --- what is written -----------------------------------------------------------------------------

def test_nxxas_skeleton_types_ranks_links_and_fixed_values(tmp_path):
    path = tmp_path / "xas.h5"
    summary = write_skeleton("NXxas", path, definitions=CATALOG, dims={"nP": 12})
    assert summary.links == 2 and summary.groups == 9
    with h5py.File(path, "r") as f:
        entry = f["entry"]
        assert entry.attrs["NX_class"] == "NXentry"
        assert f.attrs["default"] == "entry" and entry.attrs["default"] == "data"
        assert entry["definition"][()].decode() == "NXxas"
        assert PLACEHOLDER_ATTR not in entry["definition"].attrs  # fixed, not made up
        assert h5py.check_string_dtype(entry["title"].dtype).encoding == "utf-8"
        assert entry["title"].attrs[PLACEHOLDER_ATTR]
        energy = entry["instrument/monochromator/energy"]
        assert energy.dtype == np.float64 and energy.shape == (12,)
        assert entry["instrument/source/probe"][()].decode() == "x-ray"
        assert entry["monitor/mode"][()].decode() == "monitor"  # first enumeration item
        assert entry["instrument"].attrs["NX_class"] == "NXinstrument"
        link = entry["data"].get("energy", getlink=True)
        assert isinstance(link, h5py.SoftLink)
        assert link.path == "/entry/instrument/monochromator/energy"
        assert entry["data"].attrs["signal"] == "absorbed_beam"
        assert entry["data"].attrs["axes"] == "energy"
        start = entry["start_time"][()].decode()
        assert start[:4].isdigit() and "T" in start  # ISO 8601, now


def test_subentry_form_puts_data_in_measurement_and_links_it(tmp_path):
    path = tmp_path / "sub.h5"
    write_skeleton("NXxas@subentry", path, definitions=CATALOG, dims={"nP": 7},
                   fill_example=True)
    with h5py.File(path, "r") as f:
        measurement = f["entry/measurement"]
        assert measurement.attrs["NX_class"] == "NXcollection"
        sub = f["entry/xas"]
        assert sub.attrs["NX_class"] == "NXsubentry"
        assert sub["definition"][()].decode() == "NXxas"
        for name in ("energy", "i0", "it"):
            assert isinstance(measurement.get(name, getlink=True), h5py.HardLink)
            link = sub.get(name, getlink=True)
            assert isinstance(link, h5py.SoftLink) and link.path == f"/entry/measurement/{name}"
            assert sub[name].shape == (7,)
        assert measurement["energy"].attrs["units"] == "keV"
        assert np.all(np.diff(measurement["energy"][()]) > 0)  # example ramp, not zeros
    assert errors(path) == []


def test_placeholders_are_marked_and_listed(tmp_path):
    path = tmp_path / "raw.h5"
    summary = write_skeleton("NXesrf_raw", path, definitions=CATALOG, recommended=True)
    with h5py.File(path, "r") as f:
        marked = []
        f.visititems(lambda name, obj: marked.append("/" + name)
                     if PLACEHOLDER_ATTR in obj.attrs else None)
        assert f.attrs["layout"] == "NXesrf_raw"  # fixed: how the file declares its layout
        assert "creator" in f.attrs
    assert set(marked) <= set(summary.placeholders)
    assert "/entry/title" in marked and "/entry/sample/name" in marked


def test_attribute_placeholders_are_listed_on_their_owner(tmp_path):
    path = tmp_path / "subentry.h5"
    write_skeleton("NXsubentry", path, definitions=CATALOG, optional=True)
    with h5py.File(path, "r") as f:
        listed = [v.decode() if isinstance(v, bytes) else v
                  for v in f["entry/subentry/definition_local"].attrs[PLACEHOLDER_ATTRS_ATTR]]
        assert {"version", "URL"} <= set(listed)


def test_base_class_gives_one_group_of_that_class(tmp_path):
    path = tmp_path / "mono.h5"
    write_skeleton("NXmonochromator", path, definitions=CATALOG)
    with h5py.File(path, "r") as f:
        assert f["entry"].attrs["NX_class"] == "NXentry"
        assert f["entry/monochromator"].attrs["NX_class"] == "NXmonochromator"


def test_validator_warns_about_placeholders(tmp_path):
    path = tmp_path / "xas.h5"
    write_skeleton("NXxas", path, definitions=CATALOG)
    report = nxschema.validate(path, definitions=CATALOG)
    assert report.ok
    assert any("placeholder" in f.code for f in report.warnings), \
        "the validator should warn about @nxschema_placeholder values"


def test_huge_dims_without_example_values_cost_no_space(tmp_path):
    path = tmp_path / "big.h5"
    write_skeleton("NXxas@subentry", path, definitions=CATALOG, dims={"nP": 10**9})
    assert path.stat().st_size < 1_000_000
    with h5py.File(path, "r") as f:
        assert f["entry/measurement/energy"].shape == (10**9,)


# --- definition files, errors -------------------------------------------------------------------

def test_definition_given_as_a_yaml_file(tmp_path):
    definition = tmp_path / "NXthing.yaml"
    definition.write_text(textwrap.dedent("""\
        name: NXthing
        category: application
        symbols: {n: points}
        members:
          (NXentry):
            members:
              definition: {value: NXthing}
              counts: {type: NX_INT, dimensions: [n, 3]}
              when: NX_DATE_TIME
              flag: NX_BOOLEAN
        """))
    path = tmp_path / "thing.h5"
    write_skeleton(str(definition), path, dims={"n": 4})
    with h5py.File(path, "r") as f:
        assert f["entry/counts"].shape == (4, 3) and f["entry/counts"].dtype == np.int64
        assert f["entry/flag"].dtype == np.bool_
        assert f["entry/definition"][()].decode() == "NXthing"
    report = nxschema.validate(path, definitions=[definition])
    assert report.ok, [str(e) for e in report.errors]


@pytest.mark.skipif(not NXDL.is_dir(), reason="official NXDL folder missing")
def test_definition_given_as_an_nxdl_file(tmp_path):
    path = tmp_path / "xas.h5"
    write_skeleton(str(NXDL / "applications" / "NXxas.nxdl.xml"), path)
    with h5py.File(path, "r") as f:
        assert f["entry/definition"][()].decode() == "NXxas"
        assert f["entry/instrument/monochromator/energy"].ndim == 1


def test_unknown_definition_and_symbol_are_clear_errors(tmp_path):
    with pytest.raises(LayoutError, match="did you mean 'NXxas'"):
        write_skeleton("NXxass", tmp_path / "a.h5", definitions=CATALOG)
    with pytest.raises(LayoutError, match="unknown symbol nQ.*nP"):
        write_skeleton("NXxas", tmp_path / "a.h5", definitions=CATALOG, dims={"nQ": 3})
    assert not (tmp_path / "a.h5").exists()


def test_cli_writes_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "xas.h5"
    proc = cli("skeleton", "NXxas@subentry", "-o", out, "--dim", "nP=11")
    assert proc.returncode == 0 and "placeholder" in proc.stdout
    before = out.read_bytes()
    proc = cli("skeleton", "NXxas", "-o", out)
    assert proc.returncode == 2 and "exists" in proc.stderr
    assert out.read_bytes() == before
    proc = cli("skeleton", "NXxas", "-o", out, "--force", "--recommended")
    assert proc.returncode == 0 and out.read_bytes() != before
    assert cli("validate", out).returncode == 0


def test_cli_usage_errors(tmp_path):
    assert cli("skeleton", "NXnope", "-o", tmp_path / "x.h5").returncode == 2
    proc = cli("skeleton", "NXxas", "-o", tmp_path / "x.h5", "--dim", "nP")
    assert proc.returncode == 2 and "SYMBOL=LENGTH" in proc.stderr
    proc = cli("skeleton", "--help")
    assert "examples:" in proc.stdout and "--fill-example" in proc.stdout


# --- never half a file --------------------------------------------------------------------------

def test_exception_mid_write_leaves_no_file(tmp_path, monkeypatch):
    def boom(*args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(_skeleton, "write_slab", boom)
    out = tmp_path / "xas.h5"
    with pytest.raises(RuntimeError):
        write_skeleton("NXxas@subentry", out, definitions=CATALOG, fill_example=True)
    assert list(tmp_path.iterdir()) == []


KILLABLE = """\
import sys, time
from nxschema._write import skeleton as _skeleton
from nxschema._cli.main import main
real = _skeleton.write_slab
def slow(ds, start, stop, values):
    real(ds, start, stop, values)
    if start == 0:
        print("writing", flush=True)  # the temporary file now holds part of the data
        time.sleep(600)
_skeleton.write_slab = slow
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("existing", [False, True])
def test_sigkill_mid_write_never_leaves_a_partial_target(tmp_path, existing):
    out = tmp_path / "big.h5"
    old = b"the previous file, which must survive"
    if existing:
        out.write_bytes(old)
    args = ["skeleton", "NXxas@subentry", "-o", str(out), "--dim", "nP=3000000",
            "--fill-example", "--force"]
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE, *args], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        partial = [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
        assert len(partial) == 1 and partial[0].stat().st_size > 0
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    if existing:
        assert out.read_bytes() == old
    else:
        assert not out.exists()


# --- the official NIAC application definitions ---------------------------------------------------

# Skeletons the validator still rejects, and why (not a skeleton problem).
KNOWN = {"NXstress": "two required any-named fields (XAXIS, ...) in one group: the validator "
                     "counts each dataset for the first such field only"}


@pytest.mark.skipif(not NXDL.is_dir(), reason="official NXDL folder missing")
def test_skeletons_of_the_official_application_definitions_validate(tmp_path):
    official = nxschema.load(NXDL / "base_classes", NXDL / "applications", strict=False)
    keys = [k for k in official if official.raw(k).category == "application"
            and str(NXDL) in official.raw(k).source.file]
    assert len(keys) > 40
    failing = {}
    for key in keys:
        out = tmp_path / f"{key}.h5"
        write_skeleton(key, out, definitions=official)
        report = nxschema.validate(out, definitions=official)
        if report.errors:
            failing[key] = [str(e) for e in report.errors]
    assert set(failing) <= set(KNOWN), failing


def test_broken_user_definition_is_reported_with_its_position(tmp_path):
    defs = tmp_path / "defs"
    defs.mkdir()
    (defs / "NXbroken.yaml").write_text("name: NXbroken\ncategory: application\nmembers:\n"
                                        "  (NXentry):\n    members:\n      x: {unitz: 1}\n")
    proc = cli("skeleton", "NXbroken", "--defs", defs, "-o", tmp_path / "b.h5")
    assert proc.returncode == 2 and "NXbroken.yaml:6" in proc.stderr and "units" in proc.stderr
    proc = cli("skeleton", defs / "NXbroken.yaml", "-o", tmp_path / "b.h5")
    assert proc.returncode == 2 and "unknown-keyword" in proc.stderr
    assert not (tmp_path / "b.h5").exists()


@pytest.mark.parametrize("defs", [(), pytest.param((NXDL,), marks=needs_nxdl)],
                         ids=["bundled", "official"])
def test_base_class_enumerations_and_units_fill_what_the_application_leaves_out(tmp_path, defs):
    """NXxas names source/type and monochromator/energy without enumeration or units; the
    base classes (NXsource, NXmonochromator) give them, as they do for the validator."""
    out = tmp_path / "xas.h5"
    write_skeleton("NXxas", out, definitions=list(defs))
    catalog = nxschema.load(*defs)
    source_types = next(f for f in catalog.base_class("NXsource").members
                        if getattr(f, "name", None) == "type").enumeration.values
    with h5py.File(out) as f:
        assert f["entry/instrument/source/type"][()].decode() in source_types
        assert f["entry/instrument/monochromator/energy"].attrs["units"] == "keV"
    codes = {x.code for x in nxschema.validate(out, definitions=list(defs)).findings}
    assert "not-in-enumeration" not in codes and "units-missing" not in codes


def test_generated_writer_accepts_the_base_class_units(tmp_path):
    code = nxschema.generate_writer("NXxas", definitions=[NXDL])
    (tmp_path / "xas_writer.py").write_text(code)
    sys.path.insert(0, str(tmp_path))
    try:
        import xas_writer
    finally:
        sys.path.remove(str(tmp_path))
    assert xas_writer.DEFAULT_UNITS["energy"] == "keV"
