"""Files written by other programs (silx, pyFAI, PyMca, a Bliss-like master with external links)
validate without a traceback, with only the findings a NeXus reader agrees with.

The files are in tests/data/real/ (see its README.md: which program and version wrote each).
For every file the exact errors and warnings are pinned, once with the bundled definitions and
once with the official NXDL on top (pyFAI's NXmonopd, NXcanSAS and NXazint1d entries are then
checked against the NIAC application definitions). Every pinned finding was read and judged;
the reasons are next to them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import nxschema
from nxschema._definitions.catalog import load

REAL = Path(__file__).resolve().parent / "data" / "real"
from nxdl_corpus import NXDL  # next to the checkout, or $NXSCHEMA_NXDL

FILES = ["silx_spec.h5", "silx_edf.h5", "silx_edf_stack.h5", "pyfai_nxmonpd.h5",
         "pyfai_nxcansas.h5", "pyfai_nxazint1d.h5", "pyfai_integrate.h5", "pyfai_integrate2d.h5",
         "pymca_fastfit.h5",
         "bliss/sample.h5", "bliss/sample_0001/sample_0001.h5",
         "bliss/sample_0001/scan0001/eiger_0000.h5", "bliss/sample_0001/scan0002/eiger_0000.h5"]

# pyFAI writes NXsource/type 'synchrotron', not the spelled-out 'Synchrotron X-ray Source' of
# the (open) enumeration: a warning in a base class, as the reader would say.
SOURCE_TYPE = "not-in-enumeration"
# silx keeps EDF header values it has no NeXus name for in a plain group inside the NXdetector:
# NeXus permits such groups but does not validate them; worth a warning. (Its plain groups
# inside the measurement NXcollection, whose content is unvalidated by design, are not.)
SILX_OTHERS = {("missing-nx-class", "/scan_0/instrument/detector_0/others")}

# file -> (errors, warnings) with the bundled definitions, as (code, path) pairs.
BUNDLED = {
    "silx_spec.h5": (set(), set()),
    "silx_edf.h5": (set(), SILX_OTHERS),
    "silx_edf_stack.h5": (set(), SILX_OTHERS),
    # The NIAC application definitions are not bundled: the entries fall back to NXentry.
    "pyfai_nxmonpd.h5": (set(), {
        ("unknown-application", "/entry"),
        (SOURCE_TYPE, "/entry/beamline/ESRF/type"),
        # pyFAI's own unit name '2th_deg' is not a unit.
        ("implausible-units", "/entry/beamline/Detector/polar_angle"),
        # NX_ANY takes any unit, but @units='relative to the PONI position' is a sentence.
        ("implausible-units", "/entry/normalization/integral")}),
    "pyfai_nxcansas.h5": (set(), {("unknown-application", "/entry"),
                                  (SOURCE_TYPE, "/entry/beamline/ESRF/type")}),
    "pyfai_nxazint1d.h5": (set(), {("unknown-application", "/entry"),
                                   (SOURCE_TYPE, "/entry/instrument/source/type")}),
    "pyfai_integrate.h5": (set(), set()),
    # Caked: @axes ['.', 'chi', 'radial'] on a (1, 36, 40) signal fits; nothing to say.
    "pyfai_integrate2d.h5": (set(), set()),
    "pymca_fastfit.h5": (set(), set()),
    # Bliss writes @publisher='bliss', so the ESRF raw layout applies by its applies_when. The
    # layout recommends a root @default; this dataset-level master has none (the scan file
    # sample_0001.h5 has one): a true, mild finding.
    "bliss/sample.h5": (set(), {("missing-recommended", "/@default")}),
    "bliss/sample_0001/sample_0001.h5": (set(), set()),
    "bliss/sample_0001/scan0001/eiger_0000.h5": (set(), set()),
    "bliss/sample_0001/scan0002/eiger_0000.h5": (set(), set()),
}

# With the official NXDL loaded too: the differences from BUNDLED.
OFFICIAL = {
    # NXmonopd is a raw-data definition; pyFAI fills it with reduced data and leaves out what
    # it does not know: all three are real departures from the definition.
    "pyfai_nxmonpd.h5": ({("wrong-type", "/entry/beamline/Detector/data"),  # NX_INT; floats
                          ("missing-required", "/entry/normalization/preset"),
                          ("missing-required", "/entry/powder/rotation_angle")},
                         # The base class's rules still hold where the application definition
                         # names the field too: NXsource/type's list, NXdetector's angle units.
                         {(SOURCE_TYPE, "/entry/beamline/ESRF/type"),
                          ("implausible-units", "/entry/beamline/Detector/polar_angle"),
                          ("implausible-units", "/entry/normalization/integral")}),
    # NXcanSAS lists the units of Q: '1/A' is not among 1/m, 1/nm, 1/angstrom. (SDD is a name,
    # not a placeholder: pyFAI's detector 'config' is not a second SDD.)
    "pyfai_nxcansas.h5": ({("not-in-enumeration", "/entry/sasdata/Q@units")},
                          {(SOURCE_TYPE, "/entry/beamline/ESRF/type")}),
    # NXazint1d fixes the long_name texts and names the process 'reduction'; pyFAI 2026.9 writes
    # other texts and calls it 'pyFAI'. (@units 'degrees' of radial_axis is fine: the
    # definition lists units categories, and degrees are an NX_ANGLE.)
    "pyfai_nxazint1d.h5": ({("not-in-enumeration", "/entry/data/I_errors@long_name"),
                            ("not-in-enumeration", "/entry/data/norm@long_name"),
                            ("missing-required", "/entry/reduction(NXprocess)")},
                           {(SOURCE_TYPE, "/entry/instrument/source/type")}),
}


def _pairs(findings, severity):
    return {(f["code"] if isinstance(f, dict) else f.code,
             f["path"] if isinstance(f, dict) else f.path)
            for f in findings
            if (f["severity"] if isinstance(f, dict) else f.severity) == severity}


@pytest.fixture(scope="module")
def official_catalog():
    if not NXDL.is_dir():
        pytest.skip(f"no official NXDL at {NXDL}")
    return load(NXDL)


def test_every_real_file_is_committed_and_small():
    for name in FILES:
        path = REAL / name
        assert path.is_file(), name
        assert path.stat().st_size < 200_000, name
        assert h5py.is_hdf5(path), name


@pytest.mark.parametrize("name", FILES)
def test_bundled_definitions_give_the_judged_findings(name):
    report = nxschema.validate(REAL / name)
    errors, warnings = BUNDLED[name]
    assert _pairs(report.findings, "error") == errors
    assert _pairs(report.findings, "warning") == warnings
    assert report.ok == (not errors)


@pytest.mark.parametrize("name", FILES)
def test_official_nxdl_gives_the_judged_findings(name, official_catalog):
    report = nxschema.validate(REAL / name, definitions=official_catalog)
    errors, warnings = OFFICIAL.get(name, BUNDLED[name])
    assert _pairs(report.findings, "error") == errors
    assert _pairs(report.findings, "warning") == warnings
    # The NXDL base classes name axes a field may have; no real file uses them all.
    assert not any(f.code == "wrong-rank" for f in report.findings)


@pytest.mark.parametrize("name", FILES)
def test_cli_json_never_crashes(name):
    run = subprocess.run([sys.executable, "-m", "nxschema", "validate", str(REAL / name),
                          "--severity", "info", "--format", "json"],
                         check=False, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in run.stdout + run.stderr
    assert run.returncode in (0, 1), run.stderr
    report = json.loads(run.stdout)
    (entry,) = report["files"]
    errors, warnings = BUNDLED[name]
    assert _pairs(entry["findings"], "error") == errors
    assert _pairs(entry["findings"], "warning") == warnings
    assert run.returncode == (1 if errors else 0)


def _digest(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*.h5"))}


def test_validating_leaves_every_copy_byte_identical(tmp_path):
    copy = tmp_path / "real"
    shutil.copytree(REAL, copy)  # the Bliss master and its data files move together
    before = _digest(copy)
    assert before == _digest(REAL)
    for name in FILES:
        report = nxschema.validate(copy / name, external="follow")
        assert _pairs(report.findings, "error") == BUNDLED[name][0], name
    assert _digest(copy) == before


def test_bliss_master_reaches_the_lima_frames_through_external_links():
    """The collection file's entries are external links; the frames two files away are seen."""
    report = nxschema.validate(REAL / "bliss" / "sample.h5")
    assert not any(f.code in ("dangling-external-link", "external-link-not-followed")
                   for f in report.findings)
    # NXdetector/data without @units (info) is reported where the frames really are.
    frames = {(Path(f.file).relative_to(REAL).as_posix(), f.path) for f in report.findings
              if f.code == "missing-units"}
    assert frames == {(f"bliss/sample_0001/scan000{n}/eiger_0000.h5",
                       "/entry_0000/measurement/data") for n in (1, 2)}
    # Refusing external links is reported for every entry of the collection file, no more.
    refused = nxschema.validate(REAL / "bliss" / "sample.h5", external="never")
    assert {f.path for f in refused.findings if f.code == "external-link-not-followed"} == \
        {"/sample_0001_1.1", "/sample_0001_2.1"}


# --- the rules the real files called for, each with a case that must still be reported --------

def _nx(parent, name, nx_class):
    group = parent.create_group(name)
    group.attrs["NX_class"] = nx_class
    return group


def _codes_at(report, code):
    return {f.path for f in report.findings if f.code == code}


def test_base_class_fields_may_have_fewer_axes_not_more(tmp_path, official_catalog):
    path = tmp_path / "detector.h5"
    with h5py.File(path, "w") as f:
        inst = _nx(_nx(f, "entry", "NXentry"), "instrument", "NXinstrument")
        det = _nx(inst, "image", "NXdetector")
        det["data"] = np.zeros((4, 5), dtype=np.uint16)  # NXdetector/data names np, i, j, tof
        det["distance"] = 0.5  # NXdetector/distance names np, i, j
        det["distance"].attrs["units"] = "m"
        five = _nx(inst, "five", "NXdetector")
        five["data"] = np.zeros((1, 1, 1, 1, 2))
    report = nxschema.validate(path, definitions=official_catalog)
    assert _codes_at(report, "wrong-rank") == {"/entry/instrument/five/data"}


def test_plain_groups_are_reported_except_inside_an_nxcollection(tmp_path):
    path = tmp_path / "plain.h5"
    with h5py.File(path, "w") as f:
        entry = _nx(f, "entry", "NXentry")
        entry.create_group("loose")
        _nx(entry, "measurement", "NXcollection").create_group("image_0")
    report = nxschema.validate(path)
    assert _codes_at(report, "missing-nx-class") == {"/entry/loose"}


def test_units_enumerations_may_list_categories(tmp_path):
    definition = tmp_path / "NXunits_demo.yaml"
    definition.write_text("""\
name: NXunits_demo
category: application
placement: entry
members:
  (NXentry):
    members:
      definition: {enumeration: [NXunits_demo]}
      (NXdata):
        members:
          radial:
            type: NX_NUMBER
            attributes:
              units: {enumeration: [NX_ANGLE, NX_ENERGY]}
          radial_literal:
            type: NX_NUMBER
            attributes:
              units: {enumeration: [1/nm, 1/angstrom]}
""")
    path = tmp_path / "units.h5"
    with h5py.File(path, "w") as f:
        entry = _nx(f, "entry", "NXentry")
        entry["definition"] = "NXunits_demo"
        data = _nx(entry, "data", "NXdata")
        for name, units in (("radial", "degrees"), ("radial_literal", "1/A")):
            data[name] = np.arange(3.0)
            data[name].attrs["units"] = units
    good = nxschema.validate(path, definitions=[definition])
    assert _codes_at(good, "not-in-enumeration") == {"/entry/data/radial_literal@units"}
    with h5py.File(path, "r+") as f:
        f["entry/data/radial"].attrs["units"] = "mm"  # neither an angle nor an energy
    bad = nxschema.validate(path, definitions=[definition])
    assert _codes_at(bad, "not-in-enumeration") == {"/entry/data/radial@units",
                                                    "/entry/data/radial_literal@units"}


def test_upper_case_names_without_name_type_are_names(tmp_path, official_catalog):
    """NXcanSAS's SDD is one field, not a placeholder every other field would match."""
    path = tmp_path / "cansas.h5"
    with h5py.File(path, "w") as f:
        entry = _nx(f, "entry", "NXentry")
        entry["definition"] = "NXcanSAS"
        det = _nx(_nx(entry, "instrument", "NXinstrument"), "detector", "NXdetector")
        det["name"] = "pilatus"
        det["config"] = "{}"
        det["SDD"] = "far"  # text where NX_NUMBER is required
    report = nxschema.validate(path, definitions=official_catalog)
    assert _codes_at(report, "wrong-type") == {"/entry/instrument/detector/SDD"}
    assert not _codes_at(report, "too-many")


def test_the_bliss_dataset_file_follows_the_esrf_raw_layout():
    """Forced, the ESRF raw-data layout finds nothing to say about a Bliss-shaped file."""
    report = nxschema.validate(REAL / "bliss" / "sample_0001" / "sample_0001.h5",
                               definition="NXesrf_raw")
    assert {(f.code, f.path) for f in report.findings if f.severity != "info"} == set()
    # ... and it does look: a measurement that holds a group breaks the layout.
    collection = nxschema.validate(REAL / "silx_spec.h5", definition="NXesrf_raw")
    assert ("forbidden-member", "/2.1/measurement/mca_0") in {
        (f.code, f.path) for f in collection.errors}


def test_bliss_files_follow_the_esrf_layout_by_discovery():
    """NXesrf_raw says it applies to files Bliss wrote (@publisher='bliss'): no @layout needed,
    and --no-discovery turns it off."""
    report = nxschema.validate(REAL / "bliss/sample.h5")
    assert {f.definition for f in report.findings} >= {"NXesrf_raw"}
    off = nxschema.validate(REAL / "bliss/sample.h5", discovery=False)
    assert "NXesrf_raw" not in {f.definition for f in off.findings}
    run = subprocess.run([sys.executable, "-m", "nxschema", "validate", "--no-discovery",
                          str(REAL / "bliss/sample.h5"), "--format", "json"],
                         check=False, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert not json.loads(run.stdout)["files"][0]["findings"]
