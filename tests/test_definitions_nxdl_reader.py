"""NXDL → model: every official file, every NXDL attribute, positions, and bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest
from nxdl_corpus import NXDL, OFFICIAL, needs_nxdl, official, read, text

from nxschema import model as m
from nxschema._check import check
from nxschema._codes import CODES
from nxschema._definitions.nxdl_reader import clean_doc, read_nxdl

NS = 'xmlns="http://definition.nexusformat.org/nxdl/3.1"'


def nxdl(body: str, *, category="application", extra="") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<definition {NS} name="NXtest" type="group" category="{category}" '
            f'extends="NXobject"{extra}>\n{body}\n</definition>\n')


def read_ok(xml: str) -> m.Definition:
    definition, findings = read_nxdl(xml, "t.nxdl.xml")
    assert definition is not None and not findings, [str(f) for f in findings]
    return definition


# --- the official definitions ---------------------------------------------------------------


@needs_nxdl
def test_all_280_official_files_are_found():
    assert len(OFFICIAL) == 280


@needs_nxdl
@official()
def test_official_file_loads_without_findings(path):
    definition, findings = read(path)
    assert definition is not None
    assert [str(f) for f in findings] == []
    assert definition.name == path.name.removesuffix(".nxdl.xml")
    assert definition.category in ("base", "application")
    assert definition.source.line > 1 and definition.header.startswith("# N")


@needs_nxdl
def test_nxschema_check_accepts_the_official_folder_with_no_error():
    results = check(NXDL)
    assert len(results) == 280
    errors = [str(f) for fs in results.values() for f in fs if f.severity == "error"]
    assert errors == []


@needs_nxdl
def test_official_reading_keeps_what_the_files_say():
    by_name = {p.name: p for p in OFFICIAL}
    nxdata = read(by_name["NXdata.nxdl.xml"])[0]
    assert nxdata.ignore_extra_fields is True and nxdata.ignore_extra_groups is None
    assert [s.name for s in nxdata.symbols][:2] == ["dataRank", "nx"]
    assert nxdata.symbols_doc.startswith("These symbols will be used below")
    sample = read(by_name["NXsample.nxdl.xml"])[0]
    kinds = {type(x).__name__ for x in sample.members if m.member_key(x) == "magnetic_field"}
    assert kinds == {"Field", "Group"}  # a value or its NXlog: not a duplicate
    choices = [c for p in OFFICIAL for c in _walk(read(p)[0].members) if isinstance(c, m.Choice)]
    assert len(choices) == 2 and all(len(c.groups) >= 2 for c in choices)
    links = [x for p in OFFICIAL for x in _walk(read(p)[0].members) if isinstance(x, m.Link)]
    assert len(links) == 75 and all(x.target.startswith("/") for x in links)


def _walk(members):
    for member in members:
        yield member
        yield from _walk(getattr(member, "members", ()) or getattr(member, "groups", ()))


# --- every attribute, kept --------------------------------------------------------------------


def test_every_nxdl_attribute_is_kept():
    definition = read_ok(nxdl("""
  <symbols><doc>Shapes.</doc><symbol name="nP"><doc>points</doc></symbol></symbols>
  <doc>Top doc.</doc>
  <attribute name="default" type="NX_CHAR" optional="false" recommended="true"
             deprecated="never used" nameType="specified"/>
  <group type="NXentry" name="entry" minOccurs="1" maxOccurs="unbounded" optional="true"
         recommended="false" deprecated="old" nameType="any">
    <field name="data" type="NX_NUMBER" units="NX_ANY" minOccurs="0" maxOccurs="3"
           optional="1" recommended="0" deprecated="gone" nameType="partial" long_name="Data"
           signal="1" axes="x:y" axis="2" primary="1" stride="2" data_offset="4"
           interpretation="image">
      <dimensions rank="dataRank">
        <doc>Any rank.</doc>
        <dim index="1" value="nP" ref="x" refindex="1" incr="1" required="false"/>
        <dim index="2" value="3"/>
        <dim index="3" value="tof+1"/>
      </dimensions>
      <attribute name="units"><dimensions rank="1"><dim index="1" value="1"/></dimensions>
      </attribute>
      <enumeration open="true">
        <item value="a"><doc>The a.</doc></item>
        <item value="b"/>
      </enumeration>
    </field>
    <link name="energy" target="/NXentry/NXinstrument/mono:NXmonochromator/energy"
          napimount="nxfile://x.h5#/entry" deprecated="use data"><doc>Linked.</doc></link>
    <choice name="pixel_shape">
      <group type="NXoff_geometry"/>
      <group type="NXcylindrical_geometry"/>
    </choice>
  </group>""", extra=' restricts="NXobject" svnid="$Id$" ignoreExtraGroups="true" '
                 'ignoreExtraFields="false" ignoreExtraAttributes="true" deprecated="old"'))
    d = definition
    assert (d.restricts, d.svnid, d.deprecated) == ("NXobject", "$Id$", "old")
    assert (d.ignore_extra_groups, d.ignore_extra_fields, d.ignore_extra_attributes) == (
        True, False, True)
    assert d.symbols == (m.Symbol("nP", "points"),) and d.symbols_doc == "Shapes."
    assert d.doc == "Top doc."
    assert d.attributes == (m.Attribute("default", type="NX_CHAR", optional=False,
                                        recommended=True, deprecated="never used",
                                        name_type="specified"),)
    entry = d.members[0]
    assert (entry.nx_class, entry.name, entry.min_occurs, entry.max_occurs) == (
        "NXentry", "entry", 1, "unbounded")
    assert (entry.optional, entry.recommended, entry.deprecated, entry.name_type) == (
        True, False, "old", "any")
    field, link, choice = entry.members
    assert (field.type, field.units, field.min_occurs, field.max_occurs) == (
        "NX_NUMBER", "NX_ANY", 0, 3)
    assert (field.optional, field.recommended, field.deprecated, field.name_type) == (
        True, False, "gone", "partial")
    assert (field.long_name, field.signal, field.axes, field.axis, field.primary, field.stride,
            field.data_offset, field.interpretation) == (
        "Data", "1", "x:y", "2", "1", "2", "4", "image")
    dims = field.dimensions
    assert dims.rank == "dataRank" and dims.doc == "Any rank."
    assert dims.dims[0] == m.Dim("nP", index="1", ref="x", refindex="1", incr="1",
                                 required=False)
    assert [x.value for x in dims.dims] == ["nP", 3, "tof+1"]
    assert field.attributes[0].dimensions.rank == 1
    assert field.enumeration == m.Enumeration((m.EnumItem("a", "The a."), m.EnumItem("b")),
                                              open=True)
    assert link == m.Link("energy", "/NXentry/NXinstrument/mono:NXmonochromator/energy",
                          doc="Linked.", napimount="nxfile://x.h5#/entry", deprecated="use data")
    assert choice.name == "pixel_shape"
    assert [g.nx_class for g in choice.groups] == ["NXoff_geometry", "NXcylindrical_geometry"]


@pytest.mark.parametrize("written, kept", [
    ("3", 3), ("-1", -1), ("dataRank", "dataRank"), ("1 or 2", "1 or 2"),
    ("1+detectorRank", "1+detectorRank"), ("03", "03"), (" 3", " 3"),
])
def test_rank_and_dim_values_are_int_only_when_written_as_an_integer(written, kept):
    definition = read_ok(nxdl(f'<field name="x"><dimensions rank="{written}">'
                              f'<dim index="1" value="{written}"/></dimensions></field>'))
    dims = definition.members[0].dimensions
    assert dims.rank == kept and dims.dims[0].value == kept
    assert type(dims.rank) is type(kept)


def test_categories_and_unset_keywords():
    base = read_ok(nxdl('<field name="x"/>', category="base"))
    assert base.category == "base"
    assert base.members[0] == m.Field("x")  # nothing written: nothing set (no defaults stored)
    assert read_ok(nxdl("")).category == "application"


# --- docs ----------------------------------------------------------------------------------------


def test_docs_are_dedented_and_stripped():
    definition = read_ok(nxdl("""<doc>
\t\tFirst line.

\t\t.. note:: indented
\t\t\tmore
\t</doc><field name="a"><doc>  one line  </doc></field>"""))
    assert definition.doc == "First line.\n\n.. note:: indented\n        more\n"
    assert definition.members[0].doc == "one line"


@pytest.mark.parametrize("raw, clean", [
    ("", ""), ("  x ", "x"), ("x\n    y\n  ", "x\ny\n"), ("\n  a\n    b\n", "a\n  b\n"),
    ("\n\n  a  \n\n", "a"), ("\ta\n\tb", "a\nb\n"),
])
def test_clean_doc(raw, clean):
    assert clean_doc(raw) == clean


def test_markup_inside_a_doc_is_kept_as_text():
    definition = read_ok(nxdl('<doc>See <b class="x">this</b> &amp; that.</doc>'))
    assert definition.doc == 'See <b class="x">this</b> & that.'


# --- comments: the header, our extras, the rest dropped -----------------------------------------


def test_header_comment_is_kept_and_other_comments_are_dropped():
    xml = ('<?xml version="1.0"?>\n<!--\n  # Copyright me\n  # 2026\n-->\n'
           + nxdl('<!-- a remark --><field name="x"/>').split("\n", 1)[1])
    definition = read_ok(xml)
    assert definition.header == "# Copyright me\n# 2026"
    assert definition.members == (m.Field("x"),)
    two = read_ok('<!-- plain words\n\n  more -->\n<!--# second-->' + nxdl("").split("\n", 1)[1])
    assert two.header == "# plain words\n#\n# more\n#\n# second"  # kept as '#' lines


def test_extras_comment_gives_our_keywords():
    definition = read_ok(nxdl(
        '<!--nxschema {"category": "layout", "placement": "entry", "domain": "user"}-->'
        '<field name="x"><!--nxschema {"domain": "acquisition", "personal": true, '
        '"value": "v", "icat": "Sample_name"}--><enumeration><item value="v"/></enumeration>'
        '</field>'))
    assert (definition.category, definition.placement, definition.domain) == (
        "layout", "entry", "user")
    field = definition.members[0]
    assert (field.domain, field.personal, field.value, field.enumeration) == (
        "acquisition", True, "v", None)
    assert field.icat == m.IcatSpec(key="Sample_name")


@pytest.mark.parametrize("comment, message", [
    ("nxschema {not json", "not JSON"),
    ('nxschema ["a"]', "must hold an object"),
    ('nxschema {"colour": "red"}', "no keyword 'colour'"),
    ('nxschema {"domain": "lab"}', "bad value for 'domain'"),
])
def test_bad_extras_comment_is_a_finding(comment, message):
    definition, findings = read_nxdl(nxdl(f'<field name="x">\n  <!--{comment}--></field>'), "t")
    assert definition is not None
    assert [(f.code, f.line, f.col) for f in findings] == [("nxdl-extras", 4, 3)]
    assert message in findings[0].message


# --- positions ----------------------------------------------------------------------------------


def test_every_element_has_its_line_and_column():
    xml = nxdl("""  <group type="NXentry">
      <field name="x">
        <dimensions rank="1"><dim index="1" value="3"/></dimensions>
        <enumeration><item value="a"/></enumeration>
      </field>
  </group>""")
    definition = read_ok(xml)
    assert (definition.source.line, definition.source.col) == (2, 1)
    group = definition.members[0]
    field = group.members[0]
    assert str(group.source) == "t.nxdl.xml:3:3"
    assert (field.source.line, field.source.col) == (4, 7)
    assert (field.dimensions.source.line, field.dimensions.source.col) == (5, 9)
    assert (field.dimensions.dims[0].source.line, field.dimensions.dims[0].source.col) == (5, 30)
    assert (field.enumeration.items[0].source.line, field.enumeration.items[0].source.col) == (
        6, 22)


# --- bad input: findings with line:col, never a traceback -------------------------------------


@pytest.mark.parametrize("xml, code, line, col", [
    (nxdl('<field name="x">'), "nxdl-syntax", 4, 3),
    ("", "nxdl-syntax", 1, 1),
    ("<definition", "nxdl-syntax", 1, 1),
    (nxdl('<field name="x"><group type="NXdata"/></field>'), "nxdl-element", 3, 17),
    (nxdl('<fieldd name="x"/>'), "nxdl-element", 3, 1),
    (nxdl('<field name="x" optional="maybe"/>'), "nxdl-value", 3, 1),
    (nxdl('<group name="x"/>'), "nxdl-value", 3, 1),
    (nxdl('<field name="x" maxOccurs="many"/>'), "nxdl-value", 3, 1),
    (nxdl('<field name="x" nameType="some"/>'), "nxdl-value", 3, 1),
    (nxdl('<field name="x"><doc>a</doc><doc>b</doc></field>'), "nxdl-element", 3, 29),
    (nxdl('<choice name="c"><group type="NXdata"/></choice>'), "nxdl-element", 3, 1),
    (nxdl('<x:thing xmlns:x="urn:x"/>'), "nxdl-element", 3, 1),
    ('<!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>\n<definition/>',
     "nxdl-syntax", 1, 13),
    ('<?xml version="1.0"?>\n<group type="NXdata"/>', "nxdl-element", 2, 1),
])
def test_bad_nxdl_gives_a_finding_at_line_and_column(xml, code, line, col):
    definition, findings = read_nxdl(xml, "bad.nxdl.xml")
    assert [(f.code, f.line, f.col) for f in findings][:1] == [(code, line, col)]
    assert findings[0].severity == "error" and findings[0].file == "bad.nxdl.xml"
    assert code in CODES
    if code == "nxdl-syntax":
        assert definition is None


def test_missing_namespace_is_a_warning_only():
    definition, findings = read_nxdl(
        '<definition name="NXa" type="group" category="base"><field name="x"/></definition>', "t")
    assert definition.members == (m.Field("x"),)
    assert [(f.code, f.severity) for f in findings] == [("nxdl-namespace", "warning")]


@needs_nxdl
def test_a_file_cut_anywhere_never_raises():
    whole = text(next(p for p in OFFICIAL if p.name == "NXmonochromator.nxdl.xml"))
    for cut in range(1, len(whole) - 20, max(1, len(whole) // 60)):
        definition, findings = read_nxdl(whole[:cut], "cut.nxdl.xml")
        assert definition is None
        assert findings and findings[0].code == "nxdl-syntax" and findings[0].line >= 1


def test_check_cli_reports_bad_nxdl_with_position(tmp_path):
    bad = tmp_path / "NXbad.nxdl.xml"
    bad.write_text(nxdl('<field name="x" unit="eV"/>'))
    run = subprocess.run([sys.executable, "-m", "nxschema", "check", str(bad)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 1  # a warning fails check by default (--fail-on warning)
    assert f"{bad}:3:1: warning[nxdl-attribute]" in run.stdout
    assert "Traceback" not in run.stderr
