"""Group rules: NXdata, the @default chain, NXprocess and its configuration."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest

import nxschema
from h5files import _data, _group, write_xas_file


@pytest.fixture
def xas(tmp_path):
    path = tmp_path / "xas.h5"
    write_xas_file(path)
    return path


def edit(path, how):
    with h5py.File(path, "r+") as f:
        how(f)
    return nxschema.validate(path)


def codes(report, severity="error"):
    return {(f.code, f.path) for f in report.findings if f.severity == severity}


# --- NXprocess --------------------------------------------------------------------------------

def test_process_with_json_note_is_valid(xas):
    assert nxschema.validate(xas).ok


@pytest.mark.parametrize("text", ['{"edge": 7.112,', "{'single': 'quotes'}"])
def test_process_with_broken_json_is_invalid(xas, text):
    def how(f):
        del f["1.1/normalisation/configuration/data"]
        _data(f["1.1/normalisation/configuration"], "data", text)
    report = edit(xas, how)
    assert ("bad-config", "/1.1/normalisation/configuration/data") in codes(report)


@pytest.mark.parametrize("label, text", [
    ("text/json", '{\r\n  "a": 1,\r\n  "b": [1, 2]\r\n}'),  # CRLF separators
    ("application/json", '{"a": {"b": null}}'),
    ("ini", "[fit]\nedge = 7.112\n"),
    ("yaml", "a: 1\nb: [x, y]\n"),
])
def test_real_world_type_spellings(xas, label, text):
    def how(f):
        note = f["1.1/normalisation/configuration"]
        del note["type"], note["data"]
        _data(note, "type", label)
        _data(note, "data", text)
    assert edit(xas, how).ok


def test_format_written_instead_of_type(xas):
    def how(f):
        note = f["1.1/normalisation/configuration"]
        del note["type"], note["data"]
        _data(note, "format", "ini")
        _data(note, "data", "not ini at all")
    assert ("bad-config", "/1.1/normalisation/configuration/data") in codes(edit(xas, how))


def test_v1_string_configuration_with_format_attribute(xas):
    def how(f):
        process = f["1.1/normalisation"]
        del process["configuration"]
        _data(process, "configuration", "[a]\nb = 1\n", format="ini")
        f["1.1"].create_group("fit")  # unrelated group, no class: a warning only
    report = edit(xas, how)
    assert report.ok, [str(x) for x in report.errors]
    with h5py.File(xas, "r+") as f:
        f["1.1/normalisation/configuration"].attrs["format"] = "json"
    assert ("bad-config", "/1.1/normalisation/configuration") in codes(nxschema.validate(xas))


def test_sequence_index_unique_and_date_iso(xas):
    def how(f):
        process = f["1.1/normalisation"]
        f.copy(process, f["1.1"], "second_step")
        del process["date"]
        _data(process, "date", "23/11/2026")
    report = edit(xas, how)
    found = codes(report)
    assert any(code == "duplicate-sequence-index" for code, _ in found)
    assert ("bad-date", "/1.1/normalisation/date") in found


# --- NXdata ------------------------------------------------------------------------------------

def test_axes_rank_and_lengths(xas):
    def how(f):
        f["1.1/data"].attrs["axes"] = ["energy", "y"]
    assert any(c == "bad-axes" for c, _ in codes(edit(xas, how)))


def test_axis_length_n_plus_one_is_bin_edges(xas):
    def how(f):
        data = f["1.1/data"]
        del data["energy"]
        data["energy"] = np.linspace(0, 1, 101)
    assert not [c for c, _ in codes(edit(xas, how)) if c == "axis-length"]
    with h5py.File(xas, "r+") as f:
        del f["1.1/data/energy"]
        f["1.1/data/energy"] = np.linspace(0, 1, 98)
    assert ("axis-length", "/1.1/data/energy") in codes(nxschema.validate(xas))


def test_errors_shape_and_auxiliary_signals(xas):
    def how(f):
        data = f["1.1/data"]
        data["absorbed_beam_errors"] = np.ones(99)
        data.attrs["auxiliary_signals"] = ["nothing_here"]
    found = codes(edit(xas, how))
    assert ("errors-shape", "/1.1/data/absorbed_beam_errors") in found
    assert ("bad-signal", "/1.1/data@auxiliary_signals") in found


def test_axes_placeholder_dot_and_indices(tmp_path):
    path = tmp_path / "image.h5"
    with h5py.File(path, "w") as f:
        f.attrs["NX_class"] = "NXroot"
        entry = _group(f, "entry", "NXentry", default="image")
        data = _group(entry, "image", "NXdata", signal="frame", axes=[".", "x"], x_indices=1)
        data["frame"] = np.zeros((4, 6))
        data["x"] = np.arange(6)
    assert nxschema.validate(path).ok
    with h5py.File(path, "r+") as f:
        f["entry/image"].attrs["x_indices"] = 0
    assert ("axis-length", "/entry/image/x") in codes(nxschema.validate(path))


def test_legacy_signal_attribute_is_a_warning(tmp_path):
    path = tmp_path / "old.h5"
    with h5py.File(path, "w") as f:
        entry = _group(f, "entry", "NXentry")
        data = _group(entry, "data", "NXdata")
        data["counts"] = np.arange(5)
        data["counts"].attrs["signal"] = 1
    report = nxschema.validate(path)
    assert report.ok
    assert ("legacy-signal", "/entry/data/counts") in codes(report, "warning")


# --- @default ---------------------------------------------------------------------------------

def test_default_chain_through_process_to_nxdata(xas):
    def how(f):
        f["1.1"].attrs["default"] = "normalisation"  # NXprocess with @default=results
    assert edit(xas, how).ok


def test_default_may_be_a_relative_path(xas):
    def how(f):
        f.attrs["default"] = "1.1/data"
    assert edit(xas, how).ok


def test_dangling_entry_default_and_not_nxdata(xas):
    def how(f):
        f["1.1"].attrs["default"] = "plot"
    assert ("dangling-default", "/1.1@default") in codes(edit(xas, how))
    with h5py.File(xas, "r+") as f:
        f["1.1"].attrs["default"] = "instrument"
    assert ("default-not-nxdata", "/1.1@default") in codes(nxschema.validate(xas), "warning")


def test_config_schema_from_definition(tmp_path, xas):
    definition = tmp_path / "NXstrict_process.yaml"
    definition.write_text(json.dumps({
        "name": "NXstrict_process", "category": "process", "extends": "NXprocess",
        "members": {"program": None, "configuration(NXnote)": {"members": {
            "type": None, "data": {"config": {"formats": ["json"], "schema": {
                "type": "object", "required": ["edge", "mode"]}}}}}}}))
    catalog = nxschema.load(definition)
    report = nxschema.validate(xas, definitions=catalog)
    found = [f for f in report.errors if f.code == "config-schema"]
    assert found and "'mode' is a required property" in found[0].message


def test_format_from_the_file_name_as_the_reader_does(xas):
    def how(f):
        note = f["1.1/normalisation/configuration"]
        del note["type"], note["data"], note["file_name"]
        _data(note, "file_name", "normalisation.ini")
        _data(note, "data", "[fit]\nedge = 7.112\n")
    assert edit(xas, how).ok
    assert nxschema.read_config(xas, "1.1/normalisation") == {"fit": {"edge": "7.112"}}
    with h5py.File(xas, "r+") as f:
        del f["1.1/normalisation/configuration/data"]
        _data(f["1.1/normalisation/configuration"], "data", "edge = 7.112 without a section")
    assert ("bad-config", "/1.1/normalisation/configuration/data") in codes(
        nxschema.validate(xas))


def test_fieldname_errors_needs_its_field(tmp_path):
    # NXobject's FIELDNAME_errors/_weights: the placeholder is a field of the same group
    # (pynxtools' reserved-suffix-from-baseclass case), through the base-class binding.
    path = tmp_path / "suffix.h5"
    with h5py.File(path, "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        sample = entry.create_group("sample")
        sample.attrs["NX_class"] = "NXsample"
        sample["temperature"] = 300.0
        sample["temperature_errors"] = 0.5
        sample["pressure_errors"] = 0.1
        sample["humidity_weights"] = 0.2
    found = sorted((f.path, f.severity) for f in nxschema.validate(path).findings
                   if f.code == "placeholder-sibling")
    assert found == [("/entry/sample/humidity_weights", "warning"),
                     ("/entry/sample/pressure_errors", "warning")]
