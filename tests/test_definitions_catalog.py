"""Catalog: which definition wins, extends resolution, and how applications are selected."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import nxschema
from nxschema import model as m
from nxschema._definitions.catalog import Catalog, bundled_definitions_dir, load
from nxschema.errors import DefinitionError

REPO = Path(__file__).resolve().parents[1]
from nxdl_corpus import NXDL  # next to the checkout, or $NXSCHEMA_NXDL


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def base(name, *members, extends=None, attributes=()):
    return m.Definition(name, "base", extends=extends, members=tuple(members),
                        attributes=tuple(attributes), source=m.Source(f"{name}.yaml", 1, 1))


def keys(definition):
    return [m.member_key(x) for x in definition.members]


# --- which one wins ----------------------------------------------------------------------------

def test_bundled_definitions_are_the_repository_folder():
    assert bundled_definitions_dir() == REPO / "definitions"
    catalog = load()
    assert {"NXentry", "NXxas", "NXxas@subentry", "NXesrf_raw"} <= set(catalog)
    assert catalog.findings == []


def test_a_user_definition_beats_the_bundled_one(tmp_path):
    mine = write(tmp_path, "NXuser.yaml",
                 "name: NXuser\ncategory: base\nmembers:\n  nickname: {doc: what friends say}\n")
    catalog = load(tmp_path)
    user = catalog.base_class("NXuser")
    assert keys(user)[0] == "nickname" and "email" not in keys(user)
    assert Path(catalog.raw("NXuser").source.file) == mine
    assert catalog.findings == []  # overriding is not a duplicate


def test_a_later_user_source_beats_an_earlier_one(tmp_path):
    write(tmp_path / "a", "NXfoo.yaml", "name: NXfoo\ncategory: base\ndoc: from a\n")
    write(tmp_path / "b", "NXfoo.yaml", "name: NXfoo\ncategory: base\ndoc: from b\n")
    assert load(tmp_path / "a", tmp_path / "b", bundled=False)["NXfoo"].doc == "from b"
    assert load(tmp_path / "b", tmp_path / "a", bundled=False)["NXfoo"].doc == "from a"


def test_two_files_of_one_source_with_one_key_are_reported(tmp_path):
    write(tmp_path, "one.yaml", "name: NXfoo\ncategory: base\ndoc: one\n")
    write(tmp_path, "two.yaml", "name: NXfoo\ncategory: base\ndoc: two\n")
    catalog = load(tmp_path, bundled=False)
    assert [f.code for f in catalog.findings] == ["duplicate-definition"]
    assert catalog.findings[0].file.endswith("two.yaml") and "one.yaml" in catalog.findings[0].message
    assert catalog["NXfoo"].doc == "two"


@pytest.mark.parametrize("prefer,winner", [("yaml", "yaml"), ("nxdl", "nxdl")])
@pytest.mark.parametrize("yaml_first", [True, False])
def test_prefer_decides_between_yaml_and_nxdl_of_one_source(prefer, winner, yaml_first):
    catalog = Catalog(prefer=prefer)
    as_yaml = m.Definition("NXfoo", "base", doc="yaml")
    as_nxdl = m.Definition("NXfoo", "base", doc="nxdl")
    pairs = [(as_yaml, True), (as_nxdl, False)]
    for definition, is_yaml in pairs if yaml_first else pairs[::-1]:
        catalog.add(definition, layer=1, is_yaml=is_yaml)
    assert catalog["NXfoo"].doc == winner
    assert catalog.is_yaml("NXfoo") == (winner == "yaml")
    assert catalog.findings == []


def test_the_user_layer_wins_over_prefer():
    catalog = Catalog(prefer="nxdl")
    catalog.add(m.Definition("NXfoo", "base", doc="bundled nxdl"), layer=0, is_yaml=False)
    catalog.add(m.Definition("NXfoo", "base", doc="user yaml"), layer=1, is_yaml=True)
    assert catalog["NXfoo"].doc == "user yaml"


def test_prefer_with_real_files(tmp_path):
    pytest.importorskip("nxschema._definitions.nxdl_reader")
    official = NXDL / "applications" / "NXxas.nxdl.xml"
    if not official.is_file():
        pytest.skip("official NeXus definitions not found")
    shutil.copy(official, tmp_path / "NXxas.nxdl.xml")
    shutil.copy(REPO / "definitions" / "applications" / "NXxas.yaml", tmp_path / "NXxas.yaml")
    assert load(tmp_path, bundled=False).is_yaml("NXxas")
    by_nxdl = load(tmp_path, bundled=False, prefer="nxdl")
    assert not by_nxdl.is_yaml("NXxas")
    assert by_nxdl.raw("NXxas").source.file.endswith(".nxdl.xml")


def test_prefer_must_be_yaml_or_nxdl():
    with pytest.raises(ValueError):
        Catalog(prefer="xml")


# --- extends -----------------------------------------------------------------------------------

def test_extends_merges_own_then_nearest_parent_first():
    catalog = Catalog()
    catalog.add(base("NXgrand", m.Field("g"), m.Field("x", type="NX_CHAR"),
                     attributes=[m.Attribute("a", doc="grand")]))
    catalog.add(base("NXparent", m.Field("p"), m.Field("x", type="NX_FLOAT"), extends="NXgrand",
                     attributes=[m.Attribute("a", doc="parent")]))
    catalog.add(base("NXchild", m.Field("c"), m.Group("NXdata"), extends="NXparent"))
    child = catalog["NXchild"]
    assert keys(child) == ["c", "(NXdata)", "p", "x", "g"]
    assert next(x for x in child.members if x.name == "x").type == "NX_FLOAT"  # nearest wins
    assert [a.doc for a in child.attributes] == ["parent"]
    assert catalog.chain("NXchild") == ["NXchild", "NXparent", "NXgrand"]
    assert catalog.raw("NXchild").members == (m.Field("c"), m.Group("NXdata"))


def test_own_members_win_over_inherited_ones():
    catalog = Catalog()
    catalog.add(base("NXparent", m.Field("x", type="NX_FLOAT", doc="parent")))
    catalog.add(base("NXchild", m.Field("x", type="NX_INT", doc="child"), extends="NXparent"))
    (x,) = catalog["NXchild"].members
    assert (x.type, x.doc) == ("NX_INT", "child")


def test_extends_cycles_stop_and_are_reported():
    catalog = Catalog()
    catalog.add(base("NXa", m.Field("a"), extends="NXb"))
    catalog.add(base("NXb", m.Field("b"), extends="NXa"))
    assert catalog.chain("NXa") == ["NXa", "NXb"]
    assert keys(catalog["NXa"]) == ["a", "b"]
    assert catalog.extends_cycle("NXa") == ["NXa", "NXb", "NXa"]
    assert catalog.extends_cycle("NXb") == ["NXb", "NXa", "NXb"]


def test_an_unknown_parent_ends_the_chain():
    catalog = Catalog()
    catalog.add(base("NXlonely", m.Field("x"), extends="NXfilter"))
    assert catalog.chain("NXlonely") == ["NXlonely"]
    assert catalog.extends_cycle("NXlonely") is None
    assert keys(catalog["NXlonely"]) == ["x"]


def test_bundled_chain_of_a_process_form():
    catalog = load()
    assert catalog.chain("NXesrf_process_v2") == ["NXesrf_process_v2", "NXprocess", "NXobject"]
    resolved = {m.member_key(x): x for x in catalog["NXesrf_process_v2"].members}
    assert resolved["configuration"].nx_class == "NXnote"  # its own
    assert resolved["(NXparameters)"].source.file.endswith("NXprocess.yaml")  # inherited


# --- lookups -----------------------------------------------------------------------------------

def test_applications_by_container():
    catalog = load()
    assert catalog.applications("NXxas", "NXentry").key == "NXxas"
    assert catalog.applications("NXxas", "NXsubentry").key == "NXxas@subentry"
    assert catalog.applications("NXnothing", "NXentry") is None
    assert catalog.applications("NXentry", "NXentry") is None  # a base class is no application


def test_a_subentry_only_application_is_not_used_for_an_entry():
    catalog = Catalog()
    catalog.add(m.Definition("NXonly", "application", placement="subentry"))
    catalog.add(m.Definition("NXboth", "application",
                             members=(m.Group("NXentry"),)))  # placement any when unwritten
    assert catalog.applications("NXonly", "NXentry") is None
    assert catalog.applications("NXonly", "NXsubentry").key == "NXonly@subentry"
    assert catalog.applications("NXboth", "NXentry").name == "NXboth"
    assert catalog.applications("NXboth", "NXsubentry").name == "NXboth"


def test_categories_and_base_class_lookup():
    catalog = load()
    assert {d.name for d in catalog.of_category("layout")} == {"NXesrf_raw"}
    assert {d.name for d in catalog.of_category("process")} >= {
        "NXesrf_process_v1", "NXesrf_process_v1_text", "NXesrf_process_v2"}
    assert catalog.base_class("NXxas") is None and catalog.base_class("NXbogus") is None
    assert catalog.get("NXbogus") is None
    assert len(catalog) == len(list(catalog)) and list(catalog) == sorted(catalog)


# --- loading errors ----------------------------------------------------------------------------

def test_strict_loading_raises_with_the_findings(tmp_path):
    write(tmp_path, "NXbad.yaml", "name: NXbad\ncategory: base\nmembers:\n  x: {tipe: NX_INT}\n")
    with pytest.raises(DefinitionError) as raised:
        load(tmp_path)
    (finding,) = raised.value.findings
    assert finding.code == "unknown-keyword" and finding.line == 4
    assert "NXbad.yaml:4:" in str(raised.value)
    relaxed = load(tmp_path, strict=False)
    assert "NXbad" not in relaxed and [f.code for f in relaxed.findings] == ["unknown-keyword"]


def test_a_missing_path_is_an_io_finding(tmp_path):
    catalog = load(tmp_path / "nothere", strict=False)
    assert [f.code for f in catalog.findings] == ["io"]
    with pytest.raises(DefinitionError):
        load(tmp_path / "nothere")


def test_public_api_names():
    assert nxschema.load is load and nxschema.Catalog is Catalog
