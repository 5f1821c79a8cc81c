"""What a definition may hold: names HDF5 can store, the NeXus naming rule, integers of sane size.

The functions are asked here directly; the readers and the CLI that use them are tested in
test_definitions_hostile.py.
"""

from __future__ import annotations

import h5py
import pytest

from nxschema._definitions.bounds import (MAX_INT, MAX_INT_CHARS, hdf5_name_problem, int_problem,
                                          is_integer_text, nexus_name_problem, shown)

UNSTORABLE = ["", ".", "..", "a/b", "sub/../../../evil", "/abs", "nul\0here", "new\nline",
              "tab\there", "cr\rhere", "esc\x1bhere", "del\x7fhere", "c1\x85here", "sur\ud800"]
STORABLE_BUT_NONSTANDARD = ["x-ray", "a b", "space_group_name_H-M", "DMC-BF3-Detector",
                            "with#hash", ".hidden", "trailing.", "énergie", "quote\"s",
                            "brace{x}", "rtl\u202eoverride"]
STANDARD = ["data", "x_pixel_size", "a", "_", "9", "a.b", "NX_class", "AXISNAME_indices",
            "long_name", "sample_x.y"]


@pytest.mark.parametrize("name", UNSTORABLE)
def test_names_hdf5_cannot_hold_are_refused(name):
    assert hdf5_name_problem(name)


@pytest.mark.parametrize("name", STORABLE_BUT_NONSTANDARD + STANDARD)
def test_names_hdf5_can_hold_pass_and_really_can_be_written(name, tmp_path):
    assert hdf5_name_problem(name) is None
    with h5py.File(tmp_path / "n.h5", "w") as f:  # the claim is checked against HDF5 itself
        f.create_group("g").create_dataset(name, data=1)
        assert name in f["g"]


def test_why_the_path_step_names_are_refused(tmp_path):
    """'/' and '.' cannot be member names in HDF5 itself; '..' can, but every path that holds it
    means "the parent" to anything that normalises paths (link targets, posixpath, users)."""
    import posixpath

    with h5py.File(tmp_path / "n.h5", "w") as f:
        group = f.create_group("g")
        group.create_dataset("sub/evil", data=1)  # h5py makes the intermediate group
        assert "sub/evil" not in list(group) and list(group) == ["sub"]
        with pytest.raises(ValueError):
            group.create_dataset(".", data=1)
    assert posixpath.normpath("/entry/g/../../etc") == "/etc"


@pytest.mark.parametrize("name", STORABLE_BUT_NONSTANDARD)
def test_names_outside_the_nexus_rule_are_named(name):
    problem = nexus_name_problem(name)
    assert problem
    assert "NeXus names" in problem


@pytest.mark.parametrize("name", STANDARD)
def test_names_inside_the_nexus_rule_pass(name):
    assert nexus_name_problem(name) is None


def test_the_message_says_which_characters_break_the_rule():
    assert "'-'" in nexus_name_problem("space_group_name_H-M")
    assert "' '" in nexus_name_problem("a b")
    assert "starts or ends" in nexus_name_problem(".hidden")


def test_placeholders_count_as_letters_only_for_partial_and_any_names():
    # A partial name's upper-case parts stand for what the file chooses; the fixed parts keep
    # the rule. "DATA-x" stays wrong because of its fixed '-', not its placeholder.
    assert nexus_name_problem("DATA", "partial") is None
    assert nexus_name_problem("AXISNAME_indices", "partial") is None
    assert nexus_name_problem("DATA-x", "partial")
    assert nexus_name_problem("DETECTOR", "any") is None
    assert nexus_name_problem("a-b", "any")


@pytest.mark.parametrize("value", [0, 3, -1, MAX_INT, -MAX_INT, "3", "-1", "dataRank", "tof+1",
                                   "1 or 2", True, None, 2.5])
def test_sane_integers_and_free_text_pass(value):
    assert int_problem(value) is None


@pytest.mark.parametrize("value", [MAX_INT + 1, -(MAX_INT + 1), 10**100, str(MAX_INT + 1),
                                   "9" * (MAX_INT_CHARS + 1), "9" * 5000, "-" + "9" * 5000])
def test_integers_beyond_the_bound_are_refused(value):
    problem = int_problem(value)
    assert problem and ("2**63" in problem or "digits" in problem)
    assert len(problem) < 200  # a huge integer is described, not echoed


def test_integer_text_is_recognised_without_converting_huge_texts():
    assert is_integer_text("12") and is_integer_text("-3")
    assert not is_integer_text("+3")  # kept as written: '+3' round-trips as text
    assert not is_integer_text("1e3") and not is_integer_text("nP")
    assert not is_integer_text("9" * 5000)  # int() of this would raise ValueError


def test_values_in_messages_are_shown_short_with_their_size():
    assert shown("x-ray") == "'x-ray'"
    long = "a" * 10_000_000
    text = shown(long)
    assert len(text) < 100 and "10000000 characters" in text
