"""The rule table: rules are registered functions of a frozen Frame; the walker makes findings."""

from __future__ import annotations

import dataclasses

import h5py
import pytest

import nxschema
from nxschema._validate import table
import nxschema._validate.walker  # noqa: F401  (imports the rule modules, which register)
from nxschema._validate.table import Frame, Message, Rule, rule_of


def test_every_rule_code_names_its_function():
    assert rule_of("bad-axes") == "nxschema._validate.rules.nxdata"
    assert rule_of("wrong-type") == "nxschema._validate.dataset_rules.nx_type"
    assert rule_of("implausible-units") == "nxschema._validate.dataset_rules.units"
    assert rule_of("dangling-default") == "nxschema._validate.rules.default"
    assert rule_of("no-such-code") is None


def test_a_frame_is_frozen():
    frame = Frame(None, "x", "/x", None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        frame.path = "/y"


def test_a_registered_rule_runs_and_the_walker_builds_path_and_severity(tmp_path, monkeypatch):
    seen = []

    def note_title(frame: Frame):
        seen.append(frame)
        if "title" in frame.members:
            yield Message("extra-member", "a note has a title", "info", at="/title",
                          sourced=False)

    key = ("class", "NXnote")
    monkeypatch.setitem(table._RULES, key, table._RULES.get(key, ()) +
                        (Rule("note_title", note_title, key, ("extra-member",)),))
    path = tmp_path / "n.h5"
    with h5py.File(path, "w") as f:
        f.attrs["NX_class"] = "NXroot"
        note = f.create_group("entry").create_group("note")
        f["entry"].attrs["NX_class"] = "NXentry"
        note.attrs["NX_class"] = "NXnote"
        note["title"] = "x"
    report = nxschema.validate(path)
    (finding,) = [x for x in report.findings if x.message == "a note has a title"]
    assert finding.path == "/entry/note/title" and finding.severity == "info"
    assert seen[0].path == "/entry/note" and seen[0].attrs["NX_class"] == "NXnote"
