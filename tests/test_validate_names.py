"""Item names, NX_class names, base-class dimensions, link targets and declarative discovery."""

from __future__ import annotations

import textwrap

import h5py
import numpy as np
import pytest
from h5files import write_xas_file

import nxschema

STR = h5py.string_dtype()


def pairs(report, severity):
    return {(f.code, f.path) for f in report.findings if f.severity == severity}


def _root(path):
    f = h5py.File(path, "w")
    f.attrs["NX_class"] = "NXroot"
    return f


def _group(parent, name, nx_class):
    g = parent.create_group(name)
    g.attrs["NX_class"] = nx_class
    return g


# --- names ---------------------------------------------------------------------------------------

def test_invalid_names_are_warnings_that_say_which_rule(tmp_path):
    path = tmp_path / "names.h5"
    with _root(path) as f:
        entry = _group(f, "entry", "NXentry")
        sample = _group(entry, "sample", "NXsample")
        sample["space_group_name_H-M"] = "P 1"
        sample["unit cell"] = np.ones(6)
        sample["Temperature"] = 3.0
    report = nxschema.validate(path)
    warnings = {f.path: f.message for f in report.findings
                if f.code == "invalid-name" and f.severity == "warning"}
    assert "'-'" in warnings["/entry/sample/space_group_name_H-M"]
    assert "' '" in warnings["/entry/sample/unit cell"]
    assert ("invalid-name", "/entry/sample/Temperature") in pairs(report, "info")
    assert ("invalid-name", "/entry/sample") not in pairs(report, "info")


# --- classes -------------------------------------------------------------------------------------

def test_an_unknown_nx_class_is_an_error_with_a_near_hint(tmp_path):
    path = tmp_path / "c.h5"
    with _root(path) as f:
        _group(_group(f, "entry", "NXentry"), "sample", "NXsampel")
    (finding,) = [x for x in nxschema.validate(path).findings if x.code == "unknown-nx-class"]
    assert finding.severity == "error" and "did you mean 'NXsample'" in finding.message


def test_a_distant_nx_class_gets_no_hint(tmp_path):
    path = tmp_path / "c.h5"
    with _root(path) as f:
        _group(_group(f, "entry", "NXentry"), "tech", "NXtechnical_data")
    (finding,) = [x for x in nxschema.validate(path).findings if x.code == "unknown-nx-class"]
    assert "did you mean" not in finding.message


def test_a_name_without_nx_prefix_is_not_a_nexus_class(tmp_path):
    path = tmp_path / "c.h5"
    with _root(path) as f:
        _group(f, "sasentry", "SASentry")
    report = nxschema.validate(path)
    assert ("not-nexus-class", "/sasentry") in pairs(report, "warning")
    assert not report.errors


# --- base-class dimensions -----------------------------------------------------------------------

def test_base_class_rank_is_information(tmp_path):
    path = tmp_path / "d.h5"
    with _root(path) as f:
        det = _group(_group(_group(f, "entry", "NXentry"), "instrument", "NXinstrument"),
                     "detector", "NXdetector")
        det.create_dataset("time_of_flight", data=np.ones((3, 4))).attrs["units"] = "us"
    report = nxschema.validate(path)
    where = "/entry/instrument/detector/time_of_flight"
    assert ("wrong-rank", where) in pairs(report, "info")
    assert ("wrong-rank", where) not in pairs(report, "warning") | pairs(report, "error")


def test_application_rank_is_still_an_error(tmp_path):
    path = tmp_path / "xas.h5"
    write_xas_file(path)
    with h5py.File(path, "r+") as f:
        del f["1.1/instrument/monochromator/energy"]
        f["1.1/instrument/monochromator/energy"] = np.ones((10, 10))
    report = nxschema.validate(path)
    assert ("wrong-rank", "/1.1/instrument/monochromator/energy") in pairs(report, "error")


# --- links ---------------------------------------------------------------------------------------

LINKS = textwrap.dedent("""\
    name: NXlinktest
    category: application
    members:
      (NXentry):
        members:
          definition:
          (NXinstrument):
            members:
              det(NXdetector):
                members:
                  data:
          (NXdata):
            members:
              data:
                link: /NXentry/NXinstrument/det:NXdetector/data
    """)


@pytest.fixture
def linkdefs(tmp_path):
    path = tmp_path / "NXlinktest.yaml"
    path.write_text(LINKS)
    return path


def _linkfile(path, how):
    with _root(path) as f:
        entry = _group(f, "entry", "NXentry")
        entry.create_dataset("definition", data="NXlinktest", dtype=STR)
        det = _group(_group(entry, "instrument", "NXinstrument"), "det", "NXdetector")
        det["data"] = np.arange(5)
        other = _group(entry, "sample", "NXsample")
        other["temperature"] = np.arange(5.0)
        data = _group(entry, "plot", "NXdata")
        data.attrs["signal"] = "data"
        how(f, data)
    return path


def _link_findings(tmp_path, linkdefs, how):
    report = nxschema.validate(_linkfile(tmp_path / "l.h5", how), definitions=[linkdefs])
    return {(f.code, f.severity) for f in report.findings if f.path == "/entry/plot/data"}


def test_a_soft_link_to_the_right_target_is_fine(tmp_path, linkdefs):
    def how(f, data):
        data["data"] = h5py.SoftLink("/entry/instrument/det/data")
    assert not _link_findings(tmp_path, linkdefs, how)


def test_a_hard_link_with_its_target_attribute_is_fine(tmp_path, linkdefs):
    def how(f, data):
        f["entry/instrument/det/data"].attrs["target"] = "/entry/instrument/det/data"
        data["data"] = f["entry/instrument/det/data"]
    assert not _link_findings(tmp_path, linkdefs, how)


def test_a_copy_where_a_link_is_required_is_a_warning(tmp_path, linkdefs):
    def how(f, data):
        data["data"] = np.arange(5)
    assert ("link-is-copy", "warning") in _link_findings(tmp_path, linkdefs, how)


def test_a_link_to_the_wrong_target_is_an_error(tmp_path, linkdefs):
    def how(f, data):
        data["data"] = h5py.SoftLink("/entry/sample/temperature")
    assert ("wrong-link-target", "error") in _link_findings(tmp_path, linkdefs, how)


def test_a_target_attribute_naming_another_path_is_a_warning(tmp_path, linkdefs):
    def how(f, data):
        f["entry/instrument/det/data"].attrs["target"] = "/entry/instrument/old/data"
        data["data"] = h5py.SoftLink("/entry/instrument/det/data")
    found = _link_findings(tmp_path, linkdefs, how)
    assert ("link-target-attribute", "warning") in found
    assert ("wrong-link-target", "error") not in found


def test_a_hard_link_whose_target_attribute_names_another_object(tmp_path, linkdefs):
    def how(f, data):
        f["entry/sample/temperature"].attrs["target"] = "/entry/instrument/det/data"
        data["data"] = f["entry/sample/temperature"]
    assert ("link-target-attribute", "warning") in _link_findings(tmp_path, linkdefs, how)


# --- declarative discovery -----------------------------------------------------------------------

def _bliss_style(path):
    write_xas_file(path)
    with h5py.File(path, "r+") as f:
        assert "layout" not in f.attrs
        f.attrs["publisher"] = "bliss"
        del f["1.1/measurement"]
    return path


def test_the_esrf_layout_applies_to_a_bliss_file_without_layout(tmp_path):
    path = _bliss_style(tmp_path / "bliss.h5")
    report = nxschema.validate(path)
    assert ("missing-required", "/1.1/measurement(NXcollection)") in pairs(report, "error")
    binding = nxschema.bind(path)
    assert binding.concept("/", "NXesrf_raw") == "/"


def test_no_discovery_turns_it_off(tmp_path):
    path = _bliss_style(tmp_path / "bliss.h5")
    report = nxschema.validate(path, discovery=False)
    assert not any(f.definition == "NXesrf_raw" for f in report.findings)
    assert not nxschema.bind(path, discovery=False).of("/")


def test_another_publisher_is_not_discovered(tmp_path):
    path = _bliss_style(tmp_path / "other.h5")
    with h5py.File(path, "r+") as f:
        f.attrs["publisher"] = "someone else"
    assert not any(f.definition == "NXesrf_raw" for f in nxschema.validate(path).findings)
