"""Lenient NXDL: small breaks of nxdl.xsd load as warnings and are read as the author meant.

Through the reader for each deviation of docs/nxdl.md's table, then through the real CLI for the
acceptance: such a definition passes through ``nxschema validate --defs DIR`` to real findings,
and ``--strict-definitions`` refuses it with exit 2 naming file:line:col.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import h5py
import pytest

import nxschema
from nxschema import model as m
from nxschema._codes import CODES
from nxschema._definitions.nxdl_reader import LENIENT_CODES, read_nxdl
from nxschema.errors import DefinitionError

from nxdl_corpus import OFFICIAL, needs_nxdl, read

HEAD = ('<definition xmlns="http://definition.nexusformat.org/nxdl/3.1" name="NXlenient" '
        'type="group" extends="NXobject" category="application">\n')


def nxdl(body: str) -> str:
    return HEAD + "  <group type=\"NXentry\">\n    " + body + "\n  </group>\n</definition>\n"


def member(xml: str):
    """The one member inside the entry, and the findings of reading it."""
    definition, findings = read_nxdl(nxdl(xml), "t.nxdl.xml")
    assert definition is not None, findings
    return definition.members[0].members[0], findings


def codes(findings):
    return [(f.code, f.severity, f.line) for f in findings]


@pytest.mark.parametrize("xml, optional", [
    ('<field name="x" required="true"/>', False),
    ('<field name="x" required="false"/>', True),
    ('<field name="x" required="True"/>', False),  # two deviations at once
    ('<group type="NXdata" required="true"/>', False),
    ('<link name="x" target="/NXentry/title" required="false"/>', True),
])
def test_required_is_read_as_not_optional(xml, optional):
    element, findings = member(xml)
    assert element.optional is optional
    assert findings and all(f.code == "nxdl-lenient" and f.severity == "warning"
                            and (f.line, f.col) == (3, 5) for f in findings)
    assert any("'required'" in f.message for f in findings)


def test_required_on_an_attribute():
    element, findings = member('<field name="x"><attribute name="a" required="true"/></field>')
    assert element.attributes[0].optional is False
    assert codes(findings) == [("nxdl-lenient", "warning", 3)]


@pytest.mark.parametrize("text, value", [("True", True), ("TRUE", True), ("False", False),
                                         (" fAlSe ", False)])
def test_booleans_in_the_wrong_case_are_read(text, value):
    element, findings = member(f'<field name="x" optional="{text}" recommended="{text}"/>')
    assert (element.optional, element.recommended) == (value, value)
    assert [f.code for f in findings] == ["nxdl-lenient", "nxdl-lenient"]
    assert "lower case" in findings[0].message


def test_lower_case_booleans_give_no_finding():
    element, findings = member('<field name="x" optional="true"/>')
    assert element.optional is True and findings == []


@pytest.mark.parametrize("key", ["optional", "recommended"])
def test_optional_and_recommended_on_a_link(key):
    element, findings = member(f'<link name="d" target="/NXentry/title" {key}="true"/>')
    assert isinstance(element, m.Link) and getattr(element, key) is True
    assert codes(findings) == [("nxdl-lenient", "warning", 3)]
    assert "<link>" in findings[0].message


def test_units_on_an_attribute():
    element, findings = member('<field name="x"><attribute name="o" units="NX_LENGTH"/></field>')
    assert element.attributes[0].units == "NX_LENGTH"
    assert codes(findings) == [("nxdl-lenient", "warning", 3)]


def test_text_outside_doc_is_ignored_with_a_warning():
    element, findings = member('<field name="x">the x axis</field>')
    assert element.doc is None
    assert codes(findings) == [("nxdl-lenient", "warning", 3)]


def test_an_unknown_attribute_is_ignored_with_a_warning():
    element, findings = member('<field name="x" unit="eV" type="NX_FLOAT"/>')
    assert (element.name, element.type, element.units) == ("x", "NX_FLOAT", None)
    assert codes(findings) == [("nxdl-attribute", "warning", 3)]
    assert "'unit'" in findings[0].message and "ignored" in findings[0].message


@pytest.mark.parametrize("xml, word", [
    ('<field name="x" optional="yes"/>', "not a boolean"),
    ('<field name="x" required="maybe"/>', "not a boolean"),
    ('<field name="x" required="true" optional="true"/>', "contradicts"),
])
def test_what_is_not_clear_stays_an_error(xml, word):
    _, findings = member(xml)
    assert [(f.code, f.severity) for f in findings] == [("nxdl-value", "error")]
    assert word in findings[0].message


def test_the_lenient_codes_are_warnings_in_the_code_table():
    for code in LENIENT_CODES:
        assert CODES[code].severity == "warning" and CODES[code].area == "definition"


@needs_nxdl
def test_the_official_files_need_no_leniency():
    lenient = [(str(p), f) for p in OFFICIAL for f in read(p)[1]
               if f.code in LENIENT_CODES | {"unstorable-name", "too-large-integer"}]
    assert len(OFFICIAL) >= 280
    assert lenient == []


# --- the acceptance, through the real CLI ------------------------------------------------------

COMMUNITY = HEAD + """\
  <doc>An application definition written the way community NXDL often is.</doc>
  <group type="NXentry">
    <field name="definition"><enumeration><item value="NXlenient"/></enumeration></field>
    <field name="title" required="true"/>
    <field name="notes" optional="True"/>
    <group type="NXdata" name="data">
      <link name="copy" target="/NXentry/title" optional="true"/>
    </group>
  </group>
</definition>
"""


@pytest.fixture
def community(tmp_path) -> tuple[Path, Path]:
    """(definitions folder, HDF5 file that lacks the required title)."""
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "NXlenient.nxdl.xml").write_text(COMMUNITY)
    h5 = tmp_path / "scan.h5"
    with h5py.File(h5, "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry["definition"] = "NXlenient"
        entry.create_group("data").attrs["NX_class"] = "NXdata"
    return folder, h5


def cli(*args) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "nxschema", *map(str, args)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_check_shows_each_deviation_with_its_position(community):
    folder, _ = community
    result = cli("check", folder)
    file = folder / "NXlenient.nxdl.xml"
    found = re.findall(rf"^{re.escape(str(file))}:(\d+):(\d+): warning\[nxdl-lenient\]",
                       result.stdout, flags=re.M)
    assert found == [("5", "5"), ("6", "5"), ("8", "7")]  # title, notes, the link
    assert result.returncode == 1  # warnings fail check by default


def test_validate_runs_on_lenient_nxdl_and_reports_real_findings(community):
    folder, h5 = community
    result = cli("validate", "--defs", folder, h5)
    assert result.returncode == 1  # a real finding, not exit 2
    file = folder / "NXlenient.nxdl.xml"
    # title is required (required="true" was read), notes is optional (optional="True" was
    # read), and so is the link: the only error is the missing title.
    assert f"{h5}::/entry/title: error[missing-required]" in result.stdout
    assert f"{file}:5" in result.stdout  # the finding names its definition source line
    assert "notes" not in result.stdout and "copy" not in result.stdout
    assert "3 NXDL deviations" in result.stderr


def test_validate_with_strict_definitions_exits_2_naming_each_deviation(community):
    folder, h5 = community
    result = cli("validate", "--strict-definitions", "--defs", folder, h5)
    assert result.returncode == 2
    file = folder / "NXlenient.nxdl.xml"
    for line, col in ((5, 5), (6, 5), (8, 7)):
        assert f"{file}:{line}:{col}: error[nxdl-lenient]" in result.stderr
    assert "missing-required" not in result.stdout  # nothing was validated


def test_validate_help_teaches_the_flag():
    assert "--strict-definitions" in cli("validate", "--help").stdout


def test_the_api_takes_strict_definitions(community):
    folder, h5 = community
    report = nxschema.validate(h5, definitions=[folder])
    assert [f.code for f in report.findings if f.severity == "error"] == ["missing-required"]
    with pytest.raises(DefinitionError) as caught:
        nxschema.validate(h5, definitions=[folder], strict_definitions=True)
    assert [(f.code, f.line) for f in caught.value.findings] == [
        ("nxdl-lenient", 5), ("nxdl-lenient", 6), ("nxdl-lenient", 8)]
    with pytest.raises(DefinitionError):
        nxschema.load(folder, strict_definitions=True)
    catalog = nxschema.load(folder)
    assert catalog["NXlenient"].members[0].members[1].optional is False


def test_convert_writes_lenient_nxdl_as_clean_yaml_and_valid_nxdl(community, tmp_path):
    folder, h5 = community
    yaml_dir, nxdl_dir = tmp_path / "yaml", tmp_path / "nxdl"
    result = cli("convert", folder, "-o", yaml_dir, "--to", "yaml")
    assert result.returncode == 0 and "warning[nxdl-lenient]" in result.stderr
    assert cli("check", yaml_dir).returncode == 0  # what was meant, now said plainly
    assert cli("convert", folder, "-o", nxdl_dir, "--to", "nxdl").returncode == 0
    assert cli("check", nxdl_dir).returncode == 0  # no deviation left in the NXDL written
    again = cli("validate", "--defs", yaml_dir, h5)
    assert again.returncode == 1
    assert [line.split(": ")[1] for line in again.stdout.splitlines() if ": error[" in line] \
        == ["error[missing-required]"]
