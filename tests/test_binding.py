"""The binding step: NeXus name fitting, written from nxdl.xsd's nameType rules.

nxdl.xsd: ``specified`` is exactly this name; ``any`` is any name not already used in the group;
``partial``: the capital letters are substitutable (the empty string too), the lower-case letters
and other symbols are not. A group without a name is any-named; a group's NX_class must fit.
The best fit wins (exact > partial with more fixed characters > fewer > any), each object binds
to at most one concept per definition, and occurrence limits count bound objects.

Every test asserts the binding itself (``nxschema.bind``), and where it matters what the
validator makes of it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import h5py
import numpy as np
import pytest
from nxdl_corpus import NXDL  # next to the checkout, or $NXSCHEMA_NXDL

import nxschema
from nxschema._binding.fit import name_problem, partial_pattern

ROOT = Path(__file__).resolve().parents[1]
STR = h5py.string_dtype()


# --- helpers -------------------------------------------------------------------------------------

def definition(tmp_path, members: str, name: str = "NXtest", extends: str | None = None) -> Path:
    """An application definition whose NXentry holds ``members`` (YAML, indented 6)."""
    body = textwrap.indent(textwrap.dedent(members).strip("\n"), " " * 6)
    text = (f"name: {name}\ncategory: application\nplacement: entry\n"
            + (f"extends: {extends}\n" if extends else "")
            + "members:\n  (NXentry):\n    members:\n      definition:\n"
            f"        optional: true\n{body}\n")
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


def h5(tmp_path, build, name="file.h5", app="NXtest") -> Path:
    path = tmp_path / name
    with h5py.File(path, "w") as f:
        f.attrs["NX_class"] = "NXroot"
        entry = group(f, "entry", "NXentry")
        entry.create_dataset("definition", data=app, dtype=STR)
        build(entry)
    return path


def group(parent, name, nx_class):
    g = parent.create_group(name)
    if nx_class:
        g.attrs["NX_class"] = nx_class
    return g


def text(parent, name, value="x"):
    return parent.create_dataset(name, data=value, dtype=STR)


def number(parent, name, value=1.0):
    return parent.create_dataset(name, data=value)


def bound(defs, path, where, definition="NXtest"):
    """(concept, how) of ``where`` in ``definition``, or None."""
    binding = nxschema.bind(path, definitions=[defs])
    found = [b for b in binding.of(where) if b.definition == definition]
    assert len(found) <= 1, found
    return (found[0].concept, found[0].how) if found else None


def findings(defs, path, severity="error"):
    report = nxschema.validate(path, definitions=[defs])
    return {(f.code, f.path) for f in report.findings if f.severity == severity}


# --- the name rules themselves -------------------------------------------------------------------

def test_partial_counts_fixed_characters():
    regex, fixed = partial_pattern("DATA_x")
    assert fixed == 2 and regex.match("signal_x") and not regex.match("signal_y")


def test_partial_placeholder_may_be_empty():
    regex, _ = partial_pattern("OPTIONAL_group")
    assert regex.match("_group") and regex.match("my_group")


def test_partial_lower_case_and_digits_are_fixed():
    regex, fixed = partial_pattern("detectorID2")
    assert regex.match("detector_a2") and not regex.match("detector_a3") and fixed == 9
    assert not regex.match("Detector_a2")


def test_names_outside_the_allowed_form_are_warnings():
    severity, message = name_problem("space_group_name_H-M")
    assert severity == "warning" and "'-'" in message
    assert name_problem("my name")[0] == "warning" and "' '" in name_problem("my name")[1]
    assert name_problem(".hidden")[0] == "warning"
    assert name_problem("x" * 64)[0] == "warning"


def test_names_outside_the_recommended_form_are_information():
    assert name_problem("DMC_BF3_Detector")[0] == "info"
    assert name_problem("1.1")[0] == "info"
    assert name_problem("polar_angle") is None


# --- exact, partial, any --------------------------------------------------------------------------

ANY_AND_PARTIAL = """
OPTIONAL_group(NXdata):
  name_type: partial
  optional: true
  members:
    required_field:
      type: NX_CHAR
any_groupGROUP(NXdata):
  name_type: any
  optional: true
  members:
    FIELD:
      name_type: any
      type: NX_FLOAT
      optional: true
"""


def test_exact_name_binds_exactly(tmp_path):
    defs = definition(tmp_path, "title:\n  type: NX_CHAR\n")
    path = h5(tmp_path, lambda e: text(e, "title"))
    assert bound(defs, path, "/entry/title") == ("/(NXentry)/title", "exact")


def test_exact_beats_partial(tmp_path):
    defs = definition(tmp_path, """
        title:
          optional: true
        TITLE:
          name_type: partial
          optional: true
        """)
    path = h5(tmp_path, lambda e: text(e, "title"))
    assert bound(defs, path, "/entry/title") == ("/(NXentry)/title", "exact")


def test_exact_beats_any(tmp_path):
    defs = definition(tmp_path, """
        FIELD:
          name_type: any
          optional: true
        title:
          optional: true
        """)
    path = h5(tmp_path, lambda e: text(e, "title"))
    assert bound(defs, path, "/entry/title") == ("/(NXentry)/title", "exact")


def test_partial_beats_any_whatever_the_order(tmp_path):
    for order in (ANY_AND_PARTIAL, ANY_AND_PARTIAL.split("any_groupGROUP")[0].join(
            ["any_groupGROUP" + ANY_AND_PARTIAL.split("any_groupGROUP")[1] + "\n", ""])):
        defs = definition(tmp_path, order)
        path = h5(tmp_path, lambda e: text(group(e, "my_group", "NXdata"), "required_field"))
        assert bound(defs, path, "/entry/my_group") == ("/(NXentry)/OPTIONAL_group(NXdata)",
                                                        "partial")


def test_the_issue_case_reports_the_missing_required_field(tmp_path):
    defs = definition(tmp_path, ANY_AND_PARTIAL)
    path = h5(tmp_path, lambda e: text(group(e, "my_group", "NXdata"), "other_field"))
    errors = findings(defs, path)
    assert ("missing-required", "/entry/my_group/required_field") in errors
    # and the any-named NX_FLOAT field does not claim the strings inside
    assert not any(code == "wrong-type" for code, _ in errors)


def test_a_name_the_partial_does_not_fit_goes_to_any(tmp_path):
    defs = definition(tmp_path, ANY_AND_PARTIAL)
    path = h5(tmp_path, lambda e: number(group(e, "my_data", "NXdata"), "x"))
    assert bound(defs, path, "/entry/my_data") == ("/(NXentry)/any_groupGROUP(NXdata)", "any")
    assert bound(defs, path, "/entry/my_data/x")[1] == "any"


def test_more_fixed_characters_win(tmp_path):
    defs = definition(tmp_path, """
        DATA_x:
          name_type: partial
          optional: true
        DATA_x_errors:
          name_type: partial
          optional: true
        """)
    path = h5(tmp_path, lambda e: (number(e, "signal_x"), number(e, "signal_x_errors")))
    assert bound(defs, path, "/entry/signal_x_errors") == ("/(NXentry)/DATA_x_errors",
                                                           "partial")
    assert bound(defs, path, "/entry/signal_x") == ("/(NXentry)/DATA_x", "partial")


def test_any_named_field_takes_any_name(tmp_path):
    defs = definition(tmp_path, "VALUE:\n  name_type: any\n  optional: true\n")
    path = h5(tmp_path, lambda e: number(e, "whatever_it_is"))
    assert bound(defs, path, "/entry/whatever_it_is") == ("/(NXentry)/VALUE", "any")


def test_unnamed_group_takes_any_name_of_its_class(tmp_path):
    defs = definition(tmp_path, "(NXsample):\n  optional: true\n")
    path = h5(tmp_path, lambda e: group(e, "crystal", "NXsample"))
    assert bound(defs, path, "/entry/crystal") == ("/(NXentry)/(NXsample)", "any")


def test_upper_case_without_name_type_is_a_real_name(tmp_path):
    defs = definition(tmp_path, "SDD:\n  optional: true\n")
    path = h5(tmp_path, lambda e: (number(e, "SDD"), number(e, "config")))
    assert bound(defs, path, "/entry/SDD") == ("/(NXentry)/SDD", "exact")
    assert bound(defs, path, "/entry/config") is None


# --- kind and class ------------------------------------------------------------------------------

def test_unnamed_group_needs_its_class(tmp_path):
    defs = definition(tmp_path, "(NXdata):\n  optional: true\n")
    path = h5(tmp_path, lambda e: group(e, "notes", "NXcollection"))
    assert bound(defs, path, "/entry/notes") is None


def test_partial_group_needs_its_class(tmp_path):
    defs = definition(tmp_path, "DATA_plot(NXdata):\n  name_type: partial\n  optional: true\n")
    path = h5(tmp_path, lambda e: (group(e, "x_plot", "NXdata"), group(e, "y_plot", "NXnote")))
    assert bound(defs, path, "/entry/x_plot")[1] == "partial"
    assert bound(defs, path, "/entry/y_plot") is None


def test_field_concept_does_not_bind_a_group(tmp_path):
    defs = definition(tmp_path, "VALUE:\n  name_type: any\n  optional: true\n")
    path = h5(tmp_path, lambda e: group(e, "sub", "NXnote"))
    assert bound(defs, path, "/entry/sub") is None


def test_group_concept_does_not_bind_a_dataset(tmp_path):
    defs = definition(tmp_path, "(NXnote):\n  optional: true\n")
    path = h5(tmp_path, lambda e: text(e, "note"))
    assert bound(defs, path, "/entry/note") is None


def test_exact_name_of_the_wrong_class_is_a_misfit(tmp_path):
    defs = definition(tmp_path, "sample(NXsample):\n  optional: true\n")
    path = h5(tmp_path, lambda e: group(e, "sample", "NXnote"))
    assert bound(defs, path, "/entry/sample") == ("/(NXentry)/sample(NXsample)", "misfit")
    assert ("wrong-class", "/entry/sample") in findings(defs, path)


def test_a_true_fit_beats_an_exact_misfit(tmp_path):
    defs = definition(tmp_path, """
        sample(NXsample):
          optional: true
        (NXnote):
          optional: true
        """)
    path = h5(tmp_path, lambda e: group(e, "sample", "NXnote"))
    assert bound(defs, path, "/entry/sample") == ("/(NXentry)/(NXnote)", "any")
    assert ("wrong-class", "/entry/sample") not in findings(defs, path)


def test_choice_binds_the_option_of_the_class(tmp_path):
    defs = tmp_path / "NXtest.yaml"
    defs.write_text(textwrap.dedent("""\
        name: NXtest
        category: application
        members:
          (NXentry):
            members:
              definition:
              pixel_shape:
                choice:
                  (NXoff_geometry):
                  (NXcylindrical_geometry):
        """))
    path = h5(tmp_path, lambda e: group(e, "pixel_shape", "NXcylindrical_geometry"))
    concept, how = bound(defs, path, "/entry/pixel_shape")
    assert how == "exact" and "NXcylindrical_geometry" in concept


# --- one concept per object, occurrences count bound objects --------------------------------------

def test_an_object_binds_once_per_definition(tmp_path):
    defs = definition(tmp_path, ANY_AND_PARTIAL)
    path = h5(tmp_path, lambda e: text(group(e, "my_group", "NXdata"), "required_field"))
    binding = nxschema.bind(path, definitions=[defs])
    assert len([b for b in binding.of("/entry/my_group") if b.definition == "NXtest"]) == 1


def test_max_occurs_counts_bound_objects(tmp_path):
    defs = definition(tmp_path, "(NXsample):\n  max_occurs: 1\n")
    path = h5(tmp_path, lambda e: (group(e, "a", "NXsample"), group(e, "b", "NXsample")))
    assert ("too-many", "/entry/(NXsample)") in findings(defs, path)


def test_min_occurs_counts_bound_objects(tmp_path):
    defs = definition(tmp_path, "(NXsample):\n  min_occurs: 2\n")
    path = h5(tmp_path, lambda e: group(e, "a", "NXsample"))
    assert ("missing-required", "/entry/(NXsample)") in findings(defs, path)


def test_an_object_bound_elsewhere_does_not_count_for_the_any_concept(tmp_path):
    defs = definition(tmp_path, """
        DATA_plot(NXdata):
          name_type: partial
          optional: true
        (NXdata):
          min_occurs: 1
        """)
    path = h5(tmp_path, lambda e: group(e, "x_plot", "NXdata"))
    assert bound(defs, path, "/entry/x_plot")[1] == "partial"
    assert ("missing-required", "/entry/(NXdata)") in findings(defs, path)


# --- ties ----------------------------------------------------------------------------------------

def test_tie_between_any_named_groups_is_decided_by_content(tmp_path):
    defs = definition(tmp_path, """
        FIRST(NXdata):
          name_type: any
          optional: true
          members:
            a:
        SECOND(NXdata):
          name_type: any
          optional: true
          members:
            b:
        """)
    path = h5(tmp_path, lambda e: number(group(e, "plot", "NXdata"), "b"))
    assert bound(defs, path, "/entry/plot") == ("/(NXentry)/SECOND(NXdata)", "any")


def test_tie_is_decided_by_need(tmp_path):
    defs = definition(tmp_path, """
        AXIS:
          name_type: any
          optional: true
        SIGNAL:
          name_type: any
          min_occurs: 1
        """)
    path = h5(tmp_path, lambda e: number(e, "y"))
    assert bound(defs, path, "/entry/y") == ("/(NXentry)/SIGNAL", "any")


def test_an_undecidable_tie_is_a_finding(tmp_path):
    defs = definition(tmp_path, """
        DATA_a:
          name_type: partial
          optional: true
        x_DATA:
          name_type: partial
          optional: true
        """)
    path = h5(tmp_path, lambda e: number(e, "x_a"))
    binding = nxschema.bind(path, definitions=[defs])
    (b,) = [b for b in binding.of("/entry/x_a") if b.definition == "NXtest"]
    assert b.how == "partial" and b.tied == ("/(NXentry)/x_DATA",)
    assert ("ambiguous-binding", "/entry/x_a") in findings(defs, path, "warning")


def test_an_any_named_tie_is_information(tmp_path):
    defs = definition(tmp_path, """
        DAXIS:
          name_type: any
          optional: true
        XAXIS:
          name_type: any
          optional: true
        """)
    path = h5(tmp_path, lambda e: number(e, "x"))
    assert ("ambiguous-binding", "/entry/x") in findings(defs, path, "info")
    assert ("ambiguous-binding", "/entry/x") not in findings(defs, path, "warning")


# --- inheritance ---------------------------------------------------------------------------------

def test_a_child_concept_of_the_same_name_overrides_the_parent(tmp_path):
    definition(tmp_path, "value:\n  type: NX_CHAR\n", name="NXparent")
    definition(tmp_path, "value:\n  type: NX_FLOAT\n", name="NXtest", extends="NXparent")
    path = h5(tmp_path, lambda e: number(e, "value", 2.5))
    b = [x for x in nxschema.bind(path, definitions=[tmp_path]).of("/entry/value")
         if x.category == "application"]
    assert [x.definition for x in b] == ["NXtest"]
    assert not findings(tmp_path, path, "warning")  # no NX_CHAR complaint from the parent


def test_parent_members_are_inherited_all_the_way_down(tmp_path):
    definition(tmp_path, "title:\n  type: NX_CHAR\n", name="NXparent")
    definition(tmp_path, "(NXsample):\n  optional: true\n", name="NXtest", extends="NXparent")
    path = h5(tmp_path, lambda e: group(e, "s", "NXsample"))
    errors = findings(tmp_path, path)
    assert ("missing-required", "/entry/title") in errors
    (b,) = [x for x in nxschema.bind(path, definitions=[tmp_path]).of("/entry/s")
            if x.category == "application"]
    assert b.definition == "NXtest"


def test_a_named_child_group_overrides_the_parents_unnamed_one(tmp_path):
    definition(tmp_path, "(NXdata):\n  members:\n    data:\n", name="NXparent")
    definition(tmp_path, "name(NXdata):\n  members:\n    x:\n", name="NXtest",
               extends="NXparent")
    path = h5(tmp_path, lambda e: number(group(e, "name", "NXdata"), "x"))
    assert not findings(tmp_path, path)
    concept = nxschema.bind(path, definitions=[tmp_path]).concept("/entry/name", "NXtest")
    assert concept == "/(NXentry)/name(NXdata)"


def test_inherited_concepts_name_the_parent_as_their_definition(tmp_path):
    definition(tmp_path, "title:\n  type: NX_CHAR\n", name="NXparent")
    definition(tmp_path, "(NXsample):\n  optional: true\n", name="NXtest", extends="NXparent")
    path = h5(tmp_path, lambda e: text(e, "title"))
    (b,) = [x for x in nxschema.bind(path, definitions=[tmp_path]).of("/entry/title")
            if x.category == "application"]
    assert b.definition == "NXparent" and b.source.endswith("NXparent.yaml:9")


@pytest.fixture(scope="module")
def official():
    if not NXDL.is_dir():
        pytest.skip(f"no official NXDL at {NXDL}")
    return nxschema.load(NXDL)


def _nxxeuler(path):
    n = 3
    with h5py.File(path, "w") as f:
        f.attrs["NX_class"] = "NXroot"
        entry = group(f, "entry", "NXentry")
        for name, value in (("title", "t"), ("start_time", "2024-01-01T00:00:00"),
                            ("definition", "NXxeuler")):
            text(entry, name, value)
        inst = group(entry, "instrument", "NXinstrument")
        det = group(inst, "detector", "NXdetector")
        det.create_dataset("polar_angle", data=np.arange(n, dtype=float)).attrs["units"] = "deg"
        sample = group(entry, "sample", "NXsample")
        for name in ("rotation_angle", "chi", "phi"):
            sample.create_dataset(name, data=np.arange(n, dtype=float)).attrs["units"] = "deg"
        data = group(entry, "name", "NXdata")
        data["polar_angle"] = h5py.SoftLink("/entry/instrument/detector/polar_angle")
        for name in ("rotation_angle", "chi", "phi"):
            data[name] = h5py.SoftLink(f"/entry/sample/{name}")
    return path


def test_nxxeuler_does_not_inherit_nxxbases_data_link(tmp_path, official):
    path = _nxxeuler(tmp_path / "euler.h5")
    report = nxschema.validate(path, definitions=official)
    assert ("missing-required", "/entry/name/data") not in {(f.code, f.path)
                                                           for f in report.findings}
    binding = nxschema.bind(path, definitions=official)
    assert binding.concept("/entry/name", "NXxeuler") == "/(NXentry)/name(NXdata)"
    # NXxbase's own members are still required of an NXxeuler entry
    assert binding.concept("/entry/title", "NXxbase") == "/(NXentry)/title"


# --- the bind command ----------------------------------------------------------------------------

def _cli(*args):
    return subprocess.run([sys.executable, "-m", "nxschema", "bind", *map(str, args)],
                          capture_output=True, text=True, timeout=120, check=False)


def test_bind_command_on_the_bundled_example():
    run = _cli(ROOT / "docs/examples/esrf_xas.h5")
    assert run.returncode == 0, run.stderr
    line = next(x for x in run.stdout.splitlines() if x.startswith("/1.1/instrument/absorbed_beam "
                                                                    " NXxas"))
    assert "absorbed_beam(NXdetector)" in line and "NXxas.yaml:" in line and "[exact]" in line


def test_bind_command_as_json():
    run = _cli(ROOT / "docs/examples/esrf_xas.h5", "--format", "json")
    data = json.loads(run.stdout)
    roots = [b for b in data["bound"] if b["path"] == "/"]
    assert roots and roots[0]["definition"] == "NXesrf_raw"


def test_bind_command_with_official_nxdl(official):
    path = ROOT / "tests/data/real/pyfai_nxmonpd.h5"
    run = _cli(path, "--defs", NXDL)
    assert run.returncode == 0, run.stderr
    assert any(" NXmonopd:/(NXentry)/(NXinstrument)/(NXdetector)/data " in x
               and "NXmonopd.nxdl.xml:" in x for x in run.stdout.splitlines())


def test_bind_command_on_a_missing_file_exits_2(tmp_path):
    run = _cli(tmp_path / "none.h5")
    assert run.returncode == 2 and "Traceback" not in run.stderr
