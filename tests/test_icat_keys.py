"""ICAT keys derived from definitions (the plain rule and ``icat:`` overrides), and values
extracted from HDF5 files the tests build: a raw ESRF-style entry, an EM subentry, and a master
file whose entry is an external link."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import h5py
import numpy as np
import pytest

import nxschema
from nxschema._icat.keys import camel, catalog_keys, mapping
from nxschema._icat.extract import IcatError, extract
from nxschema._definitions.yaml_reader import read_yaml

REPO = Path(__file__).resolve().parents[1]
STR = h5py.string_dtype()


def definition(text: str, file: str = "t.yaml"):
    parsed, findings = read_yaml(textwrap.dedent(text), file)
    assert parsed is not None, [str(f) for f in findings]
    return parsed


def keys(text: str) -> dict[str, str]:
    return {row.path: row.key for row in mapping(definition(text))}


# --- the rule ---------------------------------------------------------------------------------

def test_camel_case_splits_on_underscores_and_keeps_inner_capitals():
    assert camel("primary_slit") == "PrimarySlit"
    assert camel("source") == "Source"
    assert camel("slit_2") == "Slit2"
    assert camel("xBeam_pos") == "XBeamPos"


LAYOUT = """\
    name: NXt_raw
    category: layout
    members:
      (NXentry):
        members:
          title: {icat: datasetName}
          start_time: {type: NX_DATE_TIME, icat: {key: startDate, record: initial}}
          definition: {value: NXt_raw}
          notes: NX_CHAR
          (NXinstrument):
            members:
              name: {icat: beamlineID}
              source(NXsource):
                members:
                  current: {type: NX_FLOAT, units: mA}
                  current_end: {type: NX_FLOAT, units: mA}
              monochromator(NXmonochromator):
                members:
                  energy: {type: NX_FLOAT, units: NX_ENERGY}
                  crystal(NXcrystal):
                    members:
                      reflection: {type: NX_INT, dimensions: [3]}
              primary_slit(NXslit):
                icat: SlitPrimary
                members:
                  vertical_gap: NX_FLOAT
              positioners(NXcollection):
                optional: true
          measurement(NXcollection):
            members:
              i0: NX_NUMBER
          plot(NXdata):
            members:
              energy: {link: /NXentry/NXinstrument/monochromator:NXmonochromator/energy}
              signal: NX_NUMBER
          sample(NXsample):
            members:
              name: NX_CHAR
              energy: {link: /entry/instrument/monochromator/energy}
              DETAIL: {name_type: any}
          user(NXuser):
            members:
              email: {personal: true}
              role: NX_CHAR
          xas(NXsubentry):
            members:
              energy: NX_FLOAT
          MX(NXsubentry):
            members:
              resolution: {type: NX_FLOAT, units: angstrom}
              beam(NXbeam):
                members:
                  size_x: NX_FLOAT
    """


def test_plain_rule_and_overrides_on_a_layout():
    assert keys(LAYOUT) == {
        "title": "datasetName",
        "start_time": "startDate",
        "instrument/name": "beamlineID",
        "instrument/source/current": "InstrumentSource_current",
        "instrument/source/current_end": "InstrumentSource_current_end",
        "instrument/monochromator/energy": "InstrumentMonochromator_energy",
        "instrument/monochromator/crystal/reflection": "InstrumentMonochromatorCrystal_reflection",
        "instrument/primary_slit/vertical_gap": "InstrumentSlitPrimary_vertical_gap",
        "instrument/positioners/name": "InstrumentPositioners_name",
        "instrument/positioners/value": "InstrumentPositioners_value",
        "sample/name": "Sample_name",
        # a link gets the key of the data it links to: one key, two paths
        "sample/energy": "InstrumentMonochromator_energy",
        "user/role": "User_role",
        "MX/resolution": "MX_resolution",
        "MX/beam/size_x": "MXBeam_size_x",
    }


def test_rows_carry_type_units_record_and_mandatory():
    rows = {r.path: r for r in mapping(definition(LAYOUT))}
    current = rows["instrument/source/current"]
    assert (current.nx_type, current.units, current.record, current.mandatory) == (
        "NX_FLOAT", "mA", "final", True)
    assert rows["start_time"].record == "initial"
    assert rows["instrument/positioners/name"].mandatory is False  # the group is optional
    assert rows["sample/energy"].kind == "link"
    assert rows["sample/energy"].target == "instrument/monochromator/energy"
    assert rows["title"].explicit and not current.explicit


def test_a_technique_definition_gives_prefixed_keys():
    text = """\
        name: NXt_em
        category: application
        placement: subentry
        members:
          EM(NXsubentry):
            members:
              protein_acronym: NX_CHAR
              motion_correction(NXcollection):
                members:
                  total_motion: NX_FLOAT
        """
    assert keys(text) == {"EM/protein_acronym": "EM_protein_acronym",
                          "EM/motion_correction/total_motion": "EMMotionCorrection_total_motion"}


def test_base_classes_carry_no_keys():
    assert keys("name: NXt\ncategory: base\nmembers:\n  current: NX_FLOAT\n") == {}


# --- the shipped definitions ------------------------------------------------------------------

def test_keys_of_the_shipped_raw_layout():
    rows = nxschema.icat_keys("NXesrf_raw")
    assert [(r.key, r.path) for r in rows] == [
        ("datasetName", "title"),
        ("startDate", "start_time"),
        ("endDate", "end_time"),
        ("location", "folder_path"),
        ("beamlineID", "instrument/name"),
        ("InstrumentSource_current", "instrument/source/current"),
        ("InstrumentMonochromator_energy", "instrument/monochromator/energy"),
        ("InstrumentSlitPrimary_vertical_gap", "instrument/primary_slit/vertical_gap"),
        ("InstrumentSlitPrimary_horizontal_gap", "instrument/primary_slit/horizontal_gap"),
        ("InstrumentPositioners_name", "instrument/positioners/name"),
        ("InstrumentPositioners_value", "instrument/positioners/value"),
        ("Sample_name", "sample/name"),
        ("Sample_description", "sample/description"),
        ("User_role", "user/role"),
        ("User_affiliation", "user/affiliation"),
    ]
    # every key not declared with icat: (on the field or, for primary_slit, on its group)
    # follows the plain rule
    for row in rows:
        if not row.explicit and row.kind == "field" and "primary_slit" not in row.path:
            groups, _, leaf = row.path.rpartition("/")
            assert row.key == "".join(camel(g) for g in groups.split("/")) + "_" + leaf


def test_keys_of_the_shipped_em_definition():
    rows = {r.key: r for r in nxschema.icat_keys("NXesrf_em")}
    assert set(rows) == {
        "EM_protein_acronym", "EM_voltage", "EM_magnification", "EM_images_count",
        "EM_position_x", "EM_position_y", "EM_dose_initial", "EM_dose_per_frame",
        "EM_spherical_aberration", "EM_amplitude_contrast", "EMMotionCorrection_total_motion",
        "EMMotionCorrection_average_motion_per_frame"}
    assert (rows["EM_voltage"].nx_type, rows["EM_voltage"].units) == ("NX_FLOAT", "kV")
    assert rows["EM_images_count"].nx_type == "NX_INT"
    assert rows["EM_protein_acronym"].mandatory and not rows["EM_voltage"].mandatory


def test_icat_keys_accepts_files_and_rejects_unknown_names():
    rows = nxschema.icat_keys(REPO / "definitions" / "esrf" / "NXesrf_em.yaml")
    assert rows[0].key == "EM_protein_acronym"
    with pytest.raises(nxschema.DefinitionError, match="NXnothing"):
        nxschema.icat_keys("NXnothing")


# --- extraction -------------------------------------------------------------------------------

def _group(parent, name, nx_class):
    group = parent.create_group(name)
    group.attrs["NX_class"] = nx_class
    return group


def _data(parent, name, value, units=None):
    dataset = parent.create_dataset(name, data=value, dtype=STR if isinstance(value, str) else None)
    if units:
        dataset.attrs["units"] = units
    return dataset


def write_raw_entry(root, name="1.1", em=True):
    """A raw ESRF-style scan: instrument, positioners, sample, measurement, and an EM subentry."""
    entry = _group(root, name, "NXentry")
    _data(entry, "title", "ascan samy 0 1 10 0.1")
    _data(entry, "start_time", "2026-11-23T10:00:00+01:00")
    _data(entry, "end_time", "2026-11-23T10:05:00Z")
    instrument = _group(entry, "instrument", "NXinstrument")
    _data(instrument, "name", "ID21")
    _data(_group(instrument, "source", "NXsource"), "current", 198.7, "mA")
    mono = _group(instrument, "monochromator", "NXmonochromator")
    _data(mono, "energy", np.linspace(7.0, 7.5, 101), "keV")
    slit = _group(instrument, "primary_slit", "NXslit")
    _data(slit, "vertical_gap", np.float32(0.25), "mm")
    positioners = _group(instrument, "positioners", "NXcollection")
    _data(positioners, "samx", 1.5, "mm")
    _data(positioners, "samy", np.linspace(0.0, 1.0, 11), "mm")
    _data(positioners, "samz", np.int64(-2), "mm")
    _data(_group(entry, "sample", "NXsample"), "name", "hematite")
    measurement = _group(entry, "measurement", "NXcollection")
    measurement["samy"] = h5py.SoftLink(f"{positioners.name}/samy")
    if em:
        sub = _group(entry, "EM", "NXsubentry")
        _data(sub, "protein_acronym", "LYS")
        _data(sub, "voltage", 300.0, "kV")
        _data(sub, "images_count", np.int32(40))
        _data(sub, "dose_per_frame", 1.25, "e/A^2")
        _data(_group(sub, "motion_correction", "NXcollection"), "total_motion", 12.5, "A")
    return entry


EXPECTED = {
    "datasetName": ("ascan samy 0 1 10 0.1", None),
    "startDate": ("2026-11-23T10:00:00+01:00", None),
    "endDate": ("2026-11-23T10:05:00+00:00", None),
    "beamlineID": ("ID21", None),
    "InstrumentSource_current": (198.7, "mA"),
    "InstrumentMonochromator_energy": (7.5, "keV"),  # record final: the last point of the scan
    "InstrumentSlitPrimary_vertical_gap": (0.25, "mm"),
    "InstrumentPositioners_name": ("samx samy samz", None),
    "InstrumentPositioners_value": ("1.5 1.0 -2", None),
    "Sample_name": ("hematite", None),
    "EM_protein_acronym": ("LYS", None),
    "EM_voltage": (300.0, "kV"),
    "EM_images_count": (40, None),
    "EM_dose_per_frame": (1.25, "e/A^2"),
    "EMMotionCorrection_total_motion": (12.5, "A"),
}


def simple(values: dict) -> dict:
    return {key: (item["value"], item["units"]) for key, item in values.items()}


def test_extract_a_raw_entry_with_an_em_subentry(tmp_path):
    path = tmp_path / "scan.h5"
    with h5py.File(path, "w") as f:
        write_raw_entry(f)
    values = nxschema.icat_extract(path)
    assert simple(values) == EXPECTED
    assert type(values["EM_images_count"]["value"]) is int
    assert values["InstrumentSource_current"]["path"] == "/1.1/instrument/source/current"


def test_extract_picks_the_entry_and_follows_root_default(tmp_path):
    path = tmp_path / "scans.h5"
    with h5py.File(path, "w") as f:
        write_raw_entry(f, "1.1", em=False)
        second = write_raw_entry(f, "2.1", em=False)
        second["sample/name"][()] = "magnetite"
        f.attrs["default"] = "2.1"
    assert nxschema.icat_extract(path)["Sample_name"]["value"] == "magnetite"
    assert nxschema.icat_extract(path, entry="1.1")["Sample_name"]["value"] == "hematite"
    with pytest.raises(IcatError, match="no entry '9.1'"):
        nxschema.icat_extract(path, entry="9.1")


def test_extract_through_a_master_file_whose_entry_is_an_external_link(tmp_path):
    (tmp_path / "scan0001").mkdir()
    with h5py.File(tmp_path / "scan0001" / "data.h5", "w") as f:
        write_raw_entry(f)
    with h5py.File(tmp_path / "master.h5", "w") as f:
        f["1.1"] = h5py.ExternalLink("scan0001/data.h5", "/1.1")
    # resolved against the master file's folder, not the working directory
    cwd = os.getcwd()
    try:
        os.chdir("/")
        result = extract(tmp_path / "master.h5", catalog_keys(nxschema.load()))
    finally:
        os.chdir(cwd)
    assert simple(result.values) == EXPECTED
    assert result.entry == "1.1" and result.notes == []


def test_external_links_outside_the_master_folder_need_permission(tmp_path):
    outside, inside = tmp_path / "elsewhere", tmp_path / "experiment"
    outside.mkdir()
    inside.mkdir()
    with h5py.File(outside / "data.h5", "w") as f:
        write_raw_entry(f, em=False)
    with h5py.File(inside / "master.h5", "w") as f:
        f["1.1"] = h5py.ExternalLink("../elsewhere/data.h5", "/1.1")
    rows = catalog_keys(nxschema.load())
    refused = extract(inside / "master.h5", rows)
    assert refused.values == {} and "--external follow" in refused.notes[0]
    allowed = extract(inside / "master.h5", rows, external="follow")
    assert allowed.values["Sample_name"]["value"] == "hematite"
    with pytest.warns(DeprecationWarning, match="external='follow'"):  # the old spelling
        old = extract(inside / "master.h5", rows, allow_external_anywhere=True)
    assert old.values == allowed.values


def test_a_file_without_keys_gives_an_empty_result(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f.create_group("calibration").create_dataset("gain", data=2.0)
        entry = _group(f, "entry", "NXentry")
        _group(entry, "instrument", "NXinstrument")
    assert nxschema.icat_extract(path) == {}


def test_bad_files_raise_a_one_line_error(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not hdf5")
    for path, message in ((text, "not an HDF5 file"), (tmp_path / "missing.h5", "no such file")):
        with pytest.raises(IcatError) as info:
            nxschema.icat_extract(path)
        assert message in str(info.value) and "\n" not in str(info.value)


def test_soft_link_loops_do_not_hang(tmp_path):
    path = tmp_path / "loop.h5"
    with h5py.File(path, "w") as f:
        entry = _group(f, "entry", "NXentry")
        entry["sample"] = h5py.SoftLink("/entry/sample_alias")
        entry["sample_alias"] = h5py.SoftLink("/entry/sample")
        _data(entry, "title", "loop")
    assert simple(nxschema.icat_extract(path)) == {"datasetName": ("loop", None)}


def test_nxpositioner_groups_give_name_and_value(tmp_path):
    layout = tmp_path / "defs" / "NXt_pos.yaml"
    layout.parent.mkdir()
    layout.write_text(textwrap.dedent("""\
        name: NXt_pos
        category: layout
        members:
          (NXentry):
            members:
              sample(NXsample):
                icat: Sample
                members:
                  rotation(NXpositioner): {}
        """))
    path = tmp_path / "pos.h5"
    with h5py.File(path, "w") as f:
        sample = _group(_group(f, "entry", "NXentry"), "sample", "NXsample")
        rotation = _group(sample, "rotation", "NXpositioner")
        _data(rotation, "name", "srot")
        _data(rotation, "value", np.array([10.0, 20.0, 30.0]), "deg")
    values = simple(nxschema.icat_extract(path, definitions=[layout.parent]))
    assert values["SampleRotation_name"] == ("srot", None)
    assert values["SampleRotation_value"] == ("30.0", None)
