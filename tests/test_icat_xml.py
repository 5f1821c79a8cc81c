"""hdf5_cfg.xml import and export: a realistic mapping file (nested groups, exceptions,
technique subentries, a key reached through a link) survives import → YAML → export, and the
file's own mistakes are reported with file:line."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import nxschema
from nxschema._definitions.catalog import read_file
from nxschema._check import check
from nxschema._icat.keys import mapping
from nxschema._icat.xml import export_xml, import_xml, xml_rows
from nxschema._definitions.yaml_reader import read_yaml
from nxschema._definitions.yaml_writer import write_yaml

CFG = """\
<?xml version="1.0" encoding="UTF-8"?>
<!-- NeXus template for the ESRF catalogue (a fixture in the published format) -->
<group NX_class="NXentry" groupName="$(scanName)">
  <title NAPItype="NX_CHAR" record="final" ESRF_mandatory="Mandatory" ESRF_description="Name of the dataset">${datasetName}</title>
  <start_time NAPItype="NX_DATE_TIME" record="initial">${startDate}</start_time>
  <end_time NAPItype="NX_DATE_TIME" record="final">${endDate}</end_time>
  <folder_path NAPItype="NX_CHAR" record="final">${location}</folder_path>
  <group NX_class="NXinstrument" groupName="instrument">
    <name NAPItype="NX_CHAR" record="final" ESRF_mandatory="Mandatory">${beamlineID}</name>
    <group NX_class="NXsource" groupName="source">
      <current NAPItype="NX_FLOAT" units="mA" record="final" ESRF_mandatory="false" ESRF_description="Ring current">${InstrumentSource_current}</current>
      <current_end NAPItype="NX_FLOAT" units="mA" record="final">${InstrumentSource_current_end}</current_end>
      <mode NAPItype="NX_CHAR" record="final">${InstrumentSource_mode}</mode>
    </group>
    <group NX_class="NXmonochromator" groupName="monochromator">
      <energy NAPItype="NX_FLOAT" units="keV" record="final">${InstrumentMonochromator_energy}</energy>
      <group NX_class="NXcrystal" groupName="crystal">
        <reflection NAPItype="NX_INT" record="final">${InstrumentMonochromatorCrystal_reflection}</reflection>
        <d_spacing NAPItype="NX_FLOAT" units="angstrom" record="final">${InstrumentMonochromatorCrystal_d_spacing}</d_spacing>
      </group>
    </group>
    <group NX_class="NXslit" groupName="primary_slit">
      <vertical_gap NAPItype="NX_FLOAT" units="mm" record="final">${InstrumentSlitPrimary_vertical_gap}</vertical_gap>
      <horizontal_gap NAPItype="NX_FLOAT" units="mm" record="final">${InstrumentSlitPrimary_horizontal_gap}</horizontal_gap>
    </group>
    <group NX_class="NXcollection" groupName="positioners">
      <name NAPItype="NX_CHAR" record="final">${InstrumentPositioners_name}</name>
      <value NAPItype="NX_CHAR" record="final">${InstrumentPositioners_value}</value>
    </group>
  </group>
  <group NX_class="NXsample" groupName="sample">
    <name NAPItype="NX_CHAR" record="final" ESRF_mandatory="Mandatory" ESRF_description="Name of the sample">${Sample_name}</name>
    <energy NAPItype="NX_FLOAT" units="keV" record="final">${InstrumentMonochromator_energy}</energy>
    <group NX_class="NXnote" groupName="notes">
      <notes NAPItype="NX_CHAR" record="final">${Sample_notes}</notes>
    </group>
    <group NX_class="NXcollection" groupName="positioners">
      <name NAPItype="NX_CHAR" record="final">${SamplePositioners_name}</name>
      <value NAPItype="NX_CHAR" record="final">${SamplePositioners_value}</value>
    </group>
  </group>
  <group NX_class="NXsubentry" groupName="EM">
    <protein_acronym NAPItype="NX_CHAR" ESRF_description="Protein acronym">${EM_protein_acronym}</protein_acronym>
    <voltage NAPItype="NX_FLOAT" units="kV">${EM_voltage}</voltage>
    <images_count NAPItype="NX_INT">${EM_images_count}</images_count>
    <group NX_class="NXcollection" groupName="motion_correction">
      <total_motion NAPItype="NX_FLOAT" units="A">${EMMotionCorrection_total_motion}</total_motion>
    </group>
  </group>
  <group NX_class="NXsubentry" groupName="PTYCHO">
    <beamSize record="final" NAPItype="NX_FLOAT" units="micron">${PTYCHO_beamSize}</beamSize>
    <group NX_class="NXcollection" groupName="Axis1">
      <name NAPItype="NX_CHAR">${PTYCHO_Axis1_name}</name>
      <range NAPItype="NX_FLOAT" units="micron">${PTYCHO_Axis1_range}</range>
    </group>
  </group>
  <group NX_class="NXsubentry" groupName="FLUO">
    <scanDim_1 record="final" ESRF_description="" NAPItype="NX_FLOAT">${FLUO_scanDim1}</scanDim_1>
  </group>
</group>
"""

# The EM group of the published file, as on the slide: three placeholders copied from a
# neighbour and one element written twice.
SLIDE = """\
<hdf5_cfg>
  <group NX_class="NXentry" groupName="entry">
    <group NX_class="NXsubentry" groupName="EM">
      <protein_acronym NAPItype="NX_CHAR">${EM_protein_acronym}</protein_acronym>
      <voltage NAPItype="NX_FLOAT" units="kV">${EM_voltage}</voltage>
      <magnification NAPItype="NX_FLOAT">${EM_magnification}</magnification>
      <images_count NAPItype="NX_INT">${EM_magnification}</images_count>
      <position_x NAPItype="NX_FLOAT" units="um">${EM_position_x}</position_x>
      <position_y NAPItype="NX_FLOAT" units="um">${EM_position_x}</position_y>
      <dose_initial NAPItype="NX_FLOAT">${EM_dose_initial}</dose_initial>
      <dose_per_frame NAPItype="NX_FLOAT">${EM_dose_initial}</dose_per_frame>
      <spherical_aberration NAPItype="NX_FLOAT" units="mm">${EM_spherical_aberration}</spherical_aberration>
      <amplitude_contrast NAPItype="NX_FLOAT">${EM_amplitude_contrast}</amplitude_contrast>
      <amplitude_contrast NAPItype="NX_FLOAT">${EM_amplitude_contrast}</amplitude_contrast>
    </group>
  </group>
</hdf5_cfg>
"""


def line_of(text: str, needle: str, nth: int = 1) -> int:
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[nth - 1]


def table(rows) -> set[tuple]:
    return {(r.path, r.key, r.nx_type, r.units) for r in rows}


@pytest.fixture(scope="module")
def imported():
    definitions, findings = import_xml(CFG, "hdf5_cfg.xml")
    assert findings == [], [str(f) for f in findings]
    return definitions


def test_the_fixture_has_the_rows_we_think(imported):
    rows, findings = xml_rows(CFG, "hdf5_cfg.xml")
    assert findings == []
    assert len(rows) == 28
    keyed = {r.path: r for r in rows}
    assert keyed["sample/energy"].kind == "link"  # the same key and name elsewhere: a link
    assert keyed["title"].mandatory and not keyed["instrument/source/current"].mandatory


def test_import_then_export_gives_the_same_rows(imported):
    original, _ = xml_rows(CFG, "hdf5_cfg.xml")
    rows = [row for d in imported for row in mapping(d)]
    assert table(rows) == table(original)
    exported = export_xml(rows)
    again, findings = xml_rows(exported, "exported.xml")
    assert findings == []
    assert table(again) == table(original)
    assert {(r.path, r.record) for r in again} >= {("start_time", "initial"), ("title", "final")}


def test_yaml_round_trip_keeps_the_mapping(imported, tmp_path):
    for definition in imported:
        text = write_yaml(definition)
        again, findings = read_yaml(text, f"{definition.name}.yaml")
        assert findings == [] and again == definition
        (tmp_path / f"{definition.name}.yaml").write_text(text)
    results = check(tmp_path)
    assert [str(f) for fs in results.values() for f in fs] == []


def test_import_writes_icat_only_where_the_rule_does_not_give_the_key(imported):
    layout = imported[0]
    assert layout.name == "NXesrf_catalogue" and layout.category == "layout"
    spelled = {}

    def walk(members, path):
        for member in members:
            name = getattr(member, "name", None) or ""
            if getattr(member, "icat", None) is not None:
                spelled[path + name] = (member.icat.key, member.icat.record)
            walk(getattr(member, "members", ()), path + name + "/")

    walk(layout.members, "")
    assert spelled == {
        "/title": ("datasetName", None),
        "/start_time": ("startDate", "initial"),
        "/end_time": ("endDate", None),
        "/folder_path": ("location", None),
        "/instrument/name": ("beamlineID", None),
        "/instrument/primary_slit": ("SlitPrimary", None),  # once, on the group
        "/sample/notes": ("", None),  # the group adds nothing: Sample_notes
    }
    techniques = {d.name: d for d in imported[1:]}
    assert set(techniques) == {"NXesrf_catalogue_em", "NXesrf_catalogue_ptycho",
                               "NXesrf_catalogue_fluo"}
    assert all(d.placement == "subentry" for d in techniques.values())
    em_text = write_yaml(techniques["NXesrf_catalogue_em"])
    assert "icat:" not in em_text  # every EM key follows the rule
    ptycho = write_yaml(techniques["NXesrf_catalogue_ptycho"])
    assert "icat: PTYCHO_Axis1_name" in ptycho and "icat: PTYCHO_beamSize" not in ptycho


def test_import_keeps_types_units_docs_and_mandatory(imported):
    source = imported[0].members[0].members[4].members[1]  # entry/instrument/source
    current = source.members[0]
    assert (current.name, current.type, current.units, current.doc) == (
        "current", "NX_FLOAT", "mA", "Ring current")
    assert current.optional is True  # ESRF_mandatory="false"
    title = imported[0].members[0].members[0]
    assert title.name == "title" and title.optional is None  # mandatory: required


def test_import_reports_the_slide_mistakes_with_file_and_line():
    definitions, findings = import_xml(SLIDE, "hdf5_cfg.xml")
    got = sorted((f.code, f.line) for f in findings)
    assert got == sorted([
        ("icat-placeholder-mismatch", line_of(SLIDE, "<images_count")),
        ("icat-key-reused", line_of(SLIDE, "<images_count")),
        ("icat-placeholder-mismatch", line_of(SLIDE, "<position_y")),
        ("icat-key-reused", line_of(SLIDE, "<position_y")),
        ("icat-placeholder-mismatch", line_of(SLIDE, "<dose_per_frame")),
        ("icat-key-reused", line_of(SLIDE, "<dose_per_frame")),
        ("icat-duplicate", line_of(SLIDE, "<amplitude_contrast", 2)),
    ])
    assert all(f.file == "hdf5_cfg.xml" for f in findings)
    # the YAML says what the file says (so that check points at it again), minus the duplicate
    em = definitions[1].members[0]
    assert [x.name for x in em.members].count("amplitude_contrast") == 1
    images = next(x for x in em.members if x.name == "images_count")
    assert images.icat.key == "EM_magnification"


def test_broken_xml_is_a_finding_not_a_traceback():
    definitions, findings = import_xml("<group NX_class='NXentry'>\n<a>${x}</b>", "bad.xml")
    assert definitions == [] and findings[0].code == "icat-xml" and findings[0].line == 2
    definitions, findings = import_xml('<!DOCTYPE x [<!ENTITY a "b">]><x/>', "dtd.xml")
    assert definitions == [] and "DOCTYPE" in findings[0].message


def test_export_of_the_shipped_definitions_is_well_formed_and_complete():
    rows = nxschema.icat_keys("NXesrf_raw", "NXesrf_em")
    root = ET.fromstring(export_xml(rows))
    assert (root.tag, root.get("NX_class")) == ("group", "NXentry")
    current = root.find("./group[@groupName='instrument']/group[@groupName='source']/current")
    assert current.text == "${InstrumentSource_current}" and current.get("NAPItype") == "NX_NUMBER"
    em = root.find("./group[@groupName='EM']")
    assert em.get("NX_class") == "NXsubentry"
    assert em.find("protein_acronym").get("ESRF_mandatory") == "Mandatory"
    assert em.find("voltage").get("units") == "kV"
    assert len(root.findall(".//*[@NAPItype]")) == len(rows)


def test_definitions_read_back_from_files_export_the_same(tmp_path, imported):
    for definition in imported:
        (tmp_path / f"{definition.name}.yaml").write_text(write_yaml(definition))
    rows = nxschema.icat_keys(tmp_path, bundled=False)
    original, _ = xml_rows(CFG)
    assert table(rows) == table(original)
    definition, _ = read_file(tmp_path / "NXesrf_catalogue.yaml")
    assert definition.category == "layout"
