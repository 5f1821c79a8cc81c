"""Lists of files (``refers_to: files``): the language keyword in YAML and NXDL, the validator's
missing-listed-file check under the external-link policy, and the view-side helper."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np

import nxschema
from nxschema._definitions.nxdl_reader import read_nxdl
from nxschema._definitions.nxdl_writer import write_nxdl
from nxschema._definitions.yaml_reader import read_yaml
from nxschema._definitions.yaml_writer import write_yaml
from nxschema._h5.access import judge_external
from nxschema._h5.listed import listed_names, listed_paths
from nxschema.model import walk

DEFS = Path(__file__).parent / "data" / "file_lists"
DEFINITION = DEFS / "NXtest_image_files.yaml"
LIST = "/scan/measurement/detector_image_files"
CATALOG = nxschema.load(DEFS)


def cli(*args):
    proc = subprocess.run([sys.executable, "-m", "nxschema", *map(str, args)],
                          check=False, capture_output=True, text=True)
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc


def the_list(definition):
    return next(e for e, _ in walk(definition.members)
                if getattr(e, "name", None) == "detector_image_files")


def write_scan(path: Path, names, *, create=(), dtype=None):
    """A scan listing ``names``; the files in ``create`` (relative to path's folder) exist."""
    for name in create:
        target = path.parent / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"image")
    with h5py.File(path, "w") as f:
        f.attrs["NX_class"] = "NXroot"
        entry = f.create_group("scan")
        entry.attrs["NX_class"] = "NXentry"
        entry["definition"] = "NXtest_image_files"
        m = entry.create_group("measurement")
        m.attrs["NX_class"] = "NXcollection"
        m.create_dataset("detector_image_files", data=names,
                         dtype=dtype or h5py.string_dtype())
        m["energy"] = np.linspace(7, 8, 3)
        m["energy"].attrs["units"] = "keV"


def findings(path, **kw):
    report = nxschema.validate(path, definitions=CATALOG, **kw)
    return [(f.code, f.severity, f.path, f.message) for f in report.findings]


# --- the language ------------------------------------------------------------------------------

def test_yaml_reads_and_writes_refers_to():
    definition = CATALOG["NXtest_image_files"]
    assert the_list(definition).refers_to == "files"
    text = write_yaml(definition)
    assert "refers_to: files" in text
    again, problems = read_yaml(text, "again.yaml")
    assert not problems and the_list(again).refers_to == "files"


def test_nxdl_carries_refers_to_in_the_extras_comment():
    definition = CATALOG["NXtest_image_files"]
    xml = write_nxdl(definition)
    assert '<!--nxschema {"refers_to": "files"}-->' in xml
    again, problems = read_nxdl(xml, "NXtest_image_files.nxdl.xml")
    assert not [p for p in problems if p.severity == "error"]
    assert the_list(again).refers_to == "files"


def test_a_bad_refers_to_is_a_definition_error(tmp_path):
    bad = tmp_path / "NXbad.yaml"
    bad.write_text(DEFINITION.read_text().replace("refers_to: files", "refers_to: folders"))
    proc = cli("check", bad)
    assert proc.returncode == 1
    assert "schema" in proc.stdout and "refers_to" in proc.stdout
    xml = write_nxdl(CATALOG["NXtest_image_files"]).replace(
        '{"refers_to": "files"}', '{"refers_to": "dirs"}')
    _, problems = read_nxdl(xml, "x.nxdl.xml")
    assert [p.code for p in problems] == ["nxdl-extras"]
    assert "refers_to" in problems[0].message


def test_the_meta_schema_in_docs_is_the_shipped_one():
    shipped = Path(nxschema.__file__).parent / "schema" / "definition.schema.json"
    docs = Path(__file__).parents[1] / "docs" / "definition.schema.json"
    assert json.loads(shipped.read_text()) == json.loads(docs.read_text())
    field = json.loads(shipped.read_text())["$defs"]["field"]
    assert "refers_to" in json.dumps(field)


# --- the validator ------------------------------------------------------------------------------

def test_every_listed_file_present_is_clean(tmp_path):
    names = ["images/scan0001_0000.h5", "images/scan0001_0001.h5"]
    write_scan(tmp_path / "scan.h5", names, create=names)
    assert findings(tmp_path / "scan.h5") == []


def test_missing_listed_files_are_one_error_that_names_them(tmp_path):
    names = [f"images/img_{i:04d}.edf" for i in range(8)]
    write_scan(tmp_path / "scan.h5", names, create=names[:1])
    found = findings(tmp_path / "scan.h5")
    assert [(c, s, p) for c, s, p, _ in found] == [("missing-listed-file", "error", LIST)]
    message = found[0][3]
    assert "7 of the 8 listed files are missing" in message
    assert "images/img_0001.edf" in message and "(2 more)" in message
    assert "img_0000" not in message


def test_relative_names_are_taken_from_the_holding_files_folder(tmp_path, monkeypatch):
    (tmp_path / "run").mkdir()
    write_scan(tmp_path / "run" / "scan.h5", ["a.edf"], create=["a.edf"])
    monkeypatch.chdir(tmp_path)  # a.edf is not in the working folder: must not matter
    assert findings(Path("run") / "scan.h5") == []


def test_one_text_and_bytes_lists_are_read_too(tmp_path):
    write_scan(tmp_path / "one.h5", "only.h5")
    assert [f[0] for f in findings(tmp_path / "one.h5")] == ["missing-listed-file"]
    assert "the listed file is missing: only.h5" in findings(tmp_path / "one.h5")[0][3]
    write_scan(tmp_path / "b.h5", np.array([b"x.h5", b"y.h5"]), dtype="S4", create=["x.h5"])
    assert [f[3] for f in findings(tmp_path / "b.h5")] == [
        "1 of the 2 listed files is missing: y.h5"]


def test_the_external_link_policy_decides_what_is_looked_at(tmp_path):
    outside = tmp_path / "elsewhere" / "img.h5"
    outside.parent.mkdir()
    outside.write_bytes(b"x")
    (tmp_path / "run").mkdir()
    scan = tmp_path / "run" / "scan.h5"
    write_scan(scan, [str(outside), "../elsewhere/missing.h5", "here.h5"], create=["here.h5"])
    below = findings(scan)
    assert [(c, s) for c, s, _, _ in below] == [("listed-file-not-followed", "warning")]
    assert "2 of the 3 listed files are not checked" in below[0][3]
    assert "--external follow" in below[0][3]
    follow = findings(scan, external="follow")  # the outside file exists, one is missing
    assert [(c, m) for c, _, _, m in follow] == [
        ("missing-listed-file", "1 of the 3 listed files is missing: ../elsewhere/missing.h5")]
    never = findings(scan, external="never")
    assert [c for c, _, _, _ in never] == ["listed-file-not-followed"]
    assert "policy 'never'" in never[0][3]


def test_through_the_cli_exit_codes_and_byte_identical_files(tmp_path):
    scan = tmp_path / "scan.h5"
    write_scan(scan, ["a.h5", "b.h5"], create=["a.h5"])
    before = scan.read_bytes()
    proc = cli("validate", "--defs", DEFS, scan)
    assert proc.returncode == 1
    assert "missing-listed-file" in proc.stdout and "b.h5" in proc.stdout
    (tmp_path / "b.h5").write_bytes(b"now here")
    assert cli("validate", "--defs", DEFS, scan).returncode == 0
    assert scan.read_bytes() == before


def test_a_list_reached_through_an_external_link_resolves_from_its_own_file(tmp_path):
    (tmp_path / "raw").mkdir()
    write_scan(tmp_path / "raw" / "scan.h5", ["img.h5"], create=["img.h5"])
    master = tmp_path / "master.h5"
    with h5py.File(master, "w") as f:
        f.attrs["NX_class"] = "NXroot"
        f["scan"] = h5py.ExternalLink("raw/scan.h5", "/scan")
    assert findings(master) == []  # img.h5 is next to raw/scan.h5, not next to master.h5
    (tmp_path / "raw" / "img.h5").unlink()
    assert [f[0] for f in findings(master)] == ["missing-listed-file"]


# --- the one policy decision, and the view-side helper ----------------------------------------

def test_listed_files_and_external_links_share_one_policy_decision(tmp_path):
    """The same name is refused for a list exactly when an external link to it would be."""
    linking = str(tmp_path / "a" / "f.h5")
    for policy in ("below", "follow", "never"):
        for name in ("sub/x.h5", "../x.h5", "/etc/x.h5"):
            resolved, why = judge_external(linking, name, policy)
            assert resolved == os.path.normpath(os.path.join(tmp_path / "a", name))
            assert bool(why) == (policy == "never" or (policy == "below" and name != "sub/x.h5"))


def test_listed_paths_for_views(tmp_path):
    holder = tmp_path / "run" / "scan.h5"
    value = np.array([b"img_0.h5", b"", b"sub/img_1.h5"], dtype=object)
    assert listed_paths(value, holder) == [tmp_path / "run" / "img_0.h5",
                                          tmp_path / "run" / "sub" / "img_1.h5"]
    assert listed_paths("/abs/x.h5", holder) == [Path("/abs/x.h5")]
    assert listed_paths([["a", "b"], ["c", " "]], holder)[-1] == tmp_path / "run" / "c"
    assert listed_names(None) == [] and listed_names(3.5) == []
    assert all(isinstance(p, Path) and p.is_absolute()
               for p in listed_paths(["x"], os.path.relpath(holder)))


def test_a_file_list_of_numbers_is_a_lint_warning(tmp_path):
    odd = tmp_path / "NXodd.yaml"
    odd.write_text(DEFINITION.read_text().replace("type: NX_CHAR", "type: NX_INT"))
    proc = cli("check", odd)
    assert "refers-to-not-text" in proc.stdout and "NX_INT" in proc.stdout
    assert cli("check", DEFINITION).returncode == 0
