"""Model → YAML: what write_yaml writes reads back to an equal model, using the shorthands."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import nxschema
from nxschema import model as m
from nxschema._definitions.catalog import definition_files, read_file
from nxschema._definitions.yaml_reader import read_yaml
from nxschema._definitions.yaml_writer import write_yaml

REPO = Path(__file__).resolve().parents[1]
SHIPPED = definition_files(REPO / "definitions")
ALL_KEYWORDS = Path(__file__).parent / "data" / "all_keywords.yaml"


def round_trip(definition: m.Definition) -> tuple[m.Definition, str]:
    text = write_yaml(definition)
    again, findings = read_yaml(text, "dumped.yaml")
    assert findings == [], text
    return again, text


@pytest.mark.parametrize("path", SHIPPED + [ALL_KEYWORDS], ids=lambda p: p.stem)
def test_round_trip_is_equal(path):
    definition, findings = read_file(path)
    assert definition is not None, findings
    again, _ = round_trip(definition)
    assert again == definition


def test_round_trip_of_resolved_definitions():
    catalog = nxschema.load()
    for key in catalog:
        again, _ = round_trip(catalog[key])
        assert again == catalog[key]


def test_shorthands_are_used():
    definition, _ = read_file(REPO / "definitions" / "esrf" / "NXxas_subentry.yaml")
    data = yaml.safe_load(write_yaml(definition))
    energy = data["members"]["(NXsubentry)"]["members"]["energy"]
    assert energy["dimensions"] == ["nP"]
    d = m.Definition("NXt", "base", members=(
        m.Field("a", type="NX_INT"), m.Field("b"),
        m.Field("c", enumeration=m.Enumeration((m.EnumItem("x"), m.EnumItem("y")))),
        m.Group("NXdata"), m.Group("NXnote", "note")))
    data = yaml.safe_load(write_yaml(d))
    assert data["members"] == {"a": "NX_INT", "b": None, "c": {"enumeration": ["x", "y"]},
                               "(NXdata)": None, "note(NXnote)": None}


def test_long_forms_are_kept_when_needed():
    dims = m.Dimensions(rank=2, dims=(m.Dim(value="nP", index="1"),
                                      m.Dim(value=3, index="2", doc="xyz")))
    enum = m.Enumeration((m.EnumItem("a", "first"),), open=True)
    d = m.Definition("NXt", "base", members=(m.Field("f", dimensions=dims, enumeration=enum),))
    again, text = round_trip(d)
    assert again == d
    body = yaml.safe_load(text)["members"]["f"]
    assert body["dimensions"]["dim"][1] == {"index": "2", "value": 3, "doc": "xyz"}
    assert body["enumeration"] == {"open": True, "items": [{"value": "a", "doc": "first"}]}


def test_multi_line_docs_are_block_scalars():
    d = m.Definition("NXt", "base", doc="Summary.\n\nDetails on\nseveral lines.\n")
    text = write_yaml(d)
    assert "doc: |\n  Summary.\n\n  Details on\n  several lines.\n" in text
    again, _ = round_trip(d)
    assert again == d


def test_keyword_order_starts_with_name_and_category():
    definition, _ = read_file(REPO / "definitions" / "esrf" / "NXesrf_raw.yaml")
    lines = write_yaml(definition).splitlines()
    assert lines[0] == "name: NXesrf_raw" and lines[1] == "category: layout"


def test_a_definition_of_scalars_only_is_written_one_keyword_per_line():
    from nxschema import model as m
    from nxschema._definitions.yaml_reader import read_yaml
    from nxschema._definitions.yaml_writer import write_yaml

    definition = m.Definition("NXa", "base", extends="NXobject")
    text = write_yaml(definition)
    assert text.splitlines() == ["name: NXa", "category: base", "extends: NXobject"]
    assert read_yaml(text, "a.yaml")[0] == definition
