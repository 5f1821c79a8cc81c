"""The shipped definitions: they check clean, agree with the official NXDL, and load resolved.

The official files are read here with ``xml.etree`` directly (not with nxschema's NXDL reader), so
that this test is an independent witness of what the NIAC definitions say.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import nxschema
from nxschema import model as m
from nxschema._definitions.catalog import definition_files, read_file
from nxschema._check import check

REPO = Path(__file__).resolve().parents[1]
DEFINITIONS = REPO / "definitions"
from nxdl_corpus import NXDL  # next to the checkout, or $NXSCHEMA_NXDL
NS = "{http://definition.nexusformat.org/nxdl/3.1}"

SHIPPED_BASE = sorted((DEFINITIONS / "base_classes").glob("*.yaml"))


@pytest.fixture(scope="module")
def catalog():
    return nxschema.load()


def _official_dir() -> Path:
    if not NXDL.is_dir():
        pytest.skip(f"official NeXus definitions not found at {NXDL}")
    return NXDL


# --- every shipped file checks clean ------------------------------------------------------------

def test_every_shipped_file_checks_clean():
    results = check(DEFINITIONS)
    assert len(results) >= 25
    problems = [str(f) for findings in results.values() for f in findings]
    assert problems == []


def test_every_shipped_file_reads_into_a_definition():
    for file in definition_files(DEFINITIONS):
        definition, findings = read_file(file)
        assert definition is not None, (file, [str(f) for f in findings])
        assert findings == []


def test_the_issue_base_classes_are_all_shipped():
    wanted = ["NXobject", "NXroot", "NXentry", "NXsubentry", "NXinstrument", "NXcollection",
              "NXparameters", "NXsample", "NXdata", "NXuser", "NXprocess", "NXnote",
              "NXmonochromator", "NXcrystal", "NXdetector", "NXmonitor", "NXsource",
              "NXpositioner", "NXslit", "NXattenuator", "NXinsertion_device"]
    shipped = {p.name.removesuffix(".yaml") for p in SHIPPED_BASE}
    assert set(wanted) <= shipped


# --- agreement with the official NXDL -----------------------------------------------------------

def _official(name: str) -> ET.Element | None:
    path = _official_dir() / "base_classes" / f"{name}.nxdl.xml"
    return ET.parse(path).getroot() if path.is_file() else None


def _official_chain(name: str) -> list[ET.Element]:
    """The official definition of ``name`` then those it extends, nearest first."""
    chain, seen = [], set()
    while name and name not in seen:
        seen.add(name)
        root = _official(name)
        if root is None:
            break
        chain.append(root)
        name = root.get("extends")
    return chain


def _children(elements, tag, name=None, nx_class=None):
    for element in elements:
        for child in element.findall(NS + tag):
            if name is not None and child.get("name") != name:
                continue
            if nx_class is not None and child.get("type") != nx_class:
                continue
            yield child


def _enum_values(element):
    enum = element.find(NS + "enumeration")
    return None if enum is None else [i.get("value") for i in enum.findall(NS + "item")]


def _compare_typed(ours, official, where, problems):
    if (ours.type or "NX_CHAR") != official.get("type", "NX_CHAR"):
        problems.append(f"{where}: type {ours.type or 'NX_CHAR'} but official "
                        f"{official.get('type', 'NX_CHAR')}")
    if ours.units != official.get("units"):
        problems.append(f"{where}: units {ours.units} but official {official.get('units')}")
    if ours.enumeration is not None:
        values = _enum_values(official)
        if values is None or not set(ours.enumeration.values) <= set(values):
            problems.append(f"{where}: enumeration {ours.enumeration.values} not in official "
                            f"{values}")


def _compare_attributes(attributes, scopes, where, problems):
    for attribute in attributes:
        found = list(_children(scopes, "attribute", attribute.name))
        if not found:
            problems.append(f"{where}@{attribute.name}: not in the official definition")
            continue
        _compare_typed(attribute, found[0], f"{where}@{attribute.name}", problems)


def _compare_members(members, scopes, where, problems):
    """Each of our ``members`` must exist in one of the official ``scopes`` (elements)."""
    for member in members:
        here = f"{where}/{m.member_key(member)}"
        if isinstance(member, m.Group):
            found = list(_children(scopes, "group", member.name, member.nx_class))
            found = [g for g in found if member.name is not None or g.get("name") is None]
            if not found:
                problems.append(f"{here}: no such group in the official definition")
                continue
            inner = found[:1] + _official_chain(member.nx_class)
            _compare_attributes(member.attributes, inner, here, problems)
            _compare_members(member.members, inner, here, problems)
        elif isinstance(member, m.Choice):
            found = list(_children(scopes, "choice", member.name))
            if not found:
                problems.append(f"{here}: no such choice in the official definition")
                continue
            official_classes = {g.get("type") for g in found[0].findall(NS + "group")}
            ours = {g.nx_class for g in member.groups}
            if not ours <= official_classes:
                problems.append(f"{here}: choice of {ours}, official {official_classes}")
        elif isinstance(member, m.Link):
            if not list(_children(scopes, "link", member.name)):
                problems.append(f"{here}: no such link in the official definition")
        else:
            found = list(_children(scopes, "field", member.name))
            if not found:
                problems.append(f"{here}: no such field in the official definition")
                continue
            _compare_typed(member, found[0], here, problems)
            _compare_attributes(member.attributes, found, here, problems)


@pytest.mark.parametrize("path", SHIPPED_BASE, ids=lambda p: p.stem)
def test_base_class_agrees_with_the_official_nxdl(path):
    ours, findings = read_file(path)
    assert ours is not None, findings
    assert ours.category == "base"
    chain = _official_chain(ours.name)
    assert chain, f"{ours.name} has no official NXDL"
    assert ours.extends == chain[0].get("extends")
    problems: list[str] = []
    _compare_attributes(ours.attributes, chain, ours.name, problems)
    _compare_members(ours.members, chain, ours.name, problems)
    assert problems == []
    symbols = {s.get("name") for s in chain[0].iter(NS + "symbol")}
    assert {s.name for s in ours.symbols} - symbols <= {"n"}  # NXpositioner names its 'n'


def test_the_comparison_catches_a_wrong_type_and_units():
    _official_dir()
    problems: list[str] = []
    wrong = m.Field("energy", type="NX_INT", units="NX_LENGTH")
    _compare_members([wrong, m.Field("energie")], _official_chain("NXmonochromator"), "NXmono",
                     problems)
    assert len(problems) == 3


# --- the two forms of NXxas ------------------------------------------------------------------------

def test_nxxas_forms_are_told_apart_by_placement(catalog):
    subentry = catalog.applications("NXxas", "NXsubentry")
    entry = catalog.applications("NXxas", "NXentry")
    assert subentry.placement == "subentry" and subentry.key == "NXxas@subentry"
    assert entry.placement == "entry" and entry.key == "NXxas"
    top = entry.members[0]
    assert isinstance(top, m.Group) and top.nx_class == "NXentry"
    names = {m.member_key(x) for x in top.members}
    assert {"title", "start_time", "definition", "(NXinstrument)", "(NXsample)", "(NXmonitor)",
            "(NXdata)"} <= names
    inner = {m.member_key(x) for x in subentry.members[0].members}
    assert inner == {"definition", "energy", "i0", "it"}


def test_full_nxxas_agrees_with_the_official_application():
    root = ET.parse(_official_dir() / "applications" / "NXxas.nxdl.xml").getroot()
    ours, _ = read_file(DEFINITIONS / "applications" / "NXxas.yaml")
    problems: list[str] = []
    _compare_members(ours.members, [root], "NXxas", problems)
    assert problems == []


# --- loading: resolved definitions and source positions -----------------------------------------

def test_load_resolves_inherited_members(catalog):
    entry = catalog.base_class("NXentry")
    keys = {m.member_key(x) for x in entry.members}
    assert "title" in keys  # its own
    assert "FIELDNAME_errors" in keys and "identifierNAME" in keys  # from NXobject
    detector = catalog.base_class("NXdetector")
    keys = {m.member_key(x) for x in detector.members}
    assert {"data", "applied", "(NXtransformations)", "(NXlog)"} <= keys  # NXcomponent, NXobject
    assert catalog.chain("NXdetector") == ["NXdetector", "NXcomponent", "NXobject"]


def _line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.strip().startswith(text):
            return number
    raise AssertionError(f"{text!r} not in {path}")


def test_source_positions_point_at_the_written_lines(catalog):
    detector = catalog.base_class("NXdetector")
    path = DEFINITIONS / "base_classes" / "NXdetector.yaml"
    data = next(x for x in detector.members if m.member_key(x) == "data")
    assert Path(data.source.file).resolve() == path.resolve()
    assert data.source.line == _line_of(path, "data:")
    assert data.source.col == 3
    inherited = next(x for x in detector.members if m.member_key(x) == "applied")
    assert Path(inherited.source.file).name == "NXcomponent.yaml"
    assert inherited.source.line == _line_of(DEFINITIONS / "base_classes" / "NXcomponent.yaml",
                                             "applied:")
    user = catalog.base_class("NXuser")
    email = next(x for x in user.members if x.name == "email")
    assert email.personal is True and user.domain == "administrative"
    assert email.source.line == _line_of(DEFINITIONS / "base_classes" / "NXuser.yaml", "email:")
