"""ICAT extraction through the binding: keys matched by concept (class path), not by names;
``@icat_field`` keys (pyicat-plus); a Bliss master file through its external links."""

from __future__ import annotations

import json
import subprocess
import sys

import h5py
import numpy as np
import pytest
from h5files import _data, _group

import nxschema
from nxschema._binding.tree import bind
from nxschema._icat.keys import default_name, icat_keys


def _build(root, steps):
    """The groups of ``steps`` (all but the last) under ``root``, made if missing."""
    group = root
    for step in steps[:-1]:
        name = default_name(step.nx_class).lower() if step.any_name else step.name
        group = group[name] if name in group else _group(group, name, step.nx_class)
    return group


@pytest.mark.parametrize("definition", ["NXesrf_raw", "NXesrf_em"])
def test_key_concepts_are_the_bindings_concepts(tmp_path, definition):
    """Every field key of the bundled definitions names the concept the binding binds the
    field to, in the same format (so that a key is found by concept)."""
    rows = [r for r in icat_keys(definition) if r.kind == "field"]
    assert len(rows) >= 5
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f.attrs["NX_class"] = "NXroot"
        f.attrs["publisher"] = "bliss"
        entry = _group(f, "1.1", "NXentry")
        if definition == "NXesrf_em":
            sub = _group(entry, "EM", "NXsubentry")
            _data(sub, "definition", "NXesrf_em")
        shown = {}
        for row in rows:
            group = _build(entry, row.steps)
            name = row.steps[-1].name
            if name not in group:
                _data(group, name, 1.0)
            shown[row.key] = f"{group.name}/{name}"
    binding = bind(path)
    for row in rows:
        assert binding.concept(shown[row.key], definition) == row.concept, row.key


def _bliss_entry(f, name="1.1"):
    f.attrs["NX_class"] = "NXroot"
    entry = _group(f, name, "NXentry")
    _data(entry, "title", "ascan sy 0 1 10 0.1")
    instrument = _group(entry, "instrument", "NXinstrument")
    machine = _group(instrument, "machine", "NXsource")  # Bliss names its NXsource so
    _data(machine, "current", 196.5, "mA")
    positioners = _group(instrument, "positioners", "NXcollection")
    _data(positioners, "sy", 0.5, "mm")
    _data(positioners, "sz", 1.5, "mm")
    device = _group(instrument, "insertion_device", "NXinsertion_device")
    gap = _group(device, "gap", "NXpositioner")
    _data(gap, "name", "u35gap")
    _data(gap, "value", 11.25, "mm")
    return entry


def test_a_source_under_another_name_gives_its_key(tmp_path):
    path = tmp_path / "raw.h5"
    with h5py.File(path, "w") as f:
        _bliss_entry(f)
    values = nxschema.icat_extract(path)
    assert values["InstrumentSource_current"] == {"value": 196.5, "units": "mA",
                                                  "path": "/1.1/instrument/machine/current"}
    # Two NXsource groups, neither named source: the key does not guess between them.
    with h5py.File(path, "a") as f:
        _data(_group(f["1.1/instrument"], "booster", "NXsource"), "current", 1.0, "mA")
    assert "InstrumentSource_current" not in nxschema.icat_extract(path)


def test_positioner_groups_join_the_positioners_keys(tmp_path):
    path = tmp_path / "raw.h5"
    with h5py.File(path, "w") as f:
        _bliss_entry(f)
    values = nxschema.icat_extract(path)
    assert values["InstrumentPositioners_name"]["value"] == "sy sz u35gap"
    assert values["InstrumentPositioners_value"]["value"] == "0.5 1.5 11.25"
    # Without the collection, the NXpositioner groups still give the keys.
    with h5py.File(path, "a") as f:
        del f["1.1/instrument/positioners"]
    values = nxschema.icat_extract(path)
    assert values["InstrumentPositioners_name"]["value"] == "u35gap"
    assert values["InstrumentPositioners_value"]["value"] == "11.25"


PYICAT = {  # key: (path below the entry, value, units), as pyicat-plus writes them
    "InstrumentSource_current": ("instrument/source/current", 200.0, "mA"),
    "InstrumentMonochromator_energy": ("instrument/monochromator/energy", 7.1, "keV"),
    "SamplePositioners_name": ("sample/positioners/name", "sx sy", None),
    "SampleEnvironment_temperature": ("sample/environment/temperature", 295.0, "K"),
    "Notes_note_01": ("notes/note_01", "aligned twice", None),
    "InstrumentDetector01_name": ("instrument/detector01/name", "pilatus", None),
}


def test_icat_field_attributes_give_their_keys_without_definitions(tmp_path):
    """pyicat-plus writes ``@icat_field`` (the ICAT parameter) on every dataset it writes:
    each one is a key, found by the attribute, whatever definitions are loaded."""
    path = tmp_path / "icat.h5"
    classes = {"instrument": "NXinstrument", "source": "NXsource", "sample": "NXsample",
               "monochromator": "NXmonochromator", "positioners": "NXpositioner",
               "environment": "NXenvironment", "notes": "NXnote", "detector01": "NXdetector"}
    with h5py.File(path, "w") as f:
        f.attrs["NX_class"] = "NXroot"
        entry = _group(f, "entry", "NXentry")
        for key, (where, value, units) in PYICAT.items():
            group = entry
            for name in where.split("/")[:-1]:
                group = group[name] if name in group else _group(group, name, classes[name])
            ds = group.create_dataset(where.rsplit("/", 1)[-1], data=value)
            ds.attrs["icat_field"] = key
            if units:
                ds.attrs["units"] = units
    values = nxschema.icat_extract(path, bundled=False)  # no definition at all
    assert set(values) == set(PYICAT)
    for key, (where, value, units) in PYICAT.items():
        assert values[key]["value"] == value and values[key]["units"] == units
        assert values[key]["path"] == f"/entry/{where}"
    # With the bundled definitions, their keys and the attributes agree.
    assert nxschema.icat_extract(path)["InstrumentSource_current"]["value"] == 200.0


def test_icat_extract_on_a_bliss_master_file_through_external_links(tmp_path):
    raw = tmp_path / "sample_0001" / "sample_0001.h5"
    raw.parent.mkdir()
    with h5py.File(raw, "w") as f:
        f.attrs["publisher"] = "bliss"
        for scan in ("1.1", "2.1"):
            entry = _bliss_entry(f, scan)
            _data(_group(entry, "sample", "NXsample"), "name", "hematite")
            _data(entry, "start_time", "2026-12-01T10:00:00+01:00")
    master = tmp_path / "proposal.h5"
    with h5py.File(master, "w") as f:
        f.attrs["NX_class"] = "NXroot"
        for scan in ("1.1", "2.1"):
            f[scan] = h5py.ExternalLink("sample_0001/sample_0001.h5", f"/{scan}")
    result = subprocess.run([sys.executable, "-m", "nxschema", "icat", "extract", str(master),
                             "--format", "json"], check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["entry"] == "1.1"
    values = data["keys"]
    assert values["InstrumentSource_current"]["value"] == 196.5
    assert values["Sample_name"]["value"] == "hematite"
    assert values["InstrumentPositioners_name"]["value"] == "sy sz u35gap"
    assert values["startDate"]["value"].startswith("2026-12-01T10:00:00")
    never = subprocess.run([sys.executable, "-m", "nxschema", "icat", "extract", str(master),
                            "--format", "json", "--external", "never"],
                           check=False, capture_output=True, text=True, timeout=120)
    assert "InstrumentSource_current" not in never.stdout


def test_the_positioners_collection_is_not_any_collection(tmp_path):
    path = tmp_path / "raw.h5"
    with h5py.File(path, "w") as f:
        entry = _bliss_entry(f)
        del entry["instrument/positioners"]
        del entry["instrument/insertion_device"]
        _data(_group(entry["instrument"], "counters", "NXcollection"), "i0",
              np.float64(3.0))
    assert "InstrumentPositioners_name" not in nxschema.icat_extract(path)
