"""The ICAT lint rules, through ``nxschema check``: the EM fragment from the slide with its
copy-paste mistakes, duplicated elements, reused keys, two keys on one path, bad grammar."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import nxschema
from nxschema._icat.lint import leaf_matches, rule_icat
from nxschema._definitions.yaml_reader import read_yaml

# The EM group of hdf5_cfg.xml as shown on the slide, written as a definition: the generated file
# filled images_count from ${EM_magnification}, position_y from ${EM_position_x} and
# dose_per_frame from ${EM_dose_initial}.
EM_FRAGMENT = """\
name: NXslide_em
category: application
placement: subentry
members:
  EM(NXsubentry):
    members:
      protein_acronym: {type: NX_CHAR, icat: EM_protein_acronym}
      voltage: {type: NX_FLOAT, units: kV, icat: EM_voltage}
      magnification: {type: NX_FLOAT, icat: EM_magnification}
      images_count: {type: NX_INT, icat: EM_magnification}
      position_x: {type: NX_FLOAT, units: um, icat: EM_position_x}
      position_y: {type: NX_FLOAT, units: um, icat: EM_position_x}
      dose_initial: {type: NX_FLOAT, icat: EM_dose_initial}
      dose_per_frame: {type: NX_FLOAT, icat: EM_dose_initial}
      spherical_aberration: {type: NX_FLOAT, units: mm, icat: EM_spherical_aberration}
      amplitude_contrast: {type: NX_FLOAT, icat: EM_amplitude_contrast}
"""


def run_check(*paths) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "nxschema", "check", *map(str, paths)],
                            check=False, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def findings_of(text: str):
    definition, findings = read_yaml(textwrap.dedent(text), "t.yaml")
    assert definition is not None and findings == [], [str(f) for f in findings]
    return [(f.code, f.line) for f in rule_icat(definition, nxschema.load())]


def test_check_reports_each_copy_paste_mistake_of_the_em_fragment(tmp_path):
    path = tmp_path / "NXslide_em.yaml"
    path.write_text(EM_FRAGMENT)
    result = run_check(path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    for field, key in (("images_count", "EM_magnification"), ("position_y", "EM_position_x"),
                       ("dose_per_frame", "EM_dose_initial")):
        line = line_of(EM_FRAGMENT, f"{field}:")
        at = f"{path}:{line}:"
        mismatch = [x for x in lines if x.startswith(at) and "icat-placeholder-mismatch" in x]
        reused = [x for x in lines if x.startswith(at) and "icat-key-reused" in x]
        assert len(mismatch) == 1 and f"{key!r} on {field!r}" in mismatch[0]
        assert len(reused) == 1 and key in reused[0]
    # the correct fields themselves are not blamed
    assert not any(f":{line_of(EM_FRAGMENT, 'magnification:')}:" in x for x in lines)
    assert len(lines) == 6


def test_check_reports_a_duplicated_element_with_its_line(tmp_path):
    text = EM_FRAGMENT.replace(
        "      amplitude_contrast: {type: NX_FLOAT, icat: EM_amplitude_contrast}\n",
        "      amplitude_contrast: {type: NX_FLOAT, icat: EM_amplitude_contrast}\n" * 2)
    path = tmp_path / "NXslide_em.yaml"
    path.write_text(text)
    result = run_check(path)
    assert f"{path}:{line_of(text, 'amplitude_contrast') + 1}:" in result.stdout
    assert "duplicate-key" in result.stdout and result.returncode == 1


def test_the_shipped_definitions_have_a_clean_mapping(tmp_path):
    em = Path(nxschema.bundled_definitions_dir()) / "esrf" / "NXesrf_em.yaml"
    raw = em.with_name("NXesrf_raw.yaml")
    result = run_check(em, raw)
    assert result.returncode == 0, result.stdout


def test_two_paths_may_share_a_key_only_through_a_link():
    linked = """\
        name: NXt
        category: layout
        members:
          (NXentry):
            members:
              instrument(NXinstrument):
                members:
                  monochromator(NXmonochromator):
                    members:
                      energy: NX_FLOAT
              sample(NXsample):
                members:
                  energy: {link: /NXentry/instrument:NXinstrument/monochromator:NXmonochromator/energy}
                  temperature: {icat: InstrumentMonochromator_energy}
              title: {icat: datasetName}
        """
    # sample/energy links to the data: fine; temperature is another field: reused (and misnamed)
    assert findings_of(linked) == [("icat-placeholder-mismatch", 14), ("icat-key-reused", 14)]


def test_one_path_with_two_keys_through_a_choice():
    text = """\
        name: NXt
        category: layout
        members:
          (NXentry):
            members:
              instrument(NXinstrument):
                members:
                  slit:
                    choice:
                      (NXslit):
                        members:
                          gap: {icat: Slit_gap}
                      (NXaperture):
                        members:
                          gap: {icat: Aperture_gap}
        """
    assert findings_of(text) == [("icat-path-keys", 15)]


def test_key_grammar_on_fields_groups_and_techniques():
    text = """\
        name: NXt
        category: layout
        members:
          (NXentry):
            members:
              title: {icat: "dataset name"}
              end_time: {icat: endDate_}
              slit(NXslit):
                icat: Slit_Primary
                members:
                  gap: NX_FLOAT
              em(NXsubentry):
                icat: Em
                members:
                  voltage: NX_FLOAT
        """
    assert sorted(findings_of(text)) == [("icat-key-grammar", 6), ("icat-key-grammar", 7),
                                         ("icat-key-grammar", 9), ("icat-key-grammar", 13)]


def test_definitions_without_a_mapping_are_not_linted():
    text = """\
        name: NXt
        category: layout
        members:
          (NXentry):
            members:
              a(NXcollection): {members: {b(NXcollection): {members: {x: NX_FLOAT}}}}
              a_b(NXcollection): {members: {x: NX_FLOAT}}
              title: {}
        """
    assert findings_of(text) == []  # AB_x twice, but nothing asks for ICAT keys here
    mapped = text.replace("title: {}", "title: {icat: datasetName}")
    assert findings_of(mapped) == [("icat-key-reused", 7)]


def test_leaf_matching_tolerates_case_and_underscores():
    assert leaf_matches("FLUO_scanDim1", "scanDim_1")
    assert leaf_matches("PTYCHO_Axis1_name", "name")
    assert leaf_matches("datasetName", "title")  # an entry-level rename
    assert not leaf_matches("EM_magnification", "images_count")
    assert not leaf_matches("EM_position_x", "position_y")
