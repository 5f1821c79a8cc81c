"""The validator against files built here with h5py, valid and then broken on purpose."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import h5py
import numpy as np
import pytest

import nxschema
from h5files import STR, write_xas_file

from nxdl_corpus import NXDL  # next to the checkout, or $NXSCHEMA_NXDL


def cli(*args):
    proc = subprocess.run([sys.executable, "-m", "nxschema", *map(str, args)],
                          capture_output=True, text=True)
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc


@pytest.fixture
def valid(tmp_path):
    path = tmp_path / "xas.h5"
    write_xas_file(path, n_entries=1)
    return path


def codes_at(report):
    return {(f.code, f.path) for f in report.findings if f.severity == "error"}


def test_valid_file_has_no_error_and_exit_0(valid):
    report = nxschema.validate(valid)
    assert report.ok, [str(f) for f in report.errors]
    assert cli("validate", valid).returncode == 0


def _break(path, how):
    with h5py.File(path, "r+") as f:
        how(f)


def _replace(f, path, value, **attrs):
    del f[path]
    dataset = f.create_dataset(path, data=value, dtype=STR if isinstance(value, str) else None)
    for key, val in attrs.items():
        dataset.attrs[key] = val


def _lengths(n_i0, n_it):
    def how(f):
        _replace(f, "1.1/instrument/incoming_beam/data", np.ones(n_i0), units="counts")
        _replace(f, "1.1/instrument/absorbed_beam/data", np.ones(n_it), units="counts")
    return how


def _strings_for_float(f):
    del f["1.1/instrument/monochromator/energy"]
    f["1.1/instrument/monochromator"].create_dataset(
        "energy", data=np.array(["7.0"] * 100, dtype=object), dtype=STR)


def _ext(group_path):
    def how(f):
        f[f"{group_path}/broken_ext"] = h5py.ExternalLink("missing.h5", "/entry/data")
    return how


DEFECTS = {
    "missing required field": (lambda f: f.__delitem__("1.1/title"), "missing-required",
                               "/1.1/title"),
    "strings instead of NX_FLOAT": (_strings_for_float, "wrong-type",
                                    "/1.1/instrument/monochromator/energy"),
    "lengths 100/99/101": (_lengths(99, 101), "dimension-mismatch", None),
    "lengths 100/90/80": (_lengths(90, 80), "dimension-mismatch", None),
    "dangling soft link in NXdata": (
        lambda f: f["1.1/data"].__setitem__("extra", h5py.SoftLink("/1.1/nowhere")),
        "dangling-link", "/1.1/data/extra"),
    "dangling soft link outside NXdata": (
        lambda f: f["1.1/sample"].__setitem__("holder", h5py.SoftLink("/1.1/nothing")),
        "dangling-link", "/1.1/sample/holder"),
    "dangling external link in NXdata": (_ext("1.1/data"), "dangling-external-link",
                                         "/1.1/data/broken_ext"),
    "dangling external link outside NXdata": (_ext("1.1/instrument"), "dangling-external-link",
                                              "/1.1/instrument/broken_ext"),
    "NX_class typo": (lambda f: f["1.1/instrument/monochromator"].attrs.__setitem__(
        "NX_class", "NXmonochromatr"), "unknown-nx-class", "/1.1/instrument/monochromator"),
    "valid but wrong NX_class": (lambda f: f["1.1/instrument/monochromator"].attrs.__setitem__(
        "NX_class", "NXdetector"), "wrong-class", "/1.1/instrument/monochromator"),
    "bad @signal": (lambda f: f["1.1/data"].attrs.__setitem__("signal", "nothing"),
                    "bad-signal", "/1.1/data@signal"),
    "enumeration violation": (lambda f: _replace(f, "1.1/instrument/source/probe", "xray"),
                              "not-in-enumeration", "/1.1/instrument/source/probe"),
    "root @default naming a missing entry": (lambda f: f.attrs.__setitem__("default", "9.1"),
                                             "dangling-default", "/@default"),
}


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_defect_matrix(valid, name):
    how, code, path = DEFECTS[name]
    _break(valid, how)
    report = nxschema.validate(valid)
    found = codes_at(report)
    if path is None:
        assert any(c == code for c, _ in found), found
    else:
        assert (code, path) in found, sorted(found)
    assert cli("validate", valid).returncode == 1


def test_dimension_mismatch_names_both_fields(valid):
    _break(valid, _lengths(99, 101))
    found = [f for f in nxschema.validate(valid).errors if f.code == "dimension-mismatch"]
    # Caught in the full NIAC entry and, independently, in the ESRF subentry.
    assert {f.path.rsplit("/", 1)[0] for f in found} >= {"/1.1/instrument/monochromator",
                                                          "/1.1/xas"}
    for finding in found:
        assert "'nP'" in finding.message and "disagrees with /1.1/" in finding.message


def test_validation_leaves_file_byte_identical(valid):
    before = hashlib.sha256(valid.read_bytes()).hexdigest()
    nxschema.validate(valid)
    cli("validate", valid)
    assert hashlib.sha256(valid.read_bytes()).hexdigest() == before


def test_json_output_shape_and_exit_codes(valid, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("not hdf5")
    proc = cli("validate", "--format", "json", valid, bad, tmp_path / "missing.h5")
    data = json.loads(proc.stdout)
    files = {item["file"]: item for item in data["files"]}
    assert files[str(valid)]["ok"] is True
    assert files[str(bad)]["ok"] is False
    assert files[str(bad)]["findings"][0]["code"] == "file-unreadable"
    assert set(files[str(bad)]["findings"][0]) >= {"code", "severity", "path", "message",
                                                   "definition", "source"}
    assert proc.returncode == 2  # bad ones reported, the good one checked, I/O error wins


def test_only_unreadable_files_exit_2(tmp_path):
    bad = tmp_path / "truncated.h5"
    write_xas_file(bad)
    bad.write_bytes(bad.read_bytes()[:3000])
    proc = cli("validate", bad, tmp_path / "nope.h5")
    assert proc.returncode == 2
    assert "file-unreadable" in proc.stdout


def test_findings_carry_definition_and_source(valid):
    _break(valid, lambda f: f.__delitem__("1.1/title"))
    finding = next(f for f in nxschema.validate(valid).errors if f.code == "missing-required")
    assert finding.definition == "NXxas"
    assert finding.source.endswith(".yaml:" + finding.source.rsplit(":", 1)[1])
    assert finding.file == str(valid)


@pytest.fixture(scope="module")
def official():
    if not NXDL.is_dir():
        pytest.skip("the official NXDL folder ../shared/nxdl is not here")
    return nxschema.load(NXDL)


def test_official_nxdl_validates_full_niac_file(tmp_path, official):
    path = tmp_path / "niac.h5"
    write_xas_file(path, subentry=False, process=False)
    report = nxschema.validate(path, definitions=official)
    assert report.ok, [str(f) for f in report.errors]
    assert cli("validate", "--defs", NXDL, path).returncode == 0
    with h5py.File(path, "r+") as f:
        del f["1.1/sample/name"]
    report = nxschema.validate(path, definitions=official)
    missing = [f for f in report.errors if f.code == "missing-required"]
    assert [f.path for f in missing] == ["/1.1/sample/name"]
    assert missing[0].source.startswith(str(NXDL / "applications" / "NXxas.nxdl.xml"))
    assert cli("validate", "--defs", NXDL, path).returncode == 1


def test_nxdl_application_written_for_nxentry_applies_to_subentry(tmp_path, official):
    path = tmp_path / "sub.h5"
    with h5py.File(path, "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        sub = entry.create_group("xas")
        sub.attrs["NX_class"] = "NXsubentry"
        sub["definition"] = "NXxas"
    # The bundled ESRF form (NXxas@subentry) wins for subentries; without it, the official one
    # (written for an NXentry) applies to the subentry, as NeXus allows.
    only_official = nxschema.load(NXDL, bundled=False)
    found = {f.path for f in nxschema.validate(path, definitions=only_official).errors}
    assert "/entry/xas/title" in found and "/entry/xas/start_time" in found
    found = {f.path for f in nxschema.validate(path, definitions=official).errors}
    assert "/entry/xas/energy" in found and "/entry/xas/title" not in found


def _bliss_file(path, layout_attr=True):
    write_xas_file(path)
    with h5py.File(path, "r+") as f:
        if layout_attr:
            f.attrs["layout"] = "NXesrf_raw"
        user = f["1.1"].create_group("user")
        user.attrs["NX_class"] = "NXuser"
        user["name"] = "A. Scientist"


def test_esrf_layout_applies_when_declared_or_asked(tmp_path):
    declared, plain = tmp_path / "declared.h5", tmp_path / "plain.h5"
    _bliss_file(declared)
    _bliss_file(plain, layout_attr=False)
    assert nxschema.validate(declared).ok
    for path in (declared, plain):
        with h5py.File(path, "r+") as f:
            bad = f["1.1/measurement"].create_group("oops")
            bad.attrs["NX_class"] = "NXcollection"
            second = f["1.1"].create_group("instrument_bis")
            second.attrs["NX_class"] = "NXinstrument"
    found = codes_at(nxschema.validate(declared))
    assert ("forbidden-member", "/1.1/measurement/oops") in found
    assert ("too-many", "/1.1/(NXinstrument)") in found
    layout_codes = {"forbidden-member", "too-many"}
    # Not declared: the layout is not guessed (NXxas still applies to the entry).
    assert not {c for c, _ in codes_at(nxschema.validate(plain))} & layout_codes
    assert ("forbidden-member", "/1.1/measurement/oops") in codes_at(
        nxschema.validate(plain, definition="NXesrf_raw"))
    assert cli("validate", "--definition", "NXesrf_raw", plain).returncode == 1


def test_unknown_forced_definition_is_a_usage_error(valid):
    proc = cli("validate", "--definition", "NXxass", valid)
    assert proc.returncode == 2
    assert "did you mean 'NXxas'" in proc.stdout


def test_niac_process_is_not_held_to_the_esrf_forms(valid):
    with h5py.File(valid, "r+") as f:
        process = f["1.1"].create_group("reconstruction")
        process.attrs["NX_class"] = "NXprocess"
        for name, value in (("program", "tomopy"), ("version", "1.1"),
                            ("date", "2026-11-23T10:00:00")):
            process[name] = value
        process["sequence_index"] = 2
    assert nxschema.validate(valid).ok
    with h5py.File(valid, "r+") as f:  # an ESRF step missing only its program is reported
        del f["1.1/normalisation/program"]
    assert ("missing-required", "/1.1/normalisation/program") in codes_at(
        nxschema.validate(valid))


def test_several_any_named_specs_are_each_satisfied(tmp_path):
    definition = tmp_path / "NXtwo.yaml"
    definition.write_text(
        "name: NXtwo\ncategory: application\nmembers:\n  (NXentry):\n    members:\n"
        "      definition: {value: NXtwo}\n"
        "      XAXIS: {type: NX_FLOAT, name_type: any}\n"
        "      YAXIS: {type: NX_FLOAT, name_type: any}\n"
        "      (NXdata):\n        members: {counts: NX_NUMBER}\n"
        "      transmission(NXdata):\n        name_type: any\n        members: {T: NX_NUMBER}\n")
    path = tmp_path / "two.h5"
    with h5py.File(path, "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry["definition"] = "NXtwo"
        entry["x"] = np.ones(3)
        entry["y"] = np.ones(3)
        for name, member in (("spectrum", "T"), ("data", "counts")):  # T's group comes first
            group = entry.create_group(name)
            group.attrs["NX_class"] = "NXdata"
            group[member] = np.ones(3)
    catalog = nxschema.load(definition)
    report = nxschema.validate(path, definitions=catalog)
    assert report.ok, [str(f) for f in report.errors]


def test_definition_given_as_a_file(valid, tmp_path):
    definition = tmp_path / "NXmine.yaml"
    definition.write_text("name: NXmine\ncategory: application\nmembers:\n  (NXentry):\n"
                          "    members:\n      operator: {type: NX_CHAR}\n")
    proc = cli("validate", "--definition", definition, valid)
    assert proc.returncode == 1
    assert "/1.1/operator" in proc.stdout and "NXmine" in proc.stdout
    catalog = nxschema.load()
    report = nxschema.validate(valid, definitions=catalog, definition=str(definition))
    assert [f.path for f in report.errors] == ["/1.1/operator"]
    assert "NXmine" not in catalog  # the caller's catalog is left as it was


def test_parallel_validation_finds_the_same(tmp_path, monkeypatch):
    path = tmp_path / "many.h5"
    write_xas_file(path, n_entries=6, n_points=20)
    with h5py.File(path, "r+") as f:
        del f["2.1/title"]  # defects in entries that land in different processes
        f["5.1/instrument/source"].attrs["NX_class"] = "NXsorce"
        f["6.1/data"].attrs["signal"] = "nothing"
        f.attrs["default"] = "9.1"
        # Root links that are not hard-linked groups land in any process's share too.
        f["0_note"] = "a dataset at the root"
        f["3.1_again"] = h5py.SoftLink("/3.1")
        f["4.1_gone"] = h5py.SoftLink("/nowhere")
    one = nxschema.validate(path, jobs=1).findings
    monkeypatch.setattr("nxschema._validate.api.PARALLEL_MIN_LINKS", 2)
    three = nxschema.validate(path, jobs=3).findings
    assert sorted(map(str, three)) == sorted(map(str, one))
    assert {f.path for f in one} >= {"/2.1/title", "/5.1/instrument/source", "/6.1/data@signal",
                                     "/@default", "/4.1_gone"}


def test_base_class_rules_hold_where_an_application_names_the_field(valid):
    with h5py.File(valid, "r+") as f:
        del f["1.1/instrument/source/type"]  # NXxas names it; NXsource lists its values
        f["1.1/instrument/source/type"] = "synchrotron"
    report = nxschema.validate(valid)
    assert report.ok
    found = [x for x in report.warnings if x.path == "/1.1/instrument/source/type"]
    assert [x.code for x in found] == ["not-in-enumeration"]
    assert found[0].definition == "NXsource"
