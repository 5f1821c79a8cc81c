"""Model → NXDL: valid against nxdl.xsd and the same NXDL again, for all 280 official files,
directly and through YAML; our own keywords survive the trip to NXDL and back."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from nxdl_corpus import (
    canonical,
    first_difference,
    needs_nxdl,
    official,
    original_tree,
    read,
    written,
    xsd_errors,
)

from nxschema import model as m
from nxschema._definitions.nxdl_reader import read_nxdl
from nxschema._definitions.nxdl_writer import nxdl_problems, write_nxdl
from nxschema._definitions.yaml_reader import read_yaml
from nxschema._definitions.yaml_writer import write_yaml

REPO = Path(__file__).resolve().parents[1]

# --- the 280 official files --------------------------------------------------------------------


@needs_nxdl
@official()
def test_written_nxdl_passes_the_xsd(path):
    assert xsd_errors(written(path)) == []


@needs_nxdl
@official()
def test_nxdl_model_nxdl_says_the_same(path):
    original, again = original_tree(path), canonical(written(path))
    assert original == again, first_difference(original, again)


@needs_nxdl
@official()
def test_nxdl_model_yaml_model_nxdl_says_the_same(path):
    definition = read(path)[0]
    from_yaml, findings = read_yaml(write_yaml(definition), f"{path.name}.yaml")
    assert findings == [] and from_yaml == definition
    assert from_yaml.header == definition.header
    original, again = original_tree(path), canonical(write_nxdl(from_yaml))
    assert original == again, first_difference(original, again)


def test_the_comparison_sees_a_change():
    """The round-trip check must not be vacuous: attribute, doc, child and order-free."""
    xml = ('<definition xmlns="http://definition.nexusformat.org/nxdl/3.1" name="NXa" '
           'type="group" category="base"><doc>A  doc.</doc><field name="x" optional="true"/>'
           '<field name="y"/></definition>')
    same = xml.replace("<doc>A  doc.</doc>", "<doc>\n  A doc.\n</doc>").replace(
        '<field name="x" optional="true"/><field name="y"/>',
        '<field name="y"/><!-- c --><field name="x" optional="1"/>')
    assert canonical(xml) == canonical(same)
    for changed in (xml.replace('optional="true"', 'optional="false"'),
                    xml.replace("A  doc.", "A dog."), xml.replace('<field name="y"/>', ""),
                    xml.replace('<field name="y"/>', '<field name="y"><doc>d</doc></field>')):
        assert canonical(xml) != canonical(changed)


# --- what the writer writes ----------------------------------------------------------------


def ours() -> m.Definition:
    """A definition using every keyword NXDL has no place for."""
    schema = json.dumps({"type": "object", "description": "a -- b"}, sort_keys=True)
    return m.Definition(
        name="NXours", category="process", placement="subentry", domain="analysis",
        doc="Ours.\n\nTwo paragraphs.\n", header="# Our header -- 2026",
        symbols=(m.Symbol("nP", "points"),),
        attributes=(m.Attribute("version", units="s", value="2", domain="administrative",
                                personal=False),),
        members=(
            m.Group("NXparameters", "config", domain="analysis", personal=True,
                    config=m.ConfigSpec(("json", "yaml"), schema),
                    icat=m.IcatSpec(key="Config", record="final", mandatory=True),
                    forbid_extra=("groups", "attributes"),
                    members=(m.Field("program", value="pyfai", icat=m.IcatSpec(key="Prog")),
                             m.Field("mode", value="a", enumeration=m.Enumeration(
                                 (m.EnumItem("a"), m.EnumItem("b")))))),
            m.Field("energy", type="NX_FLOAT", domain="acquisition",
                    dimensions=m.Dimensions(rank=1, dims=(m.Dim("nP", doc="along the scan"),))),
            m.Link("raw", "/NXentry/NXdata/data", optional=True, recommended=False,
                   domain="acquisition", personal=True),
            m.Choice("shape", (m.Group("NXoff_geometry"), m.Group("NXcylindrical_geometry")),
                     doc="One of two."),
        ))


def test_our_keywords_survive_nxdl_and_the_file_stays_valid():
    definition = ours()
    xml = write_nxdl(definition)
    assert xsd_errors(xml) == []
    again, findings = read_nxdl(xml, "ours.nxdl.xml")
    assert findings == [] and again == definition
    assert again.header == "# Our header - - 2026"  # '--' may not stand in an XML comment


def test_other_tools_see_plain_nxdl():
    root = ET.fromstring(write_nxdl(ours()))  # ElementTree drops comments, like most readers
    ns = {"nx": "http://definition.nexusformat.org/nxdl/3.1"}
    assert root.get("category") == "base"  # process forms apply to groups like base classes
    program = root.find(".//nx:field[@name='program']", ns)
    assert [i.get("value") for i in program.findall("nx:enumeration/nx:item", ns)] == ["pyfai"]
    mode = root.find(".//nx:field[@name='mode']", ns)
    assert [i.get("value") for i in mode.findall("nx:enumeration/nx:item", ns)] == ["a", "b"]
    link = root.find(".//nx:link", ns)
    assert dict(link.attrib) == {"name": "raw", "target": "/NXentry/NXdata/data"}
    dims = root.iter(f"{{{ns['nx']}}}dim")
    assert [d.attrib for d in dims] == [{"index": "1", "value": "nP"}]


def test_layout_is_an_application_in_nxdl():
    xml = write_nxdl(m.Definition("NXraw", "layout", members=(m.Group("NXentry"),)))
    assert 'category="application"' in xml and '"category": "layout"' in xml
    assert read_nxdl(xml, "x")[0].category == "layout"


def test_empty_definition_and_escaping():
    assert xsd_errors(write_nxdl(m.Definition("NXempty", "base"))) == []
    tricky = m.Definition("NXtricky", "base", doc='a < b & "c"\tx\x07',
                          members=(m.Field("f", long_name='say "hi" <now>\nthen'),))
    again = read_nxdl(write_nxdl(tricky), "x")[0]
    assert again.doc == 'a < b & "c"\tx\ufffd'  # XML 1.0 cannot hold \x07
    assert again.members[0].long_name == 'say "hi" <now>\nthen'


def test_a_dim_without_index_is_written_at_its_position_and_read_back_without():
    definition = m.Definition("NXd", "base", members=(m.Field("f", dimensions=m.Dimensions(
        dims=(m.Dim(3), m.Dim("n")))),))
    xml = write_nxdl(definition)
    assert xsd_errors(xml) == [] and 'index="2"' in xml
    assert read_nxdl(xml, "x")[0] == definition


def test_names_nxdl_does_not_allow_are_reported():
    definition = m.Definition("NXok", "base", members=(
        m.Field("x-ray"), m.Link("l", "entry/data"), m.Group("NXdata", "a" * 64)))
    problems = nxdl_problems(definition)
    assert [p.code for p in problems] == ["nxdl-invalid"] * 3
    assert "'x-ray'" in problems[0].message
    assert nxdl_problems(ours()) == []


# --- our own YAML definitions to NXDL and back -------------------------------------------------


def _docs_stripped(value):
    """Docs compared up to trailing newlines: a one-line YAML ``|`` doc reads back without."""
    if dataclasses.is_dataclass(value):
        changes = {f.name: _docs_stripped(getattr(value, f.name))
                   for f in dataclasses.fields(value) if f.compare}
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(_docs_stripped(v) for v in value)
    return value.strip() if isinstance(value, str) else value


BUNDLED = sorted((REPO / "definitions").rglob("*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=[p.name for p in BUNDLED])
def test_bundled_yaml_definitions_convert_to_valid_nxdl_and_back(path):
    definition, findings = read_yaml(path.read_text(), str(path))
    assert definition is not None, findings
    xml = write_nxdl(definition)
    assert xsd_errors(xml) == []
    again, findings = read_nxdl(xml, "x.nxdl.xml")
    assert findings == []
    assert _docs_stripped(again) == _docs_stripped(definition)
