"""YAML → model: every keyword of the language, shorthands, and syntax findings with positions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nxschema import model as m
from nxschema._definitions.yaml_reader import meta_schema, read_yaml

DATA = Path(__file__).parent / "data"
ALL_KEYWORDS = DATA / "all_keywords.yaml"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def everything() -> m.Definition:
    definition, findings = read_yaml(ALL_KEYWORDS.read_text(), str(ALL_KEYWORDS))
    assert findings == []
    return definition


def member(group, key):
    return next(x for x in group.members if m.member_key(x) == key)


def attribute(element, name):
    return next(a for a in element.attributes if a.name == name)


def read(text: str):
    return read_yaml(text, "t.yaml")


# --- every keyword -----------------------------------------------------------------------------

def test_top_level_keywords(everything):
    d = everything
    assert (d.name, d.category, d.extends, d.restricts, d.svnid, d.placement, d.domain) == (
        "NXeverything", "application", "NXeverything_base", "NXobject", "$Id$", "entry",
        "acquisition")
    assert d.deprecated == "Kept only to exercise every keyword."
    assert d.doc.startswith("First line is the summary.\n\nMore text.")
    assert d.symbols_doc == "The lengths shared by the fields below."
    assert d.symbols == (m.Symbol("nP", "number of points"), m.Symbol("nDet", None))
    assert (d.ignore_extra_groups, d.ignore_extra_fields, d.ignore_extra_attributes) == (
        False, True, True)
    assert d.key == "NXeverything" and d.effective_placement == "entry"


def test_attribute_keywords_and_shorthands(everything):
    default = attribute(everything, "default")
    assert (default.type, default.recommended, default.doc) == ("NX_CHAR", True, "The entry to plot.")
    assert attribute(everything, "flag") == m.Attribute("flag", type="NX_BOOLEAN")
    assert attribute(everything, "anything") == m.Attribute("anything")
    fmt = attribute(member(member(everything, "(NXentry)"), "configuration"), "format")
    assert (fmt.type, fmt.units, fmt.name_type, fmt.domain, fmt.personal, fmt.deprecated,
            fmt.value, fmt.doc) == ("NX_CHAR", "NX_UNITLESS", "specified", "analysis", False,
                                    "write type instead", "json", "The format.")
    assert fmt.dimensions.rank == 1 and fmt.dimensions.dims[0].value == 1


def test_group_keywords(everything):
    entry = member(everything, "(NXentry)")
    assert isinstance(entry, m.Group) and entry.nx_class == "NXentry" and entry.name is None
    assert (entry.doc, entry.name_type, entry.min_occurs, entry.max_occurs, entry.domain,
            entry.personal, entry.deprecated) == ("The entry.", "any", 1, "unbounded",
                                                  "administrative", False, "never")
    assert entry.icat == m.IcatSpec(key="Entry")
    assert entry.forbid_extra == ("groups", "attributes")
    default = attribute(entry, "default")
    assert default.optional is False and default.value == "data"
    assert m.requirement(default, "application") == "required"
    instrument = member(entry, "instrument")
    assert instrument.nx_class == "NXinstrument" and instrument.optional is True
    assert instrument.config == m.ConfigSpec(formats=("ini",))
    assert member(instrument, "(NXsource)").recommended is True
    user = member(entry, "user")
    assert user.optional is True and user.personal is True
    assert member(user, "name").personal is True


def test_field_keywords(everything):
    entry = member(everything, "(NXentry)")
    assert member(entry, "title") == m.Field("title", type="NX_CHAR")
    assert member(entry, "nothing") == m.Field("nothing")
    energy = member(entry, "energy")
    assert (energy.type, energy.units, energy.doc, energy.recommended, energy.domain) == (
        "NX_FLOAT", "NX_ENERGY", "Energy.", True, "acquisition")
    assert energy.dimensions == m.Dimensions(rank=1, dims=(m.Dim(value="nP", index="1"),))
    assert energy.icat == m.IcatSpec("InstrumentMonochromatorEnergy", "final", True, "The energy.")
    units = attribute(energy, "units")
    assert units.optional is False and units.enumeration.values == ("eV", "keV")
    spectrum = member(entry, "spectrum")
    assert (spectrum.units, spectrum.optional, spectrum.min_occurs, spectrum.max_occurs,
            spectrum.name_type, spectrum.deprecated, spectrum.personal) == (
        "counts", True, 0, 3, "partial", "use energy", False)
    assert (spectrum.long_name, spectrum.signal, spectrum.axes, spectrum.axis, spectrum.primary,
            spectrum.stride, spectrum.data_offset, spectrum.interpretation) == (
        "Spectrum", "1", "energy", "1", "1", "2", "3", "spectrum")
    dims = spectrum.dimensions
    assert dims.rank == 2 and dims.doc == "Points by detectors."
    assert dims.dims[1] == m.Dim(value="nDet", index="2", ref="other", refindex="1", incr="2",
                                 required=False, doc="one per detector")
    mode = member(entry, "mode")
    assert mode.value == "fixed" and mode.enumeration.open is True
    assert mode.enumeration.items == (m.EnumItem("transmission"),
                                      m.EnumItem("fluorescence", "Fluorescence yield."))
    assert member(entry, "shapeless").dimensions == m.Dimensions(rank="dataRank")
    assert [d.value for d in member(entry, "shorthand_dims").dimensions.dims] == ["nP", 3]
    config = member(entry, "configuration").config
    assert config.formats == ("json", "yaml")
    assert json.loads(config.schema) == {"type": "object", "required": ["threshold"]}


def test_link_and_choice_keywords(everything):
    data = member(member(everything, "(NXentry)"), "(NXdata)")
    x = member(data, "x")
    assert isinstance(x, m.Link)
    assert (x.target, x.doc, x.napimount, x.recommended, x.deprecated, x.domain, x.personal) == (
        "/NXentry/energy", "The energy axis.", "nxfile://other.h5#/entry/x", True, "no more",
        "acquisition", False)
    assert member(data, "y").optional is True and member(data, "z").optional is False
    results = member(member(everything, "(NXentry)"), "results")
    assert isinstance(results, m.Choice) and results.doc == "Either kind of result."
    assert [(g.name, g.nx_class) for g in results.groups] == [(None, "NXcollection"),
                                                             ("plot", "NXdata")]
    assert results.groups[1].members == (m.Field("signal", type="NX_NUMBER"),)


def _keywords(schema_part) -> set[str]:
    part = schema_part.get("then", schema_part)
    return set(part.get("properties", {}))


def test_the_keyword_document_covers_the_whole_meta_schema():
    """A keyword added to the meta-schema must be added to tests/data/all_keywords.yaml too."""
    text = ALL_KEYWORDS.read_text()
    schema = meta_schema()
    defs = schema["$defs"]
    wanted = set(schema["properties"])
    for part in ("group", "field", "attribute", "link", "choice", "icat"):
        wanted |= _keywords(defs[part])
    wanted |= _keywords(defs["dimensions"]["else"])
    wanted |= _keywords(defs["dimensions"]["else"]["properties"]["dim"]["items"])
    wanted |= _keywords(defs["enumeration"]["else"])
    wanted |= _keywords(defs["config"]) | _keywords(schema["properties"]["ignore_extra"])
    assert len(wanted) > 50
    missing = {k for k in wanted if f"{k}:" not in text}
    assert missing == set()


# --- positions ---------------------------------------------------------------------------------

def test_every_element_knows_where_it_was_written(everything):
    lines = ALL_KEYWORDS.read_text().splitlines()
    entry = member(everything, "(NXentry)")
    for element, key in [(entry, "(NXentry):"), (member(entry, "energy"), "energy:"),
                         (attribute(entry, "default"), "default:"),
                         (member(member(entry, "(NXdata)"), "x"), "x:"),
                         (member(entry, "results"), "results:")]:
        src = element.source
        assert src.file == str(ALL_KEYWORDS)
        assert lines[src.line - 1][src.col - 1:].startswith(key), (key, src)
    nP = everything.symbols[0]
    assert lines[nP.source.line - 1].strip().startswith("nP:")
    dim = member(entry, "spectrum").dimensions.dims[1]
    assert "nDet" in lines[dim.source.line - 1]
    item = member(entry, "mode").enumeration.items[1]
    assert "fluorescence" in lines[item.source.line - 1]


# --- findings ----------------------------------------------------------------------------------

def test_unknown_keyword_suggests_and_lists_the_allowed_ones():
    definition, findings = read("name: NXx\ncategory: base\nmembers:\n  e:\n    unitz: NX_ENERGY\n")
    assert definition is None
    (finding,) = findings
    assert finding.code == "unknown-keyword" and (finding.line, finding.col) == (5, 5)
    assert "did you mean 'units'" in finding.message and "allowed here:" in finding.message


def test_unknown_top_level_keyword():
    _, findings = read("name: NXx\ncategory: base\nsymbls: {n: x}\n")
    assert [(f.code, f.line) for f in findings] == [("unknown-keyword", 3)]
    assert "did you mean 'symbols'" in findings[0].message


@pytest.mark.parametrize("text,line", [
    ("name: NXx\ncategory: basic\n", 2),
    ("name: NXx\ncategory: base\ndoc: 12\n", 3),
    ("category: base\n", 1),
    ("name: NXx\ncategory: base\nmembers:\n  a:\n    dimensions: {rank: 1, dim: [{valu: 1}]}\n", 5),
    ("name: NXx\ncategory: base\nmembers:\n  a:\n    max_occurs: lots\n", 5),
    ("name: NXx\ncategory: base\nmembers:\n  c:\n    choice: {(NXdata): {}}\n", 5),
    ("name: NXx\ncategory: base\nmembers:\n  a: {link: 3}\n", 4),
    ("name: 1bad\ncategory: base\n", 1),
])
def test_schema_errors_carry_a_position(text, line):
    definition, findings = read(text)
    assert definition is None
    assert findings and all(f.severity == "error" for f in findings)
    assert findings[0].line == line, findings


def test_a_document_that_is_not_a_mapping():
    definition, findings = read("- name\n- category\n")
    assert definition is None and findings[0].code == "schema" and findings[0].line == 1


def test_required_false_means_optional():
    d, _ = read("name: NXx\ncategory: application\nmembers:\n  a: {required: false}\n"
                "  b: {required: true}\n  c: {}\n")
    a, b, c = d.members
    assert (a.optional, b.optional, c.optional) == (True, False, None)
    assert [m.requirement(x, "application") for x in (a, b, c)] == ["optional", "required",
                                                                   "required"]
    assert m.requirement(c, "base") == "optional"


def test_a_cut_off_file_never_raises():
    text = (REPO / "definitions" / "base_classes" / "NXdetector.yaml").read_text()
    for cut in range(0, len(text), 211):
        definition, findings = read_yaml(text[:cut], "cut.yaml")
        assert definition is not None or findings
        assert all(f.line >= 1 for f in findings)


def test_every_keyword_is_documented_in_the_language_reference():
    text = (REPO / "docs" / "language.md").read_text()
    schema = meta_schema()
    defs = schema["$defs"]
    keywords = set(schema["properties"])
    for part in ("group", "field", "attribute", "link", "choice"):
        keywords |= _keywords(defs[part])
    missing = {k for k in keywords if f"`{k}`" not in text and f"{k}:" not in text}
    assert missing == set()
