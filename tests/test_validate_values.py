"""Value checks of nxschema/_validate/values.py: enumerations of array-valued attributes, and
@units enumerations that list units categories."""

from __future__ import annotations

import h5py
import numpy as np

import nxschema
from nxschema._validate.values import enumeration_miss

ALLOWED = ("x", "y", "z")


def test_every_item_of_an_array_is_judged():
    assert enumeration_miss("x", ALLOWED) is None
    assert enumeration_miss("w", ALLOWED) == "w"
    assert enumeration_miss(["x", "y"], ALLOWED) is None
    assert enumeration_miss(["x", "w", "v"], ALLOWED) == "w"
    assert enumeration_miss(np.array(["z", "q"]), ALLOWED) == "q"
    assert enumeration_miss([1, 2], ALLOWED) is None  # numbers are not judged here


def test_a_units_enumeration_may_list_categories():
    allowed = ("NX_ANGLE", "NX_PER_LENGTH", "arbitrary units")
    for units in ("degrees", "1/nm", "arbitrary units"):
        assert enumeration_miss(units, allowed, units=True) is None, units
    assert enumeration_miss("mm", allowed, units=True) == "mm"
    assert enumeration_miss("degrees", allowed) == "degrees"  # not @units: as written


DEMO = """\
name: NXenum_demo
category: application
placement: entry
doc: An attribute enumeration over an array-valued attribute.
members:
  (NXentry):
    members:
      definition:
        enumeration: [NXenum_demo]
      data:
        type: NX_FLOAT
        attributes:
          axes_kind:
            enumeration: [x, y, z]
"""


def _validate(tmp_path, value):
    (tmp_path / "NXenum_demo.yaml").write_text(DEMO, encoding="utf-8")
    path = tmp_path / "demo.h5"
    with h5py.File(path, "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry["definition"] = "NXenum_demo"
        entry.create_dataset("data", data=[1.0, 2.0]).attrs["axes_kind"] = value
    report = nxschema.validate(path, definitions=[tmp_path / "NXenum_demo.yaml"])
    return [f for f in report.findings if f.code == "not-in-enumeration"]


def test_validation_checks_array_valued_attribute_enumerations(tmp_path):
    found = _validate(tmp_path, np.array(["x", "w"], dtype=h5py.string_dtype()))
    assert [(f.path, f.severity) for f in found] == [("/entry/data@axes_kind", "error")]
    assert "@axes_kind holds 'w', not one of 'x', 'y', 'z'" in found[0].message
    assert _validate(tmp_path, np.array(["x", "z"], dtype=h5py.string_dtype())) == []
    scalar = _validate(tmp_path, "q")
    assert len(scalar) == 1 and "@axes_kind is 'q'" in scalar[0].message


def test_an_enumeration_of_whole_arrays_judges_the_array_as_a_whole():
    allowed = ("['.', 'radial_axis']",)  # NXazint1d's NXdata@axes
    assert enumeration_miss([".", "radial_axis"], allowed) is None
    assert enumeration_miss(np.array([".", "radial_axis"]), allowed) is None
    wrong = ["radial_axis", "."]
    assert enumeration_miss(wrong, allowed) is wrong
    assert enumeration_miss(np.array([0.0, 0.0, 1.0]), ("[0, 0, 1]", "[1, 0, 0]")) is None
    assert enumeration_miss(np.array([0.0, 1.0, 0.0]), ("[0, 0, 1]",)) is not None
    assert enumeration_miss(["x"], ("[not python",)) == "x"  # a broken list is text


OPEN = """\
name: NXopen_demo
category: application
placement: entry
doc: An open enumeration on a field and on one of its attributes.
members:
  (NXentry):
    members:
      definition:
        enumeration: [NXopen_demo]
      mode:
        enumeration:
          open: true
          items: [fast, slow]
        attributes:
          shape:
            enumeration:
              open: true
              items: [round, square]
"""


def _open_findings(tmp_path, value, attrs):
    (tmp_path / "NXopen_demo.yaml").write_text(OPEN, encoding="utf-8")
    path = tmp_path / "open.h5"
    with h5py.File(path, "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry["definition"] = "NXopen_demo"
        mode = entry.create_dataset("mode", data=value)
        for name, attr in attrs.items():
            mode.attrs[name] = attr
    report = nxschema.validate(path, definitions=[tmp_path / "NXopen_demo.yaml"])
    return sorted((f.path, f.severity) for f in report.findings
                  if f.code == "not-in-enumeration")


def test_an_open_enumeration_allows_other_values(tmp_path):
    # nxdl.xsd enumerationType/@open: other values are allowed, so never an error;
    # @custom=True says so on purpose, without it (or false) a warning (pynxtools' cases).
    assert _open_findings(tmp_path, "medium", {"custom": True}) == []
    assert _open_findings(tmp_path, "fast", {"shape": "round"}) == []
    assert _open_findings(tmp_path, "medium", {}) == [("/entry/mode", "warning")]
    assert _open_findings(tmp_path, "medium", {"custom": False, "shape": "oval",
                                               "shape_custom": False}) == [
        ("/entry/mode", "warning"), ("/entry/mode@shape", "warning")]
    assert _open_findings(tmp_path, "fast", {"shape": "oval", "shape_custom": True}) == []


def test_a_negative_zero_utc_offset_is_not_iso8601():
    # ISO 8601 writes a zero offset as Z or +00:00; -00:00 is RFC 3339's "offset unknown"
    from nxschema._validate.values import value_problem
    assert value_problem("NX_DATE_TIME", "2022-01-22T12:14:12.05018-00:00")
    assert value_problem("NX_DATE_TIME", "2022-01-22T12:14:12-0000")
    for good in ("2022-01-22T12:14:12.05018+00:00", "2022-01-22T12:14:12Z",
                 "2022-01-22T12:14:12-01:00", "2022-01-22"):
        assert value_problem("NX_DATE_TIME", good) is None, good
